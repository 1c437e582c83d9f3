package service_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
	"settle/internal/testutil/testenv"
)

// Documents in the customer's language (issue 16, item 9): the written
// agreement, the agreement email, the invoice copy and the follow-up
// invitation, on both engines.

// docClock is Friday 20 November 2026, 02:00 UTC: 03:00 in Berlin and
// Paris (CET, UTC+1), outside every contact window. The first allowed
// email slot is 08:00 local, 07:00 UTC, on the same day for consumers and,
// as it is a weekday, for businesses too.
var (
	docNow       = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	docFirstSlot = time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
)

func docService(t *testing.T, open func(*testing.T, func() time.Time) store.Store) (*service.Service, context.Context) {
	t.Helper()
	clock := func() time.Time { return docNow }
	svc := service.New(open(t, clock), clock)
	svc.Creditor, svc.MailFrom, svc.OptOutURL = "Settle Demo GmbH", "collections@demo.example", "https://demo.example/optout"
	ctx := testutil.Admin(context.Background())
	for _, c := range []service.CustomerInput{
		{ExternalRef: "DE", Name: "Jürgen Müller", Email: "jm@example.de", Kind: "consumer", Jurisdiction: "DE", TimeZone: "Europe/Berlin", Locale: "de-DE"},
		{ExternalRef: "FR", Name: "Sophie Martin SARL", Email: "sm@example.fr", Kind: "business", Jurisdiction: "FR", TimeZone: "Europe/Paris", Locale: "fr-FR"},
	} {
		if _, err := svc.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, inv := range []service.InvoiceInput{
		{Number: "DE-1", CustomerID: "DE", IssueDate: "2026-09-01", DueDate: "2026-10-01", Currency: "EUR", Amount: "1234.56"},
		{Number: "FR-1", CustomerID: "FR", IssueDate: "2026-09-01", DueDate: "2026-10-01", Currency: "EUR", Amount: "1234.56"},
	} {
		if _, err := svc.CreateInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	return svc, ctx
}

var docEngines = map[string]func(*testing.T, func() time.Time) store.Store{
	"sqlite": testutil.SQLiteAt, "postgres": testutil.PostgresAt,
}

// pdfWords is the PDF's text with every run of white space (no-break
// spaces included) as one space.
func pdfWords(t *testing.T, b []byte) string {
	t.Helper()
	tool := testenv.Tool(t, "pdftotext", "poppler-utils")
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// twoInstallments proposes a plan over the customer's invoice: 1,234.56
// in two monthly installments of 617.28 from Monday 7 December 2026.
func twoInstallments(t *testing.T, svc *service.Service, ctx context.Context, customer string) string {
	t.Helper()
	v, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: customer, InvoiceIDs: []string{customer + "-1"},
		PlanTermsInput: service.PlanTermsInput{Installments: 2, StartDate: "2026-12-07"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range v.Plan.Installments {
		got = append(got, in.DueDate.String()+" "+in.Amount.String())
	}
	if want := "2026-12-07 617.28, 2027-01-07 617.28"; strings.Join(got, ", ") != want {
		t.Fatalf("plan installments %s, want %s", strings.Join(got, ", "), want)
	}
	return v.Plan.ID
}

// The agreement a German or French customer downloads is in their
// language, with their formats for amounts and dates.
func TestAgreementPDF_CustomerLanguage(t *testing.T) {
	for engine, open := range docEngines {
		t.Run(engine, func(t *testing.T) {
			svc, ctx := docService(t, open)
			for _, c := range []struct {
				customer string
				want     []string
				english  []string
			}{
				{"DE", []string{"Ratenzahlungsvereinbarung", "ausgestellt am 20. November 2026", "1.234,56 EUR", "07.12.2026", "07.01.2027",
					"617,28", "GLÄUBIGER KUNDE", "Jürgen Müller", "DE-1", "01.10.2026", "Noch nicht angenommen"},
					[]string{"Payment plan agreement", "Due date", "installment", "1234.56", "2026-12-07", "Not yet accepted"}},
				{"FR", []string{"Accord de paiement échelonné", "émis le 20 novembre 2026", "1 234,56 EUR", "07/12/2026", "07/01/2027",
					"617,28", "CRÉANCIER CLIENT", "Sophie Martin SARL", "FR-1", "01/10/2026", "Pas encore accepté"},
					[]string{"Payment plan agreement", "Due date", "installment", "1234.56", "2026-12-07", "Not yet accepted"}},
			} {
				id := twoInstallments(t, svc, ctx, c.customer)
				b, err := svc.AgreementPDF(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				txt := pdfWords(t, b)
				for _, w := range c.want {
					if !strings.Contains(txt, w) {
						t.Errorf("%s agreement lacks %q", c.customer, w)
					}
				}
				for _, w := range c.english {
					if strings.Contains(txt, w) {
						t.Errorf("%s agreement still says %q", c.customer, w)
					}
				}
				if t.Failed() {
					t.Logf("%s agreement:\n%s", c.customer, txt)
				}
			}
		})
	}
}

// messagesOf lists the customer's outbox, oldest first.
func messagesOf(t *testing.T, svc *service.Service, ctx context.Context, customer string) []store.Message {
	t.Helper()
	ms, _, err := svc.Messages(ctx, store.MessageFilter{CustomerID: customer, Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// stepOf keeps the messages of one step.
func stepOf(ms []store.Message, step string) []store.Message {
	var out []store.Message
	for _, m := range ms {
		if m.Step == step {
			out = append(out, m)
		}
	}
	return out
}

// pdfAttachment is the message's one PDF attachment, as text.
func pdfAttachment(t *testing.T, m store.Message) string {
	t.Helper()
	if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/pdf" || !strings.HasSuffix(m.Attachments[0].Name, ".pdf") {
		t.Fatalf("message %s attachments %+v, want one PDF", m.ID, m.Attachments)
	}
	return pdfWords(t, m.Attachments[0].Data)
}

// Accepting a plan (staff or portal) and renegotiating one email the
// agreement, in the customer's language, at the next allowed slot, once.
func TestAgreementEmail_AcceptAndRenegotiate(t *testing.T) {
	for engine, open := range docEngines {
		t.Run(engine, func(t *testing.T) {
			svc, ctx := docService(t, open)
			id := twoInstallments(t, svc, ctx, "DE")
			if ms := messagesOf(t, svc, ctx, "DE"); len(ms) != 0 {
				t.Fatalf("a proposed plan queued %d messages", len(ms))
			}
			if _, err := svc.AcceptPlan(ctx, id, service.AcceptInput{AcceptedBy: "Jürgen Müller", Channel: "phone"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AcceptPlan(ctx, id, service.AcceptInput{AcceptedBy: "Jürgen Müller", Channel: "phone"}); err == nil {
				t.Error("a plan was accepted twice")
			}
			ms := stepOf(messagesOf(t, svc, ctx, "DE"), notify.StepAgreement)
			if len(ms) != 1 {
				t.Fatalf("%d agreement emails after accepting, want 1", len(ms))
			}
			m := ms[0]
			if m.Channel != "email" || m.Locale != "de-DE" || m.Status != store.MessageQueued || !m.ScheduledFor.Equal(docFirstSlot) {
				t.Errorf("agreement email %s %s %s at %s, want a queued de-DE email at %s", m.Channel, m.Locale, m.Status, m.ScheduledFor, docFirstSlot)
			}
			body := strings.Join(strings.Fields(m.Body), " ")
			for _, w := range []string{"Ratenzahlungsvereinbarung", "Guten Tag Jürgen Müller,", "2 Raten", "1.234,56 EUR", "7. Dezember 2026", "https://demo.example/optout"} {
				if !strings.Contains(m.Subject+" "+body, w) {
					t.Errorf("agreement email lacks %q:\n%s\n%s", w, m.Subject, m.Body)
				}
			}
			pdf := pdfAttachment(t, m)
			for _, w := range []string{"Ratenzahlungsvereinbarung", "Angenommen von", "Jürgen Müller", "Telefon"} {
				if !strings.Contains(pdf, w) {
					t.Errorf("attached agreement lacks %q:\n%s", w, pdf)
				}
			}

			// Renegotiation: the new version, proposed, is sent for the
			// customer to read before accepting it.
			if _, err := svc.RenegotiatePlan(ctx, id, service.PlanTermsInput{Installments: 3, StartDate: "2026-12-07"}); err != nil {
				t.Fatal(err)
			}
			ms = stepOf(messagesOf(t, svc, ctx, "DE"), notify.StepAgreement)
			if len(ms) != 2 {
				t.Fatalf("%d agreement emails after renegotiating, want 2", len(ms))
			}
			m = ms[1]
			if !m.ScheduledFor.Equal(docFirstSlot) || !strings.Contains(m.Subject, "Version 2") {
				t.Errorf("renegotiated agreement email %q at %s", m.Subject, m.ScheduledFor)
			}
			pdf = pdfAttachment(t, m)
			for _, w := range []string{"Version 2", "Noch nicht angenommen", "3 Raten"} {
				if !strings.Contains(pdf, w) {
					t.Errorf("renegotiated agreement lacks %q:\n%s", w, pdf)
				}
			}

			// The French customer accepts in the portal.
			fid := twoInstallments(t, svc, ctx, "FR")
			l, err := svc.CreatePortalLink(ctx, "FR", 0, "https://pay.example.com/")
			if err != nil {
				t.Fatal(err)
			}
			p := session(t, svc, l.Token)
			if _, err := svc.PortalAcceptPlan(context.Background(), p, fid, "Sophie Martin", "203.0.113.9"); err != nil {
				t.Fatal(err)
			}
			ms = stepOf(messagesOf(t, svc, ctx, "FR"), notify.StepAgreement)
			if len(ms) != 1 || ms[0].Locale != "fr-FR" || !ms[0].ScheduledFor.Equal(docFirstSlot) {
				t.Fatalf("French agreement emails %+v", ms)
			}
			body = strings.Join(strings.Fields(ms[0].Subject+" "+ms[0].Body), " ")
			for _, w := range []string{"accord de paiement échelonné", "Bonjour Sophie Martin SARL", "1 234,56 EUR"} {
				if !strings.Contains(body, w) {
					t.Errorf("French agreement email lacks %q:\n%s", w, body)
				}
			}
			if pdf := pdfAttachment(t, ms[0]); !strings.Contains(pdf, "Accepté par") || !strings.Contains(pdf, "203.0.113.9") {
				t.Errorf("French attached agreement:\n%s", pdf)
			}
		})
	}
}

// "Not received": the copy of the invoice is written in the customer's
// language and tone from the templates, carries the invoice as a PDF and
// waits for the contact hours.
func TestInvoiceResend_LanguageAndHours(t *testing.T) {
	for engine, open := range docEngines {
		t.Run(engine, func(t *testing.T) {
			svc, ctx := docService(t, open)
			v, err := svc.CreateInteraction(ctx, "FR", service.InteractionInput{Kind: "call", Direction: "inbound",
				Summary: "Says the invoice never arrived", Reason: &service.ReasonInput{Category: "not_received"}, InvoiceIDs: []string{"FR-1"}})
			if err != nil {
				t.Fatal(err)
			}
			m := v.Resend
			if m == nil {
				t.Fatal("no invoice copy queued")
			}
			body := strings.Join(strings.Fields(m.Body), " ")
			if m.Subject != "Copie de la facture FR-1" || !strings.Contains(body, "Comme demandé") || !strings.Contains(body, "1 234,56 EUR") ||
				!strings.Contains(body, "Bonjour Sophie Martin SARL") || strings.Contains(body, "As discussed") {
				t.Errorf("invoice copy in the wrong words:\n%s\n%s", m.Subject, m.Body)
			}
			if !m.ScheduledFor.Equal(docFirstSlot) || m.Locale != "fr-FR" || m.Step != notify.StepInvoiceResend {
				t.Errorf("invoice copy %s %s at %s, want at %s (08:00 in Paris)", m.Step, m.Locale, m.ScheduledFor, docFirstSlot)
			}
			if pdf := pdfAttachment(t, *m); !strings.Contains(pdf, "Facture") || !strings.Contains(pdf, "FR-1") || !strings.Contains(pdf, "1 234,56") {
				t.Errorf("attached invoice:\n%s", pdf)
			}

			// The portal's "I did not receive this invoice" sends the copy too.
			l, err := svc.CreatePortalLink(ctx, "DE", 0, "https://pay.example.com/")
			if err != nil {
				t.Fatal(err)
			}
			p := session(t, svc, l.Token)
			inv, err := svc.Invoice(ctx, "DE-1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.PortalDispute(context.Background(), p, service.PortalDisputeInput{InvoiceID: inv.ID, Reason: "not_received"}); err != nil {
				t.Fatal(err)
			}
			ms := stepOf(messagesOf(t, svc, ctx, "DE"), notify.StepInvoiceResend)
			if len(ms) != 1 {
				t.Fatalf("%d invoice copies after the portal's not received, want 1", len(ms))
			}
			if ms[0].Subject != "Kopie der Rechnung DE-1" || ms[0].Locale != "de-DE" || !ms[0].ScheduledFor.Equal(docFirstSlot) {
				t.Errorf("portal invoice copy %q %s at %s", ms[0].Subject, ms[0].Locale, ms[0].ScheduledFor)
			}
		})
	}
}

// A follow-up booked at 03:00 in the customer's night is invited at the
// first allowed email slot, not at once.
func TestBookFollowUp_InvitationInContactHours(t *testing.T) {
	for engine, open := range docEngines {
		t.Run(engine, func(t *testing.T) {
			svc, ctx := docService(t, open)
			v, err := svc.BookFollowUp(ctx, "DE", service.FollowUpInput{With: "Anna Schmidt"})
			if err != nil {
				t.Fatal(err)
			}
			ms := stepOf(messagesOf(t, svc, ctx, "DE"), notify.StepFollowUp)
			if len(ms) != 1 || ms[0].ID != v.MessageID {
				t.Fatalf("invitations %+v", ms)
			}
			if m := ms[0]; !m.ScheduledFor.Equal(docFirstSlot) || !strings.HasPrefix(m.Subject, "Gesprächstermin") || m.Locale != "de-DE" {
				t.Errorf("invitation %q %s at %s, want at %s (08:00 in Berlin)", m.Subject, m.Locale, m.ScheduledFor, docFirstSlot)
			}
		})
	}
}

// A customer opted out of email is sent none of these documents: the plan,
// the interaction and the follow-up are still recorded.
func TestDocuments_OptedOutOfEmail(t *testing.T) {
	for engine, open := range docEngines {
		t.Run(engine, func(t *testing.T) {
			svc, ctx := docService(t, open)
			if _, err := svc.SetOptOut(ctx, "DE", service.OptOutInput{Channel: "email", OptedOut: true, Source: "call"}); err != nil {
				t.Fatal(err)
			}
			id := twoInstallments(t, svc, ctx, "DE")
			if v, err := svc.AcceptPlan(ctx, id, service.AcceptInput{AcceptedBy: "Jürgen Müller", Channel: "phone"}); err != nil || v.Plan.Acceptance == nil {
				t.Fatalf("accept: %v", err)
			}
			if _, err := svc.RenegotiatePlan(ctx, id, service.PlanTermsInput{Installments: 3, StartDate: "2026-12-07"}); err != nil {
				t.Fatal(err)
			}
			v, err := svc.CreateInteraction(ctx, "DE", service.InteractionInput{Kind: "call", Direction: "inbound",
				Summary: "Says the invoice never arrived", Reason: &service.ReasonInput{Category: "not_received"}})
			if err != nil {
				t.Fatal(err)
			}
			if v.Resend != nil || v.Interaction.FollowUp != "" {
				t.Errorf("an invoice copy was queued for a customer opted out of email: %+v", v.Resend)
			}
			f, err := svc.BookFollowUp(ctx, "DE", service.FollowUpInput{})
			if err != nil {
				t.Fatal(err)
			}
			if f.MessageID != "" || f.TaskID == "" {
				t.Errorf("follow-up: message %q, task %q; want no message and a task", f.MessageID, f.TaskID)
			}
			if ms := messagesOf(t, svc, ctx, "DE"); len(ms) != 0 {
				t.Errorf("%d messages queued for a customer opted out of email: %+v", len(ms), ms)
			}
		})
	}
}
