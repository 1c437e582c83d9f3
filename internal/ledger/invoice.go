package ledger

import (
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

// Invoice statuses. Status is derived: void if voided, paid when the
// balance is zero, open otherwise.
const (
	StatusOpen = "open"
	StatusPaid = "paid"
	StatusVoid = "void"
)

// Charges settle adds to the ledger (Invoice.Charge).
const (
	// ChargeStatutory is the statutory compensation and interest a demand
	// or final notice claimed, posted when it was delivered.
	ChargeStatutory = "statutory"
	// ChargeLateFee is a plan's fee for one missed installment.
	ChargeLateFee = "late_fee"
)

// Invoice is an amount a customer owes from IssueDate, due on DueDate.
type Invoice struct {
	ID         string
	Number     string // the creditor's invoice number; unique
	CustomerID string
	IssueDate  civil.Date
	DueDate    civil.Date
	Amount     money.Amount // positive; its currency is the invoice's
	Disputed   bool
	VoidedOn   civil.Date // zero unless voided
	VoidReason string
	ImportID   string
	CreatedAt  time.Time

	// Charge is set on a receivable settle added itself (docs/ledger.md,
	// "Charges"): ChargeStatutory or ChargeLateFee; "" for the creditor's
	// own invoices. ChargeFor names what it arose from: the invoice id
	// (statutory) or "<plan id>#<installment>" (late fee).
	Charge    string
	ChargeFor string

	// Balance is the open amount after allocations (derived, stored for queries).
	Balance money.Amount
}

// Status derives the invoice status from its balance and void date.
func (inv *Invoice) Status() string {
	switch {
	case !inv.VoidedOn.IsZero():
		return StatusVoid
	case inv.Balance.IsZero():
		return StatusPaid
	default:
		return StatusOpen
	}
}

// IsCharge reports whether the invoice is a charge settle added (a fee),
// not one of the creditor's own invoices: charges are owed and paid like
// invoices, but never open a collection case, count as sales or as
// payment history of their own.
func (inv *Invoice) IsCharge() bool { return inv.Charge != "" }

// Normalize trims the number.
func (inv *Invoice) Normalize() { inv.Number = strings.TrimSpace(inv.Number) }

// Validate reports every bad field.
func (inv *Invoice) Validate() error {
	var fs apperr.Fields
	inv.ValidateFields(&fs)
	return fs.Err("invoice")
}

// ValidateFields appends inv's problems to fs.
func (inv *Invoice) ValidateFields(fs *apperr.Fields) {
	if inv.Number == "" {
		fs.Add("number", "is required")
	} else if msg := checkText(inv.Number, 64); msg != "" {
		fs.Add("number", "%s", msg)
	} else if strings.HasPrefix(inv.Number, "inv_") {
		fs.Add("number", "%q must not start with inv_ (that prefix is for settle ids)", inv.Number)
	}
	if inv.CustomerID == "" {
		fs.Add("customer_id", "is required")
	}
	if inv.IssueDate.IsZero() {
		fs.Add("issue_date", "is required")
	}
	if inv.DueDate.IsZero() {
		fs.Add("due_date", "is required")
	}
	if !inv.IssueDate.IsZero() && !inv.DueDate.IsZero() && inv.DueDate.Before(inv.IssueDate) {
		fs.Add("due_date", "%s is before issue_date %s", inv.DueDate, inv.IssueDate)
	}
	if inv.Amount.Currency() == "" {
		fs.Add("currency", "is required")
	}
	if !inv.Amount.IsPositive() {
		fs.Add("amount", "%s must be greater than zero", inv.Amount)
	}
	// The single-amount limit (money package doc), here as well as in
	// money.Parse so that every path that builds one is checked.
	if err := inv.Amount.CheckLimit(); err != nil {
		fs.Add("amount", "%s", err)
	}
}

// Payment kinds. A credit note reduces what the customer owes without cash
// changing hands; it is allocated exactly like a payment.
const (
	KindPayment    = "payment"
	KindCreditNote = "credit_note"
)

// Payment is money (or a credit note) received from a customer.
type Payment struct {
	ID         string
	Kind       string
	CustomerID string
	ReceivedOn civil.Date
	Amount     money.Amount // positive
	Method     string       // e.g. bank_transfer, card, cash, check, direct_debit
	Reference  string
	// InvoiceID, when set, is the invoice the customer said this pays.
	InvoiceID string
	ImportID  string
	CreatedAt time.Time
}

// Normalize trims fields and canonicalises the method ("Bank Transfer" →
// "bank_transfer").
func (p *Payment) Normalize() {
	p.Reference = strings.TrimSpace(p.Reference)
	p.Method = strings.Join(strings.Fields(strings.ToLower(p.Method)), "_")
	if p.Kind == "" {
		p.Kind = KindPayment
	}
	if p.Method == "" {
		if p.Kind == KindCreditNote {
			p.Method = "credit_note"
		} else {
			p.Method = "bank_transfer"
		}
	}
}

// Validate reports every bad field.
func (p *Payment) Validate() error {
	var fs apperr.Fields
	p.ValidateFields(&fs)
	return fs.Err("payment")
}

// ValidateFields appends p's problems to fs.
func (p *Payment) ValidateFields(fs *apperr.Fields) {
	if p.Kind != KindPayment && p.Kind != KindCreditNote {
		fs.Add("kind", "%q must be payment or credit_note", p.Kind)
	}
	if p.CustomerID == "" {
		fs.Add("customer_id", "is required")
	}
	if p.ReceivedOn.IsZero() {
		fs.Add("received_on", "is required")
	}
	if p.Amount.Currency() == "" {
		fs.Add("currency", "is required")
	}
	if !p.Amount.IsPositive() {
		fs.Add("amount", "%s must be greater than zero", p.Amount)
	}
	// The single-amount limit (money package doc), here as well as in
	// money.Parse so that every path that builds one is checked.
	if err := p.Amount.CheckLimit(); err != nil {
		fs.Add("amount", "%s", err)
	}
	if msg := checkText(p.Method, 32); msg != "" {
		fs.Add("method", "%s", msg)
	}
	if msg := checkText(p.Reference, 128); msg != "" {
		fs.Add("reference", "%s", msg)
	}
}
