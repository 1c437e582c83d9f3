package negotiate

import (
	"settle/internal/plan"
	"strconv"
	"strings"

	"settle/internal/civil"
	"settle/internal/money"
)

// The explanation is built as sentences with typed values (amounts,
// dates, counts), not as text, so that it can be written in the
// customer's language and formats: Render writes them in en, de or fr with
// the money and date formats it is given (the service passes notify's, the
// ones the customer's letters use). Internal terms (value, floor, target,
// budget surplus) never appear in them: staff see those figures in the
// evaluation.

// Sentence kinds.
const (
	SayPropose      = "propose"               // Offer, Amount: the balance
	SayNoPlan       = "no_plan"               // nothing within our limits is worth more than the alternative
	SayAccept       = "accept"                // Offer: the customer's proposal
	SayMoved        = "counter_moved"         // not quite accepted; we move towards it
	SayBelowFloor   = "counter_below_floor"   // worth less than we can accept for this balance
	SayOutsideLimit = "counter_outside_limit" // Limit: which policy limit it breaks
	SayOffer        = "offer"                 // Offer; Final: our last offer
	// The budget sentences name the surplus the customer's own income and
	// expenses leave (Amount), never our share of it as if they had said
	// it: "what you told us you can pay" was not what they told us.
	SayFitsBudget   = "fits_budget"    // within our share of the surplus: room is left for unexpected costs
	SayAboveBudget  = "above_budget"   // above our share but within the surplus: little room is left
	SayAboveSurplus = "above_surplus"  // above the surplus itself
	SayNoSurplus    = "no_surplus"     // the budget leaves nothing over (no Amount)
	SayHistory      = "within_history" // Amount: what they paid us a month last year
	SayFeesReserved = "fees_reserved"  // Amount: fees not added while the plan is kept
	SayConsumer     = "benefit_consumer"
	SayBusiness     = "benefit_business"
	SayGained       = "gained"      // Gains
	SayConfirm      = "confirm"     // confirm and we send the agreement
	SayFinalUntil   = "final_until" // Date: when the final offer lapses
	SayNextSteps    = "next_steps"  // Route: agency or legal
	// The opening that asks for the whole balance in one payment (nothing
	// or enough is known of the customer's means) says so plainly.
	SayPayBalance = "pay_balance"         // Amount: the balance, Date: when
	SayAskMeans   = "ask_means"           // nothing is known of the means: tell us what you can pay
	SayFeesUntil  = "fees_reserved_until" // Amount: fees not added if paid by Date or a plan is kept
)

// Limit kinds (Sentence.Limit.Kind): the policy limit a proposal breaks.
const (
	LimitStartPast      = "start_past"      // the first payment is in the past
	LimitStartLate      = "start_late"      // Days, Date: the first payment must be due within Days (by Date)
	LimitSettlementMin  = "settlement_min"  // Amount, Percent: the least settlement, the largest discount
	LimitTermMax        = "term_max"        // Months, Count, Frequency: the longest plan
	LimitNoInstallment  = "no_installment"  // nothing left to pay after the down payment
	LimitInstallmentMin = "installment_min" // Amount: the least installment
	LimitValueMin       = "value_min"       // Percent: the least share of the balance in today's money
)

// Gain kinds (Gain.Kind) besides the concession kinds of plan.ConcessionKinds
// (fee_waived, interest_frozen, settlement_discount, early_payment_discount).
const (
	GainMoreInstallments = "more_installments" // Count, Frequency
	GainLowerDown        = "lower_down"        // Amount
)

// Sentence is one sentence of an explanation.
type Sentence struct {
	Kind   string       `json:"kind"`
	Offer  *Plain       `json:"offer,omitempty"`
	Amount money.Amount `json:"-"`
	Date   civil.Date   `json:"date,omitzero"`
	Final  bool         `json:"final,omitempty"`
	Limit  *Limit       `json:"limit,omitempty"`
	Gains  []Gain       `json:"gains,omitempty"`
	Route  string       `json:"route,omitempty"` // next_steps: agency or legal
}

// Plain is an offer as the customer reads it.
type Plain struct {
	Lump      bool         // one payment of First on FirstDate
	Down      money.Amount // zero: none
	DownDate  civil.Date
	Count     int    // regular installments
	Frequency string // plan.Monthly, …
	First     money.Amount
	FirstDate civil.Date
	Last      money.Amount // differs from First only when the last installment does
	LastDate  civil.Date
	Total     money.Amount
}

// Limit is a policy limit a proposal breaks, with its figures.
type Limit struct {
	Kind      string
	Days      int
	Date      civil.Date
	Amount    money.Amount
	Percent   int // basis points: 2000 is 20 %
	Months    int
	Count     int
	Frequency string
}

// Gain is one thing the customer gained over our opening offer.
type Gain struct {
	Kind      string
	Count     int
	Frequency string
	Amount    money.Amount
	Percent   int // basis points
}

// Format is how a language writes amounts and dates.
type Format struct {
	Lang  string // en, de or fr; anything else is English
	Money func(money.Amount) string
	Date  func(civil.Date) string
}

// English is the engine's own English format (Response.Explanation):
// "1,234.50 USD", "8 June 2026". The service renders with the customer's
// formats instead.
var English = Format{Lang: "en", Money: plainMoney, Date: plainDate}

func plainMoney(a money.Amount) string {
	return money.GroupDigits(a.String(), ",", ".") + " " + string(a.Currency())
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

func plainDate(d civil.Date) string {
	return strconv.Itoa(d.Day) + " " + monthNames[d.Month-1] + " " + strconv.Itoa(d.Year)
}

// Render writes the sentences in f's language, separated by spaces.
func Render(ss []Sentence, f Format) string {
	w := writerFor(f)
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		if t := w.sentence(s); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}

type writer struct {
	Format
	nbsp string // before French high punctuation (: ; %)
}

func writerFor(f Format) writer {
	if f.Money == nil {
		f.Money = plainMoney
	}
	if f.Date == nil {
		f.Date = plainDate
	}
	switch f.Lang {
	case "de", "fr":
	default:
		f.Lang = "en"
	}
	return writer{Format: f, nbsp: "\u00a0"}
}

// pick returns the text of w's language.
func (w writer) pick(en, de, fr string) string {
	switch w.Lang {
	case "de":
		return de
	case "fr":
		return fr
	}
	return en
}

// colon is ": " in English and German, " : " in French.
func (w writer) colon() string { return w.pick(":", ":", w.nbsp+":") }

// percent writes basis points: en "12.5%", de "12,5 %", fr "12,5 %".
func (w writer) percent(bp int) string {
	s := strconv.Itoa(bp / 100)
	if r := bp % 100; r != 0 {
		frac := strings.TrimRight(strconv.Itoa(100 + r)[1:], "0")
		s += w.pick(".", ",", ",") + frac
	}
	return s + w.pick("%", w.nbsp+"%", w.nbsp+"%")
}

func (w writer) sentence(s Sentence) string {
	m, d := w.Money, w.Date
	switch s.Kind {
	case SayPropose:
		return w.pick("To clear the balance of "+m(s.Amount)+", we propose "+w.plain(s.Offer)+".",
			"Wir schlagen Ihnen vor, den offenen Betrag von "+m(s.Amount)+" so zu begleichen: "+w.plain(s.Offer)+".",
			"Nous vous proposons de régler le solde de "+m(s.Amount)+" ainsi"+w.colon()+" "+w.plain(s.Offer)+".")
	case SayPayBalance:
		return w.pick("Please pay the balance of "+m(s.Amount)+" by "+d(s.Date)+".",
			"Bitte zahlen Sie den offenen Betrag von "+m(s.Amount)+" bis zum "+d(s.Date)+".",
			"Merci de régler le solde de "+m(s.Amount)+" au plus tard le "+d(s.Date)+".")
	case SayAskMeans:
		return w.pick("If you cannot pay it at once, tell us what you can pay each month and we will find a plan with you.",
			"Wenn Sie ihn nicht auf einmal zahlen können, teilen Sie uns mit, wie viel Sie monatlich zahlen können; wir finden dann gemeinsam mit Ihnen eine Ratenzahlung.",
			"Si vous ne pouvez pas le payer en une fois, indiquez-nous ce que vous pouvez payer chaque mois et nous trouverons avec vous un échéancier.")
	case SayFeesUntil:
		return w.pick("Late-payment compensation and interest of "+m(s.Amount)+" are not added if you pay by "+d(s.Date)+" or keep to the plan we agree.",
			"Verzugspauschale und Zinsen von "+m(s.Amount)+" werden nicht berechnet, wenn Sie bis zum "+d(s.Date)+" zahlen oder die mit uns vereinbarte Ratenzahlung einhalten.",
			"Les indemnités de retard et les intérêts de "+m(s.Amount)+" ne sont pas ajoutés si vous payez au plus tard le "+d(s.Date)+" ou respectez l’échéancier convenu avec nous.")
	case SayNoPlan:
		return w.pick("We cannot offer a payment plan for this balance within our limits.",
			"Für diesen Betrag können wir Ihnen leider keine Ratenzahlung innerhalb unserer Grenzen anbieten.",
			"Nous ne pouvons malheureusement pas vous proposer d’échéancier pour ce solde dans nos limites.")
	case SayAccept:
		return w.pick("We accept your proposal: "+w.plain(s.Offer)+".",
			"Wir nehmen Ihren Vorschlag an: "+w.plain(s.Offer)+".",
			"Nous acceptons votre proposition"+w.colon()+" "+w.plain(s.Offer)+".")
	case SayMoved:
		return w.pick("We cannot quite accept that proposal, but we can move towards it.",
			"Diesen Vorschlag können wir nicht ganz annehmen, kommen Ihnen aber entgegen.",
			"Nous ne pouvons pas tout à fait accepter cette proposition, mais nous pouvons nous en rapprocher.")
	case SayBelowFloor:
		return w.pick("We cannot accept that proposal: it would bring us less than we can accept for this balance.",
			"Diesen Vorschlag können wir nicht annehmen: Damit erhielten wir weniger, als wir für diesen Betrag annehmen können.",
			"Nous ne pouvons pas accepter cette proposition"+w.colon()+" elle nous rapporterait moins que ce que nous pouvons accepter pour ce solde.")
	case SayOutsideLimit:
		return w.pick("We cannot accept that: "+w.limit(s.Limit)+".",
			"Das können wir nicht annehmen: "+w.limit(s.Limit)+".",
			"Nous ne pouvons pas accepter cela"+w.colon()+" "+w.limit(s.Limit)+".")
	case SayOffer:
		if s.Final {
			return w.pick("Our final offer is "+w.plain(s.Offer)+".",
				"Unser letztes Angebot: "+w.plain(s.Offer)+".",
				"Notre dernière offre"+w.colon()+" "+w.plain(s.Offer)+".")
		}
		return w.pick("We can offer "+w.plain(s.Offer)+".",
			"Wir können Ihnen anbieten: "+w.plain(s.Offer)+".",
			"Nous pouvons vous proposer"+w.colon()+" "+w.plain(s.Offer)+".")
	case SayFitsBudget:
		return w.pick("It stays within the "+m(s.Amount)+" left each month from the income and expenses you gave us, with room to spare for unexpected costs.",
			"Das bleibt im Rahmen der "+m(s.Amount)+", die Ihnen nach Ihren Angaben zu Einnahmen und Ausgaben monatlich bleiben, mit Spielraum für Unvorhergesehenes.",
			"Cela reste dans la limite des "+m(s.Amount)+" qui vous restent chaque mois d’après les revenus et dépenses que vous nous avez indiqués, avec une marge pour les imprévus.")
	case SayAboveBudget:
		return w.pick("Out of the "+m(s.Amount)+" left each month from the income and expenses you gave us, it leaves little for unexpected costs; a longer plan is possible.",
			"Von den "+m(s.Amount)+", die Ihnen nach Ihren Angaben zu Einnahmen und Ausgaben monatlich bleiben, bleibt damit wenig für Unvorhergesehenes; eine längere Laufzeit ist möglich.",
			"Il vous resterait peu, sur les "+m(s.Amount)+" mensuels que laissent les revenus et dépenses que vous nous avez indiqués, pour les imprévus"+w.nbsp+"; un échéancier plus long est possible.")
	case SayAboveSurplus:
		return w.pick("It is more than the "+m(s.Amount)+" left each month from the income and expenses you gave us; a longer plan is possible.",
			"Das ist mehr als die "+m(s.Amount)+", die Ihnen nach Ihren Angaben zu Einnahmen und Ausgaben monatlich bleiben; eine längere Laufzeit ist möglich.",
			"C’est plus que les "+m(s.Amount)+" qui vous restent chaque mois d’après les revenus et dépenses que vous nous avez indiqués"+w.nbsp+"; un échéancier plus long est possible.")
	case SayNoSurplus:
		return w.pick("The income and expenses you gave us leave nothing over each month; if that changes, or you can pay more than this, tell us.",
			"Nach Ihren Angaben zu Einnahmen und Ausgaben bleibt Ihnen monatlich nichts übrig; wenn sich das ändert oder Sie mehr zahlen können, teilen Sie es uns mit.",
			"D’après les revenus et dépenses que vous nous avez indiqués, il ne vous reste rien chaque mois"+w.nbsp+"; si cela change, ou si vous pouvez payer davantage, dites-le-nous.")
	case SayHistory:
		return w.pick("It is within what you paid us per month over the past year ("+m(s.Amount)+").",
			"Das liegt im Rahmen dessen, was Sie uns im vergangenen Jahr monatlich gezahlt haben ("+m(s.Amount)+").",
			"Cela reste dans la limite de ce que vous nous avez payé par mois au cours de l’année écoulée ("+m(s.Amount)+").")
	case SayFeesReserved:
		return w.pick("Late-payment compensation and interest of "+m(s.Amount)+" are not added as long as the plan is kept.",
			"Verzugspauschale und Zinsen von "+m(s.Amount)+" werden nicht berechnet, solange Sie die Vereinbarung einhalten.",
			"Les indemnités de retard et les intérêts de "+m(s.Amount)+" ne sont pas ajoutés tant que l’échéancier est respecté.")
	case SayConsumer:
		return w.pick("Paying on time keeps your account in good standing and stops further reminders.",
			"Wenn Sie pünktlich zahlen, bleibt Ihr Konto in Ordnung und Sie erhalten keine weiteren Mahnungen.",
			"En payant à temps, votre compte reste en règle et vous ne recevrez plus de relances.")
	case SayBusiness:
		return w.pick("Paying on time keeps deliveries and your credit limit in place.",
			"Wenn Sie pünktlich zahlen, bleiben Ihre Lieferungen und Ihr Kreditrahmen erhalten.",
			"En payant à temps, vous conservez vos livraisons et votre plafond de crédit.")
	case SayGained:
		items := make([]string, 0, len(s.Gains))
		for _, g := range s.Gains {
			if t := w.gain(g); t != "" {
				items = append(items, t)
			}
		}
		if len(items) == 0 {
			return ""
		}
		return w.pick("You gain "+strings.Join(items, "; ")+".",
			"Ihr Vorteil: "+strings.Join(items, "; ")+".",
			"Vous y gagnez"+w.colon()+" "+strings.Join(items, w.nbsp+"; ")+".")
	case SayConfirm:
		return w.pick("Confirm it and we send the written agreement.",
			"Bestätigen Sie ihn, und wir senden Ihnen die schriftliche Vereinbarung.",
			"Confirmez-la et nous vous enverrons l’accord écrit.")
	case SayFinalUntil:
		return w.pick("It stands until "+d(s.Date)+".",
			"Es gilt bis zum "+d(s.Date)+".",
			"Elle reste valable jusqu’au "+d(s.Date)+".")
	case SayNextSteps:
		if s.Route == "legal" {
			return w.pick("Without an agreement the account goes to legal review, which adds cost and can affect your credit.",
				"Ohne Einigung prüfen wir rechtliche Schritte; das verursacht zusätzliche Kosten und kann Ihrer Kreditwürdigkeit schaden.",
				"Sans accord, le dossier sera transmis à notre service juridique, ce qui entraîne des frais supplémentaires et peut nuire à votre solvabilité.")
		}
		return w.pick("Without an agreement the account goes to a collection agency, which adds cost and can affect your credit.",
			"Ohne Einigung geben wir die Forderung an ein Inkassounternehmen ab; das verursacht zusätzliche Kosten und kann Ihrer Kreditwürdigkeit schaden.",
			"Sans accord, le dossier sera confié à une société de recouvrement, ce qui entraîne des frais supplémentaires et peut nuire à votre solvabilité.")
	}
	return ""
}

// plain describes an offer: en "12 monthly payments of 142.50 USD from
// 8 June 2026 to 8 May 2027 (the last 140.00 USD), 1,707.50 USD in total".
func (w writer) plain(p *Plain) string {
	if p == nil {
		return ""
	}
	m, d := w.Money, w.Date
	if p.Lump {
		return w.pick("one payment of "+m(p.First)+" by "+d(p.FirstDate),
			"eine einmalige Zahlung von "+m(p.First)+" bis zum "+d(p.FirstDate),
			"un paiement unique de "+m(p.First)+" au plus tard le "+d(p.FirstDate))
	}
	var b strings.Builder
	if !p.Down.IsZero() {
		b.WriteString(w.pick(m(p.Down)+" down on "+d(p.DownDate)+", then ",
			"eine Anzahlung von "+m(p.Down)+" am "+d(p.DownDate)+", danach ",
			"un acompte de "+m(p.Down)+" le "+d(p.DownDate)+", puis "))
	}
	if p.Count == 1 {
		b.WriteString(w.pick("one payment of "+m(p.Last)+" on "+d(p.LastDate),
			"eine Zahlung von "+m(p.Last)+" am "+d(p.LastDate),
			"un paiement de "+m(p.Last)+" le "+d(p.LastDate)))
	} else {
		span := w.pick(" from "+d(p.FirstDate)+" to "+d(p.LastDate),
			" vom "+d(p.FirstDate)+" bis zum "+d(p.LastDate),
			", du "+d(p.FirstDate)+" au "+d(p.LastDate))
		b.WriteString(w.payments(p.Count, p.Frequency, m(p.First)) + span)
		if p.Last != p.First {
			b.WriteString(w.lastPayment(p.Frequency, p.Last))
		}
	}
	b.WriteString(w.pick(", "+m(p.Total)+" in total", ", insgesamt "+m(p.Total), ", soit "+m(p.Total)+" au total"))
	return b.String()
}

// lastPayment is " (the last …)" after a count of payments whose last one
// differs. French agrees it with the noun: "mensualités" are feminine,
// "versements" (any other rhythm) masculine.
func (w writer) lastPayment(frequency string, last money.Amount) string {
	fr := " (le dernier de " + w.Money(last) + ")"
	if frequency == plan.Monthly {
		fr = " (la dernière de " + w.Money(last) + ")"
	}
	return w.pick(" (the last "+w.Money(last)+")", " (die letzte über "+w.Money(last)+")", fr)
}

// payments is n regular payments of amount: en "12 monthly payments of
// 142.50 USD", "5 payments of 200.00 USD every two weeks"; de "12 monatliche
// Raten von je 142,50 EUR"; fr "12 mensualités de 142,50 EUR".
func (w writer) payments(n int, f, amount string) string {
	c := strconv.Itoa(n)
	switch w.Lang {
	case "de":
		switch f {
		case "weekly":
			return c + " wöchentliche Raten von je " + amount
		case "biweekly":
			return c + " Raten von je " + amount + " alle zwei Wochen"
		}
		return c + " monatliche Raten von je " + amount
	case "fr":
		switch f {
		case "weekly":
			return c + " versements hebdomadaires de " + amount
		case "biweekly":
			return c + " versements de " + amount + " toutes les deux semaines"
		}
		return c + " mensualités de " + amount
	}
	switch f {
	case "weekly":
		return c + " weekly payments of " + amount
	case "biweekly":
		return c + " payments of " + amount + " every two weeks"
	}
	return c + " monthly payments of " + amount
}

// units names n installments of a frequency: en "24 monthly installments",
// "3 installments every two weeks"; de "24 monatliche Raten", "1 Rate alle
// zwei Wochen"; fr "24 mensualités", "1 versement hebdomadaire".
func (w writer) units(n int, f string) string {
	c, one := strconv.Itoa(n), n == 1
	switch w.Lang {
	case "de":
		r := " Raten"
		if one {
			r = " Rate"
		}
		switch f {
		case "weekly":
			return c + " wöchentliche" + r
		case "biweekly":
			return c + r + " alle zwei Wochen"
		}
		return c + " monatliche" + r
	case "fr":
		switch {
		case f == "weekly" && one:
			return c + " versement hebdomadaire"
		case f == "weekly":
			return c + " versements hebdomadaires"
		case f == "biweekly" && one:
			return c + " versement toutes les deux semaines"
		case f == "biweekly":
			return c + " versements toutes les deux semaines"
		case one:
			return c + " mensualité"
		}
		return c + " mensualités"
	}
	r := " installments"
	if one {
		r = " installment"
	}
	switch f {
	case "weekly":
		return c + " weekly" + r
	case "biweekly":
		return c + r + " every two weeks"
	}
	return c + " monthly" + r
}

// limit says which limit a proposal breaks. German reasons start with a
// capital: after a colon, German capitalises a complete sentence.
func (w writer) limit(l *Limit) string {
	if l == nil {
		return ""
	}
	m, d := w.Money, w.Date
	switch l.Kind {
	case LimitStartPast:
		return w.pick("the first payment cannot be in the past",
			"Die erste Zahlung kann nicht in der Vergangenheit liegen",
			"le premier paiement ne peut pas être dans le passé")
	case LimitStartLate:
		n := strconv.Itoa(l.Days)
		return w.pick("the first payment must be due within "+n+" days (by "+d(l.Date)+")",
			"Die erste Zahlung muss innerhalb von "+n+" Tagen fällig sein (spätestens am "+d(l.Date)+")",
			"le premier paiement doit intervenir dans les "+n+" jours (au plus tard le "+d(l.Date)+")")
	case LimitSettlementMin:
		return w.pick("a settlement must be at least "+m(l.Amount)+" (a discount of at most "+w.percent(l.Percent)+")",
			"Eine Einmalzahlung muss mindestens "+m(l.Amount)+" betragen (ein Nachlass von höchstens "+w.percent(l.Percent)+")",
			"un règlement en une fois doit être d’au moins "+m(l.Amount)+" (une remise de "+w.percent(l.Percent)+" au plus)")
	case LimitTermMax:
		months := strconv.Itoa(l.Months)
		en, de := months+" months", months+" Monate"
		if l.Months == 1 {
			en, de = "1 month", "1 Monat"
		}
		u := w.units(l.Count, l.Frequency)
		return w.pick("the longest plan we can offer is "+en+" ("+u+")",
			"Die längste Laufzeit, die wir anbieten können, beträgt "+de+" ("+u+")",
			"la durée la plus longue que nous pouvons proposer est de "+months+" mois ("+u+")")
	case LimitNoInstallment:
		return w.pick("the plan needs at least one installment after the down payment",
			"Nach der Anzahlung muss mindestens eine Rate bleiben",
			"il doit rester au moins une échéance après l’acompte")
	case LimitInstallmentMin:
		return w.pick("each installment must be at least "+m(l.Amount),
			"Jede Rate muss mindestens "+m(l.Amount)+" betragen",
			"chaque échéance doit être d’au moins "+m(l.Amount))
	case LimitValueMin:
		return w.pick("spread out like this, the payments would be worth less to us than "+w.percent(l.Percent)+" of the balance paid today",
			"So verteilt wären die Zahlungen für uns weniger wert als "+w.percent(l.Percent)+" des Betrags bei sofortiger Zahlung",
			"ainsi étalés, les paiements vaudraient pour nous moins de "+w.percent(l.Percent)+" du solde payé aujourd’hui")
	}
	return ""
}

func (w writer) gain(g Gain) string {
	m := w.Money
	switch g.Kind {
	case GainMoreInstallments:
		u := w.units(g.Count, g.Frequency)
		if w.Lang == "en" {
			// "3 more monthly installments"
			n := strconv.Itoa(g.Count)
			u = n + " more" + strings.TrimPrefix(u, n)
		}
		return w.pick(u+" than our first offer", u+" mehr als in unserem ersten Angebot", u+" de plus que dans notre première offre")
	case GainLowerDown:
		return w.pick("a down payment "+m(g.Amount)+" lower", "eine um "+m(g.Amount)+" niedrigere Anzahlung", "un acompte inférieur de "+m(g.Amount))
	case "early_payment_discount":
		return w.pick("an early-payoff discount of "+w.percent(g.Percent), "ein Nachlass von "+w.percent(g.Percent)+" bei vorzeitiger Zahlung",
			"une remise de "+w.percent(g.Percent)+" en cas de paiement anticipé")
	case "fee_waived":
		return w.pick("late fees of "+m(g.Amount)+" waived", "erlassene Verzugskosten von "+m(g.Amount), "des frais de retard de "+m(g.Amount)+" annulés")
	case "interest_frozen":
		return w.pick("interest of "+m(g.Amount)+" frozen", "ausgesetzte Zinsen von "+m(g.Amount), "des intérêts de "+m(g.Amount)+" gelés")
	case "settlement_discount":
		return w.pick("a settlement discount of "+m(g.Amount), "ein Nachlass von "+m(g.Amount)+" bei Einmalzahlung", "une remise de "+m(g.Amount)+" pour règlement en une fois")
	}
	return ""
}
