package bench

import (
	"context"
	"testing"
	"time"

	"settle/internal/notify"
)

// The SMTP sink records what settle's sender sends: the Message-ID
// settle fixes per message, the recipient, and the subject decoded.
func TestSMTPSinkRecordsMessages(t *testing.T) {
	s, err := startSMTPSink()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snd, err := notify.NewSender("smtp://" + s.addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := snd.Send(context.Background(), notify.Email{From: "ar@example.com", To: `"Ann" <ann@example.com>`,
			Subject: "Final notice: 1,920.63\u00a0EUR due by 22\u00a0October", Text: "Pay.", MessageID: "<msg_01ABC@settle>"}); err != nil {
			t.Fatal(err)
		}
	}
	got := s.received()
	if len(got) != 2 {
		t.Fatalf("received %d, want 2", len(got))
	}
	m := got[0]
	if m.MessageID != "msg_01ABC@settle" || len(m.To) != 1 || m.To[0] != "ann@example.com" ||
		m.Subject != "Final notice: 1,920.63\u00a0EUR due by 22\u00a0October" || time.Since(m.At) > time.Minute {
		t.Errorf("received %+v", m)
	}
}

func TestClaimPID(t *testing.T) {
	for in, want := range map[string]int{"host/4242/mailer": 4242, "a/b/c/17/webhooks": 17, "": 0, "mailer": 0, "h/x/mailer": 0} {
		if got := claimPID(in); got != want {
			t.Errorf("claimPID(%q) = %d, want %d", in, got, want)
		}
	}
}

// A duplicate is excused only as settle's at-least-once resend: its
// sender killed within seconds of the first delivery, the second one
// after the claim went stale.
func TestResentAfterKill(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := &soak{kills: []KillWindow{{Instance: 1, PID: 10, Killed: t0.Add(2 * time.Second), Up: t0.Add(4 * time.Second)}}}
	cases := []struct {
		name          string
		first, second time.Time
		want          bool
	}{
		{"killed right after, resent after the stale period", t0, t0.Add(10*time.Minute + 3*time.Second), true},
		{"resent at once", t0, t0.Add(time.Second), false},
		{"resent after the stale period, no kill near the first", t0.Add(time.Minute), t0.Add(12 * time.Minute), false},
		{"kill long after the first delivery", t0.Add(-30 * time.Second), t0.Add(11 * time.Minute), false},
	}
	for _, c := range cases {
		if got := s.resentAfterKill(c.first, c.second, emailStale); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
