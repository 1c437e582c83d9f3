package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// readPaths are the reads that once queued behind an import (finding 5 of
// "Hardening II"): during a 25 MB import each waited 33–42 s.
var readPaths = []string{
	"/v1/customers",
	"/v1/customers/R/position",
	"/v1/customers/R",
	"/v1/invoices",
	"/v1/invoices/R-1",
	"/v1/reports/aging",
	"/v1/messages",
	"/v1/payments",
	"/v1/tasks",
	"/v1/policies",
	"/v1/webhooks",
	"/v1/reports/kpis?from=2026-01-01&to=2026-05-31&currency=USD",
	"/v1/promises",
}

// heldImport is an API server whose invoice imports stop inside their
// transaction, after the first batch is written, until released.
type heldImport struct {
	url, token string
	reached    chan int      // the rows written when the import stopped
	release    chan struct{} // closed to let it finish
	once       sync.Once
	reads      []string // readPaths and the plan's pages
}

func (h *heldImport) let() { h.once.Do(func() { close(h.release) }) }

func newHeldImport(t testing.TB, st store.Store) *heldImport {
	t.Helper()
	h := &heldImport{reached: make(chan int, 1), release: make(chan struct{})}
	svc := service.New(st, testutil.Clock)
	svc.Fault = func(point, detail string) {
		if point != service.FaultImportBatch {
			return
		}
		rows, err := strconv.Atoi(detail)
		if err != nil {
			panic("import-batch detail " + detail)
		}
		select {
		case h.reached <- rows:
			<-h.release
		default: // later batches run on
		}
	}
	srv := httptest.NewServer(httpapi.New(svc, nil).Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(h.let) // a failing test must not leave the import (and the server) hanging
	secret, _, err := svc.CreateToken(testutil.Admin(context.Background()), "admin", "admin")
	if err != nil {
		t.Fatal(err)
	}
	h.url, h.token = srv.URL, secret
	// One customer with an invoice, so that every read has something to show.
	for _, c := range []struct{ path, body string }{
		{"/v1/customers", `{"name":"Rita","external_ref":"R"}`},
		{"/v1/invoices", `{"number":"R-1","customer_id":"R","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"USD","amount":"100.00"}`},
	} {
		if status, body := h.call(t, "POST", c.path, strings.NewReader(c.body), "application/json"); status != 201 {
			t.Fatalf("POST %s: %d %s", c.path, status, body)
		}
	}
	// And a plan over it: the plan and its agreement are reads too.
	status, body := h.call(t, "POST", "/v1/plans", strings.NewReader(`{"customer_id":"R","invoice_ids":["R-1"],"installments":2,"start_date":"2026-06-10"}`), "application/json")
	var p struct{ ID string }
	if status != 201 || json.Unmarshal([]byte(body), &p) != nil || p.ID == "" {
		t.Fatalf("POST /v1/plans: %d %s", status, body)
	}
	h.reads = append(slices.Clone(readPaths), "/v1/plans/"+p.ID, "/v1/plans/"+p.ID+"/agreement.pdf")
	return h
}

// readClient gives up on a request after 15 s: only a guard so that a
// read that waits for the import fails the test instead of hanging it.
var readClient = &http.Client{Timeout: 15 * time.Second}

func (h *heldImport) call(t testing.TB, method, path string, body io.Reader, ctype string) (int, string) {
	t.Helper()
	return h.callWith(t, readClient, method, path, body, ctype)
}

func (h *heldImport) callWith(t testing.TB, c *http.Client, method, path string, body io.Reader, ctype string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// invoiceCSV is an import of n invoices for customer R.
func invoiceCSV(n int) string {
	var b strings.Builder
	b.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
	for i := range n {
		fmt.Fprintf(&b, "IMP-%07d,R,2026-04-01,2026-05-01,USD,%d.00\n", i, 10+i%90)
	}
	return b.String()
}

// start posts an import of n invoices and waits until it is held inside
// its transaction with the first batch written.
func (h *heldImport) start(t testing.TB, n int) <-chan string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		// No timeout: the import is held as long as the test needs.
		status, body := h.callWith(t, http.DefaultClient, "POST", "/v1/imports/invoices", strings.NewReader(invoiceCSV(n)), "text/csv")
		done <- fmt.Sprintf("%d %s", status, body)
	}()
	select {
	case rows := <-h.reached:
		if rows == 0 {
			t.Fatal("the import stopped before writing any row")
		}
	case res := <-done:
		t.Fatalf("the import finished without stopping: %s", res)
	case <-time.After(time.Minute):
		t.Fatal("the import never reached its first batch")
	}
	return done
}

// TestAPI_ReadsDuringImport: on both engines, while an invoice import is
// held open inside its transaction (rows written, not committed), every
// read answers, and answers without the import's rows; the import then
// commits. Before the fix the reads on SQLite queued behind the import's
// transaction (they ran as write transactions) and only the guard timeout
// ended them.
func TestAPI_ReadsDuringImport(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			h := newHeldImport(t, open(t))
			done := h.start(t, 6000) // > one batch of 5000

			for _, p := range h.reads {
				status, body := h.call(t, "GET", p, nil, "")
				if status != 200 {
					t.Errorf("GET %s during the import: %d %s", p, status, body)
				}
				if strings.Contains(body, "IMP-") {
					t.Errorf("GET %s shows the import's uncommitted rows", p)
				}
			}
			select {
			case res := <-done:
				t.Fatalf("the import finished while held: %s", res)
			default:
			}

			h.let()
			if res := <-done; !strings.HasPrefix(res, "200 ") {
				t.Fatalf("import: %s", res)
			}
			status, body := h.call(t, "GET", "/v1/invoices?limit=500", nil, "")
			if status != 200 || !strings.Contains(body, "IMP-0000000") {
				t.Errorf("after the import: %d, imported invoice missing", status)
			}
		})
	}
}

// BenchmarkReadsDuringImport measures read latency (p50/p99 over all the
// readPaths) while a 200,000-invoice import (about 10 MB of CSV) is held
// open mid-transaction, on both engines:
//
//	./scripts/test.sh -run XXX -bench ReadsDuringImport ./internal/httpapi/
func BenchmarkReadsDuringImport(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			h := newHeldImport(b, testutil.Open(b, engine))
			done := h.start(b, 200_000)
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p := h.reads[i%len(h.reads)]
				t0 := time.Now()
				if status, body := h.call(b, "GET", p, nil, ""); status != 200 {
					b.Fatalf("GET %s: %d %s", p, status, body)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			h.let()
			if res := <-done; !strings.HasPrefix(res, "200 ") {
				b.Fatalf("import: %.200s", res)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
