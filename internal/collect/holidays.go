package collect

import (
	"sync"
	"time"

	"settle/internal/civil"
	"settle/internal/plan"
)

// holidayYear marks, by day of the year (0 = 1 January), the weekdays that
// are not business days in one country: its public holidays as observed.
type holidayYear [6]uint64 // 366 bits

// holidayYears caches one holidayYear per (calendar, year). plan's calendar
// works out every holiday rule of the country on each question (about
// 2 µs), which alone would take half of a decision's budget; a year is
// computed once (366 questions, well under a millisecond) and then read in
// nanoseconds. The answers are plan.IsBusinessDay's, so the cache changes
// no decision; it grows by one entry per country and year asked about.
var holidayYears sync.Map // holidayKey → *holidayYear

type holidayKey struct {
	calendar string
	year     int
}

// isPublicHoliday reports whether weekday d is not a business day in
// calendar (a country plan has a calendar for).
func isPublicHoliday(calendar string, d civil.Date) bool {
	key := holidayKey{calendar, d.Year}
	v, ok := holidayYears.Load(key)
	if !ok {
		v, _ = holidayYears.LoadOrStore(key, buildHolidayYear(calendar, d.Year))
	}
	i := d.DaysSince(civil.Date{Year: d.Year, Month: time.January, Day: 1})
	return v.(*holidayYear)[i/64]&(1<<(i%64)) != 0
}

func buildHolidayYear(calendar string, year int) *holidayYear {
	var h holidayYear
	first := civil.Date{Year: year, Month: time.January, Day: 1}
	for i, d := 0, first; d.Year == year; i, d = i+1, d.AddDays(1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if ok, err := plan.IsBusinessDay(calendar, d); err == nil && !ok {
			h[i/64] |= 1 << (i % 64)
		}
	}
	return &h
}
