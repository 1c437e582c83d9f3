package store

import (
	"context"
	"time"

	"settle/internal/civil"
	"settle/internal/money"
)

// Online payments through a provider (migration 00016; service/online.go).

// What an online intent pays.
const (
	IntentInstallment = "installment" // the next installment of a plan
	IntentInvoice     = "invoice"     // one open invoice
	IntentBalance     = "balance"     // everything open in one currency
	IntentPayoff      = "payoff"      // a plan's payoff today, early-payment discount taken off
	IntentAutopay     = "autopay"     // an off-session charge of a plan's installment
	IntentSetup       = "setup"       // saving a payment method for a plan's autopay
)

// Online intent statuses.
const (
	IntentOpen    = "open"    // a hosted page was made; nothing paid yet
	IntentPending = "pending" // a charge was made; its outcome comes by webhook
	IntentPaid    = "paid"    // paid (or, for a set-up, the method saved)
	IntentFailed  = "failed"  // declined or refused
)

// OnlineIntent is one checkout session, set-up or autopay charge attempt.
type OnlineIntent struct {
	ID             string // opi_…
	Provider       string // stripe
	CustomerID     string
	Kind           string
	PlanID         string
	InstallmentSeq int
	InvoiceID      string
	Amount         money.Amount // what it asks for (zero for a set-up)
	// Waived is, for a payoff, what the plan forgoes when Amount is paid
	// in full: the early-payment discount and interest not yet earned.
	Waived          money.Amount
	Status          string
	SessionID       string // cs_… (hosted pages)
	PaymentIntentID string // pi_… (once known)
	PaymentID       string // pay_… the settle payment it became
	Attempt         int    // autopay: 1, 2, 3
	NextRetryOn     civil.Date
	Failure         string // why it failed, as the provider said
	Review          string // why the money was held for review ("" when applied as asked)
	DedupeKey       string // unique when set (autopay:<plan>:<seq>:<attempt>)
	AsOf            civil.Date
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// OnlineIntentFilter selects online intents; empty fields match all.
type OnlineIntentFilter struct {
	CustomerID string
	PlanID     string
	Kind       string
	Status     string
	Limit      int // newest first; 0: 100
}

// OnlineMandate is the saved payment method a plan's autopay charges.
type OnlineMandate struct {
	PlanID           string
	Provider         string
	CustomerID       string
	ProviderCustomer string
	PaymentMethod    string
	SetupRef         string // the set-up it came from (seti_…)
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// OnlineEvent is a processed webhook event.
type OnlineEvent struct {
	Provider   string
	ID         string
	Type       string
	CustomerID string
	Outcome    string
	ReceivedAt time.Time
}

// OnlineDispute is a chargeback.
type OnlineDispute struct {
	Provider        string
	ID              string // dp_…
	CustomerID      string
	IntentID        string
	PlanID          string
	PaymentID       string
	PaymentIntentID string
	Amount          money.Amount
	Reason          string
	Status          string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// OnlineTx stores online payments (migration 00016).
type OnlineTx interface {
	// OnlineCustomer is the provider's customer id for a settle customer;
	// NotFound when there is none yet.
	OnlineCustomer(ctx context.Context, provider, customerID string) (string, error)
	// OnlineCustomerByRef is the settle customer of a provider's customer
	// id; NotFound when unknown.
	OnlineCustomerByRef(ctx context.Context, provider, providerCustomerID string) (string, error)
	// InsertOnlineCustomer links a settle customer to the provider's; a
	// customer linked already keeps its link (no error).
	InsertOnlineCustomer(ctx context.Context, provider, customerID, providerCustomerID string) error

	// InsertOnlineIntent stores an intent (a new opi_ id when ID is
	// empty); one with the DedupeKey of a stored intent is not inserted:
	// *it becomes the stored one and created is false.
	InsertOnlineIntent(ctx context.Context, it *OnlineIntent) (created bool, err error)
	// OnlineIntent reads an intent by id; NotFound otherwise.
	OnlineIntent(ctx context.Context, id string) (*OnlineIntent, error)
	// OnlineIntentByRef finds an intent by its session or payment intent id.
	OnlineIntentByRef(ctx context.Context, ref string) (*OnlineIntent, error)
	// UpdateOnlineIntent stores Status, SessionID, PaymentIntentID,
	// PaymentID, NextRetryOn, Failure and Review (UpdatedAt = now) — only
	// while the stored status is one of from (none: any). updated=false
	// when another transaction moved it first; nothing is written then.
	UpdateOnlineIntent(ctx context.Context, it *OnlineIntent, from ...string) (updated bool, err error)
	// OnlineIntents lists intents, newest first.
	OnlineIntents(ctx context.Context, f OnlineIntentFilter) ([]OnlineIntent, error)

	// SetOnlineMandate stores a plan's saved payment method, replacing
	// the one it had.
	SetOnlineMandate(ctx context.Context, m *OnlineMandate) error
	// OnlineMandate reads a plan's mandate; NotFound when it has none.
	OnlineMandate(ctx context.Context, planID string) (*OnlineMandate, error)
	// OnlineMandates lists every mandate, by plan id.
	OnlineMandates(ctx context.Context) ([]OnlineMandate, error)

	// InsertOnlineEvent records a processed event once: created=false
	// when it was processed already (nothing is written).
	InsertOnlineEvent(ctx context.Context, e *OnlineEvent) (created bool, err error)
	// OnlineEvent reads a processed event; NotFound otherwise.
	OnlineEvent(ctx context.Context, provider, id string) (*OnlineEvent, error)

	// UpsertOnlineDispute stores a dispute, or updates its status
	// (and reason) when stored already; the links are kept from the first.
	UpsertOnlineDispute(ctx context.Context, d *OnlineDispute) error
	// OnlineDisputes lists a customer's or a plan's disputes, newest first.
	OnlineDisputes(ctx context.Context, customerID, planID string) ([]OnlineDispute, error)
}
