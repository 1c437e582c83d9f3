package money

import (
	"fmt"
	"math"
	"math/bits"
)

// Split divides total into n parts that add up to exactly total.
//
// Rule: every part is total/n truncated toward zero (Go integer division on
// minor units), and the remainder total − base·n, which has the sign of
// total and is smaller than n minor units, is added to the LAST part. So
// 100.00 USD in 3 is 33.33, 33.33, 33.34; -100.00 in 3 is -33.33, -33.33,
// -33.34; 0.02 in 3 is 0.00, 0.00, 0.02; 1000 JPY in 3 is 333, 333, 334.
//
// The rule is deliberately simple so that other systems can reproduce it
// to the cent. n must be positive.
func Split(total Amount, n int) ([]Amount, error) {
	if n <= 0 {
		return nil, fmt.Errorf("money: split %s %s into %d parts: n must be positive", total, total.cur, n)
	}
	// n > MaxInt64 cannot happen on any platform Go supports, since int is at
	// most 64 bits, so the conversion is exact.
	base := total.minor / int64(n)
	rem := total.minor - base*int64(n)
	parts := make([]Amount, n)
	for i := range parts {
		parts[i] = Amount{minor: base, cur: total.cur}
	}
	// base+rem cannot overflow: it equals total − base·(n−1), which lies
	// between 0 and total.
	parts[n-1].minor += rem
	return parts, nil
}

// MulRat returns a·num/den in a's currency, for pro-rating and percentages
// (e.g. num=15, den=100 for 15%).
//
// Rounding: the exact rational result is rounded to the nearest minor unit,
// and exact halves are rounded away from zero (2.5 → 3, −2.5 → −3), the
// usual commercial rule. So 10.00 × 1/3 = 3.33, 10.00 × 2/3 = 6.67,
// −10.00 × 2/3 = −6.67 and 0.05 × 1/2 = 0.03.
//
// The product a·num is formed in 128 bits, so intermediate values never
// overflow; only a final result outside int64 is an error. den must be
// positive.
func (a Amount) MulRat(num, den int64) (Amount, error) {
	if den <= 0 {
		return Amount{}, fmt.Errorf("money: %s %s × %d/%d: denominator must be positive", a, a.cur, num, den)
	}
	neg := (a.minor < 0) != (num < 0)
	hi, lo := bits.Mul64(magnitude(a.minor), magnitude(num))
	d := uint64(den)
	// bits.Div64 panics if the quotient does not fit in 64 bits, which is
	// exactly when hi >= d; that result would not fit in an int64 anyway.
	if hi >= d {
		return Amount{}, mulRatOverflow(a, num, den)
	}
	q, r := bits.Div64(hi, lo, d)
	// Round half away from zero on the magnitude: r/d >= 1/2 ⇔ r >= d−r,
	// written this way because 2·r could overflow.
	if r >= d-r {
		q++
		if q == 0 {
			return Amount{}, mulRatOverflow(a, num, den)
		}
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	if q > limit {
		return Amount{}, mulRatOverflow(a, num, den)
	}
	if neg {
		return Amount{minor: int64(-q), cur: a.cur}, nil // wraps 1<<63 to MinInt64.
	}
	return Amount{minor: int64(q), cur: a.cur}, nil
}

func mulRatOverflow(a Amount, num, den int64) error {
	return fmt.Errorf("%w: %s %s × %d/%d", ErrOverflow, a, a.cur, num, den)
}
