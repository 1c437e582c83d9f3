package assess

import (
	"fmt"
	"math/big"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
)

// Statutory late-payment regimes (domain.md §5).
const (
	RegimeUK   = "uk_late_payment"
	RegimeEU   = "eu_late_payment"
	RegimeNone = "none"
)

// Reference rates, preset as of 2025; a policy can override them
// (ImpactInput.ReferenceRate).
var (
	// BankOfEnglandRate is the Bank of England Bank Rate, 4.00% since
	// 7 August 2025 (Bank of England, "Bank Rate history"), preset as of
	// 2025; a policy can override. The Late Payment Act fixes the
	// reference rate for each half-year at the rate in force on 30 June or
	// 31 December before it; a policy that needs that precision sets it.
	BankOfEnglandRate = big.NewRat(400, 10000)
	// ECBMainRefinancingRate is the ECB main refinancing operations rate,
	// 2.15% since 11 June 2025 (ECB, "Key ECB interest rates"), preset as
	// of 2025; a policy can override. Directive 2011/7/EU takes the rate
	// in force on the first day of each half-year.
	ECBMainRefinancingRate = big.NewRat(215, 10000)
	// StatutoryMargin is the 8 percentage points both regimes add to the
	// reference rate.
	StatutoryMargin = big.NewRat(8, 100)
)

// DaysPerYear is the day count of carrying cost and statutory interest:
// simple interest per day at annual rate / 365, as the UK Act's guidance
// computes it (the EU Directive sets no day count; 365 is used there too).
const DaysPerYear = 365

// euMembers are the 27 EU member states (ISO 3166-1 alpha-2; Greece is GR,
// not the EU's own "EL").
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true,
	"EE": true, "FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true,
	"IT": true, "LV": true, "LT": true, "LU": true, "MT": true, "NL": true, "PL": true,
	"PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
}

// UK fixed compensation per invoice (Late Payment of Commercial Debts
// (Interest) Act 1998, s. 5A), in pence: £40 under £1,000, £70 under
// £10,000, £100 from £10,000.
const (
	ukSmallLimit  = 1_000_00
	ukMediumLimit = 10_000_00
	ukSmallComp   = 40_00
	ukMediumComp  = 70_00
	ukLargeComp   = 100_00
	// euMinComp is the Directive's minimum fixed sum, €40 in cents.
	euMinComp = 40_00
)

// OverdueItem is one invoice's overdue balance.
type OverdueItem struct {
	InvoiceID string
	Number    string
	DueDate   civil.Date
	Amount    money.Amount // the invoice amount (sets the UK fixed sum)
	Balance   money.Amount // what is still owed on it
}

// ImpactInput is what AssessImpact needs. All items must be in one
// currency.
type ImpactInput struct {
	AsOf          civil.Date
	Kind          string // business or consumer (ledger.KindBusiness, ledger.KindConsumer)
	Jurisdiction  string // ISO 3166-1 alpha-2 country of the debt
	Items         []OverdueItem
	CostOfCapital *big.Rat // annual, e.g. 0.10
	ReferenceRate *big.Rat // nil: the regime's preset
}

// ImpactLine is one invoice's share of the impact.
type ImpactLine struct {
	InvoiceID    string
	Number       string
	DaysOverdue  int
	Balance      money.Amount
	CarryingCost money.Amount
	Compensation money.Amount
	Interest     money.Amount
}

// Impact is what the delay costs us, and what the law lets us claim.
type Impact struct {
	Currency             money.Currency
	Overdue              money.Amount // balances past due
	CarryingCost         money.Amount // Σ lines: cost of capital on them to date
	CarryingCostPerMonth money.Amount // what another month of waiting costs
	Compensation         money.Amount // statutory fixed sums
	StatutoryInterest    money.Amount
	TotalClaimable       money.Amount // Compensation + StatutoryInterest
	Regime               string       // uk_late_payment, eu_late_payment, none
	RegimeName           string
	StatutoryRate        string // annual, e.g. "0.12"; empty without a regime
	Lines                []ImpactLine
	Notes                []string
}

// AssessImpact quantifies the impact of the delay (docs/assess.md):
//
//   - Days overdue = AsOf − due date (interest runs from the day after the
//     due date to AsOf inclusive); items not yet due cost nothing yet.
//   - Carrying cost per line = balance × cost of capital × days / 365,
//     rounded half away from zero; the total is the sum of the lines.
//     Per month = overdue × cost of capital / 12.
//   - Business debts in GB: UK regime, interest at reference + 8 points
//     simple, per line like the carrying cost; fixed sum per invoice by
//     its amount (GBP only). In an EU member state: EU regime, reference +
//     8 points, €40 per invoice (EUR only). Elsewhere, and for consumers:
//     no regime.
//
// Invalid input (no items, mixed currencies, negative rates…) is an
// apperr.Invalid error naming each bad field.
func AssessImpact(in ImpactInput) (Impact, error) {
	if err := in.validate(); err != nil {
		return Impact{}, err
	}
	cur := in.Items[0].Balance.Currency()
	zero := money.Zero(cur)
	out := Impact{
		Currency: cur, Overdue: zero, CarryingCost: zero, CarryingCostPerMonth: zero,
		Compensation: zero, StatutoryInterest: zero, TotalClaimable: zero,
		Regime: RegimeNone, RegimeName: "none",
	}
	juris := strings.ToUpper(strings.TrimSpace(in.Jurisdiction))

	var ref *big.Rat
	compensation := func(OverdueItem) int64 { return 0 }
	switch {
	case in.Kind == ledger.KindConsumer:
		out.Notes = append(out.Notes, "Consumer debt: statutory late-payment interest and compensation apply only to debts between businesses (UK Late Payment of Commercial Debts (Interest) Act 1998, EU Directive 2011/7/EU), so none is claimed; interest and charges are what the agreement says.")
	case juris == "GB":
		out.Regime, out.RegimeName = RegimeUK, "UK Late Payment of Commercial Debts (Interest) Act 1998"
		ref = BankOfEnglandRate
		if in.ReferenceRate == nil {
			out.Notes = append(out.Notes, "Reference rate: Bank of England Bank Rate 4.00% (preset as of 2025); a policy can set the rate in force.")
		}
		if cur == "GBP" {
			compensation = func(it OverdueItem) int64 {
				switch a := it.Amount.Minor(); {
				case a < ukSmallLimit:
					return ukSmallComp
				case a < ukMediumLimit:
					return ukMediumComp
				default:
					return ukLargeComp
				}
			}
		} else {
			out.Notes = append(out.Notes, fmt.Sprintf("The Act's fixed sums (£40, £70, £100 per invoice) are in sterling and these invoices are in %s: none added (claim the sterling sum separately if your policy allows).", cur))
		}
	case euMembers[juris]:
		out.Regime, out.RegimeName = RegimeEU, "EU Late Payment Directive 2011/7/EU"
		ref = ECBMainRefinancingRate
		if in.ReferenceRate == nil {
			out.Notes = append(out.Notes, "Reference rate: ECB main refinancing operations rate 2.15% (preset as of 2025); a policy can set the rate in force.")
		}
		if cur == "EUR" {
			compensation = func(OverdueItem) int64 { return euMinComp }
		} else {
			out.Notes = append(out.Notes, fmt.Sprintf("The Directive's minimum fixed sum is €40 per invoice and these invoices are in %s: none added. Outside the euro area the reference rate is the national central bank's; set it in the policy.", cur))
		}
	default:
		where := juris
		if where == "" {
			where = "an unknown jurisdiction"
		}
		out.Notes = append(out.Notes, fmt.Sprintf("No statutory late-payment regime is preset for %s: interest and fees are what the contract says.", where))
	}
	var rate *big.Rat
	if out.Regime != RegimeNone {
		if in.ReferenceRate != nil {
			ref = in.ReferenceRate
		}
		rate = new(big.Rat).Add(ref, StatutoryMargin)
		out.StatutoryRate = ratString(rate)
	}

	notDue := 0
	for i, it := range in.Items {
		l := ImpactLine{
			InvoiceID: it.InvoiceID, Number: it.Number, Balance: it.Balance,
			CarryingCost: zero, Compensation: zero, Interest: zero,
		}
		l.DaysOverdue = max(0, in.AsOf.DaysSince(it.DueDate))
		if l.DaysOverdue == 0 {
			notDue++
		} else {
			var err error
			if l.CarryingCost, err = simpleInterest(it.Balance, in.CostOfCapital, l.DaysOverdue); err != nil {
				return Impact{}, itemOverflow(i, err)
			}
			if rate != nil {
				if l.Interest, err = simpleInterest(it.Balance, rate, l.DaysOverdue); err != nil {
					return Impact{}, itemOverflow(i, err)
				}
			}
			l.Compensation = money.New(compensation(it), cur)
		}
		out.Lines = append(out.Lines, l)
	}
	for i, l := range out.Lines {
		var err error
		if l.DaysOverdue > 0 {
			out.Overdue, err = out.Overdue.Add(l.Balance)
		}
		if err == nil {
			out.CarryingCost, err = out.CarryingCost.Add(l.CarryingCost)
		}
		if err == nil {
			out.Compensation, err = out.Compensation.Add(l.Compensation)
		}
		if err == nil {
			out.StatutoryInterest, err = out.StatutoryInterest.Add(l.Interest)
		}
		if err != nil {
			return Impact{}, itemOverflow(i, err)
		}
	}
	var err error
	if out.CarryingCostPerMonth, err = mulRat(out.Overdue, new(big.Rat).Quo(in.CostOfCapital, big.NewRat(12, 1))); err != nil {
		return Impact{}, apperr.Field("items", "the overdue total is too large: %v", err)
	}
	if out.TotalClaimable, err = out.Compensation.Add(out.StatutoryInterest); err != nil {
		return Impact{}, apperr.Field("items", "the claimable total is too large: %v", err)
	}
	if notDue > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d item(s) not yet past due: no cost or claim on them yet.", notDue))
	}
	return out, nil
}

func (in *ImpactInput) validate() error {
	var fs apperr.Fields
	if in.AsOf.IsZero() {
		fs.Add("as_of", "is required")
	}
	if in.Kind != ledger.KindBusiness && in.Kind != ledger.KindConsumer {
		fs.Add("kind", "%q must be business or consumer", in.Kind)
	}
	checkRate := func(field string, r *big.Rat) {
		if r.Sign() < 0 || r.Cmp(big.NewRat(1, 1)) > 0 {
			fs.Add(field, "%s must be between 0 and 1 (a fraction per year: 0.10 is 10%%)", ratString(r))
		}
	}
	if in.CostOfCapital == nil {
		fs.Add("cost_of_capital", "is required (a fraction per year, e.g. 0.10)")
	} else {
		checkRate("cost_of_capital", in.CostOfCapital)
	}
	if in.ReferenceRate != nil {
		checkRate("reference_rate", in.ReferenceRate)
	}
	if len(in.Items) == 0 {
		fs.Add("items", "at least one overdue item is required")
	}
	var cur money.Currency
	if len(in.Items) > 0 {
		cur = in.Items[0].Balance.Currency()
	}
	for i, it := range in.Items {
		f := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		if it.DueDate.IsZero() {
			fs.Add(f("due_date"), "is required")
		}
		if it.Balance.Currency() == "" {
			fs.Add(f("balance"), "has no currency")
		} else if it.Balance.Currency() != cur {
			fs.Add(f("balance"), "is in %s but items[0] is in %s: assess one currency at a time", it.Balance.Currency(), cur)
		}
		if it.Amount.Currency() != it.Balance.Currency() {
			fs.Add(f("amount"), "is in %q but the balance is in %q", it.Amount.Currency(), it.Balance.Currency())
		}
		if !it.Balance.IsPositive() {
			fs.Add(f("balance"), "%s must be greater than zero", it.Balance)
		} else if it.Amount.Minor() < it.Balance.Minor() {
			fs.Add(f("amount"), "%s is less than the balance %s", it.Amount, it.Balance)
		}
	}
	return fs.Err("impact input")
}

func itemOverflow(i int, err error) error {
	return apperr.Field(fmt.Sprintf("items[%d].balance", i), "is too large to assess: %v", err)
}

// simpleInterest is a × rate × days / DaysPerYear, rounded half away from
// zero to the minor unit.
func simpleInterest(a money.Amount, rate *big.Rat, days int) (money.Amount, error) {
	r := new(big.Rat).Mul(rate, big.NewRat(int64(days), DaysPerYear))
	return mulRat(a, r)
}

// mulRat is a × r rounded half away from zero. It uses money.MulRat
// (exact 128-bit product, same rounding) when r's numerator and
// denominator fit in int64, and exact big.Int arithmetic otherwise.
func mulRat(a money.Amount, r *big.Rat) (money.Amount, error) {
	if r.Num().IsInt64() && r.Denom().IsInt64() {
		return a.MulRat(r.Num().Int64(), r.Denom().Int64())
	}
	return mulRatBig(a, r.Num(), r.Denom())
}

// mulRatBig is a × num / den (den > 0) in big integers, rounded half away
// from zero like money.MulRat.
func mulRatBig(a money.Amount, num, den *big.Int) (money.Amount, error) {
	n := new(big.Int).Mul(big.NewInt(a.Minor()), num)
	neg := n.Sign() < 0
	n.Abs(n)
	q, rem := new(big.Int).QuoRem(n, den, new(big.Int))
	if rem.Lsh(rem, 1).Cmp(den) >= 0 { // rem/den ≥ ½: away from zero
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return money.Amount{}, fmt.Errorf("%w: %s %s × %s/%s", money.ErrOverflow, a, a.Currency(), num, den)
	}
	return money.New(q.Int64(), a.Currency()), nil
}

// ratString writes a rate as a decimal with at least two and at most six
// places: 0.12, 0.1015, 0.333333.
func ratString(r *big.Rat) string {
	s := r.FloatString(6)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = strings.TrimRight(s, "0")
		for len(s)-i-1 < 2 {
			s += "0"
		}
	}
	return s
}
