package ledger_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/ledger"
	"settle/internal/money"
)

func f64(v float64) *float64 { return &v }

func TestComputeKPIs_HandWorked(t *testing.T) {
	tests := []struct {
		name string
		in   ledger.KPIInput
		want ledger.KPIs
	}{
		{
			// 2026-01-01..03-31 = 31+28+31 = 90 days. AR 300.50, sales 1500.50.
			// DSO  = 30050 / 150050 × 90 = 18.024… → 18.0
			// best = 0 / 150050 × 90 = 0.0;  ADD = 18.0 − 0.0 = 18.0
			// CEI  = (0 + 150050 − 30050) / (0 + 150050 − 0) × 100 = 79.973… → 80.0
			name: "brief example",
			in:   ledger.KPIInput{From: day("2026-01-01"), To: day("2026-03-31"), Sales: money.WideOf(150050), ClosingAR: money.WideOf(30050)},
			want: ledger.KPIs{Days: 90, DSO: f64(18.0), BestDSO: f64(0.0), ADD: f64(18.0), CEI: f64(80.0)},
		},
		{
			// 90 days, opening 5000.00, sales 12000.00, closing 6000.00, current 2500.00.
			// DSO  = 6000 / 12000 × 90 = 45.0
			// best = 2500 / 12000 × 90 = 18.75 → 18.8 (exact half, away from zero)
			// ADD  = 45.0 − 18.8 = 26.2
			// CEI  = (5000 + 12000 − 6000) / (5000 + 12000 − 2500) × 100 = 11000/14500×100 = 75.862… → 75.9
			name: "quarter with opening AR and exact half",
			in: ledger.KPIInput{From: day("2026-01-01"), To: day("2026-03-31"),
				Sales: money.WideOf(1_200_000), OpeningAR: money.WideOf(500_000), ClosingAR: money.WideOf(600_000), ClosingCurrentAR: money.WideOf(250_000)},
			want: ledger.KPIs{Days: 90, DSO: f64(45.0), BestDSO: f64(18.8), ADD: f64(26.2), CEI: f64(75.9)},
		},
		{
			// One day (From = To). DSO = 2100/2000 = 1.05 → 1.1 (a float
			// 1.05×10 is 10.499…; exact arithmetic must still round up).
			// best = 2099/2000 = 1.0495 → 1.0.  ADD = 1.1 − 1.0 = 0.1
			// (the unrounded difference 0.0005 would round to 0.0).
			// CEI = (2000 − 2100)/(2000 − 2099) × 100 = −100/−99 × 100 = 101.0101… → 101.0
			name: "x.x5 rounds up, just below rounds down",
			in:   ledger.KPIInput{From: day("2026-05-01"), To: day("2026-05-01"), Sales: money.WideOf(2000), ClosingAR: money.WideOf(2100), ClosingCurrentAR: money.WideOf(2099)},
			want: ledger.KPIs{Days: 1, DSO: f64(1.1), BestDSO: f64(1.0), ADD: f64(0.1), CEI: f64(101.0)},
		},
		{
			// DSO = 180400/10000 = 18.04 → 18.0; best = 500/10000 = 0.05 → 0.1;
			// ADD = 18.0 − 0.1 = 17.9 (not round(17.99) = 18.0).
			// CEI = (10000 − 180400)/(10000 − 500) × 100 = −1793.68… → −1793.7
			name: "ADD is the difference of the rounded figures",
			in:   ledger.KPIInput{From: day("2026-05-01"), To: day("2026-05-01"), Sales: money.WideOf(10000), ClosingAR: money.WideOf(180400), ClosingCurrentAR: money.WideOf(500)},
			want: ledger.KPIs{Days: 1, DSO: f64(18.0), BestDSO: f64(0.1), ADD: f64(17.9), CEI: f64(-1793.7)},
		},
		{
			// CEI = (2000 − 2001)/(2000 − 0) × 100 = −0.05 → −0.1 (half away from zero).
			// DSO = 2001/2000 = 1.0005 → 1.0; best 0.0; ADD 1.0.
			name: "negative half rounds away from zero",
			in:   ledger.KPIInput{From: day("2026-05-01"), To: day("2026-05-01"), Sales: money.WideOf(2000), ClosingAR: money.WideOf(2001)},
			want: ledger.KPIs{Days: 1, DSO: f64(1.0), BestDSO: f64(0.0), ADD: f64(1.0), CEI: f64(-0.1)},
		},
		{
			// February 2028 is a leap month: 29 days. No sales: DSO, best, ADD undefined.
			// CEI = (1000 + 0 − 800)/(1000 + 0 − 300) × 100 = 200/700 × 100 = 28.571… → 28.6
			name: "no sales leaves DSO undefined",
			in:   ledger.KPIInput{From: day("2028-02-01"), To: day("2028-02-29"), OpeningAR: money.WideOf(1000), ClosingAR: money.WideOf(800), ClosingCurrentAR: money.WideOf(300)},
			want: ledger.KPIs{Days: 29, CEI: f64(28.6)},
		},
		{
			// April: 30 days. CEI denominator 0 + 1000 − 1000 = 0 → undefined.
			// DSO = best = 1000/1000 × 30 = 30.0; ADD 0.0.
			name: "zero CEI denominator",
			in:   ledger.KPIInput{From: day("2026-04-01"), To: day("2026-04-30"), Sales: money.WideOf(1000), ClosingAR: money.WideOf(1000), ClosingCurrentAR: money.WideOf(1000)},
			want: ledger.KPIs{Days: 30, DSO: f64(30.0), BestDSO: f64(30.0), ADD: f64(0.0)},
		},
		{
			name: "nothing at all",
			in:   ledger.KPIInput{From: day("2026-04-01"), To: day("2026-04-01")},
			want: ledger.KPIs{Days: 1},
		},
		{
			// 2026 has 365 days. Values near int64's limit: AR × days and
			// opening + sales overflow int64, so the maths must not.
			// DSO = 9e18/9e18 × 365 = 365.0; best = 4.5e18/9e18 × 365 = 182.5
			// ADD = 182.5;  CEI = (9e18 + 9e18 − 9e18)/(18e18 − 4.5e18) × 100 = 66.666… → 66.7
			name: "large values do not overflow",
			in: ledger.KPIInput{From: day("2026-01-01"), To: day("2026-12-31"),
				Sales: money.WideOf(9e18), OpeningAR: money.WideOf(9e18), ClosingAR: money.WideOf(9e18), ClosingCurrentAR: money.WideOf(4.5e18)},
			want: ledger.KPIs{Days: 365, DSO: f64(365.0), BestDSO: f64(182.5), ADD: f64(182.5), CEI: f64(66.7)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ledger.ComputeKPIs(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ComputeKPIs(%+v) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
