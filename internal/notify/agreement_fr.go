package notify

import (
	"fmt"
	"strings"
)

// The French wording of the written agreement and its email. The renderer and
// the email add the no-break spaces of French typography (frenchSpaces).

func (french) agTitle() string               { return "Accord de paiement échelonné" }
func (french) agPlan(id string) string       { return "Plan " + id }
func (french) agVersion(v string) string     { return "version " + v }
func (french) agIssued(date string) string   { return "émis le " + date }
func (french) agPage(n int) string           { return fmt.Sprintf("Page %d sur {nb}", n) }
func (french) agParties() (string, string)   { return "Créancier", "Client" }
func (french) agCustomerRef(r string) string { return "Référence client : " + r }

func (french) agAgrees(n int) string {
	s := fmt.Sprintf("en %d échéances", n)
	if n == 1 {
		s = "en une échéance"
	}
	return "Le client s'engage à payer au créancier le montant ci-dessous " + s +
		", aux dates et pour les montants fixés dans le présent accord."
}

func (french) agCoversHeading() string { return "Ce que couvre ce plan" }
func (french) agInvoiceCols() [5]string {
	return [5]string{"Facture", "Émise le", "Échéance", "Montant", "Reste dû"}
}
func (french) agBalanceCovered() string  { return "Montant couvert par ce plan" }
func (french) agPaymentsHeading() string { return "Vos paiements" }
func (french) agPaymentCols() [5]string {
	return [5]string{"N°", "Échéance", "Montant", "Capital", "Intérêts"}
}
func (french) agDownPayment() string { return "Acompte" }
func (french) agTotal() string       { return "Total" }

func (french) agInterestNote(total, balance string) string {
	return "Le total de " + total + " correspond au montant de " + balance + " augmenté des intérêts ; chaque échéance indique " +
		"la part qui réduit le montant dû (capital) et la part d'intérêts."
}

func (french) agHowToPayHeading() string { return "Comment payer" }
func (french) agMethods(names []string) string {
	return "Moyens de paiement acceptés : " + strings.Join(names, ", ") + "."
}

func (french) agBankTransfer(account, ref string) string {
	if account != "" {
		return "Payez par virement sur le compte " + account + " en indiquant la référence " + ref +
			", afin que votre paiement soit rattaché à ce plan."
	}
	return "Pour un virement, indiquez la référence " + ref + ", afin que votre paiement soit rattaché à ce plan."
}

func (french) agAutopay(on bool) string {
	if on {
		return "Le prélèvement automatique est activé : chaque échéance est prélevée à sa date."
	}
	return "Veuillez régler chaque échéance de sorte qu'elle nous parvienne au plus tard à sa date."
}

func (french) agMissedHeading() string { return "En cas de paiement manqué" }

func (french) agGrace(days int) string {
	switch {
	case days == 1:
		return "Un paiement est en retard après sa date d'échéance et manqué s'il ne nous parvient pas dans un délai de 1 jour."
	case days > 1:
		return fmt.Sprintf("Un paiement est en retard après sa date d'échéance et manqué s'il ne nous parvient pas dans un délai de %d jours.", days)
	}
	return "Un paiement est manqué s'il ne nous parvient pas au plus tard à sa date d'échéance."
}

func (french) agLateFee(fee string) string {
	return "Chaque paiement manqué entraîne des frais de retard de " + fee + "."
}

func (french) agDefault(missed, daysLate int) string {
	var conds []string
	switch {
	case missed == 1:
		conds = append(conds, "un paiement est manqué")
	case missed > 1:
		conds = append(conds, fmt.Sprintf("%d paiements sont manqués", missed))
	}
	switch {
	case daysLate == 1:
		conds = append(conds, "un paiement a plus de 1 jour de retard")
	case daysLate > 1:
		conds = append(conds, fmt.Sprintf("un paiement a plus de %d jours de retard", daysLate))
	}
	return "Si " + strings.Join(conds, ", ou si ") + ", le plan prend fin : le solde restant devient immédiatement exigible " +
		"et le recouvrement reprend."
}

func (french) agGainsHeading() string { return "Ce que vous y gagnez" }

func (french) agConcession(kind string) string {
	switch kind {
	case "fee_waived":
		return "Frais de retard annulés"
	case "interest_frozen":
		return "Intérêts gelés"
	case "settlement_discount":
		return "Remise transactionnelle"
	case "early_payment_discount":
		return "Escompte pour paiement anticipé"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

func (french) agGainsTotal() string   { return "Valeur totale de ces concessions" }
func (french) agEarlyHeading() string { return "Paiement anticipé" }

func (french) agEarly(percent string, interest bool) string {
	s := "Vous pouvez régler le solde restant par anticipation à tout moment, sans frais"
	if percent != "" {
		s += " ; " + percent + nbsp + "% du montant restant vous est alors remis"
	}
	if interest {
		s += " ; les intérêts cessent de courir le jour du paiement"
	}
	return s + "."
}

func (french) agAcceptanceHeading() string { return "Acceptation" }
func (french) agNotAccepted() (string, string) {
	return "Pas encore accepté.", "Lorsque le client accepte ce plan, la personne qui l'accepte, la date, le canal " +
		"et l'adresse IP sont enregistrés ici."
}
func (french) agAcceptLabels() [4]string {
	return [4]string{"Accepté par", "Accepté le", "Canal", "Adresse IP"}
}

func (french) agChannel(c string) string {
	switch c {
	case "portal":
		return "Portail client"
	case "email":
		return "E-mail"
	case "phone":
		return "Téléphone"
	case "in_person":
		return "En personne"
	case "api":
		return "API"
	}
	return c
}

func (french) agMailSubject(plan, version string, accepted bool) string {
	if accepted {
		return "Votre accord de paiement échelonné " + plan + ", version " + version
	}
	return "Proposition d'accord de paiement échelonné " + plan + ", version " + version
}

func (french) agMailIntro(direct bool, plan, version, acceptedOn string) string {
	switch {
	case acceptedOn != "" && direct:
		return "Merci d'avoir accepté le plan de paiement " + plan + " le " + acceptedOn + ". " +
			"L'accord de paiement échelonné écrit est joint en PDF ; veuillez le conserver."
	case acceptedOn != "":
		return "Merci de votre confiance et d'avoir accepté le plan de paiement " + plan + " le " + acceptedOn + ". " +
			"Vous trouverez ci-joint, en PDF, votre accord de paiement échelonné ; nous vous invitons à le conserver."
	case direct:
		return "Nous avons préparé la version " + version + " du plan de paiement " + plan + ". " +
			"La proposition d'accord est jointe en PDF ; elle prend effet dès que vous l'acceptez."
	}
	return "Merci de travailler avec nous à votre plan de paiement. Nous avons adapté la version " + version + " du plan " + plan +
		" à votre situation ; la proposition d'accord est jointe en PDF et prend effet dès que vous l'acceptez."
}

func (french) agMailRows() (string, string) { return "Paiements", "Total" }

func (french) agMailPayments(n int, first string) string {
	if n == 1 {
		return "1 échéance, le " + first
	}
	return fmt.Sprintf("%d échéances, la première le %s", n, first)
}

func (french) agMailClose(accepted bool) string {
	if accepted {
		return "Si un point de l'accord ne correspond pas à ce qui a été convenu, répondez simplement à cet e-mail."
	}
	return "Pour toute question sur cette proposition, répondez simplement à cet e-mail."
}
