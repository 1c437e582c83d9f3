package assess

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Risk bands and labels (Score: A < 20, B < 40, C < 60, D < 80, E ≥ 80).
var (
	bandLimits = [...]int{20, 40, 60, 80}
	bandNames  = [...]string{"A", "B", "C", "D", "E"}
	bandLabels = [...]string{"low", "moderate", "elevated", "high", "severe"}
)

// Factor is one line of the scorecard: what it looked at, the value it
// saw, and the points it added to (or took from) the score.
type Factor struct {
	Name    string  // stable key, e.g. avg_days_late
	Label   string  // plain English for an agent
	Value   float64 // the customer's figure
	Display string  // the figure as an agent reads it, e.g. "23.5 days"
	Points  float64 // signed contribution to the score, to 0.1
}

// Risk is a customer's risk of paying their next invoices late.
type Risk struct {
	Score int    // 0..100, higher = riskier
	Band  string // A..E
	Label string // low, moderate, elevated, high, severe
	// Probability is the calibrated chance that an invoice due in the next
	// 90 days is paid more than 7 days late (or not at all).
	Probability float64
	// Base is the score of a long-standing customer who pays every invoice
	// on time and owes nothing overdue; Score = clamp(round(Base + Σ
	// Factors[i].Points), 0, 100).
	Base    float64
	Factors []Factor // sorted by |Points|, largest first
	Model   string   // the model's version
}

// PointsPerLogit scales the fitted logistic model to points: every 10
// points double the odds of late payment (the scorecard convention
// "points to double the odds" = 10), so 10/ln 2 ≈ 14.43 points per unit of
// log-odds, and a score of 50 is the model's even odds. With that scale
// the bands split the model's probability at about 11%, 33%, 67% and 89%.
const PointsPerLogit = 10 / math.Ln2

// NeutralScore is the prior score of a customer with no payment history
// (no invoice due yet): the middle of band C. Without a record we neither
// trust nor condemn; the agent should gather facts. (New customers in the
// synthetic book are late more often than average — docs/assess.md — but
// a real newcomer's first invoices say more than any prior.)
const NeutralScore = 50

// factorDef is one feature of the scorecard. x maps the customer's value
// to the model's input: capped so that one extreme figure cannot swamp
// the rest, and oriented so that 0 is the best case (a long-standing,
// punctual customer), which makes every factor's points its distance from
// that customer.
type factorDef struct {
	name, label string
	value       func(p *Profile) float64
	x           func(v float64) float64
	display     func(p *Profile, v float64) string
}

func days(_ *Profile, v float64) string { return fmt.Sprintf("%.1f days", v) }
func pct(_ *Profile, v float64) string  { return fmt.Sprintf("%.0f%%", v*100) }

// ofCount writes "n of m things (p%)".
func ofCount(n, m int, things string) string {
	return fmt.Sprintf("%d of %d %s (%.0f%%)", n, m, things, share(n, m)*100)
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

var factorDefs = [...]factorDef{
	{
		name: "avg_days_late", label: "Average days late (last 12 months)",
		value:   func(p *Profile) float64 { return p.AvgDaysLate },
		x:       func(v float64) float64 { return min(max(v, 0), 30) },
		display: days,
	},
	{
		name: "trend_days_late", label: "Change in days late: last 90 days against the months before",
		value:   func(p *Profile) float64 { return p.TrendDaysLate },
		x:       func(v float64) float64 { return min(max(v, -30), 30) },
		display: func(_ *Profile, v float64) string { return fmt.Sprintf("%+.1f days", v) },
	},
	{
		name: "on_time_share", label: "Share of invoices paid on time (last 12 months)",
		value:   func(p *Profile) float64 { return p.OnTimeShare },
		x:       func(v float64) float64 { return 1 - min(max(v, 0), 1) },
		display: pct,
	},
	{
		name: "oldest_overdue_days", label: "Days the oldest unpaid invoice is overdue",
		value:   func(p *Profile) float64 { return float64(p.OldestOverdueDays) },
		x:       func(v float64) float64 { return min(max(v, 0), 120) },
		display: func(_ *Profile, v float64) string { return fmt.Sprintf("%.0f days", v) },
	},
	{
		name: "overdue_share", label: "Share of the open balance that is overdue",
		value:   func(p *Profile) float64 { return p.OverdueShare },
		x:       func(v float64) float64 { return min(max(v, 0), 1) },
		display: pct,
	},
	{
		name: "broken_promises", label: "Share of promises to pay that were broken",
		value: func(p *Profile) float64 { return share(p.PromisesBroken, p.PromisesKept+p.PromisesBroken) },
		x:     func(v float64) float64 { return v },
		display: func(p *Profile, _ float64) string {
			return ofCount(p.PromisesBroken, p.PromisesKept+p.PromisesBroken, "promises judged")
		},
	},
	{
		name: "defaulted_plans", label: "Share of payment plans that defaulted",
		value: func(p *Profile) float64 { return share(p.PlansDefaulted, p.PlansDefaulted+p.PlansCompleted) },
		x:     func(v float64) float64 { return v },
		display: func(p *Profile, _ float64) string {
			return ofCount(p.PlansDefaulted, p.PlansDefaulted+p.PlansCompleted, "finished plans")
		},
	},
	{
		name: "disputes", label: "Share of invoices disputed",
		value:   func(p *Profile) float64 { return share(p.Disputes, len(p.Timings)) },
		x:       func(v float64) float64 { return v },
		display: func(p *Profile, _ float64) string { return ofCount(p.Disputes, len(p.Timings), "invoices") },
	},
	{
		name: "short_tenure", label: "Length of the relationship (under two years adds risk)",
		value: func(p *Profile) float64 {
			if p.FirstInvoice.IsZero() {
				return 0
			}
			return float64(p.AsOf.DaysSince(p.FirstInvoice))
		},
		x:       func(v float64) float64 { return max(0, 1-v/730) },
		display: tenure,
	},
}

const nFactors = len(factorDefs)

// tenure writes a number of days as years or months.
func tenure(_ *Profile, v float64) string {
	d := int(v)
	switch {
	case d >= 730:
		return fmt.Sprintf("%d years", d/365)
	case d >= 365:
		return "1 year"
	case d >= 61:
		return fmt.Sprintf("%d months", d*12/365)
	default:
		return fmt.Sprintf("%d days", d)
	}
}

// riskModel holds a fitted scorecard: a logistic regression on the
// factors' x values and a logistic calibration of the score.
type riskModel struct {
	version   string
	intercept float64           // log-odds of the best-case customer
	coef      [nFactors]float64 // log-odds per unit of each factor's x
	// Probability = 1 / (1 + exp(−(calA + calB·Score))).
	calA, calB float64
}

// currentModel was fitted by TestFitRisk (SETTLE_FIT_RISK=1 go test -run
// TestFitRisk ./internal/assess -v) on SynthBook(seed 1, 20000 customers,
// 2022-01-01, 2025-06-30, 2025-12-31): Newton's method on the
// log-likelihood with a small ridge penalty, features whose fitted sign
// contradicted their meaning dropped and the model refitted; the
// calibration is a one-variable logistic regression of the outcome on the
// rounded score, on the same book. Validated on seed 2 (TestRiskValidation;
// figures in docs/assess.md).
var currentModel = riskModel{
	version:   "risk-2026-11",
	intercept: -2.1964,
	coef: [nFactors]float64{
		0.2976, // avg_days_late: 4.29 points per unit of x
		0.1623, // trend_days_late: 2.34 points per unit of x
		0.1248, // on_time_share: 1.80 points per unit of x
		0.0000, // oldest_overdue_days: dropped (fitted -0.0120)
		1.6626, // overdue_share: 23.99 points per unit of x
		0.3160, // broken_promises: 4.56 points per unit of x
		0.0000, // defaulted_plans: dropped (fitted -0.1200)
		3.1237, // disputes: 45.07 points per unit of x
		0.2198, // short_tenure: 3.17 points per unit of x
	},
	calA: -3.6795,
	calB: 0.0768,
}

// ScoreRisk scores a profile with the current model.
func ScoreRisk(p Profile) Risk { return currentModel.score(&p) }

func (m *riskModel) score(p *Profile) Risk {
	base := round1(50 + PointsPerLogit*m.intercept)
	r := Risk{Base: base, Model: m.version}
	total := base
	if p.InvoicesDue == 0 {
		pts := round1(NeutralScore - base)
		r.Factors = []Factor{{
			Name: "no_history", Label: "No payment history yet: no invoice has fallen due",
			Display: "no invoice due yet", Points: pts,
		}}
		total += pts
	} else {
		r.Factors = make([]Factor, 0, nFactors)
		for i := range factorDefs {
			f := &factorDefs[i]
			v := f.value(p)
			pts := round1(PointsPerLogit * m.coef[i] * f.x(v))
			r.Factors = append(r.Factors, Factor{Name: f.name, Label: f.label, Value: v, Display: f.display(p, v), Points: pts})
			total += pts
		}
		// Largest effect first; ties keep the scorecard's order.
		slices.SortStableFunc(r.Factors, func(a, b Factor) int { return cmp.Compare(math.Abs(b.Points), math.Abs(a.Points)) })
	}
	r.Score = int(min(max(math.Round(total), 0), 100))
	r.Band, r.Label = band(r.Score)
	r.Probability = logistic(m.calA + m.calB*float64(r.Score))
	return r
}

// band returns the band and label of a score.
func band(score int) (name, label string) {
	k := 0
	for k < len(bandLimits) && score >= bandLimits[k] {
		k++
	}
	return bandNames[k], bandLabels[k]
}

func logistic(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// round1 rounds to one decimal, half away from zero, so that the points an
// agent reads add up to the score.
func round1(v float64) float64 { return math.Round(v*10) / 10 }
