package collect

import (
	"math/rand/v2"
	"testing"
	"time"

	"settle/internal/civil"
	"settle/internal/plan"
)

func TestNextMeetingSlot(t *testing.T) {
	tests := []struct {
		name   string
		p      Party
		after  string
		lead   time.Duration
		length time.Duration
		rules  func(*Rules)
		want   string // "" = no slot
		zone   string
	}{
		// Thu 24 Dec 10:00 GMT + 24 h = Fri 25 Dec (Christmas), Sat, Sun,
		// Mon 28 Dec (Boxing Day substitute) → Tue 29 Dec 09:30 GMT.
		{"gb_christmas", londonBusiness, "2026-12-24T10:00:00Z", 0, 30 * time.Minute, nil, "2026-12-29T09:30:00Z", "Europe/London"},
		// Meetings skip holidays even when the policy lets other contact happen on them.
		{"gb_christmas_skip_off", londonBusiness, "2026-12-24T10:00:00Z", 0, 30 * time.Minute,
			func(r *Rules) { r.SkipHolidays = false }, "2026-12-29T09:30:00Z", "Europe/London"},
		// Tue 10 Mar 10:00 CDT → Wed 10:00 CDT.
		{"next_day_same_time", chicagoConsumer, "2026-03-10T15:00:00Z", 24 * time.Hour, 30 * time.Minute, nil, "2026-03-11T15:00:00Z", "America/Chicago"},
		// 11:10 + 30 min ends after 11:30: Thursday 09:30 CDT.
		{"no_room_for_length", chicagoConsumer, "2026-03-10T16:10:00Z", 24 * time.Hour, 30 * time.Minute, nil, "2026-03-12T14:30:00Z", "America/Chicago"},
		// 11:00 + 30 min ends at 11:30 exactly: fits.
		{"exactly_room", chicagoConsumer, "2026-03-10T16:00:00Z", 24 * time.Hour, 30 * time.Minute, nil, "2026-03-11T16:00:00Z", "America/Chicago"},
		// 11:10 rounds up to 11:15, and 11:15 + 20 min ends after 11:30.
		{"rounding_then_no_room", chicagoConsumer, "2026-03-10T16:10:00Z", 24 * time.Hour, 20 * time.Minute, nil, "2026-03-12T14:30:00Z", "America/Chicago"},
		// 10:07:33 rounds up to the quarter hour.
		{"quarter_hour_grid", chicagoConsumer, "2026-03-10T15:07:33Z", 24 * time.Hour, 30 * time.Minute, nil, "2026-03-11T15:15:00Z", "America/Chicago"},
		// Fri 6 Mar 10:00 EST + 24 h = Saturday → Mon 9 Mar 09:30 EDT (13:30Z, not 14:30Z).
		{"us_dst", nyConsumer, "2026-03-06T15:00:00Z", 24 * time.Hour, 30 * time.Minute, nil, "2026-03-09T13:30:00Z", "America/New_York"},
		// Thu 26 Mar 11:00 CET + 24 h = Fri 11:00, no room for an hour →
		// Mon 30 Mar 09:30 CEST = 07:30Z.
		{"eu_dst", berlinConsumer, "2026-03-26T10:00:00Z", 24 * time.Hour, time.Hour, nil, "2026-03-30T07:30:00Z", "Europe/Berlin"},
		{"longer_lead_kept", nyConsumer, "2026-03-09T14:00:00Z", 72 * time.Hour, 30 * time.Minute, nil, "2026-03-12T14:00:00Z", "America/New_York"},
		{"short_lead_raised_to_24h", nyConsumer, "2026-03-09T14:00:00Z", time.Hour, 30 * time.Minute, nil, "2026-03-10T14:00:00Z", "America/New_York"},
		{"whole_window", nyConsumer, "2026-03-09T12:00:00Z", 0, 2 * time.Hour, nil, "2026-03-10T13:30:00Z", "America/New_York"},
		// Zero length: 11:14 → 11:15, which still starts inside the window;
		// 11:29 would round to 11:30, the window's end, and go to the next day.
		{"zero_length", nyConsumer, "2026-03-09T15:14:00Z", 0, 0, nil, "2026-03-10T15:15:00Z", "America/New_York"},
		{"zero_length_at_end", nyConsumer, "2026-03-09T15:29:00Z", 0, 0, nil, "2026-03-11T13:30:00Z", "America/New_York"},
		{"longer_than_window", nyConsumer, "2026-03-09T14:00:00Z", 0, 3 * time.Hour, nil, "", "America/New_York"},
		// Fri 22 May 10:00 EDT + 24 h: weekend, Memorial Day → Tue 26 May 09:30 EDT.
		{"us_memorial_day", nyConsumer, "2026-05-22T14:00:00Z", 0, 30 * time.Minute, nil, "2026-05-26T13:30:00Z", "America/New_York"},
		// A 07:00–10:00 policy window: consumers from 08:00, businesses from 07:00.
		{"consumer_hours_narrow", nyConsumer, "2026-03-09T11:00:00Z", 0, 30 * time.Minute,
			func(r *Rules) { r.CallWindow.From, r.CallWindow.To = Clock{7, 0}, Clock{10, 0} }, "2026-03-10T12:00:00Z", "America/New_York"},
		{"business_policy_window", nyBusiness, "2026-03-09T11:00:00Z", 0, 30 * time.Minute,
			func(r *Rules) { r.CallWindow.From, r.CallWindow.To = Clock{7, 0}, Clock{10, 0} }, "2026-03-10T11:00:00Z", "America/New_York"},
		{"unknown_zone_utc", Party{Kind: Business, Jurisdiction: "GB", TimeZone: "Nope/Nowhere"}, "2026-03-10T10:00:00Z", 0, 30 * time.Minute, nil,
			"2026-03-11T10:00:00Z", "UTC"},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			r := DefaultRules()
			if c.rules != nil {
				c.rules(&r)
			}
			got, loc := NextMeetingSlot(c.p, instant(t, c.after), c.lead, c.length, r)
			if loc.String() != c.zone {
				t.Errorf("zone %s, want %s", loc, c.zone)
			}
			if c.want == "" {
				if !got.IsZero() {
					t.Errorf("slot %v, want none", got)
				}
				return
			}
			if !got.Equal(instant(t, c.want)) || got.Location() != time.UTC {
				t.Errorf("slot %v (%v local), want %s", got, got.In(loc), c.want)
			}
		})
	}
}

// Properties of NextMeetingSlot over random parties, instants and lengths.
func TestNextMeetingSlot_Properties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	r := DefaultRules()
	for i := range 2000 {
		p := randomParty(rng)
		p.OptOuts = nil
		after := randomInstant(rng)
		lead := time.Duration(rng.IntN(96)) * time.Hour
		length := time.Duration(rng.IntN(9)) * 15 * time.Minute // 0..2h
		start, loc := NextMeetingSlot(p, after, lead, length, r)
		if start.IsZero() {
			t.Fatalf("case %d: no slot for %+v after %v length %v", i, p, after, length)
		}
		lt := start.In(loc)
		d := civil.Of(lt)
		if start.Before(after.Add(max(lead, 24*time.Hour))) {
			t.Fatalf("case %d: slot %v less than the lead after %v", i, start, after)
		}
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Fatalf("case %d: slot on a %v", i, wd)
		}
		if cal := partyCalendar(p); cal != "" {
			if ok, _ := plan.IsBusinessDay(cal, d); !ok {
				t.Fatalf("case %d: slot %v not a business day in %s", i, lt, cal)
			}
		}
		from := time.Date(d.Year, d.Month, d.Day, 9, 30, 0, 0, loc)
		to := time.Date(d.Year, d.Month, d.Day, 11, 30, 0, 0, loc)
		if start.Before(from) || start.Add(length).After(to) || !start.Before(to) {
			t.Fatalf("case %d: slot %v + %v outside 09:30–11:30 %s", i, lt, length, loc)
		}
		if lt.Minute()%15 != 0 || lt.Second() != 0 || lt.Nanosecond() != 0 {
			t.Fatalf("case %d: slot %v off the quarter-hour grid", i, lt)
		}
		// The slot is a contact Decide allows, and nothing on the grid
		// before it (and after the lead) would do.
		if dec := Decide(p, Meeting, "INV-1", start, nil, r); !dec.Allowed {
			t.Fatalf("case %d: Decide refuses the meeting slot: %s", i, dec.Reason)
		}
		if prev := start.Add(-slotStep); !prev.Before(after.Add(max(lead, 24*time.Hour))) {
			pd := civil.In(prev, loc)
			pfrom := time.Date(pd.Year, pd.Month, pd.Day, 9, 30, 0, 0, loc)
			pto := time.Date(pd.Year, pd.Month, pd.Day, 11, 30, 0, 0, loc)
			open := pd.Weekday() != time.Saturday && pd.Weekday() != time.Sunday
			if cal := partyCalendar(p); open && cal != "" {
				open, _ = plan.IsBusinessDay(cal, pd)
			}
			if open && !prev.Before(pfrom) && !prev.Add(length).After(pto) {
				t.Fatalf("case %d: earlier slot %v would do, got %v", i, prev.In(loc), lt)
			}
		}
	}
}
