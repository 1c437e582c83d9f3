package assess

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"settle/internal/civil"
)

// The synthetic book's dates: three and a half years of history before the
// cutoff, six months after it to observe the outcome (the 90-day window
// plus time for the last invoices in it to be paid).
var (
	bookStart  = civil.New(2022, 1, 1)
	bookCutoff = civil.New(2025, 6, 30)
	bookEnd    = civil.New(2025, 12, 31)
)

// fitLogistic fits a logistic regression P(y=1) = σ(b₀ + Σ bⱼxⱼ) by
// Newton's method (iteratively reweighted least squares) with a ridge
// penalty lambda·Σ bⱼ² on the slopes (not the intercept), which keeps the
// fit unique when factors are collinear. X holds the features without the
// intercept column. It stops when no coefficient moves by more than 1e-10.
func fitLogistic(X [][]float64, y []float64, lambda float64) []float64 {
	p := len(X[0]) + 1
	b := make([]float64, p)
	row := make([]float64, p)
	for range 100 {
		g := make([]float64, p)
		H := make([][]float64, p)
		for i := range H {
			H[i] = make([]float64, p)
		}
		for n, x := range X {
			row[0] = 1
			copy(row[1:], x)
			z := 0.0
			for j := range p {
				z += b[j] * row[j]
			}
			mu := logistic(z)
			w := mu * (1 - mu)
			for j := range p {
				g[j] += (y[n] - mu) * row[j]
				for k := range p {
					H[j][k] += w * row[j] * row[k]
				}
			}
		}
		for j := 1; j < p; j++ {
			g[j] -= 2 * lambda * b[j]
			H[j][j] += 2 * lambda
		}
		step := solve(H, g)
		moved := 0.0
		for j := range p {
			b[j] += step[j]
			moved = max(moved, math.Abs(step[j]))
		}
		if moved < 1e-10 {
			break
		}
	}
	return b
}

// solve returns x with A·x = v by Gaussian elimination with partial
// pivoting (A is small: one row per coefficient). A and v are overwritten.
func solve(A [][]float64, v []float64) []float64 {
	n := len(v)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(A[r][c]) > math.Abs(A[p][c]) {
				p = r
			}
		}
		A[c], A[p] = A[p], A[c]
		v[c], v[p] = v[p], v[c]
		for r := c + 1; r < n; r++ {
			f := A[r][c] / A[c][c]
			for k := c; k < n; k++ {
				A[r][k] -= f * A[c][k]
			}
			v[r] -= f * v[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := v[r]
		for k := r + 1; k < n; k++ {
			s -= A[r][k] * x[k]
		}
		x[r] = s / A[r][r]
	}
	return x
}

// stdErrors returns the standard errors of a fit: the square roots of the
// diagonal of the inverse of the (penalised) information matrix at b.
func stdErrors(X [][]float64, b []float64, lambda float64) []float64 {
	p := len(b)
	H := make([][]float64, p)
	for i := range H {
		H[i] = make([]float64, p)
	}
	row := make([]float64, p)
	for _, x := range X {
		row[0] = 1
		copy(row[1:], x)
		z := 0.0
		for j := range p {
			z += b[j] * row[j]
		}
		w := logistic(z) * (1 - logistic(z))
		for j := range p {
			for k := range p {
				H[j][k] += w * row[j] * row[k]
			}
		}
	}
	for j := 1; j < p; j++ {
		H[j][j] += 2 * lambda
	}
	out := make([]float64, p)
	for j := range p {
		A := make([][]float64, p)
		for i := range A {
			A[i] = append([]float64(nil), H[i]...)
		}
		e := make([]float64, p)
		e[j] = 1
		out[j] = math.Sqrt(solve(A, e)[j])
	}
	return out
}

func TestFitLogistic_ClosedForm(t *testing.T) {
	// One binary feature: the maximum-likelihood fit reproduces the two
	// groups' log-odds exactly. x=0: 1 late of 4 → log-odds ln(1/3);
	// x=1: 3 late of 4 → ln 3. So b₀ = −ln 3 and b₁ = ln 3 − (−ln 3) = 2 ln 3.
	X := [][]float64{{0}, {0}, {0}, {0}, {1}, {1}, {1}, {1}}
	y := []float64{1, 0, 0, 0, 1, 1, 1, 0}
	b := fitLogistic(X, y, 0)
	if math.Abs(b[0]+math.Log(3)) > 1e-9 || math.Abs(b[1]-2*math.Log(3)) > 1e-9 {
		t.Fatalf("got %v, want [%v %v]", b, -math.Log(3), 2*math.Log(3))
	}
}

func TestFitLogistic_RecoversCoefficients(t *testing.T) {
	// Data drawn from known coefficients come back within sampling error.
	r := rand.New(rand.NewPCG(7, 7))
	want := []float64{-1, 0.8, -0.5}
	var X [][]float64
	var y []float64
	for range 20000 {
		x := []float64{r.NormFloat64(), r.NormFloat64()}
		X = append(X, x)
		if r.Float64() < logistic(want[0]+want[1]*x[0]+want[2]*x[1]) {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	got := fitLogistic(X, y, 0)
	for j := range want {
		if math.Abs(got[j]-want[j]) > 0.06 {
			t.Errorf("b%d = %.3f, want %.3f ± 0.06", j, got[j], want[j])
		}
	}
}

// riskData is the design matrix of a book: each labelled customer's
// factor x values as of the cutoff, and whether they paid late.
func riskData(book []SynthCustomer) (X [][]float64, y []float64, profiles []Profile) {
	for _, c := range book {
		if !c.Labeled {
			continue
		}
		p := BuildProfile(c.History, bookCutoff)
		profiles = append(profiles, p)
		x := make([]float64, nFactors)
		for i := range factorDefs {
			x[i] = factorDefs[i].x(factorDefs[i].value(&p))
		}
		X = append(X, x)
		if c.Late {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	return X, y, profiles
}

// TestFitRisk fits the risk model and prints it as Go code for risk.go.
// It is slow (20,000 customers), so it runs only on request:
//
//	SETTLE_FIT_RISK=1 go test -run TestFitRisk ./internal/assess -v
func TestFitRisk(t *testing.T) {
	if os.Getenv("SETTLE_FIT_RISK") == "" {
		t.Skip("set SETTLE_FIT_RISK=1 to refit the risk model")
	}
	book := SynthBook(1, 20000, bookStart, bookCutoff, bookEnd)
	Xall, y, profiles := riskData(book)
	// Customers with no history get the neutral prior, not the model.
	var X [][]float64
	var yh []float64
	var noHist, noHistLate int
	for i, p := range profiles {
		if p.InvoicesDue == 0 {
			noHist++
			noHistLate += int(y[i])
			continue
		}
		X = append(X, Xall[i])
		yh = append(yh, y[i])
	}
	t.Logf("training: %d labelled customers with history, late rate %.3f; %d without history, late rate %.3f",
		len(X), mean(yh), noHist, float64(noHistLate)/float64(max(noHist, 1)))

	// Fit; while any factor's coefficient comes out negative (a sign that
	// contradicts its meaning: what it says is already said, more
	// reliably, by the others), drop the most negative one in standardised
	// terms (coefficient × standard deviation) and refit. Every factor
	// then only ever adds risk.
	const lambda = 1.0
	active := make([]bool, nFactors)
	for i := range active {
		active[i] = true
	}
	sd := make([]float64, nFactors)
	for i := range sd {
		col := make([]float64, len(X))
		for n := range X {
			col[n] = X[n][i]
		}
		m := mean(col)
		for _, v := range col {
			sd[i] += (v - m) * (v - m)
		}
		sd[i] = math.Sqrt(sd[i] / float64(len(col)))
	}
	var coef, se, dropped [nFactors]float64
	var intercept float64
	for {
		var cols []int
		for i, a := range active {
			if a {
				cols = append(cols, i)
			}
		}
		sub := make([][]float64, len(X))
		for n, x := range X {
			sub[n] = make([]float64, len(cols))
			for k, c := range cols {
				sub[n][k] = x[c]
			}
		}
		b := fitLogistic(sub, yh, lambda)
		errs := stdErrors(sub, b, lambda)
		coef, se = [nFactors]float64{}, [nFactors]float64{}
		intercept = b[0]
		worst, worstZ := -1, 0.0
		for k, c := range cols {
			coef[c], se[c] = b[k+1], errs[k+1]
			if z := b[k+1] * sd[c]; z < worstZ {
				worst, worstZ = c, z
			}
		}
		if worst < 0 {
			break
		}
		t.Logf("dropping %s: fitted %.4f (standardised %.3f)", factorDefs[worst].name, coef[worst], worstZ)
		active[worst] = false
		dropped[worst] = coef[worst]
	}
	for i := range factorDefs {
		t.Logf("%-20s coef %8.4f  s.e. %.4f  sd(x) %.3f", factorDefs[i].name, coef[i], se[i], sd[i])
	}
	// What is pasted into risk.go is rounded to 4 decimals; calibrate the
	// rounded model, so that the constants reproduce exactly.
	m := riskModel{version: currentModel.version, intercept: round4(intercept)}
	for i := range coef {
		m.coef[i] = round4(coef[i])
	}

	// Calibrate: regress the outcome on the rounded score (all labelled
	// customers, the neutral prior included).
	var S [][]float64
	var scores []float64
	for i := range profiles {
		s := float64(m.score(&profiles[i]).Score)
		S = append(S, []float64{s})
		scores = append(scores, s)
	}
	cal := fitLogistic(S, y, 0)
	m.calA, m.calB = round4(cal[0]), round4(cal[1])
	pos := make([]bool, len(y))
	for i := range y {
		pos[i] = y[i] == 1
	}
	t.Logf("training AUC %.4f", AUC(scores, pos))

	var b strings.Builder
	fmt.Fprintf(&b, "var currentModel = riskModel{\n\tversion:   %q,\n\tintercept: %.4f,\n\tcoef: [nFactors]float64{\n", m.version, m.intercept)
	for i := range factorDefs {
		note := fmt.Sprintf("%.2f points per unit of x", PointsPerLogit*m.coef[i])
		if dropped[i] != 0 {
			note = fmt.Sprintf("dropped (fitted %.4f)", dropped[i])
		}
		fmt.Fprintf(&b, "\t\t%.4f, // %s: %s\n", m.coef[i], factorDefs[i].name, note)
	}
	fmt.Fprintf(&b, "\t},\n\tcalA: %.4f,\n\tcalB: %.4f,\n}\n", m.calA, m.calB)
	t.Logf("paste into risk.go:\n%s", b.String())
	if m != currentModel {
		t.Errorf("the fit differs from currentModel in risk.go: paste the model above")
	}
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
