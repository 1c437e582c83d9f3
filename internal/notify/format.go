package notify

import (
	"strconv"
	"strings"
	"time"

	"settle/internal/civil"
	"settle/internal/money"
)

// nbsp is the no-break space (U+00A0). It separates an amount from its currency code in
// every locale and groups thousands in French, so that a word-wrapping mail client or the
// PDF never breaks "1 234,50 EUR" across lines. SMS replaces it with a plain space
// (GSM 03.38 has no no-break space; see smsText).
const nbsp = "\u00a0"

// locale is a customer's BCP 47 tag reduced to what the messages need: the language of
// the wording (en, de or fr; anything else is written in English) and the region, which
// only changes formats (en-US writes "March 31, 2026" and a 12-hour clock).
type locale struct {
	lang   string // "en", "de" or "fr"
	region string // upper case, e.g. "US", "GB", "" when none was given
}

// parseLocale reads tags such as "en", "en-GB", "en_US", "de-DE", "fr-CA" or "ja-JP"
// leniently (case and '_' vs '-' do not matter). Unknown or empty languages fall back
// to English with the region kept, so "ja-JP" is English with day-month-year dates.
func parseLocale(tag string) locale {
	parts := strings.FieldsFunc(tag, func(r rune) bool { return r == '-' || r == '_' })
	var l locale
	if len(parts) > 0 {
		l.lang = strings.ToLower(parts[0])
	}
	// The region is the first later subtag of two letters or three digits (a script
	// subtag such as "Latn" has four letters and is skipped).
	for _, p := range parts[min(1, len(parts)):] {
		if len(p) == 2 || (len(p) == 3 && p[0] >= '0' && p[0] <= '9') {
			l.region = strings.ToUpper(p)
			break
		}
	}
	switch l.lang {
	case "en", "de", "fr":
	default:
		l.lang = "en"
	}
	return l
}

// us reports whether the locale uses United States formats (month-first dates,
// 12-hour clock).
func (l locale) us() bool { return l.lang == "en" && l.region == "US" }

// separators returns the thousands and decimal separators of the locale.
func (l locale) separators() (group, decimal string) {
	switch l.lang {
	case "de":
		return ".", ","
	case "fr":
		return nbsp, ","
	default:
		return ",", "."
	}
}

// formatNumber formats a's value with the locale's separators and exactly the
// currency's minor digits (from money.Amount.String): en 1,234.50; de 1.234,50;
// fr 1 234,50 (no-break space); JPY 1,234 (no decimals); BHD 1,234.567.
func formatNumber(a money.Amount, l locale) string {
	group, decimal := l.separators()
	return money.GroupDigits(a.String(), group, decimal)
}

// formatMoney is formatNumber followed by the ISO 4217 code: "1,234.50 USD",
// "1.234,50 EUR", "1 234,50 EUR" (the space before the code is a no-break space).
func formatMoney(a money.Amount, l locale) string {
	n := formatNumber(a, l)
	if c := a.Currency(); c != "" {
		return n + nbsp + string(c)
	}
	return n
}

var (
	monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	monthsDE = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
		"August", "September", "Oktober", "November", "Dezember"}
	monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
	weekdaysEN = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	weekdaysDE = [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	weekdaysFR = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// formatDate writes d in words: en-US "March 31, 2026"; en (and en-GB, …)
// "31 March 2026"; de "31. März 2026"; fr "31 mars 2026" and "1er mars 2026" (French
// writes the first day of a month as an ordinal). The spaces are no-break spaces.
func formatDate(d civil.Date, l locale) string {
	if d.IsZero() {
		return ""
	}
	m := int(d.Month) - 1
	y := strconv.Itoa(d.Year)
	day := strconv.Itoa(d.Day)
	// No-break spaces keep a date on one line.
	switch {
	case l.lang == "de":
		return day + "." + nbsp + monthsDE[m] + nbsp + y
	case l.lang == "fr":
		if d.Day == 1 {
			day = "1er"
		}
		return day + nbsp + monthsFR[m] + nbsp + y
	case l.us():
		return monthsEN[m] + nbsp + day + "," + nbsp + y
	default:
		return day + nbsp + monthsEN[m] + nbsp + y
	}
}

// formatShortDate is the compact form used in tables: en-US "Mar 31, 2026", en
// "31 Mar 2026", de "31.03.2026", fr "31/03/2026".
func formatShortDate(d civil.Date, l locale) string {
	if d.IsZero() {
		return ""
	}
	switch {
	case l.lang == "de":
		return pad2(d.Day) + "." + pad2(int(d.Month)) + "." + strconv.Itoa(d.Year)
	case l.lang == "fr":
		return pad2(d.Day) + "/" + pad2(int(d.Month)) + "/" + strconv.Itoa(d.Year)
	case l.us():
		return monthsEN[d.Month-1][:3] + " " + strconv.Itoa(d.Day) + ", " + strconv.Itoa(d.Year)
	default:
		return strconv.Itoa(d.Day) + " " + monthsEN[d.Month-1][:3] + " " + strconv.Itoa(d.Year)
	}
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// formatDay is a date with its weekday, for appointments: en-US "Monday, November 2,
// 2026"; en "Monday 2 November 2026"; de "Montag, 2. November 2026"; fr "lundi
// 2 novembre 2026".
func formatDay(d civil.Date, l locale) string {
	wd := int(d.Weekday())
	switch {
	case l.lang == "de":
		return weekdaysDE[wd] + ", " + formatDate(d, l)
	case l.lang == "fr":
		return weekdaysFR[wd] + " " + formatDate(d, l)
	case l.us():
		return weekdaysEN[wd] + ", " + formatDate(d, l)
	default:
		return weekdaysEN[wd] + " " + formatDate(d, l)
	}
}

// formatClock writes a wall-clock time: en-US "10:00 AM"; en and de "10:00"; fr
// "10 h 00" (French typography, with no-break spaces).
func formatClock(t time.Time, l locale) string {
	switch {
	case l.lang == "fr":
		return strconv.Itoa(t.Hour()) + nbsp + "h" + nbsp + pad2(t.Minute())
	case l.us():
		return t.Format("3:04") + nbsp + t.Format("PM")
	default:
		return t.Format("15:04")
	}
}

// formatMeeting describes a meeting from start to start+length in loc, e.g.
// en-US "Monday, November 2, 2026, 10:00 AM–10:30 AM (America/New_York)",
// de "Montag, 2. November 2026, 10:00–10:30 Uhr (Europe/Berlin)",
// fr "lundi 2 novembre 2026, de 10 h 00 à 10 h 30 (Europe/Paris)".
// The time zone name is always shown: the customer may read it elsewhere.
func formatMeeting(start time.Time, length time.Duration, loc *time.Location, l locale) string {
	s := start.In(loc)
	e := s.Add(length)
	day := formatDay(civil.Of(s), l)
	zone := " (" + loc.String() + ")"
	var span string
	switch {
	case l.lang == "fr":
		span = "de " + formatClock(s, l) + " à " + formatClock(e, l)
	case l.lang == "de":
		span = formatClock(s, l) + "–" + formatClock(e, l) + nbsp + "Uhr"
	default:
		span = formatClock(s, l) + "–" + formatClock(e, l)
	}
	if !civil.Of(e).Equal(civil.Of(s)) {
		// A meeting past midnight names both days.
		span = formatClock(s, l) + " – " + formatDay(civil.Of(e), l) + ", " + formatClock(e, l)
		if l.lang == "de" {
			span += nbsp + "Uhr"
		}
	}
	return day + ", " + span + zone
}

// formatMeetingShort is the start of a meeting for subjects and SMS, without the zone:
// en-US "Monday, November 2, 2026, 10:00 AM"; en "Monday 2 November 2026, 10:00";
// de "Montag, 2. November 2026, 10:00 Uhr"; fr "lundi 2 novembre 2026 à 10 h 00".
func formatMeetingShort(start time.Time, loc *time.Location, l locale) string {
	s := start.In(loc)
	day := formatDay(civil.Of(s), l)
	switch l.lang {
	case "fr":
		return day + " à " + formatClock(s, l)
	case "de":
		return day + ", " + formatClock(s, l) + nbsp + "Uhr"
	default:
		return day + ", " + formatClock(s, l)
	}
}
