package service_test

import (
	"context"
	"encoding/json"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/collect"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// outboxBook is a service on engine at a clock the test moves, with one
// consumer in London (email, no phone) owing 120.00 GBP due 2026-01-15.
type outboxBook struct {
	svc   *service.Service
	st    store.Store
	ctx   context.Context
	mu    sync.Mutex
	now   time.Time
	peer  *smtpPeer
	mails *notify.Sender
}

func (b *outboxBook) clock() time.Time { b.mu.Lock(); defer b.mu.Unlock(); return b.now }
func (b *outboxBook) set(t time.Time)  { b.mu.Lock(); defer b.mu.Unlock(); b.now = t }

func newOutboxBook(t *testing.T, engine string, segment string) *outboxBook {
	t.Helper()
	b := &outboxBook{now: time.Date(2026, 1, 15, 7, 0, 0, 0, time.UTC)}
	if engine == "postgres" {
		b.st = testutil.PostgresAt(t, b.clock)
	} else {
		b.st = testutil.SQLiteAt(t, b.clock)
	}
	b.svc = service.New(b.st, b.clock)
	b.svc.Creditor, b.svc.MailFrom = "Settle Demo Ltd", "collections@demo.example"
	b.ctx = testutil.Admin(context.Background())
	if _, err := b.svc.CreateCustomer(b.ctx, service.CustomerInput{Address: &service.AddressInput{Lines: []string{"1 Test Street"}, City: "London", PostalCode: "EC1A 1BB", Country: "GB"}, ExternalRef: "A", Name: "Ann Able", Email: "ann@example.com", Kind: "consumer",
		Jurisdiction: "GB", TimeZone: "Europe/London", Segment: segment}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.CreateInvoice(b.ctx, service.InvoiceInput{Number: "I-A", CustomerID: "A", IssueDate: "2025-12-16",
		DueDate: "2026-01-15", Currency: "GBP", Amount: "120.00"}); err != nil {
		t.Fatal(err)
	}
	b.peer = &smtpPeer{}
	var err error
	if b.mails, err = notify.NewSender(startPeer(t, b.peer)); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *outboxBook) run(t *testing.T, date string) {
	t.Helper()
	if _, err := b.svc.StartRun(b.ctx, service.RunInput{AsOf: date}); err != nil {
		t.Fatalf("run %s: %v", date, err)
	}
}

func (b *outboxBook) deliver(t *testing.T) service.DeliveryReport {
	t.Helper()
	rep, err := b.svc.DeliverEmails(b.ctx, b.mails, "test", 100)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// queued returns the customer's messages by status.
func (b *outboxBook) messages(t *testing.T, status string) []store.Message {
	t.Helper()
	list, _, err := b.svc.Messages(b.ctx, store.MessageFilter{CustomerID: "A", Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (b *outboxBook) received() []*mail.Message {
	b.peer.mu.Lock()
	defer b.peer.mu.Unlock()
	return append([]*mail.Message(nil), b.peer.got...)
}

func (b *outboxBook) auditActions(t *testing.T, id string) []string {
	t.Helper()
	entries, err := b.svc.Audit(b.ctx, store.AuditFilter{ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Actor+" "+e.Action)
	}
	return out
}

func onlyOne(t *testing.T, list []store.Message) store.Message {
	t.Helper()
	if len(list) != 1 {
		t.Fatalf("%d messages, want 1: %+v", len(list), list)
	}
	return list[0]
}

func fieldOf(t *testing.T, err error, field string) {
	t.Helper()
	ae, ok := err.(*apperr.Error)
	if !ok || ae.Code != apperr.Invalid {
		t.Fatalf("err = %v, want a field error on %s", err, field)
	}
	for _, f := range ae.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("err = %v: no error on field %s", err, field)
}

// A held email stays queued and is not delivered; released, it leaves.
func TestOutbox_HoldIsNotDelivered(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "")
			b.run(t, "2026-01-15")
			m := onlyOne(t, b.messages(t, store.MessageQueued)) // due_today email (no phone: no SMS)
			if _, err := b.svc.HoldMessage(b.ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			b.set(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
			if rep := b.deliver(t); rep.Claimed != 0 || len(b.received()) != 0 {
				t.Fatalf("a held message was delivered: %+v", rep)
			}
			if _, err := b.svc.HoldMessage(b.ctx, m.ID); apperr.CodeOf(err) != apperr.Conflict {
				t.Fatalf("holding twice: %v, want a conflict", err)
			}
			if _, err := b.svc.ReleaseMessage(b.ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			if rep := b.deliver(t); rep.Sent != 1 || len(b.received()) != 1 {
				t.Fatalf("released but not sent: %+v", rep)
			}
			want := []string{"test:admin message.held", "test:admin message.released"}
			got := b.auditActions(t, m.ID)
			for _, w := range want {
				if !strings.Contains(strings.Join(got, "\n"), w) {
					t.Errorf("audit %q lacks %q", got, w)
				}
			}
		})
	}
}

// Skip withdraws with "skipped by <actor>: <reason>"; no reason is a
// field error and writes nothing.
func TestOutbox_Skip(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "")
			b.run(t, "2026-01-15")
			m := onlyOne(t, b.messages(t, store.MessageQueued))
			before := len(b.auditActions(t, m.ID))
			_, err := b.svc.SkipMessage(b.ctx, m.ID, "  ")
			fieldOf(t, err, "reason")
			if _, err := b.svc.SkipMessage(b.ctx, m.ID, "line1\nline2"); err == nil {
				t.Fatal("a reason with a line break was accepted")
			}
			if n := len(b.auditActions(t, m.ID)); n != before {
				t.Fatalf("a refused skip audited: %d entries, want %d", n, before)
			}
			got, err := b.svc.SkipMessage(b.ctx, m.ID, "customer called, paying today")
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != store.MessageWithdrawn || got.StatusReason != "skipped by test:admin: customer called, paying today" {
				t.Fatalf("skipped: %s %q", got.Status, got.StatusReason)
			}
			b.set(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
			if rep := b.deliver(t); rep.Claimed != 0 {
				t.Fatalf("a skipped message was claimed: %+v", rep)
			}
			if _, err := b.svc.SkipMessage(b.ctx, m.ID, "again"); apperr.CodeOf(err) != apperr.Conflict {
				t.Fatalf("skipping a withdrawn message: %v, want a conflict", err)
			}
			if _, err := b.svc.SkipMessage(b.ctx, "msg_nope", "x"); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("unknown message: %v, want not found", err)
			}
		})
	}
}

// An edited email leaves with the edited words (not rendered again), and
// is still withdrawn when its debt is paid before it leaves.
func TestOutbox_EditedIsNotRenderedAgain(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "")
			b.run(t, "2026-01-15")
			m := onlyOne(t, b.messages(t, store.MessageQueued))
			empty := ""
			_, err := b.svc.EditMessage(b.ctx, m.ID, service.MessageEdit{Subject: &empty})
			fieldOf(t, err, "subject")
			subject, body := "About invoice I-A", "Dear Ann,\nA quick note from Sam: invoice I-A is due today.\nSam"
			if _, err := b.svc.EditMessage(b.ctx, m.ID, service.MessageEdit{Subject: &subject, Body: &body}); err != nil {
				t.Fatal(err)
			}
			entries, err := b.svc.Audit(b.ctx, store.AuditFilter{ObjectID: m.ID})
			if err != nil {
				t.Fatal(err)
			}
			var edit struct {
				Before struct{ Subject, Body string }
				After  struct{ Subject, Body string }
			}
			found := false
			for _, e := range entries {
				if e.Action == "message.edited" {
					found = true
					if err := json.Unmarshal([]byte(e.Detail), &edit); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !found || edit.Before.Subject != m.Subject || edit.After.Body != body {
				t.Fatalf("edit audit: found %v, %+v", found, edit)
			}
			b.set(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
			if rep := b.deliver(t); rep.Sent != 1 {
				t.Fatalf("%+v", rep)
			}
			got := b.received()[0]
			if got.Header.Get("Subject") != subject {
				t.Fatalf("subject %q, want the edited %q", got.Header.Get("Subject"), subject)
			}
			sent := onlyOne(t, b.messages(t, store.MessageSent))
			if sent.Body != body {
				t.Fatalf("stored body %q, want the edited one", sent.Body)
			}
		})
	}
}

func TestOutbox_EditedIsStillWithdrawnWhenMoot(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "")
			b.run(t, "2026-01-15")
			m := onlyOne(t, b.messages(t, store.MessageQueued))
			body := "Invoice I-A is due today."
			if _, err := b.svc.EditMessage(b.ctx, m.ID, service.MessageEdit{Body: &body}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.RecordPayment(b.ctx, service.PaymentInput{CustomerID: "A", ReceivedOn: "2026-01-15", Currency: "GBP", Amount: "120.00",
				Method: "bank_transfer", Reference: "I-A"}); err != nil {
				t.Fatal(err)
			}
			b.set(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
			if rep := b.deliver(t); rep.Withdrawn != 1 || rep.Sent != 0 {
				t.Fatalf("an edited message about a paid invoice: %+v", rep)
			}
		})
	}
}

// Send now: at once when the contact rules allow now; at night, the next
// allowed slot, and says so.
func TestOutbox_SendNow(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "")
			b.set(time.Date(2026, 1, 14, 23, 30, 0, 0, time.UTC)) // 23:30 in London, the evening before
			b.run(t, "2026-01-15")
			m := onlyOne(t, b.messages(t, store.MessageQueued))
			if _, err := b.svc.HoldMessage(b.ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			res, err := b.svc.SendMessageNow(b.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			// 23:30 is outside the contact hours (08:00–21:00 local): the
			// next slot is 08:00 on the 15th in London (UTC+0 in January).
			want := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
			if res.Now || !res.Message.ScheduledFor.Equal(want) || res.Reason == "" || res.Message.HeldAt != nil {
				t.Fatalf("send now at night: now=%v at %s reason %q held %v; want the slot %s", res.Now, res.Message.ScheduledFor, res.Reason, res.Message.HeldAt, want)
			}
			b.set(time.Date(2026, 1, 15, 7, 59, 0, 0, time.UTC))
			if rep := b.deliver(t); rep.Claimed != 0 {
				t.Fatalf("sent before its slot: %+v", rep)
			}
			b.set(time.Date(2026, 1, 15, 8, 30, 0, 0, time.UTC))
			if _, err := b.svc.HoldMessage(b.ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			res, err = b.svc.SendMessageNow(b.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Now || !res.Message.ScheduledFor.Equal(b.clock()) {
				t.Fatalf("send now in the day: now=%v at %s", res.Now, res.Message.ScheduledFor)
			}
			if rep := b.deliver(t); rep.Sent != 1 {
				t.Fatalf("%+v", rep)
			}
		})
	}
}

// A staff pause until a date: the run takes no step and the queued
// messages are withdrawn; on the date chasing resumes.
func TestOutbox_PauseCustomer(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "")
			b.run(t, "2026-01-15")
			m := onlyOne(t, b.messages(t, store.MessageQueued))
			_, err := b.svc.PauseCustomer(b.ctx, "A", service.PauseInput{Until: "2026-01-15", Reason: "x"})
			fieldOf(t, err, "until") // not after today
			_, err = b.svc.PauseCustomer(b.ctx, "A", service.PauseInput{Until: "2026-01-20"})
			fieldOf(t, err, "reason")
			if p, err := b.svc.CustomerPause(b.ctx, "A"); err != nil || p != nil {
				t.Fatalf("a refused pause was stored: %+v %v", p, err)
			}
			if _, err := b.svc.PauseCustomer(b.ctx, "A", service.PauseInput{Until: "2026-01-20", Reason: "in hospital, call back on the 20th"}); err != nil {
				t.Fatal(err)
			}
			b.set(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
			if rep := b.deliver(t); rep.Withdrawn != 1 || rep.Sent != 0 {
				t.Fatalf("delivery during a pause: %+v", rep)
			}
			if got, err := b.svc.Message(b.ctx, m.ID); err != nil || got.StatusReason != "chasing is paused by staff" {
				t.Fatalf("withdrawn reason %q (%v)", got.StatusReason, err)
			}
			// +3 (the 18th) would be the "overdue" step: paused, nothing.
			for _, d := range []string{"2026-01-16", "2026-01-17", "2026-01-18", "2026-01-19"} {
				b.set(time.Date(2026, 1, 19, 7, 0, 0, 0, time.UTC))
				b.run(t, d)
			}
			if q := b.messages(t, store.MessageQueued); len(q) != 0 {
				t.Fatalf("queued during the pause: %+v", q)
			}
			b.set(time.Date(2026, 1, 20, 7, 0, 0, 0, time.UTC))
			if p, err := b.svc.CustomerPause(b.ctx, "A"); err != nil || p != nil {
				t.Fatalf("the pause is still in force on its date: %+v %v", p, err)
			}
			b.run(t, "2026-01-20")
			q := onlyOne(t, b.messages(t, store.MessageQueued))
			if q.Step != collect.StepOverdue {
				t.Fatalf("on the pause's date the run queued %s, want %s", q.Step, collect.StepOverdue)
			}
		})
	}
}

// Approve before sending: the segment's messages wait until approved,
// in bulk; a bad id in the list approves none.
func TestOutbox_ApproveBeforeSending(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "careful")
			yes := true
			if _, err := b.svc.CreatePolicy(b.ctx, service.PolicyInput{Segment: "careful", ApproveBeforeSending: &yes}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.CreateCustomer(b.ctx, service.CustomerInput{Address: &service.AddressInput{Lines: []string{"1 Test Street"}, City: "London", PostalCode: "EC1A 1BB", Country: "GB"}, ExternalRef: "B", Name: "Ben", Email: "ben@example.com", Kind: "consumer",
				Jurisdiction: "GB", TimeZone: "Europe/London", Segment: "careful"}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.CreateInvoice(b.ctx, service.InvoiceInput{Number: "I-B", CustomerID: "B", IssueDate: "2025-12-16",
				DueDate: "2026-01-15", Currency: "GBP", Amount: "80.00"}); err != nil {
				t.Fatal(err)
			}
			b.run(t, "2026-01-15")
			items, _, err := b.svc.Outbox(b.ctx, service.OutboxFilter{State: service.OutboxAwaitingApproval})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 {
				t.Fatalf("%d awaiting approval, want 2", len(items))
			}
			b.set(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
			if rep := b.deliver(t); rep.Claimed != 0 {
				t.Fatalf("unapproved messages delivered: %+v", rep)
			}
			_, err = b.svc.ApproveMessages(b.ctx, []string{items[0].ID, "msg_nope"})
			fieldOf(t, err, "ids[1]")
			if again, _, _ := b.svc.Outbox(b.ctx, service.OutboxFilter{State: service.OutboxAwaitingApproval}); len(again) != 2 {
				t.Fatalf("a refused approval approved some: %d left", len(again))
			}
			if _, err := b.svc.ApproveMessages(b.ctx, []string{items[0].ID, items[1].ID}); err != nil {
				t.Fatal(err)
			}
			if rep := b.deliver(t); rep.Sent != 2 {
				t.Fatalf("approved but not sent: %+v", rep)
			}
		})
	}
}

// The outbox preview is the message as delivery would send it now, and
// says what the re-check would withdraw; it writes nothing.
func TestOutbox_PreviewIsTrueNowAndWritesNothing(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "")
			b.run(t, "2026-01-15")
			m := onlyOne(t, b.messages(t, store.MessageQueued))
			viewer := service.WithActor(context.Background(), service.Actor{ID: "test:viewer", Role: service.RoleViewer})
			items, _, err := b.svc.Outbox(viewer, service.OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Withdraw != "" || !strings.Contains(items[0].Preview.Body, "120.00") || items[0].Preview.HTML == "" {
				t.Fatalf("preview: %+v", items)
			}
			// Half paid: the preview states what is left now.
			if _, err := b.svc.RecordPayment(b.ctx, service.PaymentInput{CustomerID: "A", ReceivedOn: "2026-01-15", Currency: "GBP", Amount: "45.00",
				Method: "bank_transfer", Reference: "I-A"}); err != nil {
				t.Fatal(err)
			}
			items, _, err = b.svc.Outbox(viewer, service.OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(items[0].Preview.Body, "75.00") {
				t.Fatalf("the preview does not show the 75.00 left:\n%s", items[0].Preview.Body)
			}
			if _, err := b.svc.RecordPayment(b.ctx, service.PaymentInput{CustomerID: "A", ReceivedOn: "2026-01-15", Currency: "GBP", Amount: "75.00",
				Method: "bank_transfer", Reference: "I-A2"}); err != nil {
				t.Fatal(err)
			}
			audits := len(b.auditActions(t, m.ID))
			items, _, err = b.svc.Outbox(viewer, service.OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Withdraw != "invoice I-A paid or credited" {
				t.Fatalf("withdraw reason %q", items[0].Withdraw)
			}
			after, err := b.svc.Message(b.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Status != store.MessageQueued || len(b.auditActions(t, m.ID)) != audits {
				t.Fatalf("the preview wrote: status %s, audit %d→%d", after.Status, audits, len(b.auditActions(t, m.ID)))
			}
		})
	}
}

// Letters: the print batch holds the letters released for the date (one
// PDF), leaves out and withdraws a moot one, and mark posted sends them.
func TestOutbox_PrintBatchAndPosted(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "letters")
			l := collect.Ladder{Steps: []collect.LadderStep{{Name: collect.StepReminder, Offset: 1, Via: []string{collect.Letter}}}}
			if _, err := b.svc.CreatePolicy(b.ctx, service.PolicyInput{Segment: "letters", Ladder: &l}); err != nil {
				t.Fatal(err)
			}
			for _, ref := range []string{"B", "C"} {
				if _, err := b.svc.CreateCustomer(b.ctx, service.CustomerInput{Address: &service.AddressInput{Lines: []string{"1 Test Street"}, City: "London", PostalCode: "EC1A 1BB", Country: "GB"}, ExternalRef: ref, Name: "Customer " + ref, Kind: "business",
					Jurisdiction: "GB", TimeZone: "Europe/London", Segment: "letters"}); err != nil {
					t.Fatal(err)
				}
				if _, err := b.svc.CreateInvoice(b.ctx, service.InvoiceInput{Number: "I-" + ref, CustomerID: ref, IssueDate: "2025-12-16",
					DueDate: "2026-01-15", Currency: "GBP", Amount: "50.00"}); err != nil {
					t.Fatal(err)
				}
			}
			b.set(time.Date(2026, 1, 16, 7, 0, 0, 0, time.UTC))
			b.run(t, "2026-01-16")
			letters, _, err := b.svc.Messages(b.ctx, store.MessageFilter{Channel: notify.ChannelLetter, Status: store.MessageQueued})
			if err != nil {
				t.Fatal(err)
			}
			if len(letters) != 3 {
				t.Fatalf("%d letters queued, want 3 (A, B, C)", len(letters))
			}
			// C pays; A's letter is held: neither is printed.
			if _, err := b.svc.RecordPayment(b.ctx, service.PaymentInput{CustomerID: "C", ReceivedOn: "2026-01-16", Currency: "GBP", Amount: "50.00",
				Method: "bank_transfer", Reference: "I-C"}); err != nil {
				t.Fatal(err)
			}
			var aID, bID, cID string
			for _, m := range letters {
				c, err := b.svc.Customer(b.ctx, m.CustomerID)
				if err != nil {
					t.Fatal(err)
				}
				switch c.ExternalRef {
				case "A":
					aID = m.ID
				case "B":
					bID = m.ID
				case "C":
					cID = m.ID
				}
			}
			if _, err := b.svc.HoldMessage(b.ctx, aID); err != nil {
				t.Fatal(err)
			}
			_, err = b.svc.PrintLetters(b.ctx, "16/01/2026")
			fieldOf(t, err, "date")
			pb, err := b.svc.PrintLetters(b.ctx, "2026-01-16")
			if err != nil {
				t.Fatal(err)
			}
			if len(pb.Letters) != 1 || pb.Letters[0].ID != bID || len(pb.Withdrawn) != 1 || pb.Withdrawn[0].ID != cID ||
				!strings.HasPrefix(string(pb.PDF), "%PDF-") {
				t.Fatalf("print batch: letters %d, withdrawn %d, pdf %d bytes", len(pb.Letters), len(pb.Withdrawn), len(pb.PDF))
			}
			if pb.Withdrawn[0].StatusReason != "invoice I-C paid or credited" {
				t.Fatalf("withdrawn at print: %q", pb.Withdrawn[0].StatusReason)
			}
			// Mark posted: a held letter in the list refuses the whole list.
			_, err = b.svc.MarkPosted(b.ctx, []string{bID, aID})
			fieldOf(t, err, "ids[1]")
			if m, _ := b.svc.Message(b.ctx, bID); m.Status != store.MessageQueued {
				t.Fatalf("a refused posting marked B %s", m.Status)
			}
			b.set(time.Date(2026, 1, 16, 15, 0, 0, 0, time.UTC))
			posted, err := b.svc.MarkPosted(b.ctx, []string{bID})
			if err != nil {
				t.Fatal(err)
			}
			if posted[0].Status != store.MessageSent || posted[0].SentAt == nil || !posted[0].SentAt.Equal(b.clock()) {
				t.Fatalf("posted: %s at %v", posted[0].Status, posted[0].SentAt)
			}
			if !strings.Contains(strings.Join(b.auditActions(t, bID), "\n"), "test:admin message.posted") {
				t.Fatalf("posting not audited: %v", b.auditActions(t, bID))
			}
		})
	}
}

// Letters printed the day before they are released are re-checked as of
// their own date: a letter for tomorrow's step (the invoice one day late
// then, not yet today) is printed, not withdrawn as "not overdue".
func TestOutbox_PrintBatchAhead(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newOutboxBook(t, engine, "letters")
			l := collect.Ladder{Steps: []collect.LadderStep{{Name: collect.StepReminder, Offset: 1, Via: []string{collect.Letter}}}}
			if _, err := b.svc.CreatePolicy(b.ctx, service.PolicyInput{Segment: "letters", Ladder: &l}); err != nil {
				t.Fatal(err)
			}
			// The 16th's run, done on the evening of the 15th (as a
			// scheduler catching up ahead would not, but a person may).
			b.set(time.Date(2026, 1, 15, 18, 0, 0, 0, time.UTC))
			b.run(t, "2026-01-16")
			letter := onlyOne(t, b.messages(t, store.MessageQueued))
			if letter.Channel != notify.ChannelLetter {
				t.Fatalf("queued a %s", letter.Channel)
			}
			pb, err := b.svc.PrintLetters(b.ctx, "2026-01-16")
			if err != nil {
				t.Fatal(err)
			}
			if len(pb.Letters) != 1 || len(pb.Withdrawn) != 0 {
				t.Fatalf("printed the day before: %d letters, withdrawn %d (%v)", len(pb.Letters), len(pb.Withdrawn), pb.Withdrawn)
			}
		})
	}
}

// A staff list of message ids is checked whole before anything changes:
// empty or too long, an id listed twice, an unknown id, or a message in
// the wrong state is refused beside its field (ids[i]), and then nothing
// is approved or posted.
func TestOutbox_IDListsAllOrNone(t *testing.T) {
	b := newOutboxBook(t, "sqlite", "")
	b.set(time.Date(2026, 1, 18, 10, 0, 0, 0, time.UTC))
	b.run(t, "2026-01-18") // the overdue notice: an email, not awaiting approval
	email := onlyOne(t, b.messages(t, store.MessageQueued))
	if _, err := b.svc.ApproveMessages(b.ctx, nil); err == nil {
		t.Error("approve nothing: accepted")
	} else {
		fieldOf(t, err, "ids")
	}
	tooMany := make([]string, service.MaxApprove+1)
	if _, err := b.svc.MarkPosted(b.ctx, tooMany); err == nil {
		t.Error("post 501: accepted")
	} else {
		fieldOf(t, err, "ids")
	}
	_, err := b.svc.ApproveMessages(b.ctx, []string{email.ID, email.ID, "msg_nope"})
	fieldOf(t, err, "ids[0]") // not awaiting approval
	fieldOf(t, err, "ids[1]") // listed twice
	fieldOf(t, err, "ids[2]") // no such message
	_, err = b.svc.MarkPosted(b.ctx, []string{email.ID})
	fieldOf(t, err, "ids[0]") // an email, not a letter
	if after := onlyOne(t, b.messages(t, store.MessageQueued)); after.Status != store.MessageQueued || after.SentAt != nil {
		t.Errorf("after refused lists: %+v", after)
	}
}
