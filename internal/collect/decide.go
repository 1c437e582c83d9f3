package collect

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"settle/internal/civil"
	"settle/internal/plan"
)

// maxSearchDays bounds the next-slot search. With sane rules a slot is at
// most a long holiday weekend plus a Regulation F week away; 400 days only
// runs out when the rules leave no slot at all (an empty window), and then
// the decision says so instead of looping for ever.
const maxSearchDays = 400

// regFPeriod is Regulation F's "seven consecutive days" (§1006.14(b)(2)(i))
// as elapsed time: a rolling window of 168 hours ending at the call.
const regFPeriod = 7 * 24 * time.Hour

// Decision explains whether and when a contact may happen.
type Decision struct {
	Allowed bool      // at the requested instant
	At      time.Time // the instant to use (UTC): the requested one if allowed, else the next allowed slot
	Reason  string    // one line, plain English: the rule, the local time and zone, the next slot
	Blocked bool      // never allowed on this channel (opt-out): the caller must pick another channel; At is zero
}

// Decide answers, for one contact the run wants to make: may we contact p on
// channel about debtID at want? If not, At is the earliest instant ≥ want
// that satisfies every rule (time windows, weekends, holidays, Regulation F)
// together; a contact is never dropped, only moved. The one exception is an
// opt-out, which blocks the channel (Blocked, zero At): rescheduling onto a
// channel the customer refused would break §1006.6(e)/§1006.14(h).
//
// history holds past attempts; those at or after the instant being tested
// are not "past" for it and are ignored for it. Decide reads no clock and
// keeps no state beyond a cache of loaded time zones, so it is
// deterministic.
func Decide(p Party, channel, debtID string, want time.Time, history []Attempt, r Rules) Decision {
	ch, ok := normChannel(channel)
	if !ok {
		return Decision{Blocked: true, Reason: "blocked: unknown channel " + quoteLine(channel) + " (use email, sms, letter, call or meeting)"}
	}
	if optedOut(p.OptOuts, ch) {
		return Decision{Blocked: true, Reason: "blocked: the customer opted out of " + channelNoun(ch) + "; use another channel"}
	}
	s := newSubject(p)
	var cr channelRules
	s.rulesFor(&cr, ch, &r, false)
	var rf *regF
	var rfv regF
	var buf [16]pastCall // most histories fit: no allocation for them
	if cr.regF {
		rfv.init(history, debtID, &r, buf[:0])
		rf = &rfv
	}

	t := want.In(s.loc)
	d := civil.Of(t)
	last := d.AddDays(maxSearchDays)
	var hs holds
	moved := false
	// hold records why t cannot be used; the clause is only worded when
	// the reason will show it (wording costs more than the search).
	hold := func(kind int, clause func() string) {
		if hs.keeps(kind) {
			hs.add(clause())
		}
		hs.n++
		moved = true
	}
	nextDay := func() {
		d = d.AddDays(1)
		t = d.In(s.loc)
	}
	var checked civil.Date // the day whose kind is known
	kind := dayOpen
	// Each pass either moves to a later day (at most maxSearchDays+1 times),
	// moves t to the window's start (at most once per day), jumps past a
	// Regulation F hold, which takes at least one past call out of the
	// count for good (at most 2 per call), or ends the search. The guard is
	// a backstop for that argument; the day limit is what normally ends a
	// fruitless search.
	for guard := 3*(maxSearchDays+2) + 2*rf.len(); ; guard-- {
		if d.After(last) || guard <= 0 {
			return Decision{Blocked: true, Reason: fmt.Sprintf("blocked: no allowed %s slot within %d days after %s (check the contact rules: %s)%s",
				ch, maxSearchDays, s.stamp(want), cr.what(), s.notes(&cr))}
		}
		if d != checked {
			checked, kind = d, s.closed(d, &cr)
		}
		if kind != dayOpen {
			hold(kind, func() string { return s.dayClause(kind, d, t, &cr, hs.n == 0) })
			nextDay()
			continue
		}
		lo, hi := cr.bounds(d, s.loc)
		if cr.letter {
			// A held letter goes out with the next collection, so it is
			// scheduled for the cutoff itself; one asked for on an open
			// day up to the cutoff keeps its instant.
			if moved {
				t = hi
			}
			if t.After(hi) {
				hold(kindWindow, func() string { return s.stamp(t) + " is after " + cr.what() })
				nextDay()
				continue
			}
		} else {
			if !t.Before(hi) {
				hold(kindWindow, func() string { return s.stamp(t) + " is outside " + cr.what() })
				nextDay()
				continue
			}
			if t.Before(lo) {
				hold(kindWindow, func() string { return s.stamp(t) + " is outside " + cr.what() })
				// Test the window's start on the next pass: an empty window
				// (lo ≥ hi) then moves on to the next day.
				t = lo
				continue
			}
		}
		if rf != nil {
			if h := rf.check(t); h.held() {
				hold(h.kind, func() string { return s.regFClause(h, rf, t, hs.n == 0) })
				t = h.until.In(s.loc)
				d = civil.Of(t)
				continue
			}
		}
		break
	}

	if !moved {
		return Decision{Allowed: true, At: want.UTC(), Reason: s.allowedReason(&cr, t, rf)}
	}
	b := make([]byte, 0, 256)
	b = append(b, "held: "...)
	b = append(b, hs.first...)
	for _, n := range hs.later {
		b = append(b, "; then "...)
		b = append(b, n...)
	}
	b = append(b, "; next "...)
	b = s.appendStamp(b, t)
	if cr.letter {
		b = append(b, " (posted with that day's collection)"...)
	}
	b = append(b, s.notes(&cr)...)
	return Decision{At: t.UTC(), Reason: string(b)}
}

// normChannel accepts the channel names in any case and with stray spaces
// (they come from policies and CSV imports).
func normChannel(c string) (string, bool) {
	switch c {
	case Email, SMS, Letter, Call, Meeting:
		return c, true
	}
	c = strings.ToLower(strings.TrimSpace(c))
	switch c {
	case Email, SMS, Letter, Call, Meeting:
		return c, true
	}
	return c, false
}

// optedOut looks the channel up exactly first, then case-insensitively: an
// opt-out recorded as "SMS" must block "sms" too; erring towards blocking
// is the safe side of §1006.6(e).
func optedOut(opts map[string]bool, ch string) bool {
	if opts[ch] {
		return true
	}
	for k, v := range opts {
		if v && strings.EqualFold(strings.TrimSpace(k), ch) {
			return true
		}
	}
	return false
}

// subject is a Party resolved once per call: kind, country, location and
// the notes a reason must carry about fallbacks.
type subject struct {
	consumer bool
	country  string
	calendar string // the plan calendar to ask: the country, or "" (weekends only)
	loc      *time.Location
	zoneNote string // set when TimeZone was empty or unknown
	calNote  string // set when the country has no holiday calendar
}

// holidayCountries is the set of countries plan has calendars for.
var holidayCountries = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range plan.HolidayCountries() {
		m[c] = true
	}
	return m
}()

func newSubject(p Party) subject {
	s := subject{
		consumer: !strings.EqualFold(strings.TrimSpace(p.Kind), Business),
		country:  strings.ToUpper(strings.TrimSpace(p.Jurisdiction)),
	}
	s.loc, s.zoneNote = location(p.TimeZone)
	switch {
	case holidayCountries[s.country]:
		s.calendar = s.country
	case s.country == "":
		s.calNote = "no country given: weekends only, no public holidays"
	default:
		s.calNote = "no holiday calendar for " + quoteLine(s.country) + ": weekends only"
	}
	return s
}

// zones caches loaded locations: time.LoadLocation parses the zone data on
// every call (tens of microseconds), far more than a whole decision should
// cost. Only valid names are stored, so the cache is bounded by the IANA
// database (~600 names).
var zones sync.Map // string → *time.Location

// location loads an IANA zone. Empty or unknown names fall back to UTC with
// a note for the reason. "Local" is refused: it is the machine's zone, which
// would make decisions depend on where the run happens.
func location(name string) (*time.Location, string) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), ""
	}
	trimmed := strings.TrimSpace(name)
	if trimmed == "" {
		return time.UTC, "no time zone given: using UTC"
	}
	if trimmed == "Local" {
		return time.UTC, `time zone "Local" is not a customer's zone: using UTC`
	}
	loc, err := time.LoadLocation(trimmed)
	if err != nil {
		return time.UTC, "unknown time zone " + quoteLine(name) + ": using UTC"
	}
	zones.Store(name, loc)
	return loc, ""
}

// channelRules is what one channel must satisfy for one party: a daily
// wall-clock window and which days are open.
type channelRules struct {
	channel  string
	from, to Clock // the effective window [from, to); letters: up to and including to (the cutoff)
	weekdays bool  // Mon–Fri only
	holidays bool  // closed on public holidays (observed, on weekdays)
	letter   bool  // the cutoff rule instead of a window
	regF     bool  // Regulation F call caps apply
	window   int   // which window it is, for the wording
	// The call window and consumer hours as configured, to explain a call
	// window narrowed to consumer hours.
	call, consumer DailyWindow
}

// Windows, as a reason names them.
const (
	callWindow = iota
	consumerHours
	businessHours
	letterCutoff
)

// rulesFor derives the channel's rules into cr. meeting forces business
// days, as NextMeetingSlot books on business days whatever SkipHolidays says.
func (s *subject) rulesFor(cr *channelRules, ch string, r *Rules, meeting bool) {
	*cr = channelRules{channel: ch}
	switch ch {
	case Call, Meeting:
		w := r.CallWindow
		cr.window, cr.call = callWindow, w
		cr.from, cr.to, cr.weekdays, cr.holidays = w.From, w.To, w.Weekdays, r.SkipHolidays
		if s.consumer {
			// Consumer hours bind every channel that reaches the person;
			// a policy's call window cannot widen them.
			cr.consumer = DailyWindow{From: r.ConsumerEarliest, To: r.ConsumerLatest}
			cr.from, cr.to = clockMax(w.From, r.ConsumerEarliest), clockMin(w.To, r.ConsumerLatest)
		}
		cr.regF = ch == Call && s.consumer && s.country == "US"
	case Email, SMS:
		cr.holidays = r.SkipHolidays
		if s.consumer {
			// Weekends are fine for a consumer's email or text: people
			// read them at home; only the hours (and holidays) bind.
			cr.window = consumerHours
			cr.from, cr.to = r.ConsumerEarliest, r.ConsumerLatest
		} else {
			w := r.BusinessWindow
			cr.window = businessHours
			cr.from, cr.to, cr.weekdays = w.From, w.To, w.Weekdays
		}
	case Letter:
		cr.window = letterCutoff
		cr.letter, cr.weekdays, cr.holidays = true, true, r.SkipHolidays
		cr.from, cr.to = Clock{}, r.LetterCutoff
	}
	if meeting {
		cr.weekdays, cr.holidays = true, true
	}
}

// what names the window in a reason: "the call window 09:30–11:30 on
// weekdays", "consumer hours 08:00–21:00", "business hours 08:00–18:00 on
// weekdays", "the 16:00 letter cutoff (letters are posted on business
// days)". Built only when a reason needs it.
func (cr *channelRules) what() string {
	return string(cr.appendWhat(make([]byte, 0, 96)))
}

func (cr *channelRules) appendWhat(b []byte) []byte {
	switch cr.window {
	case callWindow:
		b = append(b, "the call window "...)
		b = appendSpan(b, cr.from, cr.to)
		if cr.from != cr.call.From || cr.to != cr.call.To {
			b = append(b, " ("...)
			b = appendSpan(b, cr.call.From, cr.call.To)
			b = append(b, " within consumer hours "...)
			b = appendSpan(b, cr.consumer.From, cr.consumer.To)
			b = append(b, ')')
		}
	case consumerHours:
		b = append(b, "consumer hours "...)
		b = appendSpan(b, cr.from, cr.to)
	case businessHours:
		b = append(b, "business hours "...)
		b = appendSpan(b, cr.from, cr.to)
	case letterCutoff:
		b = append(b, "the "...)
		b = appendClock(b, cr.to)
		return append(b, " letter cutoff (letters are posted on business days)"...)
	}
	if cr.weekdays {
		b = append(b, " on weekdays"...)
	}
	return b
}

// days names the weekday rule: "calls only on weekdays".
func (cr *channelRules) days() string {
	switch cr.channel {
	case Call:
		return "calls only on weekdays"
	case Meeting:
		return "meetings only on weekdays"
	case Email:
		return "emails to businesses only on weekdays"
	case SMS:
		return "text messages to businesses only on weekdays"
	default:
		return "letters are posted on business days"
	}
}

func appendSpan(b []byte, from, to Clock) []byte {
	b = appendClock(b, from)
	b = append(b, "–"...)
	return appendClock(b, to)
}

func appendClock(b []byte, c Clock) []byte {
	if !c.valid() {
		return append(b, "??:??"...)
	}
	return append(b, byte('0'+c.Hour/10), byte('0'+c.Hour%10), ':', byte('0'+c.Minute/10), byte('0'+c.Minute%10))
}

// bounds returns the window of day d as instants. time.Date reads the
// clocks as local wall time, so the window stays 09:30–11:30 on the clock
// across a DST change (the UTC instants shift by the hour instead).
// 24:00 is the next midnight.
func (cr *channelRules) bounds(d civil.Date, loc *time.Location) (lo, hi time.Time) {
	lo = time.Date(d.Year, d.Month, d.Day, cr.from.Hour, cr.from.Minute, 0, 0, loc)
	hi = time.Date(d.Year, d.Month, d.Day, cr.to.Hour, cr.to.Minute, 0, 0, loc)
	return lo, hi
}

// Kinds of hold: why an instant cannot be used.
const (
	dayOpen = iota
	kindWindow
	kindWeekend
	kindHoliday
	kindRegFCap
	kindRegFQuiet
)

// closed tells whether day d is shut for the channel (kindWeekend,
// kindHoliday) or open.
//
// A public holiday is a weekday that plan.IsBusinessDay says is not a
// business day: that is the holiday as observed (a Saturday Christmas is
// taken on the Monday in GB, a Saturday 4 July on the Friday in the US).
// A holiday that falls on a weekend and has no substitute is not seen, so a
// consumer may get an email on it; that only matters for weekend channels.
func (s *subject) closed(d civil.Date, cr *channelRules) int {
	wd := d.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	if weekend {
		if cr.weekdays {
			return kindWeekend
		}
		return dayOpen
	}
	if cr.holidays && s.calendar != "" && isPublicHoliday(s.calendar, d) {
		return kindHoliday
	}
	return dayOpen
}

// dayClause words a closed day: with the full local stamp when it is the
// first hold (the requested instant), by date alone later on.
func (s *subject) dayClause(kind int, d civil.Date, t time.Time, cr *channelRules, first bool) string {
	switch kind {
	case kindWeekend:
		return s.stamp(t) + " is on a weekend (" + cr.days() + ")"
	default: // kindHoliday
		if first {
			return s.stamp(t) + " is on a public holiday in " + s.country
		}
		return dayString(d) + " is a public holiday in " + s.country
	}
}

// holds collects the clauses of a held decision: the rule that held the
// requested instant, then holidays and Regulation F holds met on the way
// (moves into a window or past a weekend are plain from the next slot and
// are not repeated).
type holds struct {
	n     int
	first string
	later []string
}

// keeps reports whether a hold of kind would be worded: wording costs
// more than the search, so clauses that would be dropped are not built.
// The caller counts every hold in n.
func (h *holds) keeps(kind int) bool {
	return h.n == 0 || (kind == kindHoliday || kind == kindRegFCap || kind == kindRegFQuiet) && len(h.later) < 3
}

func (h *holds) add(clause string) {
	if h.n == 0 {
		h.first = clause
		return
	}
	if !slices.Contains(h.later, clause) && clause != h.first {
		h.later = append(h.later, clause)
	}
}

// regF holds the calls about one debt, oldest first, for Regulation F's caps.
type regF struct {
	calls []pastCall
	max   int
	quiet time.Duration
	debt  string
}

type pastCall struct {
	at   time.Time
	conv bool
}

// init fills rf from history, appending to buf (a caller's array, so that
// small histories need no allocation).
func (rf *regF) init(history []Attempt, debtID string, r *Rules, buf []pastCall) {
	*rf = regF{max: r.MaxCallsPer7Days, quiet: r.QuietAfterConversation, debt: debtID, calls: buf}
	for _, a := range history {
		// Only calls count (§1006.14(b)(2) is about telephone calls), and
		// only calls about this debt: the caps are per debt.
		if !sameDebt(a.DebtID, debtID) {
			continue
		}
		if ch, _ := normChannel(a.Channel); ch != Call {
			continue
		}
		rf.calls = append(rf.calls, pastCall{at: a.At, conv: a.Conversation})
	}
	// Histories usually come sorted; the stable sort keeps equal instants
	// in input order, which does not affect any answer.
	if !slices.IsSortedFunc(rf.calls, comparePastCalls) {
		slices.SortStableFunc(rf.calls, comparePastCalls)
	}
}

func comparePastCalls(a, b pastCall) int { return a.at.Compare(b.at) }

// sameDebt reports whether a call about debt a counts toward the caps of
// debt b. A debt is named by its invoice (or plan) ids, comma-separated: a
// call about several invoices counts for each of them, and a call that
// names no debt counts for every debt (the safe reading: it may have been
// about any of them).
func sameDebt(a, b string) bool {
	if a == b || a == "" || b == "" {
		return true
	}
	for x := range strings.SplitSeq(a, ",") {
		for y := range strings.SplitSeq(b, ",") {
			if x == y {
				return true
			}
		}
	}
	return false
}

func (rf *regF) len() int {
	if rf == nil {
		return 0
	}
	return len(rf.calls)
}

// regFHold is a Regulation F hold at an instant: until is when it lifts.
type regFHold struct {
	kind  int // dayOpen, kindRegFCap or kindRegFQuiet
	until time.Time
	n     int       // calls in the 7 days before the instant
	conv  time.Time // the conversation behind a quiet hold
}

func (h regFHold) held() bool { return h.kind != dayOpen }

// check tests instant t against both Regulation F call rules about the
// debt, counting only calls strictly before t.
//
//   - Quiet period: no call within QuietAfterConversation after a telephone
//     conversation: held until conversation + quiet.
//   - Cap: at most MaxCallsPer7Days calls in (t − 7 days, t). If there are
//     that many, the max-th most recent must age out first: held until it
//     is 7 days old, when the count falls to max − 1 and one more call
//     brings it back to max. (Calls between t and that instant are counted
//     when the search tests the new instant.)
func (rf *regF) check(t time.Time) regFHold {
	// k = number of calls before t (binary search: histories are sorted).
	k, _ := slices.BinarySearchFunc(rf.calls, t, func(c pastCall, t time.Time) int {
		if c.at.Before(t) {
			return -1
		}
		return 1
	})
	if rf.quiet > 0 {
		for i := k - 1; i >= 0; i-- {
			if rf.calls[i].conv {
				// The latest conversation decides: earlier ones end sooner.
				if end := rf.calls[i].at.Add(rf.quiet); t.Before(end) {
					return regFHold{kind: kindRegFQuiet, until: end, conv: rf.calls[i].at}
				}
				break
			}
		}
	}
	from := t.Add(-regFPeriod)
	j, _ := slices.BinarySearchFunc(rf.calls[:k], from, func(c pastCall, from time.Time) int {
		if c.at.After(from) {
			return 1
		}
		return -1
	})
	n := k - j
	if rf.max > 0 && n >= rf.max {
		return regFHold{kind: kindRegFCap, until: rf.calls[k-rf.max].at.Add(regFPeriod), n: n}
	}
	return regFHold{n: n}
}

// regFClause words a Regulation F hold.
func (s *subject) regFClause(h regFHold, rf *regF, t time.Time, first bool) string {
	debt := quoteDebt(rf.debt)
	if h.kind == kindRegFQuiet {
		if first {
			return s.stamp(t) + " is within " + wordDays(h.until.Sub(h.conv)) + " after a telephone conversation about " + debt +
				" at " + s.local(h.conv) + " (Regulation F §1006.14(b)(2)(ii); clear from " + s.local(h.until) + ")"
		}
		return "the Regulation F quiet period after the conversation about " + debt + " until " + s.local(h.until)
	}
	if first {
		return fmt.Sprintf("%s follows %d calls about %s in the last 7 days (Regulation F §1006.14(b)(2)(i): at most %d in 7 days; clear from %s)",
			s.stamp(t), h.n, debt, rf.max, s.local(h.until))
	}
	return "the Regulation F cap on calls about " + debt + " until " + s.local(h.until)
}

// allowedReason words an allowed contact.
func (s *subject) allowedReason(cr *channelRules, t time.Time, rf *regF) string {
	b := make([]byte, 0, 192)
	b = append(b, "allowed: "...)
	b = append(b, cr.channel...)
	b = append(b, " at "...)
	b = s.appendStamp(b, t)
	if cr.letter {
		b = append(b, ", a business day by the "...)
		b = appendClock(b, cr.to)
		b = append(b, " letter cutoff (posted with that day's collection)"...)
	} else {
		b = append(b, ", within "...)
		b = cr.appendWhat(b)
	}
	if rf != nil && rf.max > 0 {
		h := rf.check(t)
		b = append(b, "; "...)
		b = strconv.AppendInt(b, int64(h.n), 10)
		b = append(b, " of "...)
		b = strconv.AppendInt(b, int64(rf.max), 10)
		b = append(b, " calls about "...)
		b = append(b, quoteDebt(rf.debt)...)
		b = append(b, " in the last 7 days (Regulation F)"...)
	}
	b = append(b, s.notes(cr)...)
	return string(b)
}

// notes are the fallbacks a reason must admit: a UTC zone standing in for
// an unusable one, and weekends-only holidays for an unknown country (only
// when the channel looks at holidays).
func (s *subject) notes(cr *channelRules) string {
	var ns []string
	if s.zoneNote != "" {
		ns = append(ns, s.zoneNote)
	}
	if s.calNote != "" && cr.holidays {
		ns = append(ns, s.calNote)
	}
	if len(ns) == 0 {
		return ""
	}
	return " (" + strings.Join(ns, "; ") + ")"
}

// stamp is an instant as the customer's clock shows it, with the zone:
// "22:40 Mon 9 Mar 2026 America/Chicago".
func (s *subject) stamp(t time.Time) string {
	return string(s.appendStamp(make([]byte, 0, 48), t))
}

func (s *subject) appendStamp(b []byte, t time.Time) []byte {
	b = s.appendLocal(b, t)
	b = append(b, ' ')
	return append(b, s.loc.String()...)
}

// local is the stamp without the zone, for a second instant in one reason.
func (s *subject) local(t time.Time) string {
	return string(s.appendLocal(make([]byte, 0, 32), t))
}

// appendLocal shows seconds only when there are some, so that 16:00:01 is
// not read as 16:00 next to a 16:00 cutoff.
func (s *subject) appendLocal(b []byte, t time.Time) []byte {
	layout := "15:04 Mon 2 Jan 2006"
	if t.Second() != 0 || t.Nanosecond() != 0 {
		layout = "15:04:05 Mon 2 Jan 2006"
	}
	return t.In(s.loc).AppendFormat(b, layout)
}

func dayString(d civil.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("Mon 2 Jan 2006")
}

// wordDays words a duration as whole days when it is one ("7 days").
func wordDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if n := d / (24 * time.Hour); n == 1 {
			return "1 day"
		} else {
			return fmt.Sprintf("%d days", n)
		}
	}
	return d.String()
}

// quoteLine quotes a value from the data for a reason, so that it cannot
// break the one-line rule.
func quoteLine(v string) string { return fmt.Sprintf("%q", v) }

// quoteDebt shows a debt id as it is when it is plain, quoted otherwise.
func quoteDebt(id string) string {
	if id == "" {
		return "the debt (no id)"
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || r == ' ' || r == '"' {
			return quoteLine(id)
		}
	}
	return id
}

// channelNoun names what a customer opts out of, in plain words: "emails",
// "text messages", "letters", "calls", "meetings".
func channelNoun(ch string) string {
	switch ch {
	case SMS:
		return "text messages"
	case Email, Letter, Call, Meeting:
		return ch + "s"
	}
	return ch
}
