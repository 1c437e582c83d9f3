package httpapi_test

// The authorisation matrix (issue 8): every API route × every kind of
// caller, with the exact status each must get, and proof that a refused
// request writes nothing. The table must name every route the server
// has: a route added without a row fails TestAPI_AuthzMatrix.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// The callers. The first three are valid API tokens of each role.
const (
	pAdmin     = "admin"
	pAgent     = "agent"
	pViewer    = "viewer"
	pNone      = "no token"
	pMalformed = "malformed token"
	pRevoked   = "revoked token"
	pExpired   = "expired token"
	pPortal    = "portal link token"
	pSession   = "web session cookie"
)

var principals = []string{pAdmin, pAgent, pViewer, pNone, pMalformed, pRevoked, pExpired, pPortal, pSession}

// authzClock moves: the fixture is made at t0, the servers run two hours
// later (so the one-hour token has expired).
type authzClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *authzClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// authzFixture is a database with one of everything a route acts on, and
// the credentials of every caller.
type authzFixture struct {
	path  string            // the SQLite file, closed: copied for each write
	creds map[string]string // principal → bearer token or session cookie
	clock *authzClock
	// Ids the requests use.
	customer, customer2, invoice, payment, plan, proposedPlan, negotiation, policy string
	run, message, attachment, task, bankLine, bankLine2, webhook                   string
	email                                                                          string // a queued email (the outbox rows)
}

// authzServer is the UI with the API behind it, as settle serve runs them
// (so a session cookie reaches the API exactly as in production).
type authzServer struct {
	srv *httptest.Server
	st  store.Store
}

func startAuthz(t *testing.T, path string, clock *authzClock) *authzServer {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(st, clock.Now)
	ui := web.New(svc, quietLog)
	ui.Fallback = httpapi.New(svc, quietLog).Handler()
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &authzServer{srv: srv, st: st}
}

func (a *authzServer) do(t *testing.T, principal string, creds map[string]string, method, path, body, ctype string) resp {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", ctype)
	}
	switch principal {
	case pNone:
	case pSession:
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: creds[pSession]})
	default:
		req.Header.Set("Authorization", "Bearer "+creds[principal])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if msg := securityHeaderProblem(res.Header); msg != "" {
		t.Errorf("%s %s as %s: %s", method, path, principal, msg)
	}
	return resp{res.StatusCode, res.Header, b}
}

// securityHeaderProblem says what is wrong with a response's security
// headers, or "": a CSP whose script sources (script-src, else
// default-src) allow no inline or eval'd script and that forbids framing,
// nosniff, and a Referrer-Policy.
func securityHeaderProblem(h http.Header) string {
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		return "no Content-Security-Policy"
	}
	dirs := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), " ")
		dirs[name] = val
	}
	script, ok := dirs["script-src"]
	if !ok {
		script, ok = dirs["default-src"]
	}
	if !ok || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") {
		return fmt.Sprintf("CSP %q lets inline or eval'd script run (or sets no script source)", csp)
	}
	if dirs["frame-ancestors"] != "'none'" {
		return fmt.Sprintf("CSP %q does not forbid framing", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		return "no X-Content-Type-Options: nosniff"
	}
	if h.Get("Referrer-Policy") == "" {
		return "no Referrer-Policy"
	}
	return ""
}

func mustOK(t *testing.T, r resp, status int, what string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("fixture: %s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
	var m map[string]any
	r.decode(t, &m)
	return m
}

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f := &authzFixture{path: filepath.Join(t.TempDir(), "base.db"), clock: &authzClock{now: t0}, creds: map[string]string{}}
	st, err := sqlite.Open(context.Background(), f.path, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(st, f.clock.Now)
	admin := service.WithActor(context.Background(), service.Actor{ID: "test:admin", Role: service.RoleAdmin})
	for _, role := range []string{pAdmin, pAgent, pViewer} {
		secret, _, err := svc.CreateToken(admin, role, role)
		if err != nil {
			t.Fatal(err)
		}
		f.creds[role] = secret
	}
	revoked, tok, err := svc.CreateToken(admin, service.RoleAdmin, "revoked")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevokeToken(admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	f.creds[pRevoked] = revoked
	expired, _, err := svc.CreateTokenFor(admin, service.RoleAdmin, "expires", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.creds[pExpired] = expired
	f.creds[pMalformed] = "stl_" + strings.Repeat("z", 32) + "!"
	if _, err := svc.CreateUser(admin, service.UserInput{Email: "ada@example.com", Name: "Ada", Role: service.RoleAdmin, Password: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	if f.creds[pSession], err = svc.SignIn(context.Background(), "ada@example.com", "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}

	// The data, through the API as an admin.
	a := &authzServer{srv: httptest.NewServer(httpapi.New(svc, quietLog).Handler()), st: st}
	do := func(method, path, body string) resp {
		ctype := "application/json"
		if strings.HasPrefix(path, "/v1/imports/") {
			ctype = "text/csv"
		}
		return a.do(t, pAdmin, f.creds, method, path, body, ctype)
	}
	mustOK(t, do("POST", "/v1/imports/customers", "external_ref,name,email,kind,jurisdiction,time_zone,address_line1,postal_code,city,country\nC-1,Late Ltd,ap@late.example,business,GB,Europe/London,1 Late Lane,LS1 1AA,Leeds,GB\nC-2,Second Ltd,ap@second.example,business,GB,Europe/London,,,,\nC-3,Third Ltd,,business,GB,Europe/London,,,,\nC-4,Fourth Ltd,,business,GB,Europe/London,,,,\n"), 200, "customers")
	mustOK(t, do("POST", "/v1/imports/invoices", "number,customer_ref,issue_date,due_date,currency,amount\nI-1,C-1,2026-04-01,2026-05-02,GBP,640.00\nI-2,C-2,2026-04-01,2026-05-01,GBP,60.00\nI-3,C-3,2026-03-01,2026-04-01,GBP,900.00\nI-4,C-4,2026-03-01,2026-04-01,GBP,300.00\nI-5,C-1,2026-04-10,2026-05-10,GBP,200.00\n"), 200, "invoices")
	f.customer, f.customer2 = mustOK(t, do("GET", "/v1/customers/C-1", ""), 200, "customer")["id"].(string), "C-2"
	f.invoice = mustOK(t, do("GET", "/v1/invoices/I-1", ""), 200, "invoice")["id"].(string)
	f.payment = mustOK(t, do("POST", "/v1/payments", `{"customer_id":"C-2","received_on":"2026-05-20","currency":"GBP","amount":"10.00","reference":"R1"}`), 201, "payment")["id"].(string)
	p := mustOK(t, do("POST", "/v1/plans", `{"customer_id":"C-1","invoice_ids":["I-5"],"installments":2,"frequency":"monthly","start_date":"2026-06-15"}`), 201, "plan")
	f.plan = p["id"].(string)
	mustOK(t, do("POST", "/v1/plans/"+f.plan+"/accept", `{"accepted_by":"Pat","channel":"phone"}`), 200, "accept plan")
	f.proposedPlan = mustOK(t, do("POST", "/v1/plans", `{"customer_id":"C-4","invoice_ids":["I-4"],"installments":3,"frequency":"monthly","start_date":"2026-06-15"}`), 201, "proposed plan")["id"].(string)
	f.negotiation = mustOK(t, do("POST", "/v1/negotiations", `{"customer_id":"C-3"}`), 201, "negotiation")["id"].(string)
	f.policy = mustOK(t, do("POST", "/v1/policies", `{"segment":"retail"}`), 201, "policy")["id"].(string)
	wh := mustOK(t, do("POST", "/v1/webhooks", `{"url":"https://hooks.example/x","events":["plan.accepted"]}`), 201, "webhook")
	f.webhook = wh["id"].(string)
	// The signing secret is shown once, at creation: never listed again.
	if secret, _ := wh["secret"].(string); secret == "" || strings.Contains(string(do("GET", "/v1/webhooks", "").Body), secret) {
		t.Errorf("the webhook secret %q is not shown at creation, or is listed again", secret)
	}
	mustOK(t, do("PUT", "/v1/customers/C-1/budget", `{"currency":"GBP","income":[{"category":"revenue","monthly":"2500.00"}],"expenses":[],"debts":[]}`), 200, "budget")
	mustOK(t, do("POST", "/v1/promises", `{"customer_id":"C-2","currency":"GBP","amount":"20.00","promised_on":"2026-05-30","due_date":"2026-06-15","channel":"call"}`), 201, "promise")
	mustOK(t, do("POST", "/v1/customers/C-2/interactions", `{"kind":"note","summary":"spoke to AP"}`), 201, "interaction")
	// The daily runs before: a collection case steps on from the step it
	// took, so C-1's demand letter of 06-01 follows the runs of May.
	for d := 3; d <= 31; d++ {
		mustOK(t, do("POST", "/v1/runs", fmt.Sprintf(`{"as_of":"2026-05-%02d"}`, d)), 200, "run")
	}
	f.run = mustOK(t, do("POST", "/v1/runs", `{"as_of":"2026-06-01"}`), 200, "run")["id"].(string)
	var msgs struct {
		Data []struct {
			ID, Channel, Status string
			Attachments         []struct{ Name string }
		}
	}
	do("GET", "/v1/messages?customer_id=C-1", "").decode(t, &msgs)
	for _, m := range msgs.Data {
		if len(m.Attachments) > 0 {
			f.message, f.attachment = m.ID, m.Attachments[0].Name
		}
		if m.Channel == "email" && m.Status == "queued" {
			f.email = m.ID
		}
	}
	if f.email == "" {
		t.Fatalf("fixture: the run queued no email for C-1")
	}
	mustOK(t, do("PUT", "/v1/customers/C-3/pause", `{"until":"2026-07-01","reason":"on holiday"}`), 200, "pause")
	var tasks struct{ Data []struct{ ID string } }
	do("GET", "/v1/tasks", "").decode(t, &tasks)
	if f.message == "" || len(tasks.Data) == 0 {
		t.Fatalf("fixture: the run made no letter with an attachment (%d messages) or no task (%d)", len(msgs.Data), len(tasks.Data))
	}
	f.task = tasks.Data[0].ID
	mustOK(t, do("POST", "/v1/imports/bank-statement", "date,amount,currency,reference,bank_id\n2026-05-28,12.00,GBP,who knows,T1\n2026-05-29,13.00,GBP,no idea,T2\n"), 200, "bank statement")
	var lines struct{ Data []struct{ ID string } }
	do("GET", "/v1/bank-lines?status=review", "").decode(t, &lines)
	if len(lines.Data) != 2 {
		t.Fatalf("fixture: %d bank lines in review, want 2", len(lines.Data))
	}
	f.bankLine, f.bankLine2 = lines.Data[0].ID, lines.Data[1].ID
	link, err := svc.CreatePortalLink(admin, "C-2", 0, "http://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	f.creds[pPortal] = link.URL[strings.LastIndex(link.URL, "/")+1:]
	if f.creds[pPortal] == "" || strings.HasPrefix(f.creds[pPortal], "stl_") {
		t.Fatalf("portal link %q", link.URL)
	}
	a.srv.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	f.clock.now = t0.Add(2 * time.Hour)
	return f
}

// copyDB copies the fixture database for a request that writes.
func (f *authzFixture) copyDB(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	if _, err := sqlite.Backup(context.Background(), f.path, dst, false); err != nil {
		t.Fatal(err)
	}
	return dst
}

// authzRow is one route: who may call it and what they get.
type authzRow struct {
	method, path string // as registered (path template)
	// min is the least role that may call it: viewer, agent or admin, or
	// "public" (no token needed: everyone gets ok).
	min string
	ok  int // the status of a permitted caller
	// req builds the concrete request on the fixture's ids; ctype is the
	// body's type (JSON unless set).
	req   func(f *authzFixture) (path, body string)
	ctype string
}

func get(p func(f *authzFixture) string) func(f *authzFixture) (string, string) {
	return func(f *authzFixture) (string, string) { return p(f), "" }
}

func with(p func(f *authzFixture) string, body string) func(f *authzFixture) (string, string) {
	return func(f *authzFixture) (string, string) { return p(f), body }
}

func fixed(s string) func(*authzFixture) string { return func(*authzFixture) string { return s } }

// authzTable: roles as contract.md and docs/api.md give them — viewers
// read, agents also write, admins alone read the audit log, write
// policies and manage webhooks.
var authzTable = []authzRow{
	// Public: no token needed, the same for every caller.
	{method: "GET", path: "/healthz", min: "public", ok: 200, req: get(fixed("/healthz"))},
	{method: "GET", path: "/metrics", min: "public", ok: 200, req: get(fixed("/metrics"))},
	{method: "GET", path: "/openapi.json", min: "public", ok: 200, req: get(fixed("/openapi.json"))},
	// Stripe signs its calls; without SETTLE_STRIPE_WEBHOOK_SECRET online
	// payments are off: 404 for everyone, whatever they send.
	{method: "POST", path: "/webhooks/stripe", min: "public", ok: 404, req: with(fixed("/webhooks/stripe"), `{"id":"evt_1","type":"checkout.session.completed"}`)},

	{method: "GET", path: "/v1/audit", min: "admin", ok: 200, req: get(fixed("/v1/audit"))},

	{method: "GET", path: "/v1/customers", min: "viewer", ok: 200, req: get(fixed("/v1/customers"))},
	{method: "POST", path: "/v1/customers", min: "agent", ok: 201, req: with(fixed("/v1/customers"), `{"name":"New Ltd","external_ref":"NEW"}`)},
	{method: "GET", path: "/v1/customers/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/customers/" + f.customer })},
	{method: "PATCH", path: "/v1/customers/{id}", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/customers/" + f.customer }, `{"email":"new@late.example"}`)},
	{method: "PUT", path: "/v1/customers/{id}/credit-hold", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/credit-hold" }, `{"held":true,"reason":"final notice unanswered"}`)},
	{method: "GET", path: "/v1/settings/organisation", min: "viewer", ok: 200, req: get(fixed("/v1/settings/organisation"))},
	{method: "PUT", path: "/v1/settings/organisation", min: "admin", ok: 200, req: with(fixed("/v1/settings/organisation"), `{"legal_name":"Authz Ltd"}`)},
	{method: "GET", path: "/v1/customers/{id}/budget", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/budget" })},
	{method: "PUT", path: "/v1/customers/{id}/budget", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/budget" }, `{"currency":"GBP","income":[{"category":"revenue","monthly":"3000.00"}],"expenses":[],"debts":[]}`)},
	{method: "GET", path: "/v1/customers/{id}/interactions", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/customers/" + f.customer2 + "/interactions" })},
	{method: "POST", path: "/v1/customers/{id}/interactions", min: "agent", ok: 201, req: with(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/interactions" }, `{"kind":"note","summary":"left a voicemail"}`)},
	{method: "GET", path: "/v1/customers/{id}/opt-outs", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/opt-outs" })},
	{method: "PUT", path: "/v1/customers/{id}/opt-outs", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/opt-outs" }, `{"channel":"sms","opted_out":true,"source":"call"}`)},
	{method: "GET", path: "/v1/customers/{id}/position", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/position" })},
	{method: "POST", path: "/v1/customers/{id}/follow-ups", min: "agent", ok: 201, req: with(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/follow-ups" }, `{"note":"call back"}`)},
	{method: "POST", path: "/v1/customers/{id}/portal-link", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/customers/" + f.customer + "/portal-link" }, `{"ttl_hours":48}`)},

	{method: "GET", path: "/v1/invoices", min: "viewer", ok: 200, req: get(fixed("/v1/invoices"))},
	{method: "POST", path: "/v1/invoices", min: "agent", ok: 201, req: with(fixed("/v1/invoices"), `{"number":"I-9","customer_id":"C-2","issue_date":"2026-05-01","currency":"GBP","amount":"10.00"}`)},
	{method: "GET", path: "/v1/invoices/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/invoices/" + f.invoice })},
	{method: "PATCH", path: "/v1/invoices/{id}", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/invoices/" + f.invoice }, `{"disputed":true}`)},

	{method: "GET", path: "/v1/payments", min: "viewer", ok: 200, req: get(fixed("/v1/payments"))},
	{method: "POST", path: "/v1/payments", min: "agent", ok: 201, req: with(fixed("/v1/payments"), `{"customer_id":"C-2","received_on":"2026-05-31","currency":"GBP","amount":"5.00","reference":"R2"}`)},
	{method: "GET", path: "/v1/payments/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/payments/" + f.payment })},

	{method: "POST", path: "/v1/imports/{kind}", min: "agent", ok: 200, ctype: "text/csv", req: with(fixed("/v1/imports/customers"), "external_ref,name\nC-9,Ninth Ltd\n")},
	{method: "POST", path: "/v1/imports/bank-statement", min: "agent", ok: 200, ctype: "text/csv", req: with(fixed("/v1/imports/bank-statement"), "date,amount,currency,reference,bank_id\n2026-05-30,7.00,GBP,misc,T9\n")},
	{method: "GET", path: "/v1/bank-lines", min: "viewer", ok: 200, req: get(fixed("/v1/bank-lines"))},
	{method: "GET", path: "/v1/bank-lines/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/bank-lines/" + f.bankLine })},
	{method: "POST", path: "/v1/bank-lines/{id}/assign", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/bank-lines/" + f.bankLine + "/assign" }, `{"customer_id":"C-2"}`)},
	{method: "POST", path: "/v1/bank-lines/{id}/ignore", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/bank-lines/" + f.bankLine2 + "/ignore" }, `{"reason":"not ours"}`)},

	{method: "GET", path: "/v1/policies", min: "viewer", ok: 200, req: get(fixed("/v1/policies"))},
	{method: "POST", path: "/v1/policies", min: "admin", ok: 201, req: with(fixed("/v1/policies"), `{"segment":"wholesale"}`)},
	{method: "GET", path: "/v1/policies/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/policies/" + f.policy })},
	{method: "PUT", path: "/v1/policies/{id}", min: "admin", ok: 200, req: with(func(f *authzFixture) string { return "/v1/policies/" + f.policy }, `{"segment":"retail","max_rounds":4}`)},

	{method: "POST", path: "/v1/plans/quote", min: "viewer", ok: 200, req: with(fixed("/v1/plans/quote"), `{"balance":"1200.00","currency":"GBP","installments":6,"frequency":"monthly","start_date":"2026-07-01"}`)},
	{method: "POST", path: "/v1/plans", min: "agent", ok: 201, req: with(fixed("/v1/plans"), `{"customer_id":"C-2","invoice_ids":["I-2"],"installments":2,"frequency":"monthly","start_date":"2026-06-15"}`)},
	{method: "GET", path: "/v1/plans/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/plans/" + f.plan })},
	{method: "GET", path: "/v1/plans/{id}/agreement.pdf", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/plans/" + f.plan + "/agreement.pdf" })},
	{method: "POST", path: "/v1/plans/{id}/accept", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/plans/" + f.proposedPlan + "/accept" }, `{"accepted_by":"Pat","channel":"phone"}`)},
	{method: "POST", path: "/v1/plans/{id}/cancel", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/plans/" + f.plan + "/cancel" }, `{"reason":"paid elsewhere"}`)},
	{method: "POST", path: "/v1/plans/{id}/renegotiate", min: "agent", ok: 201, req: with(func(f *authzFixture) string { return "/v1/plans/" + f.plan + "/renegotiate" }, `{"installments":3,"start_date":"2026-07-01"}`)},

	{method: "POST", path: "/v1/negotiations", min: "agent", ok: 201, req: with(fixed("/v1/negotiations"), `{"customer_id":"C-2"}`)},
	{method: "GET", path: "/v1/negotiations/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/negotiations/" + f.negotiation })},
	{method: "POST", path: "/v1/negotiations/{id}/counteroffers", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/negotiations/" + f.negotiation + "/counteroffers" }, `{"installments":3}`)},
	{method: "POST", path: "/v1/negotiations/{id}/accept", min: "agent", ok: 201, req: with(func(f *authzFixture) string { return "/v1/negotiations/" + f.negotiation + "/accept" }, `{}`)},

	{method: "GET", path: "/v1/promises", min: "viewer", ok: 200, req: get(fixed("/v1/promises"))},
	{method: "POST", path: "/v1/promises", min: "agent", ok: 201, req: with(fixed("/v1/promises"), `{"customer_id":"C-3","currency":"GBP","amount":"50.00","promised_on":"2026-06-01","due_date":"2026-06-20","channel":"call"}`)},

	{method: "POST", path: "/v1/runs", min: "agent", ok: 200, req: with(fixed("/v1/runs"), `{"as_of":"2026-06-02"}`)},
	{method: "GET", path: "/v1/runs/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/runs/" + f.run })},
	{method: "GET", path: "/v1/tasks", min: "viewer", ok: 200, req: get(fixed("/v1/tasks"))},
	{method: "PATCH", path: "/v1/tasks/{id}", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/tasks/" + f.task }, `{"action":"claim"}`)},
	{method: "GET", path: "/v1/messages", min: "viewer", ok: 200, req: get(fixed("/v1/messages"))},
	{method: "GET", path: "/v1/messages/{id}/attachments/{name}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/messages/" + f.message + "/attachments/" + f.attachment })},
	// The outbox: viewers read, agents act. Release and approve of a
	// message that is neither held nor awaiting approval reach the
	// service and are refused there (409, 422): the role check let them by.
	{method: "GET", path: "/v1/outbox", min: "viewer", ok: 200, req: get(fixed("/v1/outbox"))},
	{method: "GET", path: "/v1/messages/{id}", min: "viewer", ok: 200, req: get(func(f *authzFixture) string { return "/v1/messages/" + f.email })},
	{method: "PATCH", path: "/v1/messages/{id}", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/messages/" + f.email }, `{"body":"Please call us about your account."}`)},
	{method: "POST", path: "/v1/messages/{id}/hold", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/messages/" + f.email + "/hold" }, ``)},
	{method: "POST", path: "/v1/messages/{id}/release", min: "agent", ok: 409, req: with(func(f *authzFixture) string { return "/v1/messages/" + f.email + "/release" }, ``)},
	{method: "POST", path: "/v1/messages/{id}/approve", min: "agent", ok: 422, req: with(func(f *authzFixture) string { return "/v1/messages/" + f.email + "/approve" }, ``)},
	{method: "POST", path: "/v1/messages/{id}/send", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/messages/" + f.email + "/send" }, ``)},
	{method: "POST", path: "/v1/messages/{id}/skip", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/messages/" + f.email + "/skip" }, `{"reason":"called instead"}`)},
	{method: "POST", path: "/v1/messages/{id}/posted", min: "agent", ok: 200, req: with(func(f *authzFixture) string { return "/v1/messages/" + f.message + "/posted" }, ``)},
	{method: "POST", path: "/v1/messages/approve", min: "agent", ok: 422, req: with(fixed("/v1/messages/approve"), `{"ids":["msg_none"]}`)},
	{method: "POST", path: "/v1/letters/posted", min: "agent", ok: 200, req: func(f *authzFixture) (string, string) {
		return "/v1/letters/posted", `{"ids":["` + f.message + `"]}`
	}},
	{method: "GET", path: "/v1/letters/print-batch", min: "agent", ok: 200, req: get(fixed("/v1/letters/print-batch?date=2026-12-31"))},
	{method: "GET", path: "/v1/customers/{id}/pause", min: "viewer", ok: 200, req: get(fixed("/v1/customers/C-3/pause"))},
	{method: "PUT", path: "/v1/customers/{id}/pause", min: "agent", ok: 200, req: with(fixed("/v1/customers/C-2/pause"), `{"until":"2026-06-20","reason":"in hospital"}`)},
	{method: "DELETE", path: "/v1/customers/{id}/pause", min: "agent", ok: 204, req: with(fixed("/v1/customers/C-3/pause"), ``)},

	{method: "GET", path: "/v1/reports/aging", min: "viewer", ok: 200, req: get(fixed("/v1/reports/aging?as_of=2026-06-01"))},
	{method: "GET", path: "/v1/reports/kpis", min: "viewer", ok: 200, req: get(fixed("/v1/reports/kpis?from=2026-01-01&to=2026-06-01&currency=GBP"))},

	{method: "GET", path: "/v1/webhooks", min: "admin", ok: 200, req: get(fixed("/v1/webhooks"))},
	{method: "POST", path: "/v1/webhooks", min: "admin", ok: 201, req: with(fixed("/v1/webhooks"), `{"url":"https://hooks.example/y","events":["plan.defaulted"]}`)},
	{method: "PUT", path: "/v1/webhooks/{id}", min: "admin", ok: 200, req: with(func(f *authzFixture) string { return "/v1/webhooks/" + f.webhook }, `{"url":"https://hooks.example/z","events":["plan.accepted"],"active":false}`)},
	{method: "GET", path: "/v1/webhooks/{id}/deliveries", min: "admin", ok: 200, req: get(func(f *authzFixture) string { return "/v1/webhooks/" + f.webhook + "/deliveries" })},
}

var roleRank = map[string]int{pViewer: 1, pAgent: 2, pAdmin: 3}

// want is the status principal p must get on row r.
func (r authzRow) want(p string) int {
	if r.min == "public" {
		return r.ok
	}
	rank, isRole := roleRank[p]
	switch {
	case !isRole:
		return http.StatusUnauthorized // every kind of caller without a valid API token
	case rank >= roleRank[r.min]:
		return r.ok
	default:
		return http.StatusForbidden
	}
}

func (r authzRow) writes() bool { return r.method != "GET" }

// plainRoutes are the routes registered on the API's mux directly (not
// through huma), read from the package's source so a new one cannot be
// missed.
func plainRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+ /[^"]*)"`)
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
	return out
}

// serverRoutes lists every route: the OpenAPI document's operations, the
// plain mux routes and the OpenAPI document itself.
func serverRoutes(t *testing.T, api *httpapi.Server) []string {
	t.Helper()
	var out []string
	for path, item := range api.API().OpenAPI().Paths {
		for method, op := range map[string]any{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete, "HEAD": item.Head, "OPTIONS": item.Options} {
			if !isNilOp(op) {
				out = append(out, method+" "+path)
			}
		}
	}
	out = append(out, plainRoutes(t)...)
	out = append(out, "GET /openapi.json")
	sort.Strings(out)
	return out
}

func isNilOp(op any) bool { return fmt.Sprintf("%p", op) == "0x0" }

func TestAPI_AuthzMatrix(t *testing.T) {
	f := newAuthzFixture(t)

	// Every route has a row, and every row is a route.
	shared := startAuthz(t, f.path, f.clock)
	routes := serverRoutes(t, httpapi.New(service.New(shared.st, f.clock.Now), quietLog))
	var rows []string
	for _, r := range authzTable {
		rows = append(rows, r.method+" "+r.path)
	}
	sort.Strings(rows)
	for _, r := range routes {
		if !slices.Contains(rows, r) {
			t.Errorf("route %s has no row in authzTable: add one (who may call it, what they get)", r)
		}
	}
	for _, r := range rows {
		if !slices.Contains(routes, r) {
			t.Errorf("authzTable row %s is not a route of the server", r)
		}
	}
	if len(routes) < 60 {
		t.Errorf("only %d routes found", len(routes))
	}

	// Refused callers first, on one server: nothing they send may change
	// the database (every table's rows hashed before and after).
	before := testutil.TableDigest(t, f.path)
	refused, allowed := 0, 0
	for _, r := range authzTable {
		path, body := r.req(f)
		ctype := cmpOr(r.ctype, "application/json")
		for _, p := range principals {
			want := r.want(p)
			if want < 400 || (r.min == "public" && r.writes()) {
				continue
			}
			got := shared.do(t, p, f.creds, r.method, path, body, ctype)
			refused++
			if got.Status != want {
				t.Errorf("%s %s as %s: status %d, want %d: %.300s", r.method, path, p, got.Status, want, got.Body)
				continue
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s %s as %s: refusal is %q, want a problem", r.method, path, p, ct)
			}
			if want == http.StatusUnauthorized && !strings.HasPrefix(got.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s as %s: 401 without WWW-Authenticate: Bearer", r.method, path, p)
			}
		}
	}
	after := testutil.TableDigest(t, f.path)
	for table, d := range before {
		if after[table] != d {
			t.Errorf("refused requests changed table %s: %s → %s", table, d, after[table])
		}
	}

	// Permitted callers: reads on the shared server, each write on a copy
	// of its own (so every permitted role acts on the same state).
	for _, r := range authzTable {
		path, body := r.req(f)
		ctype := cmpOr(r.ctype, "application/json")
		for _, p := range principals {
			want := r.want(p)
			if want >= 400 && !(r.min == "public" && r.writes()) {
				continue
			}
			srv := shared
			var copyPath string
			if r.writes() {
				copyPath = f.copyDB(t)
				srv = startAuthz(t, copyPath, f.clock)
			}
			got := srv.do(t, p, f.creds, r.method, path, body, ctype)
			allowed++
			if got.Status != want {
				t.Errorf("%s %s as %s: status %d, want %d: %.300s", r.method, path, p, got.Status, want, got.Body)
			}
			if r.min == "public" && r.writes() {
				if d := testutil.TableDigest(t, copyPath); !maps.Equal(d, before) {
					t.Errorf("%s %s as %s wrote to the database", r.method, path, p)
				}
			}
		}
	}
	t.Logf("%d routes × %d callers: %d refused requests (database unchanged), %d permitted", len(authzTable), len(principals), refused, allowed)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var quietLog = slog.New(slog.DiscardHandler)
