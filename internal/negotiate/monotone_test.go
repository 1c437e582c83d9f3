package negotiate

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Value never rises when a counter-offer pays less or later (issue 17,
// item 3). Over random cases and policies (plans without interest), from
// the opening, pairs of counters where the second pays less or later than
// the first: a smaller monthly installment (so a longer plan), the same
// installment started later, a smaller lump sum, the same lump sum paid
// later. The engine's value of the second (Evaluation.CounterValue) must
// not exceed the first's.
func TestRespond_CounterValueMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 2026))
	checked, rose := 0, 0
	var first []string
	for i := 0; checked < 2000 && i < 20000; i++ {
		c, p := randomCase(rng), randomPolicy(rng)
		p.PlanRate = "0"
		s, open, err := Open(c, p)
		if err != nil || s.Status != StatusOpen || open.Offer == nil {
			continue
		}
		l, _ := p.compile(c.Currency)
		var pairs [][2]Counter
		// Two monthly installments, the second smaller: it pays less each
		// month, so it pays less by every date.
		hi := max(l.minInstallment, (c.Balance+int64(l.maxTermMonths)-1)/int64(l.maxTermMonths)) + int64(rng.Float64()*float64(c.Balance))
		hi = min(hi, c.Balance)
		lo := hi - 1 - int64(rng.Float64()*float64(hi-l.minInstallment))
		if lo >= max(l.minInstallment, (c.Balance+int64(l.maxTermMonths)-1)/int64(l.maxTermMonths)) && lo < hi {
			pairs = append(pairs, [2]Counter{{InstallmentAmount: &hi}, {InstallmentAmount: &lo}})
		}
		// The same installment, started later.
		if l.maxStartDays > 1 {
			d1 := 1 + rng.IntN(l.maxStartDays-1)
			d2 := d1 + 1 + rng.IntN(l.maxStartDays-d1)
			pairs = append(pairs, [2]Counter{{InstallmentAmount: &hi, Start: c.AsOf.AddDays(d1)}, {InstallmentAmount: &hi, Start: c.AsOf.AddDays(d2)}})
			whole := c.Balance
			pairs = append(pairs, [2]Counter{{LumpSum: &whole, Start: c.AsOf.AddDays(d1)}, {LumpSum: &whole, Start: c.AsOf.AddDays(d2)}})
		}
		// A smaller lump sum on the same date, both within the discount limit.
		minLump := int64(float64(c.Balance)*(1-l.maxDiscount)) + 1
		if c.Balance-minLump > 2 {
			big := minLump + 1 + rng.Int64N(c.Balance-minLump)
			small := minLump + rng.Int64N(big-minLump)
			pairs = append(pairs, [2]Counter{{LumpSum: &big}, {LumpSum: &small}})
		}
		for _, pr := range pairs {
			_, r1, err1 := Respond(s, pr[0])
			_, r2, err2 := Respond(s, pr[1])
			if err1 != nil || err2 != nil || r1.Evaluation.CounterValue == nil || r2.Evaluation.CounterValue == nil {
				continue
			}
			checked++
			v1, v2 := *r1.Evaluation.CounterValue, *r2.Evaluation.CounterValue
			if v2 > v1+1e-6 {
				rose++
				if len(first) < 6 {
					first = append(first, fmt.Sprintf("%s\n  %s → %.2f\n  %s → %.2f (pays less or later)", describeCase(c, p), describeCounter(&pr[0]), v1, describeCounter(&pr[1]), v2))
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d pairs checked", checked)
	}
	t.Logf("%d pairs checked", checked)
	if rose > 0 {
		t.Errorf("value rose in %d of %d pairs where the second counter pays less or later; first ones:\n%s", rose, checked, joinLines(first))
	}
}
