package negotiate

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

// The simulator plays negotiations with a population of synthetic debtors
// through the real engine, then simulates their payments, and does the
// same for simple baseline strategies, so that strategies can be compared
// on the same debtors (docs/negotiation.md, "Simulator").
//
// A debtor has a hidden true capacity to pay per month, savings, a
// patience (how many rounds they negotiate), a counter-offer style, and an
// honesty: the budget they state is their capacity times their honesty
// (most understate a little, some overstate). The engine sees only the
// stated budget (and the debtor's risk band, sometimes one band off, as a
// scorecard would give it); it never sees the capacity. Payments are then
// simulated month by month: an installment above what the debtor can pay
// that month is missed, income shocks cut the capacity to 20–80% for three months,
// two misses default the plan, and what is left goes to the no-deal
// alternative (recovered with its probability, less its cost, after its
// delay).

// SimConfig describes a simulation.
type SimConfig struct {
	Seed     uint64
	Debtors  int
	AsOf     civil.Date
	Currency money.Currency
	Policy   Policy
	// Population is one of the family (population.go); "" the base one.
	Population string
	// Strategies to compare, in report order; nil: Strategies.
	Strategies []string
}

// Debtor is one synthetic debtor (hidden truth and behaviour).
type Debtor struct {
	Balance  int64   // minor units
	Capacity int64   // true monthly capacity for this debt
	Savings  int64   // available for a down payment or a lump sum
	Honesty  float64 // stated capacity ÷ true capacity; 0: no budget given
	Band     string  // true risk band
	Seen     string  // the band the engine sees
	Shock    float64 // monthly probability of an income shock
	Patience int     // counter-offers they make before walking away
	Style    string  // concede, firm, lump
	Anchor   float64 // first ask, as a share of capacity
	Limit    float64 // the most they agree to, as a share of capacity (> 1: overcommits)
	LumpAsk  float64 // lump-sum style: first ask as a share of the balance
	// LifeEvent is a monthly probability of stopping payment whatever the
	// installment (illness, job loss, a business failing): 0 in the base
	// population, whose shocks only cut capacity (population.go).
	LifeEvent float64
	// Business: a business with a year of payments measured (Measured per
	// month, what the engine sees as its means) and no budget.
	Business bool
	Measured int64
}

// Strategies compared by the simulator.
const (
	StrategyEngine     = "settle engine"
	StrategyTakeIt     = "take it or leave it (3 months)"
	StrategySplit      = "split the difference"
	StrategyFirstCount = "accept the first counter-offer"
)

// Strategies lists them in report order.
var Strategies = []string{StrategyEngine, StrategyTakeIt, StrategySplit, StrategyFirstCount}

// Outcome is one debtor's result under one strategy.
type Outcome struct {
	Agreed    bool
	Defaulted bool
	Rounds    int
	Expected  float64 // model value of the agreement (or of no deal), minor units
	Realised  float64 // present value of what was actually recovered
	Months    float64 // plan length in months (agreed plans)
}

// Summary aggregates a strategy's outcomes.
type Summary struct {
	Strategy      string  `json:"strategy"`
	Debtors       int     `json:"debtors"`
	AgreementRate float64 `json:"agreement_rate"`    // share of debtors who agreed a plan
	Expected      float64 `json:"expected_recovery"` // Σ expected value ÷ Σ balance
	Realised      float64 `json:"realised_recovery"` // Σ realised PV ÷ Σ balance
	DefaultRate   float64 `json:"default_rate"`      // share of agreed plans that defaulted
	Rounds        float64 `json:"rounds"`            // average counter-offers per debtor
	Months        float64 `json:"plan_months"`       // average length of agreed plans
}

// GenerateDebtors makes the population: deterministic for a seed, and
// debtor i is the same whatever the population size.
func GenerateDebtors(seed uint64, n int, cur money.Currency) []Debtor {
	out := make([]Debtor, n)
	unit := math.Pow(10, float64(cur.Digits()))
	for i := range out {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		var d Debtor
		bal := math.Exp(math.Log(2500) + 0.9*r.NormFloat64())
		bal = math.Min(math.Max(bal, 100), 50000)
		d.Balance = int64(math.Round(bal * unit))
		months := math.Exp(math.Log(8) + 0.7*r.NormFloat64())
		months = math.Min(math.Max(months, 1), 60)
		d.Capacity = int64(math.Round(float64(d.Balance) / months))
		d.Savings = int64(float64(d.Capacity) * 3 * r.Float64())
		d.Band = pickWeighted(r, []string{"A", "B", "C", "D", "E"}, []float64{0.20, 0.25, 0.25, 0.18, 0.12})
		d.Seen = d.Band
		if r.Float64() < 0.3 { // the scorecard is one band off
			bands := "ABCDE"
			k := int(d.Band[0]-'A') + []int{-1, 1}[r.IntN(2)]
			k = min(max(k, 0), 4)
			d.Seen = bands[k : k+1]
		}
		d.Shock = map[string]float64{"A": 0.003, "B": 0.008, "C": 0.015, "D": 0.03, "E": 0.05}[d.Band]
		if r.Float64() < 0.7 {
			d.Honesty = 0.7 + 0.45*r.Float64()
		}
		d.Patience = 1 + r.IntN(6)
		d.Style = pickWeighted(r, []string{"concede", "firm", "lump"}, []float64{0.7, 0.2, 0.1})
		d.Anchor = 0.4 + 0.4*r.Float64()
		d.Limit = 0.85 + 0.3*r.Float64()
		d.LumpAsk = 0.5 + 0.3*r.Float64()
		out[i] = d
	}
	return out
}

func pickWeighted(r *rand.Rand, xs []string, ws []float64) string {
	u := r.Float64()
	for i, w := range ws {
		if u < w {
			return xs[i]
		}
		u -= w
	}
	return xs[len(xs)-1]
}

// StatedAffordable is what the debtor's stated budget gives as the
// affordable installment (the assess rule for consumers: 75% of the
// stated surplus), 0 when they give no budget.
func (d Debtor) StatedAffordable() int64 {
	if d.Honesty == 0 {
		return 0
	}
	return int64(math.Floor(float64(d.Capacity) * d.Honesty * 0.75))
}

// StatedAvailable is the surplus the debtor's stated budget shows, 0 when
// they give no budget.
func (d Debtor) StatedAvailable() int64 {
	return int64(math.Floor(float64(d.Capacity) * d.Honesty))
}

// monthlyBurden is an offer's cost to the debtor per month.
func monthlyBurden(t Terms) float64 {
	if t.Kind == KindLump {
		return 0
	}
	return float64(t.Installment) * perMonth(t.Frequency)
}

// agrees reports whether the debtor accepts terms.
func (d Debtor) agrees(t Terms) bool {
	if t.Kind == KindLump {
		return float64(t.LumpSum) <= float64(d.Savings+d.Capacity)
	}
	if t.DownPayment > d.Savings+d.Capacity {
		return false
	}
	return monthlyBurden(t) <= d.Limit*float64(d.Capacity)
}

// ask is the debtor's j-th counter-offer (j from 1).
func (d Debtor) ask(j int) Counter {
	if d.Style == "lump" && j == 1 {
		l := int64(float64(d.Balance) * d.LumpAsk)
		l = min(max(l, 1), d.Balance)
		return Counter{LumpSum: &l}
	}
	share := d.Anchor
	if d.Style == "concede" && d.Patience > 1 {
		share = d.Anchor + (d.Limit-d.Anchor)*float64(j-1)/float64(d.Patience-1)
	}
	a := max(int64(share*float64(d.Capacity)), 1)
	return Counter{InstallmentAmount: &a, Frequency: plan.Monthly}
}

// Simulate runs every strategy over the population and returns one
// summary per strategy (in Strategies order).
func Simulate(cfg SimConfig) ([]Summary, error) {
	if err := cfg.Policy.Validate(); err != nil {
		return nil, err
	}
	debtors := GenerateDebtors(cfg.Seed, cfg.Debtors, cfg.Currency)
	if err := applyPopulation(cfg.Population, cfg.Seed, debtors); err != nil {
		return nil, err
	}
	strategies := cfg.Strategies
	if strategies == nil {
		strategies = Strategies
	}
	cfg.Strategies = strategies
	outcomes := make([][]Outcome, len(debtors))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				o, err := simulateDebtor(cfg, i, debtors[i])
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("debtor %d: %w", i, err)
					}
					mu.Unlock()
				}
				outcomes[i] = o
			}
		}()
	}
	for i := range debtors {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := make([]Summary, len(strategies))
	var total float64
	for _, d := range debtors {
		total += float64(d.Balance)
	}
	for k, name := range strategies {
		s := Summary{Strategy: name, Debtors: len(debtors)}
		var agreed, defaulted int
		for i := range debtors {
			o := outcomes[i][k]
			s.Expected += o.Expected
			s.Realised += o.Realised
			s.Rounds += float64(o.Rounds)
			if o.Agreed {
				agreed++
				s.Months += o.Months
				if o.Defaulted {
					defaulted++
				}
			}
		}
		n := float64(len(debtors))
		s.Expected /= total
		s.Realised /= total
		s.Rounds /= n
		s.AgreementRate = float64(agreed) / n
		if agreed > 0 {
			s.DefaultRate = float64(defaulted) / float64(agreed)
			s.Months /= float64(agreed)
		}
		out[k] = s
	}
	return out, nil
}

// simulateDebtor plays every strategy with one debtor. Each strategy's
// payment simulation uses the same random stream (seeded by the debtor),
// so differences come from the strategies, not from luck.
func simulateDebtor(cfg SimConfig, i int, d Debtor) ([]Outcome, error) {
	c := Case{CustomerID: fmt.Sprintf("sim_%d", i), Currency: cfg.Currency, AsOf: cfg.AsOf, Balance: d.Balance,
		Affordable: d.StatedAffordable(), Available: d.StatedAvailable(), RiskBand: d.Seen, AffordableSource: "budget"}
	if c.Affordable == 0 {
		c.AffordableSource = "assumed"
	}
	if d.Business {
		// As the service sees a business without a budget: what it paid
		// us per month over the past year (negotiationCase).
		c.Kind, c.AffordableSource = "business", "history"
		c.Affordable, c.Available = MeansFromHistory(12 * d.Measured)
	}
	out := make([]Outcome, len(cfg.Strategies))
	for k, name := range cfg.Strategies {
		var t Terms
		var agreed bool
		var rounds int
		var err error
		switch name {
		case StrategyEngine:
			t, agreed, rounds, err = playEngine(c, cfg.Policy, d)
		case StrategyStated:
			t, agreed, rounds = playStated(c, cfg.Policy, d)
		case StrategyOracle:
			var oval *engine
			if oval, err = newValuer(c, cfg.Policy); err == nil {
				t, agreed, rounds = playOracle(c, cfg.Policy, d, oval, cfg.Seed, i)
			}
		default:
			t, agreed, rounds = playBaseline(name, c, cfg.Policy, d)
		}
		if err != nil {
			return nil, err
		}
		o := Outcome{Agreed: agreed, Rounds: rounds}
		val, err := newValuer(c, cfg.Policy)
		if err != nil {
			return nil, err
		}
		rng := rand.New(rand.NewPCG(cfg.Seed^0x5eed, uint64(i)))
		if agreed {
			o.Expected, _ = val.value(t)
			o.Months = termMonths(t)
			o.Realised, o.Defaulted = val.realise(t, d, rng)
		} else {
			o.Expected = val.s.NoDeal
			o.Realised = val.noDealRealised(float64(d.Balance), 0, rng)
		}
		out[k] = o
	}
	return out, nil
}

func termMonths(t Terms) float64 {
	if t.Kind == KindLump {
		return 0
	}
	return float64(t.Installments) / perMonth(t.Frequency)
}

// newValuer is an engine for valuing and simulating terms of any strategy.
func newValuer(c Case, p Policy) (*engine, error) {
	s := &Session{Case: c, Policy: p}
	e, err := newEngine(s)
	if err != nil {
		return nil, err
	}
	m := e.model(levelNone)
	s.NoDeal = m.noDeal(float64(c.Balance)+m.fees, 0)
	s.Min = math.Max(e.l.minRecovery*float64(c.Balance), s.NoDeal)
	return e, nil
}

// playEngine negotiates with the engine: the debtor takes the offer or an
// alternative it can live with, else counters until its patience or the
// rounds run out.
func playEngine(c Case, p Policy, d Debtor) (Terms, bool, int, error) {
	s, r, err := Open(c, p)
	if err != nil {
		return Terms{}, false, 0, err
	}
	rounds := 0
	for {
		if r.Offer == nil {
			return Terms{}, false, rounds, nil
		}
		if r.Decision == DecisionAccept {
			return r.Offer.Terms, true, rounds, nil
		}
		if t, ok := bestFor(d, r); ok {
			return t, true, rounds, nil
		}
		if s.Status != StatusOpen || rounds >= d.Patience {
			return Terms{}, false, rounds, nil
		}
		rounds++
		s, r, err = Respond(s, d.ask(rounds))
		if err != nil {
			return Terms{}, false, rounds, err
		}
	}
}

// bestFor is the offer or alternative the debtor agrees to with the
// lowest monthly burden.
func bestFor(d Debtor, r Response) (Terms, bool) {
	var best Terms
	found := false
	consider := func(t Terms) {
		if !d.agrees(t) {
			return
		}
		if !found || monthlyBurden(t) < monthlyBurden(best) {
			best, found = t, true
		}
	}
	consider(r.Offer.Terms)
	for _, a := range r.Alternatives {
		consider(a.Offer.Terms)
	}
	return best, found
}

// playBaseline plays a simple creditor strategy. Each opens with the
// whole balance in three monthly installments, and each keeps to the
// policy's hard limits (a creditor's strategy cannot break its own
// policy): a plan longer than the longest term is cut to it, an
// installment below the minimum raised to it, a settlement discount capped.
func playBaseline(name string, c Case, p Policy, d Debtor) (Terms, bool, int) {
	l, _ := p.compile(c.Currency)
	start := c.AsOf.AddDays(7)
	mk := func(inst int64) Terms { return baselinePlan(c, l, inst) }
	open := mk((c.Balance + 2) / 3)
	if d.agrees(open) {
		return open, true, 0
	}
	switch name {
	case StrategyTakeIt:
		return Terms{}, false, 0
	case StrategyFirstCount:
		if d.Patience < 1 {
			return Terms{}, false, 0
		}
		a := d.ask(1)
		if a.LumpSum != nil {
			lump := max(*a.LumpSum, int64(math.Ceil(float64(c.Balance)*(1-l.maxDiscount))))
			t := Terms{Kind: KindLump, Start: start, LumpSum: lump}
			return t, d.agrees(t), 1
		}
		if t := mk(*a.InstallmentAmount); t.Installment != *a.InstallmentAmount {
			// Outside the limits: the nearest plan within them, take it or leave it.
			return t, d.agrees(t), 1
		}
		return mk(*a.InstallmentAmount), true, 1
	default: // split the difference on the installment
		ours := open.Installment
		for j := 1; j <= d.Patience; j++ {
			a := d.ask(j)
			if a.LumpSum != nil {
				continue // a lump sum below the balance is not split; ask again
			}
			mid := (ours + *a.InstallmentAmount) / 2
			ours = max(mid, 1)
			t := mk(ours)
			if d.agrees(t) {
				return t, true, j
			}
		}
		return Terms{}, false, d.Patience
	}
}

// realise simulates the payments of agreed terms and returns the present
// value recovered and whether the plan defaulted.
func (e *engine) realise(t Terms, d Debtor, rng *rand.Rand) (float64, bool) {
	m := e.model(levelNone)
	pv := 0.0
	if t.Kind == KindLump {
		day := e.t0(t.Start)
		lifeEvent := d.LifeEvent > 0 && rng.Float64() < d.LifeEvent
		if t.LumpSum <= d.Savings+d.Capacity && rng.Float64() >= d.Shock && !lifeEvent {
			return float64(t.LumpSum) * m.df(day), false
		}
		return e.noDealRealised(float64(d.Balance), day, rng), true
	}
	sched, err := e.schedule(t)
	if err != nil {
		return 0, true
	}
	remaining := float64(d.Balance)
	savings := float64(d.Savings)
	shockLeft := 0 // months of reduced capacity left
	severity := 1.0
	missed := 0
	period := periodDays(t.Frequency)
	day := e.t0(t.Start)
	monthClock := 0.0
	for _, in := range sched.Installments {
		// Advance the debtor's month-by-month life to this due date.
		for monthClock <= day {
			if shockLeft > 0 {
				shockLeft--
			}
			if rng.Float64() < d.Shock {
				shockLeft, severity = 3, 0.2+0.6*rng.Float64()
			}
			if d.LifeEvent > 0 && rng.Float64() < d.LifeEvent {
				// A life event: payments stop, whatever the installment.
				return pv + e.noDealRealised(remaining, day, rng), true
			}
			monthClock += daysPerMonth
		}
		amount := float64(in.Amount.Minor())
		capacity := float64(d.Capacity)
		if shockLeft > 0 {
			capacity *= severity
		}
		ok := false
		if in.Down {
			if amount <= savings+capacity {
				savings -= math.Max(0, amount-capacity)
				ok = true
			}
		} else {
			ok = amount*perMonth(t.Frequency) <= capacity+1e-9
		}
		if ok {
			pv += amount * m.df(day)
			remaining -= float64(in.Principal.Minor())
		} else {
			missed++
			if in.Down || missed >= 2 {
				return pv + e.noDealRealised(remaining, day, rng), true
			}
		}
		day += period
	}
	if missed > 0 && remaining > 0.5 {
		// One installment missed and never made up: the plan ends short.
		return pv + e.noDealRealised(remaining, day, rng), true
	}
	return pv, false
}

// noDealRealised draws the no-deal outcome for remaining at day t: the
// agency recovers it (less its cost) with the policy's recovery
// probability, after the delay.
func (e *engine) noDealRealised(remaining, t float64, rng *rand.Rand) float64 {
	if rng.Float64() >= e.l.ndRecovery {
		return 0
	}
	m := e.model(levelNone)
	return remaining * (1 - e.l.ndCost) * m.df(t+float64(e.l.ndDelay))
}

// WriteSummaries prints the comparison table.
func WriteSummaries(w io.Writer, cfg SimConfig, ss []Summary) {
	fmt.Fprintf(w, "%d debtors, seed %d, as of %s, policy %q\n\n", cfg.Debtors, cfg.Seed, cfg.AsOf, cfg.Policy.Segment)
	fmt.Fprintf(w, "| strategy | agreed | expected recovery (PV) | realised recovery (PV) | defaults (of agreed) | rounds | plan months |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range ss {
		fmt.Fprintf(w, "| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.2f | %.1f |\n", s.Strategy, 100*s.AgreementRate, 100*s.Expected,
			100*s.Realised, 100*s.DefaultRate, s.Rounds, s.Months)
	}
}
