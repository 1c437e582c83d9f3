package web_test

// Issue 8's proofs for the UI and the portal: every route (read from the
// package's source, so a new one cannot slip through) refuses a POST
// without its CSRF token or with another session's or link's; the portal
// never shows or changes another customer's data; every response carries
// the security headers; every form carries its token; the templates hold
// no inline script or style.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
	"settle/internal/web"
)

// uiRoutes lists the routes the web package registers ("METHOD /path"),
// read from its source.
func uiRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?:\bm|s\.mux)\.Handle(?:Func)?\("([A-Z]+ /[^"]*)"`)
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	if len(out) < 50 {
		t.Fatalf("only %d UI routes found in the source: has the registration changed?", len(out))
	}
	return out
}

// fillPath puts values into a route's {wildcards}.
func fillPath(pattern string, vals map[string]string) string {
	return regexp.MustCompile(`\{([a-z]+)\}`).ReplaceAllStringFunc(pattern, func(w string) string {
		name := w[1 : len(w)-1]
		if v, ok := vals[name]; ok {
			return v
		}
		return "x"
	})
}

func sameDigest(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for table, d := range before {
		if after[table] != d {
			t.Errorf("%s changed table %s: %s → %s", what, table, d, after[table])
		}
	}
}

// checkHeaders: the CSP allows no inline or eval'd script and no framing;
// nosniff; a Referrer-Policy.
func checkHeaders(t *testing.T, r response) {
	t.Helper()
	where := r.Request.Method + " " + r.Request.URL.Path
	csp := r.Header.Get("Content-Security-Policy")
	dirs := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), " ")
		dirs[name] = val
	}
	script, ok := dirs["script-src"]
	if !ok {
		script, ok = dirs["default-src"]
	}
	switch {
	case csp == "":
		t.Errorf("%s (%d): no Content-Security-Policy", where, r.StatusCode)
	case !ok || strings.Contains(script, "unsafe-inline") || strings.Contains(script, "unsafe-eval"):
		t.Errorf("%s: CSP %q allows inline script", where, csp)
	case dirs["frame-ancestors"] != "'none'" && !(r.Request.URL.Path == "/settings/templates/email" && dirs["frame-ancestors"] == "'self'" && strings.Contains(csp, "sandbox")):
		// The one exception: the email preview is framed by the settings
		// page itself, sandboxed, with no script source at all.
		t.Errorf("%s: CSP %q allows framing", where, csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no nosniff", where)
	}
	if r.Header.Get("Referrer-Policy") == "" {
		t.Errorf("%s: no Referrer-Policy", where)
	}
	if strings.HasPrefix(r.Request.URL.Path, "/portal/") {
		if r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(r.Header.Get("X-Robots-Tag"), "noindex") || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: portal page without no-store / noindex / no-referrer: %v", where, r.Header)
		}
	}
}

// postForms finds a page's forms and returns, per <form method="post">,
// its action and whether it carries a non-empty hidden csrf_token (forms
// do not nest, so a form is the text up to its </form>).
func postForms(t *testing.T, body string) map[string]bool {
	t.Helper()
	formRe := regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe := regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`(?i)\s` + name + `\s*=\s*"([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
	out := map[string]bool{}
	for _, f := range formRe.FindAllStringSubmatch(body, -1) {
		if m, _ := attr(f[1], "method"); !strings.EqualFold(m, "post") {
			continue
		}
		action, _ := attr(f[1], "action")
		ok := false
		for _, in := range inputRe.FindAllString(f[2], -1) {
			typ, _ := attr(in, "type")
			name, _ := attr(in, "name")
			val, _ := attr(in, "value")
			if typ == "hidden" && name == "csrf_token" && val != "" {
				ok = true
			}
		}
		if prev, seen := out[action]; seen && !prev {
			continue // one form to this action without a token is enough
		}
		out[action] = ok
	}
	return out
}

// ---- staff routes ---------------------------------------------------------------

// TestWeb_CSRFEveryStaffPost: every staff POST route, signed in, refuses
// a post without the CSRF token and one with another session's token
// (403), and nothing is written; a cross-site post with the right token
// is refused too. The sign-in form refuses a post without its
// double-submit token.
func TestWeb_CSRFEveryStaffPost(t *testing.T) {
	srv, _ := newServer(t)
	fixture(t)
	dbPath := filepath.Join(fixtureDir, "web.db")
	admin := newBrowser(t, srv)
	wantStatus(t, admin.signIn(adminEmail, adminPassword), http.StatusSeeOther)
	other := newBrowser(t, srv)
	wantStatus(t, other.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	otherToken := match(t, csrfAttr, other.get("/worklist").Body)
	ownToken := match(t, csrfAttr, admin.get("/worklist").Body)
	if otherToken == ownToken {
		t.Fatal("two sessions share a CSRF token")
	}

	before := testutil.TableDigest(t, dbPath)
	n := 0
	for _, route := range uiRoutes(t) {
		method, pattern, _ := strings.Cut(route, " ")
		if method != http.MethodPost || strings.HasPrefix(pattern, "/portal/") || pattern == "/login" {
			continue
		}
		path := fillPath(pattern, nil)
		for name, form := range map[string]url.Values{
			"no":                         {"name": {"x"}},
			"another session's":          {"name": {"x"}, "csrf_token": {otherToken}},
			"an empty":                   {"name": {"x"}, "csrf_token": {""}},
			"another session's (header)": nil,
		} {
			var r response
			if form == nil {
				r = admin.do(http.MethodPost, path, url.Values{"name": {"x"}}, "X-CSRF-Token", otherToken)
			} else {
				r = admin.do(http.MethodPost, path, form)
			}
			n++
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %s token: status %d, want 403", path, name, r.StatusCode)
			}
			checkHeaders(t, r)
		}
		// The right token from another site: refused by the origin check.
		r := admin.do(http.MethodPost, path, url.Values{"csrf_token": {ownToken}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		n++
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: status %d, want 403", path, r.StatusCode)
		}
	}
	// Sign-in: no double-submit token, or one that does not match the cookie.
	anon := newBrowser(t, srv)
	match(t, csrfInput, anon.get("/login").Body) // sets the cookie
	for _, tok := range []string{"", strings.Repeat("A", 43)} {
		r := anon.do(http.MethodPost, "/login", url.Values{"csrf_token": {tok}, "email": {adminEmail}, "password": {adminPassword}})
		n++
		if r.StatusCode != http.StatusForbidden || cookieNamed(r, web.SessionCookie) != nil {
			t.Errorf("sign-in with login token %q: status %d (session cookie %v), want 403 and no session", tok, r.StatusCode, cookieNamed(r, web.SessionCookie))
		}
	}
	sameDigest(t, "refused staff posts", before, testutil.TableDigest(t, dbPath))
	// The session still works (logout was refused).
	wantStatus(t, admin.get("/worklist"), 200)
	t.Logf("%d refused staff posts, database unchanged", n)
}

// TestWeb_EveryFormHasCSRF renders the staff pages with forms on the demo
// data and parses them: every <form method="post"> carries a hidden
// csrf_token with a value.
func TestWeb_EveryFormHasCSRF(t *testing.T) {
	srv, _ := newServer(t)
	svc := fixture(t)
	admin := newBrowser(t, srv)
	wantStatus(t, admin.signIn(adminEmail, adminPassword), http.StatusSeeOther)
	ctx := testutil.Admin(context.Background())
	custs, _, err := svc.Customers(ctx, store.CustomerFilter{Page: store.Page{Limit: 5}})
	if err != nil || len(custs) == 0 {
		t.Fatal(err)
	}
	plans, _, err := svc.PlanList(ctx, service.PlanListInput{})
	if err != nil || len(plans) == 0 {
		t.Fatalf("demo plans: %d, %v", len(plans), err)
	}
	pols, _, _ := svc.Policies(ctx, store.Page{})
	pages := []string{"/", "/worklist", "/customers", "/customers/" + custs[0].ID, "/plans", "/plans/" + plans[0].Plan.ID, "/import", "/bank",
		"/settings", "/settings/policies", "/settings/policies/new", "/settings/users", "/settings/tokens", "/settings/webhooks", "/settings/templates"}
	if len(pols) > 0 {
		pages = append(pages, "/settings/policies/"+pols[0].ID)
	}
	forms := 0
	for _, p := range pages {
		r := admin.get(p)
		wantStatus(t, r, 200)
		checkHeaders(t, r)
		noInline(t, p, r.Body)
		for action, ok := range postForms(t, r.Body) {
			forms++
			if !ok {
				t.Errorf("%s: the form posting to %q has no csrf_token", p, action)
			}
		}
	}
	if forms < 15 {
		t.Errorf("only %d post forms on %d pages: is the parser finding them?", forms, len(pages))
	}
	login := newBrowser(t, srv).get("/login")
	if f := postForms(t, login.Body); !f["/login"] {
		t.Errorf("the sign-in form has no csrf_token: %v", f)
	}
	t.Logf("%d post forms on %d pages, each with its token", forms, len(pages))
}

// TestWeb_HeadersOnEveryRoute: every UI route (signed in, with ids that
// may not exist: error pages need the headers too), static assets and the
// 404 page carry the security headers.
func TestWeb_HeadersOnEveryRoute(t *testing.T) {
	srv, _ := newServer(t)
	admin := newBrowser(t, srv)
	wantStatus(t, admin.signIn(adminEmail, adminPassword), http.StatusSeeOther)
	anon := newBrowser(t, srv)
	n := 0
	for _, route := range uiRoutes(t) {
		method, pattern, _ := strings.Cut(route, " ")
		if method != http.MethodGet {
			continue
		}
		path := strings.ReplaceAll(fillPath(pattern, nil), "{$}", "")
		if pattern == "/static/" {
			path = "/static/app.css"
		}
		checkHeaders(t, admin.get(path))
		checkHeaders(t, anon.get(path))
		n += 2
	}
	for _, p := range []string{"/static/app.js", "/static/htmx.min.js", "/static/favicon.svg", "/no/such/page"} {
		checkHeaders(t, anon.get(p))
		n++
	}
	t.Logf("%d responses checked", n)
}

// The session cookie is HttpOnly and SameSite, and Secure behind an
// https SETTLE_PUBLIC_URL (a TLS-terminating proxy) or SETTLE_COOKIE_SECURE.
func TestWeb_SessionCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		env    map[string]string
		secure bool
	}{
		{map[string]string{}, false},
		{map[string]string{"SETTLE_PUBLIC_URL": "https://collect.example.com"}, true},
		{map[string]string{"SETTLE_PUBLIC_URL": "http://localhost:8080"}, false},
		{map[string]string{"SETTLE_COOKIE_SECURE": "1"}, true},
	} {
		t.Run(fmt.Sprint(tc.env), func(t *testing.T) {
			t.Setenv("SETTLE_PUBLIC_URL", "")
			t.Setenv("SETTLE_COOKIE_SECURE", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			srv, _ := newServer(t)
			b := newBrowser(t, srv)
			// The jar would not send Secure cookies over http: sign in by hand.
			page := b.get("/login")
			lc := cookieNamed(page, web.LoginCSRFCookie)
			if lc == nil {
				t.Fatal("no login cookie")
			}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"csrf_token": {lc.Value}, "email": {adminEmail}, "password": {adminPassword}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(lc)
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var sc *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == web.SessionCookie {
					sc = c
				}
			}
			if res.StatusCode != http.StatusSeeOther || sc == nil {
				t.Fatalf("sign-in: %d, cookie %v", res.StatusCode, sc)
			}
			if !sc.HttpOnly || sc.SameSite == http.SameSiteNoneMode || sc.SameSite == http.SameSiteDefaultMode || sc.Secure != tc.secure {
				t.Errorf("session cookie HttpOnly %v SameSite %v Secure %v, want HttpOnly, Lax/Strict, Secure %v", sc.HttpOnly, sc.SameSite, sc.Secure, tc.secure)
			}
			if !lc.HttpOnly || lc.Secure != tc.secure {
				t.Errorf("login cookie HttpOnly %v Secure %v", lc.HttpOnly, lc.Secure)
			}
		})
	}
}

// TestWeb_TemplatesNoInline scans every embedded template: no <script>
// without src, no on*= handler attribute, no style= attribute or <style>
// element (the CSP would block them, and they are where injected script
// hides).
func TestWeb_TemplatesNoInline(t *testing.T) {
	var files []string
	for _, glob := range []string{"templates/*.html", "templates/portal/*.html"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 15 {
		t.Fatalf("only %d templates", len(files))
	}
	script := regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	handler := regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
	style := regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=|<style\b`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, m := range script.FindAllStringSubmatch(src, -1) {
			if !strings.Contains(m[1], "src=") {
				t.Errorf("%s: inline <script%s>", f, m[1])
			}
		}
		if m := handler.FindString(src); m != "" {
			t.Errorf("%s: event handler attribute in %q", f, m)
		}
		if m := style.FindString(src); m != "" {
			t.Errorf("%s: inline style in %q", f, m)
		}
		if strings.Contains(src, "javascript:") {
			t.Errorf("%s: a javascript: URL", f)
		}
	}
}

// ---- the portal ----------------------------------------------------------------

// TestPortal_Matrix: A's link on every portal route, with B's ids wherever
// a route or form takes one: the exact status, nothing of B's in the
// body, nothing written. The routes with no id to swap act on the link's
// own customer; their pages must not show B either. Then a contact-only
// link over every route: only its own page opens.
func TestPortal_Matrix(t *testing.T) {
	w := newPortalWorld(t)
	w.svc.PortalURL = w.srv.URL
	// A contact-only link of B's (from a reminder email) for the scope
	// checks; more links of A's, so the per-link post throttle
	// (PortalPosts) is not what answers.
	email := "ben@example.com"
	if _, err := w.svc.UpdateCustomer(w.ctx, "B", service.CustomerPatch{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.StartRun(w.ctx, service.RunInput{AsOf: asOf.String()}); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := w.svc.Messages(w.ctx, store.MessageFilter{CustomerID: w.custB})
	if err != nil {
		t.Fatal(err)
	}
	contactB := ""
	for _, m := range msgs {
		if mm := optOutLinkRe.FindStringSubmatch(m.Body); mm != nil && m.Channel == "email" {
			contactB = mm[2]
		}
	}
	if contactB == "" {
		t.Fatal("no contact-only link in B's emails")
	}
	bg := context.Background()
	pb, err := w.svc.VerifyPortalToken(bg, strings.TrimPrefix(w.linkB, "/portal/"))
	if err != nil {
		t.Fatal(err)
	}
	negB, err := w.svc.PortalStartNegotiation(bg, pb, "")
	if err != nil {
		t.Fatal(err)
	}
	planB, err := w.svc.PortalChoose(bg, pb, negB, 0)
	if err != nil {
		t.Fatal(err)
	}
	invB, _ := w.svc.Invoice(w.ctx, "B-1")

	type row struct {
		status int        // for A's link with B's ids
		form   url.Values // POST body (B's ids where it takes one)
		own    bool       // no id to swap: acts on A's own data (not checked for writes)
	}
	rows := map[string]row{
		"GET /portal/{token}":                      {status: 200, own: true},
		"POST /portal/{token}/plan":                {status: 303, own: true, form: url.Values{"currency": {"EUR"}}},
		"GET /portal/{token}/plan/{neg}":           {status: 404},
		"POST /portal/{token}/plan/{neg}/counter":  {status: 404, form: url.Values{"installment_amount": {"100"}}},
		"POST /portal/{token}/plan/{neg}/choose":   {status: 404, form: url.Values{"alternative": {"0"}}},
		"GET /portal/{token}/agreement/{plan}":     {status: 404},
		"POST /portal/{token}/agreement/{plan}":    {status: 404, form: url.Values{"accepted_by": {"Anna Arden"}}},
		"GET /portal/{token}/agreement/{plan}/pdf": {status: 404},
		"GET /portal/{token}/invoices/{inv}/pdf":   {status: 404},
		"POST /portal/{token}/autopay/{plan}":      {status: 404},
		"GET /portal/{token}/promise":              {status: 200, own: true},
		"POST /portal/{token}/promise":             {status: 303, own: true, form: url.Values{"currency": {"EUR"}, "amount": {"100.00"}, "due_date": {asOf.AddDays(7).String()}}},
		"GET /portal/{token}/dispute":              {status: 200, own: true},
		"POST /portal/{token}/dispute":             {status: 404, form: url.Values{"invoice_id": {invB.ID}, "reason": {"wrong_amount"}}},
		"GET /portal/{token}/contact":              {status: 200, own: true},
		"POST /portal/{token}/contact":             {status: 303, own: true, form: url.Values{"channel": {"sms"}, "opted_out": {"1"}}},
		"GET /portal/{token}/pay":                  {status: 404},
		"POST /portal/{token}/pay":                 {status: 404, form: url.Values{"kind": {"invoice"}, "ref": {invB.ID}}},
	}
	var portal []string
	for _, r := range uiRoutes(t) {
		if strings.Contains(r, " /portal/") {
			portal = append(portal, r)
			if _, ok := rows[r]; !ok {
				t.Errorf("portal route %s has no row in TestPortal_Matrix", r)
			}
		}
	}
	for r := range rows {
		if !slices.Contains(portal, r) {
			t.Errorf("row %s is not a portal route", r)
		}
	}

	// Links are deterministic (customer, expiry, scope): different
	// lifetimes make different links.
	newLinkA := func(ttl time.Duration) string {
		t.Helper()
		l, err := w.svc.CreatePortalLink(w.ctx, "A", ttl, w.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(l.URL, w.srv.URL+"/portal/")
	}
	tokA, tokA2 := newLinkA(47*time.Hour), newLinkA(48*time.Hour)
	if tokA == tokA2 || "/portal/"+tokA == w.linkA {
		t.Fatal("the links of A are not distinct")
	}
	secretsOfB := []string{"Ben Brook", "B-1", "900", negB, planB, invB.ID}
	noB := func(where, body string) {
		t.Helper()
		for _, s := range secretsOfB {
			if strings.Contains(body, s) {
				t.Errorf("%s shows B's %q", where, s)
			}
		}
	}
	b := newBrowser(t, w.srv)
	csrfOf := func(token string) string {
		t.Helper()
		return match(t, csrfInput, b.get("/portal/"+token+"/contact").Body)
	}
	csrfA, csrfA2, csrfB := csrfOf(tokA), csrfOf(tokA2), match(t, csrfInput, b.get(w.linkB+"/contact").Body)

	before := testutil.TableDigest(t, w.path)
	n := 0
	send := func(method, path string, form url.Values, csrf string) response {
		t.Helper()
		n++
		if method == http.MethodGet {
			return b.get(path)
		}
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if csrf != "" {
			f.Set("csrf_token", csrf)
		}
		return b.do(method, path, f)
	}
	for _, route := range portal {
		method, pattern, _ := strings.Cut(route, " ")
		rw := rows[route]
		// A's link on B's ids.
		if !(rw.own && method == http.MethodPost) {
			path := fillPath(pattern, map[string]string{"token": tokA, "neg": negB, "plan": planB, "inv": invB.ID})
			r := send(method, path, rw.form, csrfA)
			if r.StatusCode != rw.status {
				t.Errorf("%s %s (A's link, B's ids): status %d, want %d", method, pattern, r.StatusCode, rw.status)
			}
			checkHeaders(t, r)
			noB(route, r.Body)
		}
		// B's contact-only link: only the contact page (home sends there).
		path := fillPath(pattern, map[string]string{"token": contactB, "neg": negB, "plan": planB, "inv": invB.ID})
		want := http.StatusForbidden
		switch route {
		case "GET /portal/{token}":
			want = http.StatusSeeOther
		case "GET /portal/{token}/contact":
			want = http.StatusOK
		}
		if route != "POST /portal/{token}/contact" {
			if r := send(method, path, rw.form, csrfB); r.StatusCode != want {
				t.Errorf("%s %s (B's contact-only link): status %d, want %d", method, pattern, r.StatusCode, want)
			}
		}
		if method != http.MethodPost {
			continue
		}
		// CSRF: A's link without a token, and with B's link's token.
		path = fillPath(pattern, map[string]string{"token": tokA2, "neg": negB, "plan": planB, "inv": invB.ID})
		for name, tok := range map[string]string{"no": "", "B's link's": csrfB, "another link of A's": csrfA} {
			if r := send(method, path, rw.form, tok); r.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %s token: status %d, want 403", pattern, name, r.StatusCode)
			}
		}
	}
	sameDigest(t, "A's link on B's ids, the contact-only link and the refused posts", before, testutil.TableDigest(t, w.path))
	// Sanity: A's own link does work with its own token on its own data.
	r := send(http.MethodPost, "/portal/"+tokA2+"/contact", url.Values{"channel": {"sms"}, "opted_out": {"1"}}, csrfA2)
	wantStatus(t, r, http.StatusSeeOther)
	if m, _ := w.svc.OptOuts(w.ctx, "A"); !m["sms"] {
		t.Error("A's own opt-out did not land: the refusals above prove nothing")
	}
	t.Logf("%d portal routes, %d requests", len(portal), n)
}

// TestPortal_MatrixOnlinePayments: with online payments on (stripe-mock),
// A's link cannot pay or set up autopay for B's invoice or plan (404),
// and B's pay-only link (from a reminder email) opens its pay page and
// nothing else; nothing is written.
func TestPortal_MatrixOnlinePayments(t *testing.T) {
	w := newPortalWorld(t)
	w.svc.PortalURL = w.srv.URL
	none := int64(0)
	sp, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret, URL: stripemock.URL(t),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.EnableOnlinePayments(service.OnlineDeps{Provider: sp})
	email := "ben@example.com"
	if _, err := w.svc.UpdateCustomer(w.ctx, "B", service.CustomerPatch{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.StartRun(w.ctx, service.RunInput{AsOf: asOf.String()}); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := w.svc.Messages(w.ctx, store.MessageFilter{CustomerID: w.custB})
	if err != nil {
		t.Fatal(err)
	}
	payB := ""
	for _, m := range msgs {
		if mm := payLinkRe.FindStringSubmatch(m.Body); mm != nil {
			payB = mm[2]
		}
	}
	if payB == "" {
		t.Fatal("no pay link in B's messages")
	}
	pb, err := w.svc.VerifyPortalToken(context.Background(), strings.TrimPrefix(w.linkB, "/portal/"))
	if err != nil {
		t.Fatal(err)
	}
	negB, err := w.svc.PortalStartNegotiation(context.Background(), pb, "")
	if err != nil {
		t.Fatal(err)
	}
	planB, err := w.svc.PortalChoose(context.Background(), pb, negB, 0)
	if err != nil {
		t.Fatal(err)
	}
	invB, _ := w.svc.Invoice(w.ctx, "B-1")
	b := newBrowser(t, w.srv)
	csrfA := match(t, csrfInput, b.get(w.linkA+"/contact").Body)
	ps, err := w.svc.VerifyPortalToken(context.Background(), payB)
	if err != nil || ps.Scope() != service.ScopePay {
		t.Fatalf("the pay link: %v", err)
	}
	csrfPay := ps.CSRF() // the pay-only link's own form token: scope, not CSRF, must refuse

	before := testutil.TableDigest(t, w.path)
	for path, form := range map[string]url.Values{
		w.linkA + "/pay":              {"kind": {"invoice"}, "ref": {invB.ID}, "csrf_token": {csrfA}},
		w.linkA + "/autopay/" + planB: {"csrf_token": {csrfA}},
	} {
		r := b.do(http.MethodPost, path, form)
		if r.StatusCode != http.StatusNotFound || strings.Contains(r.Header.Get("Location"), "stripe") {
			t.Errorf("POST %s with B's id: status %d (Location %q), want 404", path, r.StatusCode, r.Header.Get("Location"))
		}
	}
	n := 0
	for _, route := range uiRoutes(t) {
		method, pattern, ok := strings.Cut(route, " ")
		if !ok || !strings.HasPrefix(pattern, "/portal/") || route == "POST /portal/{token}/pay" {
			continue
		}
		want := http.StatusForbidden
		switch route {
		case "GET /portal/{token}":
			want = http.StatusSeeOther
		case "GET /portal/{token}/pay":
			want = http.StatusOK
		}
		path := fillPath(pattern, map[string]string{"token": payB, "neg": negB, "plan": planB, "inv": invB.ID})
		var r response
		if method == http.MethodGet {
			r = b.get(path)
		} else {
			r = b.do(method, path, url.Values{"csrf_token": {csrfPay}, "channel": {"sms"}, "opted_out": {"1"}, "currency": {"EUR"}})
		}
		n++
		if r.StatusCode != want {
			t.Errorf("%s with B's pay-only link: status %d, want %d", route, r.StatusCode, want)
		}
	}
	sameDigest(t, "A's link on B's pay routes and B's pay-only link elsewhere", before, testutil.TableDigest(t, w.path))
	t.Logf("%d routes tried with the pay-only link", n)
}
