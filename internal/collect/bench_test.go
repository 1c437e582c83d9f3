package collect

import (
	"testing"
	"time"
)

// BenchmarkDecide measures the decisions the daily run makes most: an
// allowed call with a few earlier calls, an allowed email, a message held
// overnight, and the worst ordinary case (a Regulation F hold running into
// a weekend and a holiday, four days of search).
func BenchmarkDecide(b *testing.B) {
	r := DefaultRules()
	hist := callsAbout("INV-1", false, "2026-03-04T16:00:00Z", "2026-03-05T15:00:00Z", "2026-03-06T15:00:00Z",
		"2026-03-09T14:00:00Z", "2026-03-09T15:00:00Z")
	hist = append(hist, callsAbout("INV-2", false, "2026-03-09T14:10:00Z", "2026-03-10T13:40:00Z")...)
	memorial := callsAbout("INV-1", false,
		"2026-05-15T20:00:00Z", "2026-05-18T14:00:00Z", "2026-05-19T14:00:00Z", "2026-05-20T14:00:00Z",
		"2026-05-20T15:00:00Z", "2026-05-21T14:00:00Z", "2026-05-21T15:00:00Z")
	cases := []struct {
		name string
		p    Party
		ch   string
		want time.Time
		hist []Attempt
		ok   bool
	}{
		{"typical_call_allowed", nyConsumer, Call, time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC), hist, true},
		{"email_allowed", londonBusiness, Email, time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), nil, true},
		{"sms_held_overnight", chicagoConsumer, SMS, time.Date(2026, 3, 10, 3, 40, 0, 0, time.UTC), nil, false},
		{"regf_weekend_holiday", nyConsumer, Call, time.Date(2026, 5, 22, 14, 0, 0, 0, time.UTC), memorial, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := Decide(c.p, c.ch, "INV-1", c.want, c.hist, r); d.Allowed != c.ok {
					b.Fatal(d.Reason)
				}
			}
		})
	}
}

func BenchmarkNextMeetingSlot(b *testing.B) {
	r := DefaultRules()
	after := time.Date(2026, 12, 24, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		NextMeetingSlot(londonBusiness, after, 0, 30*time.Minute, r)
	}
}
