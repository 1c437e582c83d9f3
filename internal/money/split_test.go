package money

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestSplit_Examples(t *testing.T) {
	tests := []struct {
		name  string
		total Amount
		n     int
		want  []int64
	}{
		{"USD 100.00 in 3", New(10000, usd), 3, []int64{3333, 3333, 3334}},
		{"USD -100.00 in 3", New(-10000, usd), 3, []int64{-3333, -3333, -3334}},
		{"USD 0.02 in 3", New(2, usd), 3, []int64{0, 0, 2}},
		{"JPY 1000 in 3", New(1000, jpy), 3, []int64{333, 333, 334}},
		{"USD 10.00 in 1", New(1000, usd), 1, []int64{1000}},
		{"zero in 4", Zero(usd), 4, []int64{0, 0, 0, 0}},
		{"min in 2", New(math.MinInt64, usd), 2, []int64{math.MinInt64 / 2, math.MinInt64 / 2}},
		{"max in 2", New(math.MaxInt64, usd), 2, []int64{math.MaxInt64 / 2, math.MaxInt64/2 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := Split(tt.total, tt.n)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if len(parts) != len(tt.want) {
				t.Fatalf("Split returned %d parts, want %d", len(parts), len(tt.want))
			}
			for i, p := range parts {
				if p != New(tt.want[i], tt.total.Currency()) {
					t.Errorf("part %d = %d %s, want %d", i, p.Minor(), p.Currency(), tt.want[i])
				}
			}
		})
	}
}

func TestSplit_InvalidN(t *testing.T) {
	for _, n := range []int{0, -1, math.MinInt} {
		if parts, err := Split(New(100, usd), n); err == nil {
			t.Errorf("Split(n=%d) = %v, want error", n, parts)
		}
	}
}

// TestSplit_Property checks the documented rule on random totals: the parts
// sum to the total, all but the last equal base = total/n, and the last
// carries the remainder, which is smaller than n minor units.
func TestSplit_Property(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260105, 1))
	for i := range 10_000 {
		var minor int64
		switch i % 3 {
		case 0: // everyday amounts
			minor = rng.Int64N(2_000_000) - 1_000_000
		case 1: // small amounts, where n often exceeds |total|
			minor = rng.Int64N(401) - 200
		default: // the whole int64 range
			minor = int64(rng.Uint64())
		}
		n := 1 + rng.IntN(120)
		total := New(minor, usd)

		parts, err := Split(total, n)
		if err != nil {
			t.Fatalf("Split(%d, %d): %v", minor, n, err)
		}
		if len(parts) != n {
			t.Fatalf("Split(%d, %d) returned %d parts", minor, n, len(parts))
		}
		sum, err := Sum(usd, parts...)
		if err != nil {
			t.Fatalf("Split(%d, %d): summing parts: %v", minor, n, err)
		}
		if sum != total {
			t.Fatalf("Split(%d, %d) parts sum to %d", minor, n, sum.Minor())
		}
		base := minor / int64(n)
		for j, p := range parts[:n-1] {
			if p.Minor() != base {
				t.Fatalf("Split(%d, %d) part %d = %d, want base %d", minor, n, j, p.Minor(), base)
			}
		}
		rem := parts[n-1].Minor() - base
		if rem != minor-base*int64(n) {
			t.Fatalf("Split(%d, %d) last - base = %d, want remainder %d", minor, n, rem, minor-base*int64(n))
		}
		if rem >= int64(n) || rem <= -int64(n) {
			t.Fatalf("Split(%d, %d) |remainder| = %d, not < n", minor, n, rem)
		}
		if rem != 0 && (rem < 0) != (minor < 0) {
			t.Fatalf("Split(%d, %d) remainder %d has the wrong sign", minor, n, rem)
		}
	}
}

func TestAmount_MulRat(t *testing.T) {
	tests := []struct {
		name     string
		a        Amount
		num, den int64
		want     int64
		wantErr  error
	}{
		{"10.00 × 1/3", New(1000, usd), 1, 3, 333, nil},
		{"10.00 × 2/3", New(1000, usd), 2, 3, 667, nil},
		{"-10.00 × 2/3", New(-1000, usd), 2, 3, -667, nil},
		{"10.00 × -2/3", New(1000, usd), -2, 3, -667, nil},
		{"-10.00 × -2/3", New(-1000, usd), -2, 3, 667, nil},
		{"0.05 × 1/2 half up", New(5, usd), 1, 2, 3, nil},
		{"-0.05 × 1/2 half away", New(-5, usd), 1, 2, -3, nil},
		{"0.07 × 1/2", New(7, usd), 1, 2, 4, nil},
		{"0.01 × 1/3 rounds down", New(1, usd), 1, 3, 0, nil},
		{"15% of 19.99", New(1999, usd), 15, 100, 300, nil}, // 299.85 → 300
		{"zero numerator", New(1000, usd), 0, 7, 0, nil},
		{"identity", New(math.MaxInt64, usd), 1, 1, math.MaxInt64, nil},
		{"min identity", New(math.MinInt64, usd), 1, 1, math.MinInt64, nil},
		{"128-bit intermediate", New(math.MaxInt64, usd), math.MaxInt64, math.MaxInt64, math.MaxInt64, nil},
		{"128-bit halve", New(math.MaxInt64, usd), 3, 6, math.MaxInt64/2 + 1, nil},
		{"min negated overflows", New(math.MinInt64, usd), -1, 1, 0, ErrOverflow},
		{"doubling max overflows", New(math.MaxInt64, usd), 2, 1, 0, ErrOverflow},
		{"huge quotient overflows", New(math.MaxInt64, usd), math.MaxInt64, 1, 0, ErrOverflow},
		{"odd identity", New(math.MaxInt64, usd), 2*(math.MaxInt64/2) + 1, 2*(math.MaxInt64/2) + 1, math.MaxInt64, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.MulRat(tt.num, tt.den)
			checkResult(t, got, err, tt.want, usd, tt.wantErr)
		})
	}
}

func TestAmount_MulRatInvalidDen(t *testing.T) {
	for _, den := range []int64{0, -1, math.MinInt64} {
		_, err := New(100, usd).MulRat(1, den)
		if err == nil {
			t.Errorf("MulRat(1, %d): want error", den)
		}
		if errors.Is(err, ErrOverflow) {
			t.Errorf("MulRat(1, %d): error %v should not be an overflow", den, err)
		}
	}
}
