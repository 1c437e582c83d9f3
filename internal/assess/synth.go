package assess

import (
	"fmt"
	"math"
	"math/rand/v2"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
)

// The outcome the risk score predicts (docs/assess.md): as of a cutoff,
// will any invoice due in the next LabelHorizonDays be paid more than
// LabelLateDays late, or not at all by the end of the observation?
const (
	LabelHorizonDays = 90
	LabelLateDays    = 7
)

// NextInvoicesLate is the risk model's outcome, computed from the ledger
// alone (not from a generator's hidden state): ok is false when no invoice
// falls due in (cutoff, cutoff+LabelHorizonDays]; late is true when one of
// them was paid more than LabelLateDays after its due date or was still
// unpaid on end. Choose end at least cutoff + LabelHorizonDays +
// LabelLateDays, so that every invoice in the window has had its chance to
// be paid within LabelLateDays before it is judged.
func NextInvoicesLate(h History, cutoff, end civil.Date) (late, ok bool) {
	horizon := cutoff.AddDays(LabelHorizonDays)
	for _, t := range BuildProfile(h, end).Timings {
		if !t.DueDate.After(cutoff) || t.DueDate.After(horizon) {
			continue
		}
		ok = true
		if t.Open || t.PaidOn.DaysSince(t.DueDate) > LabelLateDays {
			late = true
		}
	}
	return late, ok
}

// Archetypes of the synthetic book: how a customer's latent lateness moves.
const (
	ArchetypeStable        = "stable"        // pays on time, small noise
	ArchetypeChronic       = "chronic"       // always late, by a personal margin
	ArchetypeDeteriorating = "deteriorating" // good, then drifts late from a random month
	ArchetypeImproving     = "improving"     // late, then drifts to on time
	ArchetypeVolatile      = "volatile"      // switches between good and bad spells
)

// SynthCustomer is one customer of a synthetic book.
type SynthCustomer struct {
	Archetype string
	// History holds every event up to end (invoices issued up to end,
	// payments received up to end, promises made up to end); Plans holds
	// the plans made on or before cutoff with their status as of cutoff
	// (plan statuses are not dated, so they can only be given for one date).
	History History
	// Late and Labeled are NextInvoicesLate(History, cutoff, end).
	Late, Labeled bool
}

// SynthBook generates a deterministic synthetic receivables book to fit
// and validate the risk model. It is NOT the scorecard run backwards:
// each customer has a latent mean lateness (days) per month that follows
// its archetype with AR(1) drift and regime switches; each invoice's days
// late are drawn around that latent mean with noise and occasional
// one-off slips; disputes delay single invoices; promises and payment
// plans arise from long delays and are kept or broken according to a
// hidden financial stress that also shapes the latent path. The
// scorecard only sees the ledger this produces.
//
// Customers start invoicing monthly (30-day terms) on a random date
// between start and shortly after cutoff, and keep invoicing until end.
// The same seed always gives the same book; customer i uses its own PCG
// stream (seed, i), so books of different sizes share their first
// customers.
func SynthBook(seed uint64, customers int, start, cutoff, end civil.Date) []SynthCustomer {
	out := make([]SynthCustomer, customers)
	months := monthsBetween(start, cutoff)
	for i := range out {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		out[i] = synthCustomer(r, i, months, start, cutoff, end)
		out[i].Late, out[i].Labeled = NextInvoicesLate(out[i].History, cutoff, end)
	}
	return out
}

func monthsBetween(a, b civil.Date) int {
	return (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
}

// synthCustomer draws one customer. The constants are a plausible
// B2B book, not estimates from real data; see docs/assess.md.
func synthCustomer(r *rand.Rand, i, months int, start, cutoff, end civil.Date) SynthCustomer {
	cur := []money.Currency{"EUR", "EUR", "EUR", "GBP", "GBP", "USD"}[r.IntN(6)]
	juris := map[money.Currency]string{"EUR": "DE", "GBP": "GB", "USD": "US"}[cur]
	c := ledger.Customer{
		ID: fmt.Sprintf("cus_syn%d", i), Name: fmt.Sprintf("Synthetic %d", i),
		Kind: ledger.KindBusiness, Jurisdiction: juris, Segment: ledger.DefaultSegment,
		Style: ledger.StyleDirect, PaymentTermsDays: 30,
	}

	// First invoice: uniform over the months from start to one month
	// after cutoff (a few customers have no history at cutoff).
	firstMonth := r.IntN(months + 2)
	first := civil.New(start.Year, start.Month, 1+r.IntN(28)).AddMonths(firstMonth)
	newcomer := cutoff.DaysSince(first) < 365

	// The book is drawn as it stands at cutoff: customers who joined in
	// the year before lean to the risky archetypes, since long-standing
	// customers are the survivors of years of credit control (which the
	// generator does not simulate customer by customer).
	weights := []float64{0.55, 0.12, 0.12, 0.10, 0.11} // stable, chronic, deteriorating, improving, volatile
	if newcomer {
		weights = []float64{0.40, 0.18, 0.13, 0.12, 0.17}
	}
	arch := []string{ArchetypeStable, ArchetypeChronic, ArchetypeDeteriorating, ArchetypeImproving, ArchetypeVolatile}[pick(r, weights)]
	// Financial stress (0 none .. 1 severe, mostly low) is hidden: it
	// makes promises and plans fail more often, keeps bad spells longer
	// and tips good payers into bad ones, so those events can say
	// something lateness does not (how much is for the fit to find).
	stress := math.Pow(r.Float64(), 2)

	n := monthsBetween(first, end) + 1
	mu := latentPath(r, arch, stress, n)
	// Onboarding friction: a new customer's first invoices wait for the
	// supplier to be set up in their payment run (up to 10 extra days,
	// fading over the first four months).
	friction := r.Float64() * 10
	for k := range min(n, 4) {
		mu[k] += friction * float64(4-k) / 4
	}
	disputeRate := 0.004
	if r.Float64() < 0.15 {
		disputeRate = 0.06 // a habitual disputer
	}
	logMean := math.Log(500) + r.Float64()*math.Log(100) // 500 .. 50,000 per invoice

	type item struct {
		inv     ledger.Invoice
		payDays int // days after due when the last payment arrives
		never   bool
		parts   int
		mu      float64
	}
	var items []item
	for k := range n {
		issue := first.AddMonths(k)
		if issue.After(end) {
			break
		}
		due := issue.AddDays(30)
		minor := int64(math.Round(math.Exp(logMean+r.NormFloat64()*0.3) * 100))
		it := item{inv: ledger.Invoice{
			ID: fmt.Sprintf("inv_syn%d_%d", i, k), Number: fmt.Sprintf("SYN%d-%03d", i, k),
			CustomerID: c.ID, IssueDate: issue, DueDate: due, Amount: money.New(minor, cur),
		}, mu: mu[k], parts: 1}
		// Days late around the latent mean; wider spread when later.
		d := mu[k] + r.NormFloat64()*(1.5+0.3*math.Abs(mu[k]))
		if r.Float64() < 0.03 {
			d += 5 + r.Float64()*20 // a one-off slip: lost invoice, approver away
		}
		if r.Float64() < disputeRate {
			it.inv.Disputed = true
			d = 15 + r.Float64()*60 // paid once the dispute is resolved
		}
		it.payDays = max(int(math.Round(d)), -30) // never before the issue date
		if mu[k] > 40 && r.Float64() < 0.05 {
			it.never = true
		}
		if it.payDays > 7 && r.Float64() < 0.1 {
			it.parts = 2 // half first, the rest when finally paid
		}
		items = append(items, it)
	}

	// Promises: an invoice still unpaid 21 days after its due date gets a
	// call, and half the time a promise to pay it within 7–14 days. A
	// customer under stress or in a bad spell breaks it more often.
	var promises []ledger.Promise
	for k := range items {
		it := &items[k]
		if !(it.never || it.payDays > 21) || r.Float64() >= 0.5 {
			continue
		}
		on := it.inv.DueDate.AddDays(21)
		if on.After(end) {
			continue
		}
		by := on.AddDays(7 + r.IntN(8))
		promises = append(promises, ledger.Promise{
			ID: fmt.Sprintf("prm_syn%d_%d", i, k), CustomerID: c.ID, Amount: it.inv.Amount,
			PromisedOn: on, DueDate: by, Channel: "call",
		})
		keep := 0.95 - 0.8*stress
		if r.Float64() < keep {
			it.never = false
			it.parts = 1 // paid in full within the promise's window
			it.payDays = 21 + r.IntN(by.DaysSince(on)+1)
		}
	}

	var payments []ledger.Payment
	for k, it := range items {
		if it.never {
			continue
		}
		final := it.inv.DueDate.AddDays(it.payDays)
		amt := it.inv.Amount.Minor()
		if it.parts == 2 {
			half := amt / 2
			payments = append(payments, ledger.Payment{
				ID: fmt.Sprintf("pay_syn%d_%d_a", i, k), Kind: ledger.KindPayment, CustomerID: c.ID,
				ReceivedOn: it.inv.DueDate.AddDays(it.payDays / 2), Amount: money.New(half, cur), InvoiceID: it.inv.ID,
			})
			amt -= half
		}
		payments = append(payments, ledger.Payment{
			ID: fmt.Sprintf("pay_syn%d_%d_b", i, k), Kind: ledger.KindPayment, CustomerID: c.ID,
			ReceivedOn: final, Amount: money.New(amt, cur), InvoiceID: it.inv.ID,
		})
	}
	// Only what has happened by end is in the ledger.
	kept := payments[:0]
	for _, p := range payments {
		if !p.ReceivedOn.After(end) {
			kept = append(kept, p)
		}
	}
	payments = kept

	// Plans: at an invoice's issue date, two or more invoices more than 30
	// days overdue lead to a plan a third of the time (at most one per six
	// months). Whether it is completed or defaulted depends on stress and
	// the latent lateness three months on; a tenth are renegotiated.
	var plans []PlanOutcome
	lastPlan := -100
	for k := range items {
		on := items[k].inv.IssueDate
		if on.After(cutoff) {
			break
		}
		overdue := 0
		for _, it := range items[:k] {
			if on.DaysSince(it.inv.DueDate) > 30 && (it.never || it.inv.DueDate.AddDays(it.payDays).After(on)) {
				overdue++
			}
		}
		if overdue < 2 || k-lastPlan < 6 || r.Float64() >= 1.0/3 {
			continue
		}
		lastPlan = k
		ends := on.AddMonths(3 + r.IntN(4))
		status := plan.Active
		switch later := items[min(k+3, len(items)-1)].mu; {
		case r.Float64() < 0.1:
			status = plan.Superseded
		case ends.After(cutoff):
			// still running on cutoff
		case r.Float64() < min(0.9, 0.1+0.5*stress+later/100):
			status = plan.Defaulted
		default:
			status = plan.Completed
		}
		plans = append(plans, PlanOutcome{ID: fmt.Sprintf("pln_syn%d_%d", i, k), Status: status})
	}

	invoices := make([]ledger.Invoice, len(items))
	for k := range items {
		invoices[k] = items[k].inv
	}
	alloc := ledger.Allocate(invoices, payments)
	for k := range invoices {
		invoices[k].Balance = alloc.Balances[invoices[k].ID]
	}
	return SynthCustomer{
		Archetype: arch,
		History: History{
			Customer: c, Invoices: invoices, Allocations: alloc.Allocations,
			Payments: payments, Promises: promises, Plans: plans,
		},
	}
}

// latentPath draws the latent mean days late for n monthly invoices: an
// AR(1) pull towards the archetype's current target (good: −4..3 days,
// bad: 12..50), with regime changes.
func latentPath(r *rand.Rand, arch string, stress float64, n int) []float64 {
	const phi = 0.8 // monthly persistence of deviations from the target
	good := func() float64 { return -4 + r.Float64()*7 }
	bad := func() float64 { return 12 + r.Float64()*38 }
	mu := make([]float64, n)
	inBad := false
	target, alt := good(), bad()
	change := -1 // the month a deteriorating/improving customer turns
	switch arch {
	case ArchetypeChronic:
		inBad = true
	case ArchetypeDeteriorating:
		change = r.IntN(n + n/3)
	case ArchetypeImproving:
		inBad = true
		change = r.IntN(n + n/3)
	}
	if inBad {
		target, alt = alt, target
	}
	x := target
	for k := range n {
		flip := false
		switch {
		case k == change:
			// An improving customer recovers only if the stress allows it.
			flip = arch == ArchetypeDeteriorating || r.Float64() >= stress
		case arch == ArchetypeVolatile:
			// Markov regime switch: good spells last ~12 months, bad ones
			// ~6; stress shortens the good spells and lengthens the bad.
			flip = (!inBad && r.Float64() < (1+4*stress)/12) || (inBad && r.Float64() < (1-stress)/6)
		case !inBad && arch != ArchetypeChronic && r.Float64() < 0.01*stress:
			flip = true // a shock: stress tips a good payer into a bad spell for good
		}
		if flip {
			inBad = !inBad
			target, alt = alt, target
		}
		noise := 1.0
		if inBad {
			noise = 4
		}
		x = target + phi*(x-target) + r.NormFloat64()*noise
		mu[k] = x
	}
	return mu
}

// pick draws an index with probability proportional to weights.
func pick(r *rand.Rand, weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	u := r.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
