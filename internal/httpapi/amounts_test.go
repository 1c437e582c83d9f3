package httpapi_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"settle/internal/testutil"
)

// reportsAnswer checks that every report answers 200 (finding 1: one huge
// invoice made them all 500 for the whole organisation).
func reportsAnswer(t *testing.T, c *client, customers ...string) {
	t.Helper()
	paths := []string{
		"/v1/reports/aging?as_of=2026-06-01",
		"/v1/reports/kpis?from=2026-05-01&to=2026-06-01&currency=USD",
		"/v1/customers",
	}
	for _, id := range customers {
		paths = append(paths, "/v1/customers/"+id+"/position?as_of=2026-06-01")
	}
	for _, p := range paths {
		if r := c.do("GET", p, ""); r.Status != 200 {
			t.Errorf("GET %s: status %d: %s", p, r.Status, r.Body)
		}
	}
}

// Finding 1: an amount near the int64 limit was accepted with 201, then
// every report of the organisation answered 500.
func TestAPI_AmountLimit_HugeAmountsRefused(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			_, agent, viewer, _ := setupOn(t, open(t))
			want(t, agent.do("POST", "/v1/customers", `{"name":"Big","external_ref":"BIG"}`), 201)
			want(t, agent.do("POST", "/v1/invoices", `{"number":"N-1","customer_id":"BIG","issue_date":"2026-03-01","currency":"USD","amount":"100.00"}`), 201)
			for _, tc := range []struct{ path, body, field string }{
				{"/v1/invoices", `{"number":"H-1","customer_id":"BIG","issue_date":"2026-03-01","currency":"USD","amount":"92233720368547758.07"}`, "amount"},
				{"/v1/invoices", `{"number":"H-2","customer_id":"BIG","issue_date":"2026-03-01","currency":"USD","amount":"10000000000000.00"}`, "amount"},
				{"/v1/payments", `{"customer_id":"BIG","received_on":"2026-03-20","currency":"USD","amount":"92233720368547758.07"}`, "amount"},
				{"/v1/payments", `{"customer_id":"BIG","received_on":"2026-03-20","currency":"USD","amount":"-92233720368547758.08"}`, "amount"},
			} {
				r := agent.do("POST", tc.path, tc.body)
				want(t, r, 422)
				if f := problemFields(t, r); len(f) != 1 || f[tc.field] == "" {
					t.Errorf("POST %s %s: fields %v, want [%s]", tc.path, tc.body, f, tc.field)
				}
			}
			r := agent.do("POST", "/v1/imports/invoices", "number,customer_ref,issue_date,due_date,currency,amount\nI-1,BIG,2026-01-01,2026-01-31,USD,5\nI-2,BIG,2026-01-01,2026-01-31,USD,92233720368547758.07\n", "Content-Type", "text/csv")
			want(t, r, 422)
			if !strings.Contains(string(r.Body), `"line":3`) || !strings.Contains(string(r.Body), `"column":"amount"`) {
				t.Errorf("import errors = %s", r.Body)
			}
			reportsAnswer(t, viewer, "BIG")
		})
	}
}

// Finding 8: pseudo-currencies (no currency, testing, precious metals,
// funds codes) were accepted with two decimals.
func TestAPI_PseudoCurrenciesRefused(t *testing.T) {
	_, agent, _, _ := setup(t)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Metal","external_ref":"MET"}`), 201)
	for _, cur := range []string{"XAU", "XAG", "XPT", "XPD", "XXX", "XTS", "XDR", "CLF", "USN", "CHE", "BOV"} {
		r := agent.do("POST", "/v1/invoices", `{"number":"X-`+cur+`","customer_id":"MET","issue_date":"2026-03-01","currency":"`+cur+`","amount":"1.00"}`)
		want(t, r, 422)
		if f := problemFields(t, r); len(f) != 1 || f["currency"] == "" {
			t.Errorf("%s: fields %v, want [currency]: %s", cur, f, r.Body)
		}
		r = agent.do("POST", "/v1/payments", `{"customer_id":"MET","received_on":"2026-03-20","currency":"`+cur+`","amount":"1.00"}`)
		want(t, r, 422)
		if f := problemFields(t, r); len(f) != 1 || f["currency"] == "" {
			t.Errorf("payment %s: fields %v, want [currency]: %s", cur, f, r.Body)
		}
	}
}

// Finding 1, data written before the limit: an oversized amount already in
// the database (inserted through the store, bypassing validation) must not
// take the organisation's reports down.
func TestAPI_AmountLimit_LegacyOversizedData(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			_, agent, viewer, _ := setupOn(t, st)
			want(t, agent.do("POST", "/v1/customers", `{"name":"Legacy","external_ref":"OLD"}`), 201)
			want(t, agent.do("POST", "/v1/customers", `{"name":"Normal","external_ref":"NRM"}`), 201)
			want(t, agent.do("POST", "/v1/invoices", `{"number":"N-1","customer_id":"NRM","issue_date":"2026-03-01","currency":"USD","amount":"100.00"}`), 201)
			want(t, agent.do("POST", "/v1/invoices", `{"number":"N-2","customer_id":"OLD","issue_date":"2026-03-01","currency":"USD","amount":"100.00"}`), 201)
			var oldID string
			if err := json.Unmarshal(viewer.do("GET", "/v1/customers/OLD", "").Body, &struct {
				ID *string `json:"id"`
			}{&oldID}); err != nil {
				t.Fatal(err)
			}
			// Two invoices of the largest int64 each: any int64 sum overflows.
			for _, n := range []string{"L-1", "L-2"} {
				testutil.InsertRawInvoice(t, st, oldID, n, math.MaxInt64, "USD")
			}
			reportsAnswer(t, viewer, "OLD", "NRM")
			r := viewer.do("GET", "/v1/reports/aging?as_of=2026-06-01", "")
			// Hand-worked: 2 × 92233720368547758.07 + 100.00 + 100.00.
			if !strings.Contains(string(r.Body), `"total":"184467440737095716.14"`) {
				t.Errorf("aging = %s", r.Body)
			}
			want(t, agent.do("POST", "/v1/negotiations", `{"customer_id":"NRM","as_of":"2026-06-01"}`), 201)
			// The oversized customer's own figures are flagged, not failed.
			r = viewer.do("GET", "/v1/customers/OLD/position?as_of=2026-06-01", "")
			var pos struct {
				Currencies []struct{ Balance string }
				Warnings   []string
			}
			if err := json.Unmarshal(r.Body, &pos); err != nil {
				t.Fatal(err)
			}
			// Hand-worked: 2 × 92233720368547758.07 + 100.00.
			if len(pos.Currencies) != 1 || pos.Currencies[0].Balance != "184467440737095616.14" || len(pos.Warnings) != 1 {
				t.Errorf("OLD position = %s", r.Body)
			}
			// Writes for that customer still work (or are refused), never 500.
			for _, body := range []string{
				`{"customer_id":"OLD","received_on":"2026-04-01","currency":"USD","amount":"50.00"}`,
				`{"customer_id":"OLD","received_on":"2026-04-01","currency":"USD","amount":"9999999999999.99"}`,
			} {
				if r := agent.do("POST", "/v1/payments", body); r.Status >= 500 {
					t.Errorf("payment for OLD %s: %d %s", body, r.Status, r.Body)
				}
			}
			if r := agent.do("POST", "/v1/invoices", `{"number":"N-3","customer_id":"OLD","issue_date":"2026-04-01","currency":"USD","amount":"9999999999999.99"}`); r.Status >= 500 {
				t.Errorf("invoice for OLD: %d %s", r.Status, r.Body)
			}
			reportsAnswer(t, viewer, "OLD", "NRM")
			// A plan cannot be made of a balance beyond the limit: 422
			// naming the customer, not 500.
			r = agent.do("POST", "/v1/negotiations", `{"customer_id":"OLD","as_of":"2026-06-01"}`)
			want(t, r, 422)
			if f := problemFields(t, r); len(f) != 1 || f["customer_id"] == "" {
				t.Errorf("negotiation for OLD: fields %v: %s", f, r.Body)
			}
		})
	}
}
