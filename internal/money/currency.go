package money

import (
	"fmt"
	"sync/atomic"

	"golang.org/x/text/currency"
)

// Currency is an upper-case ISO 4217 code that ParseCurrency has checked.
//
// The zero Currency and any value built by conversion instead of
// ParseCurrency are not checked; Parse rejects them, and Digits reports 2
// for them.
type Currency string

// ParseCurrency checks that s is exactly three upper-case ASCII letters and a
// code that ISO 4217 (as known to golang.org/x/text/currency, plus the
// overrides in isoDigits) defines as a currency: the codes in notMoney
// (no currency, testing, precious metals, bond-market units, special
// drawing rights and funds codes) are refused, because invoices and
// payments are never made out in them and x/text would give them two
// decimals that ISO 4217 does not.
//
// Lower case is rejected rather than folded: codes come from files and APIs
// that must already be canonical, and silently accepting "usd" would hide a
// broken producer.
func ParseCurrency(s string) (Currency, error) {
	c := Currency(s)
	if _, ok := lookupDigits(c); !ok {
		return "", currencyError(s)
	}
	return c, nil
}

// MustCurrency is ParseCurrency for tests and package-level constants only.
// It panics if s is not a valid code, so never call it with input from
// outside the program.
func MustCurrency(s string) Currency {
	c, err := ParseCurrency(s)
	if err != nil {
		panic(err)
	}
	return c
}

// Digits is the number of minor-unit digits of c per ISO 4217: USD 2,
// JPY 0, BHD 3. It reports 2 (x/text's default) for an unchecked Currency
// that ParseCurrency would reject.
func (c Currency) Digits() int {
	d, ok := lookupDigits(c)
	if !ok {
		return 2
	}
	return d
}

// Unit is how many minor units make one major unit of c: 10^Digits
// (USD 100, JPY 1, BHD 1000).
func (c Currency) Unit() int64 {
	u := int64(1)
	for range c.Digits() {
		u *= 10
	}
	return u
}

// currencyError explains why s is not a Currency. It is only called on the
// failure path, so it may allocate freely.
func currencyError(s string) error {
	if !isCodeShape(s) {
		return fmt.Errorf("currency %q: must be an upper-case ISO 4217 code", s)
	}
	if why, ok := notMoney[Currency(s)]; ok {
		return fmt.Errorf("currency %q: %s, not a currency invoices and payments can be in", s, why)
	}
	return fmt.Errorf("currency %q: unknown ISO 4217 code", s)
}

// notMoney are ISO 4217 codes that x/text knows but that are not money a
// customer owes or pays: the X codes other than the real currencies XAF,
// XCD, XCG, XOF and XPF, and the funds codes (ISO 4217 list one marks them
// as funds). Each maps to what it is, for the error message.
var notMoney = map[Currency]string{
	"XXX": "the code for no currency",
	"XTS": "the code reserved for testing",
	"XAU": "gold (a precious metal)",
	"XAG": "silver (a precious metal)",
	"XPT": "platinum (a precious metal)",
	"XPD": "palladium (a precious metal)",
	"XDR": "the IMF special drawing right (a unit of account)",
	"XSU": "the SUCRE (a unit of account)",
	"XUA": "the ADB unit of account",
	"XBA": "a bond-market unit",
	"XBB": "a bond-market unit",
	"XBC": "a bond-market unit",
	"XBD": "a bond-market unit",
	"XEU": "the European currency unit (withdrawn)",
	"XFO": "the gold franc (withdrawn)",
	"XFU": "the UIC franc (withdrawn)",
	"XRE": "the RINET funds code (withdrawn)",
	"BOV": "a funds code (Bolivian Mvdol)",
	"CHE": "a funds code (WIR euro)",
	"CHW": "a funds code (WIR franc)",
	"CLF": "a funds code (Unidad de Fomento)",
	"COU": "a funds code (Unidad de Valor Real)",
	"MXV": "a funds code (Mexican Unidad de Inversion)",
	"USN": "a funds code (US dollar next day)",
	"USS": "a funds code (US dollar same day, withdrawn)",
	"UYI": "a funds code (Uruguay peso en unidades indexadas)",
}

// isCodeShape reports whether s is exactly three upper-case ASCII letters.
// x/text's ParseISO accepts lower case, so this check must come first.
func isCodeShape(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// isoDigits overrides or supplements golang.org/x/text/currency.
//
// x/text takes its digits from CLDR, which records how many decimals people
// display, not the ISO 4217 minor unit that bank files and payment rails
// use. For the codes below the two disagree (CLDR says 0, e.g. for IDR and
// IQD, because small coins are out of use), and amounts in those currencies
// would otherwise be parsed with the wrong scale. Values are the ISO 4217
// minor units (list one, 2025).
//
// The second group are current ISO 4217 codes that x/text v0.43.0 does not
// know at all (renominations and new currencies since its CLDR snapshot);
// without them real payments in, e.g., VES or MRU could not be represented.
var isoDigits = map[Currency]int{
	// x/text (CLDR) disagrees with ISO 4217.
	"AFN": 2, "ALL": 2, "AMD": 2, "COP": 2, "GYD": 2, "IDR": 2, "IQD": 3,
	"IRR": 2, "KPW": 2, "LAK": 2, "LBP": 2, "MGA": 2, "MMK": 2, "MNT": 2,
	"MUR": 2, "PKR": 2, "RSD": 2, "SLL": 2, "SOS": 2, "SYP": 2, "TZS": 2,
	"UZS": 2, "YER": 2,

	// Current ISO 4217 codes unknown to x/text.
	"MRU": 2, "SLE": 2, "UYW": 4, "VED": 2, "VES": 2, "XCG": 2, "ZWG": 2,
}

// digitsCache holds, for each of the 26³ possible codes, 0 if not yet
// looked up, -1 if the code is not valid, or its digits+1. Digits runs for
// every parsed and printed amount (1M-row imports) and x/text's ParseISO is
// far slower than one atomic load, so each code asks x/text at most once.
// Atomics make concurrent first lookups safe; two goroutines computing the
// same entry store the same value. A fixed array (70 KB of zeroed memory)
// is faster than sync.Map and cannot grow.
var digitsCache [26 * 26 * 26]atomic.Int32

// lookupDigits returns c's minor digits and whether c is a valid code.
func lookupDigits(c Currency) (int, bool) {
	if !isCodeShape(string(c)) {
		return 0, false
	}
	slot := &digitsCache[int(c[0]-'A')*26*26+int(c[1]-'A')*26+int(c[2]-'A')]
	v := slot.Load()
	if v == 0 {
		v = int32(computeDigits(c)) + 1
		slot.Store(v)
	}
	if v < 0 {
		return 0, false
	}
	return int(v - 1), true
}

// computeDigits returns the minor digits of c, which has the shape of a
// code, or -2 if c is not a valid code (so that digits+1 stays negative).
func computeDigits(c Currency) int {
	if _, ok := notMoney[c]; ok {
		return -2
	}
	if d, ok := isoDigits[c]; ok {
		return d
	}
	u, err := currency.ParseISO(string(c))
	if err != nil {
		return -2
	}
	d, _ := currency.Standard.Rounding(u)
	return d
}
