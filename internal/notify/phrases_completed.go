package notify

import (
	"fmt"
	"strings"

	"settle/internal/civil"
	"settle/internal/money"
)

// The thank-you for a completed payment plan (plan_completed) in each
// language: we received the final payment of <amount> on <date>; plan
// <reference> is complete and the invoices it covered (<numbers>) are paid
// in full; then plainly what is still open on the customer's other
// invoices, or that nothing more is due. Warm and short: no payment
// instructions, no offers, no warnings.

// CompletionLine is the payment plan a thank-you (plan_completed) confirms.
type CompletionLine struct {
	PlanID       string       // the plan's reference (STL-…), as on the agreement
	FinalPayment money.Amount // what the customer paid towards the plan on PaidOn
	PaidOn       civil.Date   // the day of the final payment
	// InvoiceNumbers are the invoices the plan covered, now paid in full.
	InvoiceNumbers []string
	// Others is what is still open on the customer's other invoices, one
	// amount per currency; none: nothing more is due.
	Others []money.Amount
}

// checkCompletion checks a thank-you's plan (docs/messages.md).
func checkCompletion(c *CompletionLine, asOf civil.Date, bad func(field, format string, args ...any)) {
	if c == nil {
		bad("Completed", "missing; step plan_completed is about a plan that was paid off")
		return
	}
	if strings.TrimSpace(c.PlanID) == "" {
		bad("Completed.PlanID", "missing")
	}
	if !c.FinalPayment.IsPositive() {
		bad("Completed.FinalPayment", "%s is not positive", c.FinalPayment)
	}
	switch {
	case !c.PaidOn.IsValid():
		bad("Completed.PaidOn", "missing or not a valid date")
	case asOf.IsValid() && c.PaidOn.After(asOf):
		bad("Completed.PaidOn", "%s is after AsOf %s", c.PaidOn, asOf)
	}
	if len(c.InvoiceNumbers) == 0 {
		bad("Completed.InvoiceNumbers", "none given; the message names the invoices the plan covered")
	}
	for i, n := range c.InvoiceNumbers {
		if strings.TrimSpace(n) == "" {
			bad(fmt.Sprintf("Completed.InvoiceNumbers[%d]", i), "missing")
		}
	}
	for i, o := range c.Others {
		if !o.IsPositive() {
			bad(fmt.Sprintf("Completed.Others[%d]", i), "%s is not positive; give only what is still open", o)
		}
	}
}

// doneFacts are a thank-you's figures in the customer's formats.
type doneFacts struct {
	plan, amount, paidOn string
	invoices             []string
	others               []string // formatted amounts still open elsewhere
}

func completionFacts(c *CompletionLine, loc locale) *doneFacts {
	df := &doneFacts{plan: c.PlanID, amount: formatMoney(c.FinalPayment, loc), paidOn: formatDate(c.PaidOn, loc),
		invoices: c.InvoiceNumbers}
	for _, o := range c.Others {
		df.others = append(df.others, formatMoney(o, loc))
	}
	return df
}

// completionPhrases are a language's words for the thank-you.
type completionPhrases interface {
	doneSubject(f *facts) string
	doneBody(f *facts) []string // the paragraphs, in order
	doneSMS(f *facts) string
}

// composeCompletion lays out the thank-you: its paragraphs, the account
// link and the sign-off; no payment instructions (nothing is asked of the
// customer here).
func composeCompletion(f *facts) *doc {
	p := f.lang
	cp := f.lang.(completionPhrases)
	d := &doc{f: f, subject: cp.doneSubject(f), greeting: p.greeting(f), closing: p.closing(f)}
	for _, s := range cp.doneBody(f) {
		d.blocks = append(d.blocks, block{kind: blockPara, text: s})
	}
	if f.d.PortalURL != "" && len(f.done.others) > 0 {
		// The account page only when something is still open: with
		// nothing due, "propose a payment plan" has no place here.
		d.blocks = append(d.blocks, block{kind: blockLink, text: f.lang.(howToPayPhrases).portalLink(), url: f.d.PortalURL})
	}
	if f.channel == ChannelEmail {
		d.optOut = p.optOut(ChannelEmail)
	}
	if f.loc.lang == "fr" {
		d.frenchTypography()
	}
	return d
}

func doneSMS(f *facts) string { return f.lang.(completionPhrases).doneSMS(f) }

// English.

func (english) doneSubject(f *facts) string {
	if f.direct {
		return "Your payment plan " + f.done.plan + " is complete"
	}
	return "Thank you: your payment plan " + f.done.plan + " is complete"
}

func (english) doneCovered(f *facts) string {
	if len(f.done.invoices) == 1 {
		return "the invoice it covered (" + f.done.invoices[0] + ") is paid in full"
	}
	return "the invoices it covered (" + joinAnd(f.done.invoices, "and") + ") are paid in full"
}

func (e english) doneBody(f *facts) []string {
	df := f.done
	if f.direct {
		rest := "Nothing more is due on your account."
		if len(df.others) > 0 {
			rest = "Your other invoices still have an open balance of " + joinAnd(df.others, "and") + "."
		}
		return []string{
			"Thank you: we received your final payment of " + df.amount + " on " + df.paidOn + ".",
			"Your payment plan " + df.plan + " is complete, and " + e.doneCovered(f) + ".",
			rest,
			"Thank you for keeping to the plan.",
		}
	}
	rest := "Your account is settled: nothing more is due."
	if len(df.others) > 0 {
		rest = "Please note that your other invoices still have an open balance of " + joinAnd(df.others, "and") + "."
	}
	return []string{
		"Thank you very much: we received your final payment of " + df.amount + " on " + df.paidOn + ".",
		"This completes your payment plan " + df.plan + ": " + e.doneCovered(f) + ".",
		rest,
		"Thank you for keeping to the plan; we appreciate it.",
	}
}

func (english) doneSMS(f *facts) string {
	df := f.done
	rest := " Nothing more is due."
	if len(df.others) > 0 {
		rest = " Other invoices still have an open balance of " + joinAnd(df.others, "and") + "."
	}
	return "Thank you: we received your final payment of " + df.amount + " on " + df.paidOn + ". Your payment plan " +
		df.plan + " is complete." + rest
}

// German (Sie). The opening continues the salutation's comma in lower case.

func (german) doneSubject(f *facts) string {
	if f.direct {
		return "Ihr Ratenplan " + f.done.plan + " ist abgeschlossen"
	}
	return "Vielen Dank: Ihr Ratenplan " + f.done.plan + " ist abgeschlossen"
}

func (german) doneCovered(f *facts) string {
	if len(f.done.invoices) == 1 {
		return "die Rechnung, die er umfasste (" + f.done.invoices[0] + "), ist vollständig bezahlt"
	}
	return "die Rechnungen, die er umfasste (" + joinAnd(f.done.invoices, "und") + "), sind vollständig bezahlt"
}

func (g german) doneBody(f *facts) []string {
	df := f.done
	if f.direct {
		rest := "Auf Ihrem Konto ist nichts mehr offen."
		if len(df.others) > 0 {
			rest = "Auf Ihren übrigen Rechnungen sind noch " + joinAnd(df.others, "und") + " offen."
		}
		return []string{
			"vielen Dank: Ihre letzte Zahlung über " + df.amount + " ist am " + df.paidOn + " bei uns eingegangen.",
			"Ihr Ratenplan " + df.plan + " ist damit abgeschlossen, und " + g.doneCovered(f) + ".",
			rest,
			"Danke, dass Sie den Plan eingehalten haben.",
		}
	}
	rest := "Ihr Konto ist damit ausgeglichen; es ist nichts mehr zu zahlen."
	if len(df.others) > 0 {
		rest = "Bitte beachten Sie, dass auf Ihren übrigen Rechnungen noch " + joinAnd(df.others, "und") + " offen sind."
	}
	return []string{
		"herzlichen Dank: Ihre letzte Zahlung über " + df.amount + " ist am " + df.paidOn + " bei uns eingegangen.",
		"Damit ist Ihr Ratenplan " + df.plan + " abgeschlossen: " + upperFirst(g.doneCovered(f)) + ".",
		rest,
		"Wir danken Ihnen, dass Sie den Plan so zuverlässig eingehalten haben.",
	}
}

func (german) doneSMS(f *facts) string {
	df := f.done
	rest := " Es ist nichts mehr offen."
	if len(df.others) > 0 {
		rest = " Auf Ihren übrigen Rechnungen sind noch " + joinAnd(df.others, "und") + " offen."
	}
	return "Vielen Dank: Ihre letzte Zahlung über " + df.amount + " ist am " + df.paidOn + " eingegangen. Ihr Ratenplan " +
		df.plan + " ist abgeschlossen." + rest
}

// French (vous).

func (french) doneSubject(f *facts) string {
	if f.direct {
		return "Votre plan de paiement " + f.done.plan + " est terminé"
	}
	return "Merci : votre plan de paiement " + f.done.plan + " est terminé"
}

func (french) doneCovered(f *facts) string {
	if len(f.done.invoices) == 1 {
		return "la facture qu'il couvrait (" + f.done.invoices[0] + ") est intégralement payée"
	}
	return "les factures qu'il couvrait (" + joinAnd(f.done.invoices, "et") + ") sont intégralement payées"
}

func (fr french) doneBody(f *facts) []string {
	df := f.done
	if f.direct {
		rest := "Il ne reste rien à payer sur votre compte."
		if len(df.others) > 0 {
			rest = "Vos autres factures présentent encore un solde de " + joinAnd(df.others, "et") + "."
		}
		return []string{
			"Merci : nous avons reçu votre dernier paiement de " + df.amount + " le " + df.paidOn + ".",
			"Votre plan de paiement " + df.plan + " est terminé et " + fr.doneCovered(f) + ".",
			rest,
			"Merci d'avoir respecté le plan.",
		}
	}
	rest := "Votre compte est soldé : vous n'avez plus rien à payer."
	if len(df.others) > 0 {
		rest = "Nous vous signalons simplement que vos autres factures présentent encore un solde de " + joinAnd(df.others, "et") + "."
	}
	return []string{
		"Merci beaucoup : nous avons bien reçu votre dernier paiement de " + df.amount + " le " + df.paidOn + ".",
		"Votre plan de paiement " + df.plan + " est ainsi terminé : " + fr.doneCovered(f) + ".",
		rest,
		"Nous vous remercions d'avoir respecté le plan.",
	}
}

func (french) doneSMS(f *facts) string {
	df := f.done
	rest := " Il ne reste rien à payer."
	if len(df.others) > 0 {
		rest = " Vos autres factures présentent encore un solde de " + joinAnd(df.others, "et") + "."
	}
	return "Merci : nous avons reçu votre dernier paiement de " + df.amount + " le " + df.paidOn + ". Votre plan de paiement " +
		df.plan + " est terminé." + rest
}
