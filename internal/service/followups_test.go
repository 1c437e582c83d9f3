package service_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/testutil"
)

// A follow-up booked on Friday afternoon lands on Monday 09:30 in the
// customer's zone (the weekend is not convenient, 24 hours ahead at
// least), and the invitation goes out over SMTP with an iCalendar request
// that a real parser reads back.
func TestBookFollowUp_InviteOverSMTP(t *testing.T) {
	clock := func() time.Time { return time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC) } // Fri 09:00 in Chicago
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	svc.Creditor, svc.MailFrom = "Settle Demo Ltd", "collections@demo.example"
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "CHI", Name: "Carla Hill", Email: "carla@example.com",
		Kind: "consumer", Jurisdiction: "US", TimeZone: "America/Chicago"}); err != nil {
		t.Fatal(err)
	}
	v, err := svc.BookFollowUp(ctx, "CHI", service.FollowUpInput{With: "Anna Smith, Accounts", LengthMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	// Mon 23 Nov 2026 09:30 CST (UTC−6) = 15:30 UTC.
	if want := time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC); !v.Start.Equal(want) || v.Location.String() != "America/Chicago" || v.TaskID == "" || v.MessageID == "" {
		t.Fatalf("booked %+v, want start %s", v, want)
	}
	if _, err := svc.BookFollowUp(ctx, "CHI", service.FollowUpInput{LengthMinutes: 5}); err == nil || !strings.Contains(err.Error(), "length_minutes") {
		t.Errorf("length 5: %v", err)
	}

	peer := &smtpPeer{}
	sender, err := notify.NewSender(startPeer(t, peer))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := svc.DeliverEmails(ctx, sender, "test", 10); err != nil || rep.Sent != 1 {
		t.Fatalf("deliver %+v %v", rep, err)
	}
	peer.mu.Lock()
	msgs := append([]*mail.Message(nil), peer.got...)
	peer.mu.Unlock()
	if len(msgs) != 1 {
		t.Fatalf("%d emails", len(msgs))
	}
	m := msgs[0]
	if !strings.Contains(m.Header.Get("To"), "carla@example.com") {
		t.Errorf("To %q", m.Header.Get("To"))
	}
	var text string
	var cal []byte
	var walk func(ct string, r io.Reader, header map[string][]string)
	walk = func(ct string, r io.Reader, header map[string][]string) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		body := r
		if enc := strings.ToLower(first(header["Content-Transfer-Encoding"])); enc == "base64" || enc == "quoted-printable" {
			body = decoder(enc, r)
		}
		switch {
		case strings.HasPrefix(mt, "multipart/"):
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				walk(p.Header.Get("Content-Type"), p, p.Header)
			}
		case mt == "text/calendar":
			if params["method"] != "REQUEST" {
				t.Errorf("calendar part without method=REQUEST: %q", ct)
			}
			cal, _ = io.ReadAll(body)
		case mt == "text/plain":
			b, _ := io.ReadAll(body)
			text = string(b)
		}
	}
	walk(m.Header.Get("Content-Type"), m.Body, m.Header)
	if !strings.Contains(text, "Anna Smith") || !strings.Contains(text, "9:30") {
		t.Errorf("email text lacks the meeting:\n%s", text)
	}
	if len(cal) == 0 {
		t.Fatal("no text/calendar part")
	}
	c, err := ics.ParseCalendar(bytes.NewReader(cal))
	if err != nil {
		t.Fatalf("the .ics does not parse: %v\n%s", err, cal)
	}
	if p := c.CalendarProperties; len(p) == 0 {
		t.Fatal("no calendar properties")
	}
	var method string
	for _, p := range c.CalendarProperties {
		if p.IANAToken == "METHOD" {
			method = p.Value
		}
	}
	events := c.Events()
	if method != "REQUEST" || len(events) != 1 {
		t.Fatalf("method %q, %d events", method, len(events))
	}
	start := events[0].GetProperty(ics.ComponentPropertyDtStart)
	if start == nil || start.Value != "20261123T093000" || first(start.ICalParameters["TZID"]) != "America/Chicago" {
		t.Errorf("DTSTART %+v", start)
	}
	if at := events[0].Attendees(); len(at) != 1 || !strings.EqualFold(at[0].Email(), "carla@example.com") {
		t.Errorf("attendees %+v", at)
	}
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
