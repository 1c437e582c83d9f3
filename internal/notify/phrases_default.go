package notify

import "fmt"

// The default notice (plan_defaulted) in each language: the plan agreed on
// a date has ended because the installments listed were not paid; as the
// agreement says, the remaining balance is now due, by the deadline; if
// the customer's circumstances have changed, they may reply or propose a
// new plan — we would rather agree a plan they can keep. Nothing beyond
// what the agreement says follows (agreement_*.go, agDefault: "the
// remaining balance becomes due at once and collection resumes").

// English.

func (english) defSubject(f *facts) string {
	if f.direct {
		return "Your payment plan has ended: " + f.amountDue + " due by " + f.payBy
	}
	return "Your payment plan of " + f.def.agreed + " has ended"
}

func (english) defIntro(f *facts) []string {
	what, verb := "these installments", "were"
	if len(f.def.missed) == 1 {
		what, verb = "this installment", "was"
	}
	if f.direct {
		return []string{fmt.Sprintf("The payment plan we agreed with you on %s (plan %s) has ended, because %s %s not paid:",
			f.def.agreed, f.def.plan, what, verb)}
	}
	return []string{fmt.Sprintf("We are sorry to have to tell you that the payment plan we agreed with you on %s (plan %s) has ended, "+
		"because %s did not reach us:", f.def.agreed, f.def.plan, what)}
}

func (english) missedRow(seq int, due string) string {
	return fmt.Sprintf("Installment %d, due %s", seq, due)
}

func (english) defaultDue(f *facts) string {
	if f.direct {
		return "As the agreement provides, the remaining balance is now due in full:"
	}
	return "Under the terms of the agreement, this means that the remaining balance is now due in full:"
}

func (english) defAction(f *facts) string {
	if f.direct {
		return "Please pay " + f.amountDue + " by " + f.payBy + "."
	}
	return "We ask you to pay " + f.amountDue + " by " + f.payBy + "."
}

func (english) defConsequence(f *facts) string {
	if f.direct {
		return "If it is not paid by then, collection resumes, as the agreement says."
	}
	return "If it has not been paid by then, the agreement provides that collection resumes. We would much rather avoid that."
}

func (english) defHelp(f *facts) string {
	reach, how := "reply to this email", " or propose a new plan through the link above"
	if f.channel == ChannelLetter {
		reach, how = "contact us", " or propose a new plan through your account page above"
	}
	if f.d.PortalURL == "" {
		how = " to agree a new plan"
	}
	if f.direct {
		return "If your circumstances have changed, " + reach + how + ". We would rather agree a plan you can keep."
	}
	return "If something has changed in your circumstances, please " + reach + how +
		". We would much rather agree a new plan with you, one that you can keep."
}

func (english) defSMS(f *facts, detail int) string {
	inv := "invoice " + f.no
	switch {
	case f.n > 1 && detail >= 2:
		inv = "invoices " + invoiceNumbers(f, ", ")
	case f.n > 1:
		inv = fmt.Sprintf("%d invoices", f.n)
	}
	if f.direct {
		return "Your payment plan has ended: installments were not paid. Please pay " + f.amountDue + " (" + inv + ") by " + f.payBy +
			". To agree a new plan, contact us."
	}
	return "We are sorry: your payment plan has ended, as installments did not reach us. Please pay " + f.amountDue +
		" (" + inv + ") by " + f.payBy + ", or contact us to agree a new plan."
}

// German (Sie). The opening continues the salutation's comma in lower case.

func (german) defSubject(f *facts) string {
	if f.direct {
		return "Ihr Ratenplan ist beendet: " + f.amountDue + " zahlbar bis zum " + f.payBy
	}
	return "Ihr Ratenplan vom " + f.def.agreed + " ist beendet"
}

func (german) defIntro(f *facts) []string {
	if f.direct {
		what := "diese Raten nicht bezahlt wurden"
		if len(f.def.missed) == 1 {
			what = "diese Rate nicht bezahlt wurde"
		}
		return []string{fmt.Sprintf("der Ratenplan %s, den wir am %s mit Ihnen vereinbart haben, ist beendet, weil %s:",
			f.def.plan, f.def.agreed, what)}
	}
	what := "diese Raten nicht bei uns eingegangen sind"
	if len(f.def.missed) == 1 {
		what = "diese Rate nicht bei uns eingegangen ist"
	}
	return []string{fmt.Sprintf("leider müssen wir Ihnen mitteilen, dass der Ratenplan %s, den wir am %s mit Ihnen vereinbart haben, "+
		"beendet ist, weil %s:", f.def.plan, f.def.agreed, what)}
}

func (german) missedRow(seq int, due string) string {
	return fmt.Sprintf("Rate %d, fällig am %s", seq, due)
}

func (german) defaultDue(f *facts) string {
	if f.direct {
		return "Wie in der Vereinbarung vorgesehen, ist der verbleibende Betrag damit jetzt in voller Höhe fällig:"
	}
	return "Nach der Vereinbarung ist der verbleibende Betrag damit nun in voller Höhe fällig:"
}

func (german) defAction(f *facts) string {
	if f.direct {
		return "Bitte zahlen Sie " + f.amountDue + " bis zum " + f.payBy + "."
	}
	return "Wir bitten Sie, " + f.amountDue + " bis zum " + f.payBy + " zu zahlen."
}

func (german) defConsequence(f *facts) string {
	if f.direct {
		return "Ist der Betrag bis dahin nicht bezahlt, setzen wir das Mahnverfahren fort, wie es die Vereinbarung vorsieht."
	}
	return "Sollte der Betrag bis dahin nicht eingegangen sein, sieht die Vereinbarung vor, dass wir das Mahnverfahren fortsetzen. " +
		"Das möchten wir gern vermeiden."
}

func (german) defHelp(f *facts) string {
	// reach and please-reach: the imperative, and with "bitte" after the verb.
	reach, reachPlease := "antworten Sie auf diese E-Mail", "antworten Sie bitte auf diese E-Mail"
	how := " oder schlagen Sie über den Link oben einen neuen Ratenplan vor"
	if f.channel == ChannelLetter {
		reach, reachPlease = "wenden Sie sich an uns", "wenden Sie sich bitte an uns"
		how = " oder schlagen Sie über Ihr Kundenkonto (Adresse oben) einen neuen Ratenplan vor"
	}
	if f.d.PortalURL == "" {
		how = ", um einen neuen Ratenplan zu vereinbaren"
	}
	if f.direct {
		return "Hat sich an Ihrer Lage etwas geändert, " + reach + how + ". Uns ist ein Plan lieber, den Sie einhalten können."
	}
	return "Falls sich an Ihrer Lage etwas geändert hat, " + reachPlease + how +
		". Wir vereinbaren viel lieber einen neuen Plan mit Ihnen, den Sie einhalten können."
}

func (german) defSMS(f *facts, detail int) string {
	inv := "Rechnung " + f.no
	switch {
	case f.n > 1 && detail >= 2:
		inv = "Rechnungen " + invoiceNumbers(f, ", ")
	case f.n > 1:
		inv = fmt.Sprintf("%d Rechnungen", f.n)
	}
	if f.direct {
		return "Ihr Ratenplan ist beendet: Raten wurden nicht bezahlt. Bitte zahlen Sie " + f.amountDue + " (" + inv + ") bis zum " + f.payBy +
			". Für einen neuen Ratenplan sprechen Sie uns an."
	}
	return "Leider ist Ihr Ratenplan beendet, da Raten nicht eingegangen sind. Bitte zahlen Sie " + f.amountDue + " (" + inv + ") bis zum " +
		f.payBy + " oder sprechen Sie uns wegen eines neuen Plans an."
}

// French (vous). frenchSpaces adds the no-break spaces before : ; ? !.

func (french) defSubject(f *facts) string {
	if f.direct {
		return "Votre plan de paiement a pris fin : " + f.amountDue + " à régler au plus tard le " + f.payBy
	}
	return "Votre plan de paiement du " + f.def.agreed + " a pris fin"
}

func (french) defIntro(f *facts) []string {
	one := len(f.def.missed) == 1
	if f.direct {
		what := "ces échéances n'ont pas été payées"
		if one {
			what = "cette échéance n'a pas été payée"
		}
		return []string{fmt.Sprintf("Le plan de paiement %s convenu avec vous le %s a pris fin, car %s :", f.def.plan, f.def.agreed, what)}
	}
	what := "ces échéances ne nous sont pas parvenues"
	if one {
		what = "cette échéance ne nous est pas parvenue"
	}
	return []string{fmt.Sprintf("Nous avons le regret de vous informer que le plan de paiement %s convenu avec vous le %s a pris fin, car %s :",
		f.def.plan, f.def.agreed, what)}
}

func (french) missedRow(seq int, due string) string {
	return fmt.Sprintf("Échéance n°%s%d, due le %s", nbsp, seq, due)
}

func (french) defaultDue(f *facts) string {
	if f.direct {
		return "Comme le prévoit l'accord, le solde restant est désormais exigible en totalité :"
	}
	return "Conformément à l'accord, le solde restant est donc désormais exigible en totalité :"
}

func (french) defAction(f *facts) string {
	if f.direct {
		return "Merci de régler " + f.amountDue + " au plus tard le " + f.payBy + "."
	}
	return "Nous vous prions de régler " + f.amountDue + " au plus tard le " + f.payBy + "."
}

func (french) defConsequence(f *facts) string {
	if f.direct {
		return "À défaut de paiement à cette date, le recouvrement reprendra, comme le prévoit l'accord."
	}
	return "Si le solde n'est pas réglé d'ici là, l'accord prévoit la reprise du recouvrement. Nous souhaitons vivement l'éviter."
}

func (french) defHelp(f *facts) string {
	reach, how := "répondez à cet e-mail", " ou proposez un nouveau plan via le lien ci-dessus"
	if f.channel == ChannelLetter {
		reach, how = "contactez-nous", " ou proposez un nouveau plan depuis votre espace client (adresse ci-dessus)"
	}
	if f.d.PortalURL == "" {
		how = " pour convenir d'un nouveau plan"
	}
	if f.direct {
		return "Si votre situation a changé, " + reach + how + ". Nous préférons convenir d'un plan que vous pourrez tenir."
	}
	return "Si votre situation a changé, n'hésitez pas à nous le dire : " + reach + how +
		". Nous préférons de loin convenir avec vous d'un nouveau plan que vous pourrez tenir."
}

func (french) defSMS(f *facts, detail int) string {
	inv := "facture " + f.no
	switch {
	case f.n > 1 && detail >= 2:
		inv = "factures " + invoiceNumbers(f, ", ")
	case f.n > 1:
		inv = fmt.Sprintf("%d factures", f.n)
	}
	if f.direct {
		return "Votre plan de paiement a pris fin : des échéances n'ont pas été payées. Merci de régler " + f.amountDue + " (" + inv +
			") au plus tard le " + f.payBy + ". Pour un nouveau plan, contactez-nous."
	}
	return "Votre plan de paiement a malheureusement pris fin, des échéances ne nous étant pas parvenues. Merci de régler " +
		f.amountDue + " (" + inv + ") au plus tard le " + f.payBy + " ou de nous contacter pour un nouveau plan."
}
