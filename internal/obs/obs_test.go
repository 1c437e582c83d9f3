package obs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"settle/internal/obs"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// downStore is a store whose read transactions fail (or hang until their
// context ends, when hang is set; ended then receives why it ended).
type downStore struct {
	store.Store
	hang  bool
	ended chan error
}

func (d downStore) ReadTx(ctx context.Context, _ func(store.Tx) error) error {
	if d.hang {
		<-ctx.Done()
		d.ended <- ctx.Err()
		return ctx.Err()
	}
	return errors.New("connection refused")
}

func scrape(t *testing.T, m *obs.Metrics, header ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	m.Handler("").ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func has(body, line string) bool {
	return strings.Contains("\n"+body, "\n"+line+"\n")
}

// The collector: queue depths and settle_store_up 1 from a live store;
// with the store failing, or not answering within the timeout, the scrape
// still succeeds with settle_store_up 0 and no depths.
func TestQueueCollector(t *testing.T) {
	st := testutil.SQLite(t)
	err := st.Tx(t.Context(), func(tx store.Tx) error {
		return tx.InsertStagedUpload(t.Context(), &store.StagedUpload{ID: "stg_1", Kind: "invoices", SHA256: "x", Owner: "u",
			ExpiresAt: testutil.Clock().Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	live := obs.NewMetrics()
	live.Register(obs.NewQueueCollector(st, 0, nil))
	code, body := scrape(t, live)
	for _, l := range []string{`settle_store_up 1`, `settle_queue_depth{queue="staged_imports"} 1`, `settle_queue_depth{queue="emails_due"} 0`} {
		if code != 200 || !has(body, l) {
			t.Errorf("live store: %d, no line %q", code, l)
		}
	}

	for _, tc := range []struct {
		name string
		st   downStore
	}{{"failing", downStore{Store: st}}, {"hanging", downStore{Store: st, hang: true, ended: make(chan error, 10)}}} {
		t.Run(tc.name, func(t *testing.T) {
			m := obs.NewMetrics()
			m.Register(obs.NewQueueCollector(tc.st, 50*time.Millisecond, nil))
			code, body := scrape(t, m)
			// The hanging store was let go by the collector's timeout (not
			// judged by how long the scrape took on the wall clock).
			if tc.st.hang {
				select {
				case err := <-tc.st.ended:
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("the hanging read ended with %v, want the collector's deadline", err)
					}
				default:
					t.Error("the scrape returned while the store's read was still hanging")
				}
			}
			if code != 200 || !has(body, "settle_store_up 0") || strings.Contains(body, "settle_queue_depth") {
				t.Errorf("store down: %d\n%s", code, body)
			}
			if !has(body, `settle_runs_failed_total 0`) {
				t.Error("the other series are missing from the scrape")
			}
		})
	}
}

func TestMetrics_Observer(t *testing.T) {
	m := obs.NewMetrics()
	m.RunFinished(90*time.Second, nil)
	m.RunFinished(2*time.Second, errors.New("boom"))
	m.EmailsDelivered(service.DeliveryReport{Claimed: 9, Sent: 4, Retried: 2, Bounced: 1, Failed: 1, Superseded: 1})
	m.EmailsDelivered(service.DeliveryReport{Claimed: 1, Sent: 1})
	m.WebhooksDelivered(service.WebhookReport{Claimed: 4, Delivered: 1, Retried: 1, Failed: 1, Superseded: 1})
	m.AutopayCharged(service.AutopayReport{Charged: 3, Succeeded: 1, Pending: 1, Failed: 1, Errors: []string{"a", "b"}})
	_, body := scrape(t, m)
	for _, l := range []string{
		`settle_run_duration_seconds_count 2`,
		`settle_run_duration_seconds_sum 92`,
		`settle_run_duration_seconds_bucket{le="60"} 1`, // the 2 s one
		`settle_run_duration_seconds_bucket{le="120"} 2`,
		`settle_runs_failed_total 1`,
		`settle_deliveries_total{kind="email",outcome="sent"} 5`,
		`settle_deliveries_total{kind="email",outcome="retried"} 2`,
		`settle_deliveries_total{kind="email",outcome="bounced"} 1`,
		`settle_deliveries_total{kind="email",outcome="failed"} 1`,
		`settle_deliveries_total{kind="email",outcome="superseded"} 1`,
		`settle_deliveries_total{kind="webhook",outcome="sent"} 1`,
		`settle_deliveries_total{kind="webhook",outcome="retried"} 1`,
		`settle_deliveries_total{kind="webhook",outcome="failed"} 1`,
		`settle_deliveries_total{kind="webhook",outcome="superseded"} 1`,
		`settle_autopay_charges_total{outcome="succeeded"} 1`,
		`settle_autopay_charges_total{outcome="pending"} 1`,
		`settle_autopay_charges_total{outcome="failed"} 1`,
		`settle_autopay_charges_total{outcome="error"} 2`,
	} {
		if !has(body, l) {
			t.Errorf("no line %q", l)
		}
	}
	if strings.Contains(body, `kind="webhook",outcome="bounced"`) {
		t.Error("webhooks do not bounce")
	}
	// The failed run set no success time; a successful one did.
	if has(body, "settle_run_last_success_timestamp_seconds 0") {
		t.Error("settle_run_last_success_timestamp_seconds not set by the successful run")
	}
}

func TestValidRequestID(t *testing.T) {
	for id, want := range map[string]bool{
		"a": true, "abc-DEF_123.x": true, strings.Repeat("z", 64): true,
		"": false, strings.Repeat("z", 65): false, "a b": false, "a/b": false, "a\nb": false, "ü": false, "a=b": false, "{x}": false,
	} {
		if got := obs.ValidRequestID(id); got != want {
			t.Errorf("ValidRequestID(%q) = %v", id, got)
		}
	}
	a, b := obs.NewID(), obs.NewID()
	if a == b || len(a) != 20 || !obs.ValidRequestID(a) {
		t.Errorf("NewID: %q, %q", a, b)
	}
}

func TestNewLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := obs.NewLogger(&buf, "", "")
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	log.Info("shown", "k", 1)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec["msg"] != "shown" || rec["k"] != float64(1) {
		t.Errorf("default (not a terminal): want one JSON line at info; got %q (%v)", buf.String(), err)
	}
	buf.Reset()
	log, _ = obs.NewLogger(&buf, "TEXT", "debug")
	log.Debug("now shown")
	if got := buf.String(); !strings.Contains(got, "level=DEBUG msg=\"now shown\"") {
		t.Errorf("text at debug: %q", got)
	}
	buf.Reset()
	log, _ = obs.NewLogger(&buf, "json", "warn")
	log.Info("hidden")
	log.Warn("w")
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Errorf("warn level: %d lines\n%s", n, buf.String())
	}
	for _, bad := range [][2]string{{"xml", ""}, {"", "loud"}} {
		if _, err := obs.NewLogger(io.Discard, bad[0], bad[1]); err == nil {
			t.Errorf("NewLogger(%q, %q): no error", bad[0], bad[1])
		}
	}
}

// A panicking handler: logged with its request id and the route, answered
// 500 with the id, counted as a 500.
func TestMiddleware_Panic(t *testing.T) {
	var buf bytes.Buffer
	log, _ := obs.NewLogger(&buf, "json", "info")
	m := obs.NewMetrics()
	h := obs.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaput") }),
		obs.Options{Metrics: m, Log: log, Route: func(*http.Request) string { return "GET /boom/{id}" }})
	req := httptest.NewRequest("GET", "/boom/secret-123?token=abc", nil)
	req.Header.Set("X-Request-Id", "req-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "req-1") || rec.Header().Get("X-Request-Id") != "req-1" {
		t.Errorf("panic answered %d %q", rec.Code, rec.Body.String())
	}
	out := buf.String()
	if !strings.Contains(out, `"msg":"panic serving a request"`) || !strings.Contains(out, `"panic":"kaput"`) || strings.Count(out, `"request_id":"req-1"`) != 2 {
		t.Errorf("log:\n%s", out)
	}
	if strings.Contains(out, "secret-123") || strings.Contains(out, "token=abc") {
		t.Errorf("the log holds the path or query:\n%s", out)
	}
	_, body := scrape(t, m)
	if !has(body, `settle_http_requests_total{method="GET",route="GET /boom/{id}",status="500"} 1`) {
		t.Errorf("the panic is not counted as a 500:\n%s", body)
	}
	// A handler that writes nothing is a 200; odd methods share one label.
	h = obs.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), obs.Options{Metrics: m})
	for _, method := range []string{"GET", "BREW", "PROPFIND"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/x", nil))
	}
	_, body = scrape(t, m)
	for _, l := range []string{`settle_http_requests_total{method="GET",route="unmatched",status="200"} 1`,
		`settle_http_requests_total{method="OTHER",route="unmatched",status="200"} 2`} {
		if !has(body, l) {
			t.Errorf("no line %q", l)
		}
	}
}
