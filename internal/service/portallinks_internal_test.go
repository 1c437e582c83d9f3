package service

import "testing"

func TestIsIBANAndBIC(t *testing.T) {
	for _, c := range []struct {
		s         string
		iban, bic bool
	}{
		{"GB33 BUKB 2020 1555 5555 55", true, false},
		{"DE89370400440532013000", true, false},
		{"000123456789", false, false},
		{"BUKBGB22", false, true},
		{"COBADEFFXXX", false, true},
		{"20-00-00", false, false},
		{"021000021", false, false},
	} {
		if isIBAN(c.s) != c.iban || isBIC(c.s) != c.bic {
			t.Errorf("%q: IBAN %v BIC %v, want %v %v", c.s, isIBAN(c.s), isBIC(c.s), c.iban, c.bic)
		}
	}
}
