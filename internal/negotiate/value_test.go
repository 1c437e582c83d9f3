package negotiate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// testModel is a valuation model with round parameters: cost of capital
// coc (annual), no-deal recovery × (1 − cost) = nd after delay days.
func testModel(t *testing.T, band string, affordable, coc, nd, delay, fees float64) model {
	t.Helper()
	if affordable <= 0 {
		t.Fatalf("testModel: affordable %v must be > 0", affordable)
	}
	return model{lnDisc: math.Log1p(coc) / 365, band: band, affordable: affordable, nd: nd, ndDelay: delay, fees: fees}
}

// streamOf lists a plan shape's payments by hand, independently of
// valuePlan: the down payment (if any) as a one-off at t0 with the whole
// claim outstanding, then the regular payments at t1 + (k−1)·period, each
// with the principal still owed before it.
func streamOf(t *testing.T, s planShape) []payment {
	t.Helper()
	var ps []payment
	t1 := s.t0
	remaining := float64(s.claim)
	if s.down > 0 {
		ps = append(ps, payment{t: s.t0, amount: float64(s.down), remaining: remaining, oneOff: true})
		remaining -= float64(s.down)
		t1 = s.t0 + s.period
	}
	for k := 1; k <= s.n; k++ {
		amt := s.regular
		if k == s.n {
			amt = s.last
		}
		ps = append(ps, payment{t: t1 + float64(k-1)*s.period, amount: float64(amt), remaining: remaining})
		remaining -= float64(amt)
	}
	if remaining != 0 {
		t.Fatalf("streamOf: payments of %+v leave %v owed", s, remaining)
	}
	return ps
}

// regularHazard is the monthly hazard of a shape's regular payments.
func regularHazard(m model, s planShape) float64 {
	return m.hazard(float64(s.regular) * perMonth(s.freq) / m.affordable)
}

func relDiff(a, b float64) float64 {
	d := math.Abs(a - b)
	if s := math.Max(math.Abs(a), math.Abs(b)); s > 0 {
		return d / s
	}
	return d
}

func TestModel_valuePlanMatchesStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260601, 1))
	freqs := []string{"weekly", "biweekly", "monthly"}
	bands := []string{"A", "B", "C", "D", "E"}
	var withDown, overLoad, withFees, capped, riskFree int
	for i := range 2000 {
		n := 1 + rng.IntN(120)
		claim := int64(n) + rng.Int64N(50_000_000) // at least one minor unit per installment
		var down int64
		if rng.IntN(2) == 0 && claim > int64(n) {
			down = 1 + rng.Int64N(claim-int64(n)) // 1..claim−n: leaves ≥ n for the regular payments
		}
		if claim-down < int64(n) {
			t.Fatalf("bad generator: claim %d down %d n %d", claim, down, n)
		}
		freq := freqs[rng.IntN(3)]
		reg := (claim - down) / int64(n)
		if n > 1 && rng.IntN(3) == 0 {
			// A fixed installment: larger than the even split, the last smaller (but > 0).
			maxReg := (claim - down - 1) / int64(n-1)
			if maxReg > reg {
				reg += rng.Int64N(maxReg - reg + 1)
			}
		}
		s := shape(claim, down, n, reg, freq, float64(rng.IntN(60)))
		if s.last <= 0 {
			t.Fatalf("bad generator: %+v", s)
		}
		// Load from 0.3 to 3 (hazard below, at and above the affordable line),
		// sometimes up to 8.
		load := 0.3 + 2.7*rng.Float64()
		if rng.IntN(10) == 0 {
			load = 3 + 5*rng.Float64() // up to the MaxHazard cap
		}
		affordable := math.Max(1, float64(reg)*perMonth(freq)/load)
		fees := 0.0
		if rng.IntN(2) == 0 {
			fees = float64(rng.Int64N(claim/5 + 1))
		}
		coc := []float64{0, 0.05, 0.10, 0.25}[rng.IntN(4)]
		nd := rng.Float64() * 0.8
		m := testModel(t, bands[rng.IntN(5)], affordable, coc, nd, float64(rng.IntN(400)), fees)
		m.riskFree = rng.IntN(10) == 0 // plain present value: hazard 0

		got := m.valuePlan(s)
		want, wantC := m.valueStream(streamOf(t, s), s.period)
		if d := relDiff(got, want); d >= 1e-9 || math.IsNaN(got) {
			t.Fatalf("shape %d %+v model %+v: valuePlan %v, valueStream %v (relative difference %g)", i, s, m, got, want, d)
		}
		if c := m.completion(s); relDiff(c, wantC) >= 1e-9 {
			t.Fatalf("shape %d %+v: completion %v, valueStream's %v", i, s, c, wantC)
		}
		if down > 0 {
			withDown++
		}
		if load > 1 {
			overLoad++
		}
		if fees > 0 {
			withFees++
		}
		if regularHazard(m, s) == MaxHazard {
			capped++
		}
		if m.riskFree {
			riskFree++
		}
	}
	if withDown < 500 || overLoad < 500 || withFees < 500 {
		t.Errorf("generator coverage too thin: %d with down, %d over load, %d with fees", withDown, overLoad, withFees)
	}
	t.Logf("2000 shapes: %d with a down payment, %d above the affordable load, %d with fees, %d at MaxHazard, %d risk-free", withDown, overLoad, withFees, capped, riskFree)
}

// Risk-free (hazard 0) and without discounting, x = s·q is exactly 1 and
// valuePlan takes its series-limit branch.
func TestModel_valuePlanMatchesStreamAtXEqualOne(t *testing.T) {
	for _, down := range []int64{0, 25_000} {
		t.Run(fmt.Sprintf("down=%d", down), func(t *testing.T) {
			m := testModel(t, "E", 1_000, 0, 0.3, 180, 1_000)
			m.riskFree = true
			s := shape(100_000, down, 7, (100_000-down)/7, "monthly", 3)
			got := m.valuePlan(s)
			want, _ := m.valueStream(streamOf(t, s), s.period)
			// Nothing defaults and nothing is discounted: the plan is worth the claim.
			if math.Abs(got-100_000) > 1e-6 || math.Abs(want-100_000) > 1e-6 {
				t.Errorf("valuePlan %v, valueStream %v, want 100000", got, want)
			}
			if c := m.completion(s); c != 1 {
				t.Errorf("completion %v, want 1", c)
			}
		})
	}
	t.Run("discounted", func(t *testing.T) {
		// Risk-free at 10%: payments of 250.00 at 0, 1, 2, 3 months.
		m := testModel(t, "C", 1, 0.10, 0.3, 180, 0)
		m.riskFree = true
		want := 0.0
		for k := range 4 {
			want += 25_000 * math.Pow(1.1, -float64(k)/12)
		}
		if got := m.valuePlan(shape(100_000, 0, 4, 25_000, "monthly", 0)); math.Abs(got-want) > 1e-6 {
			t.Errorf("valuePlan = %v, want %v", got, want)
		}
	})
}

func TestModel_valuePlanHandWorked(t *testing.T) {
	// D(t) = e^(−ln(1.1)·t/365) = 1.1^(−t/365): 10% a year.
	D := func(days float64) float64 { return math.Pow(1.1, -days/365) }
	month := 365.0 / 12

	t.Run("two monthly payments band A", func(t *testing.T) {
		// Claim 1,000.00 (100,000 minor) in 2 monthly payments of 500.00 at
		// t = 0 and t = 365/12 days; affordable 1,000.00 a month, so the load
		// is 500/1000 = 0.5 < 1 and the hazard is band A's 0.005 a month.
		// The period is exactly one month, so the survival per period is
		// (1 − 0.005)^1 = 0.995. No deal: 0.4 recovered, 25% of it costs, so
		// 0.4·0.75 = 0.3 of what is owed, 180 days after the default.
		want := 0.0 +
			// Payment 1 at t = 0: made with probability 0.995, not discounted.
			0.995*50_000*D(0) +
			// Stop before payment 1 (0.005): all 1,000.00 goes to no-deal at 0 + 180 days.
			0.005*100_000*0.3*D(0+180) +
			// Payment 2 at t = 365/12: reached with 0.995, made with 0.995 → 0.995².
			0.995*0.995*50_000*D(month) +
			// Stop before payment 2 (0.995·0.005): the 500.00 left goes to no-deal at 365/12 + 180.
			0.995*0.005*50_000*0.3*D(month+180)
		m := testModel(t, "A", 100_000, 0.10, 0.4*(1-0.25), 180, 0)
		s := shape(100_000, 0, 2, 50_000, "monthly", 0)
		if got := m.valuePlan(s); math.Abs(got-want) > 1e-6 {
			t.Errorf("valuePlan = %.9f, want %.9f", got, want)
		}
		if got, _ := m.valueStream(streamOf(t, s), month); math.Abs(got-want) > 1e-6 {
			t.Errorf("valueStream = %.9f, want %.9f", got, want)
		}
		// Completion: both regular payments kept, 0.995².
		if got := m.completion(s); math.Abs(got-0.995*0.995) > 1e-12 {
			t.Errorf("completion = %v, want %v", got, 0.995*0.995)
		}
	})

	t.Run("down payment, fees and capped hazard", func(t *testing.T) {
		// Claim 700.00: 100.00 down on day 7, then one payment of 600.00 a
		// month later; fees 50.00 reserved (they follow the claim to no-deal);
		// affordable 100.00 a month.
		//   Down payment: a one-off, its load against 2 months of surplus:
		//   100/(2·100) = 0.5, where band A's hazard applies as it is
		//   (0.005), so it is kept with 0.995.
		//   Regular: 600/100 = 6, far above the means: the hazard is capped
		//   at MaxHazard 0.9, so a month's survival is 0.1.
		p0 := 1 - 0.005
		sv := 1 - 0.9
		want := 0.0 +
			// The down payment, made with p0, discounted 7 days.
			p0*10_000*D(7) +
			// No down payment: the claim and the fees go to no-deal from day 7.
			(1-p0)*(70_000+5_000)*0.3*D(7+180) +
			// The 600.00 at 7 + 365/12, reached with p0 and kept with 0.1.
			p0*sv*60_000*D(7+month) +
			// Stop before it: 600.00 still owed plus the fees to no-deal.
			p0*(1-sv)*(60_000+5_000)*0.3*D(7+month+180)
		m := testModel(t, "A", 10_000, 0.10, 0.3, 180, 5_000)
		s := shape(70_000, 10_000, 1, 60_000, "monthly", 7)
		if got := m.valuePlan(s); math.Abs(got-want) > 1e-6 {
			t.Errorf("valuePlan = %.9f, want %.9f", got, want)
		}
		if got, _ := m.valueStream(streamOf(t, s), month); math.Abs(got-want) > 1e-6 {
			t.Errorf("valueStream = %.9f, want %.9f", got, want)
		}
		if got := m.completion(s); math.Abs(got-p0*sv) > 1e-12 {
			t.Errorf("completion = %v, want %v", got, p0*sv)
		}
	})

	t.Run("weekly period survival", func(t *testing.T) {
		// Three weekly payments of 100.00, band C. Affordable is set so that
		// the load is exactly 0.5: 100.00 × (365/12)/7 installments a month
		// = 434.52 a month, affordable twice that. At load 0.5 the band's
		// 0.02 a month applies; a week survives with 0.98^(7/(365/12)). No
		// discounting (cost of capital 0), no-deal worth nothing.
		affordable := 2 * 10_000 * (365.0 / 12 / 7)
		w := math.Pow(0.98, 7/month)
		want := w*10_000 + w*w*10_000 + w*w*w*10_000
		m := testModel(t, "C", affordable, 0, 0, 0, 0)
		s := shape(30_000, 0, 3, 10_000, "weekly", 0)
		if got := m.valuePlan(s); math.Abs(got-want) > 1e-6 {
			t.Errorf("valuePlan = %.9f, want %.9f", got, want)
		}
	})
}

// hazardFor follows value.go's documented model: within the customer's
// means (load ≤ 1) the band's hazard is scaled by 0.6 + 0.8·load (so at
// load 0.5 it is the band's own, at no load 0.6 of it, at the full means
// 1.4 times it); above the means LoadPenalty adds 0.20 per 100% of
// overload; MaxHazard caps it; an unknown band is C. Each want is worked
// by hand from those numbers.
func TestModel_hazardFor(t *testing.T) {
	tests := []struct {
		name string
		band string
		load float64
		want float64
	}{
		{"A at half the means", "A", 0.5, 0.005},
		{"B at half the means", "B", 0.5, 0.01},
		{"C at half the means", "C", 0.5, 0.02},
		{"D at half the means", "D", 0.5, 0.035},
		{"E at half the means", "E", 0.5, 0.06},
		{"A no load: the life-event floor stays", "A", 0, 0.003}, // 0.005 × 0.6
		{"C light: barely above the floor", "C", 0.05, 0.0128},   // 0.02 × (0.6 + 0.8 × 0.05)
		{"C at a quarter", "C", 0.25, 0.016},                     // 0.02 × (0.6 + 0.2)
		{"C at the full means", "C", 1, 0.028},                   // 0.02 × 1.4
		{"E at the full means", "E", 1, 0.084},                   // 0.06 × 1.4
		{"A load 1.5 adds 0.10", "A", 1.5, 0.107},                // 0.007 + 0.10
		{"C load 1.5 adds 0.10", "C", 1.5, 0.128},                // 0.028 + 0.10
		{"E load 1.5 adds 0.10", "E", 1.5, 0.184},                // 0.084 + 0.10
		{"D load 3 adds 0.40", "D", 3, 0.449},                    // 0.049 + 0.40
		{"A capped", "A", 10, MaxHazard},
		{"E capped", "E", 6, MaxHazard},       // 0.084 + 1.00 > 0.90
		{"E just below cap", "E", 4.2, 0.724}, // 0.084 + 0.64
		{"unknown band is C", "Z", 0.5, 0.02},
		{"empty band is C", "", 0.5, 0.02},
		{"lower case is unknown so C", "a", 0.5, 0.02},
		{"unknown band loaded", "?", 1.5, 0.128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hazardFor(tt.band, tt.load); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("hazardFor(%q, %v) = %v, want %v", tt.band, tt.load, got, tt.want)
			}
		})
	}
	t.Run("monotone in load and band", func(t *testing.T) {
		bands := []string{"A", "B", "C", "D", "E"}
		for i, b := range bands {
			prev := -1.0
			for load := 0.0; load <= 8; load += 0.01 {
				h := hazardFor(b, load)
				if h < prev-1e-15 || h > MaxHazard {
					t.Fatalf("hazardFor(%s, %v) = %v after %v", b, load, h, prev)
				}
				if i > 0 && h < hazardFor(bands[i-1], load)-1e-15 {
					t.Fatalf("band %s below band %s at load %v", b, bands[i-1], load)
				}
				prev = h
			}
		}
	})
}

func TestModel_valueLump(t *testing.T) {
	D := func(days float64) float64 { return math.Pow(1.1, -days/365) }
	// lump is the hand formula: paid with p at day t, else the whole claim
	// (plus fees) to no-deal (0.3 of it) 180 days later.
	lump := func(p, amount, claim, fees, days float64) float64 {
		return p*amount*D(days) + (1-p)*(claim+fees)*0.3*D(days+180)
	}

	t.Run("more with the same probability is worth more", func(t *testing.T) {
		// Affordable 5,000.00 a month: 2 months' liquidity is 10,000.00, so
		// 800.00 and 1,000.00 are one-offs at loads 0.08 and 0.1, barely
		// above the life-event floor: band B's 0.01 × (0.6 + 0.8 × 0.08) =
		// 0.00664 and 0.01 × (0.6 + 0.8 × 0.1) = 0.0068.
		m := testModel(t, "B", 500_000, 0.10, 0.3, 180, 2_000)
		pSmall, pBig := 1-0.00664, 1-0.0068
		small, big := m.valueLump(80_000, 10, m.noDeal(120_000+2_000, 10)), m.valueLump(100_000, 10, m.noDeal(120_000+2_000, 10))
		wantSmall, wantBig := lump(pSmall, 80_000, 120_000, 2_000, 10), lump(pBig, 100_000, 120_000, 2_000, 10)
		if math.Abs(small-wantSmall) > 1e-6 || math.Abs(big-wantBig) > 1e-6 {
			t.Errorf("valueLump = %v and %v, want %v and %v", small, big, wantSmall, wantBig)
		}
		if !(big > small) {
			t.Errorf("1,000.00 is worth %v, not more than 800.00 at %v", big, small)
		}
		if a, b := m.oneOff(80_000), m.oneOff(100_000); math.Abs(a-pSmall) > 1e-12 || math.Abs(b-pBig) > 1e-12 {
			t.Errorf("oneOff = %v and %v, want %v and %v", a, b, pSmall, pBig)
		}
	})

	t.Run("far above liquidity is expected to bring no more than a modest one", func(t *testing.T) {
		// Band C, affordable 50.00 a month: liquidity 100.00. No-deal
		// recovers nothing here, so only the lump itself counts.
		//   100.00: load 1 (the full means): hazard 0.02 × 1.4 = 0.028,
		//           kept with 0.972, worth 0.972 × 100.00 = 97.20.
		//   500.00: load 5: kept with 0.972 ÷ 5 = 0.1944 (five times what
		//           the customer can raise at once is kept a fifth as often),
		//           worth 0.1944 × 500.00 = 97.20: no more than the 100.00.
		m := testModel(t, "C", 5_000, 0, 0, 180, 0)
		modest, far := m.valueLump(10_000, 0, m.noDeal(100_000, 0)), m.valueLump(50_000, 0, m.noDeal(100_000, 0))
		if math.Abs(modest-9_720) > 1e-6 || math.Abs(far-9_720) > 1e-6 {
			t.Errorf("valueLump = %v and %v, want 9720 and 9720", modest, far)
		}
		// With a no-deal alternative (0.3 after 180 days at 10%) the
		// failed lump sends the whole claim there.
		m = testModel(t, "C", 5_000, 0.10, 0.3, 180, 0)
		got := m.valueLump(50_000, 7, m.noDeal(100_000, 7))
		if want := lump(0.1944, 50_000, 100_000, 0, 7); math.Abs(got-want) > 1e-6 {
			t.Errorf("valueLump(500.00) = %v, want %v", got, want)
		}
	})
}

// A settlement not paid by its date returns the case to the negotiation:
// worth the standing offer's value from then on, not the no-deal
// alternative's. Band C, affordable 50.00: 500.00 is paid with 0.1944 (load
// 5, as above); at 10% a year, 7 days out, D(7) = 1.1^(−7/365). With a
// standing plan worth 900.00 the unpaid 0.8056 is worth 0.8056 × 900.00 ×
// D(7); the paid 0.1944 is worth 0.1944 × 500.00 × D(7).
func TestModel_valueLumpResumes(t *testing.T) {
	m := testModel(t, "C", 5_000, 0.10, 0.3, 180, 0)
	d7 := math.Pow(1.1, -7.0/365)
	got := m.valueLump(50_000, 7, 90_000*d7)
	if want := 0.1944*50_000*d7 + 0.8056*90_000*d7; math.Abs(got-want) > 1e-6 {
		t.Errorf("valueLump = %v, want %v", got, want)
	}
}

func TestModel_noDealAndDiscount(t *testing.T) {
	m := testModel(t, "C", 1, 0.10, 0.3, 180, 0)
	if got := m.df(365); math.Abs(got-1/1.1) > 1e-12 {
		t.Errorf("df(365) = %v, want 1/1.1", got)
	}
	if got, want := m.noDeal(100_000, 185), 100_000*0.3*math.Pow(1.1, -365.0/365); math.Abs(got-want) > 1e-6 {
		t.Errorf("noDeal = %v, want %v", got, want)
	}
	if got := perMonth("weekly"); math.Abs(got-365.0/12/7) > 1e-12 {
		t.Errorf("perMonth(weekly) = %v", got)
	}
	if got := periodDays("fortnightly"); got != 365.0/12 {
		t.Errorf("periodDays(unknown) = %v, want a month", got)
	}
}

// A short plan against a long one for the same customer (issue 17: "a
// 35-month plan at 3% of the means looks safer than a 6-month plan and
// wins" was the old model's error). 1,200.00 owed, means 300.00 a month,
// band B, 10% a year, no deal recovers 0.3 of what is left 180 days
// later. Worked month by month here, apart from valuePlan/valueStream,
// from the documented formula:
//
//	4 × 300.00: load 1,    hazard 0.01 × (0.6 + 0.8 × 1)   = 0.014
//	12 × 100.00: load 1/3, hazard 0.01 × (0.6 + 0.8 / 3)   = 0.00866…
//
// The short plan asks three times as much each month but runs a third as
// long: it is likelier to be completed (0.986⁴ = 0.9452 against
// 0.99133¹² = 0.9008) and worth more.
func TestModel_shortPlanBeatsLongForTheSameMeans(t *testing.T) {
	D := func(days float64) float64 { return math.Pow(1.1, -days/365) }
	month := 365.0 / 12
	byHand := func(n int, amount, h float64) (value, completion float64) {
		alive := 1.0
		owed := 120_000.0
		for k := 0; k < n; k++ {
			tk := float64(k) * month
			value += alive * h * owed * 0.3 * D(tk+180) // stops before payment k+1
			alive *= 1 - h
			value += alive * amount * D(tk)
			owed -= amount
		}
		return value, alive
	}
	m := testModel(t, "B", 30_000, 0.10, 0.3, 180, 0)
	short, long := shape(120_000, 0, 4, 30_000, "monthly", 0), shape(120_000, 0, 12, 10_000, "monthly", 0)
	hShort, hLong := 0.01*(0.6+0.8), 0.01*(0.6+0.8/3)
	wantShort, cShort := byHand(4, 30_000, hShort)
	wantLong, cLong := byHand(12, 10_000, hLong)
	if got := m.valuePlan(short); math.Abs(got-wantShort) > 1e-6 {
		t.Errorf("short plan: valuePlan %.6f, by hand %.6f", got, wantShort)
	}
	if got := m.valuePlan(long); math.Abs(got-wantLong) > 1e-6 {
		t.Errorf("long plan: valuePlan %.6f, by hand %.6f", got, wantLong)
	}
	if math.Abs(cShort-math.Pow(0.986, 4)) > 1e-12 || math.Abs(m.completion(short)-cShort) > 1e-12 {
		t.Errorf("short completion %v (model %v), want 0.986⁴", cShort, m.completion(short))
	}
	if math.Abs(m.completion(long)-cLong) > 1e-12 {
		t.Errorf("long completion %v, want %v", m.completion(long), cLong)
	}
	if !(wantShort > wantLong && cShort > cLong) {
		t.Errorf("short plan worth %.2f (completed %.4f), long %.2f (%.4f): the short one must be worth more", wantShort, cShort, wantLong, cLong)
	}
	t.Logf("4 × 300.00: %.2f, completed %.4f; 12 × 100.00: %.2f, completed %.4f", wantShort/100, cShort, wantLong/100, cLong)
}
