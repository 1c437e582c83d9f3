package web

import (
	"testing"

	"settle/internal/money"
)

// TestLocalAmount: a hand-written table per language of what a customer
// may type and the plain decimal it means ("" = refused).
func TestLocalAmount(t *testing.T) {
	for lang, cases := range map[string]map[string]string{
		"en": {
			"150": "150", "150.00": "150.00", "1,234.50": "1234.50", "1,234": "1234", "12.5": "12.5",
			"1,234,567.89": "1234567.89", " 99.90 ": "99.90", "0.05": "0.05", "1.234": "1.234", // too precise for EUR: money.Parse says so
			"12,34": "", "1,2345": "", "1234,567": "", ",123": "", "1,": "", "1.": "", ".5": "", "1.2.3": "", "1e3": "",
			"0x10": "", "5 hundred 0": "", "1 234.50": "", "1,234,56": "", "150,00": "", "-5": "", "+5": "", "€5": "", "5 EUR": "",
			"": "", "1,,234": "", "1,234.5,6": "", "١٢": "",
		},
		"de": {
			"150": "150", "150,00": "150.00", "1.234,50": "1234.50", "1.234": "1234", "12,5": "12.5", "1.234.567,89": "1234567.89",
			"1,234":  "1.234", // too precise for EUR: money.Parse says so
			"150.00": "", "1.5": "", "1,234.50": "", "1e3": "", "1 234,50": "", "1.234,": "", "12.34,5": "", "1.2.3": "",
		},
		"fr": {
			"150": "150", "150,00": "150.00", "1 234,50": "1234.50", "1\u00a0234,50": "1234.50", "1\u202f234,50": "1234.50",
			"1 234 567": "1234567", "12,5": "12.5",
			"1.234,50": "", "150.00": "", "1 23,50": "", "1 234\u00a0567": "", "1  234": "", "1e3": "", "1,2,3": "",
		},
	} {
		for in, want := range cases {
			got, ok := localAmount(in, lang)
			if (want == "") == ok || got != want {
				t.Errorf("%s: localAmount(%q) = %q, %v; want %q", lang, in, got, ok, want)
			}
		}
	}
}

func TestRedactToken(t *testing.T) {
	for in, want := range map[string]string{
		"/portal/abc.def":            "/portal/…",
		"/portal/abc.def/plan/neg_1": "/portal/…/plan/neg_1",
		"/worklist":                  "/worklist",
	} {
		if got := redactToken(in); got != want {
			t.Errorf("redactToken(%q) = %q, want %q", in, got, want)
		}
	}
}

// Our own figures read back for display are not held to the input limit
// (docs/ledger.md, "Limits"): an offer total one minor unit above it shows
// as itself, not as 0 (money.Parse refuses it).
func TestOwnAmount(t *testing.T) {
	for _, tc := range []struct {
		s     string
		cur   money.Currency
		minor int64
	}{
		{"10000000000000.00", "USD", 1_000_000_000_000_000},
		{"9999999999999.99", "USD", 999_999_999_999_999},
		{"1200", "JPY", 1200},
		{"12.345", "BHD", 12345},
		{"not an amount", "USD", 0},
	} {
		if got := ownAmount(tc.s, tc.cur); got.Minor() != tc.minor || got.Currency() != tc.cur {
			t.Errorf("ownAmount(%q, %s) = %d %s, want %d", tc.s, tc.cur, got.Minor(), got.Currency(), tc.minor)
		}
	}
}
