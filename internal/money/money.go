// Package money represents exact amounts of money as integer minor units
// (cents, fils, yen) of an ISO 4217 currency. It never uses floating point,
// and every operation that could overflow int64 returns an error instead.
//
// # Parsing amounts
//
// Parse and ParseMinor accept exactly this syntax, and nothing else:
//
//   - an optional leading '-' ('+' is rejected);
//   - one or more ASCII digits; leading zeros are allowed ("007.50");
//   - optionally '.' followed by 1 to Digits() digits. Fewer digits than the
//     currency has are padded ("12.5" USD is 1250 minor units); more are an
//     error, never rounded ("1.005" USD). A currency with 0 digits (JPY)
//     accepts no '.' at all.
//
// Rejected: the empty string, "12." and ".5", exponents ("1e3"), spaces,
// thousands separators ("1,000", "1_000"), "NaN", "Inf", and (Parse only)
// amounts beyond the limit below. "-0.00" is accepted and equals 0.
//
// # Limits
//
// No single amount may exceed, in magnitude, MaxMajorUnits major units
// (10^13 − 1 = 9,999,999,999,999) nor MaxMinorUnits minor units
// (10^15 − 1), whichever is smaller for the currency: 9999999999999.99 USD,
// 9999999999999 JPY, 999999999999.999 BHD, 99999999999.9999 UYW. Parse and
// CheckLimit enforce it. It is far above any real invoice, and it keeps
// sums exact: 9,000 maximal amounts still fit in an int64, and report
// totals that may add more are summed in a Wide (128 bits).
//
// Errors quote the offending value and wrap ErrSyntax or ErrOverflow, so
// callers can test them with errors.Is.
package money

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Limits on a single amount (see the package doc).
const (
	MaxMajorUnits = 9_999_999_999_999   // 10^13 − 1 major units
	MaxMinorUnits = 999_999_999_999_999 // 10^15 − 1 minor units
)

// MaxMinor is the largest magnitude, in minor units of c, of a single
// amount: min(MaxMajorUnits·10^digits + the largest fraction, MaxMinorUnits).
func (c Currency) MaxMinor() int64 {
	d := c.Digits()
	if d >= 2 {
		return MaxMinorUnits
	}
	m := int64(MaxMajorUnits)
	for range d {
		m = m*10 + 9
	}
	return m
}

// CheckLimit returns an error wrapping ErrOverflow when a is beyond the
// single-amount limit of its currency (in either direction).
func (a Amount) CheckLimit() error {
	if magnitude(a.minor) > uint64(a.cur.MaxMinor()) {
		return &parseError{msg: fmt.Sprintf("amount %s: too large (at most %s %s)", a, New(a.cur.MaxMinor(), a.cur), a.cur), kind: ErrOverflow}
	}
	return nil
}

// Sentinel errors; returned errors wrap them and add the values involved.
var (
	ErrCurrencyMismatch = errors.New("currency mismatch")
	ErrOverflow         = errors.New("overflow")
	ErrSyntax           = errors.New("invalid amount syntax")
)

// Amount is an exact amount of money: an integer number of minor units of
// one currency. The zero Amount has no currency; use Zero(c) instead.
type Amount struct {
	minor int64
	cur   Currency
}

// New returns minor units of c, e.g. New(1250, USD) is 12.50 USD.
func New(minor int64, c Currency) Amount {
	return Amount{minor: minor, cur: c}
}

// Zero returns 0 in c.
func Zero(c Currency) Amount {
	return Amount{cur: c}
}

// Minor returns a in minor units.
func (a Amount) Minor() int64 { return a.minor }

// Currency returns a's currency.
func (a Amount) Currency() Currency { return a.cur }

// IsZero reports whether a is 0, whatever its currency.
func (a Amount) IsZero() bool { return a.minor == 0 }

// IsNegative reports whether a < 0.
func (a Amount) IsNegative() bool { return a.minor < 0 }

// IsPositive reports whether a > 0.
func (a Amount) IsPositive() bool { return a.minor > 0 }

// Neg returns -a. It fails only for the most negative int64, whose
// negation does not fit.
func (a Amount) Neg() (Amount, error) {
	if a.minor == math.MinInt64 {
		return Amount{}, fmt.Errorf("%w: -(%s %s)", ErrOverflow, a, a.cur)
	}
	return Amount{minor: -a.minor, cur: a.cur}, nil
}

// Add returns a + b. Both must have the same currency.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.cur != b.cur {
		return Amount{}, mismatch(a.cur, b.cur)
	}
	s := a.minor + b.minor
	// Signed overflow happened iff both operands have the same sign and the
	// result's sign differs from it.
	if (a.minor >= 0) == (b.minor >= 0) && (s >= 0) != (a.minor >= 0) {
		return Amount{}, fmt.Errorf("%w: %s + %s %s", ErrOverflow, a, b, a.cur)
	}
	return Amount{minor: s, cur: a.cur}, nil
}

// Sub returns a - b. Both must have the same currency.
func (a Amount) Sub(b Amount) (Amount, error) {
	if a.cur != b.cur {
		return Amount{}, mismatch(a.cur, b.cur)
	}
	d := a.minor - b.minor
	// Signed overflow happened iff the operands have different signs and the
	// result's sign differs from a's.
	if (a.minor >= 0) != (b.minor >= 0) && (d >= 0) != (a.minor >= 0) {
		return Amount{}, fmt.Errorf("%w: %s - %s %s", ErrOverflow, a, b, a.cur)
	}
	return Amount{minor: d, cur: a.cur}, nil
}

// Sum adds xs, all of which must be in c. It takes c explicitly so that an
// empty sum still has a currency.
func Sum(c Currency, xs ...Amount) (Amount, error) {
	total := Zero(c)
	for i, x := range xs {
		if x.cur != c {
			return Amount{}, fmt.Errorf("sum item %d: %w", i, mismatch(c, x.cur))
		}
		var err error
		total, err = total.Add(x)
		if err != nil {
			return Amount{}, fmt.Errorf("sum item %d: %w", i, err)
		}
	}
	return total, nil
}

func mismatch(a, b Currency) error {
	return fmt.Errorf("%w: %q and %q", ErrCurrencyMismatch, a, b)
}

// String formats a as a plain decimal with exactly Digits() fraction digits
// and no currency code or separators: "1234.50", "-0.05", "1200" (JPY),
// "1.234" (BHD). Parse accepts every string it produces.
func (a Amount) String() string {
	return formatMinor(a.minor, a.cur.Digits())
}

// formatMinor writes minor with digits fraction digits.
func formatMinor(minor int64, digits int) string {
	// 20 digits of uint64, a '.', a '-' and the leading "0" that a small
	// value gets fit in 24 bytes with maxDigits <= 18.
	var buf [24]byte
	u := magnitude(minor)
	i := len(buf)
	for n := 0; n < digits; n++ {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	if digits > 0 {
		i--
		buf[i] = '.'
	}
	// Always at least one integer digit, so 5 cents prints as "0.05".
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if minor < 0 {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// magnitude returns |x| without overflowing for math.MinInt64.
func magnitude(x int64) uint64 {
	if x < 0 {
		return uint64(-x) // -MinInt64 wraps to MinInt64, whose uint64 is 1<<63.
	}
	return uint64(x)
}

// maxDigits is the most minor digits ParseMinor supports: 10^18 is the
// largest power of ten that fits in an int64.
const maxDigits = 18

// Parse reads s as an amount of c using the rules in the package doc.
func Parse(s string, c Currency) (Amount, error) {
	digits, ok := lookupDigits(c)
	if !ok {
		return Amount{}, currencyError(string(c))
	}
	minor, f := parseMinor(s, digits)
	if f != parseOK {
		return Amount{}, parseFailure(s, digits, string(c), f)
	}
	if magnitude(minor) > uint64(c.MaxMinor()) {
		return Amount{}, &parseError{msg: fmt.Sprintf("amount %q: too large (at most %s %s)", s, New(c.MaxMinor(), c), c), kind: ErrOverflow}
	}
	return Amount{minor: minor, cur: c}, nil
}

// ParseMinor reads s as a decimal with at most digits fraction digits and
// returns it in minor units (s·10^digits). It is the parser behind Parse,
// for callers that know the scale but not the currency. digits must be in
// 0..18.
func ParseMinor(s string, digits int) (int64, error) {
	if digits < 0 || digits > maxDigits {
		return 0, fmt.Errorf("money: digits %d out of range 0..%d", digits, maxDigits)
	}
	minor, f := parseMinor(s, digits)
	if f != parseOK {
		return 0, parseFailure(s, digits, "", f)
	}
	return minor, nil
}

// parseResult says why parseMinor failed. Returning a code instead of an
// error keeps the parser free of allocation and lets Parse and ParseMinor
// word their messages differently.
type parseResult int

const (
	parseOK parseResult = iota
	parseEmpty
	parseBadSyntax
	parseTooPrecise
	parseTooLarge
)

// parseMinor is the allocation-free scanner behind Parse and ParseMinor.
// digits must already be in 0..maxDigits.
func parseMinor(s string, digits int) (int64, parseResult) {
	if s == "" {
		return 0, parseEmpty
	}
	i := 0
	neg := false
	if s[0] == '-' {
		neg = true
		i = 1
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start {
		return 0, parseBadSyntax // "-", ".5", "+1", "NaN", " 1"
	}
	fracLen := 0
	if i < len(s) {
		if s[i] != '.' {
			return 0, parseBadSyntax // "1e3", "1,000", "1 ", "1_000"
		}
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracLen = i - fracStart
		if fracLen == 0 || i != len(s) {
			return 0, parseBadSyntax // "12.", "1.2.3", "1.5e3"
		}
	}
	if fracLen > digits {
		return 0, parseTooPrecise
	}

	// Accumulate the magnitude in uint64 so that math.MinInt64, whose
	// magnitude is one more than math.MaxInt64, can still be parsed.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var v uint64
	for j := start; j < len(s); j++ {
		if s[j] == '.' {
			continue
		}
		d := uint64(s[j] - '0')
		if v > (limit-d)/10 {
			return 0, parseTooLarge
		}
		v = v*10 + d
	}
	// Pad to the currency's scale: "12.5" with 2 digits is 1250.
	for n := fracLen; n < digits; n++ {
		if v > limit/10 {
			return 0, parseTooLarge
		}
		v *= 10
	}
	if neg {
		return int64(-v), parseOK // uint64 negation wraps; 1<<63 becomes MinInt64.
	}
	return int64(v), parseOK
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// parseError carries a finished message and the sentinel it wraps. A plain
// fmt.Errorf("%w") would splice the sentinel's text into the message.
type parseError struct {
	msg  string
	kind error
}

func (e *parseError) Error() string { return e.msg }
func (e *parseError) Unwrap() error { return e.kind }

// parseFailure builds the error for a failed parseMinor. code is the
// currency code, or "" when ParseMinor was called without one.
func parseFailure(s string, digits int, code string, f parseResult) error {
	switch f {
	case parseEmpty:
		return &parseError{msg: fmt.Sprintf("amount %q: empty", s), kind: ErrSyntax}
	case parseTooPrecise:
		var msg string
		switch {
		case code != "" && digits == 0:
			msg = fmt.Sprintf("amount %q: %s allows no decimal places", s, code)
		case code != "":
			msg = fmt.Sprintf("amount %q: %s allows at most %d decimal places", s, code, digits)
		default:
			msg = fmt.Sprintf("amount %q: at most %d decimal places allowed", s, digits)
		}
		return &parseError{msg: msg, kind: ErrSyntax}
	case parseTooLarge:
		if code != "" {
			c := Currency(code)
			return &parseError{msg: fmt.Sprintf("amount %q: too large (at most %s %s)", s, New(c.MaxMinor(), c), c), kind: ErrOverflow}
		}
		return &parseError{msg: fmt.Sprintf("amount %q: too large", s), kind: ErrOverflow}
	default:
		return &parseError{
			msg:  fmt.Sprintf("amount %q: invalid syntax (want [-]digits[.digits])", s),
			kind: ErrSyntax,
		}
	}
}

// GroupDigits writes a decimal string ("-1234567.50", as Amount.String
// and Wide.Text give it) with group between every three digits of its
// integer part and decimal for its point: GroupDigits("1234.50", ",", ".")
// is "1,234.50", with ".", "," it is "1.234,50". The digits are kept as
// they are: no rounding, no float.
func GroupDigits(s, group, decimal string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString(decimal)
		b.WriteString(frac)
	}
	return b.String()
}
