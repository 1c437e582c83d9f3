package web

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"settle/internal/civil"
	"settle/internal/money"
)

// Formatting for people: amounts with thousands separators and exactly the
// currency's minor digits (from money.Amount.String, never through a
// float), dates as "1 Jun 2026", KPI figures to one decimal.

// groupThousands puts a comma between every three digits of the integer
// part of a decimal string: "-1234567.50" → "-1,234,567.50".
func groupThousands(s string) string { return money.GroupDigits(s, ",", ".") }

// formatAmount formats minor units of a currency: "1,234.50" (USD),
// "1,200" (JPY).
//
// It takes an int64 of minor units or a money.Wide (report sums, which may
// exceed an int64 and are shown in full).
func formatAmount[T minorUnits](minor T, cur money.Currency) string {
	return groupThousands(wideOf(minor).Text(cur))
}

// formatMoney is formatAmount with the currency code: "USD 1,234.50".
func formatMoney[T minorUnits](minor T, cur money.Currency) string {
	return string(cur) + "\u00a0" + formatAmount(minor, cur)
}

// minorUnits are the two kinds of minor-unit figures pages show.
type minorUnits interface{ int64 | money.Wide }

func wideOf[T minorUnits](v T) money.Wide {
	switch x := any(v).(type) {
	case money.Wide:
		return x
	case int64:
		return money.WideOf(x)
	}
	panic("unreachable: minorUnits is int64 or money.Wide")
}

// wideFloat is w as a float64, for chart geometry only (never for money).
func wideFloat(w money.Wide) float64 {
	f, _ := new(big.Float).SetInt(w.Big()).Float64()
	return f
}

// formatMajor formats a whole number of major units: 12000 → "12,000".
func formatMajor(n int64) string { return groupThousands(strconv.FormatInt(n, 10)) }

// formatDate is "1 Jun 2026".
func formatDate(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", d.Day, d.Month.String()[:3], d.Year)
}

// formatDay is "1 Jun" (the year is clear from the context).
func formatDay(d civil.Date) string { return fmt.Sprintf("%d %s", d.Day, d.Month.String()[:3]) }

// formatMonth is "Jun 2026".
func formatMonth(d civil.Date) string { return d.Month.String()[:3] + " " + strconv.Itoa(d.Year) }

// formatFigure formats a KPI (days or percent, already rounded to 0.1);
// nil is undefined and shown as a dash.
func formatFigure(v *float64, unit string) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64) + unit
}

// percentOf is part/whole as a whole percent ("37 %"), rounded half up in
// exact integer arithmetic; "" when whole is zero.
func percentOf[T minorUnits](part, whole T) string {
	pw, ww := wideOf(part), wideOf(whole)
	if ww.Sign() <= 0 || pw.Sign() < 0 {
		return ""
	}
	num := new(big.Int).Mul(pw.Big(), big.NewInt(200))
	num.Add(num, ww.Big())
	p := num.Quo(num, new(big.Int).Mul(ww.Big(), big.NewInt(2)))
	return p.String() + "\u00a0%"
}

// formatTime is "22 Nov 2026, 17:05 UTC".
func formatTime(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 MST") }

// queueNames are the task queues as staff call them.
var queueNames = map[string]string{"tier1": "Tier 1 (agents)", "tier2": "Tier 2 (senior agents)", "legal": "Legal"}

func queueName(q string) string {
	if n, ok := queueNames[q]; ok {
		return n
	}
	return q
}

// roleNames are the roles as the UI shows them.
var roleNames = map[string]string{"admin": "Administrator", "agent": "Agent", "viewer": "Viewer"}

func roleName(r string) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return r
}
