package collect

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"settle/internal/civil"
	"settle/internal/plan"
)

// propertyCases is how many random decisions TestDecide_Properties checks.
const propertyCases = 5000

var (
	propZones = []string{"America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo",
		"Europe/London", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "Asia/Kathmandu", "", "Nope/Zone"}
	propCountries = []string{"US", "US", "US", "GB", "DE", "FR", "JP", "AU", "BR", ""}
	propKinds     = []string{Consumer, Consumer, Business, ""}
	propChannels  = []string{Email, SMS, Letter, Call, Call, Meeting}
)

func randomParty(rng *rand.Rand) Party {
	p := Party{
		Kind:         propKinds[rng.IntN(len(propKinds))],
		Jurisdiction: propCountries[rng.IntN(len(propCountries))],
		TimeZone:     propZones[rng.IntN(len(propZones))],
	}
	for _, ch := range []string{Email, SMS, Letter, Call, Meeting} {
		if rng.IntN(10) == 0 {
			if p.OptOuts == nil {
				p.OptOuts = map[string]bool{}
			}
			p.OptOuts[ch] = true
		}
	}
	return p
}

// randomInstant is uniform over 2026–2027 to the second; a quarter of the
// draws land in a DST-change week, where the bugs would be.
func randomInstant(rng *rand.Rand) time.Time {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if rng.IntN(4) == 0 {
		weeks := []time.Time{
			time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 26, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 29, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC),
		}
		return weeks[rng.IntN(len(weeks))].Add(time.Duration(rng.Int64N(7*24*3600)) * time.Second)
	}
	return base.Add(time.Duration(rng.Int64N(2*365*24*3600)) * time.Second)
}

// randomHistory: up to 15 attempts from 10 days before to 2 days after want,
// mostly calls about INV-1; sometimes a burst of 8 calls in the last week to
// make the cap bite.
func randomHistory(rng *rand.Rand, want time.Time) []Attempt {
	var h []Attempt
	n := rng.IntN(16)
	if rng.IntN(3) == 0 {
		for range 8 {
			h = append(h, Attempt{At: want.Add(-time.Duration(rng.Int64N(7*24*3600)) * time.Second), Channel: Call, DebtID: "INV-1"})
		}
	}
	for range n {
		a := Attempt{
			At:           want.Add(time.Duration(rng.Int64N(12*24*3600)-10*24*3600) * time.Second),
			Channel:      Call,
			DebtID:       "INV-1",
			Conversation: rng.IntN(10) == 0,
		}
		if rng.IntN(4) == 0 {
			a.Channel = propChannels[rng.IntN(len(propChannels))]
		}
		if rng.IntN(4) == 0 {
			a.DebtID = "INV-2"
		}
		h = append(h, a)
	}
	return h
}

func randomRules(rng *rand.Rand) Rules {
	r := DefaultRules()
	if rng.IntN(4) == 0 {
		r.SkipHolidays = false
	}
	if rng.IntN(4) == 0 {
		r.MaxCallsPer7Days = 1 + rng.IntN(7)
	}
	if rng.IntN(5) == 0 {
		r.CallWindow = DailyWindow{From: Clock{7, 0}, To: Clock{12, 15}, Weekdays: true}
	}
	if rng.IntN(5) == 0 {
		r.QuietAfterConversation = time.Duration(1+rng.IntN(10)) * 24 * time.Hour
	}
	return r
}

// partyCalendar is the holiday calendar the checker uses: the country if
// plan knows it, else none.
func partyCalendar(p Party) string {
	c := strings.ToUpper(strings.TrimSpace(p.Jurisdiction))
	if slices.Contains(plan.HolidayCountries(), c) {
		return c
	}
	return ""
}

// checkSlot re-derives the rules from docs/contact-rules.md independently of
// the implementation and reports what at violates.
func checkSlot(p Party, ch, debt string, at time.Time, history []Attempt, r Rules) error {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" || p.TimeZone == "Local" {
		loc = time.UTC
	}
	consumer := p.Kind != Business
	lt := at.In(loc)
	d := civil.Of(lt)
	wall := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	dur := func(c Clock) time.Duration {
		return time.Duration(c.Hour)*time.Hour + time.Duration(c.Minute)*time.Minute
	}
	in := func(from, to Clock) bool { return wall >= dur(from) && wall < dur(to) }
	weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	cal := partyCalendar(p)
	holiday := false
	if weekday && cal != "" {
		bd, _ := plan.IsBusinessDay(cal, d)
		holiday = !bd
	}
	where := fmt.Sprintf("%s %s (%s)", lt.Format("15:04:05 Mon 2006-01-02"), loc, ch)
	switch ch {
	case Call, Meeting:
		if r.CallWindow.Weekdays && !weekday {
			return fmt.Errorf("%s: weekend", where)
		}
		if !in(r.CallWindow.From, r.CallWindow.To) {
			return fmt.Errorf("%s: outside the call window", where)
		}
		if consumer && !in(r.ConsumerEarliest, r.ConsumerLatest) {
			return fmt.Errorf("%s: outside consumer hours", where)
		}
		if r.SkipHolidays && holiday {
			return fmt.Errorf("%s: public holiday in %s", where, cal)
		}
	case Email, SMS:
		if consumer {
			if !in(r.ConsumerEarliest, r.ConsumerLatest) {
				return fmt.Errorf("%s: outside consumer hours", where)
			}
		} else {
			if r.BusinessWindow.Weekdays && !weekday {
				return fmt.Errorf("%s: weekend", where)
			}
			if !in(r.BusinessWindow.From, r.BusinessWindow.To) {
				return fmt.Errorf("%s: outside business hours", where)
			}
		}
		if r.SkipHolidays && holiday {
			return fmt.Errorf("%s: public holiday in %s", where, cal)
		}
	case Letter:
		if !weekday {
			return fmt.Errorf("%s: weekend", where)
		}
		if wall > dur(r.LetterCutoff) {
			return fmt.Errorf("%s: after the letter cutoff", where)
		}
		if r.SkipHolidays && holiday {
			return fmt.Errorf("%s: public holiday in %s", where, cal)
		}
	}
	if ch == Call && consumer && strings.ToUpper(p.Jurisdiction) == "US" {
		n := 0
		for _, a := range history {
			if a.Channel != Call || a.DebtID != debt || !a.At.Before(at) {
				continue
			}
			// Calls strictly within the 7 days before the instant: one made
			// exactly 7 days earlier has aged out (see docs/contact-rules.md).
			if a.At.After(at.Add(-7 * 24 * time.Hour)) {
				n++
			}
			if a.Conversation && at.Sub(a.At) < r.QuietAfterConversation {
				return fmt.Errorf("%s: within %v after a conversation at %v", where, r.QuietAfterConversation, a.At.In(loc))
			}
		}
		if r.MaxCallsPer7Days > 0 && n >= r.MaxCallsPer7Days {
			return fmt.Errorf("%s: %d calls in the 7 days before (cap %d)", where, n, r.MaxCallsPer7Days)
		}
	}
	return nil
}

func TestDecide_Properties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 3))
	var allowed, held, blocked, moved7 int
	for i := range propertyCases {
		p := randomParty(rng)
		ch := propChannels[rng.IntN(len(propChannels))]
		want := randomInstant(rng)
		hist := randomHistory(rng, want)
		r := randomRules(rng)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("case %d: %+v %s at %v, rules %+v:\n"+format, append([]any{i, p, ch, want, r}, args...)...)
		}

		dec := Decide(p, ch, "INV-1", want, hist, r)
		if strings.ContainsAny(dec.Reason, "\r\n") || dec.Reason == "" {
			fail("reason not one line: %q", dec.Reason)
		}
		if p.OptOuts[ch] {
			if !dec.Blocked || !dec.At.IsZero() || !strings.HasPrefix(dec.Reason, "blocked: ") {
				fail("opted out, got %+v", dec)
			}
			blocked++
			continue
		}
		if dec.Blocked {
			fail("blocked without an opt-out: %s", dec.Reason)
		}
		if dec.At.Location() != time.UTC {
			fail("At not in UTC: %v", dec.At)
		}
		if dec.At.Before(want) {
			fail("At %v before want", dec.At)
		}
		if dec.Allowed != dec.At.Equal(want) {
			fail("Allowed=%v but At=%v", dec.Allowed, dec.At)
		}
		if dec.Allowed != strings.HasPrefix(dec.Reason, "allowed: ") || !dec.Allowed && !strings.HasPrefix(dec.Reason, "held: ") {
			fail("reason prefix does not match: %q", dec.Reason)
		}
		loc, _ := location(p.TimeZone)
		if !strings.Contains(dec.Reason, loc.String()) {
			fail("reason does not name the zone %s: %q", loc, dec.Reason)
		}
		if dec.Allowed {
			allowed++
		} else {
			held++
			if !strings.Contains(dec.Reason, "; next ") {
				fail("held reason without the next slot: %q", dec.Reason)
			}
		}
		if err := checkSlot(p, ch, "INV-1", dec.At, hist, r); err != nil {
			fail("At breaks a rule: %v; reason %q", err, dec.Reason)
		}
		// Idempotence: the slot it names is one it allows.
		again := Decide(p, ch, "INV-1", dec.At, hist, r)
		if !again.Allowed || !again.At.Equal(dec.At) {
			fail("Decide at At %v is not allowed: %s (first: %s)", dec.At, again.Reason, dec.Reason)
		}
		// Earliest: an instant before a moved slot is not allowed (letters
		// go to the cutoff on purpose, so they are checked to sit on it).
		if !dec.Allowed {
			if ch == Letter {
				lt := dec.At.In(loc)
				if lt.Hour() != r.LetterCutoff.Hour || lt.Minute() != r.LetterCutoff.Minute || lt.Second() != 0 {
					fail("held letter not at the cutoff: %v", lt)
				}
			} else if before := Decide(p, ch, "INV-1", dec.At.Add(-time.Nanosecond), hist, r); before.Allowed {
				fail("At %v is not the earliest: 1 ns before is allowed (%s)", dec.At, before.Reason)
			}
			if dec.At.Sub(want) > 7*24*time.Hour {
				moved7++
			}
		}
	}
	t.Logf("%d cases: %d allowed, %d held (%d by more than 7 days), %d blocked by opt-out", propertyCases, allowed, held, moved7, blocked)
	if allowed < propertyCases/10 || held < propertyCases/10 || blocked == 0 {
		t.Errorf("the generator does not exercise all outcomes")
	}
}
