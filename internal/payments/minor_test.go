package payments

import (
	"strings"
	"testing"

	"settle/internal/money"
)

func TestMinorUnits(t *testing.T) {
	tests := []struct {
		amount, cur string
		want        int64
		code        string
		err         string // part of the error, "" for none
	}{
		{"12.34", "USD", 1234, "usd", ""},   // two decimals both sides
		{"1200", "JPY", 1200, "jpy", ""},    // zero-decimal: whole yen
		{"1.230", "BHD", 1230, "bhd", ""},   // three decimals, last digit 0
		{"1.234", "BHD", 0, "", "steps of"}, // Stripe needs the last digit 0
		{"0.010", "KWD", 10, "kwd", ""},     // the smallest KWD Stripe takes
		{"15.00", "MGA", 15, "mga", ""},     // ISO 2 digits, Stripe whole ariary
		{"15.50", "MGA", 0, "", "whole units"},
		{"500", "ISK", 0, "", "special case"},
		{"500", "UGX", 0, "", "special case"},
		{"1.000", "IQD", 0, "", "does not know"},
		{"0.00", "USD", 0, "", "greater than zero"},
		{"-1.00", "EUR", 0, "", "greater than zero"},
	}
	for _, tt := range tests {
		a, err := money.Parse(tt.amount, money.MustCurrency(tt.cur))
		if err != nil {
			t.Fatal(err)
		}
		got, code, err := MinorUnits(a)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("MinorUnits(%s %s) error %v, want one saying %q", tt.amount, tt.cur, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want || code != tt.code {
			t.Errorf("MinorUnits(%s %s) = %d %q %v, want %d %q", tt.amount, tt.cur, got, code, err, tt.want, tt.code)
			continue
		}
		// And back again.
		back, err := FromMinorUnits(got, code)
		if err != nil || back != a {
			t.Errorf("FromMinorUnits(%d, %s) = %v %v, want %v", got, code, back, err, a)
		}
	}
}

func TestFromMinorUnits_Refused(t *testing.T) {
	if _, err := FromMinorUnits(1234, "bhd"); err != nil {
		t.Errorf("1234 bhd: %v (1.234 BHD is a valid settle amount)", err)
	}
	if _, err := FromMinorUnits(1550, "mga"); err != nil {
		t.Errorf("1550 mga: %v", err)
	}
	if _, err := FromMinorUnits(100, "xyz"); err == nil {
		t.Error("an unknown currency was accepted")
	}
}
