package plan

import (
	"encoding/csv"
	"math"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

var (
	usd = money.MustCurrency("USD")
	jpy = money.MustCurrency("JPY")
	bhd = money.MustCurrency("BHD")
)

// row is an installment in printable form, for readable diffs.
type row struct {
	Due                         string
	Amount, Principal, Interest string
	Down                        bool
}

// dr is a shorthand for an interest-free regular installment row.
func dr(due, amount string) row {
	return row{Due: due, Amount: amount, Principal: amount, Interest: zeroOf(amount)}
}

// zeroOf returns the zero with the same number of decimals as amount.
func zeroOf(amount string) string {
	if i := strings.IndexByte(amount, '.'); i >= 0 {
		return "0." + strings.Repeat("0", len(amount)-i-1)
	}
	return "0"
}

func rowsOf(t *testing.T, s Schedule) []row {
	t.Helper()
	rows := make([]row, len(s.Installments))
	for k, in := range s.Installments {
		if in.Seq != k+1 {
			t.Errorf("installment %d has Seq %d", k+1, in.Seq)
		}
		rows[k] = row{Due: in.DueDate.String(), Amount: in.Amount.String(), Principal: in.Principal.String(),
			Interest: in.Interest.String(), Down: in.Down}
	}
	return rows
}

func date(t testing.TB, s string) civil.Date {
	t.Helper()
	d, err := civil.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func amt(t testing.TB, s string, c money.Currency) money.Amount {
	t.Helper()
	a, err := money.Parse(s, c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad rate %q", s)
	}
	return r
}

func mustQuote(t testing.TB, terms Terms) Schedule {
	t.Helper()
	s, err := Quote(terms)
	if err != nil {
		t.Fatalf("Quote: %v", err)
	}
	return s
}

// checkTotals checks the Schedule's own sums: Total = Σ Amount =
// Balance + Interest, Interest = Σ Interest, Σ Principal = Balance.
func checkTotals(t *testing.T, s Schedule) {
	t.Helper()
	var total, interest, principal int64
	for _, in := range s.Installments {
		total += in.Amount.Minor()
		interest += in.Interest.Minor()
		principal += in.Principal.Minor()
	}
	if total != s.Total.Minor() || interest != s.Interest.Minor() || principal != s.Balance.Minor() ||
		total != s.Balance.Minor()+s.Interest.Minor() {
		t.Errorf("totals: Σamount %d (Total %s), Σinterest %d (Interest %s), Σprincipal %d (Balance %s)",
			total, s.Total, interest, s.Interest, principal, s.Balance)
	}
}

func TestQuote_NoInterest(t *testing.T) {
	tests := []struct {
		name  string
		terms Terms
		want  []row
	}{
		{
			// 100000 / 3 = 33333 rem 1: 333.33, 333.33, 333.34 (remainder last).
			// Jan 31 + 1 month clamps to Feb 28 (2026 is not a leap year);
			// + 2 months, from Jan 31 again, is Mar 31.
			name:  "usd_3_monthly_month_end",
			terms: Terms{Balance: amt(t, "1000.00", usd), Start: date(t, "2026-01-31"), Frequency: Monthly, Installments: 3},
			want:  []row{dr("2026-01-31", "333.33"), dr("2026-02-28", "333.33"), dr("2026-03-31", "333.34")},
		},
		{
			// 2028 is a leap year: Jan 31 → Feb 29 → Mar 31 → Apr 30.
			// 1000.00 / 4 = 250.00 exactly.
			name:  "leap_year",
			terms: Terms{Balance: amt(t, "1000.00", usd), Start: date(t, "2028-01-31"), Frequency: Monthly, Installments: 4},
			want: []row{dr("2028-01-31", "250.00"), dr("2028-02-29", "250.00"), dr("2028-03-31", "250.00"),
				dr("2028-04-30", "250.00")},
		},
		{
			// JPY has no minor unit: 100000 / 3 = 33333 rem 1.
			name:  "jpy_3_monthly",
			terms: Terms{Balance: amt(t, "100000", jpy), Start: date(t, "2026-03-15"), Frequency: Monthly, Installments: 3},
			want:  []row{dr("2026-03-15", "33333"), dr("2026-04-15", "33333"), dr("2026-05-15", "33334")},
		},
		{
			// BHD has 3 decimals: 10.000 = 10000 fils; 10000 / 3 = 3333 rem 1.
			name:  "bhd_3_monthly",
			terms: Terms{Balance: amt(t, "10.000", bhd), Start: date(t, "2026-03-15"), Frequency: Monthly, Installments: 3},
			want:  []row{dr("2026-03-15", "3.333"), dr("2026-04-15", "3.333"), dr("2026-05-15", "3.334")},
		},
		{
			// ⌈1000 / 300⌉ = 4: 300 × 3 = 900, the last is 1000 − 900 = 100.
			name: "installment_amount",
			terms: Terms{Balance: amt(t, "1000.00", usd), Start: date(t, "2026-03-15"), Frequency: Monthly,
				InstallmentAmount: amt(t, "300.00", usd)},
			want: []row{dr("2026-03-15", "300.00"), dr("2026-04-15", "300.00"), dr("2026-05-15", "300.00"),
				dr("2026-06-15", "100.00")},
		},
		{
			// ⌈900 / 300⌉ = 3 exactly: the last is a full 300.00, not 0.
			name: "installment_amount_divides",
			terms: Terms{Balance: amt(t, "900.00", usd), Start: date(t, "2026-03-15"), Frequency: Monthly,
				InstallmentAmount: amt(t, "300.00", usd)},
			want: []row{dr("2026-03-15", "300.00"), dr("2026-04-15", "300.00"), dr("2026-05-15", "300.00")},
		},
		{
			// Weekly: +7 days, from Monday 2026-03-02. 100.00 / 4 = 25.00.
			name:  "weekly",
			terms: Terms{Balance: amt(t, "100.00", usd), Start: date(t, "2026-03-02"), Frequency: Weekly, Installments: 4},
			want: []row{dr("2026-03-02", "25.00"), dr("2026-03-09", "25.00"), dr("2026-03-16", "25.00"),
				dr("2026-03-23", "25.00")},
		},
		{
			// Biweekly: +14 days across a year end: Dec 21 + 14 = Jan 4,
			// + 28 = Jan 18. 10000 / 3 = 3333 rem 1.
			name:  "biweekly",
			terms: Terms{Balance: amt(t, "100.00", usd), Start: date(t, "2026-12-21"), Frequency: Biweekly, Installments: 3},
			want:  []row{dr("2026-12-21", "33.33"), dr("2027-01-04", "33.33"), dr("2027-01-18", "33.34")},
		},
		{
			// 0.03 in 3: the smallest balance a count of 3 allows.
			name:  "one_minor_unit_each",
			terms: Terms{Balance: amt(t, "0.03", usd), Start: date(t, "2026-03-15"), Frequency: Monthly, Installments: 3},
			want:  []row{dr("2026-03-15", "0.01"), dr("2026-04-15", "0.01"), dr("2026-05-15", "0.01")},
		},
		{
			// Explicit dates: their count is the count; Start is not needed.
			name: "explicit_dates",
			terms: Terms{Balance: amt(t, "100.00", usd),
				Dates: []civil.Date{date(t, "2026-03-03"), date(t, "2026-03-20"), date(t, "2026-05-01")}},
			want: []row{dr("2026-03-03", "33.33"), dr("2026-03-20", "33.33"), dr("2026-05-01", "33.34")},
		},
		{
			// A zero AnnualRate is no interest.
			name: "zero_rate",
			terms: Terms{Balance: amt(t, "100.00", usd), Start: date(t, "2026-03-15"), Frequency: Monthly, Installments: 2,
				AnnualRate: new(big.Rat)},
			want: []row{dr("2026-03-15", "50.00"), dr("2026-04-15", "50.00")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustQuote(t, tt.terms)
			if diff := cmp.Diff(tt.want, rowsOf(t, s)); diff != "" {
				t.Errorf("schedule (-want +got):\n%s", diff)
			}
			checkTotals(t, s)
			if s.Currency != tt.terms.Balance.Currency() || !s.Interest.IsZero() || s.Total != tt.terms.Balance {
				t.Errorf("currency %s, interest %s, total %s", s.Currency, s.Interest, s.Total)
			}
		})
	}
}

func TestQuote_DownPayment(t *testing.T) {
	down := func(due, amount string) row {
		r := dr(due, amount)
		r.Down = true
		return r
	}
	tests := []struct {
		name  string
		terms Terms
		want  []row
	}{
		{
			// 100.00 down on Start; 900.00 / 3 = 300.00 from one month
			// later. Dates come from Start (Jan 31): Feb 28, Mar 31, Apr 30.
			name: "monthly_month_end",
			terms: Terms{Balance: amt(t, "1000.00", usd), Start: date(t, "2026-01-31"), Frequency: Monthly, Installments: 3,
				DownPayment: amt(t, "100.00", usd)},
			want: []row{down("2026-01-31", "100.00"), dr("2026-02-28", "300.00"), dr("2026-03-31", "300.00"),
				dr("2026-04-30", "300.00")},
		},
		{
			// 1000.00 − 100.01 = 899.99; 89999 / 3 = 29999 rem 2: 299.99,
			// 299.99, 300.01.
			name: "remainder_last",
			terms: Terms{Balance: amt(t, "1000.00", usd), Start: date(t, "2026-03-15"), Frequency: Monthly, Installments: 3,
				DownPayment: amt(t, "100.01", usd)},
			want: []row{down("2026-03-15", "100.01"), dr("2026-04-15", "299.99"), dr("2026-05-15", "299.99"),
				dr("2026-06-15", "300.01")},
		},
		{
			// Weekly: the first regular installment is 7 days after Start.
			name: "weekly",
			terms: Terms{Balance: amt(t, "300.00", usd), Start: date(t, "2026-03-02"), Frequency: Weekly, Installments: 2,
				DownPayment: amt(t, "100.00", usd)},
			want: []row{down("2026-03-02", "100.00"), dr("2026-03-09", "100.00"), dr("2026-03-16", "100.00")},
		},
		{
			// Biweekly with an installment amount: 900 at 400 → 400, 400, 100.
			name: "biweekly_installment_amount",
			terms: Terms{Balance: amt(t, "1000.00", usd), Start: date(t, "2026-03-02"), Frequency: Biweekly,
				InstallmentAmount: amt(t, "400.00", usd), DownPayment: amt(t, "100.00", usd)},
			want: []row{down("2026-03-02", "100.00"), dr("2026-03-16", "400.00"), dr("2026-03-30", "400.00"),
				dr("2026-04-13", "100.00")},
		},
		{
			// Explicit dates: the down payment on Start, then the dates.
			name: "explicit_dates",
			terms: Terms{Balance: amt(t, "300.00", usd), Start: date(t, "2026-03-02"), DownPayment: amt(t, "100.00", usd),
				Dates: []civil.Date{date(t, "2026-03-05"), date(t, "2026-04-01")}},
			want: []row{down("2026-03-02", "100.00"), dr("2026-03-05", "100.00"), dr("2026-04-01", "100.00")},
		},
		{
			// A zero down payment in the balance's currency is no down payment.
			name: "zero_down",
			terms: Terms{Balance: amt(t, "200.00", usd), Start: date(t, "2026-03-02"), Frequency: Monthly, Installments: 2,
				DownPayment: money.Zero(usd)},
			want: []row{dr("2026-03-02", "100.00"), dr("2026-04-02", "100.00")},
		},
		{
			// With interest: the down payment bears none. 10,100.00 − 100.00
			// leaves the 10,000.00 of the golden table, from Feb 15.
			name: "interest",
			terms: Terms{Balance: amt(t, "10100.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly, Installments: 2,
				DownPayment: amt(t, "100.00", usd), AnnualRate: rat(t, "0.12")},
			// PMT(1%, 2, 10000) = 10000 × 0.01 / (1 − 1.01^−2)
			//   = 100 / (1 − 1/1.0201) = 100 × 1.0201 / 0.0201 = 5075.124378… → 5075.12
			// 1: interest 100.00, principal 4975.12, remaining 5024.88
			// 2: interest 50.2488 → 50.25; principal 5024.88; amount 5075.13
			want: []row{down("2027-01-15", "100.00"),
				{Due: "2027-02-15", Amount: "5075.12", Principal: "4975.12", Interest: "100.00"},
				{Due: "2027-03-15", Amount: "5075.13", Principal: "5024.88", Interest: "50.25"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustQuote(t, tt.terms)
			if diff := cmp.Diff(tt.want, rowsOf(t, s)); diff != "" {
				t.Errorf("schedule (-want +got):\n%s", diff)
			}
			checkTotals(t, s)
		})
	}
}

// Published amortization figures, reproduced to the cent.
func TestQuote_InterestTextbook(t *testing.T) {
	tests := []struct {
		name      string
		balance   string
		rate      string
		n         int
		payment   string // the regular installment (rounded PMT)
		interest1 string // first period's interest
		principal string // first period's principal
		last      string // last installment (absorbs rounding)
		total     string // total interest
	}{
		{
			// LibreOffice =PMT(0.01;12;-10000) = 888.487886783417 → 888.49.
			// Month 1: 10000 × 1% = 100.00; principal 888.49 − 100.00 = 788.49.
			// Rows, last and total in testdata/amortization_10000_12pct_12.csv.
			name: "10000_12pct_12", balance: "10000.00", rate: "0.12", n: 12,
			payment: "888.49", interest1: "100.00", principal: "788.49", last: "888.47", total: "661.86",
		},
		{
			// The classic 30-year mortgage: 200,000 at 6%, i = 0.5%;
			// PMT = 200000 × 0.005 / (1 − 1.005^−360) = 1199.101050… → 1199.10.
			// Month 1: 200000 × 0.005 = 1000.00; principal 199.10.
			// Rounding PMT down by 0.10¢ a month leaves a slightly larger last.
			name: "200000_6pct_360", balance: "200000.00", rate: "0.06", n: 360,
			payment: "1199.10", interest1: "1000.00", principal: "199.10", last: "1200.14", total: "231677.04",
		},
		{
			// 5,000 at 9% over 3 years, i = 0.75%:
			// PMT = 5000 × 0.0075 / (1 − 1.0075^−36) = 158.998663… → 159.00.
			// Month 1: 5000 × 0.0075 = 37.50; principal 121.50.
			name: "5000_9pct_36", balance: "5000.00", rate: "0.09", n: 36,
			payment: "159.00", interest1: "37.50", principal: "121.50", last: "158.96", total: "723.96",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustQuote(t, Terms{Balance: amt(t, tt.balance, usd), Start: date(t, "2027-01-15"), Frequency: Monthly,
				Installments: tt.n, AnnualRate: rat(t, tt.rate)})
			if len(s.Installments) != tt.n {
				t.Fatalf("%d installments, want %d", len(s.Installments), tt.n)
			}
			first, last := s.Installments[0], s.Installments[tt.n-1]
			got := []string{first.Amount.String(), first.Interest.String(), first.Principal.String(), last.Amount.String(), s.Interest.String()}
			want := []string{tt.payment, tt.interest1, tt.principal, tt.last, tt.total}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("payment, interest 1, principal 1, last, total interest (-want +got):\n%s", diff)
			}
			for _, in := range s.Installments[:tt.n-1] {
				if in.Amount.String() != tt.payment {
					t.Errorf("installment %d is %s, want %s", in.Seq, in.Amount, tt.payment)
				}
			}
			checkTotals(t, s)
		})
	}
}

// The golden file was written by hand from the formula (its comments show
// the arithmetic); the code must reproduce every row.
func TestQuote_InterestGolden(t *testing.T) {
	f, err := os.Open("testdata/amortization_10000_12pct_12.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 13 {
		t.Fatalf("golden has %d records, want header + 12", len(records))
	}
	s := mustQuote(t, Terms{Balance: amt(t, "10000.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly,
		Installments: 12, AnnualRate: rat(t, "0.12")})
	remaining := s.Balance.Minor()
	var got [][]string
	for _, in := range s.Installments {
		remaining -= in.Principal.Minor()
		got = append(got, []string{strconv.Itoa(in.Seq), in.DueDate.String(), in.Amount.String(),
			in.Principal.String(), in.Interest.String(), money.New(remaining, usd).String()})
	}
	if diff := cmp.Diff(records[1:], got); diff != "" {
		t.Errorf("schedule vs golden (-want +got):\n%s", diff)
	}
	if s.Interest.String() != "661.86" || s.Total.String() != "10661.86" {
		t.Errorf("interest %s, total %s; want 661.86, 10661.86", s.Interest, s.Total)
	}
}

// floatPMT is the closed-form annuity in float64: an independent check of
// the exact big.Rat computation, used only to compare in tests.
func floatPMT(p float64, i float64, n int) float64 {
	return p * i / (1 - math.Pow(1+i, -float64(n)))
}

// The rounded payment must equal the float64 closed form rounded to the
// minor unit, except when the float lands within rounding noise of a half.
func TestQuote_InterestFloatCrossCheck(t *testing.T) {
	tests := []struct {
		name      string
		balance   string
		cur       money.Currency
		rate      string
		freq      string
		perYear   float64
		n         int
		minorUnit float64
	}{
		{"usd_monthly_12pct_12", "10000.00", usd, "0.12", Monthly, 12, 12, 100},
		{"usd_monthly_7.5pct_60", "25000.00", usd, "0.075", Monthly, 12, 60, 100},
		{"usd_biweekly_10pct_26", "5000.00", usd, "0.10", Biweekly, 26, 26, 100},
		{"usd_weekly_20pct_52", "1234.56", usd, "0.20", Weekly, 52, 52, 100},
		{"jpy_monthly_15pct_24", "1000000", jpy, "0.15", Monthly, 12, 24, 1},
		{"bhd_monthly_5pct_48", "12345.678", bhd, "0.05", Monthly, 12, 48, 1000},
		{"usd_monthly_29.99pct_120", "999999.99", usd, "0.2999", Monthly, 12, 120, 100},
		{"usd_monthly_1pct_1", "100.00", usd, "0.01", Monthly, 12, 1, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := amt(t, tt.balance, tt.cur)
			s := mustQuote(t, Terms{Balance: b, Start: date(t, "2027-01-15"), Frequency: tt.freq, Installments: tt.n,
				AnnualRate: rat(t, tt.rate)})
			r, _ := rat(t, tt.rate).Float64()
			f := floatPMT(float64(b.Minor())/tt.minorUnit, r/tt.perYear, tt.n) * tt.minorUnit
			want := int64(math.Floor(f + 0.5))
			if got := s.Installments[0].Amount.Minor(); got != want {
				t.Errorf("payment %d minor, float64 closed form %.6f → %d", got, f, want)
			}
			checkTotals(t, s)
		})
	}
}

func TestQuote_InterestInstallmentAmount(t *testing.T) {
	tests := []struct {
		name     string
		amount   string
		n        int
		last     row
		interest string
	}{
		{
			// 10,000.00 at 1% a month, 1,000.00 a time (interest, principal → remaining):
			//  1: 10000.00 × 0.01 = 100.00,  900.00 → 9100.00
			//  2:  9100.00 × 0.01 =  91.00,  909.00 → 8191.00
			//  3:  81.9100 →  81.91, 918.09 → 7272.91
			//  4:  72.7291 →  72.73, 927.27 → 6345.64
			//  5:  63.4564 →  63.46, 936.54 → 5409.10
			//  6:  54.0910 →  54.09, 945.91 → 4463.19
			//  7:  44.6319 →  44.63, 955.37 → 3507.82
			//  8:  35.0782 →  35.08, 964.92 → 2542.90
			//  9:  25.4290 →  25.43, 974.57 → 1568.33
			// 10:  15.6833 →  15.68, 984.32 →  584.01
			// 11:   5.8401 →   5.84; 584.01 + 5.84 = 589.85 ≤ 1000.00: the last.
			// Interest = 10 × 1000.00 + 589.85 − 10000.00 = 589.85.
			name: "1000_a_month", amount: "1000.00", n: 11,
			last:     row{Due: "2027-11-15", Amount: "589.85", Principal: "584.01", Interest: "5.84"},
			interest: "589.85",
		},
		{
			// 888.49 is the 12-month PMT: the same schedule as the golden
			// table, whose last is 888.47.
			name: "pmt", amount: "888.49", n: 12,
			last:     row{Due: "2027-12-15", Amount: "888.47", Principal: "879.67", Interest: "8.80"},
			interest: "661.86",
		},
		{
			// Amount ≥ balance + first interest: one installment of
			// 10000.00 + 100.00.
			name: "all_at_once", amount: "20000.00", n: 1,
			last:     row{Due: "2027-01-15", Amount: "10100.00", Principal: "10000.00", Interest: "100.00"},
			interest: "100.00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustQuote(t, Terms{Balance: amt(t, "10000.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly,
				InstallmentAmount: amt(t, tt.amount, usd), AnnualRate: rat(t, "0.12")})
			rows := rowsOf(t, s)
			if len(rows) != tt.n {
				t.Fatalf("%d installments, want %d", len(rows), tt.n)
			}
			if diff := cmp.Diff(tt.last, rows[tt.n-1]); diff != "" {
				t.Errorf("last installment (-want +got):\n%s", diff)
			}
			if s.Interest.String() != tt.interest {
				t.Errorf("interest %s, want %s", s.Interest, tt.interest)
			}
			for _, r := range rows[:tt.n-1] {
				if r.Amount != tt.amount {
					t.Errorf("installment %s is %s, want %s", r.Due, r.Amount, tt.amount)
				}
			}
			checkTotals(t, s)
		})
	}
}

// With explicit dates the rate comes from Frequency, monthly if empty:
// the golden 10,000/12%/12 schedule on irregular dates.
func TestQuote_InterestExplicitDates(t *testing.T) {
	var dates []civil.Date
	for k := range 12 {
		dates = append(dates, date(t, "2027-01-03").AddDays(20*k))
	}
	s := mustQuote(t, Terms{Balance: amt(t, "10000.00", usd), Dates: dates, AnnualRate: rat(t, "0.12")})
	if got := s.Installments[0]; got.Amount.String() != "888.49" || got.Interest.String() != "100.00" {
		t.Errorf("first %s (interest %s), want 888.49 (100.00) at the monthly rate", got.Amount, got.Interest)
	}
	if s.Interest.String() != "661.86" {
		t.Errorf("interest %s, want 661.86", s.Interest)
	}
	// Weekly: i = 0.12 / 52; the first interest is 10000 × 0.12 / 52 = 23.0769… → 23.08.
	s = mustQuote(t, Terms{Balance: amt(t, "10000.00", usd), Dates: dates, Frequency: Weekly, AnnualRate: rat(t, "0.12")})
	if got := s.Installments[0].Interest.String(); got != "23.08" {
		t.Errorf("weekly first interest %s, want 23.08", got)
	}
	for k, in := range s.Installments {
		if in.DueDate != dates[k] {
			t.Errorf("installment %d due %s, want %s", k+1, in.DueDate, dates[k])
		}
	}
}

// Interest halves round away from zero: 0.5 of a minor unit goes up.
func TestQuote_InterestHalfRoundsUp(t *testing.T) {
	// 100.50 at 12% a year monthly: 10050 × 0.01 = 100.5 minor → 101 (1.01).
	s := mustQuote(t, Terms{Balance: amt(t, "100.50", usd), Start: date(t, "2027-01-15"), Frequency: Monthly,
		Installments: 2, AnnualRate: rat(t, "0.12")})
	if got := s.Installments[0].Interest.String(); got != "1.01" {
		t.Errorf("first interest %s, want 1.01", got)
	}
	// PMT = 10050 × 0.01 × 1.0201 / 0.0201 = 100.5 × 10201 / 201
	//     = 1025200.5 / 201 = 5100.5 minor exactly → 5101 (51.01).
	// 1: interest 1.01, principal 51.01 − 1.01 = 50.00, remaining 50.50;
	// 2: 50.50 × 0.01 = 0.505 → 0.51 (a half again); amount 50.50 + 0.51 = 51.01.
	want := []row{{Due: "2027-01-15", Amount: "51.01", Principal: "50.00", Interest: "1.01"},
		{Due: "2027-02-15", Amount: "51.01", Principal: "50.50", Interest: "0.51"}}
	if diff := cmp.Diff(want, rowsOf(t, s)); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
}

// fieldsOf returns the fields an *apperr.Error names, failing if err is
// not an Invalid *apperr.Error.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("error %v (%T) is not an Invalid *apperr.Error", err, err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return fields
}

func TestQuote_ComputeErrors(t *testing.T) {
	start := date(t, "2027-01-15")
	tests := []struct {
		name    string
		terms   Terms
		field   string
		message string // a part of the message
	}{
		{
			// 10,000.00 at 1% a month: the first interest is 100.00, so
			// 50.00 (or 100.00) never pays off; the least is 100.01.
			name: "never_pays_off",
			terms: Terms{Balance: amt(t, "10000.00", usd), Start: start, Frequency: Monthly,
				InstallmentAmount: amt(t, "50.00", usd), AnnualRate: rat(t, "0.12")},
			field: "installment_amount", message: "never pays off 10000.00 USD: the first period's interest alone is 100.00 USD; the least amount is 100.01 USD",
		},
		{
			name: "never_pays_off_equal",
			terms: Terms{Balance: amt(t, "10000.00", usd), Start: start, Frequency: Monthly,
				InstallmentAmount: amt(t, "100.00", usd), AnnualRate: rat(t, "0.12")},
			field: "installment_amount", message: "the least amount is 100.01 USD",
		},
		{
			// Weekly at 12%: i = 0.12/52; the first interest is 10000 ×
			// 0.12/52 = 23.0769… → 23.08, so 23.09 repays 0.01 at first and
			// needs about ln(1 + 2308)/ln(1 + 0.12/52) ≈ 3,350 weeks.
			name: "over_cap_interest",
			terms: Terms{Balance: amt(t, "10000.00", usd), Start: start, Frequency: Weekly,
				InstallmentAmount: amt(t, "23.09", usd), AnnualRate: rat(t, "0.12")},
			field: "installment_amount", message: "more than 1200 installments",
		},
		{
			// ⌈1200.00 / 0.99⌉ = 1213 > 1200; the least is ⌈120000/1200⌉ = 1.00.
			name: "over_cap_no_interest",
			terms: Terms{Balance: amt(t, "1200.00", usd), Start: start, Frequency: Monthly,
				InstallmentAmount: amt(t, "0.99", usd)},
			field: "installment_amount", message: "takes 1213 installments, more than 1200; the least amount is 1.00 USD",
		},
		{
			// 0.05 in 10 would make installments of 0.00.
			name:  "too_many_no_interest",
			terms: Terms{Balance: amt(t, "0.05", usd), Start: start, Frequency: Monthly, Installments: 10},
			field: "installments", message: "at most 5",
		},
		{
			// 0.10 in 120 at 1% a month: PMT = 10 × 0.01 / (1 − 1.01^−120)
			// = 0.1435 minor → 0, not even the interest of 0.1 → 0 minor.
			name: "payment_rounds_to_zero",
			terms: Terms{Balance: amt(t, "0.10", usd), Start: start, Frequency: Monthly, Installments: 120,
				AnnualRate: rat(t, "0.12")},
			field: "installments", message: "the payment rounds to 0.00 USD",
		},
		{
			// 0.06 in 12 at 1% a month: PMT = 6 × 0.01 / (1 − 1.01^−12) =
			// 0.533 minor → 1; the interest rounds to 0 every month, so
			// 6 × 0.01 pays it all off by the 6th of 12.
			name: "pays_off_early",
			terms: Terms{Balance: amt(t, "0.06", usd), Start: start, Frequency: Monthly, Installments: 12,
				AnnualRate: rat(t, "0.12")},
			field: "installments", message: "pays it off by installment 6",
		},
		{
			// 12 dates, but 1000.00 at 50.00 takes 20.
			name: "not_enough_dates",
			terms: Terms{Balance: amt(t, "1000.00", usd), InstallmentAmount: amt(t, "50.00", usd),
				Dates: []civil.Date{date(t, "2027-01-15"), date(t, "2027-02-15")}},
			field: "installment_amount", message: "takes 20 installments, but only 2 dates are given",
		},
		{
			// 24 months from 2198-06-01 runs past 2199-12-31, the
			// last supported date.
			name:  "past_max_date",
			terms: Terms{Balance: amt(t, "1200.00", usd), Start: date(t, "2198-06-01"), Frequency: Monthly, Installments: 24},
			field: "start_date", message: "installment 20 would be due after 2199-12-31",
		},
		{
			// The total of 2 × (max/2 + interest) overflows int64.
			name: "total_overflows",
			terms: Terms{Balance: money.New(math.MaxInt64-1, usd), Start: start, Frequency: Monthly, Installments: 2,
				AnnualRate: rat(t, "0.12")},
			field: "balance", message: "too large",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Quote(tt.terms)
			if diff := cmp.Diff([]string{tt.field}, fieldsOf(t, err)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not contain %q", err, tt.message)
			}
		})
	}
}

func TestQuote_Validation(t *testing.T) {
	valid := func() Terms {
		return Terms{Balance: amt(t, "1000.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly, Installments: 3}
	}
	tests := []struct {
		name   string
		modify func(*Terms)
		fields []string
	}{
		{"valid", func(*Terms) {}, nil},
		{"no_currency", func(x *Terms) { x.Balance = money.Amount{} }, []string{"currency", "balance"}},
		{"bad_currency", func(x *Terms) { x.Balance = money.New(100, "XYZ") }, []string{"currency"}},
		{"zero_balance", func(x *Terms) { x.Balance = money.Zero(usd) }, []string{"balance"}},
		{"negative_balance", func(x *Terms) { x.Balance = money.New(-100, usd) }, []string{"balance"}},
		{"no_start", func(x *Terms) { x.Start = civil.Date{} }, []string{"start_date"}},
		{"invalid_start", func(x *Terms) { x.Start = civil.Date{Year: 2027, Month: 2, Day: 30} }, []string{"start_date"}},
		{"start_before_as_of", func(x *Terms) { x.AsOf = date(t, "2027-01-16") }, []string{"start_date"}},
		{"start_on_as_of", func(x *Terms) { x.AsOf = date(t, "2027-01-15") }, nil},
		{"no_frequency", func(x *Terms) { x.Frequency = "" }, []string{"frequency"}},
		{"bad_frequency", func(x *Terms) { x.Frequency = "daily" }, []string{"frequency"}},
		{"neither_count_nor_amount", func(x *Terms) { x.Installments = 0 }, []string{"installments"}},
		{"both_count_and_amount", func(x *Terms) { x.InstallmentAmount = amt(t, "100.00", usd) }, []string{"installment_amount"}},
		{"negative_count", func(x *Terms) { x.Installments = -1 }, []string{"installments"}},
		{"count_over_cap", func(x *Terms) { x.Installments = 1201 }, []string{"installments"}},
		{"count_at_cap", func(x *Terms) { x.Installments = 1200 }, nil},
		{"amount_zero", func(x *Terms) { x.Installments = 0; x.InstallmentAmount = money.Zero(usd) }, []string{"installment_amount"}},
		{"amount_negative", func(x *Terms) { x.Installments = 0; x.InstallmentAmount = money.New(-1, usd) }, []string{"installment_amount"}},
		{"amount_other_currency", func(x *Terms) { x.Installments = 0; x.InstallmentAmount = amt(t, "100", jpy) }, []string{"installment_amount"}},
		{"down_negative", func(x *Terms) { x.DownPayment = money.New(-1, usd) }, []string{"down_payment"}},
		{"down_equals_balance", func(x *Terms) { x.DownPayment = amt(t, "1000.00", usd) }, []string{"down_payment"}},
		{"down_other_currency", func(x *Terms) { x.DownPayment = amt(t, "100", jpy) }, []string{"down_payment"}},
		{"rate_negative", func(x *Terms) { x.AnnualRate = big.NewRat(-1, 100) }, []string{"annual_rate"}},
		{"rate_100pct", func(x *Terms) { x.AnnualRate = big.NewRat(1, 1) }, []string{"annual_rate"}},
		{"rate_too_precise", func(x *Terms) { x.AnnualRate = rat(t, "0.1234567890123456789012345") }, []string{"annual_rate"}},
		{"rate_just_below_1", func(x *Terms) { x.AnnualRate = rat(t, "0.9999") }, nil},
		{"bad_roll", func(x *Terms) { x.Roll = "modified" }, []string{"roll"}},
		{"unknown_country", func(x *Terms) { x.Roll = RollFollowing; x.Country = "XX" }, []string{"country"}},
		{"lower_case_country", func(x *Terms) { x.Roll = RollFollowing; x.Country = "us" }, []string{"country"}},
		{"country_without_roll", func(x *Terms) { x.Country = "XX" }, nil},
		{"roll_weekends_only", func(x *Terms) { x.Roll = RollPreceding }, nil},
		{"dates_without_start", func(x *Terms) {
			x.Start = civil.Date{}
			x.Frequency = ""
			x.Dates = []civil.Date{date(t, "2027-01-15"), date(t, "2027-02-01"), date(t, "2027-03-01")}
		}, nil},
		{"dates_count_mismatch", func(x *Terms) {
			x.Dates = []civil.Date{date(t, "2027-01-15"), date(t, "2027-02-01")}
		}, []string{"installments"}},
		{"dates_not_increasing", func(x *Terms) {
			x.Installments = 0
			x.Dates = []civil.Date{date(t, "2027-01-15"), date(t, "2027-01-15")}
		}, []string{"dates"}},
		{"dates_decreasing", func(x *Terms) {
			x.Installments = 0
			x.Dates = []civil.Date{date(t, "2027-02-15"), date(t, "2027-01-15")}
		}, []string{"dates"}},
		{"dates_invalid", func(x *Terms) {
			x.Installments = 0
			x.Dates = []civil.Date{{Year: 2027, Month: 13, Day: 1}}
		}, []string{"dates"}},
		{"dates_before_as_of", func(x *Terms) {
			x.Installments = 0
			x.AsOf = date(t, "2027-01-10")
			x.Dates = []civil.Date{date(t, "2027-01-05"), date(t, "2027-02-05")}
		}, []string{"dates"}},
		{"dates_not_after_down_payment", func(x *Terms) {
			x.Installments = 0
			x.DownPayment = amt(t, "100.00", usd)
			x.Dates = []civil.Date{date(t, "2027-01-15"), date(t, "2027-02-15")}
		}, []string{"dates"}},
		{"dates_down_payment_needs_start", func(x *Terms) {
			x.Installments = 0
			x.Start = civil.Date{}
			x.DownPayment = amt(t, "100.00", usd)
			x.Dates = []civil.Date{date(t, "2027-01-15"), date(t, "2027-02-15")}
		}, []string{"start_date"}},
		{"dates_bad_frequency", func(x *Terms) {
			x.Installments = 0
			x.Frequency = "daily"
			x.Dates = []civil.Date{date(t, "2027-01-15")}
		}, []string{"frequency"}},
		{"dates_over_cap", func(x *Terms) {
			x.Installments = 0
			x.Dates = make([]civil.Date, 1201)
			for k := range x.Dates {
				x.Dates[k] = date(t, "2027-01-15").AddDays(k)
			}
		}, []string{"dates"}},
		{
			// Every problem at once, in one error.
			"all_at_once", func(x *Terms) {
				x.Balance = money.Zero(usd)
				x.Start = date(t, "2026-12-01")
				x.AsOf = date(t, "2027-01-01")
				x.Frequency = "daily"
				x.Installments = 2000
				x.DownPayment = money.New(-5, usd)
				x.AnnualRate = big.NewRat(3, 2)
				x.Roll = "sideways"
			},
			[]string{"balance", "frequency", "start_date", "installments", "down_payment", "annual_rate", "roll"},
		},
		{
			"all_at_once_2", func(x *Terms) {
				x.Start = civil.Date{}
				x.Installments = 3
				x.InstallmentAmount = amt(t, "10", jpy)
				x.Roll = RollFollowing
				x.Country = "ZZ"
			},
			// installment_amount twice: both given, and in the wrong currency.
			[]string{"start_date", "installment_amount", "installment_amount", "country"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms := valid()
			tt.modify(&terms)
			_, err := Quote(terms)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Quote: %v", err)
				}
				return
			}
			got := fieldsOf(t, err)
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			e, _ := apperr.As(err)
			for _, f := range e.Fields {
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Field)
				}
			}
		})
	}
}

// Error messages say what is wrong in words a user can act on.
func TestQuote_ValidationMessages(t *testing.T) {
	_, err := Quote(Terms{Balance: amt(t, "100.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly, Installments: 2,
		Roll: RollFollowing, Country: "XX"})
	if err == nil || !strings.Contains(err.Error(), `"XX"`) || !strings.Contains(err.Error(), "US") {
		t.Errorf("unknown country error %v: want it to name XX and list the known ones", err)
	}
	_, err = Quote(Terms{Balance: amt(t, "100.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly, Installments: 2,
		AsOf: date(t, "2027-02-01")})
	if err == nil || !strings.Contains(err.Error(), "2027-01-15 is before 2027-02-01") {
		t.Errorf("start before as_of error %v", err)
	}
}

func TestFaster_Examples(t *testing.T) {
	base := Terms{Balance: amt(t, "1200.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly, Installments: 12}
	type alt struct {
		Extra, First, Last string
		N, Fewer, Days     int
		Saved              string
	}
	tests := []struct {
		name   string
		terms  Terms
		extras []int64
		want   []alt
	}{
		{
			// Base: 12 × 100.00, the last due 2027-12-15.
			// +10 → 110.00: ⌈1200/110⌉ = 11; last = 1200 − 10×110 = 100.00,
			//   due 2027-11-15: 30 days sooner (November has 30 days).
			// +15 → 115.00: ⌈1200/115⌉ = 11; last = 1200 − 1150 = 50.00; 30 days.
			// +25 → 125.00: ⌈1200/125⌉ = 10; last = 1200 − 1125 = 75.00,
			//   due 2027-10-15: 17 + 30 + 14 = 61 days sooner.
			name: "default_extras", terms: base, extras: DefaultExtras(usd),
			want: []alt{
				{"10.00", "110.00", "100.00", 11, 1, 30, "0.00"},
				{"15.00", "115.00", "50.00", 11, 1, 30, "0.00"},
				{"25.00", "125.00", "75.00", 10, 2, 61, "0.00"},
			},
		},
		{
			// +0.01 → 100.01: ⌈1200/100.01⌉ = 12, not fewer: left out. So
			// are extras ≤ 0. +1.00 → 101.00: 12 (11 × 101 = 1111) too.
			name: "not_shorter_left_out", terms: base, extras: []int64{1, 0, -500, 100},
			want: nil,
		},
		{
			// 1,300.00 with 100.00 down: 12 regular × 100.00 from Feb 15
			// (last 2028-01-15). +25 → 10 regular, last 2027-11-15:
			// 31 + 30 = 61 days sooner. Fewer counts regular installments.
			name: "down_payment",
			terms: Terms{Balance: amt(t, "1300.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly, Installments: 12,
				DownPayment: amt(t, "100.00", usd)},
			extras: []int64{2500},
			want:   []alt{{"25.00", "125.00", "75.00", 10, 2, 61, "0.00"}},
		},
		{
			// Base: the golden 10,000/12%/12 (interest 661.86, 888.49 a
			// month, last 2027-12-15). +100.00 → 988.49 a month: 11
			// installments, total interest 596.37 (an independent exact
			// computation), saving 661.86 − 596.37 = 65.49; the last is
			// 711.47 on 2027-11-15, 30 days sooner.
			name: "interest",
			terms: Terms{Balance: amt(t, "10000.00", usd), Start: date(t, "2027-01-15"), Frequency: Monthly, Installments: 12,
				AnnualRate: rat(t, "0.12")},
			extras: []int64{10000},
			want:   []alt{{"100.00", "988.49", "711.47", 11, 1, 30, "65.49"}},
		},
		{
			// Explicit weekly-ish dates: the alternative uses the first of them.
			// 400.00 on 4 dates = 100.00 each; +50.00 → 150.00: ⌈400/150⌉ = 3,
			// last 100.00 on the 3rd date: 2027-01-29 − 2027-01-22 = 7 days sooner.
			name: "explicit_dates",
			terms: Terms{Balance: amt(t, "400.00", usd), Dates: []civil.Date{date(t, "2027-01-08"), date(t, "2027-01-15"),
				date(t, "2027-01-22"), date(t, "2027-01-29")}},
			extras: []int64{5000},
			want:   []alt{{"50.00", "150.00", "100.00", 3, 1, 7, "0.00"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustQuote(t, tt.terms)
			alts, err := Faster(tt.terms, s, tt.extras)
			if err != nil {
				t.Fatalf("Faster: %v", err)
			}
			var got []alt
			for _, a := range alts {
				regular := a.Schedule.Installments
				if regular[0].Down {
					regular = regular[1:]
				}
				got = append(got, alt{a.Extra.String(), regular[0].Amount.String(), regular[len(regular)-1].Amount.String(),
					a.Installments, a.Fewer, a.DaysSooner, a.InterestSaved.String()})
				if len(regular) != a.Installments {
					t.Errorf("Installments %d but %d regular installments", a.Installments, len(regular))
				}
				checkTotals(t, a.Schedule)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("alternatives (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultExtras_Currencies(t *testing.T) {
	tests := []struct {
		cur  money.Currency
		want []int64
	}{
		{usd, []int64{1000, 1500, 2500}},
		{jpy, []int64{10, 15, 25}},
		{bhd, []int64{10000, 15000, 25000}},
	}
	for _, tt := range tests {
		t.Run(string(tt.cur), func(t *testing.T) {
			if got := DefaultExtras(tt.cur); !slices.Equal(got, tt.want) {
				t.Errorf("DefaultExtras(%s) = %v, want %v", tt.cur, got, tt.want)
			}
		})
	}
}

func BenchmarkQuote_60Monthly(b *testing.B) {
	terms := Terms{Balance: amt(b, "12345.67", usd), Start: date(b, "2027-01-31"), Frequency: Monthly, Installments: 60}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Quote(terms); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuote_60MonthlyInterest(b *testing.B) {
	terms := Terms{Balance: amt(b, "12345.67", usd), Start: date(b, "2027-01-31"), Frequency: Monthly, Installments: 60,
		AnnualRate: big.NewRat(12, 100)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Quote(terms); err != nil {
			b.Fatal(err)
		}
	}
}
