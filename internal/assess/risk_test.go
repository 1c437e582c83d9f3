package assess

import (
	"math"
	"testing"

	"settle/internal/ledger"
)

// Hand-worked with the coefficients of risk-2026-11 (docs/assess.md):
// points = 10/ln 2 × coefficient × x, to 0.1; base = 50 + 14.427 ×
// (−2.1964) = 18.3.
func TestScoreRisk_HandWorked(t *testing.T) {
	asOf := day("2026-06-30")
	p := Profile{
		AsOf: asOf, InvoicesDue: 8,
		AvgDaysLate: 10, TrendDaysLate: 5, OnTimeShare: 0.5,
		OldestOverdueDays: 40, OverdueShare: 0.25,
		PromisesKept: 1, PromisesBroken: 1, PlansDefaulted: 1, PlansCompleted: 1,
		FirstInvoice: day("2023-06-01"), Timings: make([]InvoiceTiming, 10),
	}
	r := ScoreRisk(p)
	// avg 14.427×0.2976×10 = 42.93 → 42.9; trend 14.427×0.1623×5 = 11.71
	// → 11.7; overdue share 14.427×1.6626×0.25 = 6.00 → 6.0; broken
	// promises (1 of 2) 14.427×0.3160×0.5 = 2.28 → 2.3; on time (x = 1 −
	// 0.5) 14.427×0.1248×0.5 = 0.90 → 0.9; the rest 0 (dropped factors,
	// no disputes, three years' tenure).
	// 18.3 + 42.9 + 11.7 + 6.0 + 2.3 + 0.9 = 82.1 → 82, band E.
	// Probability σ(−3.6795 + 0.0768×82) = σ(2.6181) = 0.9320.
	want := []struct {
		name   string
		points float64
	}{
		{"avg_days_late", 42.9}, {"trend_days_late", 11.7}, {"overdue_share", 6.0},
		{"broken_promises", 2.3}, {"on_time_share", 0.9},
		{"oldest_overdue_days", 0}, {"defaulted_plans", 0}, {"disputes", 0}, {"short_tenure", 0},
	}
	if r.Score != 82 || r.Band != "E" || r.Label != "severe" || r.Base != 18.3 || r.Model != "risk-2026-11" {
		t.Fatalf("score %d band %s label %s base %v model %s; want 82 E severe 18.3", r.Score, r.Band, r.Label, r.Base, r.Model)
	}
	if math.Abs(r.Probability-0.9320) > 0.0001 {
		t.Errorf("probability %.4f, want 0.9320", r.Probability)
	}
	if len(r.Factors) != len(want) {
		t.Fatalf("%d factors, want %d", len(r.Factors), len(want))
	}
	for i, w := range want {
		if f := r.Factors[i]; f.Name != w.name || f.Points != w.points {
			t.Errorf("factor %d: %s %v, want %s %v", i, f.Name, f.Points, w.name, w.points)
		}
	}
	displays := map[string]string{
		"avg_days_late": "10.0 days", "trend_days_late": "+5.0 days", "on_time_share": "50%",
		"oldest_overdue_days": "40 days", "overdue_share": "25%",
		"broken_promises": "1 of 2 promises judged (50%)", "defaulted_plans": "1 of 2 finished plans (50%)",
		"disputes": "0 of 10 invoices (0%)", "short_tenure": "3 years",
	}
	for _, f := range r.Factors {
		if f.Display != displays[f.Name] || f.Label == "" {
			t.Errorf("%s: display %q label %q, want display %q", f.Name, f.Display, f.Label, displays[f.Name])
		}
	}
}

func TestScoreRisk_Cases(t *testing.T) {
	asOf := day("2026-06-30")
	longStanding := day("2020-01-01")
	for _, tc := range []struct {
		name  string
		p     Profile
		score int
		band  string
		label string
	}{
		// Base 18.3, nothing added → 18.
		{"punctual long-standing customer", Profile{AsOf: asOf, InvoicesDue: 12, PaidOnTime: 12, OnTimeShare: 1, FirstInvoice: longStanding}, 18, "A", "low"},
		// Brand new (tenure 0: x = 1): 14.427×0.2198 = 3.17 → 3.2; 18.3 + 3.2 = 21.5 → 22.
		{"new customer, one invoice on time", Profile{AsOf: asOf, InvoicesDue: 1, PaidOnTime: 1, OnTimeShare: 1, FirstInvoice: asOf}, 22, "B", "moderate"},
		// One in four invoices disputed: 14.427×3.1237×0.25 = 11.27 → 11.3; 18.3 + 11.3 = 29.6 → 30.
		{"disputes", Profile{AsOf: asOf, InvoicesDue: 4, PaidOnTime: 4, OnTimeShare: 1, Disputes: 1, Timings: make([]InvoiceTiming, 4), FirstInvoice: longStanding}, 30, "B", "moderate"},
		// Improving: trend −30 days → 14.427×0.1623×(−30) = −70.2; avg 30
		// (capped) → 128.8; on time 0 → 1.8; overdue share 0.
		// 18.3 + 128.8 − 70.2 + 1.8 = 78.7 → 79.
		{"late but improving", Profile{AsOf: asOf, InvoicesDue: 12, AvgDaysLate: 45, TrendDaysLate: -40, FirstInvoice: longStanding}, 79, "D", "high"},
		// Everything bad: far above 100, clamped.
		{"clamped at 100", Profile{AsOf: asOf, InvoicesDue: 12, AvgDaysLate: 90, TrendDaysLate: 60, OverdueShare: 1, FirstInvoice: asOf}, 100, "E", "severe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ScoreRisk(tc.p)
			if r.Score != tc.score || r.Band != tc.band || r.Label != tc.label {
				t.Fatalf("score %d %s %s, want %d %s %s (factors %+v)", r.Score, r.Band, r.Label, tc.score, tc.band, tc.label, r.Factors)
			}
		})
	}
}

func TestScoreRisk_NoHistory(t *testing.T) {
	// No invoice due yet: the neutral prior 50 (band C), one factor that
	// takes the base to it: 50 − 18.3 = 31.7. Probability σ(−3.6795 +
	// 0.0768×50) = σ(0.1605) = 0.5400.
	r := ScoreRisk(BuildProfile(History{Invoices: []ledger.Invoice{inv("i", "2026-06-20", "2026-07-20", "10.00", EUR)}}, day("2026-06-30")))
	if r.Score != NeutralScore || r.Band != "C" || r.Label != "elevated" {
		t.Fatalf("score %d band %s", r.Score, r.Band)
	}
	if len(r.Factors) != 1 || r.Factors[0].Name != "no_history" || r.Factors[0].Points != 31.7 {
		t.Fatalf("factors %+v", r.Factors)
	}
	if math.Abs(r.Probability-0.5400) > 0.0001 {
		t.Fatalf("probability %.4f, want 0.5400", r.Probability)
	}
}

func TestScoreRisk_BandBoundaries(t *testing.T) {
	for _, tc := range []struct {
		score int
		band  string
	}{{0, "A"}, {19, "A"}, {20, "B"}, {39, "B"}, {40, "C"}, {59, "C"}, {60, "D"}, {79, "D"}, {80, "E"}, {100, "E"}} {
		if b, _ := band(tc.score); b != tc.band {
			t.Errorf("band(%d) = %s, want %s", tc.score, b, tc.band)
		}
	}
}

func TestScoreRisk_PointsAddUp(t *testing.T) {
	// For every synthetic customer: the points an agent reads add up to
	// the score, the factors are sorted by size, and the score never
	// falls when average lateness rises (every weight is ≥ 0).
	book := SynthBook(3, 300, bookStart, bookCutoff, bookEnd)
	for _, c := range book {
		p := BuildProfile(c.History, bookCutoff)
		r := ScoreRisk(p)
		total := r.Base
		for i, f := range r.Factors {
			total += f.Points
			if i > 0 && math.Abs(f.Points) > math.Abs(r.Factors[i-1].Points) {
				t.Fatalf("%s: factors not sorted: %+v", c.History.Customer.ID, r.Factors)
			}
		}
		if want := int(min(max(math.Round(total), 0), 100)); r.Score != want {
			t.Fatalf("%s: score %d, points add up to %v", c.History.Customer.ID, r.Score, total)
		}
		if p.InvoicesDue > 0 {
			worse := p
			worse.AvgDaysLate += 5
			if ScoreRisk(worse).Score < r.Score {
				t.Fatalf("%s: 5 more days late lowered the score", c.History.Customer.ID)
			}
		}
	}
}

func TestModelWeightsAreNonNegative(t *testing.T) {
	// The fit drops factors with negative weights, so that each factor
	// only ever adds risk (docs/assess.md); guard a hand-edited model.
	for i, c := range currentModel.coef {
		if c < 0 {
			t.Errorf("%s has weight %v", factorDefs[i].name, c)
		}
	}
	if currentModel.calB <= 0 {
		t.Errorf("calibration slope %v: probability must rise with the score", currentModel.calB)
	}
}
