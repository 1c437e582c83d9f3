// Package civil provides calendar dates with no time of day and no time
// zone: the date printed on an invoice or a bank statement.
//
// A Date is just year, month and day in the proleptic Gregorian calendar.
// Day arithmetic (AddDays, DaysSince, Weekday) works on a day number
// computed from those fields, never on time.Time durations, so it is exact
// across DST changes, leap years and centuries.
//
// The textual form is ISO 8601 "YYYY-MM-DD"; the zero Date stands for "no
// date" and prints as "". Parse (and Layout.Parse, and so JSON, CSV, query
// parameters, forms and flags) accepts only MinDate..MaxDate; a Date can
// hold years 0001..9999, which Scan still reads so that older rows load.
package civil

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// MinDate and MaxDate bound every date settle accepts as input, and every
// date it derives and stores (due dates from payment terms, installment
// dates). The range is wide enough for any real ledger and narrow enough
// that arithmetic near either end (a 30-year plan, a year of payment
// terms) never reaches the 0001..9999 limits of the textual form and the
// databases, which used to turn such input into a 500.
var (
	MinDate = Date{Year: 1900, Month: time.January, Day: 1}
	MaxDate = Date{Year: 2199, Month: time.December, Day: 31}
)

// ErrOutOfRange is what errors for real dates outside MinDate..MaxDate
// match (errors.Is).
var ErrOutOfRange = errors.New("civil: date outside the supported range")

// rangeError says, ready for a user, which date is outside the range.
type rangeError struct{ date string }

func (e rangeError) Error() string {
	return fmt.Sprintf("%q is outside the supported dates %s to %s", e.date, MinDate, MaxDate)
}

func (e rangeError) Is(target error) bool { return target == ErrOutOfRange }

// InRange reports whether d is a valid date within MinDate..MaxDate.
func (d Date) InRange() bool {
	return d.IsValid() && !d.Before(MinDate) && !d.After(MaxDate)
}

// CheckRange returns nil if d is within MinDate..MaxDate, or an error
// matching ErrOutOfRange that names d. For derived dates: the caller says
// which input led there.
func CheckRange(d Date) error {
	if d.InRange() {
		return nil
	}
	return rangeError{date: d.String()}
}

// Date is a calendar date. The zero Date means "no date".
//
// Fields may be set directly; such a Date may then be out of range (e.g.
// February 30), which IsValid reports. New normalises instead.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// New returns the date y-m-d, normalised like time.Date: February 30 becomes
// March 2 (March 1 in leap years), month 13 is January of the next year.
func New(y int, m time.Month, d int) Date {
	return fromDayNumber(dayNumber(y, m, d))
}

// Parse reads a date in strict "YYYY-MM-DD" form: a 4-digit year, a
// 2-digit month and a 2-digit day that exist in the calendar (2028-02-29
// is valid, 2026-02-29 is not), within MinDate..MaxDate. Nothing else is
// accepted: no time, no spaces, no single-digit fields. Its errors are
// worded for the user: `"x" is not a date (YYYY-MM-DD)`, or one matching
// ErrOutOfRange.
func Parse(s string) (Date, error) {
	d, ok := parseISO(s)
	if !ok {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	if !d.InRange() {
		return Date{}, rangeError{date: s}
	}
	return d, nil
}

// parseISO is the allocation-free scanner behind Parse; imports call it for
// every row, so it reads the digits by hand instead of using time.Parse.
func parseISO(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, false
	}
	date := Date{Year: y, Month: time.Month(m), Day: d}
	if !date.IsValid() {
		return Date{}, false
	}
	return date, true
}

// atoi parses s, which must be all ASCII digits (no sign) and short enough
// not to overflow; callers pass at most 4 bytes.
func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Of returns the date of t as seen in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// In returns the date of the instant t as seen in loc; a nil loc means UTC
// (time.Time.In would panic).
func In(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	return Of(t.In(loc))
}

// String returns d as "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year < 0 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 0 || d.Day > 99 {
		// Out of range for the fixed-width form; still show what is there.
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	var b [10]byte
	b[0] = byte('0' + d.Year/1000)
	b[1] = byte('0' + d.Year/100%10)
	b[2] = byte('0' + d.Year/10%10)
	b[3] = byte('0' + d.Year%10)
	b[4] = '-'
	b[5] = byte('0' + int(d.Month)/10)
	b[6] = byte('0' + int(d.Month)%10)
	b[7] = '-'
	b[8] = byte('0' + d.Day/10)
	b[9] = byte('0' + d.Day%10)
	return string(b[:])
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool {
	return d == Date{}
}

// IsValid reports whether d is a real calendar date with a year in
// 0001..9999, the range Parse and MarshalText accept.
func (d Date) IsValid() bool {
	return d.Year >= 1 && d.Year <= 9999 &&
		d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= DaysIn(d.Year, d.Month)
}

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date {
	return fromDayNumber(dayNumber(d.Year, d.Month, d.Day) + n)
}

// AddMonths returns d plus n months, keeping the day of the month but
// clamping it to the last day of the target month: January 31 plus one
// month is February 28 (29 in leap years), plus two months is March 31.
// Unlike time.Time.AddDate, it never spills into the following month, which
// is what monthly billing and due dates expect.
func (d Date) AddMonths(n int) Date {
	months := d.Year*12 + int(d.Month) - 1 + n
	y := floorDiv(months, 12)
	m := time.Month(months - y*12 + 1)
	day := d.Day
	if last := DaysIn(y, m); day > last {
		day = last
	}
	return Date{Year: y, Month: m, Day: day}
}

// DaysSince returns d − o in days: positive if d is after o, negative if it
// is before.
func (d Date) DaysSince(o Date) int {
	return dayNumber(d.Year, d.Month, d.Day) - dayNumber(o.Year, o.Month, o.Day)
}

// Compare returns -1 if d is before o, 0 if they are the same date and +1
// if d is after o. It compares fields, so normalise hand-built out-of-range
// dates with New first.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	default:
		return 0
	}
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Equal reports whether d and o are the same date.
func (d Date) Equal(o Date) bool { return d == o }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// Day number 0 is 1970-01-01, a Thursday.
	return time.Weekday(floorMod(dayNumber(d.Year, d.Month, d.Day)+int(time.Thursday), 7))
}

// In returns the first instant of d in loc, normally midnight. A nil loc
// means UTC.
//
// Where a DST change skips midnight (e.g. America/Sao_Paulo on 2018-11-04,
// when 00:00 jumped to 01:00), the day starts at the transition, and In
// returns that instant rather than time.Date's choice, which can fall on
// the previous day. Where midnight happens twice, it returns the earlier.
func (d Date) In(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	want := New(d.Year, d.Month, d.Day)
	t := time.Date(want.Year, want.Month, want.Day, 0, 0, 0, 0, loc)

	// Midnight in a gap: time.Date may pick the previous day's offset and
	// land before the day began. The zone t is in ends at the transition,
	// which is the first instant of the day.
	if Of(t).Before(want) {
		if _, end := t.ZoneBounds(); !end.IsZero() {
			t = end
		}
	}

	// Midnight twice (clocks turned back across it): if the zone before
	// t's zone had a larger offset, midnight may also have occurred in it,
	// one offset difference earlier.
	if start, _ := t.ZoneBounds(); !start.IsZero() {
		_, prevOffset := start.Add(-time.Nanosecond).Zone()
		_, offset := t.Zone()
		if prevOffset > offset {
			earlier := t.Add(-time.Duration(prevOffset-offset) * time.Second)
			if earlier.Before(start) && Of(earlier) == want &&
				earlier.Hour() == 0 && earlier.Minute() == 0 && earlier.Second() == 0 {
				t = earlier
			}
		}
	}
	return t
}

// DaysIn returns the number of days in month m of year y. Out-of-range
// months are normalised like time.Date (month 13 is January of y+1).
func DaysIn(y int, m time.Month) int {
	months := y*12 + int(m) - 1
	y = floorDiv(months, 12)
	m = time.Month(months - y*12 + 1)
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	default:
		return 31
	}
}

func isLeap(y int) bool {
	return y%4 == 0 && (y%100 != 0 || y%400 == 0)
}

// dayNumber returns the number of days from 1970-01-01 to y-m-d, using
// Howard Hinnant's days_from_civil algorithm. Out-of-range months and days
// are normalised arithmetically (day 0 is the last day of the previous
// month), the same way time.Date does.
func dayNumber(y int, m time.Month, d int) int {
	months := y*12 + int(m) - 1
	y = floorDiv(months, 12)
	mon := months - y*12 + 1 // 1..12
	// Count years from March so that the leap day is the last day of the
	// year, which makes the month lengths a simple formula.
	if mon <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                     // [0, 399]
	mp := (mon + 9) % 12                   // March = 0
	doy := (153*mp+2)/5 + d - 1            // day of the March-based year
	doe := yoe*365 + yoe/4 - yoe/100 + doy // day of the 400-year era
	return era*146097 + doe - 719468       // 719468 days from 0000-03-01 to 1970-01-01
}

// fromDayNumber is the inverse of dayNumber (Hinnant's civil_from_days).
func fromDayNumber(n int) Date {
	n += 719468
	era := floorDiv(n, 146097)
	doe := n - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11]
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return Date{Year: y, Month: time.Month(m), Day: d}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int {
	return a - floorDiv(a, b)*b
}

// MarshalText returns "YYYY-MM-DD", or "" for the zero Date. JSON uses it,
// so a Date field encodes as a JSON string.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.IsValid() {
		return nil, fmt.Errorf("civil: cannot marshal invalid date %s", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses "YYYY-MM-DD" as Parse does; "" gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Scan implements sql.Scanner. It accepts:
//   - nil, giving the zero Date (SQL NULL);
//   - string or []byte holding "YYYY-MM-DD", or a timestamp that starts
//     with one ("2026-01-05T00:00:00Z", "2026-01-05 00:00:00+00"), as some
//     drivers return for DATE columns; the date part is taken as written;
//     "" gives the zero Date;
//   - time.Time, taking its year, month and day in its own location, which
//     is how drivers hand back a stored date (midnight UTC).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = Of(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("civil: cannot scan %T into Date", src)
	}
}

func (d *Date) scanText(s string) error {
	if s == "" {
		*d = Date{}
		return nil
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	// Not Parse: a stored date outside MinDate..MaxDate (written before
	// the range was enforced) must still load.
	p, ok := parseISO(s)
	if !ok {
		return fmt.Errorf("civil: scan: %q is not a date (YYYY-MM-DD)", s)
	}
	*d = p
	return nil
}

// Value implements driver.Valuer: "YYYY-MM-DD", or nil (SQL NULL) for the
// zero Date. A string is used rather than time.Time so that no driver can
// shift the date through a time zone.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	if !d.IsValid() {
		return nil, fmt.Errorf("civil: cannot store invalid date %s", d)
	}
	return d.String(), nil
}
