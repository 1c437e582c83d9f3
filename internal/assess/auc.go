package assess

import (
	"math"
	"slices"
)

// AUC is the area under the ROC curve of scores against outcomes: the
// probability that a randomly chosen positive (late) case scores higher
// than a randomly chosen negative one, ties counting one half. It is
// computed exactly as the Mann–Whitney U statistic from mid-ranks:
//
//	AUC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋)
//
// where R₊ is the sum of the positives' ranks (tied scores share the mean
// of their ranks). It is NaN when either class is empty. 0.5 is a coin
// toss, 1 a perfect ranking.
func AUC(scores []float64, positive []bool) float64 {
	n := min(len(scores), len(positive))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return 0
	})
	var rankSum float64
	var pos int
	for i := 0; i < n; {
		j := i
		for j < n && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+1+j) / 2 // ranks i+1 .. j share their mean
		for _, k := range idx[i:j] {
			if positive[k] {
				rankSum += mid
				pos++
			}
		}
		i = j
	}
	neg := n - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	np := float64(pos)
	return (rankSum - np*(np+1)/2) / (np * float64(neg))
}
