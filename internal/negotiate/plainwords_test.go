package negotiate

import (
	"strings"
	"testing"

	"settle/internal/civil"
)

// What the explanation says a customer paid us is what they paid, not the
// share of it we open with; and its dates are the due dates as rolled to
// business days. A business that paid 1,200.00 a month over the past
// year: the opening asks 900.00 (75%), "within what you paid us per month
// over the past year (1,200.00 USD)". From Sunday 6 December 2026 a week
// out is Sunday 13 December: the down payment is due on Monday 14.
func TestExplainOpen_HistoryAndRolledDates(t *testing.T) {
	aff, avail := MeansFromHistory(12 * 120_000)
	c := Case{CustomerID: "hist", Currency: "USD", AsOf: civil.New(2026, 12, 6), Balance: 500_000, Affordable: aff, Available: avail,
		AffordableSource: "history", RiskBand: "B", Kind: "business"}
	p := DefaultPolicy("")
	p.DownPaymentShare = "0.10"
	_, r := mustOpen(t, c, p)
	for _, want := range []string{
		"we propose 500.00 USD down on 14 December 2026, then 5 monthly payments of 900.00 USD",
		"It is within what you paid us per month over the past year (1,200.00 USD).",
	} {
		if !strings.Contains(r.Explanation, want) {
			t.Errorf("explanation %q does not say %q", r.Explanation, want)
		}
	}
}
