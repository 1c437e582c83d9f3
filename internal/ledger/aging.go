package ledger

import (
	"sort"

	"settle/internal/civil"
	"settle/internal/money"
)

// Aging buckets by days past due (contract.md): current means not yet past
// due (as-of date on or before the due date).
const (
	BucketCurrent = iota
	Bucket1To30
	Bucket31To60
	Bucket61To90
	BucketOver90
	bucketCount
)

// BucketNames are the report's field names, indexed by bucket.
var BucketNames = [bucketCount]string{"current", "days_1_30", "days_31_60", "days_61_90", "days_over_90"}

// DaysPastDue is asOf − due in days; zero or less is not past due.
func DaysPastDue(asOf, due civil.Date) int { return asOf.DaysSince(due) }

// BucketOf places an amount due on due into its aging bucket as of asOf.
func BucketOf(asOf, due civil.Date) int {
	d := DaysPastDue(asOf, due)
	switch {
	case d <= 0:
		return BucketCurrent
	case d <= 30:
		return Bucket1To30
	case d <= 60:
		return Bucket31To60
	case d <= 90:
		return Bucket61To90
	default:
		return BucketOver90
	}
}

// Buckets holds minor-unit sums per aging bucket for one currency. The
// sums are Wide (128-bit): a report adds up any number of invoices, and
// data, even amounts written before the single-amount limit existed, must
// never make it fail (docs/ledger.md, "Limits").
type Buckets struct {
	Currency money.Currency
	Amounts  [bucketCount]money.Wide
}

// Total is the sum of all buckets.
func (b *Buckets) Total() money.Wide {
	var t money.Wide
	for _, a := range b.Amounts {
		t = t.Add(a)
	}
	return t
}

// Overdue is the sum of every bucket past due.
func (b *Buckets) Overdue() money.Wide { return b.Total().Sub(b.Amounts[BucketCurrent]) }

// Text formats bucket k as a decimal string in the currency (see
// money.Wide.Text).
func (b *Buckets) Text(k int) string { return b.Amounts[k].Text(b.Currency) }

// OpenItem is an invoice's open balance as of a date (from the store).
type OpenItem struct {
	CustomerID  string
	ExternalRef string
	Currency    money.Currency
	DueDate     civil.Date
	Balance     int64 // minor units, > 0
}

// CustomerAging is one customer's aging in one currency.
type CustomerAging struct {
	CustomerID  string
	ExternalRef string
	Buckets
}

// AgingReport accumulates open items into buckets per currency and per
// customer and currency. Feed it with Add, then read Totals and Customers.
type AgingReport struct {
	AsOf      civil.Date
	totals    map[money.Currency]*Buckets
	customers map[customerCurrency]*CustomerAging
}

type customerCurrency struct {
	id  string
	cur money.Currency
}

// NewAgingReport starts an empty report as of asOf.
func NewAgingReport(asOf civil.Date) *AgingReport {
	return &AgingReport{
		AsOf:      asOf,
		totals:    map[money.Currency]*Buckets{},
		customers: map[customerCurrency]*CustomerAging{},
	}
}

// Add puts one open item in its bucket.
func (r *AgingReport) Add(it OpenItem) {
	k := BucketOf(r.AsOf, it.DueDate)
	t := r.totals[it.Currency]
	if t == nil {
		t = &Buckets{Currency: it.Currency}
		r.totals[it.Currency] = t
	}
	key := customerCurrency{it.CustomerID, it.Currency}
	c := r.customers[key]
	if c == nil {
		c = &CustomerAging{CustomerID: it.CustomerID, ExternalRef: it.ExternalRef, Buckets: Buckets{Currency: it.Currency}}
		r.customers[key] = c
	}
	t.Amounts[k] = t.Amounts[k].AddInt64(it.Balance)
	c.Amounts[k] = c.Amounts[k].AddInt64(it.Balance)
}

// Totals returns one row per currency, sorted by currency code.
func (r *AgingReport) Totals() []Buckets {
	out := make([]Buckets, 0, len(r.totals))
	for _, b := range r.totals {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// Customers returns one row per customer and currency: by currency, then
// largest overdue first, then largest total, then customer id.
func (r *AgingReport) Customers() []CustomerAging {
	out := make([]CustomerAging, 0, len(r.customers))
	for _, c := range r.customers {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
		}
		if c := a.Overdue().Cmp(b.Overdue()); c != 0 {
			return c > 0
		}
		if c := a.Total().Cmp(b.Total()); c != 0 {
			return c > 0
		}
		return a.CustomerID < b.CustomerID
	})
	return out
}

// AppliedAsOf sums, per invoice id, the allocations applied on or before
// asOf (minor units): an invoice's open balance as of asOf is its amount
// less this.
func AppliedAsOf(allocs []Allocation, asOf civil.Date) map[string]int64 {
	applied := map[string]int64{}
	for _, a := range allocs {
		if !a.AppliedOn.After(asOf) {
			applied[a.InvoiceID] += a.Amount.Minor()
		}
	}
	return applied
}

// OpenItemsAsOf computes, from a customer's invoices and allocations, each
// invoice's open balance as of asOf: invoices issued on or before asOf and
// not void by then, less allocations applied on or before asOf. It is the
// in-memory twin of the store's aging query.
func OpenItemsAsOf(asOf civil.Date, c *Customer, invoices []Invoice, allocs []Allocation) []OpenItem {
	paid := map[string]money.Wide{}
	for _, a := range allocs {
		if !a.AppliedOn.After(asOf) {
			paid[a.InvoiceID] = paid[a.InvoiceID].AddInt64(a.Amount.Minor())
		}
	}
	var out []OpenItem
	for _, inv := range invoices {
		if inv.IssueDate.After(asOf) || (!inv.VoidedOn.IsZero() && !inv.VoidedOn.After(asOf)) {
			continue
		}
		// Allocations never exceed their invoice, so the open balance fits
		// whenever the amount does; Wide keeps that true for bad data too.
		if bal, ok := money.WideOf(inv.Amount.Minor()).Sub(paid[inv.ID]).Int64(); ok && bal > 0 {
			out = append(out, OpenItem{CustomerID: c.ID, ExternalRef: c.ExternalRef, Currency: inv.Amount.Currency(), DueDate: inv.DueDate, Balance: bal})
		}
	}
	return out
}
