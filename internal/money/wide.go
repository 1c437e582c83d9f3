package money

import (
	"math"
	"math/big"
	"math/bits"
	"strings"
)

// Wide is a signed 128-bit integer of minor units, for report totals that
// add up many amounts: the sum of up to 2^63 int64 values always fits, so
// Add and Sub never overflow in practice and need no error. A single
// Amount stays an int64 (and within the limit of the package doc); only
// sums that reports show (aging totals, dashboard, KPIs, forecast) are
// Wide, so that data can never make a report fail.
//
// The zero Wide is 0. The value is hi·2^64 + lo.
type Wide struct {
	hi int64
	lo uint64
}

// WideOf returns x as a Wide.
func WideOf(x int64) Wide {
	w := Wide{lo: uint64(x)}
	if x < 0 {
		w.hi = -1
	}
	return w
}

// Add returns w + x.
func (w Wide) Add(x Wide) Wide {
	lo, carry := bits.Add64(w.lo, x.lo, 0)
	return Wide{hi: w.hi + x.hi + int64(carry), lo: lo}
}

// AddInt64 returns w + x.
func (w Wide) AddInt64(x int64) Wide { return w.Add(WideOf(x)) }

// Sub returns w − x.
func (w Wide) Sub(x Wide) Wide {
	lo, borrow := bits.Sub64(w.lo, x.lo, 0)
	return Wide{hi: w.hi - x.hi - int64(borrow), lo: lo}
}

// Sign returns -1, 0 or +1.
func (w Wide) Sign() int {
	switch {
	case w.hi < 0:
		return -1
	case w.hi == 0 && w.lo == 0:
		return 0
	default:
		return 1
	}
}

// IsZero reports whether w is 0.
func (w Wide) IsZero() bool { return w.hi == 0 && w.lo == 0 }

// Cmp returns -1, 0 or +1 as w is less than, equal to or greater than x.
func (w Wide) Cmp(x Wide) int {
	switch {
	case w.hi < x.hi:
		return -1
	case w.hi > x.hi:
		return 1
	case w.lo < x.lo:
		return -1
	case w.lo > x.lo:
		return 1
	default:
		return 0
	}
}

// Int64 returns w and true if it fits in an int64.
func (w Wide) Int64() (int64, bool) {
	if (w.hi == 0 && w.lo <= math.MaxInt64) || (w.hi == -1 && w.lo > math.MaxInt64) {
		return int64(w.lo), true
	}
	return 0, false
}

// Big returns w as a big.Int.
func (w Wide) Big() *big.Int {
	b := new(big.Int).SetInt64(w.hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(w.lo))
}

// Amount returns w as an Amount of c, and false when it does not fit in an
// int64 (callers that need an Amount then refuse, or flag, the figure).
func (w Wide) Amount(c Currency) (Amount, bool) {
	v, ok := w.Int64()
	return New(v, c), ok
}

// Text formats w like Amount.String in currency c: a plain decimal with
// exactly c's minor digits, e.g. "184467440737095516.14".
func (w Wide) Text(c Currency) string {
	digits := c.Digits()
	if v, ok := w.Int64(); ok {
		return formatMinor(v, digits)
	}
	s := w.Big().String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	// |w| > MaxInt64 has at least 19 digits, more than maxDigits, so
	// there is always an integer part.
	if digits > 0 {
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// WideSplit is the divisor of the split that SQL sums use: a database sums
// col / WideSplit and col % WideSplit separately (each partial sum fits in
// an int64 for up to 2^32 rows, where SUM(col) would overflow: SQLite
// raises "integer overflow", PostgreSQL returns a numeric that does not
// scan into an int64), and WideFromSplit puts the two back together.
const WideSplit = 1 << 32

// WideFromSplit returns q·2^32 + r.
func WideFromSplit(q, r int64) Wide {
	// q·2^32 in 128 bits: the arithmetic shift keeps q's sign in hi.
	return Wide{hi: q >> 32, lo: uint64(q) << 32}.AddInt64(r)
}

// Equal reports whether w == x (go-cmp uses it to compare Wides).
func (w Wide) Equal(x Wide) bool { return w == x }

// String formats w as an integer of minor units, for logs and test
// messages; Text formats it as money.
func (w Wide) String() string { return w.Big().String() }
