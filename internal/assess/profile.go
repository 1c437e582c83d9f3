package assess

import (
	"cmp"
	"slices"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
)

// Windows of the profile, in days before asOf.
const (
	// LookbackDays is the window of the lateness statistics: invoices due
	// in the 365 days up to asOf. Credit managers judge a payer on the last
	// twelve months ("average days beyond terms, trailing 12 months"):
	// older years dilute how the customer pays now.
	LookbackDays = 365
	// RecentDays splits the window for the trend: invoices due in the last
	// 90 days (a quarter, about three monthly invoices) are "recent".
	RecentDays = 90
)

// PlanOutcome is one payment plan of the customer and its status as of the
// profile's date: proposed, active, completed, defaulted, superseded or
// cancelled (plan.Track decides completed and defaulted; the caller passes
// the result).
type PlanOutcome struct {
	ID     string
	Status string
}

// History is everything the profile is built from, for one customer. It
// may hold events after asOf: BuildProfile ignores them, so one History can
// be judged as of any date.
type History struct {
	Customer    ledger.Customer
	Invoices    []ledger.Invoice    // all the customer's invoices (any currency, incl. voided)
	Allocations []ledger.Allocation // dated allocations from ledger.Allocate (AppliedOn)
	Payments    []ledger.Payment    // for promise status
	Promises    []ledger.Promise
	Plans       []PlanOutcome // statuses as of the profile's date
}

// InvoiceTiming is how one invoice was (or is being) paid as of the
// profile's date.
type InvoiceTiming struct {
	InvoiceID string
	Number    string
	Currency  money.Currency
	DueDate   civil.Date
	// PaidOn is the date of the allocation that brought the invoice's
	// allocated total to its amount; zero if not fully paid by asOf.
	PaidOn civil.Date
	// DaysLate is PaidOn − DueDate for a paid invoice (0 when paid on or
	// before the due date), asOf − DueDate for an open invoice past due,
	// and 0 for an open invoice not yet past due.
	DaysLate int
	Open     bool // not fully paid by asOf
}

// Profile is a customer's payment history summarised as of a date. The
// lateness figures (InvoicesDue … MaxDaysLate) are over the lateness
// population: undisputed invoices due in the LookbackDays up to asOf whose
// outcome is known (paid by asOf, or still open after their due date),
// plus every undisputed invoice still open and past due whatever its due
// date, since its lateness is still running. The standing figures
// (OldestOverdueDays, OverdueShare) take every invoice, disputed or not:
// they are about money owed.
type Profile struct {
	AsOf civil.Date

	InvoicesDue int // the lateness population: PaidOnTime + PaidLate + OpenOverdue
	PaidOnTime  int // paid on or before the due date (no grace)
	PaidLate    int // paid after the due date
	OpenOverdue int // still open after the due date
	OnTimeShare float64

	AvgDaysLate       float64 // mean DaysLate over the population (on-time invoices count 0)
	RecentAvgDaysLate float64 // over invoices due in the last RecentDays
	PriorAvgDaysLate  float64 // over the rest of the population (due earlier)
	TrendDaysLate     float64 // recent − prior; 0 if either side is empty
	MaxDaysLate       int

	OldestOverdueDays int     // asOf − the earliest due date of an open, past-due invoice
	OverdueShare      float64 // overdue open balance ÷ open balance, per currency; the highest

	// Disputes counts the invoices flagged disputed. The flag is not
	// dated, so for a past asOf it is today's flag.
	Disputes int

	PromisesKept, PromisesBroken, PromisesOpen                     int
	PlansCompleted, PlansDefaulted, PlansActive, PlansRenegotiated int

	FirstInvoice civil.Date // earliest issue date (zero if none)
	Timings      []InvoiceTiming
}

// BuildProfile summarises h as of asOf. The rules (docs/assess.md):
//
//   - Invoices issued on or before asOf and not voided by asOf count.
//   - An invoice is paid on the AppliedOn date of the allocation (applied
//     on or before asOf) that brings its allocated total to its amount.
//   - Days late: see InvoiceTiming.DaysLate. "On time" means paid by the
//     due date, with no grace.
//   - Disputed invoices are left out of the lateness figures: their delay
//     measures the dispute, not how the customer pays.
//   - An invoice due on asOf and still unpaid can still be paid on time,
//     so it is not judged yet; an invoice paid before a due date that is
//     after asOf joins the statistics when it falls due (counting it
//     earlier would count only the early payers among invoices not yet
//     due, flattering the profile).
//   - Recent = due in the last RecentDays (asOf − due < 90), prior = the
//     rest of the population.
//   - Promises made on or before asOf, judged by Promise.StatusAsOf.
//   - Plans by status; superseded plans count as renegotiated.
func BuildProfile(h History, asOf civil.Date) Profile {
	p := Profile{AsOf: asOf}

	// Invoices known on asOf.
	invs := make([]*ledger.Invoice, 0, len(h.Invoices))
	for i := range h.Invoices {
		inv := &h.Invoices[i]
		if inv.IssueDate.After(asOf) || (!inv.VoidedOn.IsZero() && !inv.VoidedOn.After(asOf)) {
			continue
		}
		if inv.IsCharge() {
			// A charge settle added (a fee) is not the customer paying
			// an invoice of ours: it says nothing of its own about how
			// they pay, and counting it would count each delay twice.
			continue
		}
		invs = append(invs, inv)
	}

	// Paid dates: replay the allocations applied by asOf in date order.
	// Allocate emits them in replay order already; sorting (stably) keeps
	// the rule true for callers that pass them in any order.
	allocs := make([]ledger.Allocation, 0, len(h.Allocations))
	for _, a := range h.Allocations {
		if !a.AppliedOn.After(asOf) {
			allocs = append(allocs, a)
		}
	}
	slices.SortStableFunc(allocs, func(a, b ledger.Allocation) int { return a.AppliedOn.Compare(b.AppliedOn) })
	index := make(map[string]int, len(invs))
	for k, inv := range invs {
		index[inv.ID] = k
	}
	allocated := make([]int64, len(invs))
	paidOn := make([]civil.Date, len(invs))
	for _, a := range allocs {
		k, ok := index[a.InvoiceID]
		if !ok {
			continue // an invoice not known on asOf (or not this customer's)
		}
		amt, before := invs[k].Amount.Minor(), allocated[k]
		allocated[k] = before + a.Amount.Minor()
		if before < amt && allocated[k] >= amt {
			paidOn[k] = a.AppliedOn
		}
	}

	type openSums struct{ open, overdue int64 }
	balances := map[money.Currency]*openSums{}
	lookbackStart := asOf.AddDays(-LookbackDays) // due after this date is in the window
	var sumAll, sumRecent, sumPrior float64
	var nRecent, nPrior int
	p.Timings = make([]InvoiceTiming, 0, len(invs))
	for k, inv := range invs {
		if inv.Disputed {
			p.Disputes++
		}
		if p.FirstInvoice.IsZero() || inv.IssueDate.Before(p.FirstInvoice) {
			p.FirstInvoice = inv.IssueDate
		}
		t := InvoiceTiming{
			InvoiceID: inv.ID, Number: inv.Number, Currency: inv.Amount.Currency(),
			DueDate: inv.DueDate, PaidOn: paidOn[k],
		}
		if inv.Amount.Minor() <= 0 && t.PaidOn.IsZero() {
			// Nothing to pay (validation forbids it; be safe): paid when issued.
			t.PaidOn = inv.IssueDate
		}
		t.Open = t.PaidOn.IsZero()
		pastDue := asOf.DaysSince(inv.DueDate) // > 0: the due date has passed
		judged := false
		switch {
		case !t.Open:
			t.DaysLate = max(0, t.PaidOn.DaysSince(inv.DueDate))
			judged = pastDue >= 0 && inv.DueDate.After(lookbackStart)
		case pastDue > 0:
			t.DaysLate = pastDue
			judged = true // open and overdue: counted whatever its due date
			p.OldestOverdueDays = max(p.OldestOverdueDays, pastDue)
		}
		// A disputed invoice's delay measures the dispute, not how the
		// customer pays: it is counted in Disputes and left out of the
		// lateness figures (as trade-credit "days beyond terms" figures
		// leave out disputed items). It still counts in the open and
		// overdue balance, which is money owed either way.
		judged = judged && !inv.Disputed
		switch {
		case !judged:
		case t.Open:
			p.OpenOverdue++
		case t.DaysLate == 0:
			p.PaidOnTime++
		default:
			p.PaidLate++
		}
		if t.Open {
			bal := inv.Amount.Minor() - allocated[k]
			s := balances[t.Currency]
			if s == nil {
				s = &openSums{}
				balances[t.Currency] = s
			}
			s.open += bal
			if pastDue > 0 {
				s.overdue += bal
			}
		}
		if judged {
			p.InvoicesDue++
			d := float64(t.DaysLate)
			sumAll += d
			p.MaxDaysLate = max(p.MaxDaysLate, t.DaysLate)
			if pastDue < RecentDays {
				sumRecent += d
				nRecent++
			} else {
				sumPrior += d
				nPrior++
			}
		}
		p.Timings = append(p.Timings, t)
	}
	if p.InvoicesDue > 0 {
		p.OnTimeShare = float64(p.PaidOnTime) / float64(p.InvoicesDue)
		p.AvgDaysLate = sumAll / float64(p.InvoicesDue)
	}
	if nRecent > 0 {
		p.RecentAvgDaysLate = sumRecent / float64(nRecent)
	}
	if nPrior > 0 {
		p.PriorAvgDaysLate = sumPrior / float64(nPrior)
	}
	if nRecent > 0 && nPrior > 0 {
		p.TrendDaysLate = p.RecentAvgDaysLate - p.PriorAvgDaysLate
	}
	// Balances of different currencies cannot be added, so the share is
	// taken per currency and the profile reports the worst one: a customer
	// with every EUR invoice overdue is a concern even if their USD account
	// is current.
	for _, s := range balances {
		if s.open > 0 {
			p.OverdueShare = max(p.OverdueShare, float64(s.overdue)/float64(s.open))
		}
	}
	slices.SortStableFunc(p.Timings, func(a, b InvoiceTiming) int {
		return cmp.Or(a.DueDate.Compare(b.DueDate), cmp.Compare(a.Number, b.Number), cmp.Compare(a.InvoiceID, b.InvoiceID))
	})

	for i := range h.Promises {
		pr := &h.Promises[i]
		if pr.PromisedOn.After(asOf) {
			continue
		}
		switch status, _ := pr.StatusAsOf(asOf, h.Payments); status {
		case ledger.PromiseKept:
			p.PromisesKept++
		case ledger.PromiseBroken:
			p.PromisesBroken++
		default:
			p.PromisesOpen++
		}
	}
	for _, pl := range h.Plans {
		switch pl.Status {
		case plan.Completed:
			p.PlansCompleted++
		case plan.Defaulted:
			p.PlansDefaulted++
		case plan.Active:
			p.PlansActive++
		case plan.Superseded:
			p.PlansRenegotiated++
		}
	}
	return p
}
