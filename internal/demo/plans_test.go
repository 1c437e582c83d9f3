package demo

import (
	"testing"

	"settle/internal/civil"
)

// The demo's plans and promises show on the dashboard: one plan in each of
// USD, EUR and GBP, accepted and in good standing, and each currency's
// forecast holds six installments' worth of weeks and one promise.
//
// It runs on fixed dates (the service and store clocks at noon UTC of each)
// rather than today's: month ends, a leap day and the Christmas holidays,
// so that the outcome never depends on the day the tests run.
func TestGenerate_PlansAndPromises(t *testing.T) {
	for _, asOf := range []civil.Date{
		civil.New(2026, 6, 1), testAsOf, civil.New(2026, 1, 31), civil.New(2027, 2, 28),
		civil.New(2028, 2, 29), civil.New(2026, 12, 24), civil.New(2026, 12, 31),
	} {
		t.Run(asOf.String(), func(t *testing.T) {
			f := loaded(t, asOf, 1)
			svc, ctx := f.svc, f.ctx
			d, err := svc.Dashboard(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if d.Plans.Active != 3 || d.Plans.AtRisk != 0 || d.Plans.Defaulted != 0 {
				t.Errorf("plans %+v; want 3 active", d.Plans)
			}
			if len(d.Forecast) != 3 {
				t.Fatalf("forecast for %d currencies, want USD, EUR and GBP: %+v", len(d.Forecast), d.Forecast)
			}
			for _, f := range d.Forecast {
				var plans, promises int
				for _, w := range f.Weeks {
					if w.Plans.Sign() > 0 {
						plans++
					}
					if w.Promises.Sign() > 0 {
						promises++
					}
				}
				// Installments from asOf+7, monthly: two fall in the 8 weeks.
				if plans != 2 || promises != 1 || !f.Overdue.IsZero() {
					t.Errorf("%s forecast: %d weeks with installments, %d with promises, overdue %s; want 2, 1, 0", f.Currency, plans, promises, f.Overdue)
				}
			}
		})
	}
}
