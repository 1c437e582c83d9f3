package notify

import (
	"fmt"
	"strings"

	"settle/internal/civil"
	"settle/internal/money"
)

// AutopayFailed is what the customer is told when an automatic payment of
// a plan installment did not go through.
type AutopayFailed struct {
	Creditor, CustomerName, Locale string
	Amount                         money.Amount
	Installment                    int
	DueDate                        civil.Date
	Reason                         string     // what the card or bank said
	RetryOn                        civil.Date // zero: no more automatic tries
	PayURL                         string     // a pay-online link ("" none)
	OptOutURL                      string
}

// autopayWords is one language's wording of that email.
type autopayWords struct {
	subject, greeting, failed, said, retry, noRetry, payNow, optOut string
}

var autopayLangs = map[string]autopayWords{
	"en": {
		subject:  "Your automatic payment of %s did not go through",
		greeting: "Dear %s,",
		failed:   "The automatic payment of %s for installment %d of your payment plan, due on %s, did not go through.",
		said:     "Your bank or card provider said: %s",
		retry:    "We will try again on %s. If you would rather pay now, or use another card or account, you can do so online, or reply to this email.",
		noRetry:  "We will not try again automatically. Please pay this installment another way, or reply to this email so that we can agree how.",
		payNow:   "Pay online now: %s",
		optOut:   "To stop these emails: %s",
	},
	"de": {
		subject:  "Ihre automatische Zahlung über %s ist nicht durchgegangen",
		greeting: "Guten Tag %s,",
		failed:   "die automatische Zahlung über %s für Rate %d Ihres Zahlungsplans, fällig am %s, ist nicht durchgegangen.",
		said:     "Ihre Bank oder Ihr Kartenanbieter meldete: %s",
		retry:    "Wir versuchen es am %s erneut. Wenn Sie lieber jetzt oder mit einer anderen Karte oder einem anderen Konto zahlen möchten, können Sie das online tun oder auf diese E-Mail antworten.",
		noRetry:  "Wir versuchen es nicht noch einmal automatisch. Bitte zahlen Sie diese Rate auf anderem Weg, oder antworten Sie auf diese E-Mail, damit wir das Vorgehen vereinbaren.",
		payNow:   "Jetzt online bezahlen: %s",
		optOut:   "Diese E-Mails abbestellen: %s",
	},
	"fr": {
		subject:  "Votre paiement automatique de %s n'a pas abouti",
		greeting: "Bonjour %s,",
		failed:   "Le paiement automatique de %s pour l'échéance %d de votre plan de paiement, due le %s, n'a pas abouti.",
		said:     "Votre banque ou l'émetteur de votre carte a indiqué : %s",
		retry:    "Nous réessaierons le %s. Si vous préférez payer dès maintenant, ou avec une autre carte ou un autre compte, vous pouvez le faire en ligne ou répondre à cet e-mail.",
		noRetry:  "Nous ne réessaierons pas automatiquement. Merci de régler cette échéance autrement, ou de répondre à cet e-mail pour que nous en convenions.",
		payNow:   "Payer en ligne maintenant : %s",
		optOut:   "Pour ne plus recevoir ces e-mails : %s",
	},
}

// AutopayFailedEmail words that email (subject and text) in the
// customer's language (English when it is not one we write).
func AutopayFailedEmail(d AutopayFailed) (subject, text string) {
	lang := Lang(d.Locale)
	w, ok := autopayLangs[lang]
	if !ok {
		w = autopayLangs["en"]
	}
	amount := LocalMoney(d.Amount, d.Locale)
	var b strings.Builder
	line := func(format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		if lang == "fr" {
			s = frenchSpaces(s)
		}
		b.WriteString(s)
		b.WriteString("\n")
	}
	line(w.greeting, d.CustomerName)
	b.WriteString("\n")
	line(w.failed, amount, d.Installment, LocalDate(d.DueDate, d.Locale))
	line(w.said, d.Reason)
	b.WriteString("\n")
	if !d.RetryOn.IsZero() {
		line(w.retry, LocalDate(d.RetryOn, d.Locale))
	} else {
		line("%s", w.noRetry)
	}
	if d.PayURL != "" {
		line(w.payNow, d.PayURL)
	}
	b.WriteString("\n")
	line("%s", d.Creditor)
	b.WriteString("\n")
	line(w.optOut, d.OptOutURL)
	subject = fmt.Sprintf(w.subject, amount)
	if lang == "fr" {
		subject = frenchSpaces(subject)
	}
	return subject, b.String()
}
