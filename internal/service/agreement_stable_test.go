package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/testutil"
)

// The written agreement is the document the customer accepted: downloaded
// again after a payment, it still says when it was issued and what each
// invoice owed when the plan was made. (Before, it was issued "today" and
// showed each invoice's balance as of the download: after the first
// installment the German customer's invoice read 617,28 of 1.234,56 under
// "what this plan covers", beside a balance covered of 1.234,56.)
func TestAgreementPDF_StableAfterPayments(t *testing.T) {
	for engine, open := range docEngines {
		t.Run(engine, func(t *testing.T) {
			now := docNow
			clock := func() time.Time { return now }
			svc := service.New(open(t, clock), clock)
			svc.Creditor = "Settle Demo GmbH"
			ctx := testutil.Admin(context.Background())
			if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "DE", Name: "Jürgen Müller", Kind: "consumer",
				Jurisdiction: "DE", TimeZone: "Europe/Berlin", Locale: "de-DE"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "DE-1", CustomerID: "DE", IssueDate: "2026-09-01",
				DueDate: "2026-10-01", Currency: "EUR", Amount: "1234.56"}); err != nil {
				t.Fatal(err)
			}
			id := twoInstallments(t, svc, ctx, "DE")
			if _, err := svc.AcceptPlan(ctx, id, service.AcceptInput{AcceptedBy: "Jürgen Müller", Channel: "phone"}); err != nil {
				t.Fatal(err)
			}
			// The first installment is paid on its date; the agreement is
			// downloaded the day after.
			now = time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
			if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "DE", ReceivedOn: "2026-12-07", Currency: "EUR",
				Amount: "617.28", PlanID: id}); err != nil {
				t.Fatal(err)
			}
			b, err := svc.AgreementPDF(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			txt := pdfWords(t, b)
			// Hand-written: the invoice row (number, issued, due, amount,
			// balance when the plan was made) and the issue date.
			for _, want := range []string{"ausgestellt am 20. November 2026", "DE-1 01.09.2026 01.10.2026 1.234,56 1.234,56"} {
				if !strings.Contains(txt, want) {
					t.Errorf("the agreement lacks %q:\n%s", want, txt)
				}
			}
			if strings.Contains(txt, "8. Dezember 2026") {
				t.Errorf("the agreement is dated the day of the download:\n%s", txt)
			}
		})
	}
}
