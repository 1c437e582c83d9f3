package assess

import (
	"math"
	"testing"
)

func TestAUC_HandWorked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores []float64
		pos    []bool
		want   float64
	}{
		// Positives 0.8, 0.4; negatives 0.6, 0.2. Pairs (pos, neg):
		// (0.8,0.6) win, (0.8,0.2) win, (0.4,0.6) loss, (0.4,0.2) win → 3/4.
		{"no ties", []float64{0.8, 0.6, 0.4, 0.2}, []bool{true, false, true, false}, 0.75},
		// Positives 3, 2; negatives 2, 1. Pairs: (3,2) 1, (3,1) 1, (2,2) ½,
		// (2,1) 1 → 3.5/4.
		{"a tie counts one half", []float64{3, 2, 2, 1}, []bool{true, true, false, false}, 0.875},
		{"perfect", []float64{1, 2, 3}, []bool{false, true, true}, 1},
		{"reversed", []float64{1, 2, 3}, []bool{true, false, false}, 0},
		{"all tied", []float64{5, 5, 5, 5}, []bool{true, false, true, false}, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AUC(tc.scores, tc.pos); math.Abs(got-tc.want) > 1e-12 {
				t.Fatalf("AUC = %v, want %v", got, tc.want)
			}
		})
	}
	if got := AUC([]float64{1, 2}, []bool{true, true}); !math.IsNaN(got) {
		t.Fatalf("one class only: AUC = %v, want NaN", got)
	}
}

// Validation of the risk model out of sample (docs/assess.md): a book
// drawn with a different seed from the one the model was fitted on.
const (
	validationSeed      = 2
	validationCustomers = 3000
	// minAUC is what the model must beat on the held-out book. 0.75 is the
	// usual bar for a usable behavioural score; the single best factor
	// alone (average days late) is the baseline it must also beat.
	minAUC = 0.75
)

func TestRiskValidation(t *testing.T) {
	book := SynthBook(validationSeed, validationCustomers, bookStart, bookCutoff, bookEnd)
	var scores, baseline []float64
	var late []bool
	type bandStats struct {
		n, late int
		pred    float64
	}
	bands := map[string]*bandStats{}
	var brier float64
	for _, c := range book {
		if !c.Labeled {
			continue
		}
		p := BuildProfile(c.History, bookCutoff)
		r := ScoreRisk(p)
		scores = append(scores, float64(r.Score))
		baseline = append(baseline, p.AvgDaysLate)
		late = append(late, c.Late)
		b := bands[r.Band]
		if b == nil {
			b = &bandStats{}
			bands[r.Band] = b
		}
		b.n++
		b.pred += r.Probability
		y := 0.0
		if c.Late {
			b.late++
			y = 1
		}
		brier += (r.Probability - y) * (r.Probability - y)
	}
	auc, base := AUC(scores, late), AUC(baseline, late)
	t.Logf("held-out seed %d: %d labelled customers; AUC of Score %.4f (baseline: average days late alone %.4f); Brier score of Probability %.4f",
		validationSeed, len(scores), auc, base, brier/float64(len(scores)))
	if auc < minAUC {
		t.Errorf("AUC %.4f below %.2f", auc, minAUC)
	}
	if auc <= base {
		t.Errorf("AUC %.4f does not beat the baseline %.4f", auc, base)
	}

	t.Logf("band  customers  predicted  observed")
	prev := -1.0
	for _, name := range bandNames {
		b := bands[name]
		if b == nil {
			t.Logf("%-4s  %9d", name, 0)
			continue
		}
		obs := float64(b.late) / float64(b.n)
		t.Logf("%-4s  %9d  %9.3f  %8.3f", name, b.n, b.pred/float64(b.n), obs)
		if obs <= prev {
			t.Errorf("band %s observed late rate %.3f not above the band before (%.3f)", name, obs, prev)
		}
		prev = obs
		// Calibration: each band's mean predicted probability within 8
		// points of its observed rate (bands hold hundreds of customers,
		// so sampling error is a few points).
		if b.n >= 100 && math.Abs(b.pred/float64(b.n)-obs) > 0.08 {
			t.Errorf("band %s: predicted %.3f, observed %.3f", name, b.pred/float64(b.n), obs)
		}
	}
}
