package negotiate

import (
	"settle/internal/civil"
	"settle/internal/money"
)

// A concession's note is built like the explanation (words.go): its kind
// with typed values, written in the customer's language and formats by
// RenderNote. Concession.Note keeps the English rendering (the API's
// "note"); the service writes the customer's own beside it.

// ConcessionNote says what a concession is, in figures.
type ConcessionNote struct {
	Kind    string       // the concession's kind (plan.ConcessionKinds)
	Amount  money.Amount // early_payment_discount: the most it can be worth
	Percent int          // basis points: interest_frozen the plan's annual rate; early_payment_discount the share waived
	Balance money.Amount // settlement_discount: the balance it settles
	Paid    money.Amount // settlement_discount: the lump sum
	Date    civil.Date   // settlement_discount: when the lump sum is due
}

// RenderNote writes a concession's note in f's language and formats; ""
// for a kind it does not know.
func RenderNote(n ConcessionNote, f Format) string {
	w := writerFor(f)
	m, d := w.Money, w.Date
	switch n.Kind {
	case "fee_waived":
		return w.pick("late-payment compensation and interest we could claim, waived while the plan is kept",
			"Verzugspauschale und Zinsen, auf die wir verzichten, solange Sie die Vereinbarung einhalten",
			"indemnités de retard et intérêts auxquels nous renonçons tant que l’échéancier est respecté")
	case "interest_frozen":
		p := w.percent(n.Percent)
		return w.pick("no interest at "+p+" a year", "keine Zinsen statt "+p+" im Jahr", "aucun intérêt au lieu de "+p+" par an")
	case "settlement_discount":
		return w.pick("the rest of the "+m(n.Balance)+" balance written off when "+m(n.Paid)+" is paid by "+d(n.Date),
			"der Rest des offenen Betrags von "+m(n.Balance)+" wird erlassen, wenn "+m(n.Paid)+" bis zum "+d(n.Date)+" bezahlt sind",
			"le reste du solde de "+m(n.Balance)+" est abandonné si "+m(n.Paid)+" sont payés au plus tard le "+d(n.Date))
	case "early_payment_discount":
		p := w.percent(n.Percent)
		return w.pick(p+" of what is left is waived if you pay it all early (up to "+m(n.Amount)+")",
			p+" des Restbetrags werden erlassen, wenn Sie alles vorzeitig zahlen (bis zu "+m(n.Amount)+")",
			p+" du montant restant sont annulés si vous payez tout par anticipation (jusqu’à "+m(n.Amount)+")")
	}
	return ""
}
