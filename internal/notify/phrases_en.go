package notify

import (
	"fmt"
	"strconv"
	"strings"
)

// english is the English phrasebook. us switches letter sign-offs and "check" to
// United States usage; dates and times follow the locale in format.go.
type english struct{ us bool }

// enInv is "the invoice below" or "the invoices below" with the matching verb forms.
func enInv(f *facts) (subject, is, remains string) {
	if f.n == 1 {
		return "the invoice below", "is", "remains"
	}
	return "the invoices below", "are", "remain"
}

// enBy is "by <PayBy>" when a deadline is set, else the fallback.
func enBy(f *facts, fallback string) string {
	if f.payBy != "" {
		return "by " + f.payBy
	}
	return fallback
}

func (english) next(f *facts) string {
	switch f.d.NextStep {
	case NextAgency:
		return "refer the matter to a collection agency"
	case NextLegal:
		return "take legal action to recover the amount"
	case NextMediation:
		return "refer the matter to an independent mediator"
	default:
		return "take further steps to recover the amount"
	}
}

func (e english) subject(f *facts) string {
	if f.step == StepPlanDefaulted {
		return e.defSubject(f)
	}
	one := f.n == 1
	switch f.step {
	case StepReminder:
		pre := "Reminder"
		if !f.direct {
			pre = "Friendly reminder"
		}
		if one {
			return pre + ": invoice " + f.no + " is due on " + f.due
		}
		return fmt.Sprintf("%s: %d invoices due soon", pre, f.n)
	case StepDueToday:
		s := fmt.Sprintf("%d invoices are due today", f.n)
		if one {
			s = "Invoice " + f.no + " is due today"
		}
		if !f.direct {
			return "A quick note: " + strings.ToLower(s[:1]) + s[1:]
		}
		return s
	case StepOverdue:
		switch {
		case f.direct && one:
			return "Invoice " + f.no + " is overdue"
		case f.direct:
			return fmt.Sprintf("%d invoices are overdue", f.n)
		case one:
			return "Invoice " + f.no + ": a friendly reminder"
		default:
			return "Your open invoices: a friendly reminder"
		}
	case StepFirm:
		if f.direct {
			return "Second reminder: " + f.amountDue + " overdue"
		}
		return "Second reminder: your open balance of " + f.amountDue
	case StepDemand:
		if f.direct {
			return "Formal demand for payment: " + f.amountDue + " by " + f.payBy
		}
		return "Formal request for payment: " + f.amountDue + " by " + f.payBy
	case StepFinal:
		if f.direct {
			return "Final notice: " + f.amountDue + " due by " + f.payBy
		}
		return "Final reminder: " + f.amountDue + " due by " + f.payBy
	case StepInstallmentReminder:
		if f.direct {
			return fmt.Sprintf("Payment plan %s: installment %d of %s due on %s", f.inst.plan, f.inst.seq, f.inst.amount, f.inst.due)
		}
		return fmt.Sprintf("Reminder: installment %d of your payment plan is due on %s", f.inst.seq, f.inst.due)
	case StepInstallmentMissed:
		if f.direct {
			return fmt.Sprintf("Missed installment: %s due on %s (plan %s)", f.inst.amount, f.inst.due, f.inst.plan)
		}
		return fmt.Sprintf("Your payment plan: installment %d not yet received", f.inst.seq)
	case StepInvoiceResend:
		s := fmt.Sprintf("copies of your %d invoices", f.n)
		if one {
			s = "copy of invoice " + f.no
		}
		if f.direct {
			return upperFirst(s)
		}
		return "As requested: " + s
	case StepFollowUp:
		if f.direct {
			return "Appointment about your account: " + f.meetShort
		}
		return "Invitation to talk: " + f.meetShort
	}
	return ""
}

func (english) greeting(f *facts) string { return "Dear " + f.d.CustomerName + "," }

func (e english) intro(f *facts) []string {
	if f.step == StepPlanDefaulted {
		return e.defIntro(f)
	}
	inv, is, remains := enInv(f)
	days := ""
	if f.days > 0 {
		if f.n == 1 {
			days = " It is now " + e.days(f.days) + " overdue."
		} else {
			days = " The oldest is " + e.days(f.days) + " overdue."
		}
	}
	due := "soon"
	if f.n == 1 {
		due = "on " + f.due
	}
	switch f.step {
	case StepReminder:
		if f.direct {
			return []string{"This is a reminder that " + inv + " " + is + " due " + due + "."}
		}
		return []string{"Thank you for your continued business. As a courtesy, we would like to remind you that " +
			inv + " " + is + " due " + due + "."}
	case StepDueToday:
		if f.direct {
			return []string{upperFirst(inv) + " " + is + " due today, " + f.asOf + "."}
		}
		return []string{"We hope all is well. Just a short note that " + inv + " " + is + " due today, " + f.asOf + "."}
	case StepOverdue:
		if f.direct {
			if f.n == 1 {
				return []string{"We have not received payment for the invoice below. It was due on " + f.due + " and is now overdue."}
			}
			return []string{"We have not received payment for the invoices below. They are now overdue."}
		}
		s := "We value working with you, and we know that an invoice can easily be overlooked. According to our records, "
		if f.n == 1 {
			return []string{s + "the invoice below, due on " + f.due + ", is still open."}
		}
		return []string{s + "the invoices below are still open."}
	case StepFirm:
		if f.direct {
			return []string{enDespite(f, inv, remains+" unpaid.") + days}
		}
		return []string{"We appreciate our business relationship, which is why we are writing to you personally. " +
			enDespite(f, inv, is+" still open.") + days}
	case StepDemand:
		if f.direct {
			return []string{enDespite(f, inv, remains+" unpaid.")}
		}
		return []string{"We regret having to write to you formally, as we value our relationship with you. " +
			enDespite(f, inv, remains+" unpaid.")}
	case StepFinal:
		if f.direct {
			return []string{"This is our final notice. " + enDespite(f, inv, remains+" unpaid.")}
		}
		return []string{"We would much prefer to settle this matter with you directly, which is why we are writing to you " +
			"once more before taking further steps. " + enDespite(f, inv, remains+" unpaid.")}
	case StepInstallmentReminder:
		if f.direct {
			return []string{fmt.Sprintf("Installment %d of your payment plan %s, %s, is due on %s.", f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
		}
		return []string{fmt.Sprintf("Thank you for keeping to your payment plan. This is a reminder that installment %d "+
			"of your plan %s, %s, is due on %s.", f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
	case StepInstallmentMissed:
		if f.direct {
			return []string{fmt.Sprintf("We have not received installment %d of your payment plan %s: %s, due on %s.",
				f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
		}
		return []string{fmt.Sprintf("We appreciate the effort you are putting into your payment plan. We noticed that "+
			"installment %d of your plan %s, %s due on %s, has not reached us yet.", f.inst.seq, f.inst.plan, f.inst.amount, f.inst.due)}
	case StepInvoiceResend:
		if f.direct {
			return []string{"As requested, we are sending you the details of " + inv + " again."}
		}
		if f.n == 1 {
			return []string{"Thank you for letting us know that our invoice did not reach you, and we are sorry for the " +
				"inconvenience. Here are its details again."}
		}
		return []string{"Thank you for letting us know that our invoices did not reach you, and we are sorry for the " +
			"inconvenience. Here are their details again."}
	case StepFollowUp:
		if f.direct {
			return []string{"We would like to discuss your account with you and have scheduled an appointment:"}
		}
		return []string{"We value working with you and would like to find a solution together that suits you. " +
			"We have set aside time to talk:"}
	}
	return nil
}

func (english) aboutInvoices(f *facts) string {
	inv, _, _ := enInv(f)
	return "We would like to talk about " + inv + "."
}

func (x english) action(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defAction(f)
	}
	a := f.amountDue
	var dueBy string
	if f.n == 1 {
		dueBy = enBy(f, "by "+f.due)
	} else {
		dueBy = enBy(f, "by the due dates shown above")
	}
	switch f.step {
	case StepReminder:
		if f.direct {
			return "Please pay " + a + " " + dueBy + "."
		}
		return "We would be grateful if you could arrange payment of " + a + " " + dueBy + "."
	case StepDueToday:
		if f.direct {
			return "Please pay " + a + " " + enBy(f, "today") + "."
		}
		return "We would appreciate it if you could arrange payment of " + a + " " + enBy(f, "today") + "."
	case StepOverdue:
		if f.direct {
			return "Please pay " + a + " " + enBy(f, "as soon as possible") + "."
		}
		return "We would be grateful if you could settle " + a + " " + enBy(f, "at your earliest convenience") + "."
	case StepFirm:
		if f.direct {
			return "Please pay " + a + " " + enBy(f, "without further delay") + "."
		}
		return "We kindly ask you to settle " + a + " " + enBy(f, "within the next few days") + "."
	case StepDemand:
		if f.direct {
			return "We hereby demand payment of " + a + " by " + f.payBy + "."
		}
		return "We must ask you to pay " + a + " by " + f.payBy + "."
	case StepFinal:
		if f.direct {
			return "Please pay the full amount of " + a + " by " + f.payBy + "."
		}
		return "We ask you, one last time, to pay the full amount of " + a + " by " + f.payBy + "."
	case StepInstallmentReminder:
		by := enBy(f, "by "+f.inst.due)
		if f.direct {
			return "Please pay " + a + " " + by + "."
		}
		return "Please make sure that " + a + " reaches us " + by + "."
	case StepInstallmentMissed:
		if f.direct {
			return "Please pay " + a + " " + enBy(f, "now") + " to keep your plan in place."
		}
		return "Could you please pay " + a + " " + enBy(f, "as soon as possible") + " so that your plan stays in place?"
	case StepInvoiceResend:
		if f.direct {
			return "Please pay " + a + " " + enBy(f, "as soon as possible") + "."
		}
		return "We would be grateful if you could arrange payment of " + a + " " + enBy(f, "at your earliest convenience") + "."
	}
	return ""
}

func (e english) consequence(f *facts) string {
	if f.step == StepPlanDefaulted {
		return e.defConsequence(f)
	}
	switch f.step {
	case StepDemand:
		if f.direct {
			return "If we do not receive payment by " + f.payBy + ", we may " + e.next(f) + " without further notice."
		}
		return "If payment does not reach us by " + f.payBy + ", we may have to " + e.next(f) + ". We would much rather avoid this."
	case StepFinal:
		if f.direct {
			return "If we have not received the full amount by " + f.payBy + ", we will " + e.next(f) + ". You will not receive another reminder."
		}
		return "If we have not received the full amount by " + f.payBy + ", we will have no choice but to " + e.next(f) + "."
	case StepInstallmentMissed:
		if f.direct {
			return "If installments are missed, the plan can end; the whole remaining balance then becomes due at once."
		}
		return "We would like to keep your plan in place. If installments are missed, however, the plan can end and " +
			"the remaining balance becomes due at once."
	}
	return ""
}

func (x english) help(f *facts) string {
	if f.step == StepPlanDefaulted {
		return x.defHelp(f)
	}
	switch f.step {
	case StepReminder, StepDueToday, StepInstallmentReminder:
		if f.direct {
			return "If you have already paid, please disregard this message."
		}
		if f.step == StepInstallmentReminder {
			return "If your circumstances have changed, please let us know before the due date."
		}
		return "If you have already arranged payment, thank you, and please disregard this message."
	case StepOverdue:
		if f.direct {
			return "If you have already paid, please send us the payment date and reference so that we can match your payment."
		}
		return "If there is a problem with the invoice or you need more time, please contact us. We are happy to find a solution together."
	case StepFirm:
		if f.direct {
			return "If you cannot pay in full, contact us now to agree a payment plan."
		}
		return "If something is preventing payment, please let us know. We can agree a payment plan that works for you."
	case StepDemand:
		if f.direct {
			return "If you dispute this amount or have already paid, contact us immediately."
		}
		return "If you are having difficulties, please contact us before " + f.payBy + ". We are still open to agreeing a payment plan."
	case StepFinal:
		if f.direct {
			return "If you have already paid, send us proof of payment immediately."
		}
		return "If you would like to agree a payment plan, contact us before " + f.payBy + ". It is not too late."
	case StepInstallmentMissed:
		if f.direct {
			return "If you have already paid, please send us the payment details."
		}
		return "If your circumstances have changed, please contact us. We can review the plan together."
	case StepInvoiceResend:
		if f.direct {
			return "If anything in the invoice is unclear, please contact us."
		}
		return "If you have any questions about the invoice, we are happy to help."
	case StepFollowUp:
		s := ""
		if f.channel == ChannelEmail {
			s = "A calendar invitation is attached. "
		}
		if f.direct {
			return s + "If the time does not suit you, please let us know a time that does."
		}
		return s + "If another time suits you better, just let us know and we will find one together."
	}
	return ""
}

func (english) benefits(keys []string) string {
	var items []string
	for _, k := range keys {
		switch k {
		case BenefitDelivery:
			items = append(items, "resume deliveries")
		case BenefitCreditLimit:
			items = append(items, "restore your credit limit")
		}
	}
	return "Once the balance is paid, we can " + joinAnd(items, "and") + "."
}

func (english) payHeading() string { return "How to pay" }

func (e english) method(key string, _ locale) string {
	switch key {
	case "bank_transfer":
		return "Bank transfer"
	case "card":
		return "Card payment"
	case "direct_debit":
		return "Direct debit"
	case "check":
		if e.us {
			return "Check"
		}
		return "Cheque"
	case "cash":
		return "Cash"
	}
	return strings.ReplaceAll(key, "_", " ")
}

func (english) reference(ref string) string {
	return "Please quote the payment reference " + ref + " with your payment."
}

func (e english) closing(f *facts) []string {
	switch {
	case f.channel != ChannelLetter:
		return []string{"Kind regards,", f.d.Creditor}
	case e.us:
		return []string{"Sincerely,", f.d.Creditor}
	default:
		return []string{"Yours sincerely,", f.d.Creditor}
	}
}

func (english) optOut(channel string) string {
	if channel == ChannelSMS {
		return "Opt out:"
	}
	return "You can opt out of emails from us about this account at any time:"
}

func (english) labels() labels {
	return labels{
		invoice: "Invoice", issued: "Issued", due: "Due", late: "Overdue", amountCol: "Amount", balanceCol: "Open",
		balance: "Outstanding balance", fee: "Fees and interest", amountDue: "Amount due", totalDue: "Total due",
		plan: "Payment plan", installment: "Installment", dueDate: "Due date", amount: "Amount",
		when: "When", duration: "Duration", with: "With",
		date: "Date", reference: "Payment reference", page: "Page",
	}
}

func (english) days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func (english) minutes(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

func (e english) sms(f *facts, detail int) string {
	if f.step == StepPlanCompleted {
		return doneSMS(f)
	}
	if f.step == StepPlanDefaulted {
		return e.defSMS(f, detail)
	}
	var inv, verb string
	switch {
	case f.n == 1:
		inv, verb = "invoice "+f.no, "is"
	case detail >= 2:
		inv, verb = "invoices "+invoiceNumbers(f, ", "), "are"
	default:
		inv, verb = fmt.Sprintf("%d invoices", f.n), "are"
	}
	due := "soon"
	if f.n == 1 {
		due = "on " + f.due
	}
	switch f.step {
	case StepReminder:
		if f.direct {
			return upperFirst(inv) + " for " + f.amountDue + " " + verb + " due " + due + "."
		}
		return "Friendly reminder: " + inv + " for " + f.amountDue + " " + verb + " due " + due + "."
	case StepDueToday:
		if f.direct {
			return upperFirst(inv) + " for " + f.amountDue + " " + verb + " due today."
		}
		return "Friendly reminder: " + inv + " for " + f.amountDue + " " + verb + " due today."
	case StepOverdue:
		if f.direct {
			return upperFirst(inv) + " for " + f.amountDue + " " + verb + " overdue. Please pay " + enBy(f, "as soon as possible") + "."
		}
		return "Friendly reminder: " + inv + " for " + f.amountDue + " " + verb + " still open. Please pay " + enBy(f, "when you can") + "."
	case StepFirm:
		if f.direct {
			return upperFirst(inv) + " " + verb + " still unpaid. Please pay " + f.amountDue + " " + enBy(f, "now") + "."
		}
		return upperFirst(inv) + " " + verb + " still open. Please pay " + f.amountDue + " " + enBy(f, "soon") + " or contact us about a payment plan."
	case StepDemand:
		if f.direct {
			return "Formal demand: pay " + f.amountDue + " for " + inv + " by " + f.payBy + "."
		}
		return "Formal request: please pay " + f.amountDue + " for " + inv + " by " + f.payBy + "."
	case StepFinal:
		if f.direct {
			return "Final notice: pay " + f.amountDue + " for " + inv + " by " + f.payBy + ", or we will " + e.next(f) + "."
		}
		return "Final reminder: please pay " + f.amountDue + " for " + inv + " by " + f.payBy + "; otherwise we must " + e.next(f) + "."
	case StepInstallmentReminder:
		if f.direct {
			return fmt.Sprintf("Installment %d of plan %s (%s) is due on %s.", f.inst.seq, f.inst.plan, f.amountDue, f.inst.due)
		}
		return fmt.Sprintf("Friendly reminder: installment %d of your payment plan (%s) is due on %s.", f.inst.seq, f.amountDue, f.inst.due)
	case StepInstallmentMissed:
		if f.direct {
			return fmt.Sprintf("Installment %d of plan %s (%s, due %s) has not been received. Please pay %s.",
				f.inst.seq, f.inst.plan, f.amountDue, f.inst.due, enBy(f, "now"))
		}
		return fmt.Sprintf("We have not yet received installment %d of your plan (%s, due %s). Please pay %s or contact us.",
			f.inst.seq, f.amountDue, f.inst.due, enBy(f, "soon"))
	case StepInvoiceResend:
		if f.direct {
			return "As requested: " + inv + ", " + f.amountDue + ". Please pay " + enBy(f, "as soon as possible") + "."
		}
		return "We are sorry our invoice did not reach you. " + upperFirst(inv) + ": " + f.amountDue + ". Please pay " + enBy(f, "when you can") + "."
	case StepFollowUp:
		if f.direct {
			return "We have scheduled an appointment about your account: " + f.meetWhen + "."
		}
		return "We would like to talk with you about your account: " + f.meetWhen + "."
	}
	return ""
}

func (english) smsRef(ref string) string { return "Ref: " + ref + "." }

func (e english) invite(f *facts) (string, string) {
	return "Appointment with " + f.d.Creditor + " about your account", inviteDescription(f, e)
}

func (english) installmentNo(seq int) string { return strconv.Itoa(seq) }

func (english) payOnline(url string) string {
	return "Pay online now: " + url
}

// enDespite is "Despite our reminders of 3 March 2026 and 7 March 2026
// and our formal demand of 20 March 2026, the invoice below remains
// unpaid." — naming only what the case sent (facts.reminded, demanded);
// with nothing sent before, the plain "The invoice below remains unpaid."
func enDespite(f *facts, inv, rest string) string {
	var parts []string
	switch len(f.reminded) {
	case 0:
	case 1:
		parts = append(parts, "our reminder of "+f.reminded[0])
	default:
		parts = append(parts, "our reminders of "+joinWords(f.reminded, ", ", " and "))
	}
	if f.demanded != "" {
		if f.direct {
			parts = append(parts, "our formal demand of "+f.demanded)
		} else {
			parts = append(parts, "our formal request of "+f.demanded)
		}
	}
	if len(parts) == 0 {
		return upperFirst(inv) + " " + rest
	}
	if len(f.fresh) > 0 {
		// Some invoices joined the case after those steps: the earlier
		// steps are named for the others only.
		verb, also := " remains unpaid.", " is now overdue as well."
		if len(f.old) > 1 {
			verb = " remain unpaid."
		}
		if len(f.fresh) > 1 {
			also = " are now overdue as well."
		}
		return "Despite " + strings.Join(parts, " and ") + ", " + enNumbers(f.old) + verb + " " + upperFirst(enNumbers(f.fresh)) + also
	}
	return "Despite " + strings.Join(parts, " and ") + ", " + inv + " " + rest
}

// enNumbers is "invoice A-1" or "invoices A-1 and A-2".
func enNumbers(numbers []string) string {
	if len(numbers) == 1 {
		return "invoice " + numbers[0]
	}
	return "invoices " + joinWords(numbers, ", ", " and ")
}

// What every reminder carries (howtopay.go).

func (english) portalLink() string {
	return "View your account, propose a payment plan or tell us about a problem:"
}

func (e english) bankLabels() bankLabels {
	sort := "Sort code"
	if e.us {
		sort = "Routing number"
	}
	return bankLabels{holder: "Account holder", iban: "IBAN", account: "Account number", bic: "BIC", sortCode: sort}
}

func (e english) contact(phone, email string) string {
	call := "Call us on "
	if e.us {
		call = "Call us at "
	}
	switch {
	case phone != "" && email != "":
		return "Questions? " + call + phone + " or email " + email + "."
	case phone != "":
		return "Questions? " + call + phone + "."
	default:
		return "Questions? Email us at " + email + "."
	}
}

func (english) feeBasis(basis string) string {
	return "Fees and interest: statutory interest and compensation under " + basis + "."
}

func (english) autopay(amount, due string) string {
	return "We will collect " + amount + " automatically from your saved payment method on " + due +
		". There is nothing you need to do; please make sure the funds are available."
}
