package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"settle/internal/civil"
	"settle/internal/demo"
	"settle/internal/httpapi"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// The tests share one store with the demo organisation as of the test
// clock's date (loading it takes a second), and each starts its own UI
// server over it (so each has its own sign-in throttle).

const (
	adminEmail    = "admin@example.com"
	adminPassword = "correct horse battery staple"
	agentEmail    = "agent@example.com"
	agentPassword = "another long passphrase"
)

var (
	fixtureOnce sync.Once
	fixtureSvc  *service.Service
	fixtureErr  error
	fixtureDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// asOf is the test clock's date: the demo's year ends on it.
var asOf = civil.In(testutil.Clock(), testutil.Clock().Location())

func fixture(t testing.TB) *service.Service {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "settle-web-test-")
		if fixtureErr != nil {
			return
		}
		clk := demo.NewClock(testutil.Clock)
		st, err := sqlite.Open(context.Background(), filepath.Join(fixtureDir, "web.db"), clk.Now)
		if err != nil {
			fixtureErr = err
			return
		}
		svc := service.New(st, clk.Now)
		ctx := testutil.Admin(context.Background())
		if _, err := demo.Generate(ctx, svc, clk, asOf, 1); err != nil {
			fixtureErr = err
			return
		}
		for _, u := range []service.UserInput{
			{Email: adminEmail, Name: "Ada Admin", Role: service.RoleAdmin, Password: adminPassword},
			{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword},
		} {
			if _, err := svc.CreateUser(ctx, u); err != nil {
				fixtureErr = err
				return
			}
		}
		fixtureSvc = svc
	})
	if fixtureErr != nil {
		t.Fatalf("fixture: %v", fixtureErr)
	}
	return fixtureSvc
}

var quiet = slog.New(slog.DiscardHandler)

// newServer starts the UI (with the API behind it, as settle serves them).
func newServer(t *testing.T) (*httptest.Server, *web.Server) {
	t.Helper()
	svc := fixture(t)
	ui := web.New(svc, quiet)
	ui.Fallback = httpapi.New(svc, quiet).Handler()
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(srv.Close)
	return srv, ui
}

// browser is a client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	*http.Response
	Body string
}

func (b *browser) do(method, path string, form url.Values, header ...string) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{res, string(raw)}
}

func (b *browser) get(path string, header ...string) response {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil, header...)
}

var (
	csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	csrfAttr  = regexp.MustCompile(`data-csrf-token="([^"]+)"`)
)

func match(t *testing.T, re *regexp.Regexp, s string) string {
	t.Helper()
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in:\n%s", re, s)
	}
	return m[1]
}

// signIn opens the sign-in page and posts the form.
func (b *browser) signIn(email, password string) response {
	b.t.Helper()
	page := b.get("/login")
	if page.StatusCode != 200 {
		b.t.Fatalf("GET /login: %d", page.StatusCode)
	}
	tok := match(b.t, csrfInput, page.Body)
	return b.do(http.MethodPost, "/login", url.Values{"csrf_token": {tok}, "email": {email}, "password": {password}})
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.Body)
	}
}

func cookieNamed(r response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestWeb_AnonymousIsSentToSignIn(t *testing.T) {
	srv, _ := newServer(t)
	b := newBrowser(t, srv)
	for path, want := range map[string]string{
		"/":                     "/login",
		"/?as_of=2026-05-01":    "/login",
		"/worklist":             "/login?next=%2Fworklist",
		"/customers?segment=x":  "/login?next=%2Fcustomers%3Fsegment%3Dx",
		"/settings":             "/login?next=%2Fsettings",
		"/plans":                "/login?next=%2Fplans",
		"/import":               "/login?next=%2Fimport",
		"/login?next=//evil.ex": "", // the sign-in page itself
	} {
		r := b.get(path)
		if want == "" {
			wantStatus(t, r, 200)
			if strings.Contains(r.Body, "evil.ex") {
				t.Errorf("the sign-in page keeps an off-site next: %s", r.Body)
			}
			continue
		}
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != want {
			t.Errorf("GET %s → %s, want %s", path, loc, want)
		}
	}
	// htmx requests are told where to go.
	r := b.get("/", "HX-Request", "true")
	wantStatus(t, r, http.StatusUnauthorized)
	if r.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("htmx: HX-Redirect %q", r.Header.Get("HX-Redirect"))
	}
	// A made-up session cookie is no better, and is dropped.
	u, _ := url.Parse(srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: web.SessionCookie, Value: "forged"}})
	r = b.get("/")
	wantStatus(t, r, http.StatusSeeOther)
	if c := cookieNamed(r, web.SessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("forged session cookie not cleared: %+v", c)
	}
}

func TestWeb_SignIn(t *testing.T) {
	srv, ui := newServer(t)

	t.Run("success", func(t *testing.T) {
		b := newBrowser(t, srv)
		r := b.signIn(" Admin@Example.com ", adminPassword)
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != "/" {
			t.Errorf("after sign-in → %q, want /", loc)
		}
		c := cookieNamed(r, web.SessionCookie)
		if c == nil || len(c.Value) != 43 || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", c)
		}
		if c.MaxAge != int(service.SessionLifetime.Seconds()) {
			t.Errorf("session cookie Max-Age %d", c.MaxAge)
		}
		page := b.get("/")
		wantStatus(t, page, 200)
		for _, s := range []string{"<h1>Dashboard</h1>", "Ada Admin", "Administrator", `action="/logout"`} {
			if !strings.Contains(page.Body, s) {
				t.Errorf("dashboard lacks %q", s)
			}
		}
		// Signed in, the sign-in page goes home.
		if r := b.get("/login"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Errorf("GET /login when signed in: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
	})

	t.Run("back to the page asked for", func(t *testing.T) {
		b := newBrowser(t, srv)
		r := b.get("/worklist")
		wantStatus(t, r, http.StatusSeeOther)
		page := b.get(r.Header.Get("Location"))
		tok := match(t, csrfInput, page.Body)
		next := match(t, regexp.MustCompile(`name="next" value="([^"]+)"`), page.Body)
		r = b.do(http.MethodPost, "/login", url.Values{"csrf_token": {tok}, "email": {agentEmail}, "password": {agentPassword}, "next": {next}})
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != "/worklist" {
			t.Errorf("→ %q, want /worklist", loc)
		}
		// Off-site destinations are not followed.
		for _, evil := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
			b2 := newBrowser(t, srv)
			tok := match(t, csrfInput, b2.get("/login").Body)
			r := b2.do(http.MethodPost, "/login", url.Values{"csrf_token": {tok}, "email": {agentEmail}, "password": {agentPassword}, "next": {evil}})
			if loc := r.Header.Get("Location"); loc != "/" {
				t.Errorf("next %q → %q, want /", evil, loc)
			}
		}
	})

	t.Run("failure", func(t *testing.T) {
		for _, tc := range []struct{ email, password string }{
			{adminEmail, "not the password"},
			{"nobody@example.com", adminPassword},
			{"", ""},
		} {
			b := newBrowser(t, srv)
			r := b.signIn(tc.email, tc.password)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if !strings.Contains(r.Body, "Email or password is wrong.") || !strings.Contains(r.Body, `role="alert"`) {
				t.Errorf("failure page for %q lacks the message:\n%s", tc.email, r.Body)
			}
			if strings.Contains(r.Body, "not found") || strings.Contains(r.Body, "unknown") {
				t.Errorf("failure page says more than it should:\n%s", r.Body)
			}
			if c := cookieNamed(r, web.SessionCookie); c != nil {
				t.Errorf("failed sign-in set a session cookie")
			}
			if tc.email != "" && !strings.Contains(r.Body, `value="`+tc.email+`"`) {
				t.Errorf("the email typed is not kept in the form")
			}
			if b.get("/").StatusCode != http.StatusSeeOther {
				t.Errorf("not signed in, yet / answered")
			}
		}
	})

	t.Run("secure cookies", func(t *testing.T) {
		ui.CookieSecure = true
		defer func() { ui.CookieSecure = false }()
		b := newBrowser(t, srv)
		page := b.get("/login")
		if c := cookieNamed(page, web.LoginCSRFCookie); c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("login CSRF cookie %+v", c)
		}
		tok := match(t, csrfInput, page.Body)
		r := b.do(http.MethodPost, "/login", url.Values{"csrf_token": {tok}, "email": {adminEmail}, "password": {adminPassword}})
		if c := cookieNamed(r, web.SessionCookie); c == nil || !c.Secure {
			t.Errorf("with SETTLE_COOKIE_SECURE the session cookie is %+v", c)
		}
	})

	t.Run("over TLS", func(t *testing.T) {
		tls := httptest.NewTLSServer(ui.Handler())
		defer tls.Close()
		b := &browser{t: t, base: tls.URL, c: tls.Client()}
		jar, _ := cookiejar.New(nil)
		b.c.Jar = jar
		b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		r := b.signIn(adminEmail, adminPassword)
		if c := cookieNamed(r, web.SessionCookie); c == nil || !c.Secure {
			t.Errorf("over TLS the session cookie is %+v", c)
		}
	})
}

func TestWeb_SignOut(t *testing.T) {
	srv, _ := newServer(t)
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/")
	tok := match(t, csrfAttr, page.Body)
	if !strings.Contains(page.Body, `hx-headers='{&#34;X-CSRF-Token&#34;: &#34;`+tok+`&#34;}'`) &&
		!strings.Contains(page.Body, `hx-headers='{"X-CSRF-Token": "`+tok+`"}'`) {
		t.Errorf("<body> does not set the CSRF header for htmx")
	}
	r := b.do(http.MethodPost, "/logout", url.Values{"csrf_token": {tok}})
	wantStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != "/login" {
		t.Errorf("sign-out → %q", r.Header.Get("Location"))
	}
	if c := cookieNamed(r, web.SessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("sign-out did not clear the cookie: %+v", c)
	}
	wantStatus(t, b.get("/"), http.StatusSeeOther)
}

func TestWeb_CSRF(t *testing.T) {
	srv, _ := newServer(t)

	t.Run("sign-in form", func(t *testing.T) {
		b := newBrowser(t, srv)
		page := b.get("/login")
		tok := match(t, csrfInput, page.Body)
		for name, form := range map[string]url.Values{
			"wrong token": {"csrf_token": {tok + "x"}, "email": {adminEmail}, "password": {adminPassword}},
			"no token":    {"email": {adminEmail}, "password": {adminPassword}},
		} {
			r := b.do(http.MethodPost, "/login", form)
			if r.StatusCode != http.StatusForbidden || cookieNamed(r, web.SessionCookie) != nil {
				t.Errorf("%s: status %d, session cookie %v", name, r.StatusCode, cookieNamed(r, web.SessionCookie))
			}
		}
		// Without the cookie, the form's token alone is not enough.
		fresh := newBrowser(t, srv)
		r := fresh.do(http.MethodPost, "/login", url.Values{"csrf_token": {tok}, "email": {adminEmail}, "password": {adminPassword}})
		wantStatus(t, r, http.StatusForbidden)
	})

	t.Run("signed in", func(t *testing.T) {
		b := newBrowser(t, srv)
		wantStatus(t, b.signIn(adminEmail, adminPassword), http.StatusSeeOther)
		tok := match(t, csrfAttr, b.get("/").Body)
		for name, tc := range map[string]struct {
			form   url.Values
			header []string
		}{
			"no token":           {url.Values{}, nil},
			"wrong token":        {url.Values{"csrf_token": {strings.Repeat("A", 43)}}, nil},
			"wrong header":       {url.Values{}, []string{web.CSRFHeader, tok + "x"}},
			"the sign-in cookie": {url.Values{"csrf_token": {""}}, nil},
		} {
			r := b.do(http.MethodPost, "/logout", tc.form, tc.header...)
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", name, r.StatusCode)
			}
		}
		// Still signed in: nothing happened.
		wantStatus(t, b.get("/"), 200)
		// From another site, even with the right token.
		r := b.do(http.MethodPost, "/logout", url.Values{"csrf_token": {tok}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		wantStatus(t, r, http.StatusForbidden)
		wantStatus(t, b.get("/"), 200)
		// The header (htmx) is accepted.
		r = b.do(http.MethodPost, "/logout", url.Values{}, web.CSRFHeader, tok, "HX-Request", "true")
		if r.StatusCode != http.StatusNoContent || r.Header.Get("HX-Redirect") != "/login" {
			t.Errorf("htmx sign-out: %d %q", r.StatusCode, r.Header.Get("HX-Redirect"))
		}
		wantStatus(t, b.get("/"), http.StatusSeeOther)
	})
}

func TestWeb_Throttle(t *testing.T) {
	srv, _ := newServer(t)
	b := newBrowser(t, srv)
	for i := range web.LoginFailures {
		if r := b.signIn(agentEmail, fmt.Sprintf("wrong password %d", i)); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: status %d", i+1, r.StatusCode)
		}
	}
	// The 11th try is refused before the password is even checked.
	r := b.signIn(agentEmail, agentPassword)
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Too many failed sign-ins") {
		t.Errorf("429 without Retry-After or message: %v\n%s", r.Header, r.Body)
	}
	// In any case of the email.
	wantStatus(t, b.signIn(strings.ToUpper(agentEmail), agentPassword), http.StatusTooManyRequests)
	// Another email from the same address is not affected.
	wantStatus(t, b.signIn(adminEmail, adminPassword), http.StatusSeeOther)
}

func TestWeb_SecurityHeaders(t *testing.T) {
	srv, _ := newServer(t)
	b := newBrowser(t, srv)
	check := func(r response) {
		t.Helper()
		want := map[string]string{
			"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
		}
		for k, v := range want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", r.Request.Method, r.Request.URL, k, got, v)
			}
		}
	}
	check(b.get("/login"))
	check(b.get("/"))
	check(b.get("/static/app.css"))
	check(b.get("/static/nothing.css"))
	wrong := b.signIn(adminEmail, "wrong password here")
	check(wrong)
	wantStatus(t, b.signIn(adminEmail, adminPassword), http.StatusSeeOther)
	for _, p := range []string{"/", "/worklist", "/settings"} {
		page := b.get(p)
		check(page)
		if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
		noInline(t, p, page.Body)
	}
	noInline(t, "/login", b.get("/login?x").Body)
}

var (
	scriptTag = regexp.MustCompile(`(?is)<script\b[^>]*>`)
	inlineJS  = regexp.MustCompile(`(?i)\son[a-z]+\s*=|javascript:`)
)

// noInline fails on inline script, event handlers or style attributes:
// the CSP would block them.
func noInline(t *testing.T, path, body string) {
	t.Helper()
	for _, tag := range scriptTag.FindAllString(body, -1) {
		if !strings.Contains(tag, ` src="/static/`) {
			t.Errorf("%s: inline or foreign script %s", path, tag)
		}
	}
	if strings.Contains(body, "<style") || strings.Contains(body, " style=") {
		t.Errorf("%s: inline style", path)
	}
	if m := inlineJS.FindString(body); m != "" {
		t.Errorf("%s: inline script %q", path, m)
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("%s: a link off the origin:\n%s", path, body)
	}
}

func TestWeb_Static(t *testing.T) {
	srv, _ := newServer(t)
	b := newBrowser(t, srv)
	page := b.get("/login")
	for _, name := range []string{"app.css", "app.js", "htmx.min.js", "favicon.svg"} {
		link := match(t, regexp.MustCompile(`"(/static/`+regexp.QuoteMeta(name)+`\?v=[0-9a-f]{12})"`), page.Body)
		r := b.get(link)
		wantStatus(t, r, 200)
		if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", link, cc)
		}
		if name == "htmx.min.js" && (!strings.Contains(r.Header.Get("Content-Type"), "javascript") || !strings.Contains(r.Body, "htmx.org 2.0.") || !strings.Contains(r.Body, "Zero-Clause BSD")) {
			t.Errorf("htmx: %s, license header missing?", r.Header.Get("Content-Type"))
		}
	}
	if r := b.get("/static/app.css?v=old"); r.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("a stale hash is cached: %q", r.Header.Get("Cache-Control"))
	}
	for _, p := range []string{"/static/../server.go", "/static/%2e%2e/server.go", "/static/templates/layout.html"} {
		if r := b.get(p); r.StatusCode == 200 || strings.Contains(r.Body, "package web") || strings.Contains(r.Body, "{{define") {
			t.Errorf("GET %s: %d %.100s", p, r.StatusCode, r.Body)
		}
	}
	wantStatus(t, b.get("/static/"), http.StatusNotFound)
}

// The API keeps working behind the UI, exactly as before: tokens, not
// sessions, and problem+json.
func TestWeb_APIBehindUI(t *testing.T) {
	srv, _ := newServer(t)
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(adminEmail, adminPassword), http.StatusSeeOther)
	r := b.get("/v1/customers") // a session cookie is no API credential
	wantStatus(t, r, http.StatusUnauthorized)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("API 401 content type %q", ct)
	}
	if csp := r.Header.Get("Content-Security-Policy"); csp != httpapi.ContentSecurityPolicy {
		t.Errorf("an API response has CSP %q, want the API's own %q (not the UI's)", csp, httpapi.ContentSecurityPolicy)
	}
	secret, _, err := fixture(t).CreateToken(testutil.Admin(context.Background()), service.RoleViewer, "web test")
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.get("/v1/customers?limit=1", "Authorization", "Bearer "+secret), 200)
	for _, p := range []string{"/openapi.json", "/healthz", "/metrics"} {
		wantStatus(t, b.get(p), 200)
	}
}

// The dashboard shows the real figures: each currency's total receivable
// equals the sum of the open invoices' balances in the ledger (a second
// method: the stored balances, not the aging query the dashboard uses).
func TestWeb_Dashboard(t *testing.T) {
	srv, _ := newServer(t)
	svc := fixture(t)
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/")
	wantStatus(t, page, 200)

	ctx := testutil.Admin(context.Background())
	sums := map[money.Currency]int64{}
	f := store.InvoiceFilter{Page: store.Page{Limit: 500}}
	for {
		list, next, err := svc.Invoices(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range list {
			if inv.Status() == ledger.StatusOpen && !inv.IssueDate.After(asOf) {
				sums[inv.Amount.Currency()] += inv.Balance.Minor()
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if len(sums) != 4 {
		t.Fatalf("demo has receivables in %v", sums)
	}
	for cur, minor := range sums {
		want := money.New(minor, cur).String() // e.g. 384691.93
		got := match(t, regexp.MustCompile(`data-total="`+string(cur)+`">([0-9,.]+)<`), page.Body)
		if strings.ReplaceAll(got, ",", "") != want {
			t.Errorf("%s total receivable shown %s, ledger sums %s", cur, got, want)
		}
	}

	for _, s := range []string{
		"Figures as of <strong>" + fmt.Sprintf("%d %s %d", asOf.Day, asOf.Month.String()[:3], asOf.Year),
		`<svg class="stack"`, `<svg class="columns"`, `<svg class="spark"`, // the three kinds of chart
		`role="img" aria-label="Aging of USD receivables, total USD`,
		"DSO", "Best DSO", "ADD", "CEI",
		"Payment plans", "Today’s work", "Cash forecast",
		`data-queue="tier1"`, `data-queue="tier2"`, `data-queue="legal"`,
	} {
		if !strings.Contains(page.Body, s) {
			t.Errorf("dashboard lacks %q", s)
		}
	}
	// The demo's three plans are active and in good standing.
	if !regexp.MustCompile(`<dt>Active</dt><dd>3</dd>`).MatchString(page.Body) {
		t.Errorf("dashboard does not show 3 active plans")
	}

	t.Run("as of another date, by htmx", func(t *testing.T) {
		r := b.get("/?as_of=2026-05-01", "HX-Request", "true", "HX-Target", "dashboard")
		wantStatus(t, r, 200)
		if strings.Contains(r.Body, "<html") || !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="dashboard"`) {
			t.Errorf("htmx answer is not the dashboard's body alone:\n%.300s", r.Body)
		}
		if !strings.Contains(r.Body, "1 May 2026</strong> — not today") {
			t.Errorf("htmx answer is not as of 1 May 2026")
		}
		r = b.get("/?as_of=2026-02-30")
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, "is not a date") {
			t.Errorf("a bad date is not explained")
		}
	})
}

// BenchmarkDashboard renders the dashboard over the demo organisation (40
// customers, ~1,200 invoices, ~940 payments, 3 plans, 3 promises): the
// service's figures and the page, through the whole handler.
func BenchmarkDashboard(b *testing.B) {
	svc := fixture(b)
	ui := web.New(svc, quiet)
	h := ui.Handler()
	secret, err := svc.SignIn(context.Background(), adminEmail, adminPassword)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
