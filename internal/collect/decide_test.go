package collect

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone tests must not depend on the machine's zoneinfo
)

// The instants below were worked out by hand from a 2026 calendar and the
// zones' offsets, not by running the code:
//
//   - 1 Mar 2026 is a Sunday, so 9 Mar is a Monday, 14 Mar a Saturday.
//   - US DST starts Sunday 8 Mar 2026 02:00: New York EST −5 → EDT −4,
//     Chicago CST −6 → CDT −5. It ends Sunday 1 Nov 2026 (back to −5/−6).
//   - EU summer time starts Sunday 29 Mar 2026 01:00 UTC: Berlin CET +1 →
//     CEST +2, London GMT → BST +1; it ends Sunday 25 Oct 2026.
//   - US: Memorial Day is Monday 25 May 2026; 4 July 2026 is a Saturday,
//     observed Friday 3 July.
//   - GB: Christmas 2026 is Friday 25 Dec; Boxing Day falls on Saturday, so
//     the substitute bank holiday is Monday 28 Dec (plan.IsBusinessDay
//     agrees: GB 2026-12-28 is not a business day).
//   - DE: Labour Day, Friday 1 May 2026.

var (
	chicagoConsumer = Party{Kind: Consumer, Jurisdiction: "US", TimeZone: "America/Chicago"}
	nyConsumer      = Party{Kind: Consumer, Jurisdiction: "US", TimeZone: "America/New_York"}
	nyBusiness      = Party{Kind: Business, Jurisdiction: "US", TimeZone: "America/New_York"}
	londonBusiness  = Party{Kind: Business, Jurisdiction: "GB", TimeZone: "Europe/London"}
	londonConsumer  = Party{Kind: Consumer, Jurisdiction: "GB", TimeZone: "Europe/London"}
	berlinConsumer  = Party{Kind: Consumer, Jurisdiction: "DE", TimeZone: "Europe/Berlin"}
	berlinBusiness  = Party{Kind: Business, Jurisdiction: "DE", TimeZone: "Europe/Berlin"}
)

// decideCase is one hand-worked decision.
type decideCase struct {
	name    string
	p       Party
	ch      string
	debt    string // "" means INV-1
	want    string // RFC 3339
	hist    []Attempt
	rules   func(*Rules) // tightens DefaultRules; nil keeps them
	allowed bool
	blocked bool
	at      string // expected At, RFC 3339 UTC; "" with blocked
	reason  string // exact expected reason; "" to skip
	has     []string
}

func instant(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad instant %q: %v", s, err)
	}
	return v
}

func runDecideCases(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := DefaultRules()
			if c.rules != nil {
				c.rules(&r)
			}
			debt := c.debt
			if debt == "" {
				debt = "INV-1"
			}
			want := instant(t, c.want)
			got := Decide(c.p, c.ch, debt, want, c.hist, r)
			if got.Allowed != c.allowed || got.Blocked != c.blocked {
				t.Fatalf("Allowed=%v Blocked=%v, want %v/%v; reason %q", got.Allowed, got.Blocked, c.allowed, c.blocked, got.Reason)
			}
			if c.blocked {
				if !got.At.IsZero() {
					t.Errorf("blocked decision has At %v, want zero", got.At)
				}
			} else {
				wantAt := want
				if c.at != "" {
					wantAt = instant(t, c.at)
				}
				if !got.At.Equal(wantAt) || got.At.Location() != time.UTC {
					t.Errorf("At = %v, want %v (UTC); reason %q", got.At, wantAt.UTC(), got.Reason)
				}
			}
			if c.reason != "" && got.Reason != c.reason {
				t.Errorf("reason\n got %q\nwant %q", got.Reason, c.reason)
			}
			for _, h := range c.has {
				if !strings.Contains(got.Reason, h) {
					t.Errorf("reason %q does not contain %q", got.Reason, h)
				}
			}
			if strings.ContainsAny(got.Reason, "\r\n") {
				t.Errorf("reason is not one line: %q", got.Reason)
			}
		})
	}
}

func callsAbout(debt string, conv bool, at ...string) []Attempt {
	out := make([]Attempt, 0, len(at))
	for _, a := range at {
		v, err := time.Parse(time.RFC3339, a)
		if err != nil {
			panic(err)
		}
		out = append(out, Attempt{At: v, Channel: Call, DebtID: debt, Conversation: conv})
	}
	return out
}

func upperChannel(h []Attempt) []Attempt {
	out := make([]Attempt, len(h))
	for i, a := range h {
		a.Channel = strings.ToUpper(a.Channel)
		out[i] = a
	}
	return out
}

func joinAttempts(parts ...[]Attempt) []Attempt {
	var out []Attempt
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Rule 1: an opted-out channel is blocked, never moved.
func TestDecide_OptOut(t *testing.T) {
	optSMS := nyConsumer
	optSMS.OptOuts = map[string]bool{SMS: true}
	upper := nyConsumer
	upper.OptOuts = map[string]bool{"SMS": true}
	withdrawn := nyConsumer
	withdrawn.OptOuts = map[string]bool{SMS: false}
	runDecideCases(t, []decideCase{
		{name: "opted_out_sms", p: optSMS, ch: SMS, want: "2026-03-10T14:00:00Z", blocked: true,
			reason: "blocked: the customer opted out of text messages; use another channel"},
		// Even at a time that would be allowed, and even out of hours: no
		// slot is offered on the refused channel.
		{name: "opted_out_out_of_hours", p: optSMS, ch: SMS, want: "2026-03-10T03:00:00Z", blocked: true},
		{name: "opt_out_key_any_case", p: upper, ch: "sms", want: "2026-03-10T14:00:00Z", blocked: true},
		{name: "channel_name_any_case", p: optSMS, ch: " SMS ", want: "2026-03-10T14:00:00Z", blocked: true},
		{name: "other_channel_free", p: optSMS, ch: Email, want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "false_entry_is_no_opt_out", p: withdrawn, ch: SMS, want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "unknown_channel", p: nyConsumer, ch: "fax", want: "2026-03-10T14:00:00Z", blocked: true,
			reason: `blocked: unknown channel "fax" (use email, sms, letter, call or meeting)`},
	})
}

// Rule 2: time windows in the party's local wall-clock time.
func TestDecide_Windows(t *testing.T) {
	unknownKind := Party{Jurisdiction: "US", TimeZone: "America/Chicago"}
	badZone := Party{Kind: Consumer, Jurisdiction: "GB", TimeZone: "Mars/Olympus_Mons"}
	noZone := Party{Kind: Consumer, Jurisdiction: "GB"}
	runDecideCases(t, []decideCase{
		// Consumer hours 08:00–21:00, every channel that reaches the person.
		{name: "consumer_sms_late_evening", p: chicagoConsumer, ch: SMS,
			want: "2026-03-10T03:40:00Z", // 22:40 CDT Mon 9 Mar
			at:   "2026-03-10T13:00:00Z", // 08:00 CDT Tue 10 Mar
			reason: "held: 22:40 Mon 9 Mar 2026 America/Chicago is outside consumer hours 08:00–21:00; " +
				"next 08:00 Tue 10 Mar 2026 America/Chicago"},
		{name: "consumer_email_just_before_8", p: chicagoConsumer, ch: Email,
			want: "2026-03-10T12:59:00Z", at: "2026-03-10T13:00:00Z"}, // 07:59 → 08:00 CDT
		{name: "consumer_email_at_8", p: chicagoConsumer, ch: Email, want: "2026-03-10T13:00:00Z", allowed: true,
			reason: "allowed: email at 08:00 Tue 10 Mar 2026 America/Chicago, within consumer hours 08:00–21:00"},
		{name: "consumer_email_2059", p: chicagoConsumer, ch: Email, want: "2026-03-11T01:59:00Z", allowed: true}, // 20:59 CDT
		// The window is [08:00, 21:00): 21:00 itself is held.
		{name: "consumer_email_at_21", p: chicagoConsumer, ch: Email,
			want: "2026-03-11T02:00:00Z", at: "2026-03-11T13:00:00Z"}, // 21:00 CDT Tue → 08:00 CDT Wed
		{name: "consumer_email_saturday_allowed", p: chicagoConsumer, ch: Email, want: "2026-03-14T15:00:00Z", allowed: true},
		{name: "consumer_sms_sunday_early", p: chicagoConsumer, ch: SMS,
			want: "2026-03-15T11:00:00Z", at: "2026-03-15T13:00:00Z"}, // 06:00 → 08:00 CDT Sun

		// Calls: the call window 09:30–11:30 on weekdays.
		{name: "call_inside", p: chicagoConsumer, ch: Call, want: "2026-03-10T15:05:00Z", allowed: true,
			reason: "allowed: call at 10:05 Tue 10 Mar 2026 America/Chicago, within the call window 09:30–11:30 on weekdays; " +
				"0 of 7 calls about INV-1 in the last 7 days (Regulation F)"},
		{name: "call_before_window", p: chicagoConsumer, ch: Call,
			want: "2026-03-10T14:00:00Z", at: "2026-03-10T14:30:00Z", // 09:00 → 09:30 CDT
			reason: "held: 09:00 Tue 10 Mar 2026 America/Chicago is outside the call window 09:30–11:30 on weekdays; " +
				"next 09:30 Tue 10 Mar 2026 America/Chicago"},
		{name: "call_at_window_end", p: chicagoConsumer, ch: Call,
			want: "2026-03-10T16:30:00Z", at: "2026-03-11T14:30:00Z"}, // 11:30 Tue → 09:30 Wed CDT
		{name: "call_saturday", p: chicagoConsumer, ch: Call,
			want: "2026-03-14T15:00:00Z", at: "2026-03-16T14:30:00Z", // 10:00 Sat → 09:30 Mon CDT
			reason: "held: 10:00 Sat 14 Mar 2026 America/Chicago is on a weekend (calls only on weekdays); " +
				"next 09:30 Mon 16 Mar 2026 America/Chicago"},
		{name: "business_call_no_regf", p: londonBusiness, ch: Call, want: "2026-03-10T09:29:00Z", at: "2026-03-10T09:30:00Z",
			reason: "held: 09:29 Tue 10 Mar 2026 Europe/London is outside the call window 09:30–11:30 on weekdays; " +
				"next 09:30 Tue 10 Mar 2026 Europe/London"},
		{name: "meeting_after_window", p: chicagoConsumer, ch: Meeting,
			want: "2026-03-10T17:00:00Z", at: "2026-03-11T14:30:00Z"}, // 12:00 Tue → 09:30 Wed CDT

		// A policy's call window cannot reach outside consumer hours.
		{name: "policy_call_window_narrowed_by_consumer_hours", p: chicagoConsumer, ch: Call,
			rules: func(r *Rules) { r.CallWindow = DailyWindow{From: Clock{7, 0}, To: Clock{10, 0}, Weekdays: true} },
			want:  "2026-03-10T12:30:00Z", at: "2026-03-10T13:00:00Z", // 07:30 → 08:00 CDT
			has: []string{"the call window 08:00–10:00 (07:00–10:00 within consumer hours 08:00–21:00) on weekdays"}},
		{name: "policy_call_window_business_keeps_7", p: londonBusiness, ch: Call,
			rules: func(r *Rules) { r.CallWindow = DailyWindow{From: Clock{7, 0}, To: Clock{10, 0}, Weekdays: true} },
			want:  "2026-03-10T07:30:00Z", allowed: true},

		// Businesses: emails and SMS in business hours 08:00–18:00 on weekdays.
		{name: "business_email_at_18", p: londonBusiness, ch: Email,
			want: "2026-03-10T18:00:00Z", at: "2026-03-11T08:00:00Z",
			reason: "held: 18:00 Tue 10 Mar 2026 Europe/London is outside business hours 08:00–18:00 on weekdays; " +
				"next 08:00 Wed 11 Mar 2026 Europe/London"},
		{name: "business_sms_1759_friday", p: londonBusiness, ch: SMS, want: "2026-03-13T17:59:00Z", allowed: true},
		{name: "business_email_saturday", p: londonBusiness, ch: Email,
			want: "2026-03-14T09:00:00Z", at: "2026-03-16T08:00:00Z",
			reason: "held: 09:00 Sat 14 Mar 2026 Europe/London is on a weekend (emails to businesses only on weekdays); " +
				"next 08:00 Mon 16 Mar 2026 Europe/London"},
		// An unknown kind gets consumer rules (the stricter hours).
		{name: "unknown_kind_is_consumer", p: unknownKind, ch: Email,
			want: "2026-03-10T03:00:00Z", at: "2026-03-10T13:00:00Z"}, // 22:00 CDT → 08:00 CDT

		// Letters: business days, up to and including the 16:00 cutoff; later
		// ones go with the next business day's collection, at the cutoff.
		{name: "letter_before_cutoff", p: londonBusiness, ch: Letter, want: "2026-03-10T15:59:59Z", allowed: true,
			reason: "allowed: letter at 15:59:59 Tue 10 Mar 2026 Europe/London, a business day by the 16:00 letter cutoff (posted with that day's collection)"},
		{name: "letter_at_cutoff", p: londonBusiness, ch: Letter, want: "2026-03-10T16:00:00Z", allowed: true},
		{name: "letter_after_cutoff", p: londonBusiness, ch: Letter,
			want: "2026-03-10T16:00:01Z", at: "2026-03-11T16:00:00Z",
			reason: "held: 16:00:01 Tue 10 Mar 2026 Europe/London is after the 16:00 letter cutoff (letters are posted on business days); " +
				"next 16:00 Wed 11 Mar 2026 Europe/London (posted with that day's collection)"},
		{name: "letter_friday_evening", p: londonBusiness, ch: Letter,
			want: "2026-03-13T17:00:00Z", at: "2026-03-16T16:00:00Z"},
		{name: "letter_saturday", p: londonConsumer, ch: Letter,
			want: "2026-03-14T09:00:00Z", at: "2026-03-16T16:00:00Z",
			has: []string{"is on a weekend (letters are posted on business days)"}},
		// Consumer hours do not bind letters: posting one at 06:00 reaches
		// nobody at 06:00.
		{name: "consumer_letter_early_morning", p: chicagoConsumer, ch: Letter, want: "2026-03-10T11:00:00Z", allowed: true},

		// Unusable zones fall back to UTC and say so.
		{name: "unknown_zone_utc", p: badZone, ch: Email,
			want: "2026-03-10T22:00:00Z", at: "2026-03-11T08:00:00Z",
			reason: "held: 22:00 Tue 10 Mar 2026 UTC is outside consumer hours 08:00–21:00; next 08:00 Wed 11 Mar 2026 UTC " +
				`(unknown time zone "Mars/Olympus_Mons": using UTC)`},
		{name: "local_zone_refused", p: Party{Kind: Consumer, Jurisdiction: "GB", TimeZone: "Local"}, ch: Email,
			want: "2026-03-10T12:00:00Z", allowed: true, has: []string{`(time zone "Local" is not a customer's zone: using UTC)`}},
		{name: "no_zone_utc", p: noZone, ch: Email, want: "2026-03-10T12:00:00Z", allowed: true,
			reason: "allowed: email at 12:00 Tue 10 Mar 2026 UTC, within consumer hours 08:00–21:00 (no time zone given: using UTC)"},
	})
}

// Rule 3: public holidays of the party's country.
func TestDecide_Holidays(t *testing.T) {
	brazil := Party{Kind: Consumer, Jurisdiction: "BR", TimeZone: "America/Sao_Paulo"}
	nowhere := Party{Kind: Business, TimeZone: "Europe/Paris"}
	runDecideCases(t, []decideCase{
		{name: "gb_call_christmas", p: londonBusiness, ch: Call,
			want: "2026-12-25T10:00:00Z", at: "2026-12-29T09:30:00Z",
			reason: "held: 10:00 Fri 25 Dec 2026 Europe/London is on a public holiday in GB; " +
				"then Mon 28 Dec 2026 is a public holiday in GB; next 09:30 Tue 29 Dec 2026 Europe/London"},
		// Consumer email: not on the holiday, but the weekend after is fine.
		{name: "gb_consumer_email_christmas", p: londonConsumer, ch: Email,
			want: "2026-12-25T10:00:00Z", at: "2026-12-26T08:00:00Z",
			reason: "held: 10:00 Fri 25 Dec 2026 Europe/London is on a public holiday in GB; next 08:00 Sat 26 Dec 2026 Europe/London"},
		{name: "gb_consumer_sms_substitute_day", p: londonConsumer, ch: SMS,
			want: "2026-12-28T10:00:00Z", at: "2026-12-29T08:00:00Z"},
		{name: "gb_consumer_email_boxing_day_saturday", p: londonConsumer, ch: Email, want: "2026-12-26T10:00:00Z", allowed: true},
		{name: "gb_letter_christmas_eve_after_cutoff", p: londonBusiness, ch: Letter,
			want: "2026-12-24T17:00:00Z", at: "2026-12-29T16:00:00Z"},
		{name: "gb_business_email_christmas", p: londonBusiness, ch: Email,
			want: "2026-12-25T09:00:00Z", at: "2026-12-29T08:00:00Z"},
		{name: "skip_holidays_off", p: londonBusiness, ch: Call, want: "2026-12-25T10:00:00Z", allowed: true,
			rules: func(r *Rules) { r.SkipHolidays = false }},
		{name: "skip_holidays_off_still_no_weekend_call", p: londonBusiness, ch: Call,
			want: "2026-12-26T10:00:00Z", at: "2026-12-28T09:30:00Z",
			rules: func(r *Rules) { r.SkipHolidays = false }},
		{name: "us_memorial_day_call", p: nyConsumer, ch: Call,
			want: "2026-05-25T14:00:00Z", at: "2026-05-26T13:30:00Z"}, // 10:00 EDT Mon → 09:30 EDT Tue
		{name: "de_labour_day_business_email", p: berlinBusiness, ch: Email,
			want: "2026-05-01T07:00:00Z", at: "2026-05-04T06:00:00Z", // 09:00 CEST Fri → 08:00 CEST Mon
			has: []string{"is on a public holiday in DE"}},
		// Holidays are the observed ones: 4 July 2026 is a Saturday, taken
		// on Friday 3 July. A consumer email waits from the Friday to
		// Saturday 08:00, and Saturday itself is not seen as a holiday.
		{name: "us_observed_independence_day", p: nyConsumer, ch: Email,
			want: "2026-07-03T14:00:00Z", at: "2026-07-04T12:00:00Z"},
		{name: "us_july4_saturday_email", p: nyConsumer, ch: Email, want: "2026-07-04T14:00:00Z", allowed: true},
		// No calendar: weekends only, and the reason says so.
		{name: "no_calendar_weekday", p: brazil, ch: Call, want: "2026-04-21T13:00:00Z", allowed: true, // Tiradentes, unknown to us
			reason: "allowed: call at 10:00 Tue 21 Apr 2026 America/Sao_Paulo, within the call window 09:30–11:30 on weekdays " +
				`(no holiday calendar for "BR": weekends only)`},
		{name: "no_calendar_weekend", p: brazil, ch: Call, want: "2026-04-25T13:00:00Z", at: "2026-04-27T12:30:00Z",
			reason: "held: 10:00 Sat 25 Apr 2026 America/Sao_Paulo is on a weekend (calls only on weekdays); next 09:30 Mon 27 Apr 2026 America/Sao_Paulo " +
				`(no holiday calendar for "BR": weekends only)`},
		{name: "no_country", p: nowhere, ch: Letter, want: "2026-07-14T10:00:00Z", allowed: true, // Bastille Day: unknown without a country
			has: []string{"(no country given: weekends only, no public holidays)"}},
		// The calendar note only appears where holidays were looked at.
		{name: "no_calendar_note_only_when_relevant", p: brazil, ch: Email, want: "2026-04-21T13:00:00Z", allowed: true,
			rules:  func(r *Rules) { r.SkipHolidays = false },
			reason: "allowed: email at 10:00 Tue 21 Apr 2026 America/Sao_Paulo, within consumer hours 08:00–21:00"},
	})
}

// Rule 4: Regulation F call caps for US consumers, per debt.
func TestDecide_RegulationF(t *testing.T) {
	// Seven calls about INV-1 between Wed 4 Mar and Tue 10 Mar; the oldest
	// (Wed 4 Mar 11:00 EST = 16:00Z) ages out at Wed 11 Mar 16:00Z = 12:00
	// EDT (168 hours later, across the DST change), which is after the call
	// window, so the next call is Thu 12 Mar 09:30 EDT = 13:30Z. By then
	// (5 Mar 13:30Z, 12 Mar 13:30Z) holds 5 of them.
	seven := callsAbout("INV-1", false,
		"2026-03-04T16:00:00Z", "2026-03-04T16:20:00Z", "2026-03-05T15:00:00Z", "2026-03-06T15:00:00Z",
		"2026-03-09T14:00:00Z", "2026-03-09T15:00:00Z", "2026-03-10T13:35:00Z")
	other := callsAbout("INV-2", false,
		"2026-03-09T14:10:00Z", "2026-03-09T14:20:00Z", "2026-03-09T14:30:00Z", "2026-03-10T13:40:00Z",
		"2026-03-10T13:45:00Z", "2026-03-10T13:50:00Z", "2026-03-10T13:55:00Z", "2026-03-10T13:58:00Z")
	emails := []Attempt{
		{At: instant(t, "2026-03-10T13:00:00Z"), Channel: Email, DebtID: "INV-1"},
		{At: instant(t, "2026-03-10T13:10:00Z"), Channel: SMS, DebtID: "INV-1"},
	}
	// The Memorial Day combination: seven calls from Fri 15 May 16:00 EDT;
	// at Fri 22 May 10:00 EDT all seven are within 7 days, the oldest ages
	// out at Fri 22 May 16:00 EDT (after the window), then the weekend and
	// Memorial Day: Tue 26 May 09:30 EDT = 13:30Z.
	memorial := callsAbout("INV-1", false,
		"2026-05-15T20:00:00Z", "2026-05-18T14:00:00Z", "2026-05-19T14:00:00Z", "2026-05-20T14:00:00Z",
		"2026-05-20T15:00:00Z", "2026-05-21T14:00:00Z", "2026-05-21T15:00:00Z")

	runDecideCases(t, []decideCase{
		{name: "seven_in_seven", p: nyConsumer, ch: Call, hist: seven,
			want: "2026-03-10T14:00:00Z", at: "2026-03-12T13:30:00Z",
			reason: "held: 10:00 Tue 10 Mar 2026 America/New_York follows 7 calls about INV-1 in the last 7 days " +
				"(Regulation F §1006.14(b)(2)(i): at most 7 in 7 days; clear from 12:00 Wed 11 Mar 2026); " +
				"next 09:30 Thu 12 Mar 2026 America/New_York"},
		{name: "attempt_channel_any_case", p: nyConsumer, ch: Call, hist: upperChannel(seven),
			want: "2026-03-10T14:00:00Z", at: "2026-03-12T13:30:00Z"},
		{name: "six_in_seven_allowed", p: nyConsumer, ch: Call, hist: seven[1:],
			want: "2026-03-10T14:00:00Z", allowed: true,
			has: []string{"6 of 7 calls about INV-1 in the last 7 days (Regulation F)"}},
		{name: "other_debts_and_channels_do_not_count", p: nyConsumer, ch: Call, hist: joinAttempts(seven[1:], other, emails),
			want: "2026-03-10T14:00:00Z", allowed: true, has: []string{"6 of 7 calls"}},
		{name: "other_debt_is_free", p: nyConsumer, ch: Call, debt: "INV-2", hist: seven,
			want: "2026-03-10T14:00:00Z", allowed: true, has: []string{"0 of 7 calls about INV-2"}},
		// Rolling window: a call exactly 7 days before has aged out.
		{name: "exactly_seven_days_ago_aged_out", p: nyConsumer, ch: Call,
			hist: callsAbout("INV-1", false, "2026-03-10T14:00:00Z", "2026-03-11T14:00:00Z", "2026-03-12T14:00:00Z",
				"2026-03-13T14:00:00Z", "2026-03-16T14:00:00Z", "2026-03-16T15:00:00Z", "2026-03-17T13:35:00Z"),
			want: "2026-03-17T14:00:00Z", allowed: true},
		// Later calls in the history are not past for this instant.
		{name: "future_attempts_ignored", p: nyConsumer, ch: Call,
			hist: joinAttempts(seven[1:], callsAbout("INV-1", false, "2026-03-10T15:00:00Z")),
			want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "not_for_us_business", p: nyBusiness, ch: Call, hist: seven, want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "not_for_gb_consumer", p: Party{Kind: Consumer, Jurisdiction: "GB", TimeZone: "America/New_York"},
			ch: Call, hist: seven, want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "not_for_meetings", p: nyConsumer, ch: Meeting, hist: seven, want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "policy_cap_3", p: nyConsumer, ch: Call, hist: seven,
			rules: func(r *Rules) { r.MaxCallsPer7Days = 3 },
			// The 3rd most recent is Mon 9 Mar 10:00 EDT (14:00Z): clear Mon 16 Mar 10:00 EDT.
			want: "2026-03-10T14:00:00Z", at: "2026-03-16T14:00:00Z",
			has: []string{"follows 7 calls about INV-1", "at most 3 in 7 days"}},
		{name: "cap_off", p: nyConsumer, ch: Call, hist: seven, want: "2026-03-10T14:00:00Z", allowed: true,
			rules: func(r *Rules) { r.MaxCallsPer7Days = 0 }},

		// Quiet period: no call about the debt within 7 days of a conversation.
		{name: "quiet_after_conversation", p: nyConsumer, ch: Call,
			hist: callsAbout("INV-1", true, "2026-03-09T14:12:00Z"), // Mon 9 Mar 10:12 EDT
			want: "2026-03-10T14:00:00Z", at: "2026-03-16T14:12:00Z",
			reason: "held: 10:00 Tue 10 Mar 2026 America/New_York is within 7 days after a telephone conversation about INV-1 " +
				"at 10:12 Mon 9 Mar 2026 (Regulation F §1006.14(b)(2)(ii); clear from 10:12 Mon 16 Mar 2026); " +
				"next 10:12 Mon 16 Mar 2026 America/New_York"},
		// 168 hours after Fri 6 Mar 11:00 EST is Fri 13 Mar 12:00 EDT: after
		// the window, so Mon 16 Mar 09:30 EDT.
		{name: "quiet_across_dst", p: nyConsumer, ch: Call,
			hist: callsAbout("INV-1", true, "2026-03-06T16:00:00Z"),
			want: "2026-03-09T14:00:00Z", at: "2026-03-16T13:30:00Z"},
		{name: "quiet_other_debt", p: nyConsumer, ch: Call, hist: callsAbout("INV-2", true, "2026-03-09T14:12:00Z"),
			want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "quiet_over", p: nyConsumer, ch: Call, hist: callsAbout("INV-1", true, "2026-03-02T15:00:00Z"),
			want: "2026-03-10T14:00:00Z", allowed: true},
		{name: "unanswered_call_no_quiet", p: nyConsumer, ch: Call, hist: callsAbout("INV-1", false, "2026-03-09T14:12:00Z"),
			want: "2026-03-10T14:00:00Z", allowed: true},

		// Rule 6: rules combined. The cap lifts Friday 16:00, the window is
		// over, then Saturday, Sunday and Memorial Day.
		{name: "regf_then_weekend_then_holiday", p: nyConsumer, ch: Call, hist: memorial,
			want: "2026-05-22T14:00:00Z", at: "2026-05-26T13:30:00Z",
			reason: "held: 10:00 Fri 22 May 2026 America/New_York follows 7 calls about INV-1 in the last 7 days " +
				"(Regulation F §1006.14(b)(2)(i): at most 7 in 7 days; clear from 16:00 Fri 22 May 2026); " +
				"then Mon 25 May 2026 is a public holiday in US; next 09:30 Tue 26 May 2026 America/New_York"},
		// A debt id that could break the line is quoted.
		{name: "debt_id_quoted", p: nyConsumer, ch: Call, debt: "INV-1\nx", hist: callsAbout("INV-1\nx", true, "2026-03-09T14:12:00Z"),
			want: "2026-03-10T14:00:00Z", at: "2026-03-16T14:12:00Z", has: []string{`about "INV-1\nx"`}},
	})
}

// Rule 5: daylight saving. Windows are wall-clock times, so the UTC instant
// of "08:00" or "09:30" moves by an hour across the change.
func TestDecide_DST(t *testing.T) {
	runDecideCases(t, []decideCase{
		// Sat 7 Mar 22:30 CST (−6) → Sun 8 Mar 08:00 CDT (−5) = 13:00Z, not 14:00Z.
		{name: "us_spring_forward_sms", p: chicagoConsumer, ch: SMS,
			want: "2026-03-08T04:30:00Z", at: "2026-03-08T13:00:00Z",
			reason: "held: 22:30 Sat 7 Mar 2026 America/Chicago is outside consumer hours 08:00–21:00; next 08:00 Sun 8 Mar 2026 America/Chicago"},
		// Fri 6 Mar 12:00 EST (17:00Z; Friday's window was 14:30–16:30Z) →
		// Mon 9 Mar 09:30 EDT = 13:30Z.
		{name: "us_spring_forward_call", p: nyConsumer, ch: Call,
			want: "2026-03-06T17:00:00Z", at: "2026-03-09T13:30:00Z"},
		// Sat 31 Oct 21:30 EDT (1 Nov 01:30Z) → Sun 1 Nov 08:00 EST = 13:00Z.
		{name: "us_fall_back_email", p: nyConsumer, ch: Email,
			want: "2026-11-01T01:30:00Z", at: "2026-11-01T13:00:00Z"},
		// Fri 27 Mar 12:00 CET (11:00Z) → Mon 30 Mar 09:30 CEST = 07:30Z.
		{name: "eu_spring_forward_call", p: berlinConsumer, ch: Call,
			want: "2026-03-27T11:00:00Z", at: "2026-03-30T07:30:00Z",
			reason: "held: 12:00 Fri 27 Mar 2026 Europe/Berlin is outside the call window 09:30–11:30 on weekdays; next 09:30 Mon 30 Mar 2026 Europe/Berlin"},
		// Sat 28 Mar 22:00 CET (21:00Z) → Sun 29 Mar 08:00 CEST = 06:00Z.
		{name: "eu_spring_forward_email", p: berlinConsumer, ch: Email,
			want: "2026-03-28T21:00:00Z", at: "2026-03-29T06:00:00Z"},
		// Sat 24 Oct 23:00 CEST (21:00Z) → Sun 25 Oct 08:00 CET = 07:00Z.
		{name: "eu_fall_back_email", p: berlinConsumer, ch: Email,
			want: "2026-10-24T21:00:00Z", at: "2026-10-25T07:00:00Z"},
		// London letter: Fri 27 Mar 16:30 GMT → Mon 30 Mar 16:00 BST = 15:00Z.
		{name: "gb_letter_across_bst", p: londonBusiness, ch: Letter,
			want: "2026-03-27T16:30:00Z", at: "2026-03-30T15:00:00Z"},
	})
}

// Rule 6: the search ends; with rules that leave no slot it says so.
func TestDecide_NoSlot(t *testing.T) {
	runDecideCases(t, []decideCase{
		{name: "empty_call_window", p: londonBusiness, ch: Call, want: "2026-03-10T10:00:00Z", blocked: true,
			rules: func(r *Rules) { r.CallWindow.To = r.CallWindow.From },
			reason: "blocked: no allowed call slot within 400 days after 10:00 Tue 10 Mar 2026 Europe/London " +
				"(check the contact rules: the call window 09:30–09:30 on weekdays)"},
		{name: "call_window_outside_consumer_hours", p: nyConsumer, ch: Call, want: "2026-03-10T14:00:00Z", blocked: true,
			rules: func(r *Rules) { r.CallWindow = DailyWindow{From: Clock{6, 0}, To: Clock{7, 0}, Weekdays: true} }},
	})
}

func TestDecide_Deterministic(t *testing.T) {
	hist := callsAbout("INV-1", false, "2026-05-15T20:00:00Z", "2026-05-18T14:00:00Z", "2026-05-19T14:00:00Z",
		"2026-05-20T14:00:00Z", "2026-05-20T15:00:00Z", "2026-05-21T14:00:00Z", "2026-05-21T15:00:00Z")
	want := instant(t, "2026-05-22T14:00:00Z")
	first := Decide(nyConsumer, Call, "INV-1", want, hist, DefaultRules())
	// Reversed history: the order of attempts must not matter.
	rev := make([]Attempt, len(hist))
	for i, a := range hist {
		rev[len(hist)-1-i] = a
	}
	for range 100 {
		if got := Decide(nyConsumer, Call, "INV-1", want, rev, DefaultRules()); got != first {
			t.Fatalf("decision changed: %+v vs %+v", got, first)
		}
	}
	// A requested instant in another location decides the same.
	if got := Decide(nyConsumer, Call, "INV-1", want.In(time.FixedZone("X", 3*3600)), hist, DefaultRules()); got != first {
		t.Fatalf("location of want changed the decision: %+v vs %+v", got, first)
	}
}

func TestRules_Validate(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatalf("default rules invalid: %v", err)
	}
	r := DefaultRules()
	r.CallWindow = DailyWindow{From: Clock{11, 0}, To: Clock{10, 0}}
	r.ConsumerLatest = Clock{25, 0}
	r.LetterCutoff = Clock{16, 60}
	r.MaxCallsPer7Days = -1
	r.QuietAfterConversation = -time.Hour
	err := r.Validate()
	if err == nil {
		t.Fatal("invalid rules accepted")
	}
	for _, want := range []string{"call_window: window 11:00–10:00 is empty", "consumer_latest: 25:00 is not a time of day",
		"letter_cutoff: 16:60", "max_calls_per_7_days", "quiet_after_conversation"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	r = DefaultRules()
	r.CallWindow = DailyWindow{From: Clock{6, 0}, To: Clock{7, 30}, Weekdays: true}
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "consumers could never be called") {
		t.Errorf("call window outside consumer hours: %v", err)
	}
	r = DefaultRules()
	r.ConsumerLatest = Clock{24, 0}
	if err := r.Validate(); err != nil {
		t.Errorf("24:00 as an end should be valid: %v", err)
	}
}

func TestSameDebt(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"inv_1", "inv_1", true},
		{"inv_1", "inv_2", false},
		{"inv_1,inv_2", "inv_2", true},
		{"inv_2", "inv_3,inv_2", true},
		{"inv_1,inv_2", "inv_3,inv_4", false},
		{"", "inv_1", true}, // a call about no named debt counts for all
		{"inv_1", "", true},
		{"inv_10", "inv_1", false}, // whole ids, not prefixes
	} {
		if got := sameDebt(c.a, c.b); got != c.want {
			t.Errorf("sameDebt(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
