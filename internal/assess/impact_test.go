package assess

import (
	"math/big"
	"strings"
	"testing"

	"settle/internal/civil"
	"settle/internal/money"
)

func item(id, due, amount, balance string, c money.Currency) OverdueItem {
	return OverdueItem{InvoiceID: id, Number: "N-" + id, DueDate: day(due), Amount: amt(amount, c), Balance: amt(balance, c)}
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func TestAssessImpact_UK(t *testing.T) {
	// As of 2026-03-15, GB business, cost of capital 10%, reference rate
	// preset 4.00% → statutory rate 12%. Simple interest per day / 365:
	//
	//	a  £5,000.00 due 2026-01-01, 73 days: interest 5000×0.12×73/365 = 120.00,
	//	   carrying 5000×0.10×73/365 = 100.00, fixed sum £70 (under £10,000)
	//	b  £800.00 invoice, £300.00 left, due 2026-02-13, 30 days: interest
	//	   300×0.12×30/365 = 2.9589 → 2.96, carrying 2.4658 → 2.47, £40 (under £1,000)
	//	c  £12,000.00 due 2026-03-14, 1 day: interest 1440/365 = 3.9452 → 3.95,
	//	   carrying 1200/365 = 3.2877 → 3.29, £100
	//	d  due 2026-03-15 (today): not yet past due, nothing
	//
	// Overdue 17,300.00; carrying 105.76; interest 126.91; fixed sums
	// 210.00; claimable 336.91; a month's carrying 17300×0.10/12 =
	// 144.1667 → 144.17.
	in := ImpactInput{
		AsOf: day("2026-03-15"), Kind: "business", Jurisdiction: "gb",
		Items: []OverdueItem{
			item("a", "2026-01-01", "5000.00", "5000.00", GBP),
			item("b", "2026-02-13", "800.00", "300.00", GBP),
			item("c", "2026-03-14", "12000.00", "12000.00", GBP),
			item("d", "2026-03-15", "50.00", "50.00", GBP),
		},
		CostOfCapital: rat("0.10"),
	}
	got, err := AssessImpact(in)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		days                          int
		carrying, compensation, inter string
	}
	want := []line{{73, "100.00", "70.00", "120.00"}, {30, "2.47", "40.00", "2.96"}, {1, "3.29", "100.00", "3.95"}, {0, "0.00", "0.00", "0.00"}}
	for i, w := range want {
		l := got.Lines[i]
		g := line{l.DaysOverdue, l.CarryingCost.String(), l.Compensation.String(), l.Interest.String()}
		if g != w {
			t.Errorf("line %d: %+v, want %+v", i, g, w)
		}
	}
	totals := map[string]money.Amount{
		"17300.00": got.Overdue, "105.76": got.CarryingCost, "144.17": got.CarryingCostPerMonth,
		"210.00": got.Compensation, "126.91": got.StatutoryInterest, "336.91": got.TotalClaimable,
	}
	for want, a := range totals {
		if a.String() != want || a.Currency() != GBP {
			t.Errorf("total %s %s, want %s GBP", a, a.Currency(), want)
		}
	}
	if got.Regime != RegimeUK || got.StatutoryRate != "0.12" || got.Currency != GBP || !strings.Contains(got.RegimeName, "1998") {
		t.Errorf("regime %s %q rate %s currency %s", got.Regime, got.RegimeName, got.StatutoryRate, got.Currency)
	}
	if !hasNote(got, "4.00%") || !hasNote(got, "1 item(s) not yet past due") {
		t.Errorf("notes %q", got.Notes)
	}
}

func TestAssessImpact_Regimes(t *testing.T) {
	// €10,000.00 due 100 days before 2026-06-30 (2026-03-22), cost of
	// capital 10%: carrying 10000×0.10×100/365 = 273.97.
	eur := []OverdueItem{item("x", "2026-03-22", "10000.00", "10000.00", EUR)}
	for _, tc := range []struct {
		name         string
		kind, juris  string
		items        []OverdueItem
		ref          *big.Rat
		regime, rate string
		interest     string
		compensation string
		note         string
	}{
		// ECB 2.15% + 8 = 10.15%: 10000×0.1015×100/365 = 278.0822 → 278.08; €40.
		{"EU member, EUR", "business", "DE", eur, nil, RegimeEU, "0.1015", "278.08", "40.00", "2.15%"},
		// A policy's reference rate 3% → 11%: 110000/365 = 301.3699 → 301.37.
		{"EU, reference rate set by policy", "business", "FR", eur, rat("0.03"), RegimeEU, "0.11", "301.37", "40.00", ""},
		{"EU member, not EUR: no fixed sum", "business", "PL",
			[]OverdueItem{item("x", "2026-03-22", "10000.00", "10000.00", USD)}, nil, RegimeEU, "0.1015", "278.08", "0.00", "national central bank"},
		// UK, invoice in EUR: interest 12%: 120000/365 = 328.7671 → 328.77, no sterling sum.
		{"UK, not GBP: no fixed sum", "business", "GB", eur, nil, RegimeUK, "0.12", "328.77", "0.00", "sterling"},
		{"consumer: no regime", "consumer", "GB", eur, nil, RegimeNone, "", "0.00", "0.00", "only to debts between businesses"},
		{"US business: no regime", "business", "US", eur, nil, RegimeNone, "", "0.00", "0.00", "No statutory late-payment regime is preset for US"},
		{"no jurisdiction", "business", "", eur, nil, RegimeNone, "", "0.00", "0.00", "unknown jurisdiction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AssessImpact(ImpactInput{
				AsOf: day("2026-06-30"), Kind: tc.kind, Jurisdiction: tc.juris,
				Items: tc.items, CostOfCapital: rat("0.1"), ReferenceRate: tc.ref,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got.Regime != tc.regime || got.StatutoryRate != tc.rate {
				t.Errorf("regime %s rate %q, want %s %q", got.Regime, got.StatutoryRate, tc.regime, tc.rate)
			}
			if got.StatutoryInterest.String() != tc.interest || got.Compensation.String() != tc.compensation {
				t.Errorf("interest %s compensation %s, want %s %s", got.StatutoryInterest, got.Compensation, tc.interest, tc.compensation)
			}
			if got.CarryingCost.String() != "273.97" || got.Lines[0].DaysOverdue != 100 {
				t.Errorf("carrying %s days %d, want 273.97 over 100 days", got.CarryingCost, got.Lines[0].DaysOverdue)
			}
			if tc.note != "" && !hasNote(got, tc.note) {
				t.Errorf("no note with %q in %q", tc.note, got.Notes)
			}
			if tc.ref != nil && hasNote(got, "preset") {
				t.Errorf("a policy rate was given, but the notes mention the preset: %q", got.Notes)
			}
		})
	}
}

func TestAssessImpact_Rounding(t *testing.T) {
	// £18.25 one day at 10%: 1825×0.1/365 = 0.5 pence exactly → rounded
	// away from zero to 0.01. £18.24: 0.4997 pence → 0.00.
	for _, tc := range []struct{ balance, want string }{{"18.25", "0.01"}, {"18.24", "0.00"}} {
		got, err := AssessImpact(ImpactInput{
			AsOf: day("2026-06-30"), Kind: "business", Jurisdiction: "US",
			Items: []OverdueItem{item("x", "2026-06-29", tc.balance, tc.balance, GBP)}, CostOfCapital: rat("0.10"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.CarryingCost.String() != tc.want {
			t.Errorf("%s: carrying %s, want %s", tc.balance, got.CarryingCost, tc.want)
		}
	}
}

func TestAssessImpact_UKFixedSumBands(t *testing.T) {
	// By the invoice amount, not the balance: under £1,000 → £40, under
	// £10,000 → £70, from £10,000 → £100.
	for _, tc := range []struct{ amount, want string }{
		{"999.99", "40.00"}, {"1000.00", "70.00"}, {"9999.99", "70.00"}, {"10000.00", "100.00"},
	} {
		got, err := AssessImpact(ImpactInput{
			AsOf: day("2026-06-30"), Kind: "business", Jurisdiction: "GB",
			Items: []OverdueItem{item("x", "2026-06-01", tc.amount, "10.00", GBP)}, CostOfCapital: rat("0"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Compensation.String() != tc.want {
			t.Errorf("invoice %s: fixed sum %s, want %s", tc.amount, got.Compensation, tc.want)
		}
	}
}

func TestAssessImpact_Invalid(t *testing.T) {
	good := func() ImpactInput {
		return ImpactInput{
			AsOf: day("2026-06-30"), Kind: "business", Jurisdiction: "GB",
			Items:         []OverdueItem{item("a", "2026-05-01", "100.00", "100.00", GBP), item("b", "2026-05-01", "100.00", "100.00", GBP)},
			CostOfCapital: rat("0.1"),
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*ImpactInput)
		fields []string
	}{
		{"mixed currencies name the item", func(in *ImpactInput) {
			in.Items[1] = item("b", "2026-05-01", "100.00", "100.00", EUR)
		}, []string{"items[1].balance"}},
		{"no items", func(in *ImpactInput) { in.Items = nil }, []string{"items"}},
		{"no cost of capital", func(in *ImpactInput) { in.CostOfCapital = nil }, []string{"cost_of_capital"}},
		{"cost of capital as a percentage", func(in *ImpactInput) { in.CostOfCapital = rat("10") }, []string{"cost_of_capital"}},
		{"negative reference rate", func(in *ImpactInput) { in.ReferenceRate = rat("-0.01") }, []string{"reference_rate"}},
		{"bad kind", func(in *ImpactInput) { in.Kind = "charity" }, []string{"kind"}},
		{"no as-of date", func(in *ImpactInput) { in.AsOf = civil.Date{} }, []string{"as_of"}},
		{"zero balance, amount below balance, no due date", func(in *ImpactInput) {
			in.Items[0].Balance = money.Zero(GBP)
			in.Items[1].Amount = amt("50.00", GBP)
			in.Items[1].DueDate = civil.Date{}
		}, []string{"items[0].balance", "items[1].due_date", "items[1].amount"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.change(&in)
			_, err := AssessImpact(in)
			got := fieldsOf(t, err)
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Fatalf("fields %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
	in := good()
	in.Items[1] = item("b", "2026-05-01", "100.00", "100.00", EUR)
	_, err := AssessImpact(in)
	if msg := messageOf(t, err, "items[1].balance"); !strings.Contains(msg, "EUR") || !strings.Contains(msg, "items[0] is in GBP") {
		t.Errorf("message %q", msg)
	}
}

func TestMulRat_BigPathMatchesMoney(t *testing.T) {
	// The big.Int path rounds exactly like money.MulRat (half away from
	// zero), including negatives and exact halves.
	for _, tc := range []struct {
		minor    int64
		num, den int64
	}{
		{1000, 2, 3}, {-1000, 2, 3}, {5, 1, 2}, {-5, 1, 2}, {1825, 1, 3650}, {123456789, 1015, 36500}, {7, 0, 1},
	} {
		a := money.New(tc.minor, GBP)
		want, err := a.MulRat(tc.num, tc.den)
		if err != nil {
			t.Fatal(err)
		}
		// The big path, with the fraction as given and scaled by 2^70
		// (past int64, as a rate with a long expansion would be).
		scale := new(big.Int).Lsh(big.NewInt(1), 70)
		for _, k := range []*big.Int{big.NewInt(1), scale} {
			got, err := mulRatBig(a, new(big.Int).Mul(big.NewInt(tc.num), k), new(big.Int).Mul(big.NewInt(tc.den), k))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%d × %d/%d: big path %s, money.MulRat %s", tc.minor, tc.num, tc.den, got, want)
			}
		}
	}
	// A rate that does not fit in int64 goes through the big path:
	// 0.1 + 10^-30 per year on £1,000.00 for 365 days is 100.00.
	got, err := simpleInterest(amt("1000.00", GBP), rat("0.100000000000000000000000000001"), 365)
	if err != nil || got.String() != "100.00" {
		t.Fatalf("got %s, %v; want 100.00", got, err)
	}
}

func hasNote(im Impact, s string) bool {
	for _, n := range im.Notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
