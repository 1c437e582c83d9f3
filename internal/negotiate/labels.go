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
	LabelBiweekly = "biweekly"  // Count, Amount
	LabelLonger   = "longer"    // Count, Frequency, Amount
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
			return "Alle zwei Wochen: " + n + " Zahlungen von je " + w.Money(l.Amount)
		case LabelLonger:
			return "Etwas länger: " + n + " " + deFrequency(l.Frequency) + " Raten von je " + w.Money(l.Amount)
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
			return "Toutes les deux semaines" + w.nbsp + ": " + n + " versements de " + w.Money(l.Amount)
		case LabelLonger:
			return "Un peu plus long" + w.nbsp + ": " + w.payments(l.Count, l.Frequency, w.Money(l.Amount))
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
		return "Every two weeks: " + n + " payments of " + w.Money(l.Amount)
	case LabelLonger:
		return "A little longer: " + w.payments(l.Count, l.Frequency, w.Money(l.Amount))
	case LabelDownAndRest:
		if l.Count == 1 {
			return "Pay " + w.Money(l.Extra) + " by " + w.Date(l.Date) + ", then the rest (" + w.Money(l.Amount) + ") a month later"
		}
		return "Pay " + w.Money(l.Extra) + " by " + w.Date(l.Date) + ", then the rest in " + w.payments(l.Count, l.Frequency, w.Money(l.Amount))
	}
	return ""
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
