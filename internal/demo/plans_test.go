package demo

import (
	"testing"
	"time"

	"settle/internal/civil"
)

// The demo's plans and promises show on the dashboard: one plan in each of
// USD, EUR and GBP, accepted and in good standing, and each currency's
// forecast holds six installments' worth of weeks and one promise.
func TestGenerate_PlansAndPromises(t *testing.T) {
	svc, ctx := newService(t)
	asOf := civil.In(time.Now(), time.UTC)
	if _, err := Generate(ctx, svc, asOf, 1); err != nil {
		t.Fatal(err)
	}
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
}
