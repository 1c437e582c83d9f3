package notify

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/money"
)

// completedData is a thank-you as the run passes it: plan STL-2345678K over
// INV-2026-0117 paid off by a final payment of 250.00 on 10 August 2026;
// INV-2026-0200 (480.05) is still open outside the plan.
func completedData(locale, tone string) MessageData {
	creditor, customer, cur, _ := people(locale)
	return MessageData{Creditor: creditor, CustomerName: customer, Locale: locale, Tone: tone, Channel: ChannelEmail,
		AsOf: day("2026-08-11"),
		Completed: &CompletionLine{PlanID: "STL-2345678K", FinalPayment: amt("250.00", cur), PaidOn: day("2026-08-10"),
			InvoiceNumbers: []string{"INV-2026-0117"}, Others: []money.Amount{amt("480.05", cur)}},
		PortalURL: "https://pay.example.com/p/k7Q2x", OptOutURL: "https://pay.example.com/optout/9f8e7d6c",
	}
}

// Each language and tone as the customer reads it (written by hand).
func TestRender_PlanCompleted(t *testing.T) {
	for _, c := range []struct {
		locale, tone, subject string
		want                  []string
	}{
		{"en", ToneDirect, "Your payment plan STL-2345678K is complete", []string{
			"Dear O'Neill & Sons Ltd,",
			"Thank you: we received your final payment of 250.00 USD on 10 August 2026.",
			"Your payment plan STL-2345678K is complete, and the invoice it covered (INV-2026-0117) is paid in full.",
			"Your other invoices still have an open balance of 480.05 USD.",
			"Thank you for keeping to the plan.",
			"View your account, propose a payment plan or tell us about a problem: https://pay.example.com/p/k7Q2x",
			"Kind regards, Northwind Supplies Ltd",
			"You can opt out of emails from us about this account at any time: https://pay.example.com/optout/9f8e7d6c",
		}},
		{"de", ToneIndirect, "Vielen Dank: Ihr Ratenplan STL-2345678K ist abgeschlossen", []string{
			"Guten Tag Müller & Söhne GmbH,",
			"herzlichen Dank: Ihre letzte Zahlung über 250,00 EUR ist am 10. August 2026 bei uns eingegangen.",
			"Damit ist Ihr Ratenplan STL-2345678K abgeschlossen: Die Rechnung, die er umfasste (INV-2026-0117), ist vollständig bezahlt.",
			"Bitte beachten Sie, dass auf Ihren übrigen Rechnungen noch 480,05 EUR offen sind.",
			"Wir danken Ihnen, dass Sie den Plan so zuverlässig eingehalten haben.",
			"Ihr Kundenkonto ansehen, eine Ratenzahlung vorschlagen oder uns ein Problem melden: https://pay.example.com/p/k7Q2x",
			"Mit freundlichen Grüßen Nordwind Handel GmbH",
			"Sie können E-Mails von uns zu diesem Konto jederzeit abbestellen: https://pay.example.com/optout/9f8e7d6c",
		}},
		{"fr", ToneDirect, "Votre plan de paiement STL-2345678K est terminé", []string{
			"Bonjour José Álvarez,",
			"Merci : nous avons reçu votre dernier paiement de 250,00 EUR le 10 août 2026.",
			"Votre plan de paiement STL-2345678K est terminé et la facture qu'il couvrait (INV-2026-0117) est intégralement payée.",
			"Vos autres factures présentent encore un solde de 480,05 EUR.",
			"Merci d'avoir respecté le plan.",
			"Consultez votre compte, proposez un échéancier ou signalez-nous un problème : https://pay.example.com/p/k7Q2x",
			"Cordialement, Vent du Nord SARL",
			"Vous pouvez à tout moment vous désabonner des e-mails que nous vous envoyons au sujet de ce compte : https://pay.example.com/optout/9f8e7d6c",
		}},
	} {
		t.Run(c.locale+"/"+c.tone, func(t *testing.T) {
			r, err := Render(StepPlanCompleted, completedData(c.locale, c.tone))
			if err != nil {
				t.Fatal(err)
			}
			if got := plain(r.Subject); got != c.subject {
				t.Errorf("subject %q, want %q", got, c.subject)
			}
			if diff := cmp.Diff(c.want, blocks(r.Text)); diff != "" {
				t.Errorf("text (-want +got):\n%s\n%s", diff, r.Text)
			}
		})
	}
}

// With nothing else open the account is settled, and no account link
// invites the customer to propose a plan.
func TestRender_PlanCompletedNothingMore(t *testing.T) {
	d := completedData("en", ToneIndirect)
	d.Completed.Others = nil
	r, err := Render(StepPlanCompleted, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain(r.Text), "Your account is settled: nothing more is due.") || strings.Contains(r.Text, "/p/k7Q2x") {
		t.Errorf("text:\n%s", r.Text)
	}
}

// Render refuses a thank-you without its facts, naming each field.
func TestRender_PlanCompletedRefusesMissing(t *testing.T) {
	d := completedData("en", ToneDirect)
	d.Completed = &CompletionLine{InvoiceNumbers: []string{" "}, Others: []money.Amount{amt("0.00", "USD")}}
	_, err := Render(StepPlanCompleted, d)
	var got []string
	for _, e := range unwrapAll(err) {
		var fe *FieldError
		if errors.As(e, &fe) {
			got = append(got, fe.Field)
		}
	}
	want := []string{"Completed.PlanID", "Completed.FinalPayment", "Completed.PaidOn", "Completed.InvoiceNumbers[0]", "Completed.Others[0]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s\n%v", diff, err)
	}
	d.Completed = nil
	if _, err := Render(StepPlanCompleted, d); err == nil || !strings.Contains(err.Error(), "Completed") {
		t.Errorf("no Completed: %v", err)
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
