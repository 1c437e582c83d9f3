package notify

import (
	"errors"
	"time"

	"settle/internal/civil"
)

// StepAgreement is the email that sends the written agreement of a payment
// plan when it is accepted or renegotiated. It is not a ladder step (not in
// Steps): it is written by AgreementEmail, not by Render.
const StepAgreement = "plan_agreement"

// AgreementEmail is the short cover email that carries the agreement PDF (the
// caller attaches it): in the customer's language (d.Locale) and tone (direct or
// indirect), it says that the plan was accepted and when (d.Acceptance set) or
// that a new version is proposed, how many payments from when and the total, and
// ends with the sign-off and the opt-out link like every email.
func AgreementEmail(d AgreementData, tone, optOutURL string) (Rendered, error) {
	if len(d.Installments) == 0 {
		return Rendered{}, errors.New("notify: agreement email: no installments")
	}
	if optOutURL == "" {
		return Rendered{}, &FieldError{Field: "OptOutURL", Problem: "missing; every email carries an opt-out (Regulation F §1006.6(e))"}
	}
	l := parseLocale(d.Locale)
	w := agreementWordsFor(l)
	f := &facts{step: StepAgreement, channel: ChannelEmail, direct: tone != ToneIndirect, loc: l, lang: phrasebookFor(l),
		d: MessageData{Creditor: d.Creditor, CustomerName: d.CustomerName, Locale: d.Locale, Tone: tone, Channel: ChannelEmail, OptOutURL: optOutURL}}
	accepted := ""
	if a := d.Acceptance; a != nil {
		// The day in UTC, as the agreement records the instant in UTC.
		accepted = formatDate(civil.In(a.At, time.UTC), l)
	}
	doc := &doc{f: f, subject: w.agMailSubject(d.Ref(), d.Version, d.Acceptance != nil), greeting: f.lang.greeting(f),
		closing: f.lang.closing(f), optOut: f.lang.optOut(ChannelEmail)}
	doc.blocks = append(doc.blocks, block{kind: blockPara, text: w.agMailIntro(f.direct, d.Ref(), d.Version, accepted)})
	payments, total := w.agMailRows()
	doc.blocks = append(doc.blocks,
		block{kind: blockRows, rows: [][2]string{
			{payments, w.agMailPayments(len(d.Installments), formatDate(d.Installments[0].DueDate, l))},
			{total, formatMoney(d.Total, l)},
		}},
		block{kind: blockPara, text: w.agMailClose(d.Acceptance != nil)})
	if l.lang == "fr" {
		doc.frenchTypography()
	}
	html, err := doc.html()
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{Subject: doc.subject, Text: doc.text(), HTML: html}, nil
}
