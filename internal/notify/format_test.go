package notify

import (
	"strings"
	"testing"
	"time"

	"settle/internal/money"
)

// sp makes expectations readable: "~" stands for a no-break space.
func sp(s string) string { return strings.ReplaceAll(s, "~", nbsp) }

func TestParseLocale(t *testing.T) {
	for tag, want := range map[string]locale{
		"":            {lang: "en"},
		"en":          {lang: "en"},
		"en-US":       {lang: "en", region: "US"},
		"en_us":       {lang: "en", region: "US"},
		"EN-GB":       {lang: "en", region: "GB"},
		"de":          {lang: "de"},
		"de-DE":       {lang: "de", region: "DE"},
		"de-AT":       {lang: "de", region: "AT"},
		"fr-FR":       {lang: "fr", region: "FR"},
		"fr-CA":       {lang: "fr", region: "CA"},
		"ja-JP":       {lang: "en", region: "JP"},
		"nl":          {lang: "en"},
		"sr-Latn-RS":  {lang: "en", region: "RS"},
		"es-419":      {lang: "en", region: "419"},
		"zh-Hant-TW":  {lang: "en", region: "TW"},
		"de-CH-1996":  {lang: "de", region: "CH"},
		"--":          {lang: "en"},
		"fr-x-custom": {lang: "fr"},
	} {
		if got := parseLocale(tag); got != want {
			t.Errorf("parseLocale(%q) = %+v, want %+v", tag, got, want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	en, us, de, fr := parseLocale("en"), parseLocale("en-US"), parseLocale("de"), parseLocale("fr")
	cases := []struct {
		amount string
		cur    money.Currency
		l      locale
		want   string
	}{
		{"1234.50", "USD", en, "1,234.50~USD"},
		{"1234.50", "USD", us, "1,234.50~USD"},
		{"1234.50", "EUR", de, "1.234,50~EUR"},
		{"1234.50", "EUR", fr, "1~234,50~EUR"},
		{"0.05", "EUR", de, "0,05~EUR"},
		{"999.99", "EUR", fr, "999,99~EUR"},
		{"1000", "EUR", en, "1,000.00~EUR"},
		{"1234567.89", "GBP", en, "1,234,567.89~GBP"},
		{"1234567.89", "EUR", de, "1.234.567,89~EUR"},
		{"1234567.89", "EUR", fr, "1~234~567,89~EUR"},
		{"123456", "JPY", en, "123,456~JPY"},
		{"123456", "JPY", de, "123.456~JPY"},
		{"7", "JPY", fr, "7~JPY"},
		{"1234.567", "BHD", en, "1,234.567~BHD"},
		{"-1234.50", "USD", en, "-1,234.50~USD"},
		{"-0.50", "EUR", fr, "-0,50~EUR"},
		{"100000", "USD", en, "100,000.00~USD"},
	}
	for _, c := range cases {
		a := amt(c.amount, c.cur)
		if got := formatMoney(a, c.l); got != sp(c.want) {
			t.Errorf("formatMoney(%s %s, %s) = %q, want %q", c.amount, c.cur, c.l.lang, got, sp(c.want))
		}
	}
	if got := formatNumber(amt("1234.50", "EUR"), de); got != "1.234,50" {
		t.Errorf("formatNumber = %q", got)
	}
}

func TestFormatDate(t *testing.T) {
	cases := []struct {
		tag, date, long, short, withDay string
	}{
		{"en-US", "2026-03-31", "March~31,~2026", "Mar 31, 2026", "Tuesday, March~31,~2026"},
		{"en", "2026-03-31", "31~March~2026", "31 Mar 2026", "Tuesday 31~March~2026"},
		{"en-GB", "2026-03-01", "1~March~2026", "1 Mar 2026", "Sunday 1~March~2026"},
		{"de-DE", "2026-03-31", "31.~März~2026", "31.03.2026", "Dienstag, 31.~März~2026"},
		{"de", "2026-12-01", "1.~Dezember~2026", "01.12.2026", "Dienstag, 1.~Dezember~2026"},
		{"fr-FR", "2026-03-31", "31~mars~2026", "31/03/2026", "mardi 31~mars~2026"},
		{"fr", "2026-05-01", "1er~mai~2026", "01/05/2026", "vendredi 1er~mai~2026"},
		{"fr", "2026-08-15", "15~août~2026", "15/08/2026", "samedi 15~août~2026"},
	}
	for _, c := range cases {
		l := parseLocale(c.tag)
		d := day(c.date)
		if got := formatDate(d, l); got != sp(c.long) {
			t.Errorf("formatDate(%s, %s) = %q, want %q", c.date, c.tag, got, sp(c.long))
		}
		if got := formatShortDate(d, l); got != c.short {
			t.Errorf("formatShortDate(%s, %s) = %q, want %q", c.date, c.tag, got, c.short)
		}
		if got := formatDay(d, l); got != sp(c.withDay) {
			t.Errorf("formatDay(%s, %s) = %q, want %q", c.date, c.tag, got, sp(c.withDay))
		}
	}
}

func TestFormatMeeting(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	paris := mustZone(t, "Europe/Paris")
	// The instant is shown in the customer's zone, whatever zone Start carries.
	start := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		tag    string
		loc    *time.Location
		length time.Duration
		want   string
	}{
		{"en-US", ny, 30 * time.Minute, "Monday, November~2,~2026, 10:00~AM–10:30~AM (America/New_York)"},
		{"en", ny, 30 * time.Minute, "Monday 2~November~2026, 10:00–10:30 (America/New_York)"},
		{"de", paris, time.Hour, "Montag, 2.~November~2026, 16:00–17:00~Uhr (Europe/Paris)"},
		{"fr", paris, 45 * time.Minute, "lundi 2~novembre~2026, de 16~h~00 à 16~h~45 (Europe/Paris)"},
		{"en", paris, 8 * time.Hour, "Monday 2~November~2026, 16:00 – Tuesday 3~November~2026, 00:00 (Europe/Paris)"},
		{"en-US", ny, 3 * time.Hour, "Monday, November~2,~2026, 10:00~AM–1:00~PM (America/New_York)"},
	}
	for _, c := range cases {
		if got := formatMeeting(start, c.length, c.loc, parseLocale(c.tag)); got != sp(c.want) {
			t.Errorf("formatMeeting(%s) = %q, want %q", c.tag, got, sp(c.want))
		}
	}
	if got := formatMeetingShort(start, paris, parseLocale("fr")); got != sp("lundi 2~novembre~2026 à 16~h~00") {
		t.Errorf("formatMeetingShort fr = %q", got)
	}
}

func TestFrenchTypography(t *testing.T) {
	if got := frenchSpaces("Quand : demain ; vraiment ? oui !"); got != sp("Quand~: demain~; vraiment~? oui~!") {
		t.Errorf("frenchSpaces = %q", got)
	}
	for in, want := range map[string]string{
		"engager une procédure": "d'engager une procédure",
		"confier le dossier":    "de confier le dossier",
		"habiter":               "d'habiter",
		"Éviter":                "d'Éviter",
	} {
		if got := frDe(in); got != want {
			t.Errorf("frDe(%q) = %q, want %q", in, got, want)
		}
	}
}
