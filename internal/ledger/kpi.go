package ledger

import (
	"math"
	"math/big"

	"settle/internal/civil"
	"settle/internal/money"
)

// KPIInput holds the sums the collection KPIs are computed from, in one
// currency's minor units (domain.md §6; contract.md: credit sales are the
// invoices issued in the period, AR is taken at To). They are Wide: sums
// of many invoices need not fit in an int64.
type KPIInput struct {
	From, To         civil.Date
	Sales            money.Wide // invoices issued From..To inclusive, not void by To
	OpeningAR        money.Wide // total AR as of the day before From
	ClosingAR        money.Wide // total AR as of To
	ClosingCurrentAR money.Wide // AR not yet past due as of To
}

// KPIs are in days (DSO, BestDSO, ADD) and percent (CEI), rounded to 0.1
// half away from zero. A nil figure is undefined (no sales in the period,
// or a zero CEI denominator).
type KPIs struct {
	Days    int
	DSO     *float64
	BestDSO *float64
	ADD     *float64
	CEI     *float64
}

// ComputeKPIs applies the formulas:
//
//	days     = To − From + 1
//	DSO      = closing AR ÷ credit sales × days
//	best DSO = closing current AR ÷ credit sales × days
//	ADD      = DSO − best DSO (of the rounded figures, so the report adds up)
//	CEI      = (opening AR + sales − closing AR) ÷ (opening AR + sales − closing current AR) × 100
func ComputeKPIs(in KPIInput) KPIs {
	k := KPIs{Days: in.To.DaysSince(in.From) + 1}
	days := big.NewInt(int64(k.Days))
	if in.Sales.Sign() > 0 {
		sales := in.Sales.Big()
		k.DSO = tenths(new(big.Int).Mul(in.ClosingAR.Big(), days), sales)
		k.BestDSO = tenths(new(big.Int).Mul(in.ClosingCurrentAR.Big(), days), sales)
		add := float64(roundTenths(new(big.Int).Mul(in.ClosingAR.Big(), days), sales)-
			roundTenths(new(big.Int).Mul(in.ClosingCurrentAR.Big(), days), sales)) / 10
		k.ADD = &add
	}
	base := new(big.Int).Add(in.OpeningAR.Big(), in.Sales.Big())
	num := new(big.Int).Sub(base, in.ClosingAR.Big())
	den := new(big.Int).Sub(base, in.ClosingCurrentAR.Big())
	if den.Sign() != 0 {
		k.CEI = tenths(num.Mul(num, big.NewInt(100)), den)
	}
	return k
}

func tenths(num, den *big.Int) *float64 {
	v := float64(roundTenths(num, den)) / 10
	return &v
}

// roundTenths returns num/den in tenths, rounded half away from zero.
func roundTenths(num, den *big.Int) int64 {
	n := new(big.Int).Mul(num, big.NewInt(10))
	neg := (n.Sign() < 0) != (den.Sign() < 0)
	n.Abs(n)
	d := new(big.Int).Abs(den)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Mul(r, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	// A ratio beyond int64 tenths (absurd AR against tiny sales) is
	// shown saturated rather than wrapped.
	if !q.IsInt64() {
		if q.Sign() < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return q.Int64()
}
