package notify

import (
	"fmt"
	"strings"
)

// The German wording of the written agreement and its email.

func (german) agTitle() string               { return "Ratenzahlungsvereinbarung" }
func (german) agPlan(id string) string       { return "Plan " + id }
func (german) agVersion(v string) string     { return "Version " + v }
func (german) agIssued(date string) string   { return "ausgestellt am " + date }
func (german) agPage(n int) string           { return fmt.Sprintf("Seite %d von {nb}", n) }
func (german) agParties() (string, string)   { return "Gläubiger", "Kunde" }
func (german) agCustomerRef(r string) string { return "Kundennummer: " + r }

func (german) agAgrees(n int) string {
	s := fmt.Sprintf("in %d Raten", n)
	if n == 1 {
		s = "in einer Rate"
	}
	return "Der Kunde verpflichtet sich, dem Gläubiger den unten genannten Betrag " + s +
		" zu den Terminen und in den Beträgen zu zahlen, die in dieser Vereinbarung festgelegt sind."
}

func (german) agCoversHeading() string { return "Umfang der Vereinbarung" }
func (german) agInvoiceCols() [5]string {
	return [5]string{"Rechnung", "Ausgestellt", "Fällig", "Betrag", "Offen"}
}
func (german) agBalanceCovered() string  { return "Von diesem Plan erfasster Betrag" }
func (german) agPaymentsHeading() string { return "Ihre Zahlungen" }
func (german) agPaymentCols() [5]string {
	return [5]string{"Nr.", "Fällig am", "Betrag", "Tilgung", "Zinsen"}
}
func (german) agDownPayment() string { return "Anzahlung" }
func (german) agTotal() string       { return "Summe" }

func (german) agInterestNote(total, balance string) string {
	return "Die Summe von " + total + " ist der Betrag von " + balance + " zuzüglich Zinsen; bei jeder Rate ist angegeben, " +
		"welcher Teil den Betrag tilgt (Tilgung) und welcher Teil Zinsen sind."
}

func (german) agHowToPayHeading() string { return "So zahlen Sie" }
func (german) agMethods(names []string) string {
	return "Akzeptierte Zahlungsarten: " + strings.Join(names, ", ") + "."
}

func (german) agBankTransfer(account, ref string) string {
	if account != "" {
		return "Überweisen Sie bitte auf das Konto " + account + " mit dem Verwendungszweck " + ref +
			", damit Ihre Zahlung diesem Plan zugeordnet wird."
	}
	return "Geben Sie bei einer Überweisung bitte " + ref + " als Verwendungszweck an, damit Ihre Zahlung diesem Plan zugeordnet wird."
}

func (german) agAutopay(on bool) string {
	if on {
		return "Die automatische Zahlung ist eingerichtet: Jede Rate wird an ihrem Fälligkeitstag eingezogen."
	}
	return "Bitte zahlen Sie jede Rate so, dass sie bis zu ihrem Fälligkeitstag bei uns eingeht."
}

func (german) agMissedHeading() string { return "Wenn eine Zahlung ausbleibt" }

func (german) agGrace(days int) string {
	switch {
	case days == 1:
		return "Eine Zahlung ist nach ihrem Fälligkeitstag verspätet und gilt als versäumt, wenn sie nicht innerhalb von 1 Tag eingeht."
	case days > 1:
		return fmt.Sprintf("Eine Zahlung ist nach ihrem Fälligkeitstag verspätet und gilt als versäumt, wenn sie nicht innerhalb von %d Tagen eingeht.", days)
	}
	return "Eine Zahlung gilt als versäumt, wenn sie nicht bis zu ihrem Fälligkeitstag eingeht."
}

func (german) agLateFee(fee string) string {
	return "Für jede versäumte Zahlung wird eine Verzugsgebühr von " + fee + " berechnet."
}

func (german) agDefault(missed, daysLate int) string {
	var conds []string
	switch {
	case missed == 1:
		conds = append(conds, "eine Zahlung versäumt wird")
	case missed > 1:
		conds = append(conds, fmt.Sprintf("%d Zahlungen versäumt werden", missed))
	}
	switch {
	case daysLate == 1:
		conds = append(conds, "eine Zahlung mehr als 1 Tag verspätet ist")
	case daysLate > 1:
		conds = append(conds, fmt.Sprintf("eine Zahlung mehr als %d Tage verspätet ist", daysLate))
	}
	return "Wenn " + strings.Join(conds, " oder ") + ", endet der Plan: Der restliche Betrag wird sofort fällig, " +
		"und das Mahnverfahren wird fortgesetzt."
}

func (german) agGainsHeading() string { return "Ihre Vorteile" }

func (german) agConcession(kind string) string {
	switch kind {
	case "fee_waived":
		return "Verzugsgebühren erlassen"
	case "interest_frozen":
		return "Zinsen eingefroren"
	case "settlement_discount":
		return "Nachlass bei Vergleich"
	case "early_payment_discount":
		return "Nachlass bei vorzeitiger Zahlung"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

func (german) agGainsTotal() string   { return "Gesamtwert dieser Zugeständnisse" }
func (german) agEarlyHeading() string { return "Vorzeitige Zahlung" }

func (german) agEarly(percent string, interest bool) string {
	s := "Sie können den restlichen Betrag jederzeit kostenlos vorzeitig zahlen"
	if percent != "" {
		s += "; dabei werden Ihnen " + percent + nbsp + "% des Restbetrags erlassen"
	}
	if interest {
		s += "; ab dem Tag der Zahlung fallen keine Zinsen mehr an"
	}
	return s + "."
}

func (german) agAcceptanceHeading() string { return "Annahme" }
func (german) agNotAccepted() (string, string) {
	return "Noch nicht angenommen.", "Wenn der Kunde diesen Plan annimmt, wird hier festgehalten, wer ihn angenommen hat, " +
		"wann, auf welchem Weg und von welcher IP-Adresse."
}
func (german) agAcceptLabels() [4]string {
	return [4]string{"Angenommen von", "Angenommen am", "Weg", "IP-Adresse"}
}

func (german) agChannel(c string) string {
	switch c {
	case "portal":
		return "Kundenportal"
	case "email":
		return "E-Mail"
	case "phone":
		return "Telefon"
	case "in_person":
		return "Persönlich"
	case "api":
		return "API"
	}
	return c
}

func (german) agMailSubject(plan, version string, accepted bool) string {
	if accepted {
		return "Ihre Ratenzahlungsvereinbarung " + plan + ", Version " + version
	}
	return "Vorgeschlagene Ratenzahlungsvereinbarung " + plan + ", Version " + version
}

// agMailIntro continues the salutation ("Guten Tag …,") in lower case.
func (german) agMailIntro(direct bool, plan, version, acceptedOn string) string {
	switch {
	case acceptedOn != "" && direct:
		return "vielen Dank, dass Sie den Ratenplan " + plan + " am " + acceptedOn + " angenommen haben. " +
			"Die schriftliche Ratenzahlungsvereinbarung finden Sie als PDF im Anhang; bitte bewahren Sie sie auf."
	case acceptedOn != "":
		return "vielen Dank für Ihr Vertrauen und dafür, dass Sie den Ratenplan " + plan + " am " + acceptedOn + " angenommen haben. " +
			"Die schriftliche Ratenzahlungsvereinbarung finden Sie als PDF im Anhang; bitte bewahren Sie sie auf."
	case direct:
		return "wir haben Version " + version + " des Ratenplans " + plan + " erstellt. Die vorgeschlagene Vereinbarung finden Sie " +
			"als PDF im Anhang; sie gilt, sobald Sie sie annehmen."
	}
	return "vielen Dank, dass Sie mit uns an Ihrem Ratenplan arbeiten. Wir haben Version " + version + " des Plans " + plan +
		" auf Ihre Lage abgestimmt; die vorgeschlagene Vereinbarung finden Sie als PDF im Anhang, sie gilt, sobald Sie sie annehmen."
}

func (german) agMailRows() (string, string) { return "Zahlungen", "Gesamtbetrag" }

func (german) agMailPayments(n int, first string) string {
	if n == 1 {
		return "1 Rate am " + first
	}
	return fmt.Sprintf("%d Raten, die erste am %s", n, first)
}

func (german) agMailClose(accepted bool) string {
	if accepted {
		return "Sollte etwas in der Vereinbarung nicht dem Vereinbarten entsprechen, antworten Sie bitte auf diese E-Mail."
	}
	return "Bei Fragen zum Vorschlag antworten Sie bitte auf diese E-Mail."
}
