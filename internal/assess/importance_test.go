package assess

import (
	"math"
	"slices"
	"testing"

	"settle/internal/ledger"
	"settle/internal/money"
)

func TestAssessImportance_Revenue12mAndTenure(t *testing.T) {
	// As of 2026-06-30 the 12 months are 2025-07-01 .. 2026-06-30.
	void := inv("v", "2026-01-10", "2026-02-09", "50000.00", EUR)
	void.VoidedOn = day("2026-02-01")
	invoices := []ledger.Invoice{
		inv("first", "2020-06-15", "2020-07-15", "10.00", EUR),
		inv("edge", "2025-06-30", "2025-07-30", "100000.00", EUR), // a year and a day ago: out
		inv("in1", "2025-07-01", "2025-07-31", "60000.00", EUR),
		inv("in2", "2026-06-30", "2026-07-30", "40000.00", EUR),
		void, // voided by asOf: out
		inv("later", "2026-07-01", "2026-07-31", "99999.00", EUR), // after asOf: out
		inv("usd", "2026-01-01", "2026-01-31", "1000.00", USD),
	}
	imp := AssessImportance(ledger.Customer{Segment: "standard"}, invoices, nil, nil, day("2026-06-30"))
	var rev []string
	for _, a := range imp.Revenue12m {
		rev = append(rev, a.String()+" "+string(a.Currency()))
	}
	if !slices.Equal(rev, []string{"100000.00 EUR", "1000.00 USD"}) {
		t.Errorf("revenue %v, want [100000.00 EUR 1000.00 USD]", rev)
	}
	// 2020-06-15 → 2026-06-15 is 6×365 + 1 (29 Feb 2024) = 2191 days, + 15.
	if imp.Since != day("2020-06-15") || imp.TenureDays != 2206 {
		t.Errorf("since %s tenure %d, want 2020-06-15, 2206", imp.Since, imp.TenureDays)
	}
	// EUR revenue reaches the 100,000 major threshold.
	if imp.Level != LevelMajor || imp.KeyAccount {
		t.Errorf("level %s key %v, want major", imp.Level, imp.KeyAccount)
	}
	for _, want := range []string{"invoiced 100000.00 EUR in the last 12 months", "customer for 6 years"} {
		if !slices.Contains(imp.Reasons, want) {
			t.Errorf("reasons %q lack %q", imp.Reasons, want)
		}
	}
}

func TestAssessImportance_Levels(t *testing.T) {
	asOf := day("2026-06-30")
	small := []ledger.Invoice{inv("a", "2026-01-01", "2026-01-31", "1000.00", EUR)}
	for _, tc := range []struct {
		name     string
		segment  string
		invoices []ledger.Invoice
		open     map[money.Currency]int64
		total    map[money.Currency]int64 // widened for the call
		level    string
		key      bool
		reason   string
		shares   []Share
	}{
		{"segment key_account, any case", "Key_Account", small, nil, nil, LevelKey, true, `segment "Key_Account" marks a key account`, nil},
		{"segment key", "key", small, nil, nil, LevelKey, true, `segment "key" marks a key account`, nil},
		// 12,000.00 of 100,000.00 = 12%.
		{"12% of receivables", "standard", small, map[money.Currency]int64{EUR: 1_200_000}, map[money.Currency]int64{EUR: 10_000_000},
			LevelKey, true, "12% of receivables in EUR (10% or more makes a key account)", []Share{{EUR, 0.12}}},
		{"exactly 10% is key", "standard", small, map[money.Currency]int64{EUR: 1_000}, map[money.Currency]int64{EUR: 10_000}, LevelKey, true, "", []Share{{EUR, 0.1}}},
		{"5% is major", "standard", small, map[money.Currency]int64{USD: 500}, map[money.Currency]int64{USD: 10_000}, LevelMajor, false, "5% of receivables in USD", []Share{{USD, 0.05}}},
		// 1,000.00 EUR revenue (under 5,000) and 0.1% of receivables.
		{"small account", "standard", small, map[money.Currency]int64{EUR: 10}, map[money.Currency]int64{EUR: 10_000}, LevelMinor, false,
			"small account: under 0.5% of receivables and little revenue in the last 12 months", []Share{{EUR, 0.001}}},
		{"revenue between the thresholds", "standard", []ledger.Invoice{inv("a", "2026-01-01", "2026-01-31", "5000.00", EUR)}, nil, nil, LevelStandard, false, "", nil},
		{"no revenue threshold for SEK", "standard", []ledger.Invoice{inv("a", "2026-01-01", "2026-01-31", "2000000.00", "SEK")}, nil, nil, LevelStandard, false,
			"invoiced 2000000.00 SEK in the last 12 months (no revenue threshold is set for SEK: judged by share only)", nil},
		{"no invoices at all", "", nil, nil, nil, LevelMinor, false, "no invoice yet", nil},
		{"no total for the currency: no share", "standard", small, map[money.Currency]int64{EUR: 500}, map[money.Currency]int64{}, LevelMinor, false, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imp := AssessImportance(ledger.Customer{Segment: tc.segment}, tc.invoices, widen(tc.open), widen(tc.total), asOf)
			if imp.Level != tc.level || imp.KeyAccount != tc.key || imp.Segment != tc.segment {
				t.Errorf("level %s key %v segment %q, want %s %v", imp.Level, imp.KeyAccount, imp.Segment, tc.level, tc.key)
			}
			if tc.reason != "" && !slices.Contains(imp.Reasons, tc.reason) {
				t.Errorf("reasons %q lack %q", imp.Reasons, tc.reason)
			}
			if len(imp.ShareOfReceivables) != len(tc.shares) {
				t.Fatalf("shares %v, want %v", imp.ShareOfReceivables, tc.shares)
			}
			for i, w := range tc.shares {
				if g := imp.ShareOfReceivables[i]; g.Currency != w.Currency || math.Abs(g.Share-w.Share) > 1e-12 {
					t.Errorf("shares %v, want %v", imp.ShareOfReceivables, tc.shares)
				}
			}
		})
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		s    float64
		want string
	}{{0.12, "12%"}, {0.125, "13%"}, {0.1, "10%"}, {0.004, "0.4%"}, {1, "100%"}} {
		if got := percent(tc.s); got != tc.want {
			t.Errorf("percent(%v) = %s, want %s", tc.s, got, tc.want)
		}
	}
}

func widen(m map[money.Currency]int64) map[money.Currency]money.Wide {
	if m == nil {
		return nil
	}
	out := map[money.Currency]money.Wide{}
	for c, v := range m {
		out[c] = money.WideOf(v)
	}
	return out
}
