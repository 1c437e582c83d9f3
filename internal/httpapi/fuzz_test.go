package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	pathpkg "path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
)

// fuzzAPI is one API server on a temporary SQLite store, shared by every
// input of a fuzzing process (setting one up per input would be far too
// slow). Requests go straight to the handler, not over TCP.
type fuzzAPI struct {
	t     testing.TB
	st    store.Store
	svc   *service.Service
	h     http.Handler
	token string
	log   *syncBuffer
	n     int   // makes fresh names
	seq   int64 // the audit log's last sequence number seen
}

// syncBuffer is a bytes.Buffer the server's logger may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.b.String()
	s.b.Reset()
	return out
}

func newFuzzAPI(f *testing.F) *fuzzAPI {
	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "settle.db"), testutil.Clock)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := service.New(st, testutil.Clock)
	logs := &syncBuffer{}
	a := &fuzzAPI{t: f, st: st, svc: svc, log: logs,
		h: httpapi.New(svc, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))).Handler()}
	a.token, _, err = svc.CreateToken(testutil.Admin(context.Background()), "admin", "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	return a
}

type fuzzResp struct {
	status int
	ct     string
	body   []byte
}

func (a *fuzzAPI) do(method, target, contentType string, body []byte) fuzzResp {
	req := httptest.NewRequest(method, "http://settle.test"+target, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, req)
	return fuzzResp{w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()}
}

// must makes a request that sets up fixtures and returns its JSON body.
func (a *fuzzAPI) must(method, path, body string) map[string]any {
	r := a.do(method, path, "application/json", []byte(body))
	if r.status/100 != 2 {
		a.t.Fatalf("fixture %s %s: %d %s", method, path, r.status, r.body)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		a.t.Fatalf("fixture %s %s: %v", method, path, err)
	}
	return m
}

func (a *fuzzAPI) fresh(prefix string) string {
	a.n++
	return fmt.Sprintf("%s-%d", prefix, a.n)
}

// customerWithInvoice creates a customer and an open invoice, both named
// by a fresh external ref / number.
func (a *fuzzAPI) customerWithInvoice(prefix string) (ref, invoice string) {
	ref = a.fresh(prefix)
	a.must("POST", "/v1/customers", `{"name":"Fuzz `+ref+`","external_ref":"`+ref+`","kind":"business","jurisdiction":"GB","time_zone":"Europe/London","email":"ap@example.com"}`)
	invoice = ref + "-1"
	a.must("POST", "/v1/invoices", `{"number":"`+invoice+`","customer_id":"`+ref+`","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"GBP","amount":"900.00"}`)
	return ref, invoice
}

// lastSeq is the audit log's last sequence number (read on from the last
// one seen: the log only grows, and reading it all each time would make
// every input slower than the one before).
func (a *fuzzAPI) lastSeq() int64 {
	a.seq = a.auditSeq(a.seq)
	return a.seq
}

// auditSeq is the last sequence number of the audit entries after after.
func (a *fuzzAPI) auditSeq(after int64) int64 {
	for {
		var list []store.AuditEntry
		if err := a.st.ReadTx(context.Background(), func(tx store.Tx) error {
			var err error
			list, err = tx.Audit(context.Background(), store.AuditFilter{AfterSeq: after, Limit: 1000})
			return err
		}); err != nil {
			a.t.Fatal(err)
		}
		if len(list) == 0 {
			return after
		}
		for _, e := range list {
			after = max(after, e.Seq)
		}
	}
}

func (a *fuzzAPI) counts() map[string]int64 {
	var c map[string]int64
	if err := a.st.ReadTx(context.Background(), func(tx store.Tx) error {
		var err error
		c, err = tx.Counts(context.Background())
		return err
	}); err != nil {
		a.t.Fatal(err)
	}
	return c
}

// writeOps lists the API's write operations (POST, PUT, PATCH, DELETE) from
// its own OpenAPI document, so a new endpoint is fuzzed without a change
// here. Sorted, so that an op number means the same route every time.
func (a *fuzzAPI) writeOps() []string {
	r := a.do("GET", "/openapi.json", "", nil)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || len(doc.Paths) == 0 {
		a.t.Fatalf("openapi.json: %v (%d paths)", err, len(doc.Paths))
	}
	var ops []string
	for path, methods := range doc.Paths {
		for m := range methods {
			switch m {
			case "post", "put", "patch", "delete":
				ops = append(ops, strings.ToUpper(m)+" "+path)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// target fills in a route's path parameters: the fuzzer's id when it gave
// one, else a real object in the state the route acts on (fresh for the
// routes that change an object's state: plans, negotiations, bank lines,
// tasks, and patched customers and invoices).
func (a *fuzzAPI) target(method, route, id string, mode uint8) string {
	return pathParam.ReplaceAllStringFunc(route, func(p string) string {
		if id != "" {
			return url.PathEscape(id)
		}
		switch {
		case p == "{kind}":
			return []string{"customers", "invoices", "payments"}[int(mode>>4)%3]
		case strings.HasPrefix(route, "/v1/customers/") && method == "PATCH":
			// A fresh one: a fuzzed patch may rename the shared FZ (its
			// external_ref), which later fixtures look up.
			ref, _ := a.customerWithInvoice("C")
			return ref
		case strings.HasPrefix(route, "/v1/customers/"):
			return "FZ"
		case strings.HasPrefix(route, "/v1/invoices/") && method == "PATCH":
			_, inv := a.customerWithInvoice("I")
			return inv
		case strings.HasPrefix(route, "/v1/invoices/"):
			return "FZ-1"
		case strings.HasPrefix(route, "/v1/plans/"):
			ref, inv := a.customerWithInvoice("P")
			pl := a.must("POST", "/v1/plans", `{"customer_id":"`+ref+`","invoice_ids":["`+inv+`"],"installments":3,"frequency":"monthly","start_date":"2026-06-15"}`)
			id := pl["id"].(string)
			if strings.HasSuffix(route, "/renegotiate") || mode&0x40 != 0 {
				a.must("POST", "/v1/plans/"+id+"/accept", `{"accepted_by":"Pat","channel":"phone"}`)
			}
			return id
		case strings.HasPrefix(route, "/v1/negotiations/"):
			ref, _ := a.customerWithInvoice("N")
			return a.must("POST", "/v1/negotiations", `{"customer_id":"`+ref+`","as_of":"2026-06-01"}`)["id"].(string)
		case strings.HasPrefix(route, "/v1/bank-lines/"):
			ctx := testutil.Admin(context.Background())
			res, err := a.svc.ImportBankStatement(ctx, strings.NewReader(fmt.Sprintf("date,amount,currency,reference\n2026-06-01,%d.00,GBP,%s\n", a.n+1, a.fresh("unknown"))), service.BankImportOptions{})
			if err != nil || len(res.Lines) != 1 {
				a.t.Fatalf("fixture bank line: %v", err)
			}
			return res.Lines[0].ID
		case strings.HasPrefix(route, "/v1/tasks/"):
			return a.must("POST", "/v1/customers/FZ/follow-ups", `{}`)["task_id"].(string)
		case strings.HasPrefix(route, "/v1/webhooks/"):
			return a.must("POST", "/v1/webhooks", `{"url":"https://example.com/hook","events":["plan.accepted"]}`)["id"].(string)
		case strings.HasPrefix(route, "/v1/policies/"):
			return a.must("POST", "/v1/policies", `{"segment":"`+a.fresh("seg")+`"}`)["id"].(string)
		}
		return "x"
	})
}

// FuzzAPIWrite sends any body (JSON, CSV or anything) and query string to
// every write endpoint of the REST API, on one server per fuzzing process
// with real objects to act on, as an admin (authorisation is tested
// elsewhere). Every answer is 2xx or 4xx, never 5xx and never a panic; a
// 4xx is problem JSON with its status, and a 422 for a JSON object names
// the field, line or column at fault; and a refused request writes nothing: no audit entry,
// no row in any table counted by the store.
func FuzzAPIWrite(f *testing.F) {
	a := newFuzzAPI(f)
	a.must("POST", "/v1/customers", `{"name":"Fuzz Ltd","external_ref":"FZ","kind":"business","jurisdiction":"GB","time_zone":"Europe/London","email":"ap@fuzz.example"}`)
	a.must("POST", "/v1/invoices", `{"number":"FZ-1","customer_id":"FZ","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"GBP","amount":"5000.00"}`)
	ops := a.writeOps()
	f.Logf("%d write operations: %q", len(ops), ops)
	contentTypes := []string{"application/json", "text/csv", "", "application/x-www-form-urlencoded"}

	for i, op := range ops {
		f.Add(uint8(i), uint8(0), "", "", []byte(`{}`))
		f.Add(uint8(i), uint8(0), "", "", []byte(`{"name":"X","customer_id":"FZ","currency":"GBP","amount":"1.00","installments":2,"start_date":"2026-07-01","invoice_ids":["FZ-1"]}`))
		if strings.Contains(op, "/imports/") {
			f.Add(uint8(i), uint8(1), "", "", []byte("external_ref,name\nA\"B,x\n"))
		}
		// Amounts and dates at and beyond the limits (docs/ledger.md,
		// "Limits" and "Dates") on every write: the largest amount and the
		// range's ends are accepted where they fit; one past them, int64's
		// end and years 1 and 9999 are refused, never a 500.
		for _, edge := range []struct{ amount, early, late string }{
			{"9999999999999.99", "1900-01-01", "2199-12-31"},
			{"10000000000000.00", "1899-12-31", "2200-01-01"},
			{"92233720368547758.07", "0001-01-01", "9999-12-31"},
		} {
			f.Add(uint8(i), uint8(0), "", "as_of="+edge.late, []byte(`{"name":"X","customer_id":"FZ","currency":"GBP","amount":"`+edge.amount+`","installment_amount":"`+edge.amount+`","lump_sum":"`+edge.amount+`","installments":2,"start_date":"`+edge.late+`","issue_date":"`+edge.early+`","received_on":"`+edge.early+`","due_date":"`+edge.late+`","promised_on":"`+edge.late+`","as_of":"`+edge.late+`","invoice_ids":["FZ-1"]}`))
			if strings.Contains(op, "/imports/") {
				f.Add(uint8(i), uint8(1), "", "", []byte("number,customer_ref,issue_date,due_date,currency,amount,received_on,method,reference,external_ref,name\n"+
					"E-1,FZ,"+edge.early+","+edge.late+",GBP,"+edge.amount+","+edge.early+",transfer,R1,FZ,Fuzz Ltd\n"))
			}
		}
	}
	f.Fuzz(func(t *testing.T, op, mode uint8, id, query string, body []byte) {
		a.t = t
		route := ops[int(op)%len(ops)]
		method, path, _ := strings.Cut(route, " ")
		target := a.target(method, path, id, mode)
		if q := strings.TrimPrefix(query, "?"); q != "" {
			target += "?" + q
		}
		if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsFunc(target, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return // not a request line a client can send
		}
		seq := a.lastSeq()
		before := a.counts()
		a.log.take()
		r := a.do(method, target, contentTypes[int(mode)%len(contentTypes)], body)
		t.Logf("%s %s → %d", method, target, r.status)
		reqPath, _, _ := strings.Cut(target, "?")
		switch {
		case (r.status == http.StatusMovedPermanently || r.status == http.StatusTemporaryRedirect || r.status == http.StatusPermanentRedirect) &&
			pathpkg.Clean(reqPath) != reqPath:
			// net/http's mux sends a path with "." or ".." segments or
			// doubled slashes to its clean form, before any handler runs.
			if got := a.auditSeq(seq); got != seq {
				t.Fatalf("%s %s: redirected (%d) but wrote to the audit log", method, target, r.status)
			}
		case r.status >= 500 || r.status < 200 || (r.status >= 300 && r.status < 400):
			t.Fatalf("%s %s with %q: status %d\n%s\nlog: %s", method, target, body, r.status, r.body, a.log.take())
		case r.status >= 400:
			checkProblem(t, method+" "+target, body, r)
			if got := a.auditSeq(seq); got != seq {
				t.Fatalf("%s %s with %q: refused (%d) but wrote to the audit log", method, target, body, r.status)
			}
			if after := a.counts(); !maps.Equal(before, after) {
				t.Fatalf("%s %s with %q: refused (%d) but wrote: counts %v → %v", method, target, body, r.status, before, after)
			}
		}
	})
}

// checkProblem: a 4xx answer is problem JSON (RFC 9457) carrying its
// status; a 422 for a JSON object says which field, line or column is at
// fault.
func checkProblem(t *testing.T, req string, body []byte, r fuzzResp) {
	t.Helper()
	if r.ct != "application/problem+json" {
		t.Fatalf("%s with %q: %d with content type %q, want application/problem+json: %s", req, body, r.status, r.ct, r.body)
	}
	var p httpapi.Problem
	if err := json.Unmarshal(r.body, &p); err != nil || p.Status != r.status || p.Title == "" || p.Type == "" {
		t.Fatalf("%s with %q: %d with problem %s (%v)", req, body, r.status, r.body, err)
	}
	// A body that is not a JSON object has no fields to name ("expected
	// object"), nor has a property named "" (huma: "unexpected property"
	// at "body."); any other bad field of an object must be named.
	var object map[string]json.RawMessage
	if r.status == http.StatusUnprocessableEntity && json.Unmarshal(body, &object) == nil && !hasEmptyKey(body) {
		named := false
		for _, e := range p.Errors {
			if e.Field != "" || e.Line > 0 || e.Column != "" {
				named = true
			}
		}
		if !named {
			t.Fatalf("%s with %q: 422 names no field, line or column: %s", req, body, r.body)
		}
	}
}

// hasEmptyKey reports whether a JSON document has an object key "" at any
// depth.
func hasEmptyKey(body []byte) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "" || walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
