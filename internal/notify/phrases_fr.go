package notify

import (
	"fmt"
	"strconv"
	"strings"
)

// french is the French phrasebook: "vous", elision of "de" before a vowel, and a space
// before ":", ";", "?" and "!" (written here as a plain space; frenchSpaces turns it
// into a no-break space so the mark never starts a line).
type french struct{}

// frInv is "la facture ci-dessous reste" or "les factures ci-dessous restent".
func frInv(f *facts) (subject, remains string) {
	if f.n == 1 {
		return "la facture ci-dessous", "reste"
	}
	return "les factures ci-dessous", "restent"
}

// frBy is "au plus tard le <PayBy>" when a deadline is set, else the fallback.
func frBy(f *facts, fallback string) string {
	if f.payBy != "" {
		return "au plus tard le " + f.payBy
	}
	return fallback
}

// frDe is "de " + s with elision before a vowel or mute h: "de confier", "d'engager".
func frDe(s string) string {
	if s != "" && strings.ContainsRune("aeéèêiîoôuhAEÉIOUH", []rune(s)[0]) {
		return "d'" + s
	}
	return "de " + s
}

// frenchSpaces puts a no-break space before the high punctuation marks.
func frenchSpaces(s string) string {
	return strings.NewReplacer(" :", nbsp+":", " ;", nbsp+";", " ?", nbsp+"?", " !", nbsp+"!").Replace(s)
}

func (french) next(f *facts) string {
	switch f.d.NextStep {
	case NextAgency:
		return "confier le recouvrement de cette créance à une société de recouvrement"
	case NextLegal:
		return "engager une procédure judiciaire"
	case NextMediation:
		return "soumettre le différend à un médiateur indépendant"
	default:
		return "engager d'autres démarches pour recouvrer notre créance"
	}
}

func (x french) subject(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defSubject(f)
	}
	one := f.n == 1
	switch f.step {
	case StepReminder:
		pre := "Rappel"
		if !f.direct {
			pre = "Rappel amical"
		}
		if one {
			return pre + " : la facture " + f.no + " arrive à échéance le " + f.due
		}
		return fmt.Sprintf("%s : %d factures arrivent bientôt à échéance", pre, f.n)
	case StepDueToday:
		s := fmt.Sprintf("%d factures arrivent à échéance aujourd'hui", f.n)
		if one {
			s = "la facture " + f.no + " arrive à échéance aujourd'hui"
		}
		if !f.direct {
			return "Pour information : " + s
		}
		return upperFirst(s)
	case StepOverdue:
		switch {
		case f.direct && one:
			return "Facture " + f.no + " en retard de paiement"
		case f.direct:
			return fmt.Sprintf("%d factures en retard de paiement", f.n)
		case one:
			return "Rappel amical concernant la facture " + f.no
		default:
			return "Rappel amical concernant vos factures en attente"
		}
	case StepFirm:
		if f.direct {
			return "Deuxième relance : " + f.amountDue + " en retard"
		}
		return "Deuxième rappel : votre solde de " + f.amountDue
	case StepDemand:
		if f.direct {
			return "Mise en demeure : " + f.amountDue + " à régler au plus tard le " + f.payBy
		}
		return "Demande formelle de paiement : " + f.amountDue + " au plus tard le " + f.payBy
	case StepFinal:
		if f.direct {
			return "Dernier avis : " + f.amountDue + " à régler au plus tard le " + f.payBy
		}
		return "Dernier rappel : " + f.amountDue + " à régler au plus tard le " + f.payBy
	case StepInstallmentReminder:
		if f.direct {
			return fmt.Sprintf("Plan de paiement %s : échéance n°\u00a0%d de %s le %s", f.inst.plan, f.inst.seq, f.inst.amount, f.inst.due)
		}
		return fmt.Sprintf("Rappel : l'échéance n°\u00a0%d de votre plan de paiement arrive le %s", f.inst.seq, f.inst.due)
	case StepInstallmentMissed:
		if f.direct {
			return fmt.Sprintf("Échéance impayée : %s, due le %s (plan de paiement %s)", f.inst.amount, f.inst.due, f.inst.plan)
		}
		return fmt.Sprintf("Votre plan de paiement : échéance n°\u00a0%d non reçue", f.inst.seq)
	case StepInvoiceResend:
		s := fmt.Sprintf("copie de vos %d factures", f.n)
		if one {
			s = "copie de la facture " + f.no
		}
		if f.direct {
			return upperFirst(s)
		}
		return "Suite à votre demande : " + s
	case StepFollowUp:
		if f.direct {
			return "Rendez-vous au sujet de votre compte : " + f.meetShort
		}
		return "Invitation à un échange : " + f.meetShort
	}
	return ""
}

func (french) greeting(f *facts) string {
	if f.channel == ChannelLetter {
		return "Madame, Monsieur,"
	}
	return "Bonjour " + f.d.CustomerName + ","
}

func (x french) intro(f *facts) []string {
	if f.step == StepPlanDefaulted {
		return x.defIntro(f)
	}
	inv, remains := frInv(f)
	days := ""
	if f.days > 0 {
		if f.n == 1 {
			days = " Elle est en retard de " + frenchDays(f.days) + "."
		} else {
			days = " La plus ancienne est en retard de " + frenchDays(f.days) + "."
		}
	}
	switch f.step {
	case StepReminder:
		var s string
		if f.n == 1 {
			s = "la facture ci-dessous arrive à échéance le " + f.due + "."
		} else {
			s = "les factures ci-dessous arrivent bientôt à échéance."
		}
		if f.direct {
			return []string{"Nous vous rappelons que " + s}
		}
		return []string{"Nous vous remercions de votre confiance. Nous nous permettons de vous rappeler que " + s}
	case StepDueToday:
		var s string
		if f.n == 1 {
			s = "la facture ci-dessous arrive à échéance aujourd'hui, le " + f.asOf + "."
		} else {
			s = "les factures ci-dessous arrivent à échéance aujourd'hui, le " + f.asOf + "."
		}
		if f.direct {
			return []string{upperFirst(s)}
		}
		return []string{"Nous espérons que tout va bien de votre côté. Pour rappel, " + s}
	case StepOverdue:
		if f.direct {
			if f.n == 1 {
				return []string{"Nous n'avons pas reçu le paiement de la facture ci-dessous. Elle était due le " + f.due +
					" et est désormais en retard."}
			}
			return []string{"Nous n'avons pas reçu le paiement des factures ci-dessous. Elles sont désormais en retard."}
		}
		s := "Nous apprécions notre collaboration et savons qu'une facture peut facilement passer inaperçue. D'après nos données, "
		if f.n == 1 {
			return []string{s + "la facture ci-dessous, échue le " + f.due + ", reste impayée."}
		}
		return []string{s + "les factures ci-dessous restent impayées."}
	case StepFirm:
		if f.direct {
			return []string{frDespite(f, inv, remains+" impayée"+frPlural(f)+".") + days}
		}
		return []string{"Nous tenons à notre relation commerciale, c'est pourquoi nous vous écrivons personnellement. " +
			frDespite(f, inv, remains+" impayée"+frPlural(f)+".") + days}
	case StepDemand:
		if f.direct {
			return []string{frDespite(f, inv, remains+" impayée"+frPlural(f)+".")}
		}
		return []string{"Nous regrettons de devoir vous écrire de manière formelle, car nous apprécions notre collaboration. " +
			frDespite(f, inv, remains+" impayée"+frPlural(f)+".")}
	case StepFinal:
		if f.direct {
			return []string{"Ceci est notre dernier avis. " + frDespite(f, inv, remains+" impayée"+frPlural(f)+".")}
		}
		return []string{"Nous préférerions de loin régler cette situation directement avec vous ; c'est pourquoi nous vous " +
			"écrivons une dernière fois avant d'engager d'autres démarches. " + frDespite(f, inv, remains+" impayée"+frPlural(f)+".")}
	case StepInstallmentReminder:
		if f.direct {
			return []string{fmt.Sprintf("L'échéance n°\u00a0%d de votre plan de paiement %s, d'un montant de %s, est à régler le %s.",
				f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
		}
		return []string{fmt.Sprintf("Nous vous remercions de suivre votre plan de paiement. Nous vous rappelons que l'échéance n°\u00a0%d "+
			"de votre plan %s, d'un montant de %s, est à régler le %s.", f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
	case StepInstallmentMissed:
		if f.direct {
			return []string{fmt.Sprintf("Nous n'avons pas reçu l'échéance n°\u00a0%d de votre plan de paiement %s, d'un montant de %s, due le %s.",
				f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
		}
		return []string{fmt.Sprintf("Nous apprécions les efforts que vous consacrez à votre plan de paiement. Nous constatons toutefois "+
			"que l'échéance n°\u00a0%d de votre plan %s, d'un montant de %s, due le %s, ne nous est pas encore parvenue.",
			f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
	case StepInvoiceResend:
		if f.direct {
			if f.n == 1 {
				return []string{"Comme demandé, nous vous transmettons à nouveau les détails de la facture ci-dessous."}
			}
			return []string{"Comme demandé, nous vous transmettons à nouveau les détails des factures ci-dessous."}
		}
		if f.n == 1 {
			return []string{"Merci de nous avoir signalé que notre facture ne vous était pas parvenue ; nous vous prions de nous " +
				"excuser pour ce désagrément. En voici à nouveau les détails."}
		}
		return []string{"Merci de nous avoir signalé que nos factures ne vous étaient pas parvenues ; nous vous prions de nous " +
			"excuser pour ce désagrément. En voici à nouveau les détails."}
	case StepFollowUp:
		if f.direct {
			return []string{"Nous souhaitons faire le point avec vous sur votre compte et avons prévu un rendez-vous :"}
		}
		return []string{"Nous apprécions notre collaboration et souhaitons trouver ensemble une solution qui vous convienne. " +
			"Nous avons réservé un créneau pour en parler :"}
	}
	return nil
}

// frPlural is the plural ending "s" for adjectives agreeing with the invoices.
func frPlural(f *facts) string {
	if f.n == 1 {
		return ""
	}
	return "s"
}

func frenchDays(n int) string {
	if n == 1 {
		return "1 jour"
	}
	return fmt.Sprintf("%d jours", n)
}

func (french) aboutInvoices(f *facts) string {
	if f.n == 1 {
		return "Nous souhaitons aborder la facture en attente de règlement ci-dessous."
	}
	return "Nous souhaitons aborder les factures en attente de règlement ci-dessous."
}

func (x french) action(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defAction(f)
	}
	a := f.amountDue
	var dueBy string
	if f.n == 1 {
		dueBy = frBy(f, "au plus tard le "+f.due)
	} else {
		dueBy = frBy(f, "aux dates d'échéance indiquées ci-dessus")
	}
	switch f.step {
	case StepReminder:
		if f.direct {
			return "Merci de régler " + a + " " + dueBy + "."
		}
		return "Nous vous serions reconnaissants de bien vouloir régler " + a + " " + dueBy + "."
	case StepDueToday:
		if f.direct {
			return "Merci de régler " + a + " " + frBy(f, "aujourd'hui") + "."
		}
		return "Nous vous serions reconnaissants de bien vouloir régler " + a + " " + frBy(f, "aujourd'hui") + "."
	case StepOverdue:
		if f.direct {
			return "Merci de régler " + a + " " + frBy(f, "dans les meilleurs délais") + "."
		}
		return "Nous vous serions reconnaissants de bien vouloir régler " + a + " " + frBy(f, "dès que possible") + "."
	case StepFirm:
		if f.direct {
			return "Merci de régler " + a + " " + frBy(f, "sans délai") + "."
		}
		return "Nous vous prions de bien vouloir régler " + a + " " + frBy(f, "dans les prochains jours") + "."
	case StepDemand:
		if f.direct {
			return "Par la présente, nous vous mettons en demeure de régler la somme de " + a + " au plus tard le " + f.payBy + "."
		}
		return "Nous vous demandons formellement de régler la somme de " + a + " au plus tard le " + f.payBy + "."
	case StepFinal:
		if f.direct {
			return "Merci de régler l'intégralité de la somme de " + a + " au plus tard le " + f.payBy + "."
		}
		return "Nous vous prions une dernière fois de régler l'intégralité de la somme de " + a + " au plus tard le " + f.payBy + "."
	case StepInstallmentReminder:
		by := frBy(f, "au plus tard le "+f.inst.due)
		if f.direct {
			return "Merci de régler " + a + " " + by + "."
		}
		return "Nous vous remercions de veiller à ce que le montant de " + a + " nous parvienne " + by + "."
	case StepInstallmentMissed:
		if f.direct {
			return "Merci de régler " + a + " " + frBy(f, "sans délai") + " afin de maintenir votre plan de paiement."
		}
		return "Pourriez-vous régler " + a + " " + frBy(f, "dès que possible") + " afin que votre plan de paiement soit maintenu ?"
	case StepInvoiceResend:
		if f.direct {
			return "Merci de régler " + a + " " + frBy(f, "dans les meilleurs délais") + "."
		}
		return "Nous vous serions reconnaissants de bien vouloir régler " + a + " " + frBy(f, "dès que possible") + "."
	}
	return ""
}

func (fr french) consequence(f *facts) string {
	if f.step == StepPlanDefaulted {
		return fr.defConsequence(f)
	}
	next := fr.next(f)
	switch f.step {
	case StepDemand:
		if f.direct {
			return "À défaut de paiement au plus tard le " + f.payBy + ", nous nous réservons le droit " + frDe(next) + ", sans autre préavis."
		}
		return "Si le paiement ne nous parvient pas d'ici le " + f.payBy + ", nous pourrions être amenés à " + next +
			". Nous souhaitons vivement l'éviter."
	case StepFinal:
		if f.direct {
			return "À défaut de paiement intégral au plus tard le " + f.payBy + ", nous serons contraints " + frDe(next) +
				". Vous ne recevrez pas d'autre rappel."
		}
		return "À défaut de paiement intégral au plus tard le " + f.payBy + ", nous n'aurons d'autre choix que " + frDe(next) + "."
	case StepInstallmentMissed:
		if f.direct {
			return "Les échéances impayées peuvent mettre fin au plan de paiement ; le solde restant devient alors immédiatement exigible."
		}
		return "Nous souhaitons maintenir votre plan de paiement. En cas d'échéances impayées, le plan peut toutefois prendre fin " +
			"et le solde restant devient immédiatement exigible."
	}
	return ""
}

func (x french) help(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defHelp(f)
	}
	switch f.step {
	case StepReminder, StepDueToday, StepInstallmentReminder:
		if f.direct {
			return "Si vous avez déjà effectué le paiement, merci de ne pas tenir compte de ce message."
		}
		if f.step == StepInstallmentReminder {
			return "Si votre situation a changé, merci de nous en informer avant la date d'échéance."
		}
		return "Si vous avez déjà procédé au paiement, nous vous en remercions ; merci de ne pas tenir compte de ce message."
	case StepOverdue:
		if f.direct {
			return "Si vous avez déjà payé, merci de nous communiquer la date et la référence du paiement afin que nous puissions l'identifier."
		}
		return "En cas de problème avec la facture ou si vous avez besoin d'un délai, n'hésitez pas à nous contacter : " +
			"nous trouverons une solution ensemble."
	case StepFirm:
		if f.direct {
			return "Si vous ne pouvez pas régler l'intégralité, contactez-nous dès maintenant pour convenir d'un plan de paiement."
		}
		return "Si quelque chose vous empêche de payer, faites-le-nous savoir. Nous pouvons convenir d'un plan de paiement adapté à votre situation."
	case StepDemand:
		if f.direct {
			return "Si vous contestez cette somme ou l'avez déjà réglée, contactez-nous immédiatement."
		}
		return "Si vous rencontrez des difficultés, contactez-nous avant le " + f.payBy + " : un plan de paiement reste possible."
	case StepFinal:
		if f.direct {
			return "Si vous avez déjà payé, merci de nous adresser immédiatement un justificatif de paiement."
		}
		return "Si vous souhaitez convenir d'un plan de paiement, contactez-nous avant le " + f.payBy + " ; il n'est pas trop tard."
	case StepInstallmentMissed:
		if f.direct {
			return "Si vous avez déjà payé, merci de nous communiquer les détails du paiement."
		}
		return "Si votre situation a changé, contactez-nous : nous pouvons revoir le plan ensemble."
	case StepInvoiceResend:
		if f.direct {
			return "Pour toute question concernant la facture, contactez-nous."
		}
		return "Pour toute question concernant la facture, nous restons à votre disposition."
	case StepFollowUp:
		s := ""
		if f.channel == ChannelEmail {
			s = "Vous trouverez l'invitation de calendrier en pièce jointe. "
		}
		if f.direct {
			return s + "Si ce créneau ne vous convient pas, merci de nous proposer un autre horaire."
		}
		return s + "Si un autre moment vous convient mieux, faites-le-nous savoir et nous trouverons un créneau ensemble."
	}
	return ""
}

func (french) benefits(keys []string) string {
	var items []string
	for _, k := range keys {
		switch k {
		case BenefitDelivery:
			items = append(items, "reprendre les livraisons")
		case BenefitCreditLimit:
			items = append(items, "rétablir votre limite de crédit")
		}
	}
	return "Dès réception du paiement, nous pourrons " + joinAnd(items, "et") + "."
}

func (french) payHeading() string { return "Modalités de paiement" }

func (french) method(key string, _ locale) string {
	switch key {
	case "bank_transfer":
		return "Virement bancaire"
	case "card":
		return "Carte bancaire"
	case "direct_debit":
		return "Prélèvement"
	case "check":
		return "Chèque"
	case "cash":
		return "Espèces"
	}
	return strings.ReplaceAll(key, "_", " ")
}

func (french) reference(ref string) string {
	return "Merci d'indiquer la référence " + ref + " lors de votre paiement."
}

func (french) closing(f *facts) []string {
	if f.channel == ChannelLetter {
		return []string{"Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.", f.d.Creditor}
	}
	return []string{"Cordialement,", f.d.Creditor}
}

func (french) optOut(channel string) string {
	if channel == ChannelSMS {
		return "Désinscription :"
	}
	return "Vous pouvez à tout moment vous désabonner des e-mails que nous vous envoyons au sujet de ce compte :"
}

func (french) labels() labels {
	return labels{
		invoice: "Facture", issued: "Date", due: "Échéance", late: "Retard", amountCol: "Montant", balanceCol: "Reste dû",
		balance: "Solde restant dû", fee: "Frais et intérêts", amountDue: "Montant à régler", totalDue: "Total dû",
		plan: "Plan de paiement", installment: "Échéance", dueDate: "Date d'échéance", amount: "Montant",
		when: "Quand", duration: "Durée", with: "Avec",
		date: "Date", reference: "Référence de paiement", page: "Page",
	}
}

func (french) days(n int) string { return frenchDays(n) }

func (french) minutes(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

func (fr french) sms(f *facts, detail int) string {
	if f.step == StepPlanCompleted {
		return doneSMS(f)
	}
	if f.step == StepPlanDefaulted {
		return fr.defSMS(f, detail)
	}
	// inv has the article ("la facture X"); bare is without it, for parentheses and labels.
	var inv, bare string
	one := f.n == 1
	switch {
	case one:
		inv, bare = "la facture "+f.no, "facture "+f.no
	case detail >= 2:
		inv, bare = "les factures "+invoiceNumbers(f, ", "), "factures "+invoiceNumbers(f, ", ")
	default:
		inv, bare = fmt.Sprintf("%d factures", f.n), fmt.Sprintf("%d factures", f.n)
	}
	arrive, est, reste := "arrivent", "sont", "restent"
	if one {
		arrive, est, reste = "arrive", "est", "reste"
	}
	due := "bientôt"
	if one {
		due = "le " + f.due
	}
	switch f.step {
	case StepReminder:
		s := inv + " (" + f.amountDue + ") " + arrive + " à échéance " + due + "."
		if f.direct {
			return "Rappel : " + s
		}
		return "Rappel amical : " + s
	case StepDueToday:
		s := inv + " (" + f.amountDue + ") " + arrive + " à échéance aujourd'hui."
		if f.direct {
			return upperFirst(s)
		}
		return "Rappel amical : " + s
	case StepOverdue:
		if f.direct {
			return upperFirst(inv) + " (" + f.amountDue + ") " + est + " en retard de paiement. Merci de régler " + frBy(f, "sans tarder") + "."
		}
		return "Rappel amical : " + inv + " (" + f.amountDue + ") " + reste + " à régler. Merci de payer " + frBy(f, "dès que possible") + "."
	case StepFirm:
		if f.direct {
			return upperFirst(inv) + " " + reste + " impayée" + frPlural(f) + ". Merci de régler " + f.amountDue + " " + frBy(f, "sans délai") + "."
		}
		return upperFirst(inv) + " " + reste + " à régler. Merci de payer " + f.amountDue + " " + frBy(f, "rapidement") +
			" ou de nous contacter pour un plan de paiement."
	case StepDemand:
		if f.direct {
			return "Mise en demeure : réglez " + f.amountDue + " (" + bare + ") au plus tard le " + f.payBy + "."
		}
		return "Demande formelle : merci de régler " + f.amountDue + " (" + bare + ") au plus tard le " + f.payBy + "."
	case StepFinal:
		if f.direct {
			return "Dernier avis : réglez " + f.amountDue + " (" + bare + ") au plus tard le " + f.payBy + ", faute de quoi nous devrons " + fr.next(f) + "."
		}
		return "Dernier rappel : merci de régler " + f.amountDue + " (" + bare + ") au plus tard le " + f.payBy +
			" ; à défaut, nous devrons " + fr.next(f) + "."
	case StepInstallmentReminder:
		if f.direct {
			return fmt.Sprintf("L'échéance n°\u00a0%d du plan %s (%s) est à régler le %s.", f.inst.seq, f.inst.plan, f.amountDue, f.inst.due)
		}
		return fmt.Sprintf("Rappel amical : l'échéance n°\u00a0%d de votre plan de paiement (%s) est à régler le %s.", f.inst.seq, f.amountDue, f.inst.due)
	case StepInstallmentMissed:
		if f.direct {
			return fmt.Sprintf("L'échéance n°\u00a0%d du plan %s (%s, due le %s) n'a pas été reçue. Merci de régler %s.",
				f.inst.seq, f.inst.plan, f.amountDue, f.inst.due, frBy(f, "sans délai"))
		}
		return fmt.Sprintf("L'échéance n°\u00a0%d de votre plan (%s, due le %s) ne nous est pas encore parvenue. Merci de régler %s ou de nous contacter.",
			f.inst.seq, f.amountDue, f.inst.due, frBy(f, "dès que possible"))
	case StepInvoiceResend:
		if f.direct {
			return "Comme demandé : " + bare + ", " + f.amountDue + ". Merci de régler " + frBy(f, "dans les meilleurs délais") + "."
		}
		return "Toutes nos excuses pour la facture non reçue. " + upperFirst(bare) + " : " + f.amountDue + ". Merci de régler " + frBy(f, "dès que possible") + "."
	case StepFollowUp:
		if f.direct {
			return "Nous avons prévu un rendez-vous au sujet de votre compte : " + f.meetWhen + "."
		}
		return "Nous aimerions échanger avec vous au sujet de votre compte : " + f.meetWhen + "."
	}
	return ""
}

func (french) smsRef(ref string) string { return "Réf. : " + ref + "." }

func (fr french) invite(f *facts) (string, string) {
	return "Rendez-vous avec " + f.d.Creditor + " au sujet de votre compte", inviteDescription(f, fr)
}

func (french) installmentNo(seq int) string { return "n°" + nbsp + strconv.Itoa(seq) }

func (french) payOnline(url string) string {
	return "Payer en ligne maintenant : " + url
}

// frDespite is "Malgré nos rappels des 3 mars 2026 et 7 mars 2026 et notre
// mise en demeure du 20 mars 2026, la facture ci-dessous reste impayée." —
// naming only what the case sent; with nothing sent before, "La facture
// ci-dessous reste impayée."
func frDespite(f *facts, inv, rest string) string {
	var parts []string
	switch len(f.reminded) {
	case 0:
	case 1:
		parts = append(parts, "notre rappel du "+f.reminded[0])
	default:
		parts = append(parts, "nos rappels des "+joinWords(f.reminded, ", ", " et "))
	}
	if f.demanded != "" {
		if f.direct {
			parts = append(parts, "notre mise en demeure du "+f.demanded)
		} else {
			parts = append(parts, "notre demande formelle de paiement du "+f.demanded)
		}
	}
	if len(parts) == 0 {
		return upperFirst(inv) + " " + rest
	}
	if len(f.fresh) > 0 {
		// Some invoices joined the case after those steps: the earlier
		// steps are named for the others only.
		verb, also := " reste impayée.", " est désormais également échue."
		if len(f.old) > 1 {
			verb = " restent impayées."
		}
		if len(f.fresh) > 1 {
			also = " sont désormais également échues."
		}
		return "Malgré " + strings.Join(parts, " et ") + ", " + frNumbers(f.old) + verb + " " + upperFirst(frNumbers(f.fresh)) + also
	}
	return "Malgré " + strings.Join(parts, " et ") + ", " + inv + " " + rest
}

// frNumbers is "la facture A-1" or "les factures A-1 et A-2".
func frNumbers(numbers []string) string {
	if len(numbers) == 1 {
		return "la facture " + numbers[0]
	}
	return "les factures " + joinWords(numbers, ", ", " et ")
}

// What every reminder carries (howtopay.go). frenchTypography adds the no-break
// spaces before ":" and "?".

func (french) portalLink() string {
	return "Consultez votre compte, proposez un échéancier ou signalez-nous un problème :"
}

func (french) bankLabels() bankLabels {
	return bankLabels{holder: "Titulaire du compte", iban: "IBAN", account: "Numéro de compte", bic: "BIC", sortCode: "Code banque"}
}

func (french) contact(phone, email string) string {
	switch {
	case phone != "" && email != "":
		return "Des questions ? Appelez-nous au " + phone + " ou écrivez-nous à " + email + "."
	case phone != "":
		return "Des questions ? Appelez-nous au " + phone + "."
	default:
		return "Des questions ? Écrivez-nous à " + email + "."
	}
}

func (french) feeBasis(basis string) string {
	return "Frais et intérêts : intérêts de retard et indemnité forfaitaire selon " + basis + "."
}

func (french) autopay(amount, due string) string {
	return "Nous prélèverons automatiquement " + amount + " le " + due + " sur le moyen de paiement que vous avez enregistré. " +
		"Vous n'avez rien à faire ; veillez simplement à ce que les fonds soient disponibles."
}
