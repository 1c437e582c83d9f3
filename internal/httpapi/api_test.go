package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/httpapi"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
	"settle/internal/testutil/testenv"
)

type client struct {
	t     *testing.T
	base  string
	token string
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.Body)
	}
	return m
}

// decode unmarshals the JSON body into v, failing the test when it is not
// JSON of that shape: a dropped error would leave v zero, and the test
// would go on comparing zero values.
func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("status %d, body not JSON of %T: %v\n%.500s", r.Status, v, err, r.Body)
	}
}

func (c *client) do(method, path, body string, headers ...string) resp {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// setup starts the API on a fresh SQLite store and returns clients per role.
func setup(t *testing.T) (admin, agent, viewer, anon *client) {
	t.Helper()
	return setupOn(t, testutil.SQLite(t))
}

func setupOn(t *testing.T, st store.Store) (admin, agent, viewer, anon *client) {
	t.Helper()
	return setupWith(t, st, testutil.Clock)
}

func setupWith(t *testing.T, st store.Store, now func() time.Time) (admin, agent, viewer, anon *client) {
	t.Helper()
	svc := service.New(st, now)
	srv := httptest.NewServer(httpapi.New(svc, nil).Handler())
	t.Cleanup(srv.Close)
	tok := func(role string) string {
		secret, _, err := svc.CreateToken(testutil.Admin(context.Background()), role, role)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	return &client{t, srv.URL, tok("admin")}, &client{t, srv.URL, tok("agent")}, &client{t, srv.URL, tok("viewer")}, &client{t, srv.URL, ""}
}

func want(t *testing.T, r resp, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
}

func TestAPI_AuthAndRoles(t *testing.T) {
	_, agent, viewer, anon := setup(t)
	r := anon.do("GET", "/v1/customers", "")
	want(t, r, 401)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("content type %q", ct)
	}
	bad := &client{t, anon.base, "stl_notarealtoken"}
	want(t, bad.do("GET", "/v1/customers", ""), 401)
	want(t, viewer.do("GET", "/v1/customers", ""), 200)
	r = viewer.do("POST", "/v1/customers", `{"name":"X"}`)
	want(t, r, 403)
	if p := r.json(t); p["status"].(float64) != 403 || p["type"] == "" || p["title"] != "Forbidden" {
		t.Errorf("problem = %v", p)
	}
	want(t, agent.do("POST", "/v1/customers", `{"name":"X"}`), 201)
	// Health and the OpenAPI document need no token.
	want(t, anon.do("GET", "/healthz", ""), 200)
	want(t, anon.do("GET", "/openapi.json", ""), 200)
}

func TestAPI_ValidationNamesEveryField(t *testing.T) {
	_, agent, _, _ := setup(t)
	r := agent.do("POST", "/v1/customers", `{"name":"","email":"not-an-email","time_zone":"Mars/Base","kind":"robot","payment_terms_days":-1}`)
	want(t, r, 422)
	var p struct {
		Errors []struct{ Field, Message string }
	}
	r.decode(t, &p)
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	sort.Strings(fields)
	if diff := cmp.Diff([]string{"email", "kind", "name", "payment_terms_days", "time_zone"}, fields); diff != "" {
		t.Fatalf("fields (-want +got):\n%s\n%s", diff, r.Body)
	}
	// Schema-level problems (a required field missing, a wrong type) name the field too.
	r = agent.do("POST", "/v1/invoices", `{"number":"A","customer_id":"x","issue_date":"2026-01-01","currency":"USD","amount":12.5}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"amount"`) {
		t.Fatalf("body %s", r.Body)
	}
	r = agent.do("POST", "/v1/invoices", `{"number":"A","customer_id":"nobody","issue_date":"2026-01-01","currency":"USD","amount":"1.001"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"amount"`) || !strings.Contains(string(r.Body), "at most 2 decimal places") {
		t.Fatalf("body %s", r.Body)
	}
	want(t, agent.do("POST", "/v1/customers", `{"name":`), 400)
}

func TestAPI_LedgerFlow(t *testing.T) {
	_, agent, viewer, _ := setup(t)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Müller GmbH","external_ref":"MUE","time_zone":"Europe/Berlin","jurisdiction":"DE","payment_terms_days":14}`), 201)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Other","external_ref":"MUE"}`), 409)
	want(t, viewer.do("GET", "/v1/customers/MUE", ""), 200)
	want(t, viewer.do("GET", "/v1/customers/cus_01J00000000000000000000000", ""), 404)

	// Due date defaults to issue date + the customer's 14 days of terms.
	r := agent.do("POST", "/v1/invoices", `{"number":"R-1","customer_id":"MUE","issue_date":"2026-03-01","currency":"EUR","amount":"1000"}`)
	want(t, r, 201)
	inv := r.json(t)
	if inv["due_date"] != "2026-03-15" || inv["amount"] != "1000.00" || inv["balance"] != "1000.00" || inv["status"] != "open" {
		t.Fatalf("invoice = %v", inv)
	}
	want(t, agent.do("POST", "/v1/invoices", `{"number":"R-2","customer_id":"MUE","issue_date":"2026-03-10","due_date":"2026-04-09","currency":"EUR","amount":"250.50"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"R-1","customer_id":"MUE","issue_date":"2026-03-01","currency":"EUR","amount":"1"}`), 409)

	// 1,100.00 pays R-1 (oldest due) and 100.00 of R-2.
	r = agent.do("POST", "/v1/payments", `{"customer_id":"MUE","received_on":"2026-03-20","currency":"EUR","amount":"1100.00","reference":"SEPA-1"}`)
	want(t, r, 201)
	var pay struct {
		Amount, Unapplied string
		Allocations       []struct{ InvoiceID, Amount, AppliedOn string } `json:"allocations"`
	}
	r.decode(t, &pay)
	if pay.Amount != "1100.00" || pay.Unapplied != "0.00" || len(pay.Allocations) != 2 || pay.Allocations[0].Amount != "1000.00" {
		t.Fatalf("payment = %s", r.Body)
	}
	r = viewer.do("GET", "/v1/invoices/R-2", "")
	if b := r.json(t)["balance"]; b != "150.50" {
		t.Fatalf("R-2 balance = %v", b)
	}
	// Position and aging as of 2026-04-20: R-2 due 2026-04-09 is 11 days past due.
	r = viewer.do("GET", "/v1/customers/MUE/position?as_of=2026-04-20", "")
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"overdue":"150.50"`) || !strings.Contains(string(r.Body), `"days_overdue":11`) {
		t.Fatalf("position = %s", r.Body)
	}
	r = viewer.do("GET", "/v1/reports/aging?as_of=2026-04-20", "")
	want(t, r, 200)
	var aging struct {
		AsOf   string           `json:"as_of"`
		Totals []map[string]any `json:"totals"`
	}
	r.decode(t, &aging)
	wantTotals := map[string]any{"currency": "EUR", "current": "0.00", "days_1_30": "150.50", "days_31_60": "0.00", "days_61_90": "0.00", "days_over_90": "0.00", "total": "150.50"}
	if aging.AsOf != "2026-04-20" || len(aging.Totals) != 1 || !cmp.Equal(aging.Totals[0], wantTotals) {
		t.Fatalf("aging = %s", r.Body)
	}
	// KPIs for March: sales 1,250.50; AR at 31 March 150.50, all current (R-2 due 9 April).
	r = viewer.do("GET", "/v1/reports/kpis?from=2026-03-01&to=2026-03-31", "")
	want(t, r, 200)
	k := r.json(t)
	// DSO = 150.50 / 1250.50 × 31 = 3.73 → 3.7; best DSO the same; ADD 0.0; CEI = (0 + 1250.50 − 150.50) / (0 + 1250.50 − 150.50) = 100.0
	if k["dso"] != 3.7 || k["best_dso"] != 3.7 || k["add"] != 0.0 || k["cei"] != 100.0 || k["currency"] != "EUR" {
		t.Fatalf("kpis = %v", k)
	}
	want(t, viewer.do("GET", "/v1/reports/kpis?from=2026-03-31&to=2026-03-01", ""), 422)
	want(t, viewer.do("GET", "/v1/reports/aging?as_of=yesterday", ""), 422)
}

func TestAPI_ImportCSV(t *testing.T) {
	_, agent, _, _ := setup(t)
	r := agent.do("POST", "/v1/imports/customers", "external_ref,name\nA,Alpha\nB,Beta\n", "Content-Type", "text/csv")
	want(t, r, 200)
	if m := r.json(t); m["inserted"].(float64) != 2 {
		t.Fatalf("result = %v", m)
	}
	r = agent.do("POST", "/v1/imports/invoices", "number,customer_ref,issue_date,due_date,currency,amount\nI1,A,2026-01-01,2026-01-31,USD,5\nI2,Z,2026-01-01,2026-01-31,USD,5\nI3,A,01/01/2026,2026-01-31,USD,5\n", "Content-Type", "text/csv")
	want(t, r, 422)
	var p struct {
		Errors []struct {
			Line            int
			Column, Message string
		}
	}
	r.decode(t, &p)
	if len(p.Errors) != 2 || p.Errors[0].Line != 3 || p.Errors[0].Column != "customer_ref" || p.Errors[1].Line != 4 || p.Errors[1].Column != "issue_date" {
		t.Fatalf("errors = %s", r.Body)
	}
	r = agent.do("POST", "/v1/imports/invoices?date_format=DD/MM/YYYY&map=Client=customer_ref", "number,Client,issue_date,due_date,currency,amount\nI1,A,01/01/2026,31/01/2026,USD,5\n", "Content-Type", "text/csv")
	want(t, r, 200)
	want(t, agent.do("POST", "/v1/imports/refunds", "x\n", "Content-Type", "text/csv"), 422)
}

func TestAPI_IdempotencyKey(t *testing.T) {
	_, agent, _, _ := setup(t)
	body := `{"name":"Once","external_ref":"ONCE"}`
	first := agent.do("POST", "/v1/customers", body, "Idempotency-Key", "k-1")
	want(t, first, 201)
	again := agent.do("POST", "/v1/customers", body, "Idempotency-Key", "k-1")
	want(t, again, 201)
	if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	want(t, agent.do("POST", "/v1/customers", `{"name":"Other"}`, "Idempotency-Key", "k-1"), 422)
	r := agent.do("GET", "/v1/customers", "")
	if n := len(r.json(t)["data"].([]any)); n != 1 {
		t.Fatalf("%d customers, want 1", n)
	}
}

func TestAPI_Pagination(t *testing.T) {
	_, agent, viewer, _ := setup(t)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		want(t, agent.do("POST", "/v1/customers", `{"name":"`+n+`"}`), 201)
	}
	var names []string
	cursor, pages := "", 0
	for {
		r := viewer.do("GET", "/v1/customers?limit=2&cursor="+cursor, "")
		want(t, r, 200)
		var page struct {
			Data       []struct{ Name string }
			NextCursor string `json:"next_cursor"`
		}
		r.decode(t, &page)
		for _, c := range page.Data {
			names = append(names, c.Name)
		}
		pages++
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, names); diff != "" || pages != 3 {
		t.Fatalf("pages %d, names (-want +got):\n%s", pages, diff)
	}
	want(t, viewer.do("GET", "/v1/customers?limit=501", ""), 422)

	// ?q= searches names (and refs), ASCII case ignored.
	want(t, agent.do("POST", "/v1/customers", `{"name":"Delta Dairies","external_ref":"DD-7"}`), 201)
	for q, wantNames := range map[string][]string{"DELTA": {"Delta Dairies"}, "dd-7": {"Delta Dairies"}, "e": {"e", "Delta Dairies"}, "zz": nil} {
		r := viewer.do("GET", "/v1/customers?q="+url.QueryEscape(q), "")
		want(t, r, 200)
		var page struct{ Data []struct{ Name string } }
		r.decode(t, &page)
		var got []string
		for _, c := range page.Data {
			got = append(got, c.Name)
		}
		if diff := cmp.Diff(wantNames, got); diff != "" {
			t.Errorf("?q=%s (-want +got):\n%s", q, diff)
		}
	}
}

// TestAPI_OpenAPIMatchesServer checks that every operation in the served
// document answers (no 404/405 from the router), and that the contract's
// paths are documented.
func TestAPI_OpenAPIMatchesServer(t *testing.T) {
	admin, _, _, anon := setup(t)
	r := anon.do("GET", "/openapi.json", "")
	want(t, r, 200)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	for _, p := range []string{"/v1/customers", "/v1/customers/{id}", "/v1/customers/{id}/position", "/v1/invoices", "/v1/invoices/{id}",
		"/v1/payments", "/v1/imports/{kind}", "/v1/reports/aging", "/v1/reports/kpis"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("contract path %s is not in the OpenAPI document", p)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			concrete := strings.NewReplacer("{id}", "nope", "{kind}", "invoices").Replace(path)
			r := admin.do(strings.ToUpper(method), concrete, "")
			if r.Status == 405 || (r.Status == 404 && !strings.Contains(string(r.Body), "not found")) {
				t.Errorf("%s %s: router answered %d", method, path, r.Status)
			}
			// An empty body, an unknown id or a missing parameter is the
			// caller's mistake: never a server error.
			if r.Status >= 500 {
				t.Errorf("%s %s: %d %.300s", method, concrete, r.Status, r.Body)
			}
		}
	}
}

func TestAPI_Metrics(t *testing.T) {
	_, _, viewer, anon := setup(t)
	viewer.do("GET", "/v1/customers", "")
	r := anon.do("GET", "/metrics", "")
	want(t, r, 200)
	// The status label is the numeric code (it was the status text before issue 8).
	if !strings.Contains(string(r.Body), `settle_http_requests_total{method="GET",route="GET /v1/customers",status="200"} 1`) {
		t.Fatalf("metrics lack the request count:\n%.2000s", r.Body)
	}
}

func TestAPI_AuditLog(t *testing.T) {
	admin, agent, viewer, _ := setup(t)
	r := agent.do("POST", "/v1/customers", `{"name":"Audited","external_ref":"AUD"}`)
	want(t, r, 201)
	id := r.json(t)["id"].(string)
	want(t, agent.do("PATCH", "/v1/customers/AUD", `{"email":"a@example.com"}`), 200)
	want(t, viewer.do("GET", "/v1/audit", ""), 403)
	r = admin.do("GET", "/v1/audit?object_id="+id, "")
	want(t, r, 200)
	var list struct {
		Data []struct {
			Action, Actor string
			Detail        map[string]any
		}
	}
	r.decode(t, &list)
	if len(list.Data) != 2 || list.Data[0].Action != "customer.create" || list.Data[1].Action != "customer.update" ||
		!strings.HasPrefix(list.Data[0].Actor, "token:tok_") || list.Data[1].Detail["email"] != "a@example.com" {
		t.Fatalf("audit = %s", r.Body)
	}
}

// TestAPI_CommittedOpenAPIIsCurrent keeps docs/openapi.json equal to what
// the server serves (regenerate with `make generate`).
func TestAPI_CommittedOpenAPIIsCurrent(t *testing.T) {
	_, _, _, anon := setup(t)
	served := anon.do("GET", "/openapi.json", "").json(t)
	b, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatalf("%v (run make generate)", err)
	}
	var committed map[string]any
	if err := json.Unmarshal(b, &committed); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(committed, served); diff != "" {
		t.Fatalf("docs/openapi.json is stale; run make generate (-committed +served):\n%.3000s", diff)
	}
}

// TestAPI_IdempotencyKeyConcurrent sends the same keyed write 20 times at
// once: it must run exactly once; the others replay it or are told it is
// still in progress.
func TestAPI_IdempotencyKeyConcurrent(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			_, agent, _, _ := setupOn(t, open(t))
			body := `{"customer_id":"C","received_on":"2026-03-01","currency":"USD","amount":"10.00"}`
			want(t, agent.do("POST", "/v1/customers", `{"name":"C","external_ref":"C"}`), 201)
			var wg sync.WaitGroup
			statuses := make([]int, 20)
			for i := range statuses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = agent.do("POST", "/v1/payments", body, "Idempotency-Key", "pay-once").Status
				}()
			}
			wg.Wait()
			for _, st := range statuses {
				if st != 201 && st != 409 {
					t.Fatalf("statuses %v: want only 201 and 409", statuses)
				}
			}
			r := agent.do("GET", "/v1/payments", "")
			if n := len(r.json(t)["data"].([]any)); n != 1 {
				t.Fatalf("%d payments recorded, want 1 (statuses %v)", n, statuses)
			}
			// Once finished, the key replays.
			again := agent.do("POST", "/v1/payments", body, "Idempotency-Key", "pay-once")
			if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("replay: %d %v", again.Status, again.Header)
			}
		})
	}
}

func TestAPI_PlanQuote(t *testing.T) {
	_, _, viewer, _ := setup(t)
	type inst struct {
		Seq                         int
		DueDate                     string `json:"due_date"`
		Amount, Principal, Interest string
	}
	type sched struct {
		Currency, Balance, Total, Interest string
		Installments                       []inst
		Alternatives                       []struct {
			Label        string
			Extra        string
			Installments int
			Fewer        int `json:"fewer_installments"`
			DaysSooner   int `json:"days_sooner"`
		}
	}
	quote := func(body string) (resp, sched) {
		t.Helper()
		r := viewer.do("POST", "/v1/plans/quote", body)
		var s sched
		r.decode(t, &s)
		return r, s
	}

	// 1,000.00 in 3: 333.33 twice and the remaining cent in the last; month ends clamp.
	r, s := quote(`{"balance":"1000.00","currency":"USD","installments":3,"frequency":"monthly","start_date":"2026-12-31","as_of":"2026-12-01"}`)
	want(t, r, 200)
	got := []inst{}
	for _, i := range s.Installments {
		got = append(got, inst{Seq: i.Seq, DueDate: i.DueDate, Amount: i.Amount, Principal: i.Principal, Interest: i.Interest})
	}
	wantInst := []inst{{1, "2026-12-31", "333.33", "333.33", "0.00"}, {2, "2027-01-31", "333.33", "333.33", "0.00"}, {3, "2027-02-28", "333.34", "333.34", "0.00"}}
	if diff := cmp.Diff(wantInst, got); diff != "" || s.Total != "1000.00" || s.Currency != "USD" {
		t.Fatalf("schedule (-want +got):\n%s\n%s", diff, r.Body)
	}

	// 10,000.00 at 12% a year over 12 months: PMT = 888.49 (LibreOffice =PMT(0.01;12;-10000) = 888.4879);
	// month 1 interest = 1% of 10,000.00 = 100.00, principal 788.49.
	r, s = quote(`{"balance":"10000.00","currency":"USD","installments":12,"start_date":"2027-01-15","annual_rate":"0.12","as_of":"2026-12-01"}`)
	want(t, r, 200)
	if first := s.Installments[0]; first.Amount != "888.49" || first.Interest != "100.00" || first.Principal != "788.49" {
		t.Fatalf("first installment %+v", first)
	}
	var principal int64
	for _, i := range s.Installments {
		m, err := money.Parse(i.Principal, "USD")
		if err != nil {
			t.Fatal(err)
		}
		principal += m.Minor()
	}
	if principal != 1000000 || len(s.Installments) != 12 {
		t.Fatalf("principal sums to %d minor over %d installments", principal, len(s.Installments))
	}

	// 1,200.00 in 12 × 100.00 from 2027-01-15 (last 2027-12-15). +10 → 110.00: ceil(1200/110) = 11, ends 2027-11-15, 30 days sooner;
	// +15 → 115.00: 11 installments (10 × 115 + 50), 30 days; +25 → 125.00: 10 (9 × 125 + 75), ends 2027-10-15, 61 days sooner.
	r, s = quote(`{"balance":"1200.00","currency":"USD","installments":12,"start_date":"2027-01-15","as_of":"2026-12-01"}`)
	want(t, r, 200)
	type alt struct {
		Extra          string
		N, Fewer, Days int
	}
	var alts []alt
	for _, a := range s.Alternatives {
		alts = append(alts, alt{a.Extra, a.Installments, a.Fewer, a.DaysSooner})
		if !strings.Contains(a.Label, a.Extra) {
			t.Errorf("label %q does not name the extra %s", a.Label, a.Extra)
		}
	}
	if diff := cmp.Diff([]alt{{"10.00", 11, 1, 30}, {"15.00", 11, 1, 30}, {"25.00", 10, 2, 61}}, alts); diff != "" {
		t.Fatalf("alternatives (-want +got):\n%s\n%s", diff, r.Body)
	}

	// Bad input names every field.
	r, _ = quote(`{"balance":"12.345","currency":"USD","frequency":"daily","start_date":"2026-11-01","as_of":"2026-12-01"}`)
	want(t, r, 422)
	for _, f := range []string{`"field":"balance"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("missing %s in %s", f, r.Body)
		}
	}
	r, _ = quote(`{"balance":"100.00","currency":"USD","frequency":"daily","start_date":"2026-11-01","as_of":"2026-12-01"}`)
	want(t, r, 422)
	for _, f := range []string{`"field":"frequency"`, `"field":"start_date"`, `"field":"installments"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("missing %s in %s", f, r.Body)
		}
	}
	// 50.00 a month never pays off 10,000.00 at 12% (interest alone is 100.00).
	r, _ = quote(`{"balance":"10000.00","currency":"USD","installment_amount":"50.00","annual_rate":"0.12","start_date":"2027-01-15","as_of":"2026-12-01"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"installment_amount"`) {
		t.Errorf("body %s", r.Body)
	}
	r, _ = quote(`{"balance":"100.00","currency":"USD","installments":2,"annual_rate":"1e-2","start_date":"2027-01-15"}`)
	want(t, r, 422)
}

func TestAPI_Promises(t *testing.T) {
	_, agent, viewer, _ := setup(t) // the service clock reads 2026-06-01
	want(t, agent.do("POST", "/v1/customers", `{"name":"Promiser","external_ref":"PRM"}`), 201)
	// 500.00 promised on 1 March for 15 March; nothing paid by 1 June: broken.
	r := agent.do("POST", "/v1/promises", `{"customer_id":"PRM","currency":"USD","amount":"500.00","promised_on":"2026-03-01","due_date":"2026-03-15","channel":"call","note":"after payroll"}`)
	want(t, r, 201)
	if p := r.json(t); p["status"] != "broken" || p["paid"] != "0.00" || p["as_of"] != "2026-06-01" {
		t.Fatalf("promise = %s", r.Body)
	}
	// 100.00 promised today for 1 July: open.
	want(t, agent.do("POST", "/v1/promises", `{"customer_id":"PRM","currency":"USD","amount":"100.00","due_date":"2026-07-01"}`), 201)
	// 200.00 on 5 March and 300.00 on 10 March keep the first promise as of 12 March.
	want(t, agent.do("POST", "/v1/payments", `{"customer_id":"PRM","received_on":"2026-03-05","currency":"USD","amount":"200.00"}`), 201)
	want(t, agent.do("POST", "/v1/payments", `{"customer_id":"PRM","received_on":"2026-03-10","currency":"USD","amount":"300.00"}`), 201)
	statuses := func(query string) []string {
		t.Helper()
		r := viewer.do("GET", "/v1/promises?"+query, "")
		want(t, r, 200)
		var l struct {
			Data []struct{ Status, Paid, Amount string }
		}
		r.decode(t, &l)
		var out []string
		for _, p := range l.Data {
			out = append(out, p.Amount+" "+p.Status+" "+p.Paid)
		}
		return out
	}
	if diff := cmp.Diff([]string{"500.00 kept 500.00", "100.00 open 0.00"}, statuses("customer_id=PRM&as_of=2026-06-01")); diff != "" {
		t.Errorf("as of 1 June (-want +got):\n%s", diff)
	}
	// As of 8 March only 200.00 had come in: the first promise was still open, the second not yet made.
	if diff := cmp.Diff([]string{"500.00 open 200.00"}, statuses("as_of=2026-03-08")); diff != "" {
		t.Errorf("as of 8 March (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"100.00 broken 0.00"}, statuses("status=broken&as_of=2026-07-02")); diff != "" {
		t.Errorf("broken as of 2 July (-want +got):\n%s", diff)
	}
	want(t, viewer.do("GET", "/v1/promises?status=maybe", ""), 422)
	want(t, viewer.do("POST", "/v1/promises", `{"customer_id":"PRM","currency":"USD","amount":"1.00","due_date":"2026-07-01"}`), 403)
	r = agent.do("POST", "/v1/promises", `{"customer_id":"PRM","currency":"USD","amount":"-1.00","promised_on":"2026-03-10","due_date":"2026-03-01","channel":"pigeon"}`)
	want(t, r, 422)
	for _, f := range []string{`"field":"amount"`, `"field":"due_date"`, `"field":"channel"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("missing %s in %s", f, r.Body)
		}
	}
	r = agent.do("POST", "/v1/promises", `{"customer_id":"NOBODY","currency":"USD","amount":"1.00","due_date":"2026-07-01"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"customer_id"`) {
		t.Errorf("body %s", r.Body)
	}
}

// TestAPI_PlanLifecycle: propose → accept → pay → statuses as of dates → default.
// The service clock reads 2026-06-01; 400.00 over two invoices in 4 monthly
// installments of 100.00 from 10 June; grace 5 days, fee 15.00, default at
// the 2nd miss.
func TestAPI_PlanLifecycle(t *testing.T) {
	var mu sync.Mutex
	today := testutil.Clock()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return today }
	setClock := func(d string) { mu.Lock(); defer mu.Unlock(); today, _ = time.Parse(time.DateOnly, d) }
	_, agent, viewer, _ := setupWith(t, testutil.SQLiteAt(t, clock), clock)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Planner","external_ref":"PL"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"PL-1","customer_id":"PL","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"USD","amount":"300.00"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"PL-2","customer_id":"PL","issue_date":"2026-04-01","due_date":"2026-05-01","currency":"USD","amount":"100.00"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"PL-EUR","customer_id":"PL","issue_date":"2026-04-01","due_date":"2026-05-01","currency":"EUR","amount":"10.00"}`), 201)

	body := `{"customer_id":"PL","invoice_ids":["PL-1","PL-2"],"installments":4,"frequency":"monthly","start_date":"2026-06-10",
		"late_fee":"15.00","grace_days":5,"default_after_missed":2,"methods":["bank_transfer","card"],
		"concessions":[{"kind":"fee_waived","amount":"45.00"}]}`
	r := agent.do("POST", "/v1/plans", body)
	want(t, r, 201)
	var p struct {
		ID, Status, Balance, Total, Paid, Fees string
		Missed                                 int    `json:"missed_installments"`
		DefaultedOn                            string `json:"defaulted_on"`
		Installments                           []struct {
			DueDate string `json:"due_date"`
			Amount  string
			Paid    string
			Status  string
		}
		Concessions []struct{ Kind, Amount, Text string }
		Acceptance  *struct{ By, Channel, IP string }
	}
	r.decode(t, &p)
	if p.Status != "proposed" || p.Balance != "400.00" || len(p.Installments) != 4 || p.Installments[3].DueDate != "2026-09-10" ||
		p.Installments[0].Status != "pending" || len(p.Concessions) != 1 || p.Concessions[0].Text != "Late fees waived" {
		t.Fatalf("proposed plan = %s", r.Body)
	}
	id := p.ID

	// The same invoice cannot be in two open plans; bad terms name their fields.
	want(t, agent.do("POST", "/v1/plans", body), 409)
	r = agent.do("POST", "/v1/plans", `{"customer_id":"PL","invoice_ids":["PL-EUR","NOPE"],"installments":2,"start_date":"2026-06-10"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `unknown invoice \"NOPE\"`) {
		t.Errorf("body %s", r.Body)
	}
	want(t, agent.do("POST", "/v1/invoices", `{"number":"PL-3","customer_id":"PL","issue_date":"2026-04-01","due_date":"2026-05-01","currency":"USD","amount":"50.00"}`), 201)
	r = agent.do("POST", "/v1/plans", `{"customer_id":"PL","invoice_ids":["PL-3","PL-EUR"],"installments":2,"start_date":"2026-06-10"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), "a plan has one currency") {
		t.Errorf("currency mix: %s", r.Body)
	}
	want(t, agent.do("POST", "/v1/plans", `{"customer_id":"PL","invoice_ids":["PL-3"],"installments":2,"start_date":"2026-06-10","early_payoff_discount":"0.9"}`), 422)
	r = agent.do("POST", "/v1/plans", `{"customer_id":"PL","invoice_ids":["PL-3"],"start_date":"2026-05-01"}`)
	want(t, r, 422)
	for _, f := range []string{`"field":"installments"`, `"field":"start_date"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("missing %s in %s", f, r.Body)
		}
	}

	// Acceptance: by whom, how, from where; only once.
	want(t, viewer.do("POST", "/v1/plans/"+id+"/accept", `{"accepted_by":"Pat","channel":"portal"}`), 403)
	want(t, agent.do("POST", "/v1/plans/"+id+"/accept", `{"accepted_by":"Pat","channel":"fax"}`), 422)
	r = agent.do("POST", "/v1/plans/"+id+"/accept", `{"accepted_by":"Pat Planner","channel":"portal"}`)
	want(t, r, 200)
	r.decode(t, &p)
	if p.Status != "active" || p.Acceptance == nil || p.Acceptance.By != "Pat Planner" || p.Acceptance.IP != "127.0.0.1" {
		t.Fatalf("accepted plan = %s", r.Body)
	}
	want(t, agent.do("POST", "/v1/plans/"+id+"/accept", `{"accepted_by":"Pat Planner","channel":"portal"}`), 409)

	// 8 June 100.00 pays #1 early; 12 July 60.00 is part of #2 (due 10 July).
	want(t, agent.do("POST", "/v1/payments", `{"customer_id":"PL","received_on":"2026-06-08","currency":"USD","amount":"100.00","allow_future":true}`), 201)
	want(t, agent.do("POST", "/v1/payments", `{"customer_id":"PL","received_on":"2026-07-12","currency":"USD","amount":"60.00","allow_future":true}`), 201)
	asOf := func(d string) {
		t.Helper()
		r := viewer.do("GET", "/v1/plans/"+id+"?as_of="+d, "")
		want(t, r, 200)
		p.DefaultedOn = ""
		r.decode(t, &p)
	}
	states := func() string {
		var out []string
		for _, i := range p.Installments {
			out = append(out, i.Status+":"+i.Paid)
		}
		return strings.Join(out, " ")
	}
	asOf("2026-07-13")
	if states() != "paid:100.00 late:60.00 due:0.00 due:0.00" || p.Status != "active" || p.Paid != "160.00" {
		t.Errorf("13 July: %s %s paid %s", p.Status, states(), p.Paid)
	}
	// #2 is missed from 16 July (10 July + 5 + 1): one fee.
	asOf("2026-07-16")
	if states() != "paid:100.00 missed:60.00 due:0.00 due:0.00" || p.Missed != 1 || p.Fees != "15.00" || p.Status != "active" {
		t.Errorf("16 July: %s %s missed %d fees %s", p.Status, states(), p.Missed, p.Fees)
	}
	// #3 (due 10 August) missed on 16 August: the second miss defaults the plan.
	asOf("2026-08-16")
	if p.Status != "defaulted" || p.DefaultedOn != "2026-08-16" || p.Missed != 2 || p.Fees != "30.00" {
		t.Errorf("16 August: %s on %q, missed %d fees %s", p.Status, p.DefaultedOn, p.Missed, p.Fees)
	}
	// On 15 August it was still active.
	asOf("2026-08-15")
	if p.Status != "active" {
		t.Errorf("15 August: %s", p.Status)
	}

	// 20 August: renegotiate what is still owed, 400.00 − 160.00 = 240.00, in two installments.
	setClock("2026-08-20")
	r = agent.do("POST", "/v1/plans/"+id+"/renegotiate", `{"installments":2,"start_date":"2026-09-01","late_fee":"15.00"}`)
	want(t, r, 201)
	var v2 struct {
		ID, Status, Balance string
		SupersedesID        string `json:"supersedes_id"`
		Version             int
	}
	r.decode(t, &v2)
	var fields map[string]any
	if v2.Status != "proposed" || v2.Balance != "240.00" || v2.Version != 2 || v2.SupersedesID != id {
		t.Fatalf("renegotiated plan = %s", r.Body)
	}
	// The old version is kept, superseded, and takes no more payments or changes.
	asOf("2026-08-20")
	if p.Status != "superseded" {
		t.Errorf("old plan status %s", p.Status)
	}
	payments := func() int {
		t.Helper()
		return len(viewer.do("GET", "/v1/payments?customer_id=PL", "").json(t)["data"].([]any))
	}
	before := payments()
	want(t, agent.do("POST", "/v1/payments", `{"customer_id":"PL","received_on":"2026-08-20","currency":"USD","amount":"10.00","plan_id":"`+id+`"}`), 409)
	if after := payments(); after != before {
		t.Errorf("a refused payment changed the ledger: %d payments, then %d", before, after)
	}
	want(t, agent.do("POST", "/v1/plans/"+id+"/accept", `{"accepted_by":"Pat","channel":"portal"}`), 409)
	want(t, agent.do("POST", "/v1/plans/"+id+"/cancel", `{}`), 409)

	// The customer accepts version 2 and pays it: 120.00 on 1 September, 120.00 on 25 September.
	want(t, agent.do("POST", "/v1/plans/"+v2.ID+"/accept", `{"accepted_by":"Pat Planner","channel":"email"}`), 200)
	want(t, agent.do("POST", "/v1/payments", `{"customer_id":"PL","received_on":"2026-09-01","currency":"USD","amount":"120.00","plan_id":"`+v2.ID+`","allow_future":true}`), 201)
	want(t, agent.do("POST", "/v1/payments", `{"customer_id":"PL","received_on":"2026-09-25","currency":"USD","amount":"120.00","plan_id":"`+v2.ID+`","allow_future":true}`), 201)
	r = viewer.do("GET", "/v1/plans/"+v2.ID+"?as_of=2026-10-01", "")
	want(t, r, 200)
	r.decode(t, &fields)
	if fields["status"] != "completed" || fields["completed_on"] != "2026-09-25" || fields["outstanding"] != "0.00" {
		t.Errorf("version 2 on 1 October: %s", r.Body)
	}
	// The invoices are paid.
	for _, n := range []string{"PL-1", "PL-2"} {
		if st := viewer.do("GET", "/v1/invoices/"+n, "").json(t)["status"]; st != "paid" {
			t.Errorf("%s is %v", n, st)
		}
	}
	// What happened is recorded: each event once, on its date.
	events := func(planID string) []string {
		t.Helper()
		var v struct{ Events []struct{ Kind, On string } }
		viewer.do("GET", "/v1/plans/"+planID, "").decode(t, &v)
		var out []string
		for _, e := range v.Events {
			out = append(out, e.Kind+" "+e.On)
		}
		return out
	}
	if diff := cmp.Diff([]string{"plan_proposed 2026-06-01", "plan_accepted 2026-06-01", "plan_superseded 2026-08-20"}, events(id)); diff != "" {
		t.Errorf("version 1 events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"plan_proposed 2026-08-20", "plan_accepted 2026-08-20", "plan_completed 2026-09-25"}, events(v2.ID)); diff != "" {
		t.Errorf("version 2 events (-want +got):\n%s", diff)
	}
	// A plan whose invoices are settled has nothing to renegotiate.
	want(t, agent.do("POST", "/v1/plans/"+v2.ID+"/renegotiate", `{"installments":2,"start_date":"2026-11-01"}`), 409)
	want(t, viewer.do("GET", "/v1/plans/pln_01J00000000000000000000000", ""), 404)
}

// TestAPI_PlanAgreementPDF reads the written agreement back with pdftotext.
func TestAPI_PlanAgreementPDF(t *testing.T) {
	pdftotext := testenv.Tool(t, "pdftotext", "poppler-utils")
	_, agent, viewer, _ := setup(t)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Müller & Söhne GmbH — Łódź","external_ref":"MS"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"MS-1","customer_id":"MS","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"EUR","amount":"1234.56"}`), 201)
	r := agent.do("POST", "/v1/plans", `{"customer_id":"MS","invoice_ids":["MS-1"],"installments":12,"start_date":"2026-06-30","down_payment":"234.56",
		"late_fee":"15.00","early_payoff_discount":"0.02","concessions":[{"kind":"fee_waived","amount":"45.00"}]}`)
	want(t, r, 201)
	var p struct {
		ID           string
		Installments []struct {
			DueDate string `json:"due_date"`
			Amount  string
		}
	}
	r.decode(t, &p)
	text := func() string {
		t.Helper()
		r := viewer.do("GET", "/v1/plans/"+p.ID+"/agreement.pdf", "")
		want(t, r, 200)
		if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || len(r.Body) > 100_000 || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("content type %q, %d bytes", ct, len(r.Body))
		}
		f := t.TempDir() + "/agreement.pdf"
		if err := os.WriteFile(f, r.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdftotext, "-layout", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	before := text()
	if !strings.Contains(before, "Not yet accepted") {
		t.Errorf("an unaccepted agreement does not say so:\n%s", before)
	}
	want(t, agent.do("POST", "/v1/plans/"+p.ID+"/accept", `{"accepted_by":"Greta Müller","channel":"email"}`), 200)
	got := text()
	if len(p.Installments) != 13 {
		t.Fatalf("%d installments, want the down payment and 12", len(p.Installments))
	}
	for _, in := range p.Installments {
		// The customer has no locale: English, dates as "30 Jun 2026" in the table.
		due, err := time.Parse(time.DateOnly, in.DueDate)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, due.Format("2 Jan 2006")) || !strings.Contains(got, in.Amount) {
			t.Errorf("the agreement lacks installment %s %s", due.Format("2 Jan 2006"), in.Amount)
		}
	}
	for _, s := range []string{"Müller & Söhne GmbH — Łódź", "MS-1", "1,234.56", "15.00", "Late fees waived", "45.00", "Greta Müller", "127.0.0.1", "2% of what remains is waived"} {
		if !strings.Contains(got, s) {
			t.Errorf("the agreement lacks %q", s)
		}
	}
	want(t, viewer.do("GET", "/v1/plans/pln_01J00000000000000000000000/agreement.pdf", ""), 404)
}
