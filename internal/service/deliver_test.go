package service_test

import (
	"context"
	"io"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"settle/internal/civil"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// A real SMTP peer (go-smtp) that can be told to refuse for a while.
type smtpPeer struct {
	mu      sync.Mutex
	got     []*mail.Message
	refuse  *smtp.SMTPError // returned by RCPT while set
	refusal int             // how many more RCPTs to refuse (0 = while set)
}

func (p *smtpPeer) NewSession(*smtp.Conn) (smtp.Session, error) { return &peerSession{p: p}, nil }

type peerSession struct{ p *smtpPeer }

func (s *peerSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *peerSession) Rcpt(string, *smtp.RcptOptions) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.p.refuse != nil {
		err := s.p.refuse
		if s.p.refusal > 0 {
			s.p.refusal--
			if s.p.refusal == 0 {
				s.p.refuse = nil
			}
		}
		return err
	}
	return nil
}
func (s *peerSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	s.p.mu.Lock()
	s.p.got = append(s.p.got, m)
	s.p.mu.Unlock()
	return nil
}
func (s *peerSession) Reset()        {}
func (s *peerSession) Logout() error { return nil }

func startPeer(t *testing.T, p *smtpPeer) string { return testutil.StartSMTP(t, p) }

// The run's emails go out over SMTP: a temporary refusal is retried after
// the backoff, a permanent one bounces, a customer without an address
// fails, and nothing is sent twice.
func TestDeliverEmails(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	svc.Creditor, svc.MailFrom = "Settle Demo Ltd", "collections@demo.example"
	ctx := testutil.Admin(context.Background())
	for _, c := range []service.CustomerInput{
		{ExternalRef: "A", Name: "Ann Able", Email: "ann@example.com", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"},
		{ExternalRef: "B", Name: "Ben Bounce", Email: "ben@example.com", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"},
		{ExternalRef: "C", Name: "Cal NoMail", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"},
	} {
		if _, err := svc.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-" + c.ExternalRef, CustomerID: c.ExternalRef, IssueDate: "2025-12-16",
			DueDate: "2026-01-15", Currency: "GBP", Amount: "120.00"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-01-15"}); err != nil {
		t.Fatal(err)
	}
	peer := &smtpPeer{}
	sender, err := notify.NewSender(startPeer(t, peer))
	if err != nil {
		t.Fatal(err)
	}
	// The first delivery meets a 451 (try later); Cal has no address.
	peer.refuse, peer.refusal = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}, 1

	rep, err := svc.DeliverEmails(ctx, sender, "test", 100)
	if err != nil {
		t.Fatal(err)
	}
	// Three due_today emails (the SMS stay queued: no SMS gateway yet).
	if rep.Claimed != 3 || rep.Retried != 1 || rep.Sent != 1 || rep.Failed != 1 {
		t.Fatalf("first pass %+v", rep)
	}
	// Nothing is due again until the backoff (1 minute) has passed.
	if rep, _ := svc.DeliverEmails(ctx, sender, "test", 100); rep.Claimed != 0 {
		t.Fatalf("retried before the backoff: %+v", rep)
	}
	advance(61 * time.Second)
	if rep, err := svc.DeliverEmails(ctx, sender, "test", 100); err != nil || rep.Claimed != 1 || rep.Sent != 1 {
		t.Fatalf("second pass %+v %v", rep, err)
	}
	if rep, _ := svc.DeliverEmails(ctx, sender, "test", 100); rep.Claimed != 0 {
		t.Fatalf("a third pass claimed %+v", rep)
	}
	peer.mu.Lock()
	got := append([]*mail.Message(nil), peer.got...)
	peer.mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("%d emails received, want 2", len(got))
	}
	seen := map[string]bool{}
	for _, m := range got {
		to := m.Header.Get("To")
		if seen[to] {
			t.Errorf("sent twice to %s", to)
		}
		seen[to] = true
		body, _ := io.ReadAll(m.Body)
		for _, want := range []string{"120.00", "I-"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("email to %s lacks %q", to, want)
			}
		}
		if m.Header.Get("List-Unsubscribe") == "" || !strings.HasSuffix(m.Header.Get("Message-Id"), "@settle>") || !strings.Contains(m.Header.Get("From"), "collections@demo.example") {
			t.Errorf("headers: %v", m.Header)
		}
	}
	msgs, _, err := svc.Messages(ctx, store.MessageFilter{Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var sent, failed int
	for _, m := range msgs {
		switch {
		case m.Channel == "email" && m.Status == store.MessageSent:
			sent++
			if m.SentAt == nil {
				t.Errorf("sent without sent_at: %+v", m)
			}
		case m.Channel == "email" && m.Status == store.MessageFailed:
			failed++
			if !strings.Contains(m.LastError, "no email address") {
				t.Errorf("failed for %q", m.LastError)
			}
		}
	}
	if sent != 2 || failed != 1 {
		t.Errorf("sent %d, failed %d, want 2 and 1", sent, failed)
	}
}

// A permanent refusal bounces the message at once.
func TestDeliverEmails_Bounce(t *testing.T) {
	clock := func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "B", Name: "Ben", Email: "ben@example.com", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-B", CustomerID: "B", IssueDate: "2025-12-16", DueDate: "2026-01-15", Currency: "GBP", Amount: "5.00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-01-15"}); err != nil {
		t.Fatal(err)
	}
	peer := &smtpPeer{refuse: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}
	sender, err := notify.NewSender(startPeer(t, peer))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.DeliverEmails(ctx, sender, "test", 10)
	if err != nil || rep.Bounced != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if rep, _ := svc.DeliverEmails(ctx, sender, "test", 10); rep.Claimed != 0 {
		t.Errorf("a bounced message was claimed again: %+v", rep)
	}
}

// TestDeliverEmails_OptOutLinkPerCustomer: with the portal's address set,
// the email's body and its List-Unsubscribe header each link to the
// customer's own contact preferences (a contact-only portal link for that
// customer), not to a shared mailbox.
func TestDeliverEmails_OptOutLinkPerCustomer(t *testing.T) {
	svc := service.New(testutil.SQLiteAt(t, testutil.Clock), testutil.Clock)
	svc.PortalURL = "https://pay.example.com/"
	ctx := testutil.Admin(context.Background())
	c, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "A", Name: "Ann Able", Email: "ann@example.com", Kind: "consumer",
		Jurisdiction: "GB", TimeZone: "Europe/London"})
	if err != nil {
		t.Fatal(err)
	}
	today := civil.In(testutil.Clock(), time.UTC)
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-A", CustomerID: "A", IssueDate: today.AddDays(-30).String(),
		DueDate: today.String(), Currency: "GBP", Amount: "120.00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: today.String()}); err != nil {
		t.Fatal(err)
	}
	peer := &smtpPeer{}
	sender, err := notify.NewSender(startPeer(t, peer))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := svc.DeliverEmails(ctx, sender, "test", 10); err != nil || rep.Sent != 1 {
		t.Fatalf("delivery %+v %v", rep, err)
	}
	peer.mu.Lock()
	m := peer.got[0]
	peer.mu.Unlock()
	check := func(where, link string) {
		t.Helper()
		tok, ok := strings.CutPrefix(link, "https://pay.example.com/portal/")
		tok, ok2 := strings.CutSuffix(tok, "/contact")
		if !ok || !ok2 {
			t.Fatalf("%s: %q is not a link to the portal's contact page", where, link)
		}
		sess, err := svc.VerifyPortalToken(ctx, tok)
		if err != nil || sess.CustomerID() != c.ID || !sess.ContactOnly() {
			t.Errorf("%s: %v; customer %v (want %s), contact only %v", where, err, sess != nil && sess.CustomerID() == c.ID, c.ID, sess != nil && sess.ContactOnly())
		}
	}
	check("List-Unsubscribe", strings.Trim(m.Header.Get("List-Unsubscribe"), "<>"))
	body, _ := io.ReadAll(m.Body)
	flat := strings.ReplaceAll(strings.ReplaceAll(string(body), "=\r\n", ""), "=3D", "=")
	i := strings.Index(flat, "https://pay.example.com/portal/")
	if i < 0 {
		t.Fatalf("the email has no portal opt-out link:\n%s", flat)
	}
	end := strings.Index(flat[i:], "/contact")
	if end < 0 {
		t.Fatalf("the link is cut:\n%s", flat[i:])
	}
	check("body", flat[i:i+end+len("/contact")])
}

// Messages queued, then the customer pays, then delivery starts: nothing
// about the paid debt reaches the SMTP peer; the withdrawn messages show
// with their reason, and the rest of the book is sent as usual. A
// partial payment leaves the message true, rendered again with the
// balance of that moment.
func TestDeliverEmails_WithdrawnAfterPayment(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			now := time.Date(2026, 1, 18, 12, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			svc := service.New(open(t), clock)
			ctx := testutil.Admin(context.Background())
			for _, c := range []service.CustomerInput{
				{ExternalRef: "PAID", Name: "Pam Payer", Email: "pam@example.com", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"},
				{ExternalRef: "PART", Name: "Pat Part", Email: "pat@example.com", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"},
			} {
				if _, err := svc.CreateCustomer(ctx, c); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-" + c.ExternalRef, CustomerID: c.ExternalRef, IssueDate: "2025-12-16",
					DueDate: "2026-01-15", Currency: "GBP", Amount: "1000.00"}); err != nil {
					t.Fatal(err)
				}
			}
			// The run of +3 queues each case's first overdue email.
			if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-01-18"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "PAID", ReceivedOn: "2026-01-18", Currency: "GBP", Amount: "1000.00"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "PART", ReceivedOn: "2026-01-18", Currency: "GBP", Amount: "400.00"}); err != nil {
				t.Fatal(err)
			}
			peer := &smtpPeer{}
			sender, err := notify.NewSender(startPeer(t, peer))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := svc.DeliverEmails(ctx, sender, "test", 100)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Claimed != 2 || rep.Sent != 1 || rep.Withdrawn != 1 {
				t.Fatalf("delivery %+v, want 2 claimed: 1 sent, 1 withdrawn", rep)
			}
			peer.mu.Lock()
			got := append([]*mail.Message(nil), peer.got...)
			peer.mu.Unlock()
			if len(got) != 1 || !strings.Contains(got[0].Header.Get("To"), "pat@example.com") {
				t.Fatalf("%d emails reached the peer, want only Pat's", len(got))
			}
			body, _ := io.ReadAll(got[0].Body)
			// 1,000.00 − 400.00: the balance at delivery, not at queueing.
			if !strings.Contains(string(body), "600.00") || strings.Contains(string(body), "1,000.00 GBP") && !strings.Contains(string(body), "600.00") {
				t.Errorf("Pat's email does not state the balance of 600.00 at delivery:\n%s", body)
			}
			msgs, _, err := svc.Messages(ctx, store.MessageFilter{CustomerID: "PAID"})
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 || msgs[0].Status != store.MessageWithdrawn || !strings.Contains(msgs[0].StatusReason, "I-PAID paid") {
				t.Fatalf("Pam's messages %+v, want one withdrawn because I-PAID was paid", msgs)
			}
		})
	}
}

// The contact rules hold when a message leaves, not only when it was
// queued: an overdue notice queued for 09:00 in New York that the sender
// only reaches at 22:30 local time (it was down all day) is not sent at
// night (Regulation F: not after 21:00 at the consumer's location); it
// waits, queued, for the next morning, and leaves then.
func TestDeliverEmails_WaitsForContactHours(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 4, 13, 0, 0, 0, time.UTC) // 09:00 EDT, Monday
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t2 time.Time) { mu.Lock(); defer mu.Unlock(); now = t2 }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "NY", Name: "Nora York", Email: "nora@example.com", Kind: "consumer", Jurisdiction: "US", TimeZone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "NY-1", CustomerID: "NY", IssueDate: "2026-04-01", DueDate: "2026-04-30", Currency: "USD", Amount: "250.00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-05-04"}); err != nil {
		t.Fatal(err)
	}
	mailer := &captureMailer{}
	set(time.Date(2026, 5, 5, 2, 30, 0, 0, time.UTC)) // 22:30 EDT on 4 May
	rep, err := svc.DeliverEmails(ctx, mailer, "test", 10)
	if err != nil || rep.Claimed != 1 || rep.Sent != 0 || rep.Deferred != 1 || len(mailer.sent) != 0 {
		t.Fatalf("at 22:30 in New York: %+v, %v, %d sent; want it claimed and deferred, not sent", rep, err, len(mailer.sent))
	}
	msgs := allMessages(t, ctx, svc)
	if len(msgs) != 1 || msgs[0].Status != store.MessageQueued {
		t.Fatalf("messages %+v: want the one still queued", msgs)
	}
	ny := mustLoc(t, "America/New_York")
	next := msgs[0].ScheduledFor.In(ny)
	if next.Day() != 5 || next.Hour() < 8 || next.Hour() >= 21 {
		t.Errorf("waits until %s: want 5 May between 08:00 and 21:00 New York time", next)
	}
	if rep, _ := svc.DeliverEmails(ctx, mailer, "test", 10); rep.Claimed != 0 {
		t.Errorf("claimed again at night: %+v", rep)
	}
	set(msgs[0].ScheduledFor)
	if rep, err := svc.DeliverEmails(ctx, mailer, "test", 10); err != nil || rep.Sent != 1 {
		t.Errorf("at %s: %+v, %v; want it sent", next, rep, err)
	}
}
