package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"settle/internal/civil"
)

// icsProductID identifies settle as the producer of invitations (PRODID).
const icsProductID = "-//settle//collections//EN"

// Invite returns an iCalendar (RFC 5545) meeting request for a call or meeting with
// the customer (domain §4: "meetings booked with more than 24 hours' notice and a
// calendar invitation"):
//
//   - METHOD:REQUEST and one VEVENT with UID, DTSTAMP (now, in UTC), SEQUENCE:0,
//     STATUS:CONFIRMED, SUMMARY, DESCRIPTION, ORGANIZER and one ATTENDEE
//     (ROLE=REQ-PARTICIPANT, PARTSTAT=NEEDS-ACTION, RSVP=TRUE);
//   - DTSTART and DTEND as wall-clock times with TZID=loc's IANA name, and a VTIMEZONE
//     for loc (see vtimezone), so calendars show the time the customer was offered
//     even if their client's zone data differ. loc = time.UTC gives UTC times ("Z")
//     and no VTIMEZONE;
//   - CRLF line endings and lines folded at 75 octets (golang-ical's serializer).
//
// organizer is "name <address>" or a bare address. Display names (CN) lose the
// characters that RFC 5545 parameter values cannot carry unquoted (, ; : " \), and an
// apostrophe becomes ’: golang-ical would otherwise escape them with a backslash,
// which calendar clients show literally. A sent invitation is updated by sending the
// same uid again with a higher SEQUENCE; this function always writes 0.
func Invite(uid string, organizer, attendeeName, attendeeEmail string, start time.Time, length time.Duration,
	loc *time.Location, summary, description string, now time.Time) ([]byte, error) {
	var errs []string
	if strings.TrimSpace(uid) == "" {
		errs = append(errs, "uid is empty")
	}
	org, err := mail.ParseAddress(organizer)
	if err != nil {
		errs = append(errs, fmt.Sprintf("organizer %q is not an email address", organizer))
	}
	att, err := mail.ParseAddress(attendeeEmail)
	if err != nil {
		errs = append(errs, fmt.Sprintf("attendee email %q is not an email address", attendeeEmail))
	}
	if start.IsZero() {
		errs = append(errs, "start is zero")
	}
	if length <= 0 {
		errs = append(errs, fmt.Sprintf("length %s is not positive", length))
	}
	switch {
	case loc == nil:
		errs = append(errs, "time zone is nil")
	case loc.String() == "Local" || loc.String() == "":
		errs = append(errs, fmt.Sprintf("time zone %q is not an IANA zone name (load it with time.LoadLocation)", loc.String()))
	}
	if strings.TrimSpace(summary) == "" {
		errs = append(errs, "summary is empty")
	}
	if now.IsZero() {
		errs = append(errs, "now is zero")
	}
	if len(errs) > 0 {
		return nil, errors.New("notify: invite: " + strings.Join(errs, "; "))
	}

	cal, err := ics.NewCalendarWithOptions(ics.WithVersion("2.0"), ics.WithProductId(icsProductID))
	if err != nil {
		return nil, fmt.Errorf("notify: invite: %w", err)
	}
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodRequest)

	s := start.In(loc)
	e := s.Add(length)
	ev := ics.NewEvent(uid)
	ev.SetDtStampTime(now)
	if loc == time.UTC {
		ev.SetStartAt(s)
		ev.SetEndAt(e)
	} else {
		cal.AddVTimezone(vtimezone(loc, s))
		const wall = "20060102T150405"
		ev.SetProperty(ics.ComponentPropertyDtStart, s.Format(wall), ics.WithTZID(loc.String()))
		ev.SetProperty(ics.ComponentPropertyDtEnd, e.Format(wall), ics.WithTZID(loc.String()))
	}
	ev.SetSequence(0)
	ev.SetStatus(ics.ObjectStatusConfirmed)
	ev.SetTimeTransparency(ics.TransparencyOpaque)
	ev.SetSummary(summary)
	if description != "" {
		ev.SetDescription(description)
	}
	var orgParams []ics.PropertyParameter
	if cn := paramText(org.Name); cn != "" {
		orgParams = append(orgParams, ics.WithCN(cn))
	}
	ev.SetOrganizer("mailto:"+org.Address, orgParams...)
	// RSVP=TRUE in RFC 5545's spelling (ics.WithRSVP writes "true").
	attParams := []ics.PropertyParameter{ics.CalendarUserTypeIndividual, ics.ParticipationRoleReqParticipant,
		ics.ParticipationStatusNeedsAction, &ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{"TRUE"}}}
	name := attendeeName
	if name == "" {
		name = att.Name
	}
	if cn := paramText(name); cn != "" {
		attParams = append(attParams, ics.WithCN(cn))
	}
	ev.AddAttendee("mailto:"+att.Address, attParams...)
	cal.AddVEvent(ev)

	var b strings.Builder
	if err := cal.SerializeTo(&b, ics.WithNewLineWindows); err != nil {
		return nil, fmt.Errorf("notify: invite: %w", err)
	}
	return []byte(b.String()), nil
}

// InviteFor is Invite for a follow-up message: the summary and description are written
// in d's language (the same opening and meeting details as the email), the time and
// zone come from d.Meeting, the organizer is d.Creditor at organizerEmail.
func InviteFor(d MessageData, uid, organizerEmail, attendeeEmail string, now time.Time) ([]byte, error) {
	d.Channel = ChannelLetter // no opt-out needed inside a calendar entry
	f, err := prepare(StepFollowUp, d)
	if err != nil {
		return nil, err
	}
	summary, description := f.lang.invite(f)
	organizer := (&mail.Address{Name: d.Creditor, Address: organizerEmail}).String()
	if _, err := mail.ParseAddress(organizerEmail); err != nil {
		organizer = organizerEmail // let Invite report it
	}
	m := d.Meeting
	return Invite(uid, organizer, d.CustomerName, attendeeEmail, m.Start, m.Length, m.Location, summary, description, now)
}

// paramText makes s safe as an unquoted iCalendar parameter value (RFC 5545 §3.1:
// no control characters, '"', ';', ':' or ','): apostrophes become ’, the other
// characters spaces, and runs of spaces collapse.
func paramText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\'':
			return '’'
		case r == '"' || r == ';' || r == ':' || r == ',' || r == '\\' || r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// transition is an instant at which a zone's UTC offset or abbreviation changes.
type transition struct {
	at          time.Time // the first instant of the new offset
	from, to    int       // offsets in seconds east of UTC before and after
	name        string    // abbreviation after, e.g. "EST"
	dst         bool      // daylight saving time after
	localOnset  time.Time // the onset as wall time in the old offset, in a UTC-located Time
	month, mday int       // of localOnset
	weekday     time.Weekday
}

// zoneTransitions finds every transition of loc in the calendar years first..last (in
// UTC), by stepping a day at a time and bisecting to the second where the zone changes.
func zoneTransitions(loc *time.Location, first, last int) []transition {
	var out []transition
	zone := func(t time.Time) (string, int, bool) {
		lt := t.In(loc)
		n, off := lt.Zone()
		return n, off, lt.IsDST()
	}
	t := time.Date(first, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(last+1, 1, 1, 0, 0, 0, 0, time.UTC)
	for t.Before(end) {
		next := t.Add(24 * time.Hour)
		n0, o0, d0 := zone(t)
		n1, o1, d1 := zone(next)
		if n0 != n1 || o0 != o1 || d0 != d1 {
			lo, hi := t, next // zone(lo) is the old one, zone(hi) the new one
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
				if n, o, d := zone(mid); n == n0 && o == o0 && d == d0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			onset := hi.UTC().Add(time.Duration(o0) * time.Second)
			out = append(out, transition{at: hi, from: o0, to: o1, name: n1, dst: d1, localOnset: onset,
				month: int(onset.Month()), mday: onset.Day(), weekday: onset.Weekday()})
		}
		t = next
	}
	return out
}

// yearlyRule finds a "BYMONTH=m;BYDAY=nWD" rule (nth or last weekday of the month at
// the same wall time) that every transition in ts follows, one per consecutive year.
// It prefers the last-weekday form when both fit (European "last Sunday" rules).
func yearlyRule(ts []transition) (string, bool) {
	if len(ts) == 0 {
		return "", false
	}
	t0 := ts[0]
	clock := func(t transition) string { return t.localOnset.Format("150405") }
	days := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	fitsLast, fitsNth := true, true
	nth := (t0.mday-1)/7 + 1
	for i, t := range ts {
		if t.localOnset.Year() != t0.localOnset.Year()+i || t.month != t0.month || t.weekday != t0.weekday ||
			clock(t) != clock(t0) || t.from != t0.from || t.to != t0.to || t.name != t0.name {
			return "", false
		}
		if t.mday+7 <= civil.DaysIn(t.localOnset.Year(), time.Month(t.month)) {
			fitsLast = false
		}
		if (t.mday-1)/7+1 != nth {
			fitsNth = false
		}
	}
	switch {
	case fitsLast:
		return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=-1%s", t0.month, days[t0.weekday]), true
	case fitsNth && nth <= 4:
		return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", t0.month, nth, days[t0.weekday]), true
	}
	return "", false
}

// vtimezone describes loc around the event time at. For a zone with regular daylight
// saving time it writes the two observances with yearly RRULEs, starting in the year
// before the event and checked against Go's zone data for eight years; a zone without
// transitions gets one STANDARD observance; anything irregular (a zone that changes
// its rules) gets the offset in force at the start of the previous year plus each
// transition of the previous, current and next year as its own observance.
func vtimezone(loc *time.Location, at time.Time) *ics.VTimezone {
	y := at.Year()
	tz := ics.NewTimezone(loc.String())
	add := func(t transition, rrule string) {
		props := []ics.IANAProperty{
			prop(ics.ComponentPropertyDtStart, t.localOnset.Format("20060102T150405")),
			prop(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(t.from)),
			prop(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(t.to)),
			prop(ics.ComponentProperty(ics.PropertyTzname), t.name),
		}
		if rrule != "" {
			props = append(props, prop(ics.ComponentPropertyRrule, rrule))
		}
		if t.dst {
			tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: ics.ComponentBase{Properties: props}})
		} else {
			tz.Components = append(tz.Components, &ics.Standard{ComponentBase: ics.ComponentBase{Properties: props}})
		}
	}
	// The state in force at the start of the previous year, as an observance that changes nothing.
	startOf := func() transition {
		t0 := time.Date(y-1, 1, 1, 0, 0, 0, 0, loc)
		name, off := t0.Zone()
		return transition{from: off, to: off, name: name, dst: t0.IsDST(),
			localOnset: time.Date(y-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	}

	all := zoneTransitions(loc, y-1, y+6)
	if len(all) == 0 {
		add(startOf(), "")
		return tz
	}
	// Regular DST: two kinds of transition (to DST, to standard), one of each per year.
	var toDST, toStd []transition
	for _, t := range all {
		if t.dst {
			toDST = append(toDST, t)
		} else {
			toStd = append(toStd, t)
		}
	}
	r1, ok1 := yearlyRule(toDST)
	r2, ok2 := yearlyRule(toStd)
	if ok1 && ok2 && len(toDST) == 8 && len(toStd) == 8 && toDST[0].localOnset.Year() == y-1 && toStd[0].localOnset.Year() == y-1 {
		first := []struct {
			t transition
			r string
		}{{toDST[0], r1}, {toStd[0], r2}}
		if toStd[0].at.Before(toDST[0].at) { // southern hemisphere: standard time starts first
			first[0], first[1] = first[1], first[0]
		}
		for _, o := range first {
			add(o.t, o.r)
		}
		return tz
	}
	add(startOf(), "")
	for _, t := range all {
		if t.at.Year() <= y+1 {
			add(t, "")
		}
	}
	return tz
}

func prop(p ics.ComponentProperty, v string) ics.IANAProperty {
	return ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: string(p), Value: v, ICalParameters: map[string][]string{}}}
}

// utcOffset formats seconds east of UTC as an RFC 5545 UTC-OFFSET: "-0500", "+0530",
// "+002030" when there are seconds.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
