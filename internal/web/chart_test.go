package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
)

func TestGroupThousands(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "12": "12", "123": "123", "1234": "1,234", "1234567.50": "1,234,567.50",
		"-1234.5": "-1,234.5", "-123": "-123", "100000": "100,000", "0.05": "0.05",
		"9223372036854775807": "9,223,372,036,854,775,807",
	} {
		if got := groupThousands(in); got != want {
			t.Errorf("groupThousands(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		cur   money.Currency
		want  string
	}{
		{123456789, "USD", "1,234,567.89"},
		{3999100, "JPY", "3,999,100"},
		{1234567, "BHD", "1,234.567"},
		{-5, "EUR", "-0.05"},
		{0, "GBP", "0.00"},
	} {
		if got := formatAmount(tc.minor, tc.cur); got != tc.want {
			t.Errorf("formatAmount(%d, %s) = %q, want %q", tc.minor, tc.cur, got, tc.want)
		}
	}
	if got := formatMoney(int64(150), "USD"); got != "USD\u00a01.50" {
		t.Errorf("formatMoney = %q", got)
	}
}

func TestPercentOf(t *testing.T) {
	for _, tc := range []struct {
		part, whole int64
		want        string
	}{
		{1, 3, "33"}, {2, 3, "67"}, {1, 2, "50"}, {1, 200, "1"}, {1, 201, "0"}, {0, 5, "0"}, {5, 5, "100"},
		{5, 0, ""}, {-1, 5, ""}, {9e17, 9e17, "100"}, {3e17, 9e17, "33"},
	} {
		want := tc.want
		if want != "" {
			want += "\u00a0%"
		}
		if got := percentOf(tc.part, tc.whole); got != want {
			t.Errorf("percentOf(%d, %d) = %q, want %q", tc.part, tc.whole, got, want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		cur   money.Currency
		major int64
	}{
		{0, "USD", 1}, {1, "USD", 1}, {100, "USD", 1}, {101, "USD", 2}, {12345, "USD", 200},
		{250000, "USD", 2500}, {250001, "USD", 5000}, {3999100, "JPY", 5000000}, {1500, "JPY", 2000},
		{2400, "JPY", 2500}, {2, "JPY", 2}, {3, "JPY", 5}, {1234, "BHD", 2},
	} {
		major, minor := niceCeil(tc.minor, tc.cur)
		unit := int64(1)
		for range tc.cur.Digits() {
			unit *= 10
		}
		if major != tc.major || minor != tc.major*unit || minor < tc.minor {
			t.Errorf("niceCeil(%d %s) = %d, %d; want %d", tc.minor, tc.cur, major, minor, tc.major)
		}
	}
}

var rectRe = regexp.MustCompile(`<rect class="seg b(\d)" x="([0-9.]+)" y="0" width="([0-9.]+)"`)

func TestAgingBar(t *testing.T) {
	// USD 100.00 current, 0 in 1–30, 300.00 in 31–60, 0, 600.00 over 90.
	b := ledger.Buckets{Currency: "USD", Amounts: [5]money.Wide{money.WideOf(10000), {}, money.WideOf(30000), {}, money.WideOf(60000)}}
	svg := string(agingBar(b))
	segs := rectRe.FindAllStringSubmatch(svg, -1)
	want := []struct {
		k    string
		x, w float64
	}{{"0", 0, 100}, {"2", 100, 300}, {"4", 400, 600}}
	if len(segs) != len(want) {
		t.Fatalf("segments %v in %s", segs, svg)
	}
	for i, s := range segs {
		x, _ := strconv.ParseFloat(s[2], 64)
		w, _ := strconv.ParseFloat(s[3], 64)
		if s[1] != want[i].k || x != want[i].x || w != want[i].w {
			t.Errorf("segment %d: bucket %s x %v width %v; want %+v", i, s[1], x, w, want[i])
		}
	}
	for _, s := range []string{
		`role="img"`,
		`aria-label="Aging of USD receivables, total USD` + "\u00a0" + `1,000.00: Current 100.00 (10` + "\u00a0" + `%), 1–30 days 0.00 (0` + "\u00a0" + `%), 31–60 days 300.00 (30`,
		"<title>Over 90 days: USD\u00a0600.00 (60\u00a0%)</title>",
	} {
		if !strings.Contains(svg, s) {
			t.Errorf("aging bar lacks %q:\n%s", s, svg)
		}
	}
	empty := string(agingBar(ledger.Buckets{Currency: "EUR"}))
	if !strings.Contains(empty, `class="empty"`) || strings.Contains(empty, "seg") {
		t.Errorf("empty bar: %s", empty)
	}
}

func TestForecastChart(t *testing.T) {
	start := civil.New(2026, 6, 1)
	f := service.CurrencyForecast{Currency: "USD"}
	for i := range 8 {
		f.Weeks = append(f.Weeks, service.ForecastWeek{Start: start.AddDays(7 * i)})
	}
	f.Weeks[0].Plans, f.Weeks[0].Promises = money.WideOf(100000), money.WideOf(50000) // 1,500.00: the scale tops at 2,000
	f.Weeks[3].Promises = money.WideOf(50000)
	svg, axis := forecastChart(f)
	if strings.Join(axis, "|") != "2,000|1,000|0" {
		t.Errorf("axis %v", axis)
	}
	for _, s := range []string{
		// 1,000.00 of 2,000 → 100 of 200 units high, at the bottom; 500.00 on top.
		`<rect class="fc-plan" x="20" y="100" width="60" height="100"/>`,
		`<rect class="fc-promise" x="20" y="50" width="60" height="50"/>`,
		`<rect class="fc-promise" x="320" y="150" width="60" height="50"/>`,
		"<title>Week of 1 Jun 2026: plans USD\u00a01,000.00, promises USD\u00a0500.00</title>",
		`aria-label="Cash expected in USD from plans and promises by week: week of 1 Jun 1,500.00, week of 8 Jun 0.00,`,
	} {
		if !strings.Contains(string(svg), s) {
			t.Errorf("forecast chart lacks %q:\n%s", s, svg)
		}
	}
	// An odd top halves to a decimal label.
	f.Weeks[3].Promises, f.Weeks[0].Plans, f.Weeks[0].Promises = money.Wide{}, money.WideOf(100), money.Wide{}
	if _, axis := forecastChart(f); strings.Join(axis, "|") != "1|0.50|0" {
		t.Errorf("axis %v", axis)
	}
}

func TestSparkline(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	svg := string(sparkline([]*float64{v(10), v(20), nil, v(30), v(20), v(10)}, "DSO <by month>"))
	lines := regexp.MustCompile(`<polyline points="([^"]+)"/>`).FindAllStringSubmatch(svg, -1)
	// A gap splits the line; values 10..30 span y 25..3; x steps 18.8.
	if len(lines) != 2 || lines[0][1] != "3,25 21.8,14" || lines[1][1] != "59.4,3 78.2,14 97,25" {
		t.Errorf("polylines %v", lines)
	}
	if !strings.Contains(svg, `<circle cx="97" cy="25"`) || !strings.Contains(svg, `aria-label="DSO &lt;by month&gt;"`) {
		t.Errorf("sparkline %s", svg)
	}
	flat := string(sparkline([]*float64{v(5), v(5)}, "x"))
	if !strings.Contains(flat, `points="3,14 97,14"`) {
		t.Errorf("flat sparkline %s", flat)
	}
	none := string(sparkline([]*float64{nil, nil}, "x"))
	if strings.Contains(none, "polyline") || strings.Contains(none, "circle") {
		t.Errorf("sparkline of nothing draws: %s", none)
	}
	one := string(sparkline([]*float64{nil, v(1)}, "x"))
	if strings.Contains(one, "polyline") || !strings.Contains(one, "circle") {
		t.Errorf("sparkline of one value: %s", one)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/worklist": "/worklist", "/customers?segment=key": "/customers?segment=key", "/": "/",
		"": "", "//evil.example": "", "/\\evil": "", "https://evil.example/": "", "javascript:x": "",
		"worklist": "", "/login": "", "/x\r\nSet-Cookie: a=b": "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(3, 15*time.Minute, func() time.Time { return now })
	for i := range 3 {
		if w := l.blocked("k"); w != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		l.fail("k")
		now = now.Add(time.Minute) // failures at 12:00, 12:01, 12:02
	}
	// 12:03: blocked until the 12:00 failure leaves the window at 12:15.
	if w := l.blocked("k"); w != 12*time.Minute {
		t.Errorf("wait %v, want 12m", w)
	}
	if l.blocked("other") != 0 {
		t.Error("another key is blocked")
	}
	now = now.Add(12 * time.Minute) // 12:15
	if w := l.blocked("k"); w != 0 {
		t.Errorf("still blocked at 12:15: %v", w)
	}
	l.fail("k") // 12:15: failures 12:01, 12:02, 12:15 → blocked until 12:16
	if w := l.blocked("k"); w != time.Minute {
		t.Errorf("wait %v, want 1m", w)
	}
	l.reset("k")
	if l.blocked("k") != 0 {
		t.Error("reset did not clear")
	}
	now = now.Add(time.Hour)
	l.fail("a")
	if _, ok := l.fails["k"]; ok {
		t.Error("a reset key is still held")
	}
}
