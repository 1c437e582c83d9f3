package httpapi_test

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"testing"

	"settle/internal/store"
	"settle/internal/testutil"
)

// problemFields reads a 422 problem's errors as field (or line:column) →
// message.
func problemFields(t *testing.T, r resp) map[string]string {
	t.Helper()
	var p struct {
		Errors []struct {
			Field   string `json:"field"`
			Line    int    `json:"line"`
			Column  string `json:"column"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("not problem JSON: %v\n%s", err, r.Body)
	}
	out := map[string]string{}
	for _, e := range p.Errors {
		k := e.Field
		if e.Line != 0 {
			k = strconv.Itoa(e.Line) + ":" + e.Column
		}
		out[k] = e.Message
	}
	return out
}

// TestAPI_DateRange: dates at and beyond the supported range
// (1900-01-01 … 2199-12-31) through invoices, payments, report query
// parameters and a CSV import, on both stores. Inside: accepted (payments
// not in the future). Outside, or derived outside (a due date from payment
// terms): 422 naming the field or line and column, nothing written. Every
// report still answers at the edges. The test clock's today is 2026-06-01.
func TestAPI_DateRange(t *testing.T) {
	for name, open := range map[string]func(*testing.T) store.Store{"sqlite": testutil.SQLite, "postgres": testutil.Postgres} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			_, agent, _, _ := setupOn(t, st)
			want(t, agent.do("POST", "/v1/customers", `{"external_ref":"C","name":"Cara","payment_terms_days":30}`), 201)

			refused := func(what, method, path, body, key, inMsg string, ctype ...string) {
				t.Helper()
				before := testutil.Counts(t, st)
				r := agent.do(method, path, body, ctype...)
				if r.Status != 422 {
					t.Errorf("%s: status %d, want 422: %s", what, r.Status, r.Body)
					return
				}
				if msg, ok := problemFields(t, r)[key]; !ok || !strings.Contains(msg, inMsg) {
					t.Errorf("%s: errors %s, want %s containing %q", what, r.Body, key, inMsg)
				}
				if after := testutil.Counts(t, st); !maps.Equal(before, after) {
					t.Errorf("%s: rows changed %v → %v", what, before, after)
				}
			}
			const outside = "outside the supported dates 1900-01-01 to 2199-12-31"

			// Invoices.
			for _, d := range []string{"1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"} {
				refused("invoice issued "+d, "POST", "/v1/invoices",
					`{"number":"I-`+d+`","customer_id":"C","issue_date":"`+d+`","currency":"USD","amount":"10.00"}`, "issue_date", outside)
				refused("invoice due "+d, "POST", "/v1/invoices",
					`{"number":"I-`+d+`","customer_id":"C","issue_date":"2026-01-01","due_date":"`+d+`","currency":"USD","amount":"10.00"}`, "due_date", outside)
			}
			// 2199-12-31 + 30 days of terms is 2200-01-30: derived outside.
			refused("invoice due by terms after the range", "POST", "/v1/invoices",
				`{"number":"I-terms","customer_id":"C","issue_date":"2199-12-31","currency":"USD","amount":"10.00"}`, "due_date", "2199-12-31")
			for _, d := range []string{"1900-01-01", "2199-12-31"} {
				want(t, agent.do("POST", "/v1/invoices",
					`{"number":"I-`+d+`","customer_id":"C","issue_date":"`+d+`","due_date":"`+d+`","currency":"USD","amount":"10.00"}`), 201)
			}
			want(t, agent.do("POST", "/v1/invoices",
				`{"number":"I-terms-ok","customer_id":"C","issue_date":"2199-12-01","currency":"USD","amount":"10.00"}`), 201) // due 2199-12-31

			// Payments: the range, and not more than a day ahead of today.
			for _, d := range []string{"1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"} {
				refused("payment on "+d, "POST", "/v1/payments",
					`{"customer_id":"C","received_on":"`+d+`","currency":"USD","amount":"1.00"}`, "received_on", outside)
			}
			for _, d := range []string{"2199-12-31", "2026-06-03"} {
				refused("payment on "+d, "POST", "/v1/payments",
					`{"customer_id":"C","received_on":"`+d+`","currency":"USD","amount":"1.00"}`, "received_on", "future")
			}
			for _, d := range []string{"1900-01-01", "2026-06-02"} {
				want(t, agent.do("POST", "/v1/payments", `{"customer_id":"C","received_on":"`+d+`","currency":"USD","amount":"1.00"}`), 201)
			}
			// The explicit flag records a future payment, but not one
			// outside the range.
			want(t, agent.do("POST", "/v1/payments", `{"customer_id":"C","received_on":"2026-06-03","currency":"USD","amount":"1.00","allow_future":true}`), 201)
			refused("future payment outside the range", "POST", "/v1/payments",
				`{"customer_id":"C","received_on":"2200-01-01","currency":"USD","amount":"1.00","allow_future":true}`, "received_on", outside)

			// Report query parameters.
			for _, d := range []string{"1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"} {
				refused("kpis from "+d, "GET", "/v1/reports/kpis?from="+d+"&to=2026-05-31&currency=USD", "", "from", outside)
				refused("kpis to "+d, "GET", "/v1/reports/kpis?from=2026-01-01&to="+d+"&currency=USD", "", "to", outside)
				refused("aging as of "+d, "GET", "/v1/reports/aging?as_of="+d, "", "as_of", outside)
				refused("position as of "+d, "GET", "/v1/customers/C/position?as_of="+d, "", "as_of", outside)
			}
			refused("aging as of an instant in year 1", "GET", "/v1/reports/aging?as_of=0001-01-01T00:00:00Z", "", "as_of", outside)
			for _, d := range []string{"1900-01-01", "2199-12-31"} {
				want(t, agent.do("GET", "/v1/reports/aging?as_of="+d, ""), 200)
				want(t, agent.do("GET", "/v1/customers/C/position?as_of="+d, ""), 200)
			}
			want(t, agent.do("GET", "/v1/reports/kpis?from=1900-01-01&to=2199-12-31&currency=USD", ""), 200)

			// Plans: a schedule that would run past 2199-12-31 is refused
			// on start_date (installment 2 of 2199-12-15 monthly is
			// 2200-01-15); one that ends on the last day is fine.
			refused("quote past the range", "POST", "/v1/plans/quote",
				`{"balance":"100.00","currency":"USD","installments":2,"frequency":"monthly","start_date":"2199-12-15"}`, "start_date", "after 2199-12-31")
			refused("quote starting outside", "POST", "/v1/plans/quote",
				`{"balance":"100.00","currency":"USD","installments":2,"frequency":"monthly","start_date":"2200-01-01"}`, "start_date", outside)
			want(t, agent.do("POST", "/v1/plans/quote", `{"balance":"100.00","currency":"USD","installments":2,"frequency":"monthly","start_date":"2199-11-30","as_of":"2199-11-01"}`), 200)

			// The collections run at the edges: no 500.
			refused("run after the range", "POST", "/v1/runs", `{"as_of":"2200-01-01"}`, "as_of", outside)
			if r := agent.do("POST", "/v1/runs", `{"as_of":"2199-12-31"}`); r.Status != 200 && r.Status != 201 {
				t.Errorf("run as of 2199-12-31: %d %s", r.Status, r.Body)
			}

			// CSV imports: line and column, all rows or none.
			csv := "number,customer_ref,issue_date,due_date,currency,amount\nJ1,C,2026-01-01,2026-01-31,USD,5\nJ2,C,2200-01-01,,USD,5\nJ3,C,2026-01-01,0001-01-01,USD,5\n"
			before := testutil.Counts(t, st)
			r := agent.do("POST", "/v1/imports/invoices", csv, "Content-Type", "text/csv")
			if r.Status != 422 {
				t.Fatalf("import: status %d: %s", r.Status, r.Body)
			}
			fs := problemFields(t, r)
			if !strings.Contains(fs["3:issue_date"], outside) || !strings.Contains(fs["4:due_date"], outside) {
				t.Errorf("import errors %s", r.Body)
			}
			if after := testutil.Counts(t, st); !maps.Equal(before, after) {
				t.Errorf("import: rows changed %v → %v", before, after)
			}
			pay := "customer_ref,received_on,currency,amount,method,reference\nC,2026-05-01,USD,1,,\nC,1899-12-31,USD,1,,\nC,2030-01-01,USD,1,,\n"
			r = agent.do("POST", "/v1/imports/payments", pay, "Content-Type", "text/csv")
			if r.Status != 422 {
				t.Fatalf("payment import: status %d: %s", r.Status, r.Body)
			}
			fs = problemFields(t, r)
			if !strings.Contains(fs["3:received_on"], outside) || !strings.Contains(fs["4:received_on"], "future") {
				t.Errorf("payment import errors %s", r.Body)
			}
			if after := testutil.Counts(t, st); !maps.Equal(before, after) {
				t.Errorf("payment import: rows changed %v → %v", before, after)
			}
			bank := "date,amount,currency,reference\n2026-05-01,5.00,USD,x\n2200-01-01,5.00,USD,y\n1899-12-31,5.00,USD,z\n"
			r = agent.do("POST", "/v1/imports/bank-statement", bank, "Content-Type", "text/csv")
			if r.Status != 422 {
				t.Fatalf("bank import: status %d: %s", r.Status, r.Body)
			}
			fs = problemFields(t, r)
			if !strings.Contains(fs["3:date"], outside) || !strings.Contains(fs["4:date"], outside) {
				t.Errorf("bank import errors %s", r.Body)
			}
			if after := testutil.Counts(t, st); !maps.Equal(before, after) {
				t.Errorf("bank import: rows changed %v → %v", before, after)
			}
		})
	}
}

// TestAPI_InstantRange: instants given as input (an interaction's
// occurred_at, a follow-up's after) are bounded by the same date range:
// 422 naming the field, nothing written, never a 500.
func TestAPI_InstantRange(t *testing.T) {
	st := testutil.SQLite(t)
	_, agent, _, _ := setupOn(t, st)
	want(t, agent.do("POST", "/v1/customers", `{"external_ref":"C","name":"Cara"}`), 201)
	for _, tc := range []struct{ path, body, field string }{
		{"/v1/customers/C/interactions", `{"kind":"note","summary":"x","occurred_at":"0001-01-01T00:00:00Z"}`, "occurred_at"},
		{"/v1/customers/C/interactions", `{"kind":"note","summary":"x","occurred_at":"1899-12-31T23:59:59Z"}`, "occurred_at"},
		{"/v1/customers/C/follow-ups", `{"after":"9999-12-31T00:00:00Z"}`, "after"},
		{"/v1/messages?since=0001-01-01T00:00:00Z", "", "since"},
		{"/v1/messages?until=9999-12-31T00:00:00Z", "", "until"},
		{"/v1/customers/C/follow-ups", `{"after":"2200-01-01T00:00:00Z"}`, "after"},
	} {
		before := testutil.Counts(t, st)
		method := "POST"
		if tc.body == "" {
			method = "GET"
		}
		r := agent.do(method, tc.path, tc.body)
		if r.Status != 422 {
			t.Errorf("%s %s: status %d, want 422: %s", tc.path, tc.body, r.Status, r.Body)
			continue
		}
		if msg := problemFields(t, r)[tc.field]; !strings.Contains(msg, "outside the supported dates") {
			t.Errorf("%s %s: errors %s", tc.path, tc.body, r.Body)
		}
		if after := testutil.Counts(t, st); !maps.Equal(before, after) {
			t.Errorf("%s: rows changed", tc.path)
		}
	}
}
