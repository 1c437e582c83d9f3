package notify

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"settle/internal/civil"
)

var inviteNow = time.Date(2026, 10, 28, 14, 5, 9, 0, time.UTC)

func parseInvite(t *testing.T, b []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b)
	}
	return cal
}

func propValue(t *testing.T, c *ics.ComponentBase, p ics.ComponentProperty) *ics.IANAProperty {
	t.Helper()
	v := c.GetProperty(p)
	if v == nil {
		t.Fatalf("no %s", p)
	}
	return v
}

// TestInvite_NewYorkAfterDST: the week after DST ends, 10:00 in New York is 15:00 UTC.
func TestInvite_NewYorkAfterDST(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	start := time.Date(2026, 11, 2, 10, 0, 0, 0, ny)
	desc := "We would like to discuss your account; invoices INV-1, INV-2 (1,714.50 USD).\n" +
		"Anna Schmidt will call you. Müller & Söhne — José Álvarez — " + strings.Repeat("long text ", 12)
	b, err := Invite("fu-01JH8Z@settle.example", "Northwind Supplies <ar@northwind.example>", "O'Neill & Sons, Ltd",
		"ap@oneill.example", start, 30*time.Minute, ny, "Call with Northwind Supplies: your account", desc, inviteNow)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(b)

	// Wire format: CRLF only, folded at 75 octets.
	if strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\r") {
		t.Error("a line does not end in CRLF")
	}
	folded := false
	for _, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("fold split a UTF-8 character: %q", l)
		}
		folded = folded || strings.HasPrefix(l, " ")
	}
	if !folded {
		t.Error("the long description was not folded")
	}
	for _, want := range []string{
		"METHOD:REQUEST\r\n", "VERSION:2.0\r\n", "PRODID:" + icsProductID + "\r\n",
		"DTSTART;TZID=America/New_York:20261102T100000\r\n",
		"DTEND;TZID=America/New_York:20261102T103000\r\n",
		"DTSTAMP:20261028T140509Z\r\n", "SEQUENCE:0\r\n", "STATUS:CONFIRMED\r\n",
		"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("lacks %q", want)
		}
	}

	cal := parseInvite(t, b)
	var method string
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			method = p.Value
		}
	}
	if method != "REQUEST" {
		t.Errorf("METHOD = %q", method)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	if got := ev.Id(); got != "fu-01JH8Z@settle.example" {
		t.Errorf("UID = %q", got)
	}
	if st, err := ev.GetDtStampTime(); err != nil || !st.Equal(inviteNow) {
		t.Errorf("DTSTAMP = %v, %v", st, err)
	}
	ds := propValue(t, &ev.ComponentBase, ics.ComponentPropertyDtStart)
	if ds.Value != "20261102T100000" || strings.Join(ds.ICalParameters["TZID"], ",") != "America/New_York" {
		t.Errorf("DTSTART = %q %v", ds.Value, ds.ICalParameters)
	}
	if s, err := ev.GetStartAt(); err != nil || !s.Equal(time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("start instant = %v (%v), want 15:00Z", s.UTC(), err)
	}
	if e, err := ev.GetEndAt(); err != nil || !e.Equal(time.Date(2026, 11, 2, 15, 30, 0, 0, time.UTC)) {
		t.Errorf("end instant = %v (%v), want 15:30Z", e.UTC(), err)
	}
	for p, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertySequence:    "0",
		ics.ComponentPropertyStatus:      "CONFIRMED",
		ics.ComponentPropertySummary:     "Call with Northwind Supplies: your account",
		ics.ComponentPropertyDescription: desc,
		ics.ComponentPropertyTransp:      "OPAQUE",
	} {
		if got := propValue(t, &ev.ComponentBase, p).Value; got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	org := propValue(t, &ev.ComponentBase, ics.ComponentPropertyOrganizer)
	if org.Value != "mailto:ar@northwind.example" || strings.Join(org.ICalParameters["CN"], ",") != "Northwind Supplies" {
		t.Errorf("ORGANIZER = %q %v", org.Value, org.ICalParameters)
	}
	atts := ev.Attendees()
	if len(atts) != 1 {
		t.Fatalf("%d attendees", len(atts))
	}
	a := atts[0]
	if a.Email() != "ap@oneill.example" || a.ParticipationStatus() != ics.ParticipationStatusNeedsAction {
		t.Errorf("ATTENDEE = %q %q", a.Email(), a.ParticipationStatus())
	}
	for k, want := range map[string]string{"RSVP": "TRUE", "ROLE": "REQ-PARTICIPANT", "CUTYPE": "INDIVIDUAL", "CN": "O’Neill & Sons Ltd"} {
		if got := strings.Join(a.ICalParameters[k], ","); got != want {
			t.Errorf("ATTENDEE %s = %q, want %q", k, got, want)
		}
	}
	if strings.Contains(raw, `\'`) || strings.Contains(raw, `\,`+"Ltd") {
		t.Error("a parameter value carries a backslash escape")
	}

	// The VTIMEZONE: EDT from the second Sunday of March, EST from the first Sunday of November.
	tzs := cal.Timezones()
	if len(tzs) != 1 {
		t.Fatalf("%d VTIMEZONEs", len(tzs))
	}
	want := []string{
		"BEGIN:DAYLIGHT\r\nDTSTART:20250309T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n",
		"BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n",
	}
	for _, w := range want {
		if !strings.Contains(raw, w) {
			t.Errorf("VTIMEZONE lacks\n%s", w)
		}
	}
	checkVTimezone(t, tzs[0], ny, 2026, 2032)
}

// TestInvite_Zones checks the VTIMEZONE of zones with different rules against Go's zone
// data, by evaluating its observances independently (see tzOffsetAt).
func TestInvite_Zones(t *testing.T) {
	cases := []struct {
		zone       string
		year       int
		from, to   int // years to check
		observance int // number of STANDARD/DAYLIGHT components expected
	}{
		{"Europe/London", 2026, 2026, 2032, 2},      // last Sunday rules, BST/GMT
		{"Europe/Berlin", 2026, 2026, 2032, 2},      // last Sunday of March / October
		{"Australia/Sydney", 2026, 2026, 2032, 2},   // southern hemisphere: first Sunday of April / October
		{"Pacific/Chatham", 2026, 2026, 2032, 2},    // +1245 / +1345
		{"Asia/Tokyo", 2026, 2025, 2032, 1},         // no DST
		{"Asia/Kolkata", 2026, 2025, 2032, 1},       // +0530
		{"America/Santiago", 2026, 2025, 2027, -1},  // "first Sunday on or after the 2nd": explicit observances
		{"America/Sao_Paulo", 2019, 2018, 2020, 4},  // DST abolished in 2019: explicit observances
		{"Africa/Casablanca", 2026, 2025, 2027, -1}, // Ramadan-based changes: explicit observances
		{"UTC", 2026, 2025, 2032, 0},                // UTC times, no VTIMEZONE
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			loc := mustZone(t, c.zone)
			start := time.Date(c.year, 3, 15, 10, 0, 0, 0, loc)
			b, err := Invite("u1", "ar@northwind.example", "", "ap@oneill.example", start, time.Hour, loc, "Call", "", inviteNow)
			if err != nil {
				t.Fatal(err)
			}
			cal := parseInvite(t, b)
			ev := cal.Events()[0]
			if s, err := ev.GetStartAt(); err != nil || !s.Equal(start) {
				t.Errorf("start = %v (%v), want %v", s, err, start)
			}
			tzs := cal.Timezones()
			if c.observance == 0 {
				if len(tzs) != 0 || !strings.Contains(string(b), "DTSTART:20260315T100000Z") {
					t.Errorf("UTC invite:\n%s", b)
				}
				return
			}
			if len(tzs) != 1 {
				t.Fatalf("%d VTIMEZONEs", len(tzs))
			}
			if n := len(tzs[0].Components); c.observance > 0 && n != c.observance {
				t.Errorf("%d observances, want %d:\n%s", n, c.observance, b)
			}
			checkVTimezone(t, tzs[0], loc, c.from, c.to)
		})
	}
}

// checkVTimezone compares the offset the VTIMEZONE gives with Go's at noon UTC of every
// day of the years from..to, skipping days with a transition (wall times there can be
// ambiguous).
func checkVTimezone(t *testing.T, tz *ics.VTimezone, loc *time.Location, from, to int) {
	t.Helper()
	obs := readObservances(t, tz)
	bad := 0
	for d := time.Date(from, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() <= to; d = d.Add(24 * time.Hour) {
		_, o1 := d.Add(-24 * time.Hour).In(loc).Zone()
		_, o2 := d.Add(24 * time.Hour).In(loc).Zone()
		_, want := d.In(loc).Zone()
		if o1 != want || o2 != want {
			continue
		}
		wall := d.Add(time.Duration(want) * time.Second) // local wall time as a UTC Time
		got, ok := tzOffsetAt(obs, wall)
		if !ok || got != want {
			bad++
			if bad <= 5 {
				t.Errorf("%s at %s: VTIMEZONE offset %d (found %v), Go %d", loc, d.Format(time.DateOnly), got, ok, want)
			}
		}
	}
}

type observance struct {
	start    time.Time // wall time in the old offset
	from, to int
	rule     *ics.RecurrenceRule
}

func readObservances(t *testing.T, tz *ics.VTimezone) []observance {
	t.Helper()
	var out []observance
	for _, c := range tz.Components {
		var cb *ics.ComponentBase
		switch o := c.(type) {
		case *ics.Standard:
			cb = &o.ComponentBase
		case *ics.Daylight:
			cb = &o.ComponentBase
		default:
			t.Fatalf("unexpected component %T in VTIMEZONE", c)
		}
		var o observance
		var err error
		o.start, err = time.Parse("20060102T150405", propValue(t, cb, ics.ComponentPropertyDtStart).Value)
		if err != nil {
			t.Fatal(err)
		}
		o.from = parseOffset(t, propValue(t, cb, ics.ComponentProperty(ics.PropertyTzoffsetfrom)).Value)
		o.to = parseOffset(t, propValue(t, cb, ics.ComponentProperty(ics.PropertyTzoffsetto)).Value)
		if r := cb.GetProperty(ics.ComponentPropertyRrule); r != nil {
			o.rule, err = ics.ParseRecurrenceRule(r.Value)
			if err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, o)
	}
	return out
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 {
		t.Fatalf("offset %q", s)
	}
	n := func(a string) int { return int(a[0]-'0')*10 + int(a[1]-'0') }
	v := n(s[1:3])*3600 + n(s[3:5])*60
	if len(s) == 7 {
		v += n(s[5:7])
	}
	if s[0] == '-' {
		v = -v
	}
	return v
}

// tzOffsetAt is a small, independent reading of RFC 5545 §3.6.5: the offset in force at
// a wall time is the TZOFFSETTO of the latest onset at or before it. It understands the
// rules vtimezone writes: yearly, one BYMONTH, one BYDAY with an ordinal (1..4 or -1).
func tzOffsetAt(obs []observance, wall time.Time) (int, bool) {
	var best time.Time
	offset, found := 0, false
	consider := func(onset time.Time, to int) {
		if !onset.After(wall) && (!found || onset.After(best)) {
			best, offset, found = onset, to, true
		}
	}
	days := map[ics.Weekday]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday,
		"WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}
	for _, o := range obs {
		consider(o.start, o.to)
		if o.rule == nil {
			continue
		}
		m := time.Month(o.rule.ByMonth[0])
		wd := days[o.rule.ByDay[0].Day]
		n := o.rule.ByDay[0].OrdWeek
		for y := o.start.Year(); y <= wall.Year(); y++ {
			var d int
			if n > 0 {
				first := civil.New(y, m, 1).Weekday()
				d = 1 + (int(wd)-int(first)+7)%7 + 7*(n-1)
			} else {
				lastDay := civil.DaysIn(y, m)
				last := civil.New(y, m, lastDay).Weekday()
				d = lastDay - (int(last)-int(wd)+7)%7
			}
			onset := time.Date(y, m, d, o.start.Hour(), o.start.Minute(), o.start.Second(), 0, time.UTC)
			if !onset.Before(o.start) {
				consider(onset, o.to)
			}
		}
	}
	return offset, found
}

func TestInvite_Errors(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	start := time.Date(2026, 11, 2, 10, 0, 0, 0, ny)
	_, err := Invite("", "not an address", "", "also bad", time.Time{}, 0, nil, " ", "", time.Time{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"uid is empty", `organizer "not an address"`, `attendee email "also bad"`, "start is zero",
		"length 0s", "time zone is nil", "summary is empty", "now is zero"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	if _, err := Invite("u", "a@b.example", "", "c@d.example", start, time.Hour, time.Local, "s", "", inviteNow); err == nil ||
		!strings.Contains(err.Error(), `"Local"`) {
		t.Errorf("time.Local: err = %v", err)
	}
}

// TestInviteFor: the follow-up message and its invitation say the same thing in the
// customer's language.
func TestInviteFor(t *testing.T) {
	for _, loc := range []string{"en", "de", "fr"} {
		t.Run(loc, func(t *testing.T) {
			d := stepData(t, StepFollowUp, ToneIndirect, loc)
			b, err := InviteFor(d, "fu-1@settle.example", "ar@creditor.example", "ap@customer.example", inviteNow)
			if err != nil {
				t.Fatal(err)
			}
			ev := parseInvite(t, b).Events()[0]
			sum := propValue(t, &ev.ComponentBase, ics.ComponentPropertySummary).Value
			desc := propValue(t, &ev.ComponentBase, ics.ComponentPropertyDescription).Value
			if !strings.Contains(sum, d.Creditor) {
				t.Errorf("summary %q lacks the creditor", sum)
			}
			f, _ := prepare(StepFollowUp, d)
			for _, w := range []string{f.meetWhen, "INV-2026-0117", "INV-2026-0142", f.total, "Anna Schmidt"} {
				if !strings.Contains(desc, plain(w)) {
					t.Errorf("description lacks %q:\n%s", w, desc)
				}
			}
			if r := []rune(desc)[0]; r < 'A' || r > 'Z' {
				t.Errorf("description starts in lower case: %q", desc[:20])
			}
			org := propValue(t, &ev.ComponentBase, ics.ComponentPropertyOrganizer)
			if org.Value != "mailto:ar@creditor.example" || org.ICalParameters["CN"][0] != paramText(d.Creditor) {
				t.Errorf("ORGANIZER %q %v", org.Value, org.ICalParameters)
			}
			if s, _ := ev.GetStartAt(); !s.Equal(d.Meeting.Start) {
				t.Errorf("start %v, want %v", s, d.Meeting.Start)
			}
		})
	}
	d := stepData(t, StepFollowUp, ToneDirect, "en")
	d.Meeting = nil
	if _, err := InviteFor(d, "u", "a@b.example", "c@d.example", inviteNow); err == nil || !strings.Contains(err.Error(), "Meeting") {
		t.Errorf("no meeting: err = %v", err)
	}
}

func TestUTCOffset(t *testing.T) {
	for sec, want := range map[int]string{0: "+0000", -18000: "-0500", 19800: "+0530", 45900: "+1245", -(3600 + 1230): "-012030"} {
		if got := utcOffset(sec); got != want {
			t.Errorf("utcOffset(%d) = %q, want %q", sec, got, want)
		}
	}
}
