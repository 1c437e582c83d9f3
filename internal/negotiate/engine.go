package negotiate

import (
	"fmt"
	"math"
	"math/big"
	"sync"
	"sync/atomic"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

// Offer kinds.
const (
	KindPlan = "plan"     // installments (with an optional down payment)
	KindLump = "lump_sum" // one payment settling the balance at a discount
)

// Decisions of a response.
const (
	DecisionOpen    = "open"    // the opening offer
	DecisionAccept  = "accept"  // the customer's counter-offer is accepted
	DecisionCounter = "counter" // not accepted; here is our next offer
	DecisionReject  = "reject"  // below our floor or outside our limits (final at the last round)
)

// Session statuses (the same words as store.Negotiation*).
const (
	StatusOpen     = "open"
	StatusAgreed   = "agreed"
	StatusFinal    = "final"
	StatusAccepted = "accepted"
	StatusClosed   = "closed"
)

// Concession levels: what has been conceded so far, in this order. An
// offer never goes back to a lower level (concessions are not retracted).
const (
	levelNone   = 0 // firm: fees reserved, interest charged
	levelFees   = 1 // late fees and statutory compensation waived; early-payment discount offered
	levelFrozen = 2 // plan interest frozen as well
)

// Case is what the engine knows of the customer and the debt, captured
// when the negotiation opens (so later answers do not drift).
type Case struct {
	CustomerID string         `json:"customer_id"`
	Currency   money.Currency `json:"currency"`
	AsOf       civil.Date     `json:"as_of"`
	// Balance is what a plan covers (minor units): the open balance of the invoices.
	Balance int64 `json:"balance"`
	// Fees is what we may claim on top (late-payment compensation and
	// statutory interest, minor units): reserved, and waivable as a concession.
	Fees int64 `json:"fees"`
	// Affordable is the installment per month the customer can sustain
	// (minor units), 0 when unknown; AffordableSource says where it came from.
	Affordable int64 `json:"affordable"`
	// Available is the monthly surplus the budget shows (minor units, 0
	// unknown): the most the customer can pay at all. The valuation
	// measures an installment's load against it; Affordable (a prudent
	// share of it) bounds the opening offer.
	Available        int64  `json:"available"`
	AffordableSource string `json:"affordable_source"` // budget, history, assumed
	RiskBand         string `json:"risk_band"`         // A..E
	Kind             string `json:"kind,omitempty"`    // business or consumer: the benefits of paying on time differ
	// Country is the customer's (ISO 3166 code): every due date we offer
	// that falls on a weekend or one of its public holidays moves to the
	// next business day, as in quotes (plan.RollCountry: weekends only for
	// a country without a holiday calendar).
	Country string `json:"country,omitempty"`
}

// Terms are an offer's terms, in minor units.
type Terms struct {
	Kind         string     `json:"kind"`
	Frequency    string     `json:"frequency,omitempty"`
	Start        civil.Date `json:"start"` // first due date (the down payment's, if any), or the lump sum's date
	DownPayment  int64      `json:"down_payment,omitempty"`
	Installments int        `json:"installments,omitempty"` // regular installments
	Installment  int64      `json:"installment,omitempty"`  // each regular installment but the last
	LumpSum      int64      `json:"lump_sum,omitempty"`
	// Fixed: Installment is the customer's chosen amount (the last one is
	// smaller); otherwise the balance is split evenly (the last one larger).
	Fixed bool `json:"fixed,omitempty"`
	Level int  `json:"level"` // concessions included (levelNone…)
}

// Session is a negotiation's state between requests (stored as JSON).
type Session struct {
	Case     Case       `json:"case"`
	Policy   Policy     `json:"policy"`
	Status   string     `json:"status"`
	Round    int        `json:"round"`
	Expires  civil.Date `json:"expires"`
	Max      float64    `json:"max"`     // value of the opening offer: the tactic's Pmax
	Min      float64    `json:"min"`     // the floor: the tactic's Pmin
	NoDeal   float64    `json:"no_deal"` // value of the no-deal alternative
	Opening  Terms      `json:"opening"`
	Standing Terms      `json:"standing"` // our last offer, or the customer's accepted proposal
	Value    float64    `json:"value"`    // of Standing
	// Resume is what a settlement that is not paid by its date is worth
	// on that day: the negotiation resumes, and we accept nothing below
	// the floor, so it is the floor as set when the negotiation opened
	// (fixed for the session, so that a settlement's value does not move
	// with later rounds). 0 in sessions stored before it existed: the
	// no-deal alternative.
	Resume float64 `json:"resume,omitempty"`
	// Capacity is the monthly capacity the valuation uses once the
	// customer's own proposals have revealed it (no budget given); 0: the
	// case's figures decide.
	Capacity float64 `json:"capacity,omitempty"`
	// AgreedBy is why the customer's counter-offer was accepted
	// (Basis*), "" until then.
	AgreedBy string `json:"agreed_by,omitempty"`
	// Alternatives of the last response: the customer may accept one of
	// them instead of the standing offer.
	Alternatives []Terms `json:"alternatives,omitempty"`
}

// Counter is the customer's counter-offer. Fields left out are taken from
// our standing offer.
type Counter struct {
	Currency          money.Currency // optional; must be the negotiation's
	InstallmentAmount *int64         // minor units
	Installments      int
	Frequency         string
	Start             civil.Date
	DownPayment       *int64
	LumpSum           *int64
	AsOf              civil.Date // when it is made (zero: the negotiation's date)
}

// Offer is an offer with its full schedule and its value to us.
type Offer struct {
	Terms
	Schedule plan.Schedule
	// Value is the expected present value to us (minor units, a model
	// figure); Completion the modelled probability it is paid to the end.
	Value      float64
	Completion float64
	// EarlyPayoffDiscount is the share waived on early payoff, "" none.
	EarlyPayoffDiscount string
}

// Alternative is another acceptable offer, with a short label.
type Alternative struct {
	Label string   // in English (RenderLabel with English)
	Say   AltLabel // what it offers, for RenderLabel in the customer's language
	Offer Offer
}

// Concession is something conceded, in money (minor units).
type Concession struct {
	Kind   string
	Amount int64
	Note   string         // in English (RenderNote with English)
	Say    ConcessionNote // what the note says, for RenderNote in the customer's language
}

// Evaluation shows the figures behind a decision (for agents).
type Evaluation struct {
	CounterValue *float64 // value of the customer's counter-offer, if any
	Target       float64  // what we required this round
	Floor        float64
	NoDeal       float64
	Opening      float64
	// Basis says why a counter-offer was accepted: BasisTarget (worth the
	// round's target), BasisDominates (it pays at least as much, no later,
	// than an offer we would accept), BasisDominatesAlternative (the same,
	// against an alternative we were about to offer) or BasisSettlement (a
	// settlement within the discount limit worth at least the floor). ""
	// otherwise.
	Basis string
}

// Why a counter-offer is accepted (Evaluation.Basis, Session.AgreedBy).
const (
	BasisTarget     = "target"
	BasisDominates  = "dominates"
	BasisSettlement = "settlement"
	// BasisDominatesAlternative: it pays at least as much, no later, than
	// an alternative we were about to offer with our answer (one worth at
	// least the next round's target, which the customer could take at once).
	BasisDominatesAlternative = "dominates_alternative"
)

// Response answers an opening or a counter-offer.
type Response struct {
	Status       string
	Round        int
	Decision     string
	Offer        *Offer // nil when nothing can be offered
	Alternatives []Alternative
	Concessions  []Concession
	// Explanation is Words in the engine's English (Render with English);
	// the service renders Words in the customer's language.
	Explanation string
	Words       []Sentence
	Evaluation  Evaluation
}

// engine is a session's working set: its compiled limits.
type engine struct {
	s         *Session
	l         limits
	schedules map[Terms]plan.Schedule
}

func newEngine(s *Session) (*engine, error) {
	l, err := compiled(s.Policy, s.Case.Currency)
	if err != nil {
		return nil, err
	}
	return &engine{s: s, l: l}, nil
}

// compiledLimits caches compiled policies (parsing decimal strings is a
// tenth of a counter-offer's work); a policy is a small comparable value.
var compiledLimits sync.Map // policyKey → limits

type policyKey struct {
	p   Policy
	cur money.Currency
}

func compiled(p Policy, cur money.Currency) (limits, error) {
	k := policyKey{p, cur}
	if l, ok := compiledLimits.Load(k); ok {
		return l.(limits), nil
	}
	l, err := p.compile(cur)
	if err != nil {
		return l, err
	}
	if n := compiledCount.Add(1); n > 1000 {
		compiledLimits.Clear() // bounded: policies rarely change
		compiledCount.Store(0)
	}
	compiledLimits.Store(k, l)
	return l, nil
}

var compiledCount atomic.Int64

// capacity is the monthly amount the valuation measures loads against:
// the budget's surplus, else the affordable installment, else (unknown)
// the balance over a quarter of the longest term.
func (e *engine) capacity() float64 {
	if e.s.Capacity > 0 {
		return e.s.Capacity
	}
	if e.s.Case.Available > 0 {
		return float64(e.s.Case.Available)
	}
	if e.s.Case.Affordable > 0 {
		return float64(e.s.Case.Affordable)
	}
	return math.Inf(1)
}

func (e *engine) model(level int) model {
	m := model{
		lnDisc:     math.Log1p(e.l.coc) / 365,
		band:       e.s.Case.RiskBand,
		affordable: e.capacity(),
		nd:         e.l.ndRecovery * (1 - e.l.ndCost),
		ndDelay:    float64(e.l.ndDelay),
	}
	if level < levelFees {
		m.fees = float64(e.s.Case.Fees)
	}
	return m
}

// maxLevel is the highest concession level the policy allows for this case.
func (e *engine) maxLevel() int {
	lv := levelNone
	if e.l.mayWaive(e.s) {
		lv = levelFees
	}
	if e.s.Policy.MayFreezeInterest && e.l.planRate > 0 {
		lv = levelFrozen
	}
	return lv
}

// mayWaive reports whether fee waiver (or the early-payment discount) is a
// concession this case has to give.
func (l limits) mayWaive(s *Session) bool {
	return (s.Policy.MayWaiveFees && s.Case.Fees > 0) || l.earlyDiscount > 0
}

func (e *engine) interest(level int) bool { return e.l.planRate > 0 && level < levelFrozen }

// maxN is the most regular installments of freq within the longest term.
func (e *engine) maxN(freq string) int {
	n := int(math.Floor(float64(e.l.maxTermMonths)*perMonth(freq) + 1e-9))
	return max(n, 1)
}

func (e *engine) t0(start civil.Date) float64 { return float64(start.DaysSince(e.s.Case.AsOf)) }

// counterValue values the customer's own offer. What a customer offers
// to pay is evidence of what they can pay: it is valued at a monthly
// means of at least what it asks of them each month (a one-off: what it
// asks at once, spread over LiquidityMonths), so that it is never worth
// less for offering more (monotone_test.go). Whether it is enough is
// still judged against our target and floor; and our own offers are
// valued on our estimate, not on the customer's word.
func (e *engine) counterValue(t Terms) (v, completion float64) {
	m := e.model(t.Level)
	need := monthlyBurden(t)
	switch {
	case t.Kind == KindLump:
		need = float64(t.LumpSum) / LiquidityMonths
	case t.DownPayment > 0:
		need = math.Max(need, float64(t.DownPayment)/LiquidityMonths)
	}
	m.affordable = math.Max(m.affordable, need)
	return e.valueWith(m, t)
}

// value values terms under the model of their level.
func (e *engine) value(t Terms) (v, completion float64) {
	return e.valueWith(e.model(t.Level), t)
}

// presentValue is the plain present value of the terms' payments at the
// cost of capital, as if every payment is made.
func (e *engine) presentValue(t Terms) float64 {
	m := e.model(t.Level)
	m.riskFree = true
	v, _ := e.valueWith(m, t)
	return v
}

func (e *engine) valueWith(m model, t Terms) (v, completion float64) {
	if t.Kind == KindLump {
		p := m.oneOff(float64(t.LumpSum))
		days := e.t0(t.Start)
		// Not paid by its date, a settlement does not end the matter: the
		// negotiation resumes then (Session.Resume: the floor set when it
		// opened, from that day). Before it is set (while the opening is
		// chosen) the claim goes to the no-deal alternative.
		unpaid := m.noDeal(float64(e.s.Case.Balance)+m.fees, days)
		if e.s.Resume > 0 && !m.riskFree {
			unpaid = math.Max(unpaid, e.s.Resume*m.df(days))
		}
		return m.valueLump(t.LumpSum, days, unpaid), p
	}
	if !e.interest(t.Level) {
		sh := shape(e.s.Case.Balance, t.DownPayment, t.Installments, t.Installment, t.Frequency, e.t0(t.Start))
		return m.valuePlan(sh), m.completion(sh)
	}
	s, err := e.schedule(t)
	if err != nil {
		return 0, 0
	}
	return e.valueSchedule(m, t, s)
}

// valueSchedule values an exact schedule (with interest) term by term.
func (e *engine) valueSchedule(m model, t Terms, s plan.Schedule) (float64, float64) {
	period := periodDays(t.Frequency)
	ps := make([]payment, 0, len(s.Installments))
	remaining := float64(e.s.Case.Balance)
	tt := e.t0(t.Start)
	for _, in := range s.Installments {
		ps = append(ps, payment{t: tt, amount: float64(in.Amount.Minor()), remaining: remaining, oneOff: in.Down})
		remaining -= float64(in.Principal.Minor())
		tt += period
	}
	return m.valueStream(ps, period)
}

// schedule is the exact schedule of terms (plan.Quote's rules), computed
// once per terms within a request.
func (e *engine) schedule(t Terms) (plan.Schedule, error) {
	if sc, ok := e.schedules[t]; ok {
		return sc, nil
	}
	sc, err := e.quote(t)
	if err == nil {
		if e.schedules == nil {
			e.schedules = map[Terms]plan.Schedule{}
		}
		e.schedules[t] = sc
	}
	return sc, err
}

func (e *engine) quote(t Terms) (plan.Schedule, error) {
	cur := e.s.Case.Currency
	roll, country := plan.RollFollowing, plan.RollCountry(e.s.Case.Country)
	if t.Kind == KindLump {
		return plan.Quote(plan.Terms{Balance: money.New(t.LumpSum, cur), Start: t.Start, Frequency: plan.Monthly, Installments: 1, Roll: roll, Country: country})
	}
	pt := plan.Terms{Balance: money.New(e.s.Case.Balance, cur), Start: t.Start, Frequency: t.Frequency,
		Installments: t.Installments, DownPayment: money.New(t.DownPayment, cur), Roll: roll, Country: country}
	if t.Fixed {
		pt.Installments, pt.InstallmentAmount = 0, money.New(t.Installment, cur)
	}
	if e.interest(t.Level) {
		r, _ := new(big.Rat).SetString(e.l.planRateText)
		pt.AnnualRate = r
	}
	return plan.Quote(pt)
}

// feasible reports whether terms are within the policy's hard limits, and
// if not, which limit they break (for the customer's explanation).
func (e *engine) feasible(t Terms) (bool, *Limit) {
	c := e.s.Case
	cur := c.Currency
	if t.Start.Before(c.AsOf) {
		return false, &Limit{Kind: LimitStartPast}
	}
	if d := t.Start.DaysSince(c.AsOf); d > e.l.maxStartDays {
		return false, &Limit{Kind: LimitStartLate, Days: e.l.maxStartDays, Date: c.AsOf.AddDays(e.l.maxStartDays)}
	}
	if t.Kind == KindLump {
		minLump := int64(math.Ceil(float64(c.Balance) * (1 - e.l.maxDiscount)))
		if t.LumpSum < minLump {
			return false, &Limit{Kind: LimitSettlementMin, Amount: money.New(minLump, cur), Percent: basisPoints(e.l.maxDiscount)}
		}
		return e.pvFloor(t)
	}
	if t.Installments > e.maxN(t.Frequency) {
		return false, &Limit{Kind: LimitTermMax, Months: e.l.maxTermMonths, Count: e.maxN(t.Frequency), Frequency: t.Frequency}
	}
	if t.Installments < 1 || t.DownPayment < 0 || t.DownPayment >= c.Balance {
		return false, &Limit{Kind: LimitNoInstallment}
	}
	if t.Installments > 1 && t.Installment < e.l.minInstallment {
		return false, &Limit{Kind: LimitInstallmentMin, Amount: money.New(e.l.minInstallment, cur)}
	}
	return e.pvFloor(t)
}

// offerable reports whether we may propose terms ourselves: within the
// policy's limits and, when the budget shows the customer's monthly
// surplus, not asking for more than it (FCA CONC 7.3: no pressure to pay
// unreasonably large amounts). The customer may still propose more.
func (e *engine) offerable(t Terms) bool {
	if ok, _ := e.feasible(t); !ok {
		return false
	}
	if a := e.s.Case.Available; a > 0 && t.Kind == KindPlan && monthlyBurden(t) > float64(a)+1e-9 {
		return false
	}
	return true
}

// pvFloor checks the policy's lowest acceptable value: the payments'
// present value (as if all are made) as a share of the balance.
func (e *engine) pvFloor(t Terms) (bool, *Limit) {
	if e.presentValue(t) < e.l.minRecovery*float64(e.s.Case.Balance)-1e-6 {
		return false, &Limit{Kind: LimitValueMin, Percent: basisPoints(e.l.minRecovery)}
	}
	return true, nil
}

// target is the tactic's value for round r of maxRounds (Faratin, Sierra
// & Jennings 1998): Min + (Max − Min)·(1 − f(t)), f(t) = k + (1−k)·t^(1/e).
func (e *engine) target(r int) float64 {
	t := math.Min(1, float64(r)/float64(e.l.maxRounds))
	f := e.l.start + (1-e.l.start)*math.Pow(t, 1/e.l.exponent)
	return e.s.Min + (e.s.Max-e.s.Min)*(1-f)
}

// roundLevel is the concession level the tactic has reached by round r:
// fees are waived (and the early-payment discount offered) once a third
// of the room between our opening and our floor is conceded, interest is
// frozen at two thirds. Concessions thus come step by step, with the
// value target, whatever the customer asks.
func (e *engine) roundLevel(r int) int {
	t := math.Min(1, float64(r)/float64(e.l.maxRounds))
	f := e.l.start + (1-e.l.start)*math.Pow(t, 1/e.l.exponent)
	lv := levelNone
	if f >= 1.0/3 {
		lv = levelFees
	}
	if f >= 2.0/3 {
		lv = levelFrozen
	}
	return min(lv, e.maxLevel())
}

// defaultStart is the first due date of an opening offer: a week out.
func (e *engine) defaultStart() civil.Date {
	return e.s.Case.AsOf.AddDays(min(7, e.l.maxStartDays))
}

// wantedDown is the down payment we ask for: the policy's share of the
// balance rounded up to the minor unit, exactly as CheckPlan requires it
// (RequiredDown), so that an opening never asks one cent less than the
// policy binds a plan to.
func (e *engine) wantedDown() int64 {
	if e.l.downShare <= 0 {
		return 0
	}
	d := RequiredDown(e.s.Policy, money.New(e.s.Case.Balance, e.s.Case.Currency)).Minor()
	if d >= e.s.Case.Balance {
		return 0
	}
	return d
}

// planTerms builds plan terms for n regular installments.
func (e *engine) planTerms(freq string, start civil.Date, down int64, n, level int) Terms {
	p := e.s.Case.Balance - down
	return Terms{Kind: KindPlan, Frequency: freq, Start: start, DownPayment: down, Installments: n,
		Installment: p / int64(n), Level: level}
}

// Open starts a negotiation: the opening offer is the shortest plan within
// the installment the customer can afford (the budget's or the payment
// history's), or with neither, the plan worth most to us — with every
// concession held back, and never the most lenient plan (never the
// longest term).
func Open(c Case, p Policy) (Session, Response, error) {
	var fs apperr.Fields
	if c.Balance <= 0 {
		fs.Add("balance", "there is nothing to negotiate: the balance is %s", fmtAmount(c.Balance, c.Currency))
	}
	if c.Fees < 0 {
		fs.Add("fees", "must not be negative")
	}
	if c.Affordable < 0 {
		fs.Add("affordable", "must not be negative")
	}
	if c.Available < 0 {
		fs.Add("available", "must not be negative")
	}
	if c.AsOf.IsZero() {
		fs.Add("as_of", "is required")
	}
	if err := fs.Err("negotiation"); err != nil {
		return Session{}, Response{}, err
	}
	s := Session{Case: c, Policy: p, Status: StatusOpen}
	e, err := newEngine(&s)
	if err != nil {
		return Session{}, Response{}, err
	}
	s.Expires = c.AsOf.AddDays(e.l.validDays)
	m := e.model(levelNone)
	s.NoDeal = m.noDeal(float64(c.Balance)+m.fees, 0)

	start, down := e.defaultStart(), e.wantedDown()
	maxN := e.maxN(plan.Monthly)
	best, bestV := Terms{}, math.Inf(-1)
	// Firm and realistic: when the budget or the payment history gives an
	// affordable installment, the shortest plan within it — what the
	// customer's means support, never a longer plan because its smaller
	// installments look safer (else the lowest burden we would open with).
	affordable := float64(c.Affordable)
	if c.Affordable <= 0 {
		// Nothing known of the means: ask for the balance as soon as the
		// policy allows, and let the customer's answer (or a budget) tell
		// us what they can pay.
		affordable = math.Inf(1)
	}
	var lowest Terms
	if !math.IsInf(affordable, 1) {
		// The affordable installment itself, each month, the last one
		// smaller: as much as the customer can pay, as early as they can.
		if t := e.fixedTerms(plan.Monthly, start, down, int64(affordable), levelNone); t.Installments <= max(1, maxN-1) {
			if ok, _ := e.feasible(t); ok {
				best = t
				bestV, _ = e.value(t)
			}
		}
	}
	for n := 1; n <= max(1, maxN-1) && math.IsInf(bestV, -1); n++ {
		t := e.planTerms(plan.Monthly, start, down, n, levelNone)
		if ok, _ := e.feasible(t); !ok {
			continue
		}
		lowest = t
		if float64(t.Installment) > affordable {
			continue
		}
		best = t
		bestV, _ = e.value(t)
		break
	}
	if math.IsInf(bestV, -1) && lowest.Installments > 0 {
		best = lowest
		bestV, _ = e.value(best)
	}
	// The reservation value is the value of the lowest plan we would
	// accept: the most lenient one within the policy's limits (longest
	// term, no down payment, latest start, every concession) — or of the
	// no-deal alternative if that is worth more. When even our best
	// opening is worth less than the most lenient plan (a customer who can
	// only afford the longest term), the floor is the opening's value.
	lenient := e.mostLenient()
	s.Min = s.NoDeal
	if lenient.Installments > 0 {
		lv, _ := e.value(lenient)
		s.Min = math.Max(s.NoDeal, math.Min(bestV, lv))
	}
	resp := Response{Round: 0, Decision: DecisionOpen}
	if bestV < s.Min || math.IsInf(bestV, -1) {
		s.Status = StatusClosed
		resp.Status, resp.Decision = s.Status, DecisionReject
		resp.Evaluation = Evaluation{Target: s.Min, Floor: s.Min, NoDeal: s.NoDeal, Opening: math.Max(bestV, 0)}
		resp.Words = []Sentence{{Kind: SayNoPlan}, e.nextSteps()}
		resp.Explanation = Render(resp.Words, English)
		return s, resp, nil
	}
	s.Max, s.Opening, s.Standing, s.Value = bestV, best, best, bestV
	s.Resume = s.Min
	resp.Status = s.Status
	o, err := e.offer(best)
	if err != nil {
		return Session{}, Response{}, err
	}
	resp.Offer = &o
	resp.Alternatives = e.alternatives(o, s.Max)
	s.Alternatives = altTerms(resp.Alternatives)
	resp.Concessions = e.concessions(o)
	resp.Evaluation = Evaluation{Target: s.Max, Floor: s.Min, NoDeal: s.NoDeal, Opening: s.Max}
	resp.Words = e.explainOpen(o)
	resp.Explanation = Render(resp.Words, English)
	return s, resp, nil
}

// RevealFactor: without a budget, a customer who proposes to pay B a month
// is taken to be able to pay up to RevealFactor·B (people ask for a little
// less than they can pay); the estimate only ever falls.
const RevealFactor = 1.25

// learn updates the capacity estimate from a counter-offer when the
// customer gave no budget, and re-bases the tactic on it: the opening's
// and the floor's values and the standing offer's value are recomputed
// under the new estimate: the standing offer becomes the tactic's top
// (Max), the floor is recomputed at or below it. A lower capacity only
// lowers values, so the standing offer's value still never rises.
func (e *engine) learn(ask Terms) {
	s := e.s
	if ask.Kind != KindPlan {
		return
	}
	if s.Case.Available > 0 || s.Case.Affordable > 0 {
		return
	}
	// Only an ask below our standing offer says something about what the
	// customer cannot pay; one at or above it (e.g. an alternative we
	// offered) does not.
	if s.Standing.Kind == KindPlan && monthlyBurden(ask) >= monthlyBurden(s.Standing) {
		return
	}
	est := RevealFactor * monthlyBurden(ask)
	if est <= 0 || est >= e.capacity() {
		return
	}
	old := s.Capacity
	s.Capacity = est
	// Re-base the tactic where we stand: the standing offer's value under
	// the new estimate is the new top, the floor is recomputed below it.
	v, _ := e.value(s.Standing)
	if v < s.NoDeal {
		// Under this estimate even our standing offer is worth less than
		// the alternative: keep the old estimate rather than chase it.
		s.Capacity = old
		return
	}
	minV := s.NoDeal
	if l := e.mostLenient(); l.Installments > 0 {
		lv, _ := e.value(l)
		minV = math.Max(s.NoDeal, math.Min(v, lv))
	}
	// The tactic's top and floor only ever fall: a standing offer that
	// asks less than the opening may be worth more under the new estimate
	// than the opening was under the old one.
	s.Max, s.Min, s.Value = math.Min(s.Max, v), math.Min(s.Min, minV), v
}

// mostLenient is the most lenient plan within the policy's limits, or zero
// Terms when there is none.
func (e *engine) mostLenient() Terms {
	start := e.s.Case.AsOf.AddDays(e.l.maxStartDays)
	for n := e.maxN(plan.Monthly); n >= 1; n-- {
		t := e.planTerms(plan.Monthly, start, 0, n, e.maxLevel())
		if ok, _ := e.feasible(t); ok {
			return t
		}
	}
	return Terms{}
}

// Respond answers a counter-offer. It returns the new session (the input
// is not modified) and the response; errors are apperr Invalid for a bad
// counter-offer and Conflict when the negotiation takes no more counters.
func Respond(in Session, c Counter) (Session, Response, error) {
	s := in
	e, err := newEngine(&s)
	if err != nil {
		return in, Response{}, err
	}
	if s.Status != StatusOpen {
		return in, Response{}, apperr.Errorf(apperr.Conflict, "the negotiation is %s: it takes no more counter-offers%s", s.Status, statusHint(s.Status))
	}
	if !c.AsOf.IsZero() && c.AsOf.After(s.Expires) {
		return in, Response{}, apperr.Errorf(apperr.Conflict, "the negotiation expired on %s: start a new one", s.Expires)
	}
	ask, err := e.askTerms(c)
	if err != nil {
		return in, Response{}, err
	}
	e.learn(ask)
	s.Round++
	target := e.target(s.Round)
	last := s.Round >= e.l.maxRounds
	ok, why := e.feasible(ask)
	askV, askC := e.counterValue(ask)
	resp := Response{Round: s.Round}
	resp.Evaluation = Evaluation{CounterValue: &askV, Target: target, Floor: s.Min, NoDeal: s.NoDeal, Opening: s.Max}

	// Accepted: a counter worth the round's target; one that pays at
	// least as much, no later, than an offer we would accept (dominance.go);
	// a settlement within the discount limit worth at least the floor.
	basis := ""
	switch {
	case !ok:
	case askV >= target:
		basis = BasisTarget
	case e.dominatesOurs(ask):
		basis = BasisDominates
	case ask.Kind == KindLump && askV >= s.Min:
		basis = BasisSettlement
	}
	agree := func(basis string) (Session, Response, error) {
		s.Status, s.Standing, s.Value, s.AgreedBy = StatusAgreed, ask, askV, basis
		resp.Evaluation.Basis = basis
		o, err := e.offer(ask)
		if err != nil {
			return in, Response{}, err
		}
		o.Value, o.Completion = askV, askC // what we agreed on: the customer's offer on their word
		resp.Status, resp.Decision, resp.Offer = s.Status, DecisionAccept, &o
		resp.Alternatives = e.alternatives(o, target)
		s.Alternatives = altTerms(resp.Alternatives)
		resp.Concessions = e.concessions(o)
		resp.Words = e.explainAccept(o)
		resp.Explanation = Render(resp.Words, English)
		return s, resp, nil
	}
	if basis != "" {
		return agree(basis)
	}

	if last {
		target = s.Min
		resp.Evaluation.Target = target
	}
	next, nextV, found := e.nearest(c, ask, target, s.Value)
	if !found {
		// Our standing offer meets every earlier target, so it is always a
		// candidate; this only happens when the standing offer was itself
		// the customer's (agreed) — not reachable while open.
		next, nextV = s.Standing, s.Value
	}
	s.Standing, s.Value = next, nextV
	if next.Level < in.Standing.Level {
		return in, Response{}, fmt.Errorf("negotiate: concession level went back from %d to %d", in.Standing.Level, next.Level)
	}
	o, err := e.offer(next)
	if err != nil {
		return in, Response{}, err
	}
	resp.Offer = &o
	resp.Alternatives = e.alternatives(o, target)
	if a, ok := e.downAndRest(ask, target, o.Level); ok {
		resp.Alternatives = append([]Alternative{a}, resp.Alternatives...)
	}
	if ok {
		// The customer may take any of these alternatives at once: a
		// counter that pays at least as much, no later, than one of them is
		// agreed rather than answered with something worse for us.
		for _, a := range resp.Alternatives {
			if e.dominates(ask, a.Offer.Terms) {
				return agree(BasisDominatesAlternative)
			}
		}
	}
	s.Alternatives = altTerms(resp.Alternatives)
	resp.Concessions = e.concessions(o)
	below := askV < s.Min || !ok
	switch {
	case last:
		s.Status = StatusFinal
		resp.Decision = DecisionReject
	case below:
		resp.Decision = DecisionReject
	default:
		resp.Decision = DecisionCounter
	}
	resp.Status = s.Status
	resp.Words = e.explainCounter(ask, ok, why, askV < s.Min, o, last)
	resp.Explanation = Render(resp.Words, English)
	return s, resp, nil
}

func statusHint(status string) string {
	switch status {
	case StatusAgreed:
		return " (we accepted the last proposal: accept it to get the plan)"
	case StatusFinal:
		return " (the final offer stands: accept it or let it lapse)"
	case StatusAccepted:
		return " (it became a plan)"
	}
	return ""
}

func altTerms(as []Alternative) []Terms {
	out := make([]Terms, len(as))
	for i, a := range as {
		out[i] = a.Offer.Terms
	}
	return out
}

// Accept marks the session accepted and returns the offer that becomes the
// plan: the standing offer, or with alternative ≥ 1 that alternative of
// the last response.
func Accept(in Session, asOf civil.Date, alternative int) (Session, Offer, error) {
	s := in
	e, err := newEngine(&s)
	if err != nil {
		return in, Offer{}, err
	}
	switch s.Status {
	case StatusOpen, StatusAgreed, StatusFinal:
	default:
		return in, Offer{}, apperr.Errorf(apperr.Conflict, "the negotiation is %s: there is no offer to accept", s.Status)
	}
	if !asOf.IsZero() && asOf.After(s.Expires) {
		return in, Offer{}, apperr.Errorf(apperr.Conflict, "the offer expired on %s: start a new negotiation", s.Expires)
	}
	t := s.Standing
	if alternative != 0 {
		if alternative < 0 || alternative > len(s.Alternatives) {
			return in, Offer{}, apperr.Field("alternative", "%d is not one of the %d alternatives offered", alternative, len(s.Alternatives))
		}
		t = s.Alternatives[alternative-1]
	}
	if !asOf.IsZero() && t.Start.Before(asOf) {
		// The offer stood until it expired, but its first date has come:
		// the same terms, starting a week from acceptance.
		t.Start = asOf.AddDays(7)
	}
	o, err := e.offer(t)
	if err != nil {
		return in, Offer{}, err
	}
	if alternative == 0 && s.AgreedBy != "" {
		// The customer's own offer, agreed: valued on their word, as it
		// was when we agreed to it.
		o.Value, o.Completion = e.counterValue(t)
	}
	s.Status, s.Standing, s.Value = StatusAccepted, t, o.Value
	return s, o, nil
}

// Concessions lists what an offer concedes, in money.
func Concessions(s Session, o Offer) []Concession {
	e, err := newEngine(&s)
	if err != nil {
		return nil
	}
	return e.concessions(o)
}

// askTerms turns a counter-offer into terms, taking what it leaves out
// from the standing offer; it validates the counter's fields (problems.go:
// typed, so that the customer reads them in their language).
func (e *engine) askTerms(c Counter) (Terms, error) {
	s := e.s
	cur := s.Case.Currency
	var ps []Problem
	if c.Currency != "" && c.Currency != cur {
		ps = append(ps, Problem{Field: "currency", Kind: ProblemCurrency, Text: string(c.Currency), Currency: cur})
	}
	std := s.Standing
	freq := std.Frequency
	if freq == "" {
		freq = plan.Monthly
	}
	if c.Frequency != "" {
		switch c.Frequency {
		case plan.Weekly, plan.Biweekly, plan.Monthly:
			freq = c.Frequency
		default:
			ps = append(ps, Problem{Field: "frequency", Kind: ProblemFrequency, Text: c.Frequency})
		}
	}
	start := std.Start
	now := s.Case.AsOf
	if c.AsOf.After(now) {
		now = c.AsOf
	}
	if start.Before(now.AddDays(1)) {
		// Our standing offer's first date has come: a counter without a
		// date starts a week from when it is made.
		start = now.AddDays(7)
	}
	if !c.Start.IsZero() {
		if c.Start.Before(now) {
			ps = append(ps, Problem{Field: "start_date", Kind: ProblemStartPast, Date: c.Start, Made: now})
		}
		start = c.Start
	}
	if c.Installments < 0 || c.Installments > maxPlanInstallments {
		ps = append(ps, Problem{Field: "installments", Kind: ProblemInstallments, Count: c.Installments, Max: maxPlanInstallments})
	}
	if c.InstallmentAmount != nil && *c.InstallmentAmount <= 0 {
		ps = append(ps, Problem{Field: "installment_amount", Kind: ProblemNotPositive})
	}
	bal := money.New(s.Case.Balance, cur)
	down := std.DownPayment
	if c.DownPayment != nil {
		down = *c.DownPayment
		if down < 0 || down >= s.Case.Balance {
			ps = append(ps, Problem{Field: "down_payment", Kind: ProblemDownPayment, Amount: money.New(down, cur), Balance: bal})
		}
	}
	if c.LumpSum != nil {
		if *c.LumpSum <= 0 || *c.LumpSum > s.Case.Balance {
			ps = append(ps, Problem{Field: "lump_sum", Kind: ProblemLumpSum, Amount: money.New(*c.LumpSum, cur), Balance: bal})
		}
		if c.Installments > 0 || c.InstallmentAmount != nil || c.DownPayment != nil || c.Frequency != "" {
			ps = append(ps, Problem{Field: "lump_sum", Kind: ProblemLumpMixed})
		}
	}
	if c.LumpSum == nil && c.Installments == 0 && c.InstallmentAmount == nil && c.DownPayment == nil && c.Frequency == "" && c.Start.IsZero() {
		ps = append(ps, Problem{Field: "counter_offer", Kind: ProblemEmpty})
	}
	if err := counterError(ps); err != nil {
		return Terms{}, err
	}
	level := std.Level
	if c.LumpSum != nil {
		if c.Start.IsZero() {
			start = e.defaultStart()
			if later := now.AddDays(7); later.After(start) {
				start = later
			}
		}
		return Terms{Kind: KindLump, Start: start, LumpSum: *c.LumpSum, Level: level}, nil
	}
	p := s.Case.Balance - down
	n := std.Installments
	if std.Kind == KindLump || n == 0 {
		n = e.s.Opening.Installments
	}
	switch {
	case c.InstallmentAmount != nil:
		a := *c.InstallmentAmount
		n64 := (p + a - 1) / a // the count follows from the amount
		if n64 > maxPlanInstallments {
			return Terms{}, counterError([]Problem{{Field: "installment_amount", Kind: ProblemTooMany,
				Amount: money.New(a, cur), Count: int(n64), Balance: money.New(p, cur)}})
		}
		n = int(n64)
	case c.Installments > 0:
		n = c.Installments
	case c.Frequency != "" && c.Frequency != std.Frequency && std.Kind == KindPlan:
		// Same monthly burden, new rhythm: scale the count.
		n = max(1, int(math.Round(float64(n)*perMonth(freq)/perMonth(std.Frequency))))
	}
	if n < 1 {
		n = 1
	}
	t := e.planTerms(freq, start, down, n, level)
	switch {
	case c.InstallmentAmount != nil && n > 1:
		t = e.fixedTerms(freq, start, down, *c.InstallmentAmount, level)
	case c.InstallmentAmount == nil && std.Kind == KindPlan && std.Fixed && (c.Installments == 0 || c.Installments == std.Installments) &&
		freq == std.Frequency && down == std.DownPayment:
		// Our fixed installment, with only its date (or nothing) changed:
		// the same installment.
		t = e.fixedTerms(freq, start, down, std.Installment, level)
	}
	return t, nil
}

// fixedTerms builds plan terms with a chosen regular installment a: the
// count follows, the last installment is what is left.
func (e *engine) fixedTerms(freq string, start civil.Date, down, a int64, level int) Terms {
	p := e.s.Case.Balance - down
	n := int((p + a - 1) / a)
	if n <= 1 {
		return e.planTerms(freq, start, down, 1, level)
	}
	t := Terms{Kind: KindPlan, Frequency: freq, Start: start, DownPayment: down, Installments: n,
		Installment: a, Fixed: true, Level: level}
	if e.interest(level) {
		// With interest the count follows from the schedule: more
		// installments than the principal alone needs.
		sc, err := e.schedule(t)
		if err != nil {
			t.Installments = maxPlanInstallments + 1 // never pays off: infeasible
			return t
		}
		t.Installments = len(sc.Installments)
		if down > 0 {
			t.Installments--
		}
	}
	return t
}

// maxPlanInstallments bounds counts the engine considers (plan.Quote's limit).
const maxPlanInstallments = 1200

// nearest finds the plan closest to what the customer asked that is worth
// at least target and at most cap (our previous offer: concessions are
// monotone), within the policy's limits. Ties go to the higher value.
func (e *engine) nearest(c Counter, ask Terms, target, cap float64) (Terms, float64, bool) {
	const eps = 1e-6
	s := e.s
	bestD, bestV := math.Inf(1), math.Inf(-1)
	var best Terms
	consider := func(t Terms, dist float64) {
		// Cheapest tests first: a candidate farther than the best so far
		// cannot win; then the value window; then the policy's limits.
		if dist > bestD+1e-12 {
			return
		}
		v, _ := e.value(t)
		if v < target-eps || (v > cap+eps && !asksLess(t, s.Standing)) {
			return
		}
		if !(dist < bestD-1e-12 || (math.Abs(dist-bestD) <= 1e-12 && v > bestV)) {
			return
		}
		if t != s.Standing && !e.offerable(t) {
			return
		}
		best, bestD, bestV = t, dist, v
	}
	bal := float64(s.Case.Balance)
	levels := []int{}
	for lv := max(s.Standing.Level, e.roundLevel(s.Round)); lv <= e.maxLevel(); lv++ {
		levels = append(levels, lv)
	}
	// The standing offer itself is always a candidate (it met the previous
	// target, which is at least this one).
	consider(s.Standing, 1e6)

	if ask.Kind == KindLump {
		minLump := int64(math.Ceil(bal * (1 - e.l.maxDiscount)))
		from := max(ask.LumpSum, minLump)
		for _, lv := range levels {
			for k := 0; k <= 40; k++ {
				l := from + (s.Case.Balance-from)*int64(k)/40
				t := Terms{Kind: KindLump, Start: ask.Start, LumpSum: l, Level: lv}
				consider(t, math.Abs(float64(l-ask.LumpSum))/bal+0.001*float64(lv-s.Standing.Level))
			}
		}
	}
	freq := ask.Frequency
	if freq == "" {
		freq = plan.Monthly
	}
	start := ask.Start
	if d := start.DaysSince(s.Case.AsOf); d > e.l.maxStartDays {
		start = s.Case.AsOf.AddDays(e.l.maxStartDays)
	}
	downs := []int64{ask.DownPayment}
	for _, d := range []int64{s.Standing.DownPayment, 0, e.wantedDown()} {
		if !containsInt64(downs, d) {
			downs = append(downs, d)
		}
	}
	refN := float64(ask.Installments)
	if ask.Kind == KindLump {
		refN = 1
	}
	for _, lv := range levels {
		for _, down := range downs {
			for n := 1; n <= e.maxN(freq); n++ {
				t := e.planTerms(freq, start, down, n, lv)
				dist := 0.0
				switch {
				case c.InstallmentAmount != nil:
					dist += math.Abs(float64(t.Installment-*c.InstallmentAmount)) / float64(*c.InstallmentAmount)
				case ask.Kind == KindLump:
					dist += 1 + float64(n)/float64(e.maxN(freq)) // a plan instead of a lump sum
				default:
					dist += math.Abs(float64(n)-refN) / refN
				}
				if down != ask.DownPayment {
					dist += 2 * math.Abs(float64(down-ask.DownPayment)) / bal
				}
				if !start.Equal(ask.Start) {
					dist += math.Abs(float64(start.DaysSince(ask.Start))) / 30
				}
				dist += 0.001 * float64(lv-s.Standing.Level)
				consider(t, dist)
			}
		}
	}
	return best, bestV, !math.IsInf(bestV, -1)
}

// asksLess reports whether terms t ask less of the customer each month
// than u: a concession, even when the model, having learned that the
// customer cannot pay u, values t more. (A lump sum asks its whole amount
// in its month.)
func asksLess(t, u Terms) bool {
	return askedMonthly(t) < askedMonthly(u)
}

func askedMonthly(t Terms) float64 {
	if t.Kind == KindLump {
		return float64(t.LumpSum)
	}
	return math.Max(monthlyBurden(t), float64(t.DownPayment))
}

func containsInt64(xs []int64, x int64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// offer computes an offer's schedule and value.
func (e *engine) offer(t Terms) (Offer, error) {
	s, err := e.schedule(t)
	if err != nil {
		return Offer{}, fmt.Errorf("negotiate: schedule of %+v: %w", t, err)
	}
	v, c := e.value(t)
	o := Offer{Terms: t, Schedule: s, Value: v, Completion: c}
	if t.Kind == KindPlan && t.Level >= levelFees && e.l.earlyDiscount > 0 {
		o.EarlyPayoffDiscount = e.l.earlyDiscountText
	}
	return o, nil
}

// concessions lists, in money, what an offer concedes against the claim,
// each with its note in figures (RenderNote) and in English.
func (e *engine) concessions(o Offer) []Concession {
	c := e.s.Case
	cur := c.Currency
	var out []Concession
	add := func(kind string, amount int64, n ConcessionNote) {
		n.Kind = kind
		out = append(out, Concession{Kind: kind, Amount: amount, Note: RenderNote(n, English), Say: n})
	}
	if o.Level >= levelFees && c.Fees > 0 && e.s.Policy.MayWaiveFees {
		add("fee_waived", c.Fees, ConcessionNote{})
	}
	if o.Kind == KindPlan && o.Level >= levelFrozen && e.l.planRate > 0 {
		full, err := e.schedule(Terms{Kind: KindPlan, Frequency: o.Frequency, Start: o.Start, DownPayment: o.DownPayment,
			Installments: o.Installments, Level: levelNone})
		if err == nil && full.Interest.Minor() > 0 {
			add("interest_frozen", full.Interest.Minor(), ConcessionNote{Percent: basisPoints(e.l.planRate)})
		}
	}
	if o.Kind == KindLump && o.LumpSum < c.Balance {
		add("settlement_discount", c.Balance-o.LumpSum, ConcessionNote{Balance: money.New(c.Balance, cur), Paid: money.New(o.LumpSum, cur), Date: o.Schedule.Installments[0].DueDate})
	}
	if o.EarlyPayoffDiscount != "" {
		amt := int64(math.Floor(float64(c.Balance) * e.l.earlyDiscount))
		add("early_payment_discount", amt, ConcessionNote{Amount: money.New(amt, cur), Percent: basisPoints(e.l.earlyDiscount)})
	}
	return out
}

// alternatives are 2–3 other offers: "a little more each time, finish
// sooner", a lump-sum settlement, another rhythm. Each is worth at least
// target to us (so accepting one is always fine); when fewer than two
// qualify, the next round's target is tried (what we would accept next).
func (e *engine) alternatives(o Offer, target float64) []Alternative {
	var out []Alternative
	for _, th := range []float64{target, math.Max(e.s.Min, e.target(e.s.Round+1))} {
		out = e.alternativesAt(o, th, out)
		if len(out) >= 2 {
			break
		}
	}
	return out
}

func (e *engine) alternativesAt(o Offer, target float64, out []Alternative) []Alternative {
	cur := e.s.Case.Currency
	// add offers t when we would accept it: worth the target, or (sooner)
	// paying at least as much as o, no later (dominance.go) — "pay a little
	// more, finish sooner" belongs in every offer the customer can afford.
	add := func(say AltLabel, t Terms, need float64, sooner bool) {
		if len(out) >= 3 {
			return
		}
		for _, a := range out {
			if a.Offer.Terms == t {
				return
			}
		}
		if v, _ := e.value(t); v < need-1e-6 && !(sooner && e.dominates(t, o.Terms)) {
			return
		}
		if !e.offerable(t) {
			return
		}
		if alt, err := e.offer(t); err == nil {
			if !say.Date.IsZero() && len(alt.Schedule.Installments) > 0 {
				say.Date = alt.Schedule.Installments[0].DueDate // as rolled to a business day
			}
			// A plan's label names the schedule's own figures (only for
			// the alternatives offered: reading a schedule costs).
			switch say.Kind {
			case LabelPayMore:
				say.Amount, _, _ = labelFigures(alt.Schedule, say.Amount)
			case LabelBiweekly, LabelLonger:
				say.Amount, say.Down, say.Last = labelFigures(alt.Schedule, say.Amount)
			}
			out = append(out, Alternative{Label: RenderLabel(say, English), Say: say, Offer: alt})
		}
	}
	if o.Kind == KindPlan && o.Installments > 1 {
		unit := cur.Unit()
		found, shortest := 0, o.Installments
		for _, major := range []int64{10, 15, 25, 50, 100, 250, 500, 1000} {
			if found == 2 {
				break
			}
			extra := major * unit
			t := e.fixedTerms(o.Frequency, o.Start, o.DownPayment, o.Installment+extra, o.Level)
			n := t.Installments
			if n >= shortest {
				continue
			}
			before := len(out)
			add(AltLabel{Kind: LabelPayMore, Extra: money.New(extra, cur), Amount: money.New(t.Installment, cur), Count: o.Installments - n, Frequency: o.Frequency}, t, target, true)
			if len(out) > before {
				found, shortest = found+1, n
			}
		}
	}
	hasLump := false
	for _, a := range out {
		hasLump = hasLump || a.Offer.Kind == KindLump
	}
	if e.l.maxDiscount > 0 && o.Kind == KindPlan && !hasLump { // one settlement alternative at most
		// The smallest settlement worth the target, within a quarter of the
		// discount limit while the tactic has conceded less than half its
		// room, within all of it after that, when also the smallest worth
		// the floor is offered if none is worth the target (a settlement
		// we would accept if the customer proposed it: Respond, basis
		// settlement): firm, then step by step. With no settlement worth
		// the target, the whole balance by the first due date (it pays
		// more, sooner, than the plan).
		bal := e.s.Case.Balance
		minLump := int64(math.Ceil(float64(bal) * (1 - e.l.maxDiscount)))
		if e.concededShare() < 0.5 {
			minLump = int64(math.Ceil(float64(bal) * (1 - e.l.maxDiscount/4)))
		}
		found := false
		ths := []float64{target, e.s.Min}
		if e.concededShare() < 0.5 {
			ths = ths[:1]
		}
		for _, th := range ths {
			for k := 0; k <= 20 && !found; k++ {
				l := minLump + (bal-minLump)*int64(k)/20
				t := Terms{Kind: KindLump, Start: e.defaultStart(), LumpSum: l, Level: o.Level}
				if v, _ := e.value(t); v < th {
					continue
				}
				if ok, _ := e.feasible(t); ok {
					say := AltLabel{Kind: LabelSettle, Amount: money.New(l, cur), Date: t.Start, Extra: money.New(bal-l, cur)}
					if l == bal {
						say = AltLabel{Kind: LabelPayWhole, Amount: money.New(l, cur), Date: t.Start}
					}
					add(say, t, th, false)
					found = true
				}
			}
		}
		if !found {
			t := Terms{Kind: KindLump, Start: o.Start, LumpSum: bal, Level: o.Level}
			add(AltLabel{Kind: LabelPayWhole, Amount: money.New(bal, cur), Date: t.Start}, t, target, true)
		}
	}
	if o.Kind == KindPlan && o.Frequency == plan.Monthly && o.Installments > 1 {
		// As many fortnightly installments as finish no later than the
		// monthly plan: a different rhythm, not a longer plan.
		n := max(2, int(math.Floor(float64(o.Installments)*perMonth(plan.Biweekly))))
		t := e.planTerms(plan.Biweekly, o.Start, o.DownPayment, n, o.Level)
		if o.Fixed {
			// The same amount a month, in fortnightly parts.
			t = e.fixedTerms(plan.Biweekly, o.Start, o.DownPayment, int64(math.Ceil(float64(o.Installment)/perMonth(plan.Biweekly))), o.Level)
			n = t.Installments
		}
		add(AltLabel{Kind: LabelBiweekly, Count: n, Amount: money.New(t.Installment, cur)}, t, target, false)
	}
	if o.Kind == KindPlan && o.Installments > 2 {
		// A slightly longer plan: one more installment.
		t := e.planTerms(o.Frequency, o.Start, o.DownPayment, o.Installments+1, o.Level)
		add(AltLabel{Kind: LabelLonger, Count: t.Installments, Frequency: o.Frequency, Amount: money.New(t.Installment, cur)}, t, target, false)
	}
	return out
}

// labelFigures are what a plan's label names, as its schedule has them:
// each regular payment (with interest, when the plan bears it: not the
// principal installment of the terms), the down payment (zero: none) and
// the last payment (zero: the same as the others). With no installments,
// each is the terms' installment as given.
func labelFigures(sc plan.Schedule, each money.Amount) (money.Amount, money.Amount, money.Amount) {
	var down, last money.Amount
	ins := sc.Installments
	if len(ins) > 0 && ins[0].Down {
		down, ins = ins[0].Amount, ins[1:]
	}
	if len(ins) == 0 {
		return each, down, last
	}
	each = ins[0].Amount
	if l := ins[len(ins)-1].Amount; len(ins) > 1 && l != each {
		last = l
	}
	return each, down, last
}

// downAndRest answers a lump sum we cannot accept as a settlement with
// what a credit controller proposes: the amount offered now, as a down
// payment, and the rest in the shortest monthly plan worth the target
// whose installment is within what the customer can afford — their cash
// is welcome, only the discount is not.
func (e *engine) downAndRest(ask Terms, target float64, level int) (Alternative, bool) {
	bal := e.s.Case.Balance
	if ask.Kind != KindLump || ask.LumpSum <= 0 || ask.LumpSum >= bal {
		return Alternative{}, false
	}
	start := ask.Start
	if start.Before(e.s.Case.AsOf) || start.DaysSince(e.s.Case.AsOf) > e.l.maxStartDays {
		start = e.defaultStart() // the lump's date is outside the policy's start window
	}
	capacity := e.capacity()
	if a := float64(e.s.Case.Affordable); a > 0 && a < capacity {
		capacity = a
	}
	for n := 1; n <= e.maxN(plan.Monthly); n++ {
		t := e.planTerms(plan.Monthly, start, ask.LumpSum, n, level)
		if float64(t.Installment) > capacity {
			continue
		}
		if ok, _ := e.feasible(t); !ok || !e.offerable(t) {
			continue
		}
		// The down payment is the cash they offered: valued on their word.
		v, c := e.counterValue(t)
		if v < target-1e-6 {
			continue
		}
		o, err := e.offer(t)
		if err != nil {
			return Alternative{}, false
		}
		o.Value, o.Completion = v, c
		cur := e.s.Case.Currency
		say := AltLabel{Kind: LabelDownAndRest, Extra: money.New(ask.LumpSum, cur), Date: o.Schedule.Installments[0].DueDate, Count: n, Frequency: plan.Monthly, Amount: money.New(t.Installment, cur)}
		return Alternative{Label: RenderLabel(say, English), Say: say, Offer: o}, true
	}
	return Alternative{}, false
}

func (e *engine) nextSteps() Sentence {
	route := "agency"
	if e.s.Policy.NoDeal.Action == "legal" {
		route = "legal"
	}
	return Sentence{Kind: SayNextSteps, Route: route}
}

// plainOf is an offer as the customer reads it.
func (e *engine) plainOf(o Offer) *Plain {
	cur := e.s.Case.Currency
	if o.Kind == KindLump {
		return &Plain{Lump: true, First: money.New(o.LumpSum, cur), FirstDate: o.Schedule.Installments[0].DueDate, Total: o.Schedule.Total}
	}
	ins := o.Schedule.Installments // due dates as rolled to business days
	p := &Plain{Count: o.Installments, Frequency: o.Frequency, Total: o.Schedule.Total, Down: money.Zero(cur)}
	if o.DownPayment > 0 {
		p.Down, p.DownDate = money.New(o.DownPayment, cur), ins[0].DueDate
	}
	first, last := ins[0], ins[len(ins)-1]
	if o.DownPayment > 0 && len(ins) > 1 {
		first = ins[1]
	}
	p.First, p.FirstDate, p.Last, p.LastDate = first.Amount, first.DueDate, last.Amount, last.DueDate
	return p
}

// affordNote relates a plan to what the customer can pay, when we know it.
func (e *engine) affordNote(o Offer) []Sentence {
	c := e.s.Case
	if c.Affordable <= 0 || o.Kind != KindPlan {
		return nil
	}
	monthly := float64(o.Installment) * perMonth(o.Frequency)
	fits := monthly <= float64(c.Affordable)*1.0001
	switch c.AffordableSource {
	case "budget":
		// The surplus the customer's income and expenses leave, which is
		// what they told us; the affordable installment is our share of it.
		// (A case made without its surplus, as some tests make them: the
		// affordable installment stands in for it.)
		surplus := max(c.Available, c.Affordable)
		switch {
		case surplus <= 1:
			// No surplus (the service passes 1 so that the engine opens
			// with the lowest installment its limits allow).
			return []Sentence{{Kind: SayNoSurplus}}
		case fits:
			return []Sentence{{Kind: SayFitsBudget, Amount: money.New(surplus, c.Currency)}}
		case monthly <= float64(surplus)*1.0001:
			return []Sentence{{Kind: SayAboveBudget, Amount: money.New(surplus, c.Currency)}}
		}
		return []Sentence{{Kind: SayAboveSurplus, Amount: money.New(surplus, c.Currency)}}
	case "history":
		// What they paid us per month over the past year, not the prudent
		// share of it we open with.
		if paid := c.Available; paid > 0 && monthly <= float64(paid)*1.0001 {
			return []Sentence{{Kind: SayHistory, Amount: money.New(paid, c.Currency)}}
		}
	}
	return nil
}

func (e *engine) explainOpen(o Offer) []Sentence {
	c := e.s.Case
	bal := money.New(c.Balance, c.Currency)
	p := e.plainOf(o)
	// The whole balance in one payment (what the opening asks when nothing
	// is known of the means): "please pay the balance by …", not "we
	// propose one payment of … on …, … in total", and when we know nothing
	// of what the customer can pay, we ask.
	once := o.Kind == KindPlan && o.Installments == 1 && o.DownPayment == 0 && p.Last == bal
	var out []Sentence
	if once {
		out = append(out, Sentence{Kind: SayPayBalance, Amount: bal, Date: p.LastDate})
		if c.Affordable <= 0 {
			out = append(out, Sentence{Kind: SayAskMeans})
		}
	} else {
		out = append(out, Sentence{Kind: SayPropose, Offer: p, Amount: bal})
	}
	out = append(out, e.affordNote(o)...)
	switch {
	case c.Fees > 0 && once:
		out = append(out, Sentence{Kind: SayFeesUntil, Amount: money.New(c.Fees, c.Currency), Date: p.LastDate})
	case c.Fees > 0:
		out = append(out, Sentence{Kind: SayFeesReserved, Amount: money.New(c.Fees, c.Currency)})
	}
	if c.Kind == "consumer" {
		return append(out, Sentence{Kind: SayConsumer})
	}
	return append(out, Sentence{Kind: SayBusiness})
}

func (e *engine) explainAccept(o Offer) []Sentence {
	out := []Sentence{{Kind: SayAccept, Offer: e.plainOf(o)}}
	out = append(out, e.affordNote(o)...)
	if g := e.gained(o); len(g) > 0 {
		out = append(out, Sentence{Kind: SayGained, Gains: g})
	}
	return append(out, Sentence{Kind: SayConfirm})
}

func (e *engine) explainCounter(ask Terms, ok bool, why *Limit, belowFloor bool, o Offer, last bool) []Sentence {
	var out []Sentence
	switch {
	case !ok:
		out = append(out, Sentence{Kind: SayOutsideLimit, Limit: why})
	case belowFloor:
		out = append(out, Sentence{Kind: SayBelowFloor})
	default:
		out = append(out, Sentence{Kind: SayMoved})
	}
	out = append(out, Sentence{Kind: SayOffer, Offer: e.plainOf(o), Final: last})
	out = append(out, e.affordNote(o)...)
	if g := e.gained(o); len(g) > 0 {
		out = append(out, Sentence{Kind: SayGained, Gains: g})
	}
	if last {
		out = append(out, Sentence{Kind: SayFinalUntil, Date: e.s.Expires}, e.nextSteps())
	}
	return out
}

// gained lists what the customer gained compared with our opening offer.
func (e *engine) gained(o Offer) []Gain {
	cur := e.s.Case.Currency
	var out []Gain
	op := e.s.Opening
	if o.Kind == KindPlan && op.Kind == KindPlan {
		if d := o.Installments - op.Installments; d > 0 && o.Frequency == op.Frequency {
			out = append(out, Gain{Kind: GainMoreInstallments, Count: d, Frequency: o.Frequency})
		}
		if o.DownPayment < op.DownPayment {
			out = append(out, Gain{Kind: GainLowerDown, Amount: money.New(op.DownPayment-o.DownPayment, cur)})
		}
	}
	for _, c := range e.concessions(o) {
		if c.Kind == "early_payment_discount" {
			out = append(out, Gain{Kind: c.Kind, Percent: basisPoints(e.l.earlyDiscount)})
			continue
		}
		out = append(out, Gain{Kind: c.Kind, Amount: money.New(c.Amount, cur)})
	}
	return out
}

// basisPoints is a share in hundredths of a percent (0.125 → 1250).
func basisPoints(f float64) int { return int(math.Round(f * 10000)) }

func fmtAmount(minor int64, cur money.Currency) string {
	return money.New(minor, cur).String() + " " + string(cur)
}

// concededShare is how much of the tactic's room has been conceded so far
// (0 at the opening, 1 at the floor).
func (e *engine) concededShare() float64 {
	room := e.s.Max - e.s.Min
	if room <= 0 || e.s.Value == 0 {
		return 0
	}
	return math.Min(1, math.Max(0, (e.s.Max-e.s.Value)/room))
}

// HistoryShare is the share of what a customer without a budget paid us
// per month over the past year that the engine opens with: the measured
// payments are their means (Available), but a year's average hides lean
// months, so the affordable installment keeps a margin, as the budget
// rule does (75% of a consumer's surplus).
const HistoryShare = 0.75

// MeansFromHistory is the means a year of payments shows: available is
// the monthly average (rounded up), affordable HistoryShare of it (at
// least 1 minor unit when anything was paid).
func MeansFromHistory(paidInYear int64) (affordable, available int64) {
	if paidInYear <= 0 {
		return 0, 0
	}
	available = (paidInYear + 11) / 12
	affordable = max(1, int64(math.Floor(float64(available)*HistoryShare)))
	return affordable, available
}
