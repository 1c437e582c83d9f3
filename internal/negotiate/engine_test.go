package negotiate

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

// ---------------------------------------------------------------------------
// Random cases, policies and counter-offers.

var testCurrencies = []money.Currency{"USD", "USD", "USD", "JPY", "BHD"}

func unitOf(cur money.Currency) int64 {
	u := int64(1)
	for range cur.Digits() {
		u *= 10
	}
	return u
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

// randomCase: a balance from 50.00 to 500,000.00 (log-uniform) in USD, JPY
// (no minor digits) or BHD (3), fees 0 or some, affordable unknown (0) or
// 1%..100% of the balance a month, bands A..E.
func randomCase(rng *rand.Rand) Case {
	cur := pick(rng, testCurrencies...)
	unit := unitOf(cur)
	major := math.Exp(uniform(rng, math.Log(50), math.Log(500_000)))
	bal := int64(major * float64(unit))
	c := Case{
		CustomerID: fmt.Sprintf("cust-%d", rng.IntN(1_000_000)),
		Currency:   cur,
		AsOf:       civil.New(2026, 1, 1).AddDays(rng.IntN(365)),
		Balance:    bal,
		RiskBand:   pick(rng, "A", "B", "C", "D", "E"),
	}
	if rng.IntN(2) == 0 {
		c.Fees = max(1, int64(float64(bal)*uniform(rng, 0.001, 0.10)))
	}
	if rng.IntN(4) != 0 {
		c.Affordable = max(1, int64(float64(bal)*uniform(rng, 0.01, 1.0)))
		c.AffordableSource = pick(rng, "budget", "history", "assumed")
		if rng.IntN(3) == 0 {
			c.Available = c.Affordable + int64(float64(c.Affordable)*uniform(rng, 0, 1))
		}
	}
	return c
}

// randomPolicy varies max_rounds 1..10, concession_exponent 0.2..3,
// min_recovery 0.3..0.9, max_term 3..36, down share 0..0.3, plan_rate 0
// or 0.08, and the rest around the default.
func randomPolicy(rng *rand.Rand) Policy {
	p := DefaultPolicy("random")
	p.MaxRounds = 1 + rng.IntN(10)
	p.ConcessionExponent = fmt.Sprintf("%.2f", uniform(rng, 0.2, 3))
	p.ConcessionStart = pick(rng, "0", "0", "0.1", "0.4")
	p.MinRecovery = fmt.Sprintf("%.2f", uniform(rng, 0.3, 0.9))
	p.MaxTermMonths = 3 + rng.IntN(34)
	p.DownPaymentShare = pick(rng, "0", fmt.Sprintf("%.2f", uniform(rng, 0, 0.3)))
	p.PlanRate = pick(rng, "0", "0.08")
	p.MaxSettlementDiscount = pick(rng, "0", "0.10", "0.20", "0.30")
	p.EarlyPaymentDiscount = pick(rng, "0", "0.02")
	p.MayWaiveFees = rng.IntN(4) != 0
	p.MayFreezeInterest = rng.IntN(4) != 0
	p.MinInstallment = pick(rng, "20.00", "0", "5", "50.5")
	p.MaxStartDays = 7 + rng.IntN(39)
	p.OfferValidDays = 7 + rng.IntN(24)
	p.CostOfCapital = pick(rng, "0.10", "0.05", "0.20")
	p.NoDeal = NoDeal{Action: pick(rng, "agency", "legal"), Recovery: fmt.Sprintf("%.2f", uniform(rng, 0.2, 0.6)),
		Cost: fmt.Sprintf("%.2f", uniform(rng, 0.1, 0.4)), DelayDays: 90 + rng.IntN(276)}
	if rng.IntN(12) == 0 {
		// An alternative that recovers nearly everything at once: often no
		// plan beats it, and the negotiation closes at the opening.
		p.NoDeal = NoDeal{Action: pick(rng, "agency", "legal"), Recovery: fmt.Sprintf("%.2f", uniform(rng, 0.95, 1)), Cost: "0", DelayDays: rng.IntN(10)}
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// counterFor restates terms as a counter-offer that askTerms turns back
// into exactly those terms (given a standing offer at the same level).
func counterFor(t Terms) Counter {
	if t.Kind == KindLump {
		return Counter{LumpSum: ptr(t.LumpSum), Start: t.Start}
	}
	c := Counter{Frequency: t.Frequency, Start: t.Start, DownPayment: ptr(t.DownPayment)}
	if t.Fixed {
		c.InstallmentAmount = ptr(t.Installment)
	} else {
		c.Installments = t.Installments
	}
	return c
}

// Counter kinds of the generator (kept so that properties can look at
// what was asked).
const (
	askStanding    = "standing"
	askAlternative = "alternative"
	askOther       = "other"
)

// randomCounter makes a counter-offer to the session's standing offer:
// sometimes exactly the standing offer or one of the alternatives, mostly
// a change of amount, count, rhythm, start, down payment or a lump sum,
// sometimes silly (1 minor unit, far too many installments, a start past
// the limit) but within the counter's validity rules.
func randomCounter(rng *rand.Rand, s Session) (Counter, string) {
	c := s.Case
	bal := c.Balance
	var k Counter
	kind := askOther
	switch rng.IntN(14) {
	case 0:
		k, kind = counterFor(s.Standing), askStanding
	case 1:
		if len(s.Alternatives) > 0 {
			k, kind = counterFor(s.Alternatives[rng.IntN(len(s.Alternatives))]), askAlternative
		} else {
			k, kind = counterFor(s.Standing), askStanding
		}
	case 2, 3:
		switch rng.IntN(6) {
		case 0:
			k.InstallmentAmount = ptr(int64(1 + rng.IntN(3))) // silly: often more than 1,200 installments → invalid
		case 1:
			k.InstallmentAmount = ptr(bal + int64(rng.IntN(100))) // at least the whole balance
		default:
			k.InstallmentAmount = ptr(max(1, int64(float64(bal)*uniform(rng, 0.005, 0.6))))
		}
	case 4, 5:
		k.Installments = 1 + rng.IntN(s.Policy.MaxTermMonths+12)
		if rng.IntN(5) == 0 {
			k.Installments = 1 + rng.IntN(1200) // silly but valid
		}
	case 6:
		k.Frequency = pick(rng, plan.Weekly, plan.Biweekly, plan.Monthly)
		if rng.IntN(2) == 0 {
			k.Installments = 1 + rng.IntN(4*s.Policy.MaxTermMonths+8)
		}
	case 7:
		k.Start = c.AsOf.AddDays(rng.IntN(s.Policy.MaxStartDays + 20))
	case 8:
		k.DownPayment = ptr(rng.Int64N(bal))
		if rng.IntN(2) == 0 {
			k.Installments = 1 + rng.IntN(s.Policy.MaxTermMonths+2)
		}
	case 9, 10:
		switch rng.IntN(5) {
		case 0:
			k.LumpSum = ptr(int64(1))
		case 1:
			k.LumpSum = ptr(bal)
		default:
			k.LumpSum = ptr(max(1, int64(float64(bal)*uniform(rng, 0.3, 1))))
		}
		if rng.IntN(3) == 0 {
			k.Start = c.AsOf.AddDays(rng.IntN(s.Policy.MaxStartDays + 5))
		}
	default:
		k.Frequency = pick(rng, plan.Weekly, plan.Biweekly, plan.Monthly, "")
		k.Installments = 1 + rng.IntN(s.Policy.MaxTermMonths*2+2)
		if rng.IntN(2) == 0 {
			k.DownPayment = ptr(int64(float64(bal) * uniform(rng, 0, 0.4)))
		}
		if rng.IntN(2) == 0 {
			k.Start = c.AsOf.AddDays(rng.IntN(s.Policy.MaxStartDays + 3))
		}
	}
	if rng.IntN(3) == 0 {
		k.Currency = c.Currency
	}
	if rng.IntN(3) == 0 {
		k.AsOf = c.AsOf.AddDays(rng.IntN(s.Expires.DaysSince(c.AsOf) + 1)) // at most the expiry date
	}
	return k, kind
}

// ---------------------------------------------------------------------------
// Playing a negotiation.

// step is one call: the counter (nil for Open), and what came back.
type step struct {
	Counter *Counter
	Kind    string
	Session Session
	Resp    Response
	Err     string
}

// transcript is a negotiation played to its end.
type transcript struct {
	Case   Case
	Policy Policy
	Steps  []step
	Before []Session // the session each step started from (Open: zero)
}

// play runs a negotiation with counters chosen by next (nil: replay the
// counters of a transcript). With roundTrip the session goes through
// encoding/json between every call, as the service stores it.
func play(t *testing.T, c Case, p Policy, counters []Counter, next func(Session) (Counter, string), roundTrip bool) transcript {
	t.Helper()
	tr := transcript{Case: c, Policy: p}
	s, r, err := Open(c, p)
	tr.Before = append(tr.Before, Session{})
	tr.Steps = append(tr.Steps, step{Session: s, Resp: r, Err: errString(err)})
	if err != nil {
		return tr
	}
	for i := 0; ; i++ {
		if roundTrip {
			s = jsonRoundTrip(t, s)
		}
		var k Counter
		kind := ""
		switch {
		case next != nil:
			if s.Status != StatusOpen || i >= 3*p.MaxRounds+20 {
				return tr
			}
			k, kind = next(s)
		case i < len(counters):
			k = counters[i]
		default:
			return tr
		}
		before := s
		ns, r, err := Respond(s, k)
		tr.Before = append(tr.Before, before)
		tr.Steps = append(tr.Steps, step{Counter: &k, Kind: kind, Session: ns, Resp: r, Err: errString(err)})
		s = ns
	}
}

func (tr transcript) counters() []Counter {
	var out []Counter
	for _, st := range tr.Steps {
		if st.Counter != nil {
			out = append(out, *st.Counter)
		}
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err) + ": " + err.Error()
}

func jsonRoundTrip(t *testing.T, s Session) Session {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("marshal session: %v", err)
	}
	var out Session
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal session %s: %v", b, err)
	}
	return out
}

var cmpOpts = cmp.Options{cmp.AllowUnexported(money.Amount{})}

// ---------------------------------------------------------------------------
// Independent views of the policy's limits.

// minInstallmentMinor is the policy's minimum installment in minor units,
// rounded up.
func minInstallmentMinor(t *testing.T, p Policy, cur money.Currency) int64 {
	t.Helper()
	r, ok := new(big.Rat).SetString(p.MinInstallment)
	if !ok {
		t.Fatalf("min_installment %q", p.MinInstallment)
	}
	r.Mul(r, new(big.Rat).SetInt64(unitOf(cur)))
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

func decimal(t *testing.T, s string) float64 {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("decimal %q", s)
	}
	f, _ := r.Float64()
	return f
}

// maxInstallments is the longest term in installments of freq.
func maxInstallments(p Policy, freq string) int {
	perMonth := map[string]float64{plan.Weekly: 365.0 / 12 / 7, plan.Biweekly: 365.0 / 12 / 14, plan.Monthly: 1}[freq]
	return max(1, int(math.Floor(float64(p.MaxTermMonths)*perMonth+1e-9)))
}

// wantTarget is the tactic's target for round r, computed from the policy
// and the session's Min and Max: Min + (Max − Min)(1 − f(r/R)),
// f(x) = k + (1 − k)·x^(1/e).
func wantTarget(t *testing.T, s Session, r int) float64 {
	t.Helper()
	k, e := decimal(t, s.Policy.ConcessionStart), decimal(t, s.Policy.ConcessionExponent)
	x := math.Min(1, float64(r)/float64(s.Policy.MaxRounds))
	f := k + (1-k)*math.Pow(x, 1/e)
	return s.Min + (s.Max-s.Min)*(1-f)
}

// riskFreePV is the present value at the cost of capital of an offer's
// schedule, every payment made, on the engine's nominal calendar (a month
// is 365/12 days; installment i falls i periods after the start).
func riskFreePV(t *testing.T, s Session, o Offer) float64 {
	t.Helper()
	coc := decimal(t, s.Policy.CostOfCapital)
	t0 := float64(o.Start.DaysSince(s.Case.AsOf))
	if o.Kind == KindLump {
		return float64(o.LumpSum) * math.Pow(1+coc, -t0/365)
	}
	period := map[string]float64{plan.Weekly: 7, plan.Biweekly: 14, plan.Monthly: 365.0 / 12}[o.Frequency]
	v := 0.0
	for i, in := range o.Schedule.Installments {
		v += float64(in.Amount.Minor()) * math.Pow(1+coc, -(t0+float64(i)*period)/365)
	}
	return v
}

func concessionKinds(cs []Concession) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind)
	}
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------------------
// Property bookkeeping: count every violation, keep the first few.

type props struct {
	t        *testing.T
	checked  map[string]int
	failed   map[string]int
	examples map[string][]string
}

func newProps(t *testing.T) *props {
	return &props{t: t, checked: map[string]int{}, failed: map[string]int{}, examples: map[string][]string{}}
}

func (p *props) check(name string, ok bool, format string, args ...any) {
	p.checked[name]++
	if ok {
		return
	}
	p.failed[name]++
	if len(p.examples[name]) < 3 {
		p.examples[name] = append(p.examples[name], fmt.Sprintf(format, args...))
	}
}

// report fails the test for every violated property: there is no list of
// known violations to excuse (a property a dedicated test reproduces fails
// here too).
func (p *props) report() {
	p.t.Helper()
	names := make([]string, 0, len(p.checked))
	for n := range p.checked {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if p.failed[n] == 0 {
			p.t.Logf("property %-40s holds (%d checks)", n, p.checked[n])
			continue
		}
		msg := fmt.Sprintf("property %s violated %d of %d times:\n  %s", n, p.failed[n], p.checked[n], strings.Join(p.examples[n], "\n  "))
		p.t.Error(msg)
	}
}

// lazy defers building a (long) description until a check fails.
type lazy func() string

func (l lazy) String() string { return l() }

func describeCase(c Case, p Policy) string {
	return fmt.Sprintf("case %+v policy %+v", c, p)
}

func describeCounter(k *Counter) string {
	if k == nil {
		return "open"
	}
	var parts []string
	if k.Currency != "" {
		parts = append(parts, "currency="+string(k.Currency))
	}
	if k.InstallmentAmount != nil {
		parts = append(parts, fmt.Sprintf("installment_amount=%d", *k.InstallmentAmount))
	}
	if k.Installments != 0 {
		parts = append(parts, fmt.Sprintf("installments=%d", k.Installments))
	}
	if k.Frequency != "" {
		parts = append(parts, "frequency="+k.Frequency)
	}
	if !k.Start.IsZero() {
		parts = append(parts, "start="+k.Start.String())
	}
	if k.DownPayment != nil {
		parts = append(parts, fmt.Sprintf("down_payment=%d", *k.DownPayment))
	}
	if k.LumpSum != nil {
		parts = append(parts, fmt.Sprintf("lump_sum=%d", *k.LumpSum))
	}
	if !k.AsOf.IsZero() {
		parts = append(parts, "as_of="+k.AsOf.String())
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func describeTranscript(tr transcript, upTo int) string {
	var b strings.Builder
	b.WriteString(describeCase(tr.Case, tr.Policy))
	for i, st := range tr.Steps[:upTo+1] {
		fmt.Fprintf(&b, "\n    %d. %s → ", i, describeCounter(st.Counter))
		if st.Err != "" {
			b.WriteString("error " + st.Err)
			continue
		}
		fmt.Fprintf(&b, "%s/%s", st.Resp.Decision, st.Resp.Status)
		if o := st.Resp.Offer; o != nil {
			fmt.Fprintf(&b, " offer %+v value %.2f", o.Terms, o.Value)
		}
		fmt.Fprintf(&b, " concessions %v", concessionKinds(st.Resp.Concessions))
	}
	return b.String()
}

// checkOffer checks an offer against the policy's hard limits and its
// schedule against its terms.
func checkOffer(pr *props, s Session, o Offer, where string) {
	t := pr.t
	t.Helper()
	c, p := s.Case, s.Policy
	d := o.Start.DaysSince(c.AsOf)
	pr.check("limits/start within max_start_days", d >= 0 && d <= p.MaxStartDays,
		"%s: start %s is %d days after %s (max %d)", where, o.Start, d, c.AsOf, p.MaxStartDays)
	var principal, total int64
	regular := 0
	for _, in := range o.Schedule.Installments {
		principal += in.Amount.Minor() - in.Interest.Minor()
		total += in.Amount.Minor()
		if !in.Down {
			regular++
		}
	}
	pr.check("limits/schedule total is Total", total == o.Schedule.Total.Minor(), "%s: Σ amounts %d, Total %s", where, total, o.Schedule.Total)
	pr.check("limits/value finite and positive", o.Value > 0 && !math.IsInf(o.Value, 0) && !math.IsNaN(o.Value), "%s: value %v", where, o.Value)
	pr.check("limits/completion in [0,1]", o.Completion >= 0 && o.Completion <= 1, "%s: completion %v", where, o.Completion)
	minRec := decimal(t, p.MinRecovery)
	pv := riskFreePV(t, s, o)
	pr.check("limits/present value ≥ min_recovery·balance", pv >= minRec*float64(c.Balance)*(1-1e-9)-1e-6,
		"%s: %+v present value %.2f < %s × %d", where, o.Terms, pv, p.MinRecovery, c.Balance)
	switch o.Kind {
	case KindLump:
		minLump := int64(math.Ceil(float64(c.Balance) * (1 - decimal(t, p.MaxSettlementDiscount))))
		pr.check("limits/lump sum ≥ balance·(1−max discount)", o.LumpSum >= minLump && o.LumpSum <= c.Balance,
			"%s: lump sum %d, balance %d, max discount %s", where, o.LumpSum, c.Balance, p.MaxSettlementDiscount)
		pr.check("limits/schedule sums to the balance (lump: the lump sum)", principal == o.LumpSum && regular == 1,
			"%s: lump sum %d, schedule principal %d in %d", where, o.LumpSum, principal, regular)
	case KindPlan:
		maxN := maxInstallments(p, o.Frequency)
		pr.check("limits/installments ≤ max term", o.Installments >= 1 && o.Installments <= maxN,
			"%s: %d %s installments, max term %d months (%d)", where, o.Installments, o.Frequency, p.MaxTermMonths, maxN)
		// A fixed installment (the customer's amount, or "pay a little
		// more") with plan interest: see TestRespond_FixedInstallmentWithInterest.
		tag := ""
		if o.Fixed && o.Schedule.Interest.Minor() > 0 {
			tag = " [fixed installment with interest]"
		}
		pr.check("limits/schedule installments ≤ max term"+tag, regular <= maxN,
			"%s: terms %+v, schedule has %d regular %s installments, max %d", where, o.Terms, regular, o.Frequency, maxN)
		pr.check("limits/schedule count matches terms"+tag, regular == o.Installments,
			"%s: terms %+v (plan_rate %s), schedule has %d regular installments", where, o.Terms, p.PlanRate, regular)
		if o.Installments > 1 {
			minInst := minInstallmentMinor(t, p, c.Currency)
			first := int64(-1)
			for _, in := range o.Schedule.Installments {
				if !in.Down {
					first = in.Amount.Minor()
					break
				}
			}
			pr.check("limits/regular installment ≥ min installment", o.Installment >= minInst && first >= minInst,
				"%s: installment %d (schedule %d), min %s %s", where, o.Installment, first, p.MinInstallment, c.Currency)
		}
		pr.check("limits/schedule sums to the balance (lump: the lump sum)", principal == c.Balance,
			"%s: %+v schedule principal %d, balance %d", where, o.Terms, principal, c.Balance)
		pr.check("limits/down payment in schedule", (o.DownPayment > 0) == (len(o.Schedule.Installments) > 0 && o.Schedule.Installments[0].Down),
			"%s: %+v", where, o.Terms)
	default:
		pr.check("limits/known kind", false, "%s: kind %q", where, o.Kind)
	}
}

// checkTranscript checks every property of one played negotiation.
func checkTranscript(pr *props, tr transcript) {
	t := pr.t
	t.Helper()
	open := tr.Steps[0]
	if open.Err != "" {
		pr.check("open/no error on a valid case", false, "%s: %s", describeCase(tr.Case, tr.Policy), open.Err)
		return
	}
	s0, r0 := open.Session, open.Resp
	if s0.Status == StatusClosed {
		pr.check("closed/reject without offer", r0.Decision == DecisionReject && r0.Offer == nil && len(r0.Alternatives) == 0 && r0.Status == StatusClosed,
			"%s: %+v", describeCase(tr.Case, tr.Policy), r0)
		who := map[string]string{"agency": "a collection agency", "legal": "legal review"}[tr.Policy.NoDeal.Action]
		pr.check("closed/explanation names the next step", strings.Contains(r0.Explanation, "Without an agreement the account goes to "+who),
			"%q", r0.Explanation)
		// Closed only when nothing we may open with is worth the floor.
		pr.check("closed/best plan below the floor", r0.Evaluation.Opening < s0.Min, "opening %v, floor %v", r0.Evaluation.Opening, s0.Min)
		_, _, err := Respond(s0, Counter{Installments: 3})
		pr.check("closed/counter is conflict", apperr.CodeOf(err) == apperr.Conflict, "Respond on closed: %v", err)
		return
	}
	pr.check("open/status open, decision open", r0.Status == StatusOpen && r0.Decision == DecisionOpen && r0.Offer != nil && r0.Round == 0,
		"%+v", r0)
	if r0.Offer == nil {
		return
	}
	// The most lenient plan is the longest term (max_term_months monthly
	// installments) with every concession the policy allows (fees waived,
	// interest frozen, a settlement discount): what we would end on. The
	// opening must be strictly shorter and concede nothing.
	op := r0.Offer
	pr.check("open/shorter than the longest term", op.Kind == KindPlan && op.Frequency == plan.Monthly && op.Installments < tr.Policy.MaxTermMonths,
		"%s: opening %+v", describeCase(tr.Case, tr.Policy), op.Terms)
	pr.check("open/level 0", op.Level == levelNone, "opening %+v", op.Terms)
	for _, k := range concessionKinds(r0.Concessions) {
		pr.check("open/no concessions", k != "fee_waived" && k != "interest_frozen" && k != "settlement_discount",
			"opening concedes %s: %+v", k, r0.Concessions)
	}
	pr.check("open/value is Max", op.Value == s0.Max && s0.Value == s0.Max && s0.Standing == op.Terms && s0.Opening == op.Terms,
		"offer value %v, session %+v", op.Value, s0)
	pr.check("open/Max ≥ Min ≥ no-deal", s0.Max >= s0.Min-1e-6 && s0.Min >= s0.NoDeal-1e-9, "max %v min %v no-deal %v", s0.Max, s0.Min, s0.NoDeal)
	if tr.Case.Affordable > 0 && op.Installment > tr.Case.Affordable {
		// Only when no plan short of the longest term fits the budget.
		e, _ := newEngine(&s0)
		fits := false
		for n := 1; n < e.maxN(plan.Monthly); n++ {
			pt := e.planTerms(plan.Monthly, op.Start, op.DownPayment, n, levelNone)
			if ok, _ := e.feasible(pt); ok && pt.Installment <= tr.Case.Affordable {
				fits = true
			}
		}
		pr.check("open/within the affordable installment when one fits", !fits,
			"%s: opening %+v above affordable %d", describeCase(tr.Case, tr.Policy), op.Terms, tr.Case.Affordable)
	}

	// Without a budget the engine learns the customer's capacity from
	// their counter-offers and re-bases Min and Max (learn): see
	// TestRespond_LearnedCapacityKeepsFloor for what breaks there.
	budgetTag := ""
	if tr.Case.Affordable == 0 && tr.Case.Available == 0 {
		budgetTag = " [no budget]"
	}
	prev := r0
	for i, st := range tr.Steps {
		before := tr.Before[i]
		if st.Counter == nil {
			checkResponse(pr, st.Session, st.Resp, "opening", "", lazy(func() string { return describeTranscript(tr, 0) }))
			continue
		}
		ctx := lazy(func() string { return describeTranscript(tr, i) })
		if st.Err != "" {
			pr.check("respond/only Invalid errors for valid-looking counters", strings.HasPrefix(st.Err, apperr.Invalid+":"),
				"%s", ctx)
			pr.check("respond/session unchanged after an error", reflect.DeepEqual(st.Session, before),
				"%s: returned %+v", ctx, st.Session)
			continue
		}
		s, r := st.Session, st.Resp
		checkResponse(pr, s, r, fmt.Sprintf("round %d", r.Round), budgetTag, ctx)
		pr.check("respond/round advances by one", s.Round == before.Round+1 && r.Round == s.Round && r.Status == s.Status,
			"%s", ctx)
		pr.check("respond/round within max_rounds", s.Round <= tr.Policy.MaxRounds, "%s", ctx)
		// Min and Max are re-based when a counter-offer reveals a lower
		// capacity (learn); they may only fall, and the opening stays.
		pr.check("respond/Min and Max never rise, opening kept", s.Min <= before.Min+1e-6 && s.Max <= before.Max+1e-6 && s.Opening == s0.Opening,
			"%s: min %v → %v, max %v → %v", ctx, before.Min, s.Min, before.Max, s.Max)
		cv := r.Evaluation.CounterValue
		pr.check("respond/counter valued", cv != nil, "%s", ctx)
		if cv == nil || r.Offer == nil {
			pr.check("respond/offer present", r.Offer != nil, "%s", ctx)
			continue
		}
		last := s.Round >= tr.Policy.MaxRounds
		target := wantTarget(t, s, s.Round)
		switch r.Decision {
		case DecisionAccept:
			// Accepted for one of three reasons, each checked here on its
			// own terms: worth the target; paying at least as much, no
			// later, than an offer we stood by (our last offer or one of
			// its alternatives: paysNoLater on the schedules); a
			// settlement within the discount limit worth the floor.
			switch r.Evaluation.Basis {
			case BasisTarget:
				pr.check("accept/counter value ≥ target ≥ Min"+budgetTag, *cv >= r.Evaluation.Target && r.Evaluation.Target >= s.Min-1e-6,
					"%s: counter %v target %v min %v", ctx, *cv, r.Evaluation.Target, s.Min)
			case BasisDominatesAlternative:
				// The alternative it beat was worth at least the next
				// round's target (and the floor); a counter paying at least
				// as much, no later, is worth at least that too.
				next := math.Max(s.Min, wantTarget(t, s, min(s.Round+1, tr.Policy.MaxRounds)))
				pr.check("accept/dominates an alternative: worth the next round's target", *cv >= next-1e-6,
					"%s: counter %v, next target %v", ctx, *cv, next)
			case BasisDominates:
				ours := []plan.Schedule{}
				if prev.Offer != nil {
					ours = append(ours, prev.Offer.Schedule)
				}
				for _, a := range prev.Alternatives {
					ours = append(ours, a.Offer.Schedule)
				}
				dom := false
				for _, o := range ours {
					dom = dom || paysNoLater(r.Offer.Schedule, o)
				}
				pr.check("accept/dominant: pays no later than an offer we stood by", dom, "%s", ctx)
			case BasisSettlement:
				disc, _ := strconv.ParseFloat(tr.Policy.MaxSettlementDiscount, 64)
				minLump := float64(s.Case.Balance) * (1 - disc)
				pr.check("accept/settlement within the discount, worth the floor"+budgetTag,
					r.Offer.Kind == KindLump && float64(r.Offer.LumpSum) >= minLump-1 && *cv >= s.Min-1e-6,
					"%s: lump %d (at least %.0f) worth %v, floor %v", ctx, r.Offer.LumpSum, minLump, *cv, s.Min)
			default:
				pr.check("accept/has a basis", false, "%s: basis %q", ctx, r.Evaluation.Basis)
			}
			pr.check("accept/agreed by its basis", s.AgreedBy == r.Evaluation.Basis, "%s: agreed_by %q, basis %q", ctx, s.AgreedBy, r.Evaluation.Basis)
			pr.check("accept/target follows the tactic", math.Abs(r.Evaluation.Target-target) <= 1e-9*math.Max(1, math.Abs(target)),
				"%s: target %v, tactic %v", ctx, r.Evaluation.Target, target)
			pr.check("accept/status agreed, standing is the counter", s.Status == StatusAgreed && r.Offer.Value == *cv && s.Standing == r.Offer.Terms && s.Value == *cv,
				"%s", ctx)
			pr.check("accept/level kept", r.Offer.Level == before.Standing.Level, "%s", ctx)
		case DecisionCounter, DecisionReject:
			wantT := target
			if last {
				wantT = s.Min
			}
			pr.check("counter/target follows the tactic", math.Abs(r.Evaluation.Target-wantT) <= 1e-9*math.Max(1, math.Abs(wantT)),
				"%s: target %v, tactic %v", ctx, r.Evaluation.Target, wantT)
			// Not accepted although worth the target: only when outside our limits.
			if *cv >= target {
				pr.check("counter/declined only if below target or infeasible", strings.HasPrefix(r.Explanation, "We cannot accept that: "),
					"%s: counter worth %v ≥ target %v declined: %q", ctx, *cv, target, r.Explanation)
			}
			pr.check("counter/offer worth the target"+budgetTag, r.Offer.Value >= r.Evaluation.Target-1e-6,
				"%s: offer %v, target %v", ctx, r.Offer.Value, r.Evaluation.Target)
			if last {
				pr.check("counter/final after max_rounds", s.Status == StatusFinal && r.Decision == DecisionReject, "%s", ctx)
			} else {
				pr.check("counter/still open before max_rounds", s.Status == StatusOpen, "%s", ctx)
				wantDecision := DecisionCounter
				if *cv < s.Min || strings.HasPrefix(r.Explanation, "We cannot accept that: ") {
					wantDecision = DecisionReject
				}
				pr.check("counter/reject iff below floor or infeasible", r.Decision == wantDecision, "%s: decision %s, want %s", ctx, r.Decision, wantDecision)
			}
			pr.check("counter/standing is the offer", s.Standing == r.Offer.Terms && s.Value == r.Offer.Value, "%s", ctx)
			// Monotone concessions: never asking more of the customer than
			// before. An offer worth more to us than the last one is only
			// made when it asks less each month (the customer told us they
			// cannot pay the last one, and the model learned it).
			if prev.Offer != nil {
				pr.check("monotone/value never increases unless it asks less", r.Offer.Value <= prev.Offer.Value+1e-6 || monthlyAsk(r.Offer.Terms) < monthlyAsk(prev.Offer.Terms),
					"%s: value %v after %v", ctx, r.Offer.Value, prev.Offer.Value)
				pr.check("monotone/level never decreases", r.Offer.Level >= prev.Offer.Level,
					"%s: level %d after %d", ctx, r.Offer.Level, prev.Offer.Level)
				before, now := concessionKinds(prev.Concessions), concessionKinds(r.Concessions)
				lost := []string{}
				for _, k := range before {
					// A settlement discount exists only on a lump sum, an
					// interest freeze and an early-payoff discount only on
					// a plan: a switch between the two kinds drops those
					// (see TestRespond_ConcessionKindsAcrossKinds).
					if r.Offer.Kind != prev.Offer.Kind && kindSpecific[k] {
						continue
					}
					if !slices.Contains(now, k) {
						lost = append(lost, k)
					}
				}
				pr.check("monotone/concession kinds never shrink", len(lost) == 0,
					"%s: lost %v (had %v, now %v)", ctx, lost, before, now)
			}
		default:
			pr.check("respond/known decision", false, "%s: decision %q", ctx, r.Decision)
		}
		switch st.Kind {
		case askStanding:
			pr.check("accept/a counter at the standing offer's terms is accepted"+budgetTag, r.Decision == DecisionAccept,
				"%s: %s (%q)", ctx, r.Decision, r.Explanation)
		case askAlternative:
			pr.check("accept/a counter at an offered alternative is accepted"+budgetTag, r.Decision == DecisionAccept,
				"%s: %s (%q)", ctx, r.Decision, r.Explanation)
		}
		if r.Decision != DecisionAccept {
			prev = r
		}
	}

	// The end: accept the standing offer or an alternative.
	endS := tr.Steps[len(tr.Steps)-1].Session
	if tr.Steps[len(tr.Steps)-1].Err != "" {
		endS = tr.Before[len(tr.Steps)-1]
	}
	switch endS.Status {
	case StatusOpen, StatusAgreed, StatusFinal:
	default:
		return
	}
	var standing plan.Schedule
	for alt := 0; alt <= len(endS.Alternatives); alt++ {
		as, o, err := Accept(endS, endS.Case.AsOf, alt)
		if alt == 0 {
			standing = o.Schedule
		}
		if err != nil {
			pr.check("accept/standing or alternative", false, "%s: Accept(%d): %v", describeTranscript(tr, len(tr.Steps)-1), alt, err)
			continue
		}
		want := endS.Standing
		if alt > 0 {
			want = endS.Alternatives[alt-1]
		}
		pr.check("accept/returns the chosen terms", o.Terms == want && as.Status == StatusAccepted && as.Standing == want,
			"Accept(%d) = %+v, want %+v", alt, o.Terms, want)
		// A counter accepted because it dominates one of our offers may be
		// worth less in the model than the floor: the model misjudged the
		// customer's means, not the money (dominance.go).
		dominant := (alt == 0 && endS.AgreedBy == BasisDominates) || (alt > 0 && paysNoLater(o.Schedule, standing))
		if !dominant {
			pr.check("accept/accepted offer ≥ Min"+budgetTag, o.Value >= endS.Min-1e-6, "Accept(%d) value %v < min %v", alt, o.Value, endS.Min)
		}
		checkOffer(pr, endS, o, fmt.Sprintf("accepted alternative %d", alt))
		_, _, err = Accept(as, endS.Case.AsOf, 0)
		pr.check("accept/twice is conflict", apperr.CodeOf(err) == apperr.Conflict, "second Accept: %v", err)
	}
	_, _, err := Accept(endS, endS.Case.AsOf, len(endS.Alternatives)+1)
	ae, ok := apperr.As(err)
	pr.check("accept/out of range is Invalid alternative", ok && ae.Code == apperr.Invalid && len(ae.Fields) == 1 && ae.Fields[0].Field == "alternative",
		"Accept(%d of %d): %v", len(endS.Alternatives)+1, len(endS.Alternatives), err)
}

// checkResponse checks what every response with an offer must satisfy.
func checkResponse(pr *props, s Session, r Response, where string, tag string, ctx fmt.Stringer) {
	pr.t.Helper()
	if r.Offer != nil {
		// A counter accepted because it dominates one of our offers may be
		// worth less in the model than the floor (dominance.go).
		if r.Evaluation.Basis != BasisDominates {
			pr.check("floor/offer ≥ Min"+tag, r.Offer.Value >= s.Min-1e-6, "%s: offer %+v value %v < min %v\n  %s", where, r.Offer.Terms, r.Offer.Value, s.Min, ctx)
		}
		checkOffer(pr, s, *r.Offer, where+" offer")
	}
	pr.check("alternatives/recorded in the session", reflect.DeepEqual(s.Alternatives, altTerms(r.Alternatives)) ||
		(len(s.Alternatives) == 0 && len(r.Alternatives) == 0), "%s: session %v, response %d", where, s.Alternatives, len(r.Alternatives))
	for i, a := range r.Alternatives {
		// "Pay a little more, finish sooner" is offered because it pays at
		// least as much as the offer, no later (we would accept it), even
		// where the model values it below the floor.
		sooner := r.Offer != nil && paysNoLater(a.Offer.Schedule, r.Offer.Schedule)
		pr.check("floor/alternative ≥ Min or pays no later than the offer"+tag, a.Offer.Value >= s.Min-1e-6 || sooner, "%s: alternative %d %+v value %v < min %v\n  %s", where, i+1, a.Offer.Terms, a.Offer.Value, s.Min, ctx)
		checkOffer(pr, s, a.Offer, fmt.Sprintf("%s alternative %d (%s)", where, i+1, a.Label))
	}
}

// kindSpecific are concession kinds that belong to one kind of offer.
var kindSpecific = map[string]bool{"settlement_discount": true, "interest_frozen": true, "early_payment_discount": true}

func TestEngine_Properties(t *testing.T) {
	const cases = 800
	rng := rand.New(rand.NewPCG(42, 2026))
	pr := newProps(t)
	var closed, agreed, final, stillOpen, rounds, invalid int
	for i := range cases {
		c, p := randomCase(rng), randomPolicy(rng)
		crng := rand.New(rand.NewPCG(uint64(i), 7))
		tr := play(t, c, p, nil, func(s Session) (Counter, string) { return randomCounter(crng, s) }, false)
		checkTranscript(pr, tr)

		// Same input, same output: replaying the counters gives identical
		// responses, and so does a session stored as JSON between calls.
		if i%4 == 0 {
			again := play(t, c, p, tr.counters(), nil, false)
			first := slices.Clone(tr.Steps)
			for k := range first {
				first[k].Kind = "" // what the generator meant; a replay does not know
			}
			if !reflect.DeepEqual(first, again.Steps) {
				pr.check("deterministic/replay identical", false, "%s\n%s", describeTranscript(tr, len(tr.Steps)-1), cmp.Diff(first, again.Steps, cmpOpts))
			} else {
				pr.check("deterministic/replay identical", true, "")
			}
		}
		if i%4 == 2 || i < 30 {
			stored := play(t, c, p, tr.counters(), nil, true)
			var a, b []Response
			var ea, eb []string
			for k := range tr.Steps {
				a, ea = append(a, tr.Steps[k].Resp), append(ea, tr.Steps[k].Err)
				b, eb = append(b, stored.Steps[k].Resp), append(eb, stored.Steps[k].Err)
			}
			if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(ea, eb) {
				pr.check("deterministic/JSON round trip identical", false, "%s\n%s", describeTranscript(tr, len(tr.Steps)-1), cmp.Diff(a, b, cmpOpts)+cmp.Diff(ea, eb))
			} else {
				pr.check("deterministic/JSON round trip identical", true, "")
			}
		}

		end := tr.Steps[len(tr.Steps)-1].Session
		switch end.Status {
		case StatusClosed:
			closed++
		case StatusAgreed:
			agreed++
		case StatusFinal:
			final++
		default:
			stillOpen++
		}
		for _, st := range tr.Steps {
			if st.Counter != nil {
				if st.Err != "" {
					invalid++
				} else {
					rounds++
				}
			}
		}
	}
	t.Logf("%d cases: %d closed at opening, %d agreed, %d final, %d still open; %d counter-offers answered, %d rejected as invalid",
		cases, closed, agreed, final, stillOpen, rounds, invalid)
	if closed == 0 || agreed < 50 || final < 50 {
		t.Errorf("generator coverage too thin: %d closed, %d agreed, %d final", closed, agreed, final)
	}
	pr.report()
}

// monthlyAsk is the most an offer asks of the customer in one month, worked
// from its terms: a lump sum all at once; a plan its down payment or its
// installments in a month (365/12 days of them), whichever is more.
func monthlyAsk(t Terms) float64 {
	if t.Kind == KindLump {
		return float64(t.LumpSum)
	}
	perMonth := 1.0
	switch t.Frequency {
	case plan.Weekly:
		perMonth = 365.0 / 12 / 7
	case plan.Biweekly:
		perMonth = 365.0 / 12 / 14
	}
	return math.Max(float64(t.Installment)*perMonth, float64(t.DownPayment))
}
