package assess

import (
	"fmt"
	"testing"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
)

// BenchmarkBuildProfileAndScore profiles and scores one customer with ten
// years of monthly invoices (120), each paid 0–20 days late, a few
// promises and plans: what the API does for one customer view.
func BenchmarkBuildProfileAndScore(b *testing.B) {
	start := civil.New(2016, 7, 1)
	var invoices []ledger.Invoice
	var payments []ledger.Payment
	var promises []ledger.Promise
	for k := range 120 {
		issue := start.AddMonths(k)
		i := ledger.Invoice{
			ID: fmt.Sprintf("inv_%d", k), Number: fmt.Sprintf("B-%03d", k), CustomerID: "cus_b",
			IssueDate: issue, DueDate: issue.AddDays(30), Amount: money.New(int64(100_000+k*137), EUR),
			Disputed: k%40 == 7,
		}
		invoices = append(invoices, i)
		if k < 118 { // the last two are open
			payments = append(payments, ledger.Payment{
				ID: fmt.Sprintf("pay_%03d", k), Kind: ledger.KindPayment, CustomerID: "cus_b",
				ReceivedOn: i.DueDate.AddDays(k * 7 % 21), Amount: i.Amount, InvoiceID: i.ID,
			})
		}
		if k%12 == 5 {
			promises = append(promises, ledger.Promise{
				ID: fmt.Sprintf("prm_%d", k), CustomerID: "cus_b", Amount: i.Amount,
				PromisedOn: i.DueDate.AddDays(3), DueDate: i.DueDate.AddDays(10),
			})
		}
	}
	h := History{
		Customer: ledger.Customer{ID: "cus_b", Name: "Bench"},
		Invoices: invoices, Allocations: ledger.Allocate(invoices, payments).Allocations,
		Payments: payments, Promises: promises,
		Plans: []PlanOutcome{{"p1", "completed"}, {"p2", "superseded"}, {"p3", "active"}},
	}
	asOf := civil.New(2026, 7, 15)
	b.ReportAllocs()
	for b.Loop() {
		r := ScoreRisk(BuildProfile(h, asOf))
		if r.Score < 0 {
			b.Fatal(r)
		}
	}
}
