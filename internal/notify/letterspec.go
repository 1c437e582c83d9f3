package notify

import (
	"encoding/json"
	"fmt"

	"settle/internal/civil"
	"settle/internal/money"
)

// A letter's PDF takes ~9 ms to lay out (the embedded font is parsed and
// subset for each document), and a day's run may write thousands of
// letters. So the run stores what the letter says — MarshalLetter — with
// the message, and the PDF is laid out from it when it is first wanted
// (LetterFromSpec): the same input gives the same bytes, whenever.

// letterSpec is LetterPDF's input as JSON. Amounts are minor units and a
// currency code; dates are ISO dates.
type letterSpec struct {
	Step    string   `json:"step"`
	Address []string `json:"address"`
	Data    dataSpec `json:"data"`
}

type amountSpec struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency,omitempty"`
}

type invoiceSpec struct {
	Number      string     `json:"number"`
	IssueDate   civil.Date `json:"issue_date"`
	DueDate     civil.Date `json:"due_date"`
	Amount      amountSpec `json:"amount"`
	Balance     amountSpec `json:"balance"`
	DaysOverdue int        `json:"days_overdue"`
	NewToCase   bool       `json:"new_to_case,omitempty"`
}

type installmentSpec struct {
	Seq     int        `json:"seq"`
	DueDate civil.Date `json:"due_date"`
	Amount  amountSpec `json:"amount"`
	PlanID  string     `json:"plan_id"`
	Autopay bool       `json:"autopay,omitempty"`
}

type defaultSpec struct {
	PlanID   string            `json:"plan_id"`
	AgreedOn civil.Date        `json:"agreed_on"`
	Missed   []installmentSpec `json:"missed"`
}

type completionSpec struct {
	PlanID         string       `json:"plan_id"`
	FinalPayment   amountSpec   `json:"final_payment"`
	PaidOn         civil.Date   `json:"paid_on"`
	InvoiceNumbers []string     `json:"invoice_numbers"`
	Others         []amountSpec `json:"others,omitempty"`
}

type dataSpec struct {
	Creditor       string           `json:"creditor"`
	Sender         *Creditor        `json:"sender,omitempty"`
	CustomerName   string           `json:"customer_name"`
	Locale         string           `json:"locale"`
	Tone           string           `json:"tone"`
	AsOf           civil.Date       `json:"as_of"`
	Invoices       []invoiceSpec    `json:"invoices,omitempty"`
	Total          amountSpec       `json:"total"`
	Fee            amountSpec       `json:"fee"`
	FeeBasis       string           `json:"fee_basis,omitempty"`
	PayBy          civil.Date       `json:"pay_by"`
	NextStep       string           `json:"next_step,omitempty"`
	Installment    *installmentSpec `json:"installment,omitempty"`
	Default        *defaultSpec     `json:"default,omitempty"`
	Completed      *completionSpec  `json:"completed,omitempty"`
	Benefits       []string         `json:"benefits,omitempty"`
	PaymentMethods []string         `json:"payment_methods,omitempty"`
	PayReference   string           `json:"pay_reference,omitempty"`
	PortalURL      string           `json:"portal_url,omitempty"`
	Bank           *BankDetails     `json:"bank,omitempty"`
	Contact        *CreditorContact `json:"contact,omitempty"`
	Earlier        []sentSpec       `json:"earlier,omitempty"`
	Promises       []promiseSpec    `json:"promises,omitempty"`
}

type sentSpec struct {
	Step string     `json:"step"`
	On   civil.Date `json:"on"`
}

type promiseSpec struct {
	Amount  amountSpec `json:"amount"`
	DueDate civil.Date `json:"due_date"`
}

func amountOf(a money.Amount) amountSpec {
	return amountSpec{Minor: a.Minor(), Currency: string(a.Currency())}
}

func (a amountSpec) amount() money.Amount { return money.New(a.Minor, money.Currency(a.Currency)) }

// MarshalLetter checks that the letter renders (as LetterPDF would) and
// returns its input as JSON for LetterFromSpec. A letter has no meeting:
// d.Meeting is refused.
func MarshalLetter(step string, d MessageData, addressLines []string) ([]byte, error) {
	if d.Meeting != nil {
		return nil, fmt.Errorf("notify: a %s letter cannot carry a meeting", step)
	}
	d.Channel = ChannelLetter
	if _, err := prepare(step, d); err != nil {
		return nil, err
	}
	s := letterSpec{Step: step, Address: addressLines, Data: dataSpec{
		Creditor: d.Creditor, CustomerName: d.CustomerName, Locale: d.Locale, Tone: d.Tone, AsOf: d.AsOf,
		Total: amountOf(d.Total), Fee: amountOf(d.Fee), FeeBasis: d.FeeBasis, PayBy: d.PayBy, NextStep: d.NextStep,
		Benefits: d.Benefits, PaymentMethods: d.PaymentMethods, PayReference: d.PayReference,
		PortalURL: d.PortalURL, Bank: d.Bank, Contact: d.Contact,
	}}
	if !d.Sender.IsZero() {
		sender := d.Sender
		s.Data.Sender = &sender
	}
	for _, in := range d.Invoices {
		s.Data.Invoices = append(s.Data.Invoices, invoiceSpec{Number: in.Number, IssueDate: in.IssueDate, DueDate: in.DueDate,
			Amount: amountOf(in.Amount), Balance: amountOf(in.Balance), DaysOverdue: in.DaysOverdue, NewToCase: in.NewToCase})
	}
	if in := d.Installment; in != nil {
		s.Data.Installment = &installmentSpec{Seq: in.Seq, DueDate: in.DueDate, Amount: amountOf(in.Amount), PlanID: in.PlanID, Autopay: in.Autopay}
	}
	if df := d.Default; df != nil {
		s.Data.Default = &defaultSpec{PlanID: df.PlanID, AgreedOn: df.AgreedOn}
		for _, in := range df.Missed {
			s.Data.Default.Missed = append(s.Data.Default.Missed, installmentSpec{Seq: in.Seq, DueDate: in.DueDate, Amount: amountOf(in.Amount), PlanID: in.PlanID})
		}
	}
	if c := d.Completed; c != nil {
		s.Data.Completed = &completionSpec{PlanID: c.PlanID, FinalPayment: amountOf(c.FinalPayment), PaidOn: c.PaidOn,
			InvoiceNumbers: c.InvoiceNumbers}
		for _, o := range c.Others {
			s.Data.Completed.Others = append(s.Data.Completed.Others, amountOf(o))
		}
	}
	for _, e := range d.Earlier {
		s.Data.Earlier = append(s.Data.Earlier, sentSpec(e))
	}
	for _, p := range d.Promises {
		s.Data.Promises = append(s.Data.Promises, promiseSpec{Amount: amountOf(p.Amount), DueDate: p.DueDate})
	}
	return json.Marshal(s)
}

// LetterFromSpec lays out the PDF of a letter stored by MarshalLetter.
func LetterFromSpec(spec []byte) ([]byte, error) {
	var s letterSpec
	if err := json.Unmarshal(spec, &s); err != nil {
		return nil, fmt.Errorf("notify: letter spec: %w", err)
	}
	return LetterPDF(s.Step, s.data(), s.Address)
}

func (s letterSpec) data() MessageData {
	d := MessageData{Creditor: s.Data.Creditor, CustomerName: s.Data.CustomerName, Locale: s.Data.Locale, Tone: s.Data.Tone,
		Channel: ChannelLetter, AsOf: s.Data.AsOf, Total: s.Data.Total.amount(), Fee: s.Data.Fee.amount(), FeeBasis: s.Data.FeeBasis, PayBy: s.Data.PayBy,
		NextStep: s.Data.NextStep, Benefits: s.Data.Benefits, PaymentMethods: s.Data.PaymentMethods, PayReference: s.Data.PayReference,
		PortalURL: s.Data.PortalURL, Bank: s.Data.Bank, Contact: s.Data.Contact}
	if s.Data.Sender != nil {
		d.Sender = *s.Data.Sender
	}
	for _, in := range s.Data.Invoices {
		d.Invoices = append(d.Invoices, InvoiceLine{Number: in.Number, IssueDate: in.IssueDate, DueDate: in.DueDate,
			Amount: in.Amount.amount(), Balance: in.Balance.amount(), DaysOverdue: in.DaysOverdue, NewToCase: in.NewToCase})
	}
	if in := s.Data.Installment; in != nil {
		d.Installment = &InstallmentLine{Seq: in.Seq, DueDate: in.DueDate, Amount: in.Amount.amount(), PlanID: in.PlanID, Autopay: in.Autopay}
	}
	if df := s.Data.Default; df != nil {
		d.Default = &DefaultLine{PlanID: df.PlanID, AgreedOn: df.AgreedOn}
		for _, in := range df.Missed {
			d.Default.Missed = append(d.Default.Missed, InstallmentLine{Seq: in.Seq, DueDate: in.DueDate, Amount: in.Amount.amount(), PlanID: in.PlanID})
		}
	}
	if c := s.Data.Completed; c != nil {
		d.Completed = &CompletionLine{PlanID: c.PlanID, FinalPayment: c.FinalPayment.amount(), PaidOn: c.PaidOn,
			InvoiceNumbers: c.InvoiceNumbers}
		for _, o := range c.Others {
			d.Completed.Others = append(d.Completed.Others, o.amount())
		}
	}
	for _, e := range s.Data.Earlier {
		d.Earlier = append(d.Earlier, SentStep(e))
	}
	for _, p := range s.Data.Promises {
		d.Promises = append(d.Promises, PromiseLine{Amount: p.Amount.amount(), DueDate: p.DueDate})
	}
	return d
}
