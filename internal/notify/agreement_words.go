package notify

// agreementWords is the wording of the written agreement and of the email that
// sends it, in one language (agreement_en.go, agreement_de.go, agreement_fr.go).
// Like the phrasebooks, every method returns whole sentences or labels, never
// fragments glued by the caller: word order, plurals and punctuation differ.
// Amounts and dates arrive already formatted for the locale.
type agreementWords interface {
	agTitle() string
	agPlan(id string) string     // "Plan pln_…"
	agVersion(v string) string   // "version 2"
	agIssued(date string) string // "issued 7 December 2026"
	agPage(n int) string         // "Page 1 of {nb}" ({nb} is the page count)
	agParties() (creditor, customer string)
	agCustomerRef(ref string) string
	agAgrees(installments int) string
	agCoversHeading() string
	agInvoiceCols() [5]string // invoice, issued, due, amount, balance
	agBalanceCovered() string
	agPaymentsHeading() string
	agPaymentCols() [5]string // #, due date, amount, principal, interest
	agDownPayment() string
	agTotal() string
	agInterestNote(total, balance string) string
	agHowToPayHeading() string
	agMethods(names []string) string
	agBankTransfer(account, ref string) string // account may be ""
	agAutopay(on bool) string
	agMissedHeading() string
	agGrace(days int) string
	agLateFee(fee string) string
	agDefault(missed, daysLate int) string // at least one is > 0
	agGainsHeading() string
	agConcession(kind string) string
	agGainsTotal() string
	agEarlyHeading() string
	agEarly(percent string, interest bool) string // percent "" when there is no discount
	agAcceptanceHeading() string
	agNotAccepted() (title, note string)
	agAcceptLabels() [4]string // by, at, channel, IP
	agChannel(c string) string

	// The cover email (AgreementEmail).
	agMailSubject(plan, version string, accepted bool) string
	agMailIntro(direct bool, plan, version, acceptedOn string) string // acceptedOn "" for a proposal
	agMailRows() (payments, total string)
	agMailPayments(n int, first string) string
	agMailClose(accepted bool) string
}

func agreementWordsFor(l locale) agreementWords {
	switch l.lang {
	case "de":
		return german{}
	case "fr":
		return french{}
	default:
		return english{us: l.us()}
	}
}
