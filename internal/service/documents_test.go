package service_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
