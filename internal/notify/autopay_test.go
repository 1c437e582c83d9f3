package notify

import (
	"strings"
	"testing"

	"settle/internal/civil"
	"settle/internal/money"
)

// TestAutopayFailedEmail: the failure email in each language names the
// amount, the installment, the due and retry dates in the customer's
// formats, the provider's reason, the pay link and the opt-out link; with
// no retry it says so.
func TestAutopayFailedEmail(t *testing.T) {
	d := AutopayFailed{Creditor: "Settle Demo Ltd", CustomerName: "Anna Arden", Amount: money.New(123450, "EUR"), Installment: 2,
		DueDate: day("2026-07-01"), Reason: "Your card was declined.", RetryOn: day("2026-07-04"),
		PayURL: "https://pay.example.com/portal/t/pay", OptOutURL: "https://pay.example.com/portal/c/contact"}
	// Formats as docs/messages.md sets them: an amount and its code, every
	// date and French thousands held by no-break spaces; the body starts in
	// upper case after the salutation except in German.
	const nb = "\u00a0"
	for _, tc := range []struct {
		locale, subject string
		wants           []string
	}{
		{"en-GB", "Your automatic payment of 1,234.50" + nb + "EUR did not go through",
			[]string{"Dear Anna Arden,\n\nThe automatic payment of 1,234.50" + nb + "EUR for installment 2", "due on 1" + nb + "July" + nb + "2026",
				"Your card was declined.", "try again on 4" + nb + "July" + nb + "2026", "Pay online now: https://pay.example.com/portal/t/pay",
				"To stop these emails: https://pay.example.com/portal/c/contact"}},
		{"de-DE", "Ihre automatische Zahlung über 1.234,50" + nb + "EUR ist nicht durchgegangen",
			[]string{"Guten Tag Anna Arden,\n\ndie automatische Zahlung über 1.234,50" + nb + "EUR für Rate 2", "fällig am 1." + nb + "Juli" + nb + "2026",
				"am 4." + nb + "Juli" + nb + "2026 erneut", "Jetzt online bezahlen: https://pay.example.com/portal/t/pay"}},
		{"fr-FR", "Votre paiement automatique de 1" + nb + "234,50" + nb + "EUR n'a pas abouti",
			[]string{"Bonjour Anna Arden,\n\nLe paiement automatique de 1" + nb + "234,50" + nb + "EUR pour l'échéance 2", "due le 1er" + nb + "juillet" + nb + "2026",
				"le 4" + nb + "juillet" + nb + "2026", "a indiqué" + nb + ": Your card was declined.",
				"Payer en ligne maintenant" + nb + ": https://pay.example.com/portal/t/pay"}},
	} {
		d.Locale = tc.locale
		subject, text := AutopayFailedEmail(d)
		if subject != tc.subject {
			t.Errorf("%s: subject %q, want %q", tc.locale, subject, tc.subject)
		}
		for _, w := range tc.wants {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the text lacks %q:\n%s", tc.locale, w, text)
			}
		}
	}
	d.Locale, d.RetryOn, d.PayURL = "en-US", civil.Date{}, "" // no more tries, no pay link
	_, text := AutopayFailedEmail(d)
	if !strings.Contains(text, "We will not try again automatically.") || strings.Contains(text, "Pay online now") {
		t.Errorf("no retry, no pay link:\n%s", text)
	}
}
