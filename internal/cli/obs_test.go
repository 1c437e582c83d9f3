package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/ids"
	"settle/internal/notify"
	"settle/internal/obs"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// lockedBuffer collects the log lines the handlers write concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines are the JSON log records.
func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ln := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if ln == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ln), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", ln, err)
		}
		out = append(out, m)
	}
	return out
}

// fakeMailer sends to every address but temp@… (a temporary failure) and
// perm@… (a bounce).
type fakeMailer struct {
	mu   sync.Mutex
	sent []string
}

func (m *fakeMailer) Send(_ context.Context, e notify.Email) error {
	switch {
	case strings.Contains(e.To, "temp@"):
		return errors.New("connection reset")
	case strings.Contains(e.To, "perm@"):
		return &notify.SendError{Permanent: true, Code: 550, Stage: "rcpt_to"}
	}
	m.mu.Lock()
	m.sent = append(m.sent, e.To)
	m.mu.Unlock()
	return nil
}

// client does requests against the served handler, with cookies, without
// following redirects.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (c *client) do(method, path string, body io.Reader, header ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// sample is the value of one series in a scrape (exactly as exposed:
// labels in name order); missing is fatal.
func sample(t *testing.T, body, series string) float64 {
	t.Helper()
	for _, ln := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(ln, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", ln, err)
			}
			return f
		}
	}
	t.Fatalf("no series %s in the scrape:\n%s", series, settleLines(body))
	return 0
}

func settleLines(body string) string {
	var out []string
	for _, ln := range strings.Split(body, "\n") {
		if strings.HasPrefix(ln, "settle_") {
			out = append(out, ln)
		}
	}
	return strings.Join(out, "\n")
}

const obsPassword = "correct horse battery staple 42"

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// TestServe_Observability drives settle serve's whole handler (UI, portal,
// static assets, API) and the background work, then checks the scrape
// series by series, the request ids and the logs (which must hold no
// secret).
func TestServe_Observability(t *testing.T) {
	st := testutil.SQLite(t)
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(t.Context())
	var logs lockedBuffer
	log, err := obs.NewLogger(&logs, "json", "debug")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler(svc, log))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}

	// Data: five customers with one queued email each, a user, a token.
	custs := map[string]string{}
	for _, who := range []string{"ok1", "ok2", "temp", "perm", "none"} {
		email := who + "@example.com"
		if who == "none" {
			email = ""
		}
		cu, err := svc.CreateCustomer(ctx, service.CustomerInput{Name: "Customer " + who, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		custs[who] = cu.ID
	}
	err = st.Tx(ctx, func(tx store.Tx) error {
		for _, id := range custs {
			m := store.Message{CustomerID: id, Channel: "email", Step: "reminder_0", ScheduledFor: testutil.Clock().Add(-time.Hour),
				Status: store.MessageQueued, Subject: "Reminder", Body: "Please pay."}
			if _, _, err := tx.InsertMessage(ctx, &m); err != nil {
				return err
			}
		}
		for i := range 2 {
			tk := store.Task{CustomerID: custs["ok1"], Queue: "tier1", Kind: "call", DueAt: testutil.Clock(), Priority: int64(i)}
			if _, _, err := tx.InsertTask(ctx, &tk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, service.UserInput{Email: "ada@example.com", Name: "Ada", Role: service.RoleAdmin, Password: obsPassword}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc.CreateToken(ctx, service.RoleAdmin, "monitoring test")
	if err != nil {
		t.Fatal(err)
	}
	// Used only once the store is down: not in the token cache, so the
	// authentication middleware itself fails (writeProblem's path; the
	// first token's request fails in its handler: huma's path).
	unused, _, err := svc.CreateToken(ctx, service.RoleViewer, "monitoring test, unused")
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.CreatePortalLink(ctx, custs["ok1"], 0, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// Two webhook subscribers: one answers 204, one 500.
	hookOK := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer hookOK.Close()
	hookBad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	defer hookBad.Close()
	for _, u := range []string{hookOK.URL, hookBad.URL} {
		wh, err := svc.CreateWebhook(ctx, service.WebhookInput{URL: u, Events: []string{"invoice.overdue"}})
		if err != nil {
			t.Fatal(err)
		}
		err = st.Tx(ctx, func(tx store.Tx) error {
			_, err := tx.InsertWebhookDelivery(ctx, &store.WebhookDelivery{WebhookID: wh.ID, EventID: ids.New(ids.Event), Event: "invoice.overdue"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// The first scrape: queues as created, nothing counted yet.
	res, body := c.do("GET", "/metrics", nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d", res.StatusCode)
	}
	for series, want := range map[string]float64{
		`settle_store_up`:                                      1,
		`settle_queue_depth{queue="emails_due"}`:               5,
		`settle_queue_depth{queue="emails_retrying"}`:          0,
		`settle_queue_depth{queue="emails_claimed"}`:           0,
		`settle_queue_depth{queue="webhooks_pending"}`:         2,
		`settle_queue_depth{queue="tasks_open"}`:               2,
		`settle_queue_depth{queue="bank_lines_review"}`:        0,
		`settle_queue_depth{queue="staged_imports"}`:           0,
		`settle_deliveries_total{kind="email",outcome="sent"}`: 0,
		`settle_runs_failed_total`:                             0,
		`settle_run_duration_seconds_count`:                    0,
		`settle_run_last_success_timestamp_seconds`:            0,
	} {
		if got := sample(t, body, series); got != want {
			t.Errorf("first scrape: %s = %v, want %v", series, got, want)
		}
	}
	if strings.Contains(body, "settle_http_requests_total{") {
		t.Errorf("first scrape already counts requests:\n%s", settleLines(body))
	}

	// Requests: API with and without a token, the UI, the portal, a static
	// asset, an unknown path.
	bearer := "Bearer " + secret
	for range 3 {
		if res, _ := c.do("GET", "/v1/customers", nil, "Authorization", bearer); res.StatusCode != 200 {
			t.Fatalf("GET /v1/customers: %d", res.StatusCode)
		}
	}
	if res, _ := c.do("GET", "/v1/customers", nil); res.StatusCode != 401 {
		t.Fatalf("GET /v1/customers without a token: %d", res.StatusCode)
	}
	_, page := c.do("GET", "/login", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in page:\n%s", page)
	}
	form := url.Values{"csrf_token": {m[1]}, "email": {"ada@example.com"}, "password": {obsPassword}}
	res, _ = c.do("POST", "/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login: %d", res.StatusCode)
	}
	u, _ := url.Parse(srv.URL)
	var session string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "settle_session" {
			session = ck.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie after signing in")
	}
	if res, _ := c.do("GET", "/", nil); res.StatusCode != 200 {
		t.Fatalf("GET / signed in: %d", res.StatusCode)
	}
	portalPath := strings.TrimPrefix(link.URL, srv.URL)
	if res, _ := c.do("GET", portalPath+"?lang=en", nil); res.StatusCode != 200 {
		t.Fatalf("GET the portal: %d", res.StatusCode)
	}
	if res, _ := c.do("GET", "/static/app.css", nil); res.StatusCode != 200 {
		t.Fatalf("GET /static/app.css: %d", res.StatusCode)
	}
	if res, _ := c.do("GET", "/no/such/page", nil); res.StatusCode != 404 {
		t.Fatalf("GET /no/such/page: %d", res.StatusCode)
	}

	// A run through the API (twice: the second finds it done and does no
	// work), then one pass of each sender.
	runStart := time.Now()
	for range 2 {
		res, b := c.do("POST", "/v1/runs", strings.NewReader(`{"as_of":"2026-06-01"}`), "Authorization", bearer, "Content-Type", "application/json")
		if res.StatusCode != 200 {
			t.Fatalf("POST /v1/runs: %d %s", res.StatusCode, b)
		}
	}
	mailer := &fakeMailer{}
	rep, err := svc.DeliverEmails(ctx, mailer, "test/mailer", 100)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (service.DeliveryReport{Claimed: 5, Sent: 2, Retried: 1, Bounced: 1, Failed: 1}) {
		t.Fatalf("email report %+v", rep) // the fake mailer's outcomes, not the metrics yet
	}
	if _, err := svc.DeliverWebhooks(ctx, &http.Client{Timeout: 5 * time.Second}, "test/webhooks", 100); err != nil {
		t.Fatal(err)
	}

	_, body = c.do("GET", "/metrics", nil)
	want := map[string]float64{
		`settle_http_requests_total{method="GET",route="GET /v1/customers",status="200"}`:   3,
		`settle_http_requests_total{method="GET",route="GET /v1/customers",status="401"}`:   1,
		`settle_http_request_seconds_count{method="GET",route="GET /v1/customers"}`:         4,
		`settle_http_requests_total{method="GET",route="GET /login",status="200"}`:          1,
		`settle_http_requests_total{method="POST",route="POST /login",status="303"}`:        1,
		`settle_http_requests_total{method="GET",route="GET /{$}",status="200"}`:            1,
		`settle_http_requests_total{method="GET",route="GET /portal/{token}",status="200"}`: 1,
		`settle_http_requests_total{method="GET",route="GET /static/",status="200"}`:        1,
		`settle_http_requests_total{method="GET",route="unmatched",status="404"}`:           1,
		`settle_http_requests_total{method="POST",route="POST /v1/runs",status="200"}`:      2,
		`settle_http_requests_total{method="GET",route="GET /metrics",status="200"}`:        1, // the first scrape
		`settle_run_duration_seconds_count`:                                                 1,
		`settle_runs_failed_total`:                                                          0,
		`settle_deliveries_total{kind="email",outcome="sent"}`:                              2,
		`settle_deliveries_total{kind="email",outcome="retried"}`:                           1,
		`settle_deliveries_total{kind="email",outcome="bounced"}`:                           1,
		`settle_deliveries_total{kind="email",outcome="failed"}`:                            1,
		`settle_deliveries_total{kind="email",outcome="superseded"}`:                        0,
		`settle_deliveries_total{kind="webhook",outcome="sent"}`:                            1,
		`settle_deliveries_total{kind="webhook",outcome="retried"}`:                         1,
		`settle_deliveries_total{kind="webhook",outcome="failed"}`:                          0,
		`settle_queue_depth{queue="emails_due"}`:                                            0,
		`settle_queue_depth{queue="emails_retrying"}`:                                       1,
		`settle_queue_depth{queue="webhooks_pending"}`:                                      1,
		`settle_queue_depth{queue="tasks_open"}`:                                            2,
	}
	for series, w := range want {
		if got := sample(t, body, series); got != w {
			t.Errorf("%s = %v, want %v", series, got, w)
		}
	}
	// Bracketed by the clock read before the run and after the scrape (not
	// "within a minute of now", which a slow machine could miss).
	if last, end := sample(t, body, "settle_run_last_success_timestamp_seconds"), time.Now(); last < float64(runStart.Unix()) || last > float64(end.Unix()+1) {
		t.Errorf("settle_run_last_success_timestamp_seconds = %v, want between %d and %d", last, runStart.Unix(), end.Unix()+1)
	}
	// Only the listed routes were counted: no other series appeared.
	if n := strings.Count(body, "\nsettle_http_requests_total{"); n != 10 {
		t.Errorf("%d request series, want 10:\n%s", n, settleLines(body))
	}
	portalToken := strings.TrimPrefix(portalPath, "/portal/")
	if strings.Contains(body, portalToken) {
		t.Error("the scrape holds the portal token")
	}

	// Request ids: a sane incoming one is kept, others are replaced by a
	// fresh one; each is in the access log's line of its request.
	t.Run("request ids", func(t *testing.T) {
		res, _ := c.do("GET", "/login", nil, "X-Request-Id", "lb-7f3a.2_Z")
		if got := res.Header.Get("X-Request-Id"); got != "lb-7f3a.2_Z" {
			t.Errorf("kept id: %q", got)
		}
		seen := map[string]bool{}
		for _, in := range []string{"", "has space", "tab\there", "quote\"d", strings.Repeat("a", 65), "semi;colon", "é"} {
			res, _ := c.do("GET", "/login", nil, "X-Request-Id", in)
			got := res.Header.Get("X-Request-Id")
			if got == in || !regexp.MustCompile(`^[0-9a-z]{20}$`).MatchString(got) || seen[got] {
				t.Errorf("incoming %q: response id %q, want a fresh 20-character id", in, got)
			}
			seen[got] = true
		}
		if got := func() string {
			res, _ := c.do("GET", "/login", nil, "X-Request-Id", strings.Repeat("b", 64))
			return res.Header.Get("X-Request-Id")
		}(); got != strings.Repeat("b", 64) {
			t.Errorf("64 characters: %q, want kept", got)
		}
		var found bool
		for _, l := range logs.lines(t) {
			if l["msg"] == "request" && l["request_id"] == "lb-7f3a.2_Z" {
				found = true
				// Signed in, /login sends the browser on (303).
				if l["level"] != "INFO" || l["method"] != "GET" || l["route"] != "GET /login" || l["status"] != float64(303) ||
					l["bytes"].(float64) <= 0 || l["duration_ms"] == nil {
					t.Errorf("access log line %v", l)
				}
			}
		}
		if !found {
			t.Errorf("no access log line with the request id:\n%s", logs.String())
		}
	})

	// Server errors: the store goes away. The API's problem and the UI's
	// error page show the request id, the log has the error under it, and
	// the scrape still answers with settle_store_up 0. A run now fails.
	t.Run("store down", func(t *testing.T) {
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ token, id string }{{secret, "api-500"}, {unused, "auth-500"}} {
			res, b := c.do("GET", "/v1/customers", nil, "Authorization", "Bearer "+tc.token, "X-Request-Id", tc.id)
			var p struct {
				Status    int    `json:"status"`
				RequestID string `json:"request_id"`
				Detail    string `json:"detail"`
			}
			if err := json.Unmarshal([]byte(b), &p); err != nil || res.StatusCode != 500 || p.Status != 500 || p.RequestID != tc.id || p.Detail != "Internal error." {
				t.Errorf("GET /v1/customers with the store closed: %d %s (%v); want a 500 problem with request_id %s", res.StatusCode, b, err, tc.id)
			}
		}
		res, b := c.do("GET", "/", nil, "X-Request-Id", "ui-500")
		if res.StatusCode != 500 || !strings.Contains(b, "Request id: <code>ui-500</code>") {
			t.Errorf("GET / with the store closed: %d, want 500 showing the request id:\n%s", res.StatusCode, b)
		}
		var apiLogged, authLogged, uiLogged bool
		for _, l := range logs.lines(t) {
			if l["level"] == "ERROR" && l["request_id"] == "api-500" && l["msg"] == "internal error" {
				apiLogged = true
			}
			if l["level"] == "ERROR" && l["request_id"] == "auth-500" && l["msg"] == "internal error" {
				authLogged = true
			}
			if l["level"] == "ERROR" && l["request_id"] == "ui-500" && l["msg"] == "web: internal error" && l["route"] == "GET /{$}" {
				uiLogged = true
			}
		}
		if !uiLogged || !apiLogged || !authLogged {
			t.Errorf("error lines with the request ids: api %v, auth %v, ui %v\n%s", apiLogged, authLogged, uiLogged, logs.String())
		}

		if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-06-02"}); err == nil {
			t.Fatal("a run with the store closed succeeded")
		}
		res, body := c.do("GET", "/metrics", nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET /metrics with the store closed: %d", res.StatusCode)
		}
		if got := sample(t, body, "settle_store_up"); got != 0 {
			t.Errorf("settle_store_up = %v, want 0", got)
		}
		if strings.Contains(body, "settle_queue_depth{") {
			t.Errorf("queue depths reported with the store down:\n%s", settleLines(body))
		}
		if got := sample(t, body, "settle_runs_failed_total"); got != 1 {
			t.Errorf("settle_runs_failed_total = %v, want 1", got)
		}
		if got := sample(t, body, "settle_run_duration_seconds_count"); got != 2 {
			t.Errorf("settle_run_duration_seconds_count = %v, want 2", got)
		}
	})

	// No secret in the log: not the token, the session cookie, the portal
	// token or the password.
	out := logs.String()
	for name, s := range map[string]string{"bearer token": secret, "unused token": unused, "session cookie": session, "portal token": portalToken, "password": obsPassword} {
		if strings.Contains(out, s) {
			t.Errorf("the log holds the %s", name)
		}
	}
	if !strings.Contains(out, `"route":"GET /portal/{token}"`) {
		t.Errorf("the portal request is not in the access log by its pattern:\n%s", out)
	}
}

// TestServe_MetricsToken: with SETTLE_METRICS_TOKEN set, /metrics wants it.
func TestServe_MetricsToken(t *testing.T) {
	t.Setenv("SETTLE_METRICS_TOKEN", "scrape-me-3f9")
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	srv := httptest.NewServer(handler(svc, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	c := &client{t: t, base: srv.URL, c: srv.Client()}
	for _, h := range []string{"", "Bearer", "Bearer wrong", "Bearer scrape-me-3f", "Bearer scrape-me-3f9x", "scrape-me-3f9", "Basic scrape-me-3f9"} {
		res, _ := c.do("GET", "/metrics", nil, "Authorization", h)
		if res.StatusCode != 401 {
			t.Errorf("Authorization %q: %d, want 401", h, res.StatusCode)
		}
	}
	res, body := c.do("GET", "/metrics", nil, "Authorization", "Bearer scrape-me-3f9")
	if res.StatusCode != 200 || sample(t, body, "settle_store_up") != 1 {
		t.Errorf("with the token: %d\n%s", res.StatusCode, settleLines(body))
	}
	// The refused scrapes are counted too (by their status).
	if got := sample(t, body, `settle_http_requests_total{method="GET",route="GET /metrics",status="401"}`); got != 7 {
		t.Errorf("refused scrapes counted %v, want 7", got)
	}
}
