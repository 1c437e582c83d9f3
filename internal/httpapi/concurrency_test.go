package httpapi_test

import (
	"fmt"
	"sync"
	"testing"

	"settle/internal/testutil"
)

// TestAPI_ConcurrentWritesConflict: over HTTP, on both engines, two
// writes that conflict get one success and a clear 409 each, never a 500:
// ten simultaneous acceptances of one plan, ten simultaneous cancellations
// of another; and fifty payments for one customer with fifty different
// idempotency keys are fifty payments (each 201), allocated exactly once.
func TestAPI_ConcurrentWritesConflict(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			_, agent, _, _ := setupOn(t, open(t))
			want(t, agent.do("POST", "/v1/customers", `{"name":"Holly","external_ref":"H"}`), 201)
			for _, n := range []string{"H-1", "H-2"} {
				want(t, agent.do("POST", "/v1/invoices", `{"number":"`+n+`","customer_id":"H","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"USD","amount":"300.00"}`), 201)
			}
			newPlan := func(inv string) string {
				r := agent.do("POST", "/v1/plans", `{"customer_id":"H","invoice_ids":["`+inv+`"],"installments":3,"frequency":"monthly","start_date":"2026-06-10"}`)
				want(t, r, 201)
				var p struct{ ID string }
				r.decode(t, &p)
				return p.ID
			}
			p1, p2 := newPlan("H-1"), newPlan("H-2")

			burst := func(n int, req func(i int) resp) []int {
				statuses := make([]int, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Add(1)
					go func() { defer wg.Done(); statuses[i] = req(i).Status }()
				}
				wg.Wait()
				return statuses
			}
			count := func(statuses []int, code int) int {
				n := 0
				for _, s := range statuses {
					if s == code {
						n++
					}
				}
				return n
			}
			acc := burst(10, func(i int) resp {
				return agent.do("POST", "/v1/plans/"+p1+"/accept", fmt.Sprintf(`{"accepted_by":"Holly %d","channel":"phone"}`, i))
			})
			if count(acc, 200) != 1 || count(acc, 409) != 9 {
				t.Errorf("acceptances: %v, want one 200 and nine 409", acc)
			}
			cancel := burst(10, func(i int) resp {
				return agent.do("POST", "/v1/plans/"+p2+"/cancel", `{"reason":"duplicate"}`)
			})
			if count(cancel, 200) != 1 || count(cancel, 409) != 9 {
				t.Errorf("cancellations: %v, want one 200 and nine 409", cancel)
			}

			// 50 × 13.00 = 650.00 against 600.00 owed: both invoices paid,
			// 50.00 on account (credit).
			pays := burst(50, func(i int) resp {
				return agent.do("POST", "/v1/payments", `{"customer_id":"H","received_on":"2026-05-20","currency":"USD","amount":"13.00"}`,
					"Idempotency-Key", fmt.Sprintf("pay-%d", i))
			})
			if count(pays, 201) != 50 {
				t.Errorf("payments: %v, want fifty 201", pays)
			}
			r := agent.do("GET", "/v1/customers/H/position", "")
			want(t, r, 200)
			var pos struct {
				Currencies []struct{ Currency, Balance, Credit string }
			}
			r.decode(t, &pos)
			if len(pos.Currencies) != 1 || pos.Currencies[0].Balance != "0.00" || pos.Currencies[0].Credit != "50.00" {
				t.Errorf("position after the payments: %+v, want USD balance 0.00 and credit 50.00", pos.Currencies)
			}
		})
	}
}
