package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"settle/internal/collect"
	"settle/internal/httpapi"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// The settings pages write (policies, users, tokens, webhooks), so their
// tests run on a store of their own: two admins, an agent and a viewer.

type settingsEnv struct {
	svc *service.Service
	srv *httptest.Server
}

func newSettingsEnv(t *testing.T) *settingsEnv {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "settings.db"), testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, u := range []service.UserInput{
		{Email: adminEmail, Name: "Ada Admin", Role: service.RoleAdmin, Password: adminPassword},
		{Email: "other.admin@example.com", Name: "Otto Admin", Role: service.RoleAdmin, Password: adminPassword},
		{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword},
		{Email: viewerEmail, Name: "Vera Viewer", Role: service.RoleViewer, Password: agentPassword},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	ui := web.New(svc, quiet)
	ui.Fallback = httpapi.New(svc, quiet).Handler()
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(srv.Close)
	return &settingsEnv{svc: svc, srv: srv}
}

func (e *settingsEnv) browser(t *testing.T, email, password string) *browser {
	t.Helper()
	b := newBrowser(t, e.srv)
	wantStatus(t, b.signIn(email, password), http.StatusSeeOther)
	return b
}

// postSettings sends a form with the session's CSRF token (read from a page).
func (b *browser) postSettings(path string, form url.Values) response {
	b.t.Helper()
	form.Set("csrf_token", match(b.t, csrfAttr, b.get("/settings").Body))
	return b.do(http.MethodPost, path, form)
}

// fieldError matches an input (by id) marked invalid and described by its
// error, and that error's text.
func settingsFieldError(t *testing.T, body, id string) string {
	t.Helper()
	input := regexp.MustCompile(`<(?:input|select)[^>]*id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	if !strings.Contains(input, `aria-invalid="true"`) || !strings.Contains(input, id+`-error`) {
		t.Errorf("input %s is not marked invalid with its error: %s", id, input)
	}
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]+)</p>`).FindStringSubmatch(body)
	if m == nil {
		t.Errorf("no error beside %s", id)
		return ""
	}
	return m[1]
}

func TestSettings_RolesAndNavigation(t *testing.T) {
	e := newSettingsEnv(t)
	admin := e.browser(t, adminEmail, adminPassword)
	agent := e.browser(t, agentEmail, agentPassword)
	viewer := e.browser(t, viewerEmail, agentPassword)

	adminOnly := []string{"/settings/users", "/settings/tokens", "/settings/webhooks"}
	page := admin.get("/settings")
	wantStatus(t, page, 200)
	for _, p := range append([]string{"/settings/policies", "/settings/templates"}, adminOnly...) {
		if !strings.Contains(page.Body, `href="`+p+`"`) {
			t.Errorf("the admin's settings lack a link to %s", p)
		}
	}
	for _, b := range []*browser{agent, viewer} {
		page := b.get("/settings")
		wantStatus(t, page, 200)
		if !strings.Contains(page.Body, `href="/settings/policies"`) || !strings.Contains(page.Body, `href="/settings/templates"`) {
			t.Errorf("policies and templates are not offered to every role")
		}
		for _, p := range adminOnly {
			if strings.Contains(page.Body, `href="`+p+`"`) {
				t.Errorf("a non-admin is offered %s", p)
			}
			r := b.get(p)
			wantStatus(t, r, http.StatusForbidden)
			if !strings.Contains(r.Body, "Only administrators") {
				t.Errorf("%s: the 403 page does not say why", p)
			}
		}
		wantStatus(t, b.get("/settings/policies"), 200)
		wantStatus(t, b.get("/settings/templates"), 200)
		wantStatus(t, b.get("/settings/policies/new"), http.StatusForbidden)
		// Writes are refused too, even with a valid CSRF token.
		for _, p := range []string{"/settings/users", "/settings/tokens", "/settings/webhooks", "/settings/policies"} {
			wantStatus(t, b.postSettings(p, url.Values{"name": {"x"}, "role": {"admin"}, "email": {"x@example.com"}, "password": {"long enough password"}}), http.StatusForbidden)
		}
	}
	if list, _, _ := e.svc.Users(testutil.Admin(context.Background()), store.Page{}); len(list) != 4 {
		t.Errorf("%d users after refused posts, want 4", len(list))
	}
	if list, _, _ := e.svc.Tokens(testutil.Admin(context.Background()), store.Page{}); len(list) != 0 {
		t.Errorf("%d tokens after refused posts, want 0", len(list))
	}

	// Every page: the CSP holds (no inline script or style).
	for _, p := range []string{"/settings", "/settings/policies", "/settings/policies/new", "/settings/templates", "/settings/templates?channel=sms", "/settings/templates?channel=letter",
		"/settings/users", "/settings/tokens", "/settings/webhooks"} {
		r := admin.get(p)
		wantStatus(t, r, 200)
		noInline(t, p, r.Body)
		if !strings.Contains(r.Body, `href="/settings" aria-current="page"`) {
			t.Errorf("%s: Settings is not the current section", p)
		}
	}
}

// goodPolicy is a complete policy form as the page posts it: the default
// limits and ladder (8 steps) and the blank row for a new step.
func goodPolicy(segment string) url.Values {
	f := url.Values{
		"segment": {segment}, "min_recovery": {"0.70"}, "min_installment": {"20.00"}, "max_term_months": {"24"},
		"down_payment_share": {"0.00"}, "max_start_days": {"30"}, "offer_valid_days": {"14"},
		"max_settlement_discount": {"0.20"}, "early_payment_discount": {"0.02"}, "plan_rate": {"0"},
		"may_waive_fees": {"1"}, "may_freeze_interest": {"1"},
		"cost_of_capital": {"0.10"}, "max_rounds": {"6"}, "concession_exponent": {"0.5"}, "concession_start": {"0"},
		"no_deal.action": {"agency"}, "no_deal.recovery": {"0.40"}, "no_deal.cost": {"0.25"}, "no_deal.delay_days": {"180"},
		"ladder.installment_reminder_days": {"3"}, "ladder.senior_balance": {"10,000"}, "ladder.senior_risk": {"0"},
	}
	steps := collect.DefaultLadder().Steps
	for i, st := range steps {
		p := fmt.Sprintf("step%d.", i)
		f.Set(p+"name", st.Name)
		f.Set(p+"offset_days", strconv.Itoa(st.Offset))
		f.Set(p+"tier", strconv.Itoa(st.Tier))
		f.Set(p+"fee", st.Fee)
		f[p+"channels"] = st.Via
		if st.KeyAccountCall {
			f.Set(p+"key_account_call", "1")
		}
	}
	n := len(steps)
	f.Set(fmt.Sprintf("step%d.new", n), "1")
	f.Set(fmt.Sprintf("step%d.tier", n), "0")
	f.Set("step_count", strconv.Itoa(n+1))
	return f
}

func TestSettings_Policy(t *testing.T) {
	e := newSettingsEnv(t)
	admin := e.browser(t, adminEmail, adminPassword)
	ctx := testutil.Admin(context.Background())
	stored := func() []service.PolicyView {
		t.Helper()
		list, _, err := e.svc.Policies(ctx, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}

	// The list shows the standard segment's built-in defaults.
	page := admin.get("/settings/policies")
	wantStatus(t, page, 200)
	if !strings.Contains(page.Body, "built-in defaults") || !strings.Contains(page.Body, `href="/settings/policies/new?segment=standard"`) {
		t.Errorf("the list does not offer the standard defaults")
	}
	// The new-policy form is filled with the defaults and has every step.
	page = admin.get("/settings/policies/new?segment=retail")
	wantStatus(t, page, 200)
	for _, want := range []string{`id="pf-segment" type="text" name="segment" value="retail"`, `name="min_installment" value="20.00"`,
		`name="ladder.senior_balance" value="10,000"`, `name="step7.name"`, `name="step8.new" value="1"`, `name="step_count" value="9"`, `<label for="pf-no_deal-recovery">`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the new-policy form lacks %q", want)
		}
	}

	t.Run("bad values, each beside its field", func(t *testing.T) {
		f := goodPolicy("retail")
		f.Set("min_installment", "1,25.00")  // misplaced comma
		f.Set("max_term_months", "twelve")   // not a number
		f.Set("min_recovery", "1.5")         // out of range
		f.Set("ladder.senior_balance", "-5") // negative
		f.Set("step0.remove", "1")           // the reminder goes …
		f.Set("step2.offset_days", "-1")     // … and overdue (now the 2nd step) falls before due today
		f["step3.channels"] = nil            // firm: no channel
		r := admin.postSettings("/settings/policies", f)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if msg := settingsFieldError(t, r.Body, "pf-min_installment"); !strings.Contains(msg, "1,250.00") {
			t.Errorf("min_installment: %q", msg)
		}
		if msg := settingsFieldError(t, r.Body, "pf-max_term_months"); !strings.Contains(msg, "whole number") {
			t.Errorf("max_term_months: %q", msg)
		}
		if msg := settingsFieldError(t, r.Body, "pf-min_recovery"); !strings.Contains(msg, "between 0 and 1") {
			t.Errorf("min_recovery: %q", msg)
		}
		settingsFieldError(t, r.Body, "pf-ladder-senior_balance")
		// The service numbers the steps it got (the removed one left out);
		// the error is shown on the row that was typed.
		if msg := settingsFieldError(t, r.Body, "step2-offset"); !strings.Contains(msg, "after the previous step") {
			t.Errorf("step 2 offset: %q", msg)
		}
		if strings.Contains(r.Body, `id="step1-offset-error"`) {
			t.Errorf("the offset error landed on the wrong row")
		}
		if !strings.Contains(r.Body, `id="step3-channels-error"`) {
			t.Errorf("no error beside step 3's channels")
		}
		// What was typed is kept.
		for _, want := range []string{`value="1,25.00"`, `value="twelve"`, `name="step0.remove" value="1" checked`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the form lost %q", want)
			}
		}
		if len(stored()) != 0 {
			t.Errorf("a refused policy was stored")
		}
	})

	var id string
	t.Run("good values", func(t *testing.T) {
		f := goodPolicy("retail")
		f.Set("min_installment", "1,250.00")
		f.Set("max_term_months", "18")
		f.Set("ladder.senior_balance", "25,000")
		f.Set("step2.offset_days", "5")
		f.Del("may_freeze_interest")
		f.Set("approve_before_sending", "1")
		r := admin.postSettings("/settings/policies", f)
		wantStatus(t, r, http.StatusSeeOther)
		list := stored()
		if len(list) != 1 {
			t.Fatalf("%d policies stored", len(list))
		}
		p := list[0]
		id = p.ID
		if loc := r.Header.Get("Location"); loc != "/settings/policies/"+id+"?saved=1" {
			t.Errorf("→ %s", loc)
		}
		if p.Segment != "retail" || p.MinInstallment != "1250.00" || p.MaxTermMonths != 18 || p.MayFreezeInterest || !p.MayWaiveFees {
			t.Errorf("stored %+v", p.Policy)
		}
		if !p.ApproveBeforeSending {
			t.Errorf("approve before sending was not stored")
		}
		want := collect.DefaultLadder()
		want.Steps[2].Offset = 5
		for i := range want.Steps { // the form lists channels in one order
			slices.SortFunc(want.Steps[i].Via, func(a, b string) int {
				order := []string{"email", "sms", "letter", "call", "review"}
				return slices.Index(order, a) - slices.Index(order, b)
			})
		}
		want.SeniorBalance = 25000
		if fmt.Sprint(p.Ladder) != fmt.Sprint(want) {
			t.Errorf("ladder\n got %v\nwant %v", p.Ladder, want)
		}
		page := admin.get(r.Header.Get("Location"))
		if !strings.Contains(page.Body, "Policy saved") || !strings.Contains(page.Body, `name="min_installment" value="1,250.00"`) ||
			!strings.Contains(page.Body, `name="approve_before_sending" value="1" checked`) {
			t.Errorf("the saved policy is not shown as saved")
		}
	})

	t.Run("update: remove a step, add one", func(t *testing.T) {
		f := goodPolicy("retail")
		f.Set("step7.remove", "1") // review
		f.Set("step8.name", "review")
		f.Set("step8.offset_days", "90")
		f.Set("step8.tier", "3")
		f["step8.channels"] = []string{"review"}
		r := admin.postSettings("/settings/policies/"+id, f)
		wantStatus(t, r, http.StatusSeeOther)
		v, err := e.svc.Policy(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		last := v.Ladder.Steps[len(v.Ladder.Steps)-1]
		if v.Version != 2 || len(v.Ladder.Steps) != 8 || last.Name != "review" || last.Offset != 90 || last.Tier != 3 {
			t.Errorf("version %d, ladder %+v", v.Version, v.Ladder.Steps)
		}
	})

	t.Run("a segment taken", func(t *testing.T) {
		r := admin.postSettings("/settings/policies", goodPolicy("retail"))
		wantStatus(t, r, http.StatusConflict)
		if msg := settingsFieldError(t, r.Body, "pf-segment"); !strings.Contains(msg, "exists already") {
			t.Errorf("segment: %q", msg)
		}
	})

	t.Run("read-only for agents", func(t *testing.T) {
		agent := e.browser(t, agentEmail, agentPassword)
		page := agent.get("/settings/policies/" + id)
		wantStatus(t, page, 200)
		if !strings.Contains(page.Body, `<fieldset class="plain" disabled>`) || strings.Contains(page.Body, "Save policy") {
			t.Errorf("an agent gets an editable policy")
		}
		wantStatus(t, agent.postSettings("/settings/policies/"+id, goodPolicy("retail")), http.StatusForbidden)
	})

	t.Run("CSRF", func(t *testing.T) {
		f := goodPolicy("other")
		r := admin.do(http.MethodPost, "/settings/policies", f) // no token
		wantStatus(t, r, http.StatusForbidden)
		f.Set("csrf_token", strings.Repeat("A", 43))
		wantStatus(t, admin.do(http.MethodPost, "/settings/policies", f), http.StatusForbidden)
		if len(stored()) != 1 {
			t.Errorf("a policy was stored without a CSRF token")
		}
	})
}

func TestParseMajorThroughTheForm(t *testing.T) {
	e := newSettingsEnv(t)
	admin := e.browser(t, adminEmail, adminPassword)
	for i, tc := range []struct{ typed, stored string }{
		{"1,250.00", "1250.00"}, {"1250", "1250"}, {"0.5", "0.5"}, {"12,345,678.125", "12345678.125"}, {" 20.00 ", "20.00"},
		{"1,2500.00", ""}, {"1.250,00", ""}, {"-5", ""}, {"20.0001", ""}, {"", ""}, {"1e3", ""}, {",250", ""},
	} {
		f := goodPolicy(fmt.Sprintf("seg%d", i))
		f.Set("min_installment", tc.typed)
		r := admin.postSettings("/settings/policies", f)
		if tc.stored == "" {
			wantStatus(t, r, http.StatusUnprocessableEntity)
			settingsFieldError(t, r.Body, "pf-min_installment")
			continue
		}
		wantStatus(t, r, http.StatusSeeOther)
		v, err := e.svc.Policy(testutil.Admin(context.Background()), fmt.Sprintf("seg%d", i))
		if err != nil || v.MinInstallment != tc.stored {
			t.Errorf("%q stored as %q (%v), want %q", tc.typed, v.MinInstallment, err, tc.stored)
		}
	}
	// Beyond the amount limit (docs/ledger.md, "Limits"), and beyond int64:
	// refused beside the field as too large, not as "not an amount".
	for i, typed := range []string{"10,000,000,000,000.00", "99999999999999999999"} {
		f := goodPolicy(fmt.Sprintf("big%d", i))
		f.Set("min_installment", typed)
		r := admin.postSettings("/settings/policies", f)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		settingsFieldError(t, r.Body, "pf-min_installment")
		if !strings.Contains(r.Body, "too large") {
			t.Errorf("min_installment %q: the error does not say it is too large", typed)
		}
	}
}

func TestSettings_Templates(t *testing.T) {
	e := newSettingsEnv(t)
	viewer := e.browser(t, viewerEmail, agentPassword)

	// Every step × tone × language × channel renders.
	for _, step := range notify.Steps {
		for _, tone := range []string{"direct", "indirect"} {
			for _, locale := range []string{"en", "de", "fr"} {
				for _, channel := range []string{"email", "sms", "letter"} {
					q := url.Values{"step": {step}, "tone": {tone}, "locale": {locale}, "channel": {channel}}.Encode()
					r := viewer.get("/settings/templates?" + q)
					if r.StatusCode != 200 || !strings.Contains(r.Body, `<pre class="message-text`) {
						t.Errorf("%s: status %d", q, r.StatusCode)
					}
				}
			}
		}
	}

	q := "step=demand&tone=indirect&locale=de&channel=email"
	page := viewer.get("/settings/templates?" + q)
	for _, want := range []string{`<option value="de" selected>`, `<iframe class="message-html" sandbox src="/settings/templates/email?channel=email&amp;locale=de&amp;step=demand&amp;tone=indirect"`,
		"Müller &amp; Söhne GmbH", `class="message-subject"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the German demand preview lacks %q", want)
		}
	}
	noInline(t, "/settings/templates", page.Body)

	// The HTML part: its own strict CSP, framable only here.
	r := viewer.get("/settings/templates/email?" + q)
	wantStatus(t, r, 200)
	if csp := r.Header.Get("Content-Security-Policy"); csp != web.EmailFrameCSP || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
		t.Errorf("email frame CSP %q", csp)
	}
	if r.Header.Get("X-Frame-Options") != "SAMEORIGIN" || !strings.Contains(r.Body, "<html lang=\"de\"") || strings.Contains(r.Body, "<script") {
		t.Errorf("email frame: %v\n%.200s", r.Header, r.Body)
	}
	// The letter: a PDF.
	r = viewer.get("/settings/templates/letter.pdf?step=final_notice&tone=direct&locale=fr")
	wantStatus(t, r, 200)
	if r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Errorf("letter: %s %.10q", r.Header.Get("Content-Type"), r.Body)
	}
	// SMS: the length is said.
	r = viewer.get("/settings/templates?step=due_today&tone=direct&locale=fr&channel=sms")
	if !regexp.MustCompile(`<p class="hint">\d+ characters\.</p>`).MatchString(r.Body) {
		t.Errorf("the SMS preview does not count its characters")
	}
	// htmx: the preview alone.
	r = viewer.get("/settings/templates?step=firm&tone=direct&locale=en&channel=email", "HX-Request", "true", "HX-Target", "preview")
	wantStatus(t, r, 200)
	if !strings.HasPrefix(strings.TrimSpace(r.Body), `<section id="preview"`) || strings.Contains(r.Body, "<html") {
		t.Errorf("htmx answer is not the preview alone:\n%.200s", r.Body)
	}
	// A made-up selection: 422, the error beside the field.
	r = viewer.get("/settings/templates?step=shout&tone=direct&locale=xx&channel=email")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	settingsFieldError(t, r.Body, "tp-step")
	settingsFieldError(t, r.Body, "tp-locale")
	wantStatus(t, viewer.get("/settings/templates/email?step=shout"), http.StatusUnprocessableEntity)
}

func TestSettings_Users(t *testing.T) {
	e := newSettingsEnv(t)
	admin := e.browser(t, adminEmail, adminPassword)
	ctx := testutil.Admin(context.Background())
	ada, _, _ := e.svc.Users(ctx, store.Page{})
	self := ada[0]

	t.Run("create: bad", func(t *testing.T) {
		r := admin.postSettings("/settings/users", url.Values{"email": {"not an email"}, "name": {"Nina"}, "role": {"agent"}, "password": {"short"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		settingsFieldError(t, r.Body, "nu-email")
		if msg := settingsFieldError(t, r.Body, "nu-password"); !strings.Contains(msg, "at least 12 characters") {
			t.Errorf("password: %q", msg)
		}
		if strings.Contains(r.Body, `value="short"`) {
			t.Errorf("the password is sent back in the form")
		}
		if !strings.Contains(r.Body, `value="Nina"`) {
			t.Errorf("the name typed is lost")
		}
		r = admin.postSettings("/settings/users", url.Values{"email": {agentEmail}, "role": {"agent"}, "password": {"long enough password"}})
		wantStatus(t, r, http.StatusConflict)
		if msg := settingsFieldError(t, r.Body, "nu-email"); !strings.Contains(msg, "taken") {
			t.Errorf("email taken: %q", msg)
		}
	})

	t.Run("create: good, then sign in", func(t *testing.T) {
		r := admin.postSettings("/settings/users", url.Values{"email": {"Nina@Example.com"}, "name": {"Nina New"}, "role": {"viewer"}, "password": {"a brand new passphrase"}})
		wantStatus(t, r, http.StatusSeeOther)
		page := admin.get(r.Header.Get("Location"))
		if !strings.Contains(page.Body, "User added") || !strings.Contains(page.Body, "nina@example.com") {
			t.Errorf("the new user is not listed")
		}
		e.browser(t, "nina@example.com", "a brand new passphrase")
	})

	t.Run("not oneself", func(t *testing.T) {
		r := admin.postSettings("/settings/users/"+self.ID, url.Values{"action": {"role"}, "role": {"agent"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if msg := settingsFieldError(t, r.Body, "role-"+self.ID); !strings.Contains(msg, "your own admin role") {
			t.Errorf("self-demotion: %q", msg)
		}
		r = admin.postSettings("/settings/users/"+self.ID, url.Values{"action": {"disable"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, `id="dis-`+self.ID+`-error">You cannot disable yourself`) {
			t.Errorf("self-disabling is not refused beside the button")
		}
		if u, _, _ := e.svc.Users(ctx, store.Page{}); u[0].Role != "admin" || u[0].Disabled {
			t.Errorf("stored %+v", u[0])
		}
	})

	t.Run("change another's role, disable and enable", func(t *testing.T) {
		users, _, _ := e.svc.Users(ctx, store.Page{})
		agent := users[2]
		if agent.Email != agentEmail {
			t.Fatalf("users %v", users)
		}
		wantStatus(t, admin.postSettings("/settings/users/"+agent.ID, url.Values{"action": {"role"}, "role": {"viewer"}}), http.StatusSeeOther)
		wantStatus(t, admin.postSettings("/settings/users/"+agent.ID, url.Values{"action": {"disable"}}), http.StatusSeeOther)
		b := newBrowser(t, e.srv)
		wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusUnprocessableEntity) // disabled
		wantStatus(t, admin.postSettings("/settings/users/"+agent.ID, url.Values{"action": {"enable"}}), http.StatusSeeOther)
		wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
		page := b.get("/")
		if !strings.Contains(page.Body, "Viewer") {
			t.Errorf("the new role is not the session's")
		}
		r := admin.postSettings("/settings/users/"+agent.ID, url.Values{"action": {"role"}, "role": {"root"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		settingsFieldError(t, r.Body, "role-"+agent.ID)
	})

	t.Run("CSRF", func(t *testing.T) {
		r := admin.do(http.MethodPost, "/settings/users", url.Values{"email": {"csrf@example.com"}, "role": {"admin"}, "password": {"long enough password"}})
		wantStatus(t, r, http.StatusForbidden)
		r = admin.do(http.MethodPost, "/settings/users", url.Values{"csrf_token": {"x"}, "email": {"csrf@example.com"}, "role": {"admin"}, "password": {"long enough password"}},
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		wantStatus(t, r, http.StatusForbidden)
		if _, _, err := e.svc.Users(ctx, store.Page{}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(admin.get("/settings/users").Body, "csrf@example.com") {
			t.Errorf("a user was added without the CSRF token")
		}
	})
}

var tokenSecret = regexp.MustCompile(`id="secret" class="secret" type="text" value="(stl_[a-z2-7]{32})"`)

func TestSettings_Tokens(t *testing.T) {
	e := newSettingsEnv(t)
	admin := e.browser(t, adminEmail, adminPassword)
	api := newBrowser(t, e.srv)

	r := admin.postSettings("/settings/tokens", url.Values{"name": {"  "}, "role": {"viewer"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	settingsFieldError(t, r.Body, "nt-name")
	r = admin.postSettings("/settings/tokens", url.Values{"name": {"ERP"}, "role": {"owner"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	settingsFieldError(t, r.Body, "nt-role")

	r = admin.postSettings("/settings/tokens", url.Values{"name": {"ERP export"}, "role": {"viewer"}})
	wantStatus(t, r, http.StatusCreated)
	secret := match(t, tokenSecret, r.Body)
	if !strings.Contains(r.Body, "shown only this once") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the secret page does not warn, or may be cached")
	}
	wantStatus(t, api.get("/v1/customers?limit=1", "Authorization", "Bearer "+secret), 200)

	// Never shown again.
	list := admin.get("/settings/tokens")
	if strings.Contains(list.Body, secret) || strings.Contains(list.Body, service.HashToken(secret)) {
		t.Errorf("the tokens page shows the secret or its hash")
	}
	id := match(t, regexp.MustCompile(`<tr id="token-(tok_[^"]+)">\s*<th scope="row">ERP export</th>`), list.Body)

	// Revoke: asked first, then done; the token stops working.
	confirm := admin.get("/settings/tokens/" + id + "/revoke")
	wantStatus(t, confirm, 200)
	if !strings.Contains(confirm.Body, `Revoke the token “ERP export”?`) || !strings.Contains(confirm.Body, `action="/settings/tokens/`+id+`/revoke"`) {
		t.Errorf("no confirmation:\n%s", confirm.Body)
	}
	wantStatus(t, admin.do(http.MethodPost, "/settings/tokens/"+id+"/revoke", url.Values{}), http.StatusForbidden) // no CSRF token
	wantStatus(t, api.get("/v1/customers?limit=1", "Authorization", "Bearer "+secret), 200)
	r = admin.postSettings("/settings/tokens/"+id+"/revoke", url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, api.get("/v1/customers?limit=1", "Authorization", "Bearer "+secret), http.StatusUnauthorized)
	list = admin.get(r.Header.Get("Location"))
	if !strings.Contains(list.Body, "Token revoked") || !strings.Contains(list.Body, `<span class="status-off">Revoked `) || strings.Contains(list.Body, "/settings/tokens/"+id+"/revoke") {
		t.Errorf("the revoked token is not shown as revoked")
	}
	wantStatus(t, admin.get("/settings/tokens/tok_nonesuch/revoke"), http.StatusNotFound)
	wantStatus(t, admin.postSettings("/settings/tokens/tok_nonesuch/revoke", url.Values{}), http.StatusNotFound)
}

func TestSettings_Webhooks(t *testing.T) {
	e := newSettingsEnv(t)
	admin := e.browser(t, adminEmail, adminPassword)
	ctx := testutil.Admin(context.Background())

	r := admin.postSettings("/settings/webhooks", url.Values{"url": {"ftp://hooks.example.com/x"}, "active": {"1"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	settingsFieldError(t, r.Body, "wh-url")
	if !strings.Contains(r.Body, `id="wh-events-error"`) {
		t.Errorf("no error beside the events")
	}

	// A receiver that refuses every delivery.
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer hook.Close()
	r = admin.postSettings("/settings/webhooks", url.Values{"url": {hook.URL + "/settle"}, "events": {"invoice.overdue", "plan.accepted"}, "active": {"1"}})
	wantStatus(t, r, http.StatusCreated)
	secret := match(t, regexp.MustCompile(`id="secret" class="secret" type="text" value="(whsec_[0-9a-f]{48})"`), r.Body)
	hooks, _, _ := e.svc.Webhooks(ctx, store.Page{})
	if len(hooks) != 1 || hooks[0].Secret != secret || !hooks[0].Active || len(hooks[0].Events) != 2 {
		t.Fatalf("stored %+v", hooks)
	}
	id := hooks[0].ID
	if list := admin.get("/settings/webhooks"); strings.Contains(list.Body, secret) || !strings.Contains(list.Body, "invoice.overdue, plan.accepted") {
		t.Errorf("the list shows the secret, or not the events")
	}

	// An overdue invoice: the run queues an event; one failed attempt.
	if _, err := e.svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "W-1", Name: "Wanda Walker", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateInvoice(ctx, service.InvoiceInput{Number: "W-1-1", CustomerID: "W-1", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "120.00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.StartRun(ctx, service.RunInput{AsOf: "2026-05-15"}); err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.DeliverWebhooks(ctx, hook.Client(), "test", 10)
	if err != nil || rep.Retried != 1 || calls.Load() != 1 {
		t.Fatalf("deliver: %+v, %v, %d calls", rep, err, calls.Load())
	}
	page := admin.get("/settings/webhooks/" + id)
	wantStatus(t, page, 200)
	row := regexp.MustCompile(`(?s)<th scope="row">invoice.overdue</th>.*?</tr>`).FindString(page.Body)
	for _, want := range []string{`>pending<`, `<td class="num">1</td>`, `<td class="num">503</td>`, "Next attempt", "503 Service Unavailable"} {
		if !strings.Contains(row, want) {
			t.Errorf("the delivery row lacks %q:\n%s", want, row)
		}
	}

	// Disable and enable: the URL and events stay.
	wantStatus(t, admin.postSettings("/settings/webhooks/"+id, url.Values{"action": {"disable"}}), http.StatusSeeOther)
	hooks, _, _ = e.svc.Webhooks(ctx, store.Page{})
	if hooks[0].Active || hooks[0].URL != hook.URL+"/settle" || len(hooks[0].Events) != 2 {
		t.Errorf("after disabling: %+v", hooks[0])
	}
	if !strings.Contains(admin.get("/settings/webhooks").Body, `<span class="status-off">Disabled</span>`) {
		t.Errorf("not shown as disabled")
	}
	wantStatus(t, admin.postSettings("/settings/webhooks/"+id, url.Values{"action": {"enable"}}), http.StatusSeeOther)
	if hooks, _, _ = e.svc.Webhooks(ctx, store.Page{}); !hooks[0].Active {
		t.Errorf("not enabled again")
	}
	wantStatus(t, admin.do(http.MethodPost, "/settings/webhooks/"+id, url.Values{"action": {"disable"}}), http.StatusForbidden) // no CSRF token
	if hooks, _, _ = e.svc.Webhooks(ctx, store.Page{}); !hooks[0].Active {
		t.Errorf("disabled without a CSRF token")
	}
	wantStatus(t, admin.get("/settings/webhooks/whk_nonesuch"), http.StatusNotFound)
}

// ---- render benchmarks on the demo organisation ---------------------------------------

func benchmarkPage(b *testing.B, path string) {
	svc := fixture(b)
	h := web.New(svc, quiet).Handler()
	secret, err := svc.SignIn(context.Background(), adminEmail, adminPassword)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%s: status %d", path, w.Code)
		}
	}
}

func BenchmarkSettingsHub(b *testing.B)      { benchmarkPage(b, "/settings") }
func BenchmarkSettingsPolicies(b *testing.B) { benchmarkPage(b, "/settings/policies") }

// BenchmarkSettingsPolicy: the key-account policy's form (the demo stores it).
func BenchmarkSettingsPolicy(b *testing.B) {
	svc := fixture(b)
	v, err := svc.Policy(testutil.Admin(context.Background()), "key_account")
	if err != nil || v.Default {
		b.Fatalf("key_account policy: %+v, %v", v, err)
	}
	benchmarkPage(b, "/settings/policies/"+v.ID)
}

func BenchmarkSettingsTemplatesEmail(b *testing.B) {
	benchmarkPage(b, "/settings/templates?step=demand&tone=direct&locale=de&channel=email")
}
func BenchmarkSettingsTemplatesLetterPDF(b *testing.B) {
	benchmarkPage(b, "/settings/templates/letter.pdf?step=final_notice&tone=direct&locale=en")
}
func BenchmarkSettingsUsers(b *testing.B)    { benchmarkPage(b, "/settings/users") }
func BenchmarkSettingsTokens(b *testing.B)   { benchmarkPage(b, "/settings/tokens") }
func BenchmarkSettingsWebhooks(b *testing.B) { benchmarkPage(b, "/settings/webhooks") }

// BenchmarkSettingsWebhook: a subscription's deliveries (the 50 most recent)
// after today's run.
func BenchmarkSettingsWebhook(b *testing.B) {
	svc := fixture(b)
	ctx := testutil.Admin(context.Background())
	w, err := svc.CreateWebhook(ctx, service.WebhookInput{URL: "https://hooks.example.com/settle", Events: service.WebhookEvents})
	if err != nil {
		b.Fatal(err)
	}
	// Today's run (unless BenchmarkWorklist ran it already) queues its events.
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: asOf.String()}); err != nil {
		b.Fatal(err)
	}
	list, _, err := svc.WebhookDeliveries(ctx, w.ID, store.Page{Limit: 50})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d deliveries shown", len(list))
	benchmarkPage(b, "/settings/webhooks/"+w.ID)
}

func BenchmarkSettingsRevokeToken(b *testing.B) {
	_, tok, err := fixture(b).CreateToken(testutil.Admin(context.Background()), service.RoleViewer, "bench")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkPage(b, "/settings/tokens/"+tok.ID+"/revoke")
}
