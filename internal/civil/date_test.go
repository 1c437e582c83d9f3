package civil

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone tests must not depend on the machine's zoneinfo
)

// Compile-time checks that Date plugs into database/sql and encoding.
var (
	_ sql.Scanner   = (*Date)(nil)
	_ driver.Valuer = Date{}
)

func date(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

func TestParse_Valid(t *testing.T) {
	tests := []struct {
		in   string
		want Date
	}{
		{"2026-01-05", date(2026, time.January, 5)},
		{"2028-02-29", date(2028, time.February, 29)},
		{"2000-02-29", date(2000, time.February, 29)},
		{"1900-01-01", date(1900, time.January, 1)},
		{"2199-12-31", date(2199, time.December, 31)},
		{"2026-04-30", date(2026, time.April, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParse_Invalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"month 13", "2026-13-01"},
		{"month 0", "2026-00-10"},
		{"day 0", "2026-01-00"},
		{"day 32", "2026-01-32"},
		{"April 31", "2026-04-31"},
		{"Feb 29 non-leap", "2026-02-29"},
		{"Feb 29 century non-leap", "1900-02-29"},
		{"Feb 30 leap", "2028-02-30"},
		{"year 0", "0000-01-01"},
		{"empty", ""},
		{"slashes", "2026/01/05"},
		{"single digit month", "2026-1-05"},
		{"single digit day", "2026-01-5"},
		{"2-digit year", "26-01-05"},
		{"5-digit year", "20260-01-05"},
		{"no separators", "20260105"},
		{"trailing time", "2026-01-05T00:00:00Z"},
		{"trailing space", "2026-01-05 "},
		{"leading space", " 2026-01-05"},
		{"sign in year", "+026-01-05"},
		{"sign in month", "2026-+1-05"},
		{"letters", "2026-Jan-05"},
		{"day first", "05-01-2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.in, got)
			}
			want := `"` + tt.in + `" is not a date (YYYY-MM-DD)`
			if err.Error() != want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.in, err, want)
			}
		})
	}
}

func TestDate_String(t *testing.T) {
	tests := []struct {
		name string
		d    Date
		want string
	}{
		{"ordinary", date(2026, time.January, 5), "2026-01-05"},
		{"zero", Date{}, ""},
		{"year 1", date(1, time.December, 31), "0001-12-31"},
		{"out of range year", date(10000, time.January, 1), "10000-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDate_IsValid(t *testing.T) {
	tests := []struct {
		d    Date
		want bool
	}{
		{date(2026, time.January, 5), true},
		{Date{}, false},
		{date(2026, time.February, 29), false},
		{date(2026, 13, 1), false},
		{date(0, time.January, 1), false},
		{date(10000, time.January, 1), false},
	}
	for _, tt := range tests {
		if got := tt.d.IsValid(); got != tt.want {
			t.Errorf("%+v.IsValid() = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestNew_Normalises(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		d    int
		want Date
	}{
		{2026, time.February, 30, date(2026, time.March, 2)},
		{2028, time.February, 30, date(2028, time.March, 1)},
		{2026, 13, 1, date(2027, time.January, 1)},
		{2026, 0, 1, date(2025, time.December, 1)},
		{2026, time.March, 0, date(2026, time.February, 28)},
		{2026, time.January, -1, date(2025, time.December, 30)},
		{2026, time.January, 400, date(2027, time.February, 4)},
	}
	for _, tt := range tests {
		got := New(tt.y, tt.m, tt.d)
		if got != tt.want {
			t.Errorf("New(%d, %d, %d) = %v, want %v", tt.y, tt.m, tt.d, got, tt.want)
		}
		if want := Of(time.Date(tt.y, tt.m, tt.d, 0, 0, 0, 0, time.UTC)); got != want {
			t.Errorf("New(%d, %d, %d) = %v, time.Date gives %v", tt.y, tt.m, tt.d, got, want)
		}
	}
}

func TestDate_AddDays(t *testing.T) {
	tests := []struct {
		d    Date
		n    int
		want Date
	}{
		{date(2026, time.January, 31), 1, date(2026, time.February, 1)},
		{date(2028, time.February, 28), 1, date(2028, time.February, 29)},
		{date(2026, time.February, 28), 1, date(2026, time.March, 1)},
		{date(2026, time.January, 1), -1, date(2025, time.December, 31)},
		{date(2026, time.March, 29), 0, date(2026, time.March, 29)},
		{date(1999, time.December, 31), 366, date(2000, time.December, 31)},
	}
	for _, tt := range tests {
		if got := tt.d.AddDays(tt.n); got != tt.want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", tt.d, tt.n, got, tt.want)
		}
	}
}

func TestDate_AddMonths(t *testing.T) {
	tests := []struct {
		name string
		d    Date
		n    int
		want Date
	}{
		{"Jan 31 +1 non-leap", date(2026, time.January, 31), 1, date(2026, time.February, 28)},
		{"Jan 31 +1 leap", date(2028, time.January, 31), 1, date(2028, time.February, 29)},
		{"Jan 31 +2", date(2026, time.January, 31), 2, date(2026, time.March, 31)},
		{"Mar 31 -1", date(2026, time.March, 31), -1, date(2026, time.February, 28)},
		{"Dec 31 +2 non-leap", date(2025, time.December, 31), 2, date(2026, time.February, 28)},
		{"Dec 31 +2 leap", date(2027, time.December, 31), 2, date(2028, time.February, 29)},
		{"May 31 +1", date(2026, time.May, 31), 1, date(2026, time.June, 30)},
		{"Jan 15 +12", date(2026, time.January, 15), 12, date(2027, time.January, 15)},
		{"Jan 15 -1", date(2026, time.January, 15), -1, date(2025, time.December, 15)},
		{"Jan 15 -13", date(2026, time.January, 15), -13, date(2024, time.December, 15)},
		{"Feb 29 +12", date(2028, time.February, 29), 12, date(2029, time.February, 28)},
		{"Feb 29 +48", date(2028, time.February, 29), 48, date(2032, time.February, 29)},
		{"zero months", date(2026, time.July, 4), 0, date(2026, time.July, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.AddMonths(tt.n); got != tt.want {
				t.Errorf("%v.AddMonths(%d) = %v, want %v", tt.d, tt.n, got, tt.want)
			}
		})
	}
}

func TestDate_DaysSinceHandWorked(t *testing.T) {
	tests := []struct {
		d, o Date
		want int
	}{
		{date(2026, time.March, 1), date(2026, time.February, 1), 28},
		{date(2028, time.March, 1), date(2028, time.February, 1), 29},
		{date(2027, time.January, 1), date(2026, time.January, 1), 365},
		{date(2029, time.January, 1), date(2028, time.January, 1), 366},
		{date(2026, time.January, 1), date(2027, time.January, 1), -365},
		{date(2001, time.January, 1), date(1901, time.January, 1), 36525}, // 25 leap years, 2000 included
		{date(2001, time.January, 1), date(1601, time.January, 1), 146097},
		{date(2026, time.March, 30), date(2026, time.March, 29), 1}, // EU DST change night
		{date(1970, time.January, 1), date(1970, time.January, 1), 0},
	}
	for _, tt := range tests {
		if got := tt.d.DaysSince(tt.o); got != tt.want {
			t.Errorf("%v.DaysSince(%v) = %d, want %d", tt.d, tt.o, got, tt.want)
		}
	}
}

// randomDate returns a valid date in 1900..2200.
func randomDate(t *testing.T, rng *rand.Rand) Date {
	t.Helper()
	y := 1900 + rng.IntN(301)
	m := time.Month(1 + rng.IntN(12))
	return date(y, m, 1+rng.IntN(DaysIn(y, m)))
}

// TestDate_DaysSinceRandom checks the day-number arithmetic against an
// independent method: the difference of UTC midnights, which has no DST.
// It uses Unix seconds because time.Time.Sub saturates at about 292 years.
func TestDate_DaysSinceRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260105, 2))
	for range 10_000 {
		d, o := randomDate(t, rng), randomDate(t, rng)
		td := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		to := time.Date(o.Year, o.Month, o.Day, 0, 0, 0, 0, time.UTC)
		want := int((td.Unix() - to.Unix()) / (24 * 60 * 60))
		if got := d.DaysSince(o); got != want {
			t.Fatalf("%v.DaysSince(%v) = %d, want %d", d, o, got, want)
		}
		if back := o.AddDays(want); back != d {
			t.Fatalf("%v.AddDays(%d) = %v, want %v", o, want, back, d)
		}
		if got := d.Weekday(); got != td.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", d, got, td.Weekday())
		}
		if got, want := d.Compare(o), td.Compare(to); got != want {
			t.Fatalf("%v.Compare(%v) = %d, want %d", d, o, got, want)
		}
	}
}

func TestDate_Compare(t *testing.T) {
	a := date(2026, time.January, 5)
	b := date(2026, time.January, 6)
	c := date(2025, time.December, 31)
	if !a.Before(b) || a.After(b) || a.Compare(b) != -1 {
		t.Errorf("%v vs %v: want before", a, b)
	}
	if !a.After(c) || a.Before(c) || a.Compare(c) != 1 {
		t.Errorf("%v vs %v: want after", a, c)
	}
	if !a.Equal(a) || a.Compare(a) != 0 || a.Before(a) || a.After(a) {
		t.Errorf("%v vs itself: want equal", a)
	}
	if a.Equal(b) {
		t.Errorf("%v.Equal(%v) = true", a, b)
	}
}

func TestDaysIn_Months(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		want int
	}{
		{2026, time.January, 31},
		{2026, time.February, 28},
		{2028, time.February, 29},
		{1900, time.February, 28},
		{2000, time.February, 29},
		{2026, time.April, 30},
		{2026, time.December, 31},
		{2027, 14, 29}, // month 14 of 2027 is February 2028
	}
	for _, tt := range tests {
		if got := DaysIn(tt.y, tt.m); got != tt.want {
			t.Errorf("DaysIn(%d, %d) = %d, want %d", tt.y, tt.m, got, tt.want)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func TestOf_OwnLocation(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	// 2026-01-05 23:30 in Tokyo is still 2026-01-05 14:30 UTC.
	tm := time.Date(2026, time.January, 5, 23, 30, 0, 0, tokyo)
	if got := Of(tm); got != date(2026, time.January, 5) {
		t.Errorf("Of = %v, want 2026-01-05", got)
	}
	if got := In(tm, time.UTC); got != date(2026, time.January, 5) {
		t.Errorf("In UTC = %v, want 2026-01-05", got)
	}
	ny := mustLoad(t, "America/New_York")
	if got := In(tm, ny); got != date(2026, time.January, 5) {
		t.Errorf("In New York = %v, want 2026-01-05", got)
	}
	early := time.Date(2026, time.January, 5, 3, 0, 0, 0, tokyo) // 2026-01-04 18:00 UTC
	if got := In(early, time.UTC); got != date(2026, time.January, 4) {
		t.Errorf("In UTC = %v, want 2026-01-04", got)
	}
	if got := In(early, nil); got != date(2026, time.January, 4) {
		t.Errorf("In nil = %v, want 2026-01-04 (UTC)", got)
	}
}

func TestDate_In(t *testing.T) {
	tests := []struct {
		name string
		zone string
		d    Date
		want string // RFC 3339 in the zone
	}{
		{"UTC", "UTC", date(2026, time.January, 5), "2026-01-05T00:00:00Z"},
		{"ordinary DST day", "Europe/Berlin", date(2026, time.March, 29), "2026-03-29T00:00:00+01:00"},
		{"summer", "Europe/Berlin", date(2026, time.July, 1), "2026-07-01T00:00:00+02:00"},
		// Midnight skipped: the day starts at 01:00 after the jump.
		{"gap Sao Paulo", "America/Sao_Paulo", date(2018, time.November, 4), "2018-11-04T01:00:00-02:00"},
		{"gap Santiago", "America/Santiago", date(2022, time.September, 11), "2022-09-11T01:00:00-03:00"},
		{"gap Havana", "America/Havana", date(2023, time.March, 12), "2023-03-12T01:00:00-04:00"},
		{"gap Beirut", "Asia/Beirut", date(2023, time.March, 26), "2023-03-26T01:00:00+03:00"},
		// Midnight twice: the earlier one.
		{"repeat Havana", "America/Havana", date(2023, time.November, 5), "2023-11-05T00:00:00-04:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoad(t, tt.zone)
			got := tt.d.In(loc)
			if s := got.Format(time.RFC3339); s != tt.want {
				t.Errorf("%v.In(%s) = %s, want %s", tt.d, tt.zone, s, tt.want)
			}
			if back := Of(got); back != tt.d {
				t.Errorf("Of(%v.In(%s)) = %v", tt.d, tt.zone, back)
			}
			// Nothing before it may still be on the same day.
			if prev := In(got.Add(-time.Nanosecond), loc); prev != tt.d.AddDays(-1) {
				t.Errorf("instant before %v.In(%s) is on %v, want the previous day", tt.d, tt.zone, prev)
			}
		})
	}
}

func TestDate_InNilIsUTC(t *testing.T) {
	got := date(2026, time.January, 5).In(nil)
	if !got.Equal(time.Date(2026, time.January, 5, 0, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("In(nil) = %v, want midnight UTC", got)
	}
}

func TestDate_Scan(t *testing.T) {
	want := date(2026, time.January, 5)
	tokyo := mustLoad(t, "Asia/Tokyo")
	tests := []struct {
		name    string
		src     any
		want    Date
		wantErr bool
	}{
		{"string", "2026-01-05", want, false},
		{"bytes", []byte("2026-01-05"), want, false},
		{"RFC 3339 string", "2026-01-05T00:00:00Z", want, false},
		{"RFC 3339 with offset keeps written date", "2026-01-05T00:00:00+09:00", want, false},
		{"space timestamp", "2026-01-05 00:00:00+00", want, false},
		{"space timestamp bytes", []byte("2026-01-05 00:00:00"), want, false},
		{"time UTC midnight", time.Date(2026, time.January, 5, 0, 0, 0, 0, time.UTC), want, false},
		{"time in its own zone", time.Date(2026, time.January, 5, 0, 0, 0, 0, tokyo), want, false},
		{"nil", nil, Date{}, false},
		{"empty string", "", Date{}, false},
		{"bad string", "2026-02-30", Date{}, true},
		{"bad separator after date", "2026-01-05X00:00", Date{}, true},
		{"int", int64(20260105), Date{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := date(1999, time.December, 31) // Scan must overwrite
			err := d.Scan(tt.src)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Scan(%#v) error = %v, wantErr %v", tt.src, err, tt.wantErr)
			}
			if !tt.wantErr && d != tt.want {
				t.Errorf("Scan(%#v) = %v, want %v", tt.src, d, tt.want)
			}
		})
	}
}

func TestDate_Value(t *testing.T) {
	tests := []struct {
		name    string
		d       Date
		want    driver.Value
		wantErr bool
	}{
		{"date", date(2026, time.January, 5), "2026-01-05", false},
		{"zero is NULL", Date{}, nil, false},
		{"invalid", date(2026, time.February, 30), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.d.Value()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Value() error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Value() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDate_JSONRoundTrip(t *testing.T) {
	type invoice struct {
		Issued Date  `json:"issued"`
		Due    Date  `json:"due"`
		Paid   *Date `json:"paid"`
	}
	in := invoice{Issued: date(2026, time.January, 5), Due: date(2026, time.February, 28)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := `{"issued":"2026-01-05","due":"2026-02-28","paid":null}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var out invoice
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if out != in {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}

	zero, err := json.Marshal(invoice{})
	if err != nil {
		t.Fatalf("Marshal zero: %v", err)
	}
	if want := `{"issued":"","due":"","paid":null}`; string(zero) != want {
		t.Errorf("Marshal zero = %s, want %s", zero, want)
	}
	var back invoice
	if err := json.Unmarshal(zero, &back); err != nil || back != (invoice{}) {
		t.Errorf("Unmarshal zero = %+v, %v", back, err)
	}
}

func TestDate_JSONErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"invalid date", `{"d":"2026-02-30"}`},
		{"wrong format", `{"d":"05/01/2026"}`},
		{"number", `{"d":20260105}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct{ D Date }
			if err := json.Unmarshal([]byte(tt.in), &v); err == nil {
				t.Errorf("Unmarshal(%s) = %+v, want error", tt.in, v)
			}
		})
	}
	if _, err := json.Marshal(date(2026, 13, 1)); err == nil || !strings.Contains(err.Error(), "invalid date") {
		t.Errorf("Marshal of invalid date error = %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	inputs := []string{"2026-01-05", "1999-12-31", "2028-02-29", "2026-07-15"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Parse(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkDate_String(b *testing.B) {
	d := date(2026, time.January, 5)
	b.ReportAllocs()
	for b.Loop() {
		_ = d.String()
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-01-05", "2028-02-29", "2026-02-29", "0001-01-01", "9999-12-31", "2026-13-01", "", "2026-1-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		// Oracle: the standard library's strict layout, minus year 0000.
		ref, refErr := time.Parse(time.DateOnly, s)
		refOK := refErr == nil && ref.Year() >= 1 && len(s) == 10
		if refOK && !Of(ref).InRange() {
			// A real date outside MinDate..MaxDate: refused, saying so.
			if !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("Parse(%q) = %v, %v; want an out-of-range error", s, d, err)
			}
			refOK = false
		}
		if err != nil {
			if refOK {
				t.Fatalf("Parse(%q): %v, but time.Parse reads %v", s, err, ref)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("Parse(%q) error %q does not quote the value", s, err)
			}
			return
		}
		if !refOK || Of(ref) != d {
			t.Fatalf("Parse(%q) = %v, time.Parse = %v, %v", s, d, ref, refErr)
		}
		if !d.IsValid() {
			t.Fatalf("Parse(%q) = %+v, which is not valid", s, d)
		}
		out := d.String()
		if out != s {
			t.Fatalf("Parse(%q).String() = %q; the strict form should print back unchanged", s, out)
		}
		again, err := Parse(out)
		if err != nil || again != d {
			t.Fatalf("Parse(String()=%q) = %v, %v; want %v", out, again, err, d)
		}
		if l, err := ISOLayout.Parse(s); err != nil || l != d {
			t.Fatalf("ISOLayout.Parse(%q) = %v, %v; want %v", s, l, err, d)
		}
	})
}

// FuzzLayout: ParseLayout either refuses a format with an error quoting
// it, or gives a Layout whose Parse returns only valid dates (errors quote
// the value) and reads back every date written in that format (YY: years
// 2000..2099 only).
func FuzzLayout(f *testing.F) {
	f.Add("DD/MM/YYYY", "29/02/2028", int64(0))
	f.Add("D.M.YY", "1.2.26", int64(20000))
	f.Add("YYYY-MM-DD", "2026-02-29", int64(-719162))
	f.Add("M/D/YYYY", "12/31/9999", int64(2932896))
	f.Add("DM YYYY", "111 2026", int64(1))
	f.Add("YYYYY", "", int64(0))
	f.Fuzz(func(t *testing.T, format, s string, day int64) {
		l, err := ParseLayout(format)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", format)) {
				t.Fatalf("ParseLayout(%q) error %q does not quote the format", format, err)
			}
			return
		}
		if l.String() != format {
			t.Fatalf("Layout.String() = %q, want %q", l.String(), format)
		}
		if d, err := l.Parse(s); err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("Parse(%q) in %q: error %q does not quote the value", s, format, err)
			}
		} else if !d.IsValid() {
			t.Fatalf("Parse(%q) in %q = %+v, not a valid date", s, format, d)
		}
		// A date from the fuzzer's day number, 0001-01-01 .. 9999-12-31.
		const first, last = -719162, 2932896 // day numbers of those dates
		n := first + int(((day%(last-first+1))+(last-first+1))%(last-first+1))
		d := fromDayNumber(n)
		if !d.IsValid() {
			t.Fatalf("day %d: %+v invalid", n, d)
		}
		if strings.Contains(format, "YY") && !strings.Contains(format, "YYYY") && (d.Year < 2000 || d.Year > 2099) {
			return
		}
		out := formatIn(format, d)
		back, err := l.Parse(out)
		if !d.InRange() {
			if !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("%v written in %q is %q, which parses to %v, %v; want an out-of-range error", d, format, out, back, err)
			}
			return
		}
		if err != nil || back != d {
			t.Fatalf("%v written in %q is %q, which parses to %v, %v", d, format, out, back, err)
		}
	})
}

// formatIn writes d in a layout format (test-only: civil has no writer).
func formatIn(format string, d Date) string {
	var b strings.Builder
	for i := 0; i < len(format); {
		run := 1
		for i+run < len(format) && format[i+run] == format[i] {
			run++
		}
		switch {
		case format[i] == 'Y' && run == 4:
			fmt.Fprintf(&b, "%04d", d.Year)
		case format[i] == 'Y':
			fmt.Fprintf(&b, "%02d", d.Year%100)
		case format[i] == 'M' && run == 2:
			fmt.Fprintf(&b, "%02d", int(d.Month))
		case format[i] == 'M':
			fmt.Fprintf(&b, "%d", int(d.Month))
		case format[i] == 'D' && run == 2:
			fmt.Fprintf(&b, "%02d", d.Day)
		case format[i] == 'D':
			fmt.Fprintf(&b, "%d", d.Day)
		default:
			b.WriteByte(format[i])
			run = 1
		}
		i += run
	}
	return b.String()
}

// TestParse_Range: the supported range's edges, by hand.
func TestParse_Range(t *testing.T) {
	for in, ok := range map[string]bool{
		"1899-12-31": false, "1900-01-01": true, "2199-12-31": true, "2200-01-01": false,
		"0001-01-01": false, "9999-12-31": false,
	} {
		d, err := Parse(in)
		if ok && (err != nil || d.String() != in) {
			t.Errorf("Parse(%q) = %v, %v; want it accepted", in, d, err)
		}
		if !ok && (!errors.Is(err, ErrOutOfRange) || !strings.Contains(err.Error(), `"`+in+`" is outside the supported dates 1900-01-01 to 2199-12-31`)) {
			t.Errorf("Parse(%q) = %v, %v; want the out-of-range error", in, d, err)
		}
		if l, err := ISOLayout.Parse(in); ok != (err == nil) || (!ok && !errors.Is(err, ErrOutOfRange)) {
			t.Errorf("ISOLayout.Parse(%q) = %v, %v", in, l, err)
		}
	}
	// Stored rows from before the range still load.
	var d Date
	if err := d.Scan("9999-12-31"); err != nil || d != date(9999, time.December, 31) {
		t.Errorf("Scan(9999-12-31) = %v, %v", d, err)
	}
	if CheckRange(date(2200, time.January, 30)) == nil || CheckRange(date(2199, time.December, 31)) != nil {
		t.Error("CheckRange at the edge")
	}
}
