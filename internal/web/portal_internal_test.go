package web

import "testing"

func TestNormalizeAmount(t *testing.T) {
	for in, want := range map[string]string{
		"150": "150", "150.00": "150.00", "150,00": "150.00", "1.234,50": "1234.50", "1,234.50": "1234.50",
		"1 234,50 €": "1234.50", "1\u00a0234,50": "1234.50", "1,234": "1234", "1.234": "1234", "12,5": "12.5", "EUR 99.9": "99.9",
	} {
		if got := normalizeAmount(in); got != want {
			t.Errorf("normalizeAmount(%q) = %q, want %q", in, got, want)
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
