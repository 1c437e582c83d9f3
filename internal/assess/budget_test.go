package assess

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"settle/internal/money"
)

func line(category, amount string, c money.Currency) Line {
	return Line{Category: category, Monthly: amt(amount, c)}
}

func debt(creditor, monthly, balance string, c money.Currency) Debt {
	return Debt{Creditor: creditor, Monthly: amt(monthly, c), Balance: amt(balance, c)}
}

func TestAfford_HandWorked(t *testing.T) {
	// Income 2,000.00 + 300.00 = 2,300.00. Expenses 800 + 150 + 300 +
	// 100 + 120 + 80 + 50 (savings) = 1,600.00. Debts 100.00.
	// Available 2,300 − 1,600 − 100 = 600.00; 75% → 450.00.
	b := Budget{
		Currency: GBP, Kind: "consumer",
		Income: []Line{line("earnings", "2000.00", GBP), line("benefits", "300.00", GBP)},
		Expenses: []Line{
			line("rent", "800.00", GBP), line("utilities", "150.00", GBP), line("food_housekeeping", "300.00", GBP),
			line("transport", "100.00", GBP), line("communications_leisure", "120.00", GBP),
			line("personal", "80.00", GBP), line("savings", "50.00", GBP),
		},
		Debts: []Debt{debt("Card Co", "100.00", "2500.00", GBP)},
	}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	a := Afford(b)
	got := []string{a.Income.String(), a.Expenses.String(), a.Debts.String(), a.Available.String(), a.Affordable.String(), a.Share}
	want := []string{"2300.00", "1600.00", "100.00", "600.00", "450.00", "0.75"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(a.Flags) != 0 || !strings.Contains(a.Rule, "75%") || a.Affordable.Currency() != GBP {
		t.Fatalf("flags %+v rule %q", a.Flags, a.Rule)
	}
}

func TestAfford_RoundsDown(t *testing.T) {
	for _, tc := range []struct {
		kind             string
		cur              money.Currency
		income, expenses string
		available, want  string
	}{
		// 1.01 × 0.75 = 0.7575 → 0.75 (rounding would give 0.76).
		{"consumer", GBP, "101.01", "100.00", "1.01", "0.75"},
		{"consumer", GBP, "100.03", "100.00", "0.03", "0.02"},    // 0.0225
		{"business", EUR, "1010.01", "1000.00", "10.01", "5.00"}, // 5.005
		{"consumer", "JPY", "101001", "100000", "1001", "750"},   // 750.75 yen
		{"consumer", GBP, "100.00", "100.00", "0.00", "0.00"},    // no surplus
		{"consumer", GBP, "1000.00", "1200.00", "-200.00", "0.00"},
	} {
		t.Run(fmt.Sprintf("%s %s %s", tc.kind, tc.available, tc.cur), func(t *testing.T) {
			income, expenses := "other_income", "other_essentials"
			if tc.kind == "business" {
				income, expenses = "revenue", "suppliers"
			}
			a := Afford(Budget{
				Currency: tc.cur, Kind: tc.kind,
				Income: []Line{line(income, tc.income, tc.cur)}, Expenses: []Line{line(expenses, tc.expenses, tc.cur)},
			})
			if a.Available.String() != tc.available || a.Affordable.String() != tc.want {
				t.Fatalf("available %s affordable %s, want %s %s", a.Available, a.Affordable, tc.available, tc.want)
			}
			if a.Affordable.Minor() > max(a.Available.Minor(), 0) {
				t.Fatalf("affordable %s above available %s", a.Affordable, a.Available)
			}
			if !a.Available.IsPositive() && !strings.HasPrefix(a.Rule, "No surplus") {
				t.Fatalf("rule %q", a.Rule)
			}
		})
	}
}

func TestAfford_Flags(t *testing.T) {
	// Income 1,000.00 in every consumer case, so 1% is 10.00.
	base := func(expenses ...Line) Budget {
		return Budget{Currency: GBP, Kind: "consumer", Income: []Line{line("earnings", "1000.00", GBP)}, Expenses: expenses}
	}
	food := line("food_housekeeping", "100.00", GBP)
	for _, tc := range []struct {
		name  string
		b     Budget
		flags []string // field/category of each flag, in order
	}{
		{"plausible", base(food, line("home", "400.00", GBP)), nil},
		{"food at exactly 5% is fine", base(line("food_housekeeping", "50.00", GBP)), nil},
		{"food under 5%", base(line("home", "300.00", GBP), line("food_housekeeping", "49.99", GBP)), []string{"expenses[1].monthly/food_housekeeping"}},
		{"no food at all", base(line("home", "300.00", GBP)), []string{"expenses/food_housekeeping"}},
		{"leisure at exactly 15% is fine", base(food, line("communications_leisure", "150.00", GBP)), nil},
		{"leisure over 15%", base(food, line("communications_leisure", "100.00", GBP), line("communications_leisure", "50.01", GBP)),
			[]string{"expenses[1].monthly/communications_leisure"}},
		{"personal over 15%", base(food, line("personal", "150.01", GBP)), []string{"expenses[1].monthly/personal"}},
		{"one line at exactly 60% is fine", base(food, line("mortgage", "600.00", GBP)), nil},
		{"one line over 60%", base(food, line("mortgage", "600.01", GBP)), []string{"expenses[1].monthly/mortgage"}},
		{"outgoings over 150%", func() Budget {
			b := base(food, line("home", "500.00", GBP), line("transport", "400.00", GBP))
			b.Debts = []Debt{debt("Loan", "500.01", "9000.00", GBP)} // 100 + 500 + 400 + 500.01 = 1500.01
			return b
		}(), []string{"expenses/"}},
		{"no income", Budget{Currency: GBP, Kind: "consumer", Expenses: []Line{food}}, []string{"income/"}},
		{"zero income", Budget{Currency: GBP, Kind: "consumer", Income: []Line{line("earnings", "0.00", GBP)}, Expenses: []Line{food}}, []string{"income/"}},
		{"business plausible", Budget{Currency: EUR, Kind: "business",
			Income:   []Line{line("revenue", "10000.00", EUR), line("other_income", "5000.00", EUR)},
			Expenses: []Line{line("payroll", "8000.00", EUR)}}, nil}, // exactly 80% of revenue (other income aside)
		{"business payroll over 80% of revenue", Budget{Currency: EUR, Kind: "business",
			Income:   []Line{line("revenue", "10000.00", EUR)},
			Expenses: []Line{line("rent", "100.00", EUR), line("payroll", "8000.01", EUR)}}, []string{"expenses[1].monthly/payroll"}},
		{"business expenses over 150% of revenue", Budget{Currency: EUR, Kind: "business",
			Income:   []Line{line("revenue", "10000.00", EUR)},
			Expenses: []Line{line("suppliers", "15000.01", EUR)}}, []string{"expenses/"}},
		{"business without revenue", Budget{Currency: EUR, Kind: "business",
			Income: []Line{line("other_income", "10000.00", EUR)}}, []string{"income/revenue"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Afford(tc.b)
			var got []string
			for _, f := range a.Flags {
				got = append(got, f.Field+"/"+f.Category)
				if f.Message == "" {
					t.Errorf("flag %s without a message", f.Field)
				}
			}
			if !slices.Equal(got, tc.flags) {
				t.Fatalf("flags %v, want %v (%+v)", got, tc.flags, a.Flags)
			}
		})
	}
	// Messages give the figure and the threshold.
	a := Afford(base(line("home", "300.00", GBP), line("food_housekeeping", "40.00", GBP)))
	if msg := a.Flags[0].Message; !strings.Contains(msg, "4% of income") || !strings.Contains(msg, "under 5%") {
		t.Errorf("message %q", msg)
	}
}

func TestBudget_Validate(t *testing.T) {
	ok := func() Budget {
		return Budget{
			Currency: GBP, Kind: "consumer",
			Income:   []Line{line("earnings", "1000.00", GBP)},
			Expenses: []Line{line("rent", "300.00", GBP), line("mortgage", "10.00", GBP), {Category: "water"}}, // aliases; zero Amount
			Debts:    []Debt{debt("Bank", "50.00", "1000.00", GBP)},
		}
	}
	if err := func() error { b := ok(); return b.Validate() }(); err != nil {
		t.Fatalf("valid budget: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Budget)
		fields []string
	}{
		{"negative amount", func(b *Budget) { b.Income[0].Monthly = amt("-1.00", GBP) }, []string{"income[0].monthly"}},
		{"other currency", func(b *Budget) { b.Expenses[1].Monthly = amt("10.00", EUR) }, []string{"expenses[1].monthly"}},
		{"unknown category", func(b *Budget) { b.Expenses[0].Category = "gym" }, []string{"expenses[0].category"}},
		{"missing category", func(b *Budget) { b.Income[0].Category = "" }, []string{"income[0].category"}},
		{"consumer category in a business budget", func(b *Budget) {
			b.Kind = "business"
			b.Income[0].Category = "revenue"
			b.Expenses = []Line{line("food_housekeeping", "1.00", GBP)}
		}, []string{"expenses[0].category"}},
		{"debt without creditor, negative balance", func(b *Budget) {
			b.Debts[0].Creditor = "  "
			b.Debts[0].Balance = amt("-5.00", GBP)
		}, []string{"debts[0].creditor", "debts[0].balance"}},
		{"too many lines", func(b *Budget) {
			b.Income = nil
			for range MaxBudgetLines + 1 {
				b.Income = append(b.Income, line("earnings", "1.00", GBP))
			}
		}, []string{"income"}},
		{"unknown kind", func(b *Budget) { b.Kind = "charity" }, []string{"kind"}},
		{"no currency", func(b *Budget) { b.Currency = "" }, []string{"currency", "income[0].monthly", "expenses[0].monthly", "expenses[1].monthly", "debts[0].monthly", "debts[0].balance"}},
		{"too large", func(b *Budget) { b.Income[0].Monthly = money.New(MaxMonthlyMinor+1, GBP) }, []string{"income[0].monthly"}},
		{"control character in a label", func(b *Budget) { b.Expenses[0].Label = "a\x00b" }, []string{"expenses[0].label"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := ok()
			tc.change(&b)
			got := fieldsOf(t, b.Validate())
			if !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v (%v)", got, tc.fields, b.Validate())
			}
		})
	}
	// Messages name the value and what is allowed.
	b := ok()
	b.Expenses[0].Category = "gym"
	b.Income[0].Monthly = amt("-1.00", GBP)
	err := b.Validate()
	if msg := messageOf(t, err, "expenses[0].category"); !strings.Contains(msg, `"gym"`) || !strings.Contains(msg, "food_housekeeping") || !strings.Contains(msg, "consumer expense") {
		t.Errorf("category message %q", msg)
	}
	if msg := messageOf(t, err, "income[0].monthly"); msg != "must not be negative" {
		t.Errorf("amount message %q", msg)
	}
}

func TestCategories(t *testing.T) {
	income, expenses := Categories("consumer")
	if !slices.Equal(income, []string{"earnings", "benefits", "pensions", "other_income"}) || !slices.Contains(expenses, "mortgage") || !slices.Contains(expenses, "savings") {
		t.Fatalf("consumer: %v %v", income, expenses)
	}
	income, expenses = Categories("business")
	if !slices.Equal(income, []string{"revenue", "other_income"}) || len(expenses) != 8 {
		t.Fatalf("business: %v %v", income, expenses)
	}
	income[0] = "changed" // a copy: the package's lists are untouched
	if again, _ := Categories("business"); again[0] != "revenue" {
		t.Fatal("Categories returned the package's slice")
	}
	if i, e := Categories("charity"); i != nil || e != nil {
		t.Fatal("unknown kind has categories")
	}
}

func TestSaturatingArithmetic(t *testing.T) {
	const maxI, minI = int64(1<<63 - 1), int64(-1 << 63)
	for _, tc := range []struct{ a, b, add, sub int64 }{
		{1, 2, 3, -1},
		{maxI, 1, maxI, maxI - 1},
		{minI, -1, minI, minI + 1},
		{0, minI, minI, maxI},
		{-2, maxI, maxI - 2, minI},
	} {
		if got := satAdd(tc.a, tc.b); got != tc.add {
			t.Errorf("satAdd(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.add)
		}
		if got := satSub(tc.a, tc.b); got != tc.sub {
			t.Errorf("satSub(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.sub)
		}
	}
}
