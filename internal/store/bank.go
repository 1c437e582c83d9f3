package store

import (
	"context"
	"time"

	"settle/internal/civil"
	"settle/internal/money"
)

// BankLine is one received transfer of an imported bank statement (table
// bank_lines, migration 00017) and what became of it.
type BankLine struct {
	ID         string // bnk_…
	ImportID   string // imp_… of the statement it came in
	Line       int    // its line in that file (header = 1)
	BookedOn   civil.Date
	Amount     money.Amount // positive
	Reference  string
	PayerName  string
	BankID     string // the bank's own transaction id ("" when the file has none)
	DedupeKey  string // unique: the same transfer is stored once
	Status     string // matched, review, assigned, ignored (reconcile.Status…)
	MatchedBy  string // plan_reference, plan_reference_corrected, invoice_number, customer_ref, manual
	Reason     string // why matched, why held for review, or why ignored
	CustomerID string // the customer paid (or the likely one, for review)
	PlanID     string
	InvoiceID  string
	PaymentID  string // the payment it became
	ResolvedBy string // the actor that assigned or ignored it
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// BankLineFilter selects bank lines.
type BankLineFilter struct {
	Page
	Status string // "" for all
}

// BankTx keeps plan bank references and bank-statement lines. Embedded in Tx.
type BankTx interface {
	// SetPlanBankRef gives a plan its bank reference, only when it has
	// none: set=false when it had one already (nothing changes). A
	// reference another plan holds is a Conflict.
	SetPlanBankRef(ctx context.Context, planID, ref string) (set bool, err error)
	// PlanBankRefs returns the references of those plans that have one.
	PlanBankRefs(ctx context.Context, planIDs []string) (map[string]string, error)
	// PlansByBankRef returns reference → plan id for those refs that are stored.
	PlansByBankRef(ctx context.Context, refs []string) (map[string]string, error)
	// PlansWithoutBankRef lists up to limit proposed or active plans
	// without a reference (made before migration 00017).
	PlansWithoutBankRef(ctx context.Context, limit int) ([]string, error)

	// BankLineKeys returns those of keys that are stored already.
	BankLineKeys(ctx context.Context, keys []string) (map[string]bool, error)
	// InsertBankLine stores a line; a DedupeKey that is stored already is a Conflict.
	InsertBankLine(ctx context.Context, l *BankLine) error
	// BankLine finds a line by id (NotFound otherwise); forUpdate holds the
	// row (PostgreSQL: FOR UPDATE) until the transaction ends.
	BankLine(ctx context.Context, id string, forUpdate bool) (*BankLine, error)
	// BankLines lists lines in id order.
	BankLines(ctx context.Context, f BankLineFilter) (list []BankLine, next string, err error)
	// UpdateBankLine stores Status, MatchedBy, Reason, CustomerID, PlanID,
	// InvoiceID, PaymentID, ResolvedBy and UpdatedAt — only while the stored
	// status is still prevStatus (else a Conflict: someone else resolved it).
	UpdateBankLine(ctx context.Context, l *BankLine, prevStatus string) error
}
