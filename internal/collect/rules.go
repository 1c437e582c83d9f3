// Package collect holds the contact rules of the collections run: may we
// contact this customer on this channel at this instant, and if not, when
// is the next allowed slot (domain.md §4 "contact at convenient times" and
// §5 "rules that bind": Regulation F, opt-outs).
//
// The package is pure like the other domain packages: no SQL, no HTTP and
// no clock. Every function takes the instant it decides for, so the same
// inputs always give the same decision, and tests can pin any date,
// including DST changes and holidays. A contact is never dropped, only
// moved: the one exception is an opt-out, which blocks the channel for good
// (the caller picks another). Every decision carries a one-line reason an
// agent can read to a customer or a supervisor.
//
// The rules are explained, with the choices made where the brief or the
// regulation left room, in docs/contact-rules.md.
package collect

import (
	"time"

	"settle/internal/apperr"
)

// Channels.
const (
	Email   = "email"
	SMS     = "sms"
	Letter  = "letter"
	Call    = "call"
	Meeting = "meeting"
)

// Party kinds. Anything else is treated as a consumer: consumer rules are
// the stricter ones, so a missing kind can never make us call too early.
const (
	Consumer = "consumer"
	Business = "business"
)

// Party is who we contact.
type Party struct {
	Kind         string          // "consumer" or "business"
	Jurisdiction string          // ISO country, e.g. US, GB, DE (decides Regulation F and the holiday calendar)
	TimeZone     string          // IANA; invalid/empty → UTC (and say so in the explanation)
	OptOuts      map[string]bool // channels the customer opted out of
}

// Attempt is a past contact attempt (for the call caps).
type Attempt struct {
	At           time.Time
	Channel      string
	DebtID       string // the debt (invoice or plan) it was about
	Conversation bool   // a telephone conversation actually took place (reached the person)
}

// Clock is a local wall-clock time of day. 24:00 is allowed as the end of
// a window ("until midnight").
type Clock struct{ Hour, Minute int }

// DailyWindow is a local wall-clock window [From, To) repeated every day,
// or only Monday to Friday when Weekdays is set.
type DailyWindow struct {
	From, To Clock
	Weekdays bool // Mon–Fri only
}

// Rules are the contact rules; DefaultRules() gives domain.md's defaults, a
// policy may tighten them.
type Rules struct {
	CallWindow             DailyWindow   // default weekdays 09:30–11:30 local: calls and meetings
	ConsumerEarliest       Clock         // 08:00 local: no consumer contact before (call, meeting, sms, email)
	ConsumerLatest         Clock         // 21:00 local: no consumer contact at or after
	BusinessWindow         DailyWindow   // default weekdays 08:00–18:00 local for business emails/SMS
	LetterCutoff           Clock         // letters are posted on business days; default 16:00 local
	MaxCallsPer7Days       int           // 7 (Regulation F §1006.14(b)(2)(i), US consumers, per debt); 0 = no cap
	QuietAfterConversation time.Duration // 7 days (§1006.14(b)(2)(ii)) per debt; 0 = none
	SkipHolidays           bool          // no calls/meetings/letters on public holidays; no email/SMS either
}

// DefaultRules returns domain.md's defaults: calls and meetings mid-morning
// on weekdays (§4), consumers only between 08:00 and 21:00 at their location
// and the Regulation F call caps (§5), business messages in office hours,
// letters with the 16:00 post, and no contact on public holidays.
func DefaultRules() Rules {
	return Rules{
		CallWindow:             DailyWindow{From: Clock{9, 30}, To: Clock{11, 30}, Weekdays: true},
		ConsumerEarliest:       Clock{8, 0},
		ConsumerLatest:         Clock{21, 0},
		BusinessWindow:         DailyWindow{From: Clock{8, 0}, To: Clock{18, 0}, Weekdays: true},
		LetterCutoff:           Clock{16, 0},
		MaxCallsPer7Days:       7,
		QuietAfterConversation: 7 * 24 * time.Hour,
		SkipHolidays:           true,
	}
}

// Validate reports every rule that cannot work, as an apperr Invalid error
// naming the fields. Decide does not require valid rules (with an empty
// window it simply finds no slot and says so), but a policy editor should
// refuse them up front.
func (r Rules) Validate() error {
	var fs apperr.Fields
	clock := func(field string, c Clock) bool {
		if !c.valid() {
			fs.Add(field, "%02d:%02d is not a time of day (00:00–24:00)", c.Hour, c.Minute)
			return false
		}
		return true
	}
	window := func(field string, w DailyWindow) {
		okFrom := clock(field+".from", w.From)
		okTo := clock(field+".to", w.To)
		if okFrom && okTo && w.From.minutes() >= w.To.minutes() {
			fs.Add(field, "window %s–%s is empty: from must be before to", w.From, w.To)
		}
	}
	window("call_window", r.CallWindow)
	window("business_window", r.BusinessWindow)
	okE := clock("consumer_earliest", r.ConsumerEarliest)
	okL := clock("consumer_latest", r.ConsumerLatest)
	if okE && okL {
		if r.ConsumerEarliest.minutes() >= r.ConsumerLatest.minutes() {
			fs.Add("consumer_latest", "consumer hours %s–%s are empty", r.ConsumerEarliest, r.ConsumerLatest)
		} else if r.CallWindow.From.valid() && r.CallWindow.To.valid() &&
			max(r.CallWindow.From.minutes(), r.ConsumerEarliest.minutes()) >= min(r.CallWindow.To.minutes(), r.ConsumerLatest.minutes()) {
			fs.Add("call_window", "call window %s–%s lies outside consumer hours %s–%s: consumers could never be called",
				r.CallWindow.From, r.CallWindow.To, r.ConsumerEarliest, r.ConsumerLatest)
		}
	}
	clock("letter_cutoff", r.LetterCutoff)
	if r.MaxCallsPer7Days < 0 {
		fs.Add("max_calls_per_7_days", "must be 0 (no cap) or more, not %d", r.MaxCallsPer7Days)
	}
	if r.QuietAfterConversation < 0 {
		fs.Add("quiet_after_conversation", "must not be negative")
	}
	return fs.Err("contact rules")
}

func (c Clock) valid() bool {
	return c.Hour >= 0 && c.Minute >= 0 && c.Minute < 60 && (c.Hour < 24 || c.Hour == 24 && c.Minute == 0)
}

func (c Clock) minutes() int { return c.Hour*60 + c.Minute }

// String returns "HH:MM" ("??:??" for a clock that is not a time of day).
func (c Clock) String() string {
	var b [5]byte
	return string(appendClock(b[:0], c))
}

// clockMin and clockMax compare two clocks by wall-clock minutes.
func clockMax(a, b Clock) Clock {
	if a.minutes() >= b.minutes() {
		return a
	}
	return b
}

func clockMin(a, b Clock) Clock {
	if a.minutes() <= b.minutes() {
		return a
	}
	return b
}
