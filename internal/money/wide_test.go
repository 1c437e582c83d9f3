package money

import (
	"math"
	"math/big"
	"testing"
)

// Wide sums are checked against math/big (an independent exact sum).
func TestWide_SumsMatchBig(t *testing.T) {
	xs := []int64{math.MaxInt64, math.MaxInt64, 1, math.MinInt64, -5, math.MaxInt64, math.MaxInt64, math.MaxInt64}
	var w Wide
	want := new(big.Int)
	for i, x := range xs {
		w = w.AddInt64(x)
		want.Add(want, big.NewInt(x))
		if w.Big().Cmp(want) != 0 {
			t.Fatalf("after %d adds: %s, want %s", i+1, w.Big(), want)
		}
	}
	for i, x := range xs {
		w = w.Sub(WideOf(x))
		want.Sub(want, big.NewInt(x))
		if w.Big().Cmp(want) != 0 {
			t.Fatalf("after %d subs: %s, want %s", i+1, w.Big(), want)
		}
	}
	if !w.IsZero() || w.Sign() != 0 {
		t.Fatalf("sum minus itself = %s", w.Big())
	}
}

func TestWide_TextAndInt64(t *testing.T) {
	two := WideOf(math.MaxInt64).AddInt64(math.MaxInt64)
	tests := []struct {
		w    Wide
		cur  Currency
		want string
		fits bool
	}{
		{WideOf(0), usd, "0.00", true},
		{WideOf(-5), usd, "-0.05", true},
		{WideOf(1200), jpy, "1200", true},
		{WideOf(math.MaxInt64), usd, "92233720368547758.07", true},
		{WideOf(math.MinInt64), usd, "-92233720368547758.08", true},
		// Hand-worked: 2 × 9223372036854775807 = 18446744073709551614.
		{two, usd, "184467440737095516.14", false},
		{two, jpy, "18446744073709551614", false},
		{two, bhd, "18446744073709551.614", false},
		{Wide{}.Sub(two), usd, "-184467440737095516.14", false},
		{WideOf(math.MaxInt64).AddInt64(1), usd, "92233720368547758.08", false},
		{WideOf(math.MinInt64).AddInt64(-1), usd, "-92233720368547758.09", false},
	}
	for _, tt := range tests {
		if got := tt.w.Text(tt.cur); got != tt.want {
			t.Errorf("Text(%s) = %q, want %q", tt.cur, got, tt.want)
		}
		if _, ok := tt.w.Int64(); ok != tt.fits {
			t.Errorf("%s: Int64 ok = %t, want %t", tt.want, ok, tt.fits)
		}
	}
	if two.Cmp(WideOf(math.MaxInt64)) != 1 || WideOf(-1).Cmp(WideOf(0)) != -1 || two.Cmp(two) != 0 || (Wide{}.Sub(two)).Sign() != -1 {
		t.Error("Cmp or Sign wrong")
	}
}

// WideFromSplit undoes truncated division by 2^32 (what SQL's / and % do)
// for sums of any sign; checked against math/big.
func TestWideFromSplit(t *testing.T) {
	xs := []int64{math.MaxInt64, math.MaxInt64, -7, math.MinInt64 + 1, 123456789012, -4294967297, 4294967296}
	for n := 1; n <= len(xs); n++ {
		var q, r int64
		want := new(big.Int)
		for _, x := range xs[:n] {
			q += x / WideSplit
			r += x % WideSplit
			want.Add(want, big.NewInt(x))
		}
		if got := WideFromSplit(q, r).Big(); got.Cmp(want) != 0 {
			t.Errorf("first %d: %s, want %s", n, got, want)
		}
	}
}
