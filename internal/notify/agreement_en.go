package notify

import (
	"fmt"
	"strings"
)

// The English wording of the written agreement and its email.

func (english) agTitle() string               { return "Payment plan agreement" }
func (english) agPlan(id string) string       { return "Plan " + id }
func (english) agVersion(v string) string     { return "version " + v }
func (english) agIssued(date string) string   { return "issued " + date }
func (english) agPage(n int) string           { return fmt.Sprintf("Page %d of {nb}", n) }
func (english) agParties() (string, string)   { return "Creditor", "Customer" }
func (english) agCustomerRef(r string) string { return "Customer reference: " + r }

func (english) agAgrees(n int) string {
	s := fmt.Sprintf("%d installments", n)
	if n == 1 {
		s = "one installment"
	}
	return "The customer agrees to pay the creditor the balance below in " + s +
		", on the dates and in the amounts set out in this agreement."
}

func (english) agCoversHeading() string { return "What this plan covers" }
func (english) agInvoiceCols() [5]string {
	return [5]string{"Invoice", "Issued", "Due", "Amount", "Balance"}
}
func (english) agBalanceCovered() string  { return "Balance covered by this plan" }
func (english) agPaymentsHeading() string { return "Your payments" }
func (english) agPaymentCols() [5]string {
	return [5]string{"#", "Due date", "Amount", "Principal", "Interest"}
}
func (english) agDownPayment() string { return "Down payment" }
func (english) agTotal() string       { return "Total" }

func (english) agInterestNote(total, balance string) string {
	return "The total of " + total + " is the balance of " + balance + " plus interest; each installment shows " +
		"how much of it reduces the balance (principal) and how much is interest."
}

func (english) agHowToPayHeading() string { return "How to pay" }
func (english) agMethods(names []string) string {
	return "Accepted payment methods: " + strings.Join(names, ", ") + "."
}

func (english) agBankTransfer(account, ref string) string {
	if account != "" {
		return "Pay by bank transfer to " + account + " quoting " + ref + " as the reference, so that your payment is matched to this plan."
	}
	return "When you pay by bank transfer, quote " + ref + " as the reference, so that your payment is matched to this plan."
}

func (english) agAutopay(on bool) string {
	if on {
		return "Autopay is on: each installment is collected automatically on its due date."
	}
	return "Please pay each installment so that it is received by its due date."
}

func (english) agMissedHeading() string { return "If a payment is missed" }

func (english) agGrace(days int) string {
	switch {
	case days == 1:
		return "A payment is late after its due date and missed if not received within 1 day."
	case days > 1:
		return fmt.Sprintf("A payment is late after its due date and missed if not received within %d days.", days)
	}
	return "A payment is missed if it is not received by its due date."
}

func (english) agLateFee(fee string) string {
	return "Each missed payment adds a late fee of " + fee + "."
}

func (english) agDefault(missed, daysLate int) string {
	var conds []string
	switch {
	case missed == 1:
		conds = append(conds, "a payment is missed")
	case missed > 1:
		conds = append(conds, fmt.Sprintf("%d payments are missed", missed))
	}
	switch {
	case daysLate == 1:
		conds = append(conds, "any payment is more than 1 day late")
	case daysLate > 1:
		conds = append(conds, fmt.Sprintf("any payment is more than %d days late", daysLate))
	}
	return "If " + strings.Join(conds, ", or ") + ", the plan ends: the remaining balance becomes due at once and collection resumes."
}

func (english) agGainsHeading() string { return "What you gain" }

func (english) agConcession(kind string) string {
	switch kind {
	case "fee_waived":
		return "Late fees waived"
	case "interest_frozen":
		return "Interest frozen"
	case "settlement_discount":
		return "Settlement discount"
	case "early_payment_discount":
		return "Early payment discount"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

func (english) agGainsTotal() string   { return "Total value of these concessions" }
func (english) agEarlyHeading() string { return "Paying early" }

func (english) agEarly(percent string, interest bool) string {
	s := "You may pay the remaining balance early at any time, at no charge"
	if percent != "" {
		s += "; " + percent + "% of what remains is waived when you do"
	}
	if interest {
		s += "; interest stops on the day you do"
	}
	return s + "."
}

func (english) agAcceptanceHeading() string { return "Acceptance" }
func (english) agNotAccepted() (string, string) {
	return "Not yet accepted.", "When the customer accepts this plan, who accepted, when, through which channel " +
		"and from which IP address is recorded here."
}
func (english) agAcceptLabels() [4]string {
	return [4]string{"Accepted by", "Accepted at", "Channel", "IP address"}
}

func (english) agChannel(c string) string {
	switch c {
	case "portal":
		return "Customer portal"
	case "email":
		return "Email"
	case "phone":
		return "Telephone"
	case "in_person":
		return "In person"
	case "api":
		return "API"
	}
	return c
}

func (english) agMailSubject(plan, version string, accepted bool) string {
	if accepted {
		return "Your payment plan agreement " + plan + ", version " + version
	}
	return "Proposed payment plan agreement " + plan + ", version " + version
}

func (english) agMailIntro(direct bool, plan, version, acceptedOn string) string {
	switch {
	case acceptedOn != "" && direct:
		return "Thank you for accepting payment plan " + plan + " on " + acceptedOn +
			". The written agreement is attached as a PDF; please keep it for your records."
	case acceptedOn != "":
		return "Thank you for agreeing a payment plan with us; we appreciate your commitment. The written agreement for plan " +
			plan + ", accepted on " + acceptedOn + ", is attached as a PDF; please keep it for your records."
	case direct:
		return "We have prepared version " + version + " of payment plan " + plan +
			". The proposed agreement is attached as a PDF; it takes effect once you accept it."
	}
	return "Thank you for working with us on your payment plan. We have prepared version " + version + " of plan " + plan +
		" to fit your situation; the proposed agreement is attached as a PDF and takes effect once you accept it."
}

func (english) agMailRows() (string, string) { return "Payments", "Total" }

func (english) agMailPayments(n int, first string) string {
	if n == 1 {
		return "1 installment, on " + first
	}
	return fmt.Sprintf("%d installments, the first on %s", n, first)
}

func (english) agMailClose(accepted bool) string {
	if accepted {
		return "If anything in the agreement is not as agreed, please reply to this email."
	}
	return "If you have questions about the proposal, please reply to this email."
}
