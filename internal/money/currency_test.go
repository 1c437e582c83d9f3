package money

import (
	"strings"
	"testing"
)

func TestParseCurrency_Valid(t *testing.T) {
	tests := []struct {
		in     string
		digits int
	}{
		{"USD", 2},
		{"EUR", 2},
		{"GBP", 2},
		{"CHF", 2},
		{"JPY", 0},
		{"KRW", 0},
		{"BHD", 3},
		{"KWD", 3},
		{"JOD", 3},
		// Overridden: x/text (CLDR) says 0, ISO 4217 says otherwise.
		{"IDR", 2},
		{"IQD", 3},
		{"COP", 2},
		// Unknown to x/text, added by the override table.
		{"VES", 2},
		{"UYW", 4},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseCurrency(tt.in)
			if err != nil {
				t.Fatalf("ParseCurrency(%q): %v", tt.in, err)
			}
			if string(c) != tt.in {
				t.Errorf("ParseCurrency(%q) = %q", tt.in, c)
			}
			if got := c.Digits(); got != tt.digits {
				t.Errorf("%s.Digits() = %d, want %d", c, got, tt.digits)
			}
		})
	}
}

func TestParseCurrency_Invalid(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"usd", `currency "usd": must be an upper-case ISO 4217 code`},
		{"Usd", `currency "Usd": must be an upper-case ISO 4217 code`},
		{"", `currency "": must be an upper-case ISO 4217 code`},
		{"US", `currency "US": must be an upper-case ISO 4217 code`},
		{"USDX", `currency "USDX": must be an upper-case ISO 4217 code`},
		{"US1", `currency "US1": must be an upper-case ISO 4217 code`},
		{" USD", `currency " USD": must be an upper-case ISO 4217 code`},
		{"XYZ", `currency "XYZ": unknown ISO 4217 code`},
		{"AAA", `currency "AAA": unknown ISO 4217 code`},
		// Finding 8: pseudo-currencies and funds codes are not money.
		{"XAU", `currency "XAU": gold (a precious metal), not a currency invoices and payments can be in`},
		{"XXX", `currency "XXX": the code for no currency, not a currency invoices and payments can be in`},
		{"XTS", `currency "XTS": the code reserved for testing, not a currency invoices and payments can be in`},
		{"CLF", `currency "CLF": a funds code (Unidad de Fomento), not a currency invoices and payments can be in`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseCurrency(tt.in)
			if err == nil {
				t.Fatalf("ParseCurrency(%q): want error", tt.in)
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("ParseCurrency(%q) error = %q, want %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

// Finding 8: every pseudo-currency and funds code is refused, and the real
// currencies whose codes start with X are still accepted.
func TestParseCurrency_NotMoney(t *testing.T) {
	for _, code := range []string{"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XSU", "XUA",
		"XBA", "XBB", "XBC", "XBD", "BOV", "CLF", "COU", "MXV", "USN", "UYI", "CHE", "CHW"} {
		if c, err := ParseCurrency(code); err == nil {
			t.Errorf("ParseCurrency(%q) = %q, want an error", code, c)
		}
		if _, err := Parse("1", Currency(code)); err == nil {
			t.Errorf("Parse(\"1\", %q): want an error", code)
		}
	}
	for code, digits := range map[string]int{"XAF": 0, "XOF": 0, "XPF": 0, "XCD": 2, "XCG": 2, "UYW": 4} {
		c, err := ParseCurrency(code)
		if err != nil {
			t.Errorf("ParseCurrency(%q): %v", code, err)
		} else if c.Digits() != digits {
			t.Errorf("%s.Digits() = %d, want %d", code, c.Digits(), digits)
		}
	}
}

// Every code in the override table must be well-formed, or ParseCurrency
// could never return it.
func TestCurrency_OverrideTableShape(t *testing.T) {
	for c, d := range isoDigits {
		if !isCodeShape(string(c)) {
			t.Errorf("override %q is not three upper-case letters", c)
		}
		if d < 0 || d > maxDigits {
			t.Errorf("override %q has digits %d", c, d)
		}
	}
}

func TestCurrency_DigitsUnchecked(t *testing.T) {
	for _, c := range []Currency{"", "usd", "XYZ"} {
		if got := c.Digits(); got != 2 {
			t.Errorf("Currency(%q).Digits() = %d, want the default 2", c, got)
		}
	}
}

func TestMustCurrency_Panics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("MustCurrency(\"usd\") did not panic")
		}
		err, ok := r.(error)
		if !ok || !strings.Contains(err.Error(), "usd") {
			t.Errorf("panic value = %v, want an error naming the value", r)
		}
	}()
	MustCurrency("usd")
}

func BenchmarkCurrency_Digits(b *testing.B) {
	c := MustCurrency("USD")
	b.ReportAllocs()
	for b.Loop() {
		if c.Digits() != 2 {
			b.Fatal("wrong digits")
		}
	}
}

// Digits fills its cache lazily; run under -race to check concurrent first
// lookups.
func TestCurrency_DigitsConcurrent(t *testing.T) {
	codes := []Currency{"CHF", "KWD", "ISK", "OMR"}
	want := []int{2, 3, 0, 3}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i, c := range codes {
				if got := c.Digits(); got != want[i] {
					t.Errorf("%s.Digits() = %d, want %d", c, got, want[i])
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
