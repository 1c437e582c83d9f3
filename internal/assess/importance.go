package assess

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
)

// Importance levels, from most to least important.
const (
	LevelKey      = "key"
	LevelMajor    = "major"
	LevelStandard = "standard"
	LevelMinor    = "minor"
)

// Thresholds of AssessImportance (docs/assess.md). Shares of receivables
// work in every currency; revenue thresholds need a currency, so they are
// set for the currencies in revenueThresholds only.
const (
	// KeyShare: a customer holding 10% or more of our receivables in a
	// currency is a key account whatever their segment: losing them, or
	// their money, moves our own cash position.
	KeyShare = 0.10
	// MajorShare: 3% or more of receivables in a currency (about one
	// customer in thirty-three at an even split) deserves a senior agent.
	MajorShare = 0.03
	// MinorShare: under 0.5% of receivables in every currency, together
	// with revenue under the minor threshold, is a small account, handled
	// by self-service and automated steps first.
	MinorShare = 0.005
)

// RevenueThreshold is, for one currency, the 12-month revenue from which a
// customer is major, and below which (with a small share) minor. Amounts
// are in major units.
type RevenueThreshold struct{ Major, Minor int64 }

// revenueThresholds: 100,000 / 5,000 in the main Western currencies, and
// about the same value in yen. A currency not listed is judged by its
// share of receivables alone (the Reasons say so).
var revenueThresholds = map[money.Currency]RevenueThreshold{
	"EUR": {100_000, 5_000},
	"USD": {100_000, 5_000},
	"GBP": {100_000, 5_000},
	"CHF": {100_000, 5_000},
	"CAD": {150_000, 7_500},
	"AUD": {150_000, 7_500},
	"JPY": {15_000_000, 750_000},
}

// Share is a customer's part of our total open receivables in a currency.
type Share struct {
	Currency money.Currency
	Share    float64 // 0..1
}

// Importance is how much a customer matters to us: it sets the tier that
// handles them (domain.md §4) and the tone of the approach (the largest
// slow payer gets a personal approach, not automated mail).
type Importance struct {
	Revenue12m         []money.Amount // invoiced (not void) in the 12 months to asOf, per currency
	ShareOfReceivables []Share        // open balance ÷ total receivables, per currency
	Since              civil.Date     // first invoice issue date
	TenureDays         int
	Segment            string
	KeyAccount         bool
	Level              string // key, major, standard, minor
	Reasons            []string
}

// AssessImportance judges a customer's importance as of asOf from their
// invoices (any currency; void ones and those issued after asOf are left
// out), their open balance per currency (minor units) and the total open
// receivables of all customers per currency. The rules (docs/assess.md):
//
//   - Revenue12m: invoices issued in the 12 months up to asOf (after
//     asOf − 12 months, up to and including asOf), not voided by asOf.
//   - KeyAccount: segment "key" or "key_account" (any case), or a share
//     of receivables of KeyShare or more in any currency.
//   - Level: key if a key account; major if a share ≥ MajorShare or
//     revenue ≥ the currency's major threshold; minor if every share is
//     under MinorShare and every revenue under its currency's minor
//     threshold (revenue in a currency without thresholds is never
//     minor); standard otherwise.
func AssessImportance(c ledger.Customer, invoices []ledger.Invoice, open map[money.Currency]money.Wide, totalOpen map[money.Currency]money.Wide, asOf civil.Date) Importance {
	imp := Importance{Segment: c.Segment}
	yearAgo := asOf.AddMonths(-12)
	revenue := map[money.Currency]money.Amount{}
	for i := range invoices {
		inv := &invoices[i]
		if inv.IssueDate.After(asOf) || (!inv.VoidedOn.IsZero() && !inv.VoidedOn.After(asOf)) {
			continue
		}
		if imp.Since.IsZero() || inv.IssueDate.Before(imp.Since) {
			imp.Since = inv.IssueDate
		}
		if !inv.IssueDate.After(yearAgo) {
			continue
		}
		cur := inv.Amount.Currency()
		sum, ok := revenue[cur]
		if !ok {
			sum = money.Zero(cur)
		}
		if s, err := sum.Add(inv.Amount); err == nil {
			revenue[cur] = s
		} else {
			// Beyond 9.2·10^18 minor units: keep the largest amount that
			// fits rather than fail an assessment over a figure that big.
			revenue[cur] = money.New(math.MaxInt64, cur)
		}
	}
	for _, a := range revenue {
		imp.Revenue12m = append(imp.Revenue12m, a)
	}
	slices.SortFunc(imp.Revenue12m, func(a, b money.Amount) int { return cmp.Compare(a.Currency(), b.Currency()) })
	if !imp.Since.IsZero() {
		imp.TenureDays = max(0, asOf.DaysSince(imp.Since))
	}

	for cur, bal := range open {
		if total := totalOpen[cur]; total.Sign() > 0 && bal.Sign() > 0 {
			// A ratio of two sums that may exceed int64 (Wide), as a float.
			share, _ := new(big.Rat).SetFrac(bal.Big(), total.Big()).Float64()
			imp.ShareOfReceivables = append(imp.ShareOfReceivables, Share{Currency: cur, Share: min(1, share)})
		}
	}
	slices.SortFunc(imp.ShareOfReceivables, func(a, b Share) int { return cmp.Compare(a.Currency, b.Currency) })

	seg := strings.ToLower(strings.TrimSpace(c.Segment))
	if seg == "key" || seg == "key_account" {
		imp.KeyAccount = true
		imp.Reasons = append(imp.Reasons, fmt.Sprintf("segment %q marks a key account", c.Segment))
	}
	major := false
	small := true // every share under MinorShare and every revenue under its minor threshold
	for _, s := range imp.ShareOfReceivables {
		switch {
		case s.Share >= KeyShare:
			imp.KeyAccount = true
			imp.Reasons = append(imp.Reasons, fmt.Sprintf("%s of receivables in %s (%s or more makes a key account)", percent(s.Share), s.Currency, percent(KeyShare)))
		case s.Share >= MajorShare:
			major = true
			imp.Reasons = append(imp.Reasons, fmt.Sprintf("%s of receivables in %s", percent(s.Share), s.Currency))
		}
		if s.Share >= MinorShare {
			small = false
		}
	}
	for _, a := range imp.Revenue12m {
		t, ok := revenueThresholds[a.Currency()]
		if !ok {
			imp.Reasons = append(imp.Reasons, fmt.Sprintf("invoiced %s %s in the last 12 months (no revenue threshold is set for %s: judged by share only)", a, a.Currency(), a.Currency()))
			small = false // cannot tell: not minor
			continue
		}
		unit := pow10(a.Currency().Digits())
		switch {
		case a.Minor()/unit >= t.Major:
			major = true
			imp.Reasons = append(imp.Reasons, fmt.Sprintf("invoiced %s %s in the last 12 months", a, a.Currency()))
		case a.Minor()/unit >= t.Minor:
			small = false
		}
	}
	switch {
	case imp.KeyAccount:
		imp.Level = LevelKey
	case major:
		imp.Level = LevelMajor
	case small:
		imp.Level = LevelMinor
		imp.Reasons = append(imp.Reasons, "small account: under 0.5% of receivables and little revenue in the last 12 months")
	default:
		imp.Level = LevelStandard
	}
	if s := tenureSentence(imp.TenureDays, imp.Since); s != "" {
		imp.Reasons = append(imp.Reasons, s)
	}
	return imp
}

// percent writes a share as a whole percentage, or with one decimal under
// 1% so that a small share does not read as zero.
func percent(s float64) string {
	if s < 0.01 {
		return fmt.Sprintf("%.1f%%", s*100)
	}
	return fmt.Sprintf("%.0f%%", math.Floor(s*100+0.5))
}

func tenureSentence(days int, since civil.Date) string {
	switch {
	case since.IsZero():
		return "no invoice yet"
	case days >= 730:
		return fmt.Sprintf("customer for %d years", days/365)
	case days >= 365:
		return "customer for 1 year"
	case days >= 61:
		return fmt.Sprintf("customer for %d months", days*12/365)
	default:
		return fmt.Sprintf("new customer: first invoice %s", since)
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
