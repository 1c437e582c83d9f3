package assess

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/money"
)

// Line is one monthly income or expense of a budget.
type Line struct {
	Category string       `json:"category"`
	Label    string       `json:"label,omitempty"`
	Monthly  money.Amount `json:"-"`
}

// Debt is another monthly debt obligation of the customer. Priority debts
// (rent or mortgage arrears, council tax, energy, tax: those with the
// harshest consequences) are marked so that an agent sees them; every
// debt's monthly payment counts as committed either way.
type Debt struct {
	Creditor string
	Monthly  money.Amount
	Balance  money.Amount
	Priority bool
}

// Budget is a customer's monthly income, expenses and other debts in one
// currency, in the shape of the UK Standard Financial Statement (consumer)
// or its business equivalent.
type Budget struct {
	Currency money.Currency
	Kind     string // consumer or business
	Income   []Line
	Expenses []Line
	Debts    []Debt
}

// Flag is a plausibility warning on a budget: something an agent should
// check with the customer. Flags never block an assessment.
type Flag struct {
	Field    string // e.g. expenses[2].monthly
	Category string
	Message  string
}

// Affordability is what the customer can pay towards this debt per month.
type Affordability struct {
	Income, Expenses, Debts money.Amount // monthly totals
	Available               money.Amount // income − expenses − debts (may be negative)
	Affordable              money.Amount // the installment they can sustain
	Share                   string       // the share of the surplus used, e.g. "0.75"
	Rule                    string       // the rule, in one sentence
	Flags                   []Flag
}

// Budget limits (docs/assess.md).
const (
	// MaxBudgetLines is the most lines per list (income, expenses, debts):
	// a household or small business needs far fewer.
	MaxBudgetLines = 100
	// MaxMonthlyMinor bounds every amount (10^15 minor units: ten trillion
	// in a two-digit currency), so that no total of 300 lines overflows.
	MaxMonthlyMinor = 1_000_000_000_000_000
)

// Category sets. Consumer categories follow the UK Standard Financial
// Statement: income, fixed costs, flexible costs, and savings
// (available = income − outgoings − savings contribution). "rent" and
// "mortgage" are accepted as aliases of home and kept as given.
var (
	consumerIncome   = []string{"earnings", "benefits", "pensions", "other_income"}
	consumerExpenses = []string{
		"home", "rent", "mortgage", "utilities", "water", "care_health", "transport", "school",
		"pensions_insurance", "professional", "other_essentials", // fixed costs
		"communications_leisure", "food_housekeeping", "personal", // flexible costs
		"savings", // savings contribution
	}
	businessIncome   = []string{"revenue", "other_income"}
	businessExpenses = []string{"payroll", "rent", "suppliers", "taxes", "utilities", "insurance", "loan_service", "other_expenses"}
)

// Categories returns the income and expense categories allowed for a kind
// of customer (nil for an unknown kind).
func Categories(kind string) (income, expenses []string) {
	switch kind {
	case ledger.KindConsumer:
		return append([]string(nil), consumerIncome...), append([]string(nil), consumerExpenses...)
	case ledger.KindBusiness:
		return append([]string(nil), businessIncome...), append([]string(nil), businessExpenses...)
	}
	return nil, nil
}

// Affordable shares of the surplus (docs/assess.md).
var (
	// ConsumerShare: 75% of a household's surplus, leaving a quarter as a
	// buffer for irregular costs, in the spirit of FCA CONC 7.3 (no
	// pressure to pay unreasonably large amounts or over unreasonably
	// short periods): a plan that takes every spare pound is broken by the
	// first boiler repair.
	ConsumerShare = big.NewRat(3, 4)
	// BusinessShare: 50% of a business's surplus: the rest keeps it able
	// to trade, restock and pay its other creditors, on which its ability
	// to pay us depends.
	BusinessShare = big.NewRat(1, 2)
)

// Validate reports every bad field as one apperr.Invalid error: negative
// amounts, amounts in another currency than the budget's (the zero Amount,
// with no currency, counts as zero), unknown categories (naming the value
// and listing those allowed for the kind), a debt without a creditor, more
// than MaxBudgetLines lines in a list, a missing or unknown currency or
// kind.
func (b *Budget) Validate() error {
	var fs apperr.Fields
	if b.Currency == "" {
		fs.Add("currency", "is required")
	} else if _, err := money.ParseCurrency(string(b.Currency)); err != nil {
		fs.Add("currency", "%q is not an ISO 4217 currency code", b.Currency)
	}
	income, expenses := Categories(b.Kind)
	if income == nil {
		fs.Add("kind", "%q must be consumer or business", b.Kind)
	}
	amount := func(field string, a money.Amount) {
		switch {
		case a.Currency() != b.Currency && !(a.Currency() == "" && a.IsZero()):
			fs.Add(field, "is in %q but the budget is in %q", a.Currency(), b.Currency)
		case a.IsNegative():
			fs.Add(field, "must not be negative")
		case a.Minor() > MaxMonthlyMinor:
			fs.Add(field, "%s is too large", a)
		}
	}
	lines := func(list string, ls []Line, allowed []string, what string) {
		if len(ls) > MaxBudgetLines {
			fs.Add(list, "has %d lines; at most %d are allowed", len(ls), MaxBudgetLines)
			return
		}
		for i, l := range ls {
			field := fmt.Sprintf("%s[%d]", list, i)
			switch {
			case allowed == nil: // unknown kind: already reported
			case l.Category == "":
				fs.Add(field+".category", "is required (%s categories: %s)", what, strings.Join(allowed, ", "))
			case !contains(allowed, l.Category):
				fs.Add(field+".category", "%q is not a %s category; use one of: %s", l.Category, what, strings.Join(allowed, ", "))
			}
			if msg := checkLabel(l.Label); msg != "" {
				fs.Add(field+".label", "%s", msg)
			}
			amount(field+".monthly", l.Monthly)
		}
	}
	lines("income", b.Income, income, b.Kind+" income")
	lines("expenses", b.Expenses, expenses, b.Kind+" expense")
	if len(b.Debts) > MaxBudgetLines {
		fs.Add("debts", "has %d lines; at most %d are allowed", len(b.Debts), MaxBudgetLines)
	} else {
		for i, d := range b.Debts {
			field := fmt.Sprintf("debts[%d]", i)
			if strings.TrimSpace(d.Creditor) == "" {
				fs.Add(field+".creditor", "is required")
			} else if msg := checkLabel(d.Creditor); msg != "" {
				fs.Add(field+".creditor", "%s", msg)
			}
			amount(field+".monthly", d.Monthly)
			amount(field+".balance", d.Balance)
		}
	}
	return fs.Err("budget")
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// checkLabel rejects invalid UTF-8, control characters and labels over 200
// characters.
func checkLabel(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if utf8.RuneCountInString(s) > 200 {
		return "is longer than 200 characters"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "contains a control character"
		}
	}
	return ""
}

// Afford works out the installment the customer can sustain (docs/assess.md):
//
//	Available  = income − expenses (savings included) − other debts' monthly payments
//	Affordable = ⌊Available × share⌋ to the minor unit; 0 when Available ≤ 0
//
// with share ConsumerShare (0.75) or BusinessShare (0.50). It sums what it
// is given: call Validate first (lines in another currency are left out,
// and an unknown kind is treated as a consumer, the more cautious share).
// The Flags are plausibility checks expressed as shares of income, so they
// work in any currency; they never block.
func Afford(b Budget) Affordability {
	cur := b.Currency
	income, expenses, debts := sumLines(cur, b.Income), sumLines(cur, b.Expenses), int64(0)
	for _, d := range b.Debts {
		if d.Monthly.Currency() == cur {
			debts = satAdd(debts, d.Monthly.Minor())
		}
	}
	available := satSub(income, satAdd(expenses, debts))
	share, rule := ConsumerShare, "Up to 75% of the monthly surplus (income less expenses, savings and other debt payments), rounded down: the other quarter is a buffer for irregular costs, so the customer is not pressed to pay unreasonably large amounts (FCA CONC 7.3)."
	if b.Kind == ledger.KindBusiness {
		share, rule = BusinessShare, "Up to 50% of the monthly surplus (revenue and other income less expenses and other debt service), rounded down: the other half keeps the business able to trade and pay its other creditors."
	}
	var affordable int64
	if available > 0 {
		// ⌊available × num / den⌋: exact, and never above available
		// since the share is at most 1.
		q := new(big.Int).Mul(big.NewInt(available), share.Num())
		affordable = q.Quo(q, share.Denom()).Int64()
	} else {
		rule = "No surplus: income does not cover expenses and other debt payments, so no installment is affordable from this budget; check the figures, and consider forbearance (a breathing space, token payments)."
	}
	return Affordability{
		Income: money.New(income, cur), Expenses: money.New(expenses, cur), Debts: money.New(debts, cur),
		Available: money.New(available, cur), Affordable: money.New(affordable, cur),
		Share: share.FloatString(2), Rule: rule,
		Flags: budgetFlags(b),
	}
}

// sumLines adds the lines in cur, saturating instead of overflowing
// (Validate bounds each amount so that a valid budget never saturates).
func sumLines(cur money.Currency, ls []Line) int64 {
	var s int64
	for _, l := range ls {
		if l.Monthly.Currency() == cur {
			s = satAdd(s, l.Monthly.Minor())
		}
	}
	return s
}

// satSub is a − b, saturating.
func satSub(a, b int64) int64 {
	d := a - b
	switch {
	case a >= 0 && b < 0 && d < 0:
		return math.MaxInt64
	case a < 0 && b > 0 && d >= 0:
		return math.MinInt64
	}
	return d
}

// satAdd is a + b, saturating.
func satAdd(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}

const foodCategory = "food_housekeeping"

// Plausibility thresholds, as percentages of total income (business:
// of revenue). See docs/assess.md for why each is where it is.
const (
	flagFoodLowPct      = 5   // food & housekeeping under 5% of income looks low
	flagLeisureHighPct  = 15  // communications & leisure over 15% looks high
	flagPersonalHighPct = 15  // personal costs over 15% look high
	flagSingleLinePct   = 60  // any one expense over 60% of income
	flagOutgoingsPct    = 150 // expenses + debts over 150% of income
	flagPayrollPct      = 80  // business payroll over 80% of revenue
	flagBizExpensesPct  = 150 // business expenses over 150% of revenue
)

func budgetFlags(b Budget) []Flag {
	cur := b.Currency
	var flags []Flag
	add := func(field, category, format string, args ...any) {
		flags = append(flags, Flag{Field: field, Category: category, Message: fmt.Sprintf(format, args...)})
	}
	// Expenses per category, and each category's first line, which is
	// where a flag on the category points.
	total := map[string]int64{}
	first := map[string]int{}
	for i, l := range b.Expenses {
		if l.Monthly.Currency() != cur {
			continue
		}
		total[l.Category] = satAdd(total[l.Category], l.Monthly.Minor())
		if _, ok := first[l.Category]; !ok {
			first[l.Category] = i
		}
	}
	fieldOf := func(category string) string {
		if i, ok := first[category]; ok {
			return fmt.Sprintf("expenses[%d].monthly", i)
		}
		return "expenses"
	}
	expenses := sumLines(cur, b.Expenses)

	if b.Kind == ledger.KindBusiness {
		var revenue int64
		for _, l := range b.Income {
			if l.Category == "revenue" && l.Monthly.Currency() == cur {
				revenue = satAdd(revenue, l.Monthly.Minor())
			}
		}
		if revenue <= 0 {
			add("income", "revenue", "No revenue listed: a business's ability to pay rests on its sales; ask for them.")
			return flags
		}
		if p := total["payroll"]; exceeds(p, revenue, flagPayrollPct) {
			add(fieldOf("payroll"), "payroll", "Payroll is %s of revenue (over %d%%): check the figures; a business paying out that much in wages is rarely viable.", pctOf(p, revenue), flagPayrollPct)
		}
		if exceeds(expenses, revenue, flagBizExpensesPct) {
			add("expenses", "", "Expenses are %s of revenue (over %d%%): check the figures or whether revenue is missing.", pctOf(expenses, revenue), flagBizExpensesPct)
		}
		return flags
	}

	income := sumLines(cur, b.Income)
	if len(b.Income) == 0 {
		add("income", "", "No income listed: an affordable installment needs the customer's income (earnings, benefits, pensions, other income).")
	} else if income <= 0 {
		add("income", "", "Total income is zero: check the figures.")
	}
	if food := total[foodCategory]; food == 0 {
		add(fieldOf(foodCategory), foodCategory, "No food and housekeeping costs listed: looks low; check the budget is complete.")
	} else if income > 0 && lessThan(food, income, flagFoodLowPct) {
		add(fieldOf(foodCategory), foodCategory, "Food and housekeeping is %s of income (under %d%%): looks low; check the figure.", pctOf(food, income), flagFoodLowPct)
	}
	if income <= 0 {
		return flags
	}
	for _, c := range []struct {
		category, name string
		pct            int64
	}{
		{"communications_leisure", "Communications and leisure", flagLeisureHighPct},
		{"personal", "Personal costs", flagPersonalHighPct},
	} {
		if v := total[c.category]; exceeds(v, income, c.pct) {
			add(fieldOf(c.category), c.category, "%s is %s of income (over %d%%): looks high; ask whether some can be cut.", c.name, pctOf(v, income), c.pct)
		}
	}
	for i, l := range b.Expenses {
		if l.Monthly.Currency() == cur && exceeds(l.Monthly.Minor(), income, flagSingleLinePct) {
			add(fmt.Sprintf("expenses[%d].monthly", i), l.Category, "This expense is %s of income (over %d%%): check the figure.", pctOf(l.Monthly.Minor(), income), flagSingleLinePct)
		}
	}
	var debts int64
	for _, d := range b.Debts {
		if d.Monthly.Currency() == cur {
			debts = satAdd(debts, d.Monthly.Minor())
		}
	}
	if out := satAdd(expenses, debts); exceeds(out, income, flagOutgoingsPct) {
		add("expenses", "", "Expenses and debt payments are %s of income (over %d%%): check the figures or whether income is missing.", pctOf(out, income), flagOutgoingsPct)
	}
	return flags
}

// exceeds reports x > pct% of of, exactly (x·100 > of·pct in big integers,
// so a value at the threshold is not flagged).
func exceeds(x, of, pct int64) bool {
	l := new(big.Int).Mul(big.NewInt(x), big.NewInt(100))
	r := new(big.Int).Mul(big.NewInt(of), big.NewInt(pct))
	return l.Cmp(r) > 0
}

// lessThan reports x < pct% of of, exactly.
func lessThan(x, of, pct int64) bool {
	l := new(big.Int).Mul(big.NewInt(x), big.NewInt(100))
	r := new(big.Int).Mul(big.NewInt(of), big.NewInt(pct))
	return l.Cmp(r) < 0
}

// pctOf writes x as a whole percentage of of, for messages.
func pctOf(x, of int64) string {
	return fmt.Sprintf("%.0f%%", math.Floor(float64(x)/float64(of)*100+0.5))
}
