package negotiate

import "math"

// The valuation model (docs/negotiation.md, "What an offer is worth").
//
// An offer's value to us is the expected present value of what it brings
// in: each payment discounted at the cost of capital and weighted by the
// probability that the customer is still paying when it falls due; when
// the customer stops (the plan defaults) the rest goes to the no-deal
// alternative (agency or legal), which recovers its share, less its cost,
// after its delay. Probabilities come from a per-month hazard of stopping:
//
//	hazard = base(risk band)·(LifeFloor + LoadRise·min(load, 1)) + LoadPenalty × max(0, load − 1), capped at MaxHazard
//	load   = the installment per month ÷ the customer's monthly means (the budget's surplus)
//
// Length is the dominant risk, load a secondary one (as in repayment
// data: docs/negotiation.md, "What an offer is worth"): most plans stop
// for life events — illness, a lost job, a business failing — whose rate
// does not shrink with the installment, so the hazard has a floor
// (LifeFloor of the band's) however small the installment; above it the
// load effect is flat at low loads and steepens as the installment
// approaches the means, and above the means LoadPenalty adds to it. A
// long plan of tiny installments is therefore not "safe": it carries the
// floor for every month it runs. The load effect is never so steep that
// paying faster raises the risk of the whole plan: the hazard per unit of
// load, hazard ÷ load, never rises with the load (LoadRise ≤ LifeFloor,
// and LoadPenalty is linear) — so a counter-offer that pays more each
// month is never worth less than one that pays less (monotone_test.go).
// A one-off payment (down payment, lump sum) is paid with probability
// 1 − hazard, its load measured against LiquidityMonths of the affordable
// installment; above that, the probability falls as 1/load, so what a
// one-off is expected to bring never falls as it grows.
//
// Times are nominal: a month is 365/12 days, a week 7 days; the schedule's
// real calendar dates differ by a day or two, which does not matter to a
// valuation but keeps it a closed formula (fast enough to score thousands
// of candidate plans per counter-offer).

// Model parameters. Documented in docs/negotiation.md; the simulator's
// debtors do not share them (they have their own hidden capacity).
const (
	LifeFloor       = 0.6  // share of the band's hazard that stays at any load (life events)
	LoadRise        = 0.8  // the load effect: LoadRise·load of the band's hazard within the means
	LoadPenalty     = 0.20 // extra monthly hazard per 100% of installment above the customer's means
	MaxHazard       = 0.90
	LiquidityMonths = 2.0 // a one-off payment up to this many months of surplus is "affordable"
	daysPerMonth    = 365.0 / 12
)

// BandHazard is the monthly probability of a plan stopping by risk band
// when the installment is half the customer's means (the load factor
// LifeFloor + LoadRise·0.5 is 1 there): about 6%, 11%, 21%, 35% and 52%
// of such 12-month plans fail from band A to E.
var BandHazard = map[string]float64{"A": 0.005, "B": 0.01, "C": 0.02, "D": 0.035, "E": 0.06}

// hazardFor is the monthly hazard for a risk band and a load. Within the
// customer's means the band's hazard is scaled by LifeFloor + LoadRise·load²:
// 0.8 of it at a tiny installment (life events stop plans whatever they
// ask), the band's own at half the surplus, 1.6 times it at all of the
// surplus (no room left for an income shock). Above the means,
// LoadPenalty adds a hazard per 100% of overload.
func hazardFor(band string, load float64) float64 {
	h, ok := BandHazard[band]
	if !ok {
		h = BandHazard["C"]
	}
	l := math.Min(math.Max(load, 0), 1)
	h *= LifeFloor + LoadRise*l
	if load > 1 {
		h += LoadPenalty * (load - 1)
	}
	return math.Min(h, MaxHazard)
}

// periodDays is the nominal length of one period.
func periodDays(freq string) float64 {
	switch freq {
	case "weekly":
		return 7
	case "biweekly":
		return 14
	default:
		return daysPerMonth
	}
}

// perMonth is how many installments of freq fall in a month.
func perMonth(freq string) float64 { return daysPerMonth / periodDays(freq) }

// model holds what the valuation needs about the case.
type model struct {
	lnDisc     float64 // ln(1 + cost of capital) / 365: discount rate per day
	band       string
	affordable float64 // monthly, minor units; > 0
	nd         float64 // no-deal: recovery × (1 − cost)
	ndDelay    float64 // days
	fees       float64 // reserved fees (minor units) recovered through no-deal on default; 0 when waived
	riskFree   bool    // every payment is made: values are plain present values
}

// hazard is the monthly hazard at a load (0 when risk-free).
func (m *model) hazard(load float64) float64 {
	if m.riskFree {
		return 0
	}
	return hazardFor(m.band, load)
}

func (m *model) df(days float64) float64 { return math.Exp(-m.lnDisc * days) }

// oneOff is the probability that a single payment of amount is made:
// 1 − hazard up to LiquidityMonths of the means; above, that at the full
// means divided by the overload (a payment twice what the customer can
// raise at once is kept half as often), so that amount × probability —
// what the payment is expected to bring — never falls as it grows.
func (m *model) oneOff(amount float64) float64 {
	if m.riskFree {
		return 1
	}
	load := amount / (LiquidityMonths * m.affordable)
	if load <= 1 {
		return 1 - m.hazard(load)
	}
	return (1 - m.hazard(1)) / load
}

// noDeal is the value of sending remaining (minor units) to the no-deal
// alternative at day t.
func (m *model) noDeal(remaining, t float64) float64 {
	return remaining * m.nd * m.df(t+m.ndDelay)
}

// planShape is an installment plan in minor units with nominal times.
type planShape struct {
	claim   int64   // what the payments add up to (principal)
	down    int64   // at t0; 0 for none
	n       int     // regular installments
	regular int64   // each regular installment but the last
	last    int64   // the last one (absorbs the remainder)
	t0      float64 // days from the negotiation's date to the first due date
	period  float64 // days
	freq    string
}

// shape builds a plan without interest like plan.Quote: regular
// installments of reg, the last one whatever is left of claim − down (for
// an even split, reg = (claim − down) ÷ n rounded down).
func shape(claim, down int64, n int, reg int64, freq string, t0 float64) planShape {
	p := claim - down
	return planShape{claim: claim, down: down, n: n, regular: reg, last: p - reg*int64(n-1),
		t0: t0, period: periodDays(freq), freq: freq}
}

// survival is the probability of keeping one payment of amount due
// every period days: the monthly hazard at the load that payment puts on
// the customer's means (what it asks per month), over one period. Each
// payment carries its own load, so a plan's smaller last installment is
// lighter, and of two plans of the same length and total the one that
// pays sooner is worth more.
func (m *model) survival(amount, period float64) float64 {
	h := m.hazard(amount * (daysPerMonth / period) / m.affordable)
	return math.Pow(1-h, period/daysPerMonth)
}

// completion is the probability that the plan is paid to the end.
func (m *model) completion(s planShape) float64 {
	p0 := 1.0
	if s.down > 0 {
		p0 = m.oneOff(float64(s.down))
	}
	sv, sl := m.survival(float64(s.regular), s.period), m.survival(float64(s.last), s.period)
	return p0 * math.Pow(sv, float64(s.n-1)) * sl
}

// valuePlan is the expected present value of a plan in closed form.
//
// With a down payment d at t0 kept with probability p0, regular payment k
// (1..n−1) of A at t_k = t1 + (k−1)·P kept with probability s (given the
// ones before), the last, L, with probability s_L, discount D(t) =
// e^(−λt), q = D(P), x = s·q, and R_k + fees = r1 − (k−1)·A what is left
// before payment k (r1 = claim − d + fees):
//
//	V = p0·d·D(t0) + (1−p0)·nd(claim+fees, t0)
//	  + p0·D(t1)·[A·s·Σ_{j<n−1} x^j + L·s_L·s^(n−1)·q^(n−1)]
//	  + p0·nd·D(t1+delay)·[(1−s)·Σ_{j<n−1} x^j·(r1 − j·A) + (1−s_L)·x^(n−1)·(r1 − (n−1)·A)]
//
// valueStream computes the same sum term by term (the tests check both).
func (m *model) valuePlan(s planShape) float64 {
	p0, t1 := 1.0, s.t0
	v := 0.0
	if s.down > 0 {
		p0 = m.oneOff(float64(s.down))
		v += p0*float64(s.down)*m.df(s.t0) + (1-p0)*m.noDeal(float64(s.claim)+m.fees, s.t0)
		t1 = s.t0 + s.period
	}
	sv, sl := m.survival(float64(s.regular), s.period), m.survival(float64(s.last), s.period)
	q := m.df(s.period)
	x := sv * q
	n := float64(s.n)
	A, L := float64(s.regular), float64(s.last)
	xn1 := math.Pow(x, n-1)
	var g0, g1 float64 // Σ_{j<n−1} x^j, Σ_{j<n−1} j·x^j
	if math.Abs(1-x) < 1e-12 {
		g0, g1 = n-1, (n-1)*(n-2)/2
	} else {
		xn2 := math.Pow(x, n-2)
		g0 = (1 - xn1) / (1 - x)
		g1 = x * (1 - (n-1)*xn2 + (n-2)*xn1) / ((1 - x) * (1 - x))
	}
	d1 := m.df(t1)
	v += p0 * d1 * (A*sv*g0 + L*sl*math.Pow(sv, n-1)*math.Pow(q, n-1))
	r1 := float64(s.claim-s.down) + m.fees
	v += p0 * m.nd * d1 * m.df(m.ndDelay) * ((1-sv)*(r1*g0-A*g1) + (1-sl)*xn1*(r1-(n-1)*A))
	return v
}

// payment is one due payment with its nominal time and the principal
// still owed before it.
type payment struct {
	t, amount, remaining float64
	oneOff               bool // a down payment or lump sum: its own probability
}

// valueStream values any list of payments term by term: the same model as
// valuePlan, for plans with interest and as its cross-check. period is
// the regular payments' spacing in days; each payment is kept with its own
// survival (a one-off with oneOff). completion is the probability that
// every payment is made.
func (m *model) valueStream(ps []payment, period float64) (v, completion float64) {
	alive := 1.0
	for _, p := range ps {
		var keep float64
		if p.oneOff {
			keep = m.oneOff(p.amount)
		} else {
			keep = m.survival(p.amount, period)
		}
		v += alive * (1 - keep) * m.noDeal(p.remaining+m.fees, p.t)
		alive *= keep
		v += alive * p.amount * m.df(p.t)
	}
	return v, alive
}

// valueLump is a lump-sum settlement of amount at day t: paid with the
// probability of a one-off payment; otherwise worth unpaid (today's value
// of what follows a settlement that is not paid by its date). An unpaid
// settlement does not end the matter: the negotiation resumes where it
// stood (the engine passes the standing offer's value, delayed to t), or,
// with no offer standing, the claim goes to the no-deal alternative.
func (m *model) valueLump(amount int64, t, unpaid float64) float64 {
	p := m.oneOff(float64(amount))
	return p*float64(amount)*m.df(t) + (1-p)*unpaid
}
