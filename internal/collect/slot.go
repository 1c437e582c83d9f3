package collect

import (
	"time"

	"settle/internal/civil"
)

// MinMeetingLead is the notice a follow-up meeting or call gets at least:
// domain.md §4 books meetings "with more than 24 hours' notice", so a
// shorter lead is raised to it; a longer one is kept.
const MinMeetingLead = 24 * time.Hour

// slotStep is the grid meeting starts are put on: calendar invitations for
// 10:07:33 look like a bug, so starts are rounded up to the quarter hour of
// the customer's clock.
const slotStep = 15 * time.Minute

// NextMeetingSlot finds a follow-up meeting/call slot: the first start ≥
// after+lead (lead at least MinMeetingLead) on the customer's quarter-hour
// grid that is a business day in the party's country (whatever
// SkipHolidays says: nobody books a meeting on a bank holiday) and lies
// inside CallWindow — narrowed to consumer hours for consumers — in the
// party's time zone, with room for length before the window closes.
//
// It returns the slot in UTC and the location it was computed in (UTC when
// the party's zone is empty or unknown). The start is zero when no day in
// the next 400 has room, which only happens when length is longer than the
// window.
func NextMeetingSlot(p Party, after time.Time, lead, length time.Duration, r Rules) (start time.Time, loc *time.Location) {
	lead = max(lead, MinMeetingLead)
	length = max(length, 0)
	s := newSubject(p)
	var cr channelRules
	s.rulesFor(&cr, Meeting, &r, true)
	earliest := roundUpLocal(after.Add(lead), s.loc)
	d := civil.In(earliest, s.loc)
	for range maxSearchDays + 1 {
		if s.closed(d, &cr) == dayOpen {
			lo, hi := cr.bounds(d, s.loc)
			t := lo
			if earliest.After(t) {
				t = earliest
			}
			// A zero-length slot still has to start inside [lo, hi).
			if t.Before(hi) && !t.Add(length).After(hi) {
				return t.UTC(), s.loc
			}
		}
		d = d.AddDays(1)
	}
	return time.Time{}, s.loc
}

// roundUpLocal rounds t up to the next slotStep of the wall clock in loc.
// Every zone in use today has an offset that is a multiple of 15 minutes,
// so this is also UTC's quarter hour; rounding on the local clock keeps it
// right for any zone that is not.
func roundUpLocal(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	into := time.Duration(lt.Minute())*time.Minute + time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	if rem := into % slotStep; rem != 0 {
		return t.Add(slotStep - rem)
	}
	return t
}
