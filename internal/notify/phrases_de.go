package notify

import (
	"fmt"
	"strconv"
	"strings"
)

// german is the German phrasebook: formal "Sie", the body starting in lower case after
// the salutation's comma, "Mit freundlichen Grüßen" without a comma.
type german struct{}

// deInv is "die folgende Rechnung ist" or "die folgenden Rechnungen sind".
func deInv(f *facts) (subject, is string) {
	if f.n == 1 {
		return "die folgende Rechnung", "ist"
	}
	return "die folgenden Rechnungen", "sind"
}

// deBy is "bis zum <PayBy>" when a deadline is set, else the fallback.
func deBy(f *facts, fallback string) string {
	if f.payBy != "" {
		return "bis zum " + f.payBy
	}
	return fallback
}

// next returns what happens after the deadline as a plain infinitive ("… übergeben")
// and as a zu-infinitive ("… zu übergeben").
func (german) next(f *facts) (inf, zu string) {
	switch f.d.NextStep {
	case NextAgency:
		return "die Forderung an ein Inkassounternehmen übergeben", "die Forderung an ein Inkassounternehmen zu übergeben"
	case NextLegal:
		return "gerichtliche Schritte einleiten", "gerichtliche Schritte einzuleiten"
	case NextMediation:
		return "die Angelegenheit einer unabhängigen Schlichtungsstelle vorlegen", "die Angelegenheit einer unabhängigen Schlichtungsstelle vorzulegen"
	default:
		return "weitere Schritte zur Durchsetzung unserer Forderung einleiten", "weitere Schritte zur Durchsetzung unserer Forderung einzuleiten"
	}
}

func (x german) subject(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defSubject(f)
	}
	one := f.n == 1
	switch f.step {
	case StepReminder:
		pre := "Zahlungserinnerung"
		if !f.direct {
			pre = "Freundliche Erinnerung"
		}
		if one {
			return pre + ": Rechnung " + f.no + " fällig am " + f.due
		}
		return fmt.Sprintf("%s: %d Rechnungen werden in Kürze fällig", pre, f.n)
	case StepDueToday:
		s := fmt.Sprintf("%d Rechnungen sind heute fällig", f.n)
		if one {
			s = "Rechnung " + f.no + " ist heute fällig"
		}
		if !f.direct {
			return "Kurzer Hinweis: " + s
		}
		return s
	case StepOverdue:
		switch {
		case f.direct && one:
			return "Rechnung " + f.no + " ist überfällig"
		case f.direct:
			return fmt.Sprintf("%d Rechnungen sind überfällig", f.n)
		case one:
			return "Freundliche Erinnerung an Rechnung " + f.no
		default:
			return "Freundliche Erinnerung an Ihre offenen Rechnungen"
		}
	case StepFirm:
		if f.direct {
			return "Mahnung: " + f.amountDue + " überfällig"
		}
		return "Erinnerung: Ihr offener Betrag von " + f.amountDue
	case StepDemand:
		if f.direct {
			return "Zahlungsaufforderung: " + f.amountDue + " bis zum " + f.payBy
		}
		return "Bitte um Zahlung: " + f.amountDue + " bis zum " + f.payBy
	case StepFinal:
		if f.direct {
			return "Letzte Mahnung: " + f.amountDue + " bis zum " + f.payBy
		}
		return "Letzte Zahlungserinnerung: " + f.amountDue + " bis zum " + f.payBy
	case StepInstallmentReminder:
		if f.direct {
			return fmt.Sprintf("Ratenplan %s: %d. Rate über %s fällig am %s", f.inst.plan, f.inst.seq, f.inst.amount, f.inst.due)
		}
		return fmt.Sprintf("Erinnerung: %d. Rate Ihres Ratenplans am %s fällig", f.inst.seq, f.inst.due)
	case StepInstallmentMissed:
		if f.direct {
			return fmt.Sprintf("Rate nicht erhalten: %s, fällig am %s (Ratenplan %s)", f.inst.amount, f.inst.due, f.inst.plan)
		}
		return fmt.Sprintf("Ihr Ratenplan: %d. Rate noch nicht eingegangen", f.inst.seq)
	case StepInvoiceResend:
		s := fmt.Sprintf("Kopien Ihrer %d Rechnungen", f.n)
		if one {
			s = "Kopie der Rechnung " + f.no
		}
		if f.direct {
			return s
		}
		return "Wie gewünscht: " + s
	case StepFollowUp:
		if f.direct {
			return "Gesprächstermin zu Ihrem Kundenkonto: " + f.meetShort
		}
		return "Einladung zum Gespräch: " + f.meetShort
	}
	return ""
}

func (german) greeting(f *facts) string {
	if f.channel == ChannelLetter {
		return "Sehr geehrte Damen und Herren,"
	}
	return "Guten Tag " + f.d.CustomerName + ","
}

func (x german) intro(f *facts) []string {
	if f.step == StepPlanDefaulted {
		return x.defIntro(f)
	}
	inv, is := deInv(f)
	Inv := upperFirst(inv)
	days := ""
	if f.days > 0 {
		if f.n == 1 {
			days = " Sie ist seit " + germanDaysDative(f.days) + " überfällig."
		} else {
			days = " Die älteste ist seit " + germanDaysDative(f.days) + " überfällig."
		}
	}
	switch f.step {
	case StepReminder:
		var s string
		if f.n == 1 {
			s = "die folgende Rechnung am " + f.due + " fällig wird."
		} else {
			s = "die folgenden Rechnungen in Kürze fällig werden."
		}
		if f.direct {
			return []string{"wir erinnern Sie daran, dass " + s}
		}
		return []string{"vielen Dank für die gute Zusammenarbeit. Wir möchten Sie freundlich daran erinnern, dass " + s}
	case StepDueToday:
		if f.direct {
			return []string{inv + " " + is + " heute, am " + f.asOf + ", fällig."}
		}
		return []string{"wir hoffen, es geht Ihnen gut. Ein kurzer Hinweis: " + Inv + " " + is + " heute, am " + f.asOf + ", fällig."}
	case StepOverdue:
		if f.direct {
			if f.n == 1 {
				return []string{"für die folgende Rechnung haben wir noch keine Zahlung erhalten. Sie war am " + f.due +
					" fällig und ist nun überfällig."}
			}
			return []string{"für die folgenden Rechnungen haben wir noch keine Zahlung erhalten. Sie sind nun überfällig."}
		}
		s := "wir schätzen die Zusammenarbeit mit Ihnen und wissen, dass eine Rechnung leicht einmal übersehen wird. Laut unseren Unterlagen "
		if f.n == 1 {
			return []string{s + "ist die folgende Rechnung, fällig am " + f.due + ", noch offen."}
		}
		return []string{s + "sind die folgenden Rechnungen noch offen."}
	case StepFirm:
		if f.direct {
			return []string{lowerFirst(deDespite(f, inv, is, "weiterhin unbezahlt.")) + days}
		}
		return []string{"uns liegt viel an unserer Geschäftsbeziehung, deshalb wenden wir uns persönlich an Sie. " +
			deDespite(f, inv, is, "weiterhin offen.") + days}
	case StepDemand:
		if f.direct {
			return []string{lowerFirst(deDespite(f, inv, is, "weiterhin unbezahlt."))}
		}
		return []string{"wir bedauern, Ihnen heute förmlich schreiben zu müssen, denn wir schätzen die Zusammenarbeit mit Ihnen. " +
			deDespite(f, inv, is, "weiterhin unbezahlt.")}
	case StepFinal:
		if f.direct {
			return []string{"dies ist unsere letzte Mahnung. " + deDespite(f, inv, is, "weiterhin unbezahlt.")}
		}
		return []string{"wir würden diese Angelegenheit lieber direkt mit Ihnen klären. Deshalb schreiben wir Ihnen noch einmal, " +
			"bevor wir weitere Schritte einleiten. " + deDespite(f, inv, is, "weiterhin offen.")}
	case StepInstallmentReminder:
		if f.direct {
			return []string{fmt.Sprintf("die %d. Rate Ihres Ratenplans %s über %s ist am %s fällig.", f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
		}
		return []string{fmt.Sprintf("vielen Dank, dass Sie Ihren Ratenplan einhalten. Wir möchten Sie daran erinnern, dass die %d. Rate "+
			"Ihres Ratenplans %s über %s am %s fällig ist.", f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
	case StepInstallmentMissed:
		if f.direct {
			return []string{fmt.Sprintf("die %d. Rate Ihres Ratenplans %s über %s, fällig am %s, ist bei uns nicht eingegangen.",
				f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
		}
		return []string{fmt.Sprintf("wir wissen Ihre Bemühungen um Ihren Ratenplan zu schätzen. Uns ist aufgefallen, dass die %d. Rate "+
			"Ihres Ratenplans %s über %s, fällig am %s, noch nicht bei uns eingegangen ist.", f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
	case StepInvoiceResend:
		if f.direct {
			if f.n == 1 {
				return []string{"wie gewünscht senden wir Ihnen die Angaben zur folgenden Rechnung erneut."}
			}
			return []string{"wie gewünscht senden wir Ihnen die Angaben zu den folgenden Rechnungen erneut."}
		}
		if f.n == 1 {
			return []string{"vielen Dank für Ihren Hinweis, dass unsere Rechnung Sie nicht erreicht hat. Bitte entschuldigen Sie " +
				"die Unannehmlichkeiten. Hier sind die Angaben noch einmal."}
		}
		return []string{"vielen Dank für Ihren Hinweis, dass unsere Rechnungen Sie nicht erreicht haben. Bitte entschuldigen Sie " +
			"die Unannehmlichkeiten. Hier sind die Angaben noch einmal."}
	case StepFollowUp:
		if f.direct {
			return []string{"wir möchten Ihr Kundenkonto gern mit Ihnen besprechen und haben dafür einen Termin vorgesehen:"}
		}
		return []string{"wir schätzen die Zusammenarbeit mit Ihnen und möchten gemeinsam eine Lösung finden, die zu Ihnen passt. " +
			"Dafür haben wir uns Zeit für ein Gespräch reserviert:"}
	}
	return nil
}

// germanDaysDative is the number of days after "seit": "einem Tag", "12 Tagen".
func germanDaysDative(n int) string {
	if n == 1 {
		return "einem Tag"
	}
	return fmt.Sprintf("%d Tagen", n)
}

func (german) aboutInvoices(f *facts) string {
	if f.n == 1 {
		return "Im Gespräch geht es um die folgende offene Rechnung."
	}
	return "Im Gespräch geht es um die folgenden offenen Rechnungen."
}

func (x german) action(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defAction(f)
	}
	a := f.amountDue
	var dueBy string
	if f.n == 1 {
		dueBy = deBy(f, "bis zum "+f.due)
	} else {
		dueBy = deBy(f, "zu den oben genannten Fälligkeitsterminen")
	}
	switch f.step {
	case StepReminder:
		if f.direct {
			return "Bitte zahlen Sie " + a + " " + dueBy + "."
		}
		return "Wir wären Ihnen dankbar, wenn Sie den Betrag von " + a + " " + dueBy + " begleichen."
	case StepDueToday:
		if f.direct {
			return "Bitte zahlen Sie " + a + " " + deBy(f, "noch heute") + "."
		}
		return "Wir wären Ihnen dankbar, wenn Sie den Betrag von " + a + " " + deBy(f, "noch heute") + " begleichen."
	case StepOverdue:
		if f.direct {
			return "Bitte zahlen Sie " + a + " " + deBy(f, "umgehend") + "."
		}
		return "Wir wären Ihnen dankbar, wenn Sie den Betrag von " + a + " " + deBy(f, "zeitnah") + " begleichen."
	case StepFirm:
		if f.direct {
			return "Bitte zahlen Sie " + a + " " + deBy(f, "unverzüglich") + "."
		}
		return "Wir bitten Sie, den Betrag von " + a + " " + deBy(f, "in den nächsten Tagen") + " zu begleichen."
	case StepDemand:
		if f.direct {
			return "Wir fordern Sie hiermit auf, den Betrag von " + a + " bis zum " + f.payBy + " zu zahlen."
		}
		return "Wir müssen Sie bitten, den Betrag von " + a + " bis zum " + f.payBy + " zu zahlen."
	case StepFinal:
		if f.direct {
			return "Bitte zahlen Sie den vollen Betrag von " + a + " bis zum " + f.payBy + "."
		}
		return "Wir bitten Sie ein letztes Mal, den vollen Betrag von " + a + " bis zum " + f.payBy + " zu zahlen."
	case StepInstallmentReminder:
		by := deBy(f, "bis zum "+f.inst.due)
		if f.direct {
			return "Bitte zahlen Sie " + a + " " + by + "."
		}
		return "Bitte sorgen Sie dafür, dass der Betrag von " + a + " " + by + " bei uns eingeht."
	case StepInstallmentMissed:
		if f.direct {
			return "Bitte zahlen Sie " + a + " " + deBy(f, "umgehend") + ", damit Ihr Ratenplan bestehen bleibt."
		}
		return "Könnten Sie den Betrag von " + a + " " + deBy(f, "möglichst bald") + " zahlen, damit Ihr Ratenplan bestehen bleibt?"
	case StepInvoiceResend:
		if f.direct {
			return "Bitte zahlen Sie " + a + " " + deBy(f, "zeitnah") + "."
		}
		return "Wir wären Ihnen dankbar, wenn Sie den Betrag von " + a + " " + deBy(f, "zeitnah") + " begleichen."
	}
	return ""
}

func (g german) consequence(f *facts) string {
	if f.step == StepPlanDefaulted {
		return g.defConsequence(f)
	}
	inf, zu := g.next(f)
	switch f.step {
	case StepDemand:
		if f.direct {
			return "Geht die Zahlung nicht bis zum " + f.payBy + " bei uns ein, behalten wir uns vor, ohne weitere Ankündigung " + zu + "."
		}
		return "Sollte die Zahlung bis zum " + f.payBy + " nicht bei uns eingehen, müssten wir leider " + inf +
			". Das möchten wir gern vermeiden."
	case StepFinal:
		if f.direct {
			return "Geht der volle Betrag nicht bis zum " + f.payBy + " bei uns ein, werden wir " + inf +
				". Eine weitere Erinnerung erhalten Sie nicht."
		}
		return "Geht der volle Betrag nicht bis zum " + f.payBy + " bei uns ein, bleibt uns leider nichts anderes übrig, als " + zu + "."
	case StepInstallmentMissed:
		if f.direct {
			return "Werden Raten nicht gezahlt, kann der Ratenplan enden; der gesamte Restbetrag wird dann sofort fällig."
		}
		return "Wir möchten Ihren Ratenplan gern fortführen. Bleiben Raten aus, kann der Plan jedoch enden, und der " +
			"Restbetrag wird sofort fällig."
	}
	return ""
}

func (x german) help(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defHelp(f)
	}
	switch f.step {
	case StepReminder, StepDueToday, StepInstallmentReminder:
		if f.direct {
			return "Falls Sie bereits gezahlt haben, betrachten Sie diese Nachricht bitte als gegenstandslos."
		}
		if f.step == StepInstallmentReminder {
			return "Falls sich Ihre Situation geändert hat, geben Sie uns bitte vor dem Fälligkeitstermin Bescheid."
		}
		return "Falls Sie die Zahlung bereits veranlasst haben, vielen Dank – dann ist diese Nachricht gegenstandslos."
	case StepOverdue:
		if f.direct {
			return "Falls Sie bereits gezahlt haben, teilen Sie uns bitte Zahlungsdatum und Verwendungszweck mit, damit wir " +
				"die Zahlung zuordnen können."
		}
		return "Falls es ein Problem mit der Rechnung gibt oder Sie mehr Zeit benötigen, melden Sie sich gern bei uns. " +
			"Wir finden gemeinsam eine Lösung."
	case StepFirm:
		if f.direct {
			return "Wenn Sie nicht den vollen Betrag zahlen können, melden Sie sich umgehend bei uns, um eine Ratenzahlung zu vereinbaren."
		}
		return "Falls Sie etwas an der Zahlung hindert, sprechen Sie uns bitte an. Gern vereinbaren wir eine Ratenzahlung, die zu Ihnen passt."
	case StepDemand:
		if f.direct {
			return "Falls Sie die Forderung bestreiten oder bereits gezahlt haben, setzen Sie sich bitte sofort mit uns in Verbindung."
		}
		return "Wenn Sie Schwierigkeiten haben, sprechen Sie uns bitte vor dem " + f.payBy + " an. Eine Ratenzahlung ist weiterhin möglich."
	case StepFinal:
		if f.direct {
			return "Falls Sie bereits gezahlt haben, senden Sie uns bitte umgehend einen Zahlungsnachweis."
		}
		return "Wenn Sie eine Ratenzahlung vereinbaren möchten, melden Sie sich bitte vor dem " + f.payBy +
			" bei uns. Dafür ist es noch nicht zu spät."
	case StepInstallmentMissed:
		if f.direct {
			return "Falls Sie bereits gezahlt haben, teilen Sie uns bitte die Zahlungsdaten mit."
		}
		return "Falls sich Ihre Situation geändert hat, sprechen Sie uns an. Wir sehen uns den Ratenplan gern gemeinsam an."
	case StepInvoiceResend:
		if f.direct {
			return "Bei Fragen zur Rechnung wenden Sie sich bitte an uns."
		}
		return "Bei Fragen zur Rechnung helfen wir Ihnen gern weiter."
	case StepFollowUp:
		s := ""
		if f.channel == ChannelEmail {
			s = "Eine Kalendereinladung finden Sie im Anhang. "
		}
		if f.direct {
			return s + "Falls der Termin nicht passt, nennen Sie uns bitte einen anderen."
		}
		return s + "Wenn Ihnen ein anderer Zeitpunkt besser passt, geben Sie uns einfach Bescheid. Wir finden gemeinsam einen Termin."
	}
	return ""
}

func (german) benefits(keys []string) string {
	var items []string
	for _, k := range keys {
		switch k {
		case BenefitDelivery:
			items = append(items, "die Lieferungen wieder aufnehmen")
		case BenefitCreditLimit:
			items = append(items, "Ihr Kreditlimit wieder freigeben")
		}
	}
	return "Sobald der Betrag beglichen ist, können wir " + joinAnd(items, "und") + "."
}

func (german) payHeading() string { return "So zahlen Sie" }

func (german) method(key string, _ locale) string {
	switch key {
	case "bank_transfer":
		return "Überweisung"
	case "card":
		return "Kartenzahlung"
	case "direct_debit":
		return "Lastschrift"
	case "check":
		return "Scheck"
	case "cash":
		return "Barzahlung"
	}
	return strings.ReplaceAll(key, "_", " ")
}

func (german) reference(ref string) string {
	return "Bitte geben Sie bei der Zahlung den Verwendungszweck " + ref + " an."
}

func (german) closing(f *facts) []string {
	return []string{"Mit freundlichen Grüßen", f.d.Creditor}
}

func (german) optOut(channel string) string {
	if channel == ChannelSMS {
		return "Abmelden:"
	}
	return "Sie können E-Mails von uns zu diesem Konto jederzeit abbestellen:"
}

func (german) labels() labels {
	return labels{
		invoice: "Rechnung", issued: "Datum", due: "Fällig", late: "Verzug", amountCol: "Betrag", balanceCol: "Offen",
		balance: "Offener Betrag", fee: "Gebühren und Zinsen", amountDue: "Zu zahlen", totalDue: "Gesamtbetrag",
		plan: "Ratenplan", installment: "Rate Nr.", dueDate: "Fällig am", amount: "Betrag",
		when: "Wann", duration: "Dauer", with: "Mit",
		date: "Datum", reference: "Verwendungszweck", page: "Seite",
	}
}

func (german) days(n int) string {
	if n == 1 {
		return "1 Tag"
	}
	return fmt.Sprintf("%d Tage", n)
}

func (german) minutes(n int) string {
	if n == 1 {
		return "1 Minute"
	}
	return fmt.Sprintf("%d Minuten", n)
}

func (g german) sms(f *facts, detail int) string {
	if f.step == StepPlanCompleted {
		return doneSMS(f)
	}
	if f.step == StepPlanDefaulted {
		return g.defSMS(f, detail)
	}
	var inv, verb string
	switch {
	case f.n == 1:
		inv, verb = "Rechnung "+f.no, "ist"
	case detail >= 2:
		inv, verb = "Rechnungen "+invoiceNumbers(f, ", "), "sind"
	default:
		inv, verb = fmt.Sprintf("%d Rechnungen", f.n), "sind"
	}
	due := "in Kürze"
	if f.n == 1 {
		due = "am " + f.due
	}
	forInv := "für die " + inv // "für die Rechnung X", "für die Rechnungen X, Y"
	if f.n > 1 && detail < 2 {
		forInv = "für " + inv // "für 3 Rechnungen"
	}
	inf, _ := g.next(f)
	switch f.step {
	case StepReminder:
		if f.direct {
			return inv + " über " + f.amountDue + " " + verb + " " + due + " fällig."
		}
		return "Freundliche Erinnerung: " + inv + " über " + f.amountDue + " " + verb + " " + due + " fällig."
	case StepDueToday:
		if f.direct {
			return inv + " über " + f.amountDue + " " + verb + " heute fällig."
		}
		return "Freundliche Erinnerung: " + inv + " über " + f.amountDue + " " + verb + " heute fällig."
	case StepOverdue:
		if f.direct {
			return inv + " über " + f.amountDue + " " + verb + " überfällig. Bitte zahlen Sie " + deBy(f, "umgehend") + "."
		}
		return "Freundliche Erinnerung: " + inv + " über " + f.amountDue + " " + verb + " noch offen. Bitte zahlen Sie " + deBy(f, "zeitnah") + "."
	case StepFirm:
		if f.direct {
			return inv + " " + verb + " weiterhin unbezahlt. Bitte zahlen Sie " + f.amountDue + " " + deBy(f, "unverzüglich") + "."
		}
		return inv + " " + verb + " noch offen. Bitte zahlen Sie " + f.amountDue + " " + deBy(f, "zeitnah") +
			" oder sprechen Sie uns auf eine Ratenzahlung an."
	case StepDemand:
		if f.direct {
			return "Zahlungsaufforderung: Bitte zahlen Sie " + f.amountDue + " " + forInv + " bis zum " + f.payBy + "."
		}
		return "Wir bitten Sie, " + f.amountDue + " " + forInv + " bis zum " + f.payBy + " zu zahlen."
	case StepFinal:
		if f.direct {
			return "Letzte Mahnung: Zahlen Sie " + f.amountDue + " " + forInv + " bis zum " + f.payBy + ", sonst werden wir " + inf + "."
		}
		return "Letzte Erinnerung: Bitte zahlen Sie " + f.amountDue + " " + forInv + " bis zum " + f.payBy +
			", sonst müssen wir " + inf + "."
	case StepInstallmentReminder:
		if f.direct {
			return fmt.Sprintf("Die %d. Rate des Ratenplans %s (%s) ist am %s fällig.", f.inst.seq, f.inst.plan, f.amountDue, f.inst.due)
		}
		return fmt.Sprintf("Freundliche Erinnerung: Die %d. Rate Ihres Ratenplans (%s) ist am %s fällig.", f.inst.seq, f.amountDue, f.inst.due)
	case StepInstallmentMissed:
		if f.direct {
			return fmt.Sprintf("Die %d. Rate des Ratenplans %s (%s, fällig am %s) ist nicht eingegangen. Bitte zahlen Sie %s.",
				f.inst.seq, f.inst.plan, f.amountDue, f.inst.due, deBy(f, "umgehend"))
		}
		return fmt.Sprintf("Die %d. Rate Ihres Ratenplans (%s, fällig am %s) ist noch nicht eingegangen. Bitte zahlen Sie %s oder sprechen Sie uns an.",
			f.inst.seq, f.amountDue, f.inst.due, deBy(f, "zeitnah"))
	case StepInvoiceResend:
		if f.direct {
			return "Wie gewünscht: " + inv + ", " + f.amountDue + ". Bitte zahlen Sie " + deBy(f, "zeitnah") + "."
		}
		return "Entschuldigen Sie, dass unsere Rechnung Sie nicht erreicht hat. " + inv + ": " + f.amountDue +
			". Bitte zahlen Sie " + deBy(f, "zeitnah") + "."
	case StepFollowUp:
		if f.direct {
			return "Wir haben einen Gesprächstermin zu Ihrem Kundenkonto vorgesehen: " + f.meetWhen + "."
		}
		return "Wir würden gern mit Ihnen über Ihr Kundenkonto sprechen: " + f.meetWhen + "."
	}
	return ""
}

func (german) smsRef(ref string) string { return "Verwendungszweck: " + ref + "." }

func (g german) invite(f *facts) (string, string) {
	return "Gespräch mit " + f.d.Creditor + " zu Ihrem Kundenkonto", inviteDescription(f, g)
}

func (german) installmentNo(seq int) string { return strconv.Itoa(seq) }

func (german) payOnline(url string) string {
	return "Jetzt online bezahlen: " + url
}

// deDespite is "Trotz unserer Zahlungserinnerungen vom 3. März 2026 und
// 7. März 2026 und unserer Zahlungsaufforderung vom 20. März 2026 ist die
// folgende Rechnung weiterhin unbezahlt." — naming only what the case
// sent; with nothing sent before, "Die folgende Rechnung ist weiterhin
// unbezahlt."
func deDespite(f *facts, inv, is, rest string) string {
	var parts []string
	switch len(f.reminded) {
	case 0:
	case 1:
		parts = append(parts, "unserer Zahlungserinnerung vom "+f.reminded[0])
	default:
		parts = append(parts, "unserer Zahlungserinnerungen vom "+joinWords(f.reminded, ", ", " und "))
	}
	if f.demanded != "" {
		if f.direct {
			parts = append(parts, "unserer Zahlungsaufforderung vom "+f.demanded)
		} else {
			parts = append(parts, "unserer Bitte um Zahlung vom "+f.demanded)
		}
	}
	if len(parts) == 0 {
		return upperFirst(inv) + " " + is + " " + rest
	}
	if len(f.fresh) > 0 {
		// Some invoices joined the case after those steps: the earlier
		// steps are named for the others only.
		verb, also := "ist ", " ist nun ebenfalls überfällig."
		if len(f.old) > 1 {
			verb = "sind "
		}
		if len(f.fresh) > 1 {
			also = " sind nun ebenfalls überfällig."
		}
		return "Trotz " + strings.Join(parts, " und ") + " " + verb + deNumbers(f.old) + " weiterhin unbezahlt. " + upperFirst(deNumbers(f.fresh)) + also
	}
	return "Trotz " + strings.Join(parts, " und ") + " " + is + " " + inv + " " + rest
}

// deNumbers is "die Rechnung A-1" or "die Rechnungen A-1 und A-2".
func deNumbers(numbers []string) string {
	if len(numbers) == 1 {
		return "die Rechnung " + numbers[0]
	}
	return "die Rechnungen " + joinWords(numbers, ", ", " und ")
}

// What every reminder carries (howtopay.go).

func (german) portalLink() string {
	return "Ihr Kundenkonto ansehen, eine Ratenzahlung vorschlagen oder uns ein Problem melden:"
}

func (german) bankLabels() bankLabels {
	return bankLabels{holder: "Kontoinhaber", iban: "IBAN", account: "Kontonummer", bic: "BIC", sortCode: "Bankleitzahl"}
}

func (german) contact(phone, email string) string {
	switch {
	case phone != "" && email != "":
		return "Fragen? Rufen Sie uns an unter " + phone + " oder schreiben Sie an " + email + "."
	case phone != "":
		return "Fragen? Rufen Sie uns an unter " + phone + "."
	default:
		return "Fragen? Schreiben Sie uns an " + email + "."
	}
}

func (german) feeBasis(basis string) string {
	return "Gebühren und Zinsen: gesetzliche Verzugszinsen und Pauschale nach " + basis + "."
}

func (german) autopay(amount, due string) string {
	return "Wir ziehen " + amount + " am " + due + " automatisch über Ihre hinterlegte Zahlungsmethode ein. " +
		"Sie müssen nichts weiter tun; bitte sorgen Sie für ausreichende Deckung."
}
