package negotiate

import (
	"strconv"

	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

// An alternative's label is built like the explanation (words.go): a kind
// with typed values, written in the customer's language and formats by
// RenderLabel. Alternative.Label keeps the English rendering.

// Label kinds.
const (
	LabelPayMore  = "pay_more"  // Extra, Amount (the new installment), Count (installments sooner), Frequency
	LabelSettle   = "settle"    // Amount, Date, Extra (what the customer saves)
	LabelPayWhole = "pay_whole" // Amount, Date
	LabelBiweekly = "biweekly"  // Count, Amount; Down and Last when there are
	LabelLonger   = "longer"    // Count, Frequency, Amount; Down and Last when there are
	// LabelDownAndRest: what the customer offered at once, as a down
	// payment on Date, and the rest in Count payments of Amount.
	LabelDownAndRest = "down_and_rest" // Extra (paid now), Date, Count, Frequency, Amount
)

// AltLabel is what an alternative offers, in a few words.
type AltLabel struct {
	Kind      string
	Amount    money.Amount
	Extra     money.Amount
	Date      civil.Date
	Count     int
	Frequency string
	// Down: the down payment before the Count payments (zero: none); Last:
	// the last payment when it differs from Amount (zero: it does not). A
	// label must not say "8 payments of 127.73" of a plan that starts with
	// 107.29 down and ends with 71.41.
	Down, Last money.Amount
}

// RenderLabel writes a label in f's language and formats.
func RenderLabel(l AltLabel, f Format) string {
	w := writerFor(f)
	n := strconv.Itoa(l.Count)
	switch w.Lang {
	case "de":
		switch l.Kind {
		case LabelPayMore:
			return w.Money(l.Extra) + " mehr pro Rate (" + w.Money(l.Amount) + "): " + n + oneOrMany(l.Count, " Rate", " Raten") + " früher fertig"
		case LabelSettle:
			return "Einmalzahlung von " + w.Money(l.Amount) + " bis zum " + w.Date(l.Date) + " (Sie sparen " + w.Money(l.Extra) + ")"
		case LabelPayWhole:
			return "Den ganzen Betrag von " + w.Money(l.Amount) + " bis zum " + w.Date(l.Date) + " zahlen"
		case LabelBiweekly:
			return "Alle zwei Wochen: " + w.downThen(l) + n + " Zahlungen von je " + w.Money(l.Amount) + w.lastOf(l, plan.Biweekly)
		case LabelLonger:
			return "Etwas länger: " + w.downThen(l) + n + " " + deFrequency(l.Frequency) + " Raten von je " + w.Money(l.Amount) + w.lastOf(l, l.Frequency)
		case LabelDownAndRest:
			if l.Count == 1 {
				return w.Money(l.Extra) + " bis zum " + w.Date(l.Date) + ", den Rest (" + w.Money(l.Amount) + ") einen Monat später"
			}
			return w.Money(l.Extra) + " bis zum " + w.Date(l.Date) + ", den Rest in " + w.payments(l.Count, l.Frequency, w.Money(l.Amount))
		}
	case "fr":
		// Monthly installments are "mensualités" here as in the
		// explanation (words.go), those of another rhythm "versements".
		switch l.Kind {
		case LabelPayMore:
			one, many := " mensualité", " mensualités"
			if l.Frequency == plan.Weekly || l.Frequency == plan.Biweekly {
				one, many = " versement", " versements"
			}
			return w.Money(l.Extra) + " de plus par" + one + " (" + w.Money(l.Amount) + ")" + w.nbsp + ": " + n + oneOrMany(l.Count, one, many) + " de moins"
		case LabelSettle:
			return "Un seul paiement de " + w.Money(l.Amount) + " au plus tard le " + w.Date(l.Date) + " (vous économisez " + w.Money(l.Extra) + ")"
		case LabelPayWhole:
			return "Payer la totalité, " + w.Money(l.Amount) + ", au plus tard le " + w.Date(l.Date)
		case LabelBiweekly:
			return "Toutes les deux semaines" + w.nbsp + ": " + w.downThen(l) + n + " versements de " + w.Money(l.Amount) + w.lastOf(l, plan.Biweekly)
		case LabelLonger:
			return "Un peu plus long" + w.nbsp + ": " + w.downThen(l) + w.payments(l.Count, l.Frequency, w.Money(l.Amount)) + w.lastOf(l, l.Frequency)
		case LabelDownAndRest:
			if l.Count == 1 {
				return w.Money(l.Extra) + " au plus tard le " + w.Date(l.Date) + ", puis le reste (" + w.Money(l.Amount) + ") un mois plus tard"
			}
			return w.Money(l.Extra) + " au plus tard le " + w.Date(l.Date) + ", puis le reste en " + w.payments(l.Count, l.Frequency, w.Money(l.Amount))
		}
	}
	switch l.Kind {
	case LabelPayMore:
		return "Pay " + w.Money(l.Extra) + " more each time (" + w.Money(l.Amount) + "): finish " + n + oneOrMany(l.Count, " installment", " installments") + " sooner"
	case LabelSettle:
		return "Settle in one payment of " + w.Money(l.Amount) + " by " + w.Date(l.Date) + " (save " + w.Money(l.Extra) + ")"
	case LabelPayWhole:
		return "Pay the whole " + w.Money(l.Amount) + " by " + w.Date(l.Date)
	case LabelBiweekly:
		return "Every two weeks: " + w.downThen(l) + n + " payments of " + w.Money(l.Amount) + w.lastOf(l, plan.Biweekly)
	case LabelLonger:
		return "A little longer: " + w.downThen(l) + w.payments(l.Count, l.Frequency, w.Money(l.Amount)) + w.lastOf(l, l.Frequency)
	case LabelDownAndRest:
		if l.Count == 1 {
			return "Pay " + w.Money(l.Extra) + " by " + w.Date(l.Date) + ", then the rest (" + w.Money(l.Amount) + ") a month later"
		}
		return "Pay " + w.Money(l.Extra) + " by " + w.Date(l.Date) + ", then the rest in " + w.payments(l.Count, l.Frequency, w.Money(l.Amount))
	}
	return ""
}

// downThen is "107.29 USD down, then " before a label's payments, "" with
// no down payment.
func (w writer) downThen(l AltLabel) string {
	if !l.Down.IsPositive() {
		return ""
	}
	return w.pick(w.Money(l.Down)+" down, then ", w.Money(l.Down)+" Anzahlung, dann ", "un acompte de "+w.Money(l.Down)+", puis ")
}

// lastOf is " (the last …)" after a label's payments when the last differs.
func (w writer) lastOf(l AltLabel, frequency string) string {
	if !l.Last.IsPositive() || l.Last == l.Amount {
		return ""
	}
	return w.lastPayment(frequency, l.Last)
}

func oneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func deFrequency(f string) string {
	switch f {
	case plan.Weekly:
		return "wöchentliche"
	case plan.Biweekly:
		return "zweiwöchentliche"
	}
	return "monatliche"
}
