package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
)

// Charts are drawn here, on the server, as SVG: no chart library, no
// script. Geometry goes into SVG that stretches to its box
// (preserveAspectRatio="none", strokes that do not scale) while every word
// — axis labels, legends, amounts — is HTML beside it, so text stays
// legible from 360 px phones to wide screens. Each chart is an image with
// an accessible name that states its figures, and the page shows the same
// figures in a table. Amounts are money (int64 minor units); only the
// scaling to pixels uses floats.

// esc escapes text for SVG/HTML content and attribute values.
func esc(s string) string { return template.HTMLEscapeString(s) }

// num writes a coordinate with at most two decimals.
func num(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// bucketLabels name the aging buckets for people, indexed like ledger.BucketNames.
var bucketLabels = [...]string{"Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"}

// agingBar draws one currency's aging as a stacked bar: each bucket's share
// of the total, current first. The accessible name lists every bucket.
func agingBar(b ledger.Buckets) template.HTML {
	total := b.Total()
	var parts []string
	for k, a := range b.Amounts {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", bucketLabels[k], formatAmount(a, b.Currency), strings.TrimSpace(percentOf(a, total))))
	}
	label := fmt.Sprintf("Aging of %s receivables, total %s: %s", b.Currency, formatMoney(total, b.Currency), strings.Join(parts, ", "))
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="stack" viewBox="0 0 1000 24" preserveAspectRatio="none" role="img" aria-label="%s">`, esc(label))
	if total.Sign() <= 0 {
		s.WriteString(`<rect class="empty" x="0" y="0" width="1000" height="24"/>`)
	}
	var cum money.Wide
	for k, a := range b.Amounts {
		if a.Sign() <= 0 || total.Sign() <= 0 {
			continue
		}
		x0 := wideFloat(cum) / wideFloat(total) * 1000
		cum = cum.Add(a)
		x1 := wideFloat(cum) / wideFloat(total) * 1000
		fmt.Fprintf(&s, `<rect class="seg b%d" x="%s" y="0" width="%s" height="24" vector-effect="non-scaling-stroke"><title>%s: %s (%s)</title></rect>`,
			k, num(x0), num(x1-x0), esc(bucketLabels[k]), esc(formatMoney(a, b.Currency)), esc(percentOf(a, total)))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// niceCeil returns the smallest "nice" number of major units (1, 2, 2.5 or
// 5 times a power of ten) at or above max, and that number in minor units.
func niceCeil(maxMinor int64, cur money.Currency) (major, minor int64) {
	unit := cur.Unit()
	need := (maxMinor + unit - 1) / unit // whole major units, rounded up
	if need < 1 {
		need = 1
	}
	for p := int64(1); p <= math.MaxInt64/100; p *= 10 {
		for _, m := range []int64{10, 20, 25, 50} { // tenths of the step
			if (m == 25 && p < 10) || p > math.MaxInt64/m {
				continue
			}
			if v := m * p / 10; v >= need {
				if v > math.MaxInt64/unit {
					return v, math.MaxInt64
				}
				return v, v * unit
			}
		}
	}
	return need, need * unit
}

// forecastChart is the weekly cash forecast of one currency as stacked
// columns (plans below, promises above) on a scale from 0 to a nice
// maximum. It returns the SVG and the axis labels, top first.
func forecastChart(f service.CurrencyForecast) (svg template.HTML, axis []string) {
	// The scale is computed in int64; a peak beyond it (only possible with
	// absurd data) is drawn saturated at the top, its label still exact.
	var peak int64
	for _, w := range f.Weeks {
		t, ok := w.Total().Int64()
		if !ok {
			t = math.MaxInt64
		}
		peak = max(peak, t)
	}
	top, topMinor := niceCeil(peak, f.Currency)
	axis = []string{formatMajor(top), formatMajor(top / 2), "0"}
	if top%2 != 0 {
		axis[1] = groupThousands(money.New(topMinor/2, f.Currency).String())
	}
	var parts []string
	for _, w := range f.Weeks {
		parts = append(parts, fmt.Sprintf("week of %s %s", formatDay(w.Start), formatAmount(w.Total(), f.Currency)))
	}
	label := fmt.Sprintf("Cash expected in %s from plans and promises by week: %s", f.Currency, strings.Join(parts, ", "))
	const width, height, col = 800.0, 200.0, 100.0
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="columns" viewBox="0 0 %s %s" preserveAspectRatio="none" role="img" aria-label="%s">`, num(width), num(height), esc(label))
	for _, y := range []float64{0, height / 2, height} {
		fmt.Fprintf(&s, `<line class="grid" x1="0" x2="%s" y1="%s" y2="%s" vector-effect="non-scaling-stroke"/>`, num(width), num(y), num(y))
	}
	scale := func(v money.Wide) float64 { return min(height, wideFloat(v)/float64(topMinor)*height) }
	for i, w := range f.Weeks {
		x := float64(i)*col + col*0.2
		bw := col * 0.6
		title := fmt.Sprintf("Week of %s: plans %s, promises %s", formatDate(w.Start), formatMoney(w.Plans, f.Currency), formatMoney(w.Promises, f.Currency))
		fmt.Fprintf(&s, `<g><title>%s</title>`, esc(title))
		hp := scale(w.Plans)
		hq := scale(w.Promises)
		if w.Plans.Sign() > 0 {
			fmt.Fprintf(&s, `<rect class="fc-plan" x="%s" y="%s" width="%s" height="%s"/>`, num(x), num(height-hp), num(bw), num(hp))
		}
		if w.Promises.Sign() > 0 {
			fmt.Fprintf(&s, `<rect class="fc-promise" x="%s" y="%s" width="%s" height="%s"/>`, num(x), num(height-hp-hq), num(bw), num(hq))
		}
		// An invisible full-height target, so the tooltip works on empty weeks too.
		fmt.Fprintf(&s, `<rect class="hit" x="%s" y="0" width="%s" height="%s"/></g>`, num(float64(i)*col), num(col), num(height))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()), axis
}

// sparkline draws a small line of monthly figures (nil: undefined, a gap
// in the line), scaled between their minimum and maximum, with a dot on
// the latest. label is its accessible name.
func sparkline(values []*float64, label string) template.HTML {
	const w, h, pad = 100.0, 28.0, 3.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if v != nil {
			lo, hi = math.Min(lo, *v), math.Max(hi, *v)
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="spark" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s">`, num(w), num(h), num(w), num(h), esc(label))
	if math.IsInf(lo, 1) {
		s.WriteString(`</svg>`)
		return template.HTML(s.String())
	}
	step := w - 2*pad
	if len(values) > 1 {
		step /= float64(len(values) - 1)
	}
	pt := func(i int, v float64) (float64, float64) {
		y := h / 2
		if hi > lo {
			y = pad + (hi-v)/(hi-lo)*(h-2*pad)
		}
		return pad + float64(i)*step, y
	}
	var run []string
	flush := func() {
		if len(run) > 1 {
			fmt.Fprintf(&s, `<polyline points="%s"/>`, strings.Join(run, " "))
		}
		run = run[:0]
	}
	last := -1
	for i, v := range values {
		if v == nil {
			flush()
			continue
		}
		x, y := pt(i, *v)
		run = append(run, num(x)+","+num(y))
		last = i
	}
	flush()
	x, y := pt(last, *values[last])
	fmt.Fprintf(&s, `<circle cx="%s" cy="%s" r="2.5"/>`, num(x), num(y))
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// sparkLabel names a sparkline: "DSO by month: Jun 2026 41.2 days, …".
func sparkLabel(name, unit string, months []civil.Date, values []*float64) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = formatMonth(months[i]) + " " + formatFigure(v, unit)
	}
	return name + " by month: " + strings.Join(parts, ", ")
}
