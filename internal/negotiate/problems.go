package negotiate

import (
	"strconv"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

// A bad counter-offer's field errors are built like the explanation
// (words.go): what is wrong, with typed values, written by RenderProblem in
// the customer's language and formats. The error Respond returns carries
// the English rendering (the API's messages, with amounts and dates as a
// person writes them); the service writes the customer's own for the
// portal (CounterError.In).

// Problem kinds.
const (
	ProblemCurrency     = "currency"              // Text: the currency given; Currency: the negotiation's
	ProblemFrequency    = "frequency"             // Text: the frequency given
	ProblemStartPast    = "start_past"            // Date: the start given; Made: when the counter-offer is made
	ProblemInstallments = "installments_range"    // Count: the count given; Max
	ProblemNotPositive  = "not_positive"          // an installment amount of zero or less
	ProblemDownPayment  = "down_payment_range"    // Amount: the down payment; Balance
	ProblemLumpSum      = "lump_sum_range"        // Amount: the lump sum; Balance
	ProblemLumpMixed    = "lump_sum_mixed"        // a lump sum with installment fields
	ProblemEmpty        = "empty"                 // nothing proposed
	ProblemTooMany      = "too_many_installments" // Amount: the installment; Count: how many it takes; Balance: what they pay
)

// Problem is what is wrong with one field of a counter-offer.
type Problem struct {
	Field    string // the API's field name (installment_amount, start_date, …)
	Kind     string
	Text     string // what the customer gave, when it is not a number
	Count    int
	Max      int
	Amount   money.Amount
	Balance  money.Amount
	Date     civil.Date
	Made     civil.Date
	Currency money.Currency
}

// CounterError is a bad counter-offer: an apperr Invalid error (English
// messages) with its problems typed.
type CounterError struct {
	Problems []Problem
	err      *apperr.Error
}

func (e *CounterError) Error() string { return e.err.Error() }

// Unwrap lets apperr.As and apperr.CodeOf see the Invalid error.
func (e *CounterError) Unwrap() error { return e.err }

// In is the error with its messages written in f's language and formats
// (the field names stay).
func (e *CounterError) In(f Format) *apperr.Error {
	return problemsError(e.Problems, f)
}

func problemsError(ps []Problem, f Format) *apperr.Error {
	fs := make(apperr.Fields, 0, len(ps))
	for _, p := range ps {
		fs = append(fs, apperr.FieldError{Field: p.Field, Message: RenderProblem(p, f)})
	}
	e, _ := fs.Err("counter-offer").(*apperr.Error)
	return e
}

// counterError is the error for ps, nil when there are none.
func counterError(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &CounterError{Problems: ps, err: problemsError(ps, English)}
}

// count writes a whole number with the language's thousands separator
// (en 1,200; de 1.200; fr 1 200).
func (w writer) count(n int) string {
	return money.GroupDigits(strconv.Itoa(n), w.pick(",", ".", w.nbsp), ".")
}

// RenderProblem writes a problem in f's language and formats. German and
// French messages are shown on their own beside a field, so they start
// with a capital; the English ones keep the API's wording.
func RenderProblem(p Problem, f Format) string {
	w := writerFor(f)
	m, d := w.Money, w.Date
	switch p.Kind {
	case ProblemCurrency:
		c := string(p.Currency)
		return w.pick(p.Text+" is not the negotiation's currency "+c,
			"Die Beträge dieser Verhandlung sind in "+c+", nicht in "+p.Text,
			"Les montants de cette négociation sont en "+c+", pas en "+p.Text)
	case ProblemFrequency:
		return w.pick(strconv.Quote(p.Text)+" must be weekly, biweekly or monthly",
			"„"+p.Text+"“ ist kein möglicher Zahlungsrhythmus: wöchentlich, alle zwei Wochen oder monatlich",
			"«"+w.nbsp+p.Text+w.nbsp+"» n’est pas une fréquence possible"+w.colon()+" chaque semaine, toutes les deux semaines ou chaque mois")
	case ProblemStartPast:
		return w.pick(d(p.Date)+" is in the past (the counter-offer is made on "+d(p.Made)+")",
			"Der "+d(p.Date)+" liegt in der Vergangenheit (Ihr Vorschlag ist vom "+d(p.Made)+")",
			"Le "+d(p.Date)+" est déjà passé (votre proposition date du "+d(p.Made)+")")
	case ProblemInstallments:
		n, most := w.count(p.Count), w.count(p.Max)
		return w.pick(n+" must be between 1 and "+most,
			"Die Anzahl der Raten muss zwischen 1 und "+most+" liegen (nicht "+n+")",
			"Le nombre d’échéances doit être compris entre 1 et "+most+" (et non "+n+")")
	case ProblemNotPositive:
		return w.pick("must be more than zero",
			"Der Ratenbetrag muss größer als null sein",
			"Le montant par échéance doit être supérieur à zéro")
	case ProblemDownPayment:
		return w.pick(m(p.Amount)+" must be at least zero and less than the balance "+m(p.Balance),
			"Die Anzahlung ("+m(p.Amount)+") muss mindestens null und kleiner als der offene Betrag von "+m(p.Balance)+" sein",
			"L’acompte ("+m(p.Amount)+") doit être positif ou nul et inférieur au solde de "+m(p.Balance))
	case ProblemLumpSum:
		return w.pick(m(p.Amount)+" must be more than zero and at most the balance "+m(p.Balance),
			"Die Einmalzahlung ("+m(p.Amount)+") muss größer als null sein und darf den offenen Betrag von "+m(p.Balance)+" nicht übersteigen",
			"Le paiement unique ("+m(p.Amount)+") doit être supérieur à zéro et ne peut pas dépasser le solde de "+m(p.Balance))
	case ProblemLumpMixed:
		return w.pick("a lump sum cannot be combined with installments, installment_amount, down_payment or frequency",
			"Eine Einmalzahlung lässt sich nicht mit Raten, einem Ratenbetrag, einer Anzahlung oder einem Zahlungsrhythmus verbinden",
			"Un paiement unique ne peut pas être combiné avec des échéances, un montant par échéance, un acompte ou une fréquence")
	case ProblemEmpty:
		return w.pick("give at least one of installment_amount, installments, frequency, start_date, down_payment or lump_sum",
			"Bitte geben Sie mindestens einen Ratenbetrag, eine Anzahl von Raten, einen Zahlungsrhythmus oder das Datum der ersten Rate an",
			"Indiquez au moins un montant par échéance, un nombre d’échéances, une fréquence ou la date du premier paiement")
	case ProblemTooMany:
		n := w.count(p.Count)
		return w.pick(m(p.Amount)+" would take "+n+" installments to pay "+m(p.Balance),
			"Mit "+m(p.Amount)+" pro Rate wären "+n+" Raten nötig, um "+m(p.Balance)+" zu zahlen",
			"Avec "+m(p.Amount)+" par échéance, il faudrait "+n+" échéances pour payer "+m(p.Balance))
	}
	return ""
}
