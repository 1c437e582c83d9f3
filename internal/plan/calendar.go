package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/au"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/us"

	"settle/internal/civil"
)

// countryHolidays maps the ISO 3166 codes that Roll supports to
// rickar/cal's national holiday lists.
//
// rickar/cal has no national list for Australia, only one per state; AU
// uses New South Wales's, the state of Sydney, Australia's financial centre.
var countryHolidays = map[string][]*cal.Holiday{
	"AU": au.HolidaysNSW,
	"CA": ca.Holidays,
	"DE": de.Holidays,
	"ES": es.Holidays,
	"FR": fr.Holidays,
	"GB": gb.Holidays,
	"IE": ie.Holidays,
	"IT": it.Holidays,
	"JP": jp.Holidays,
	"NL": nl.Holidays,
	"US": us.Holidays,
}

// calendars holds one business calendar per supported country, plus
// weekends-only under "". They are built once and never modified, and
// caching is off (rickar's cache mutates under a lock and evicts entries
// at random), so sharing them between goroutines is safe.
var calendars = buildCalendars()

func buildCalendars() map[string]*cal.BusinessCalendar {
	m := map[string]*cal.BusinessCalendar{"": cal.NewBusinessCalendar()}
	for country, hols := range countryHolidays {
		c := cal.NewBusinessCalendar()
		c.AddHoliday(hols...)
		m[country] = c
	}
	return m
}

// countries returns the country codes Roll supports, sorted.
func countries() []string {
	cs := make([]string, 0, len(countryHolidays))
	for c := range countryHolidays {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	return cs
}

// calendarFor returns the business calendar of country ("" for weekends
// only), or an error message naming the country when it is not supported.
func calendarFor(country string) (*cal.BusinessCalendar, error) {
	c, ok := calendars[country]
	if !ok {
		return nil, fmt.Errorf("no holiday calendar for country %q; known: %s", country, strings.Join(countries(), ", "))
	}
	return c, nil
}

// RollCountry is the calendar Roll uses for a customer in country (ISO
// code, any case): the country's own when Roll knows its holidays, else
// "" (weekends only).
func RollCountry(country string) string {
	c := strings.ToUpper(strings.TrimSpace(country))
	if _, ok := calendars[c]; ok {
		return c
	}
	return ""
}

// isBusinessDay reports whether d is neither a weekend day nor a holiday
// (as observed: a US holiday on a Saturday is taken on the Friday) in c.
func isBusinessDay(c *cal.BusinessCalendar, d civil.Date) bool {
	// Noon UTC: rickar compares year, month and day only, so any time of
	// day works; noon keeps the date the same in every zone's view.
	return c.IsWorkday(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC))
}

// rollDate moves d to the next (RollFollowing) or previous (RollPreceding)
// business day of c if it is not one already; RollNone keeps it.
func rollDate(c *cal.BusinessCalendar, roll string, d civil.Date) civil.Date {
	step := 0
	switch roll {
	case RollFollowing:
		step = 1
	case RollPreceding:
		step = -1
	default:
		return d
	}
	// Terminates: no calendar has more than a handful of non-business days
	// in a row.
	for !isBusinessDay(c, d) {
		d = d.AddDays(step)
	}
	return d
}

// IsBusinessDay reports whether d is a business day in country (ISO code;
// "" for weekends only): no weekend day, no public holiday as observed.
// Countries without a calendar are an error naming the known ones.
func IsBusinessDay(country string, d civil.Date) (bool, error) {
	c, err := calendarFor(country)
	if err != nil {
		return false, err
	}
	return isBusinessDay(c, d), nil
}

// HolidayCountries lists the countries with a holiday calendar.
func HolidayCountries() []string { return countries() }
