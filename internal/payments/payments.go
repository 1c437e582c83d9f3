// Package payments is settle's interface to an online payment provider
// (card and bank-debit payments taken on the provider's hosted pages, and
// off-session charges of a saved payment method for autopay). The service
// layer talks only to Provider; internal/payments/stripepay implements it
// over Stripe. The types here carry settle's own money (money.Amount);
// converting to the provider's minor units (MinorUnits) is part of the
// contract, because providers do not count minor units as ISO 4217 does.
package payments

import (
	"context"
	"errors"
	"time"

	"settle/internal/money"
)

// Checkout modes: take a payment now, or save a payment method for later
// (autopay).
const (
	ModePayment = "payment"
	ModeSetup   = "setup"
)

// Metadata keys settle puts on every object it creates at the provider,
// so that an event names what it is about.
const (
	MetaIntent   = "settle_intent"   // opi_…: the online intent (what the money pays)
	MetaCustomer = "settle_customer" // cus_…
	MetaPlan     = "settle_plan"     // pln_… (autopay set-up and charges)
)

// Customer is a settle customer as the provider should know it.
type Customer struct {
	SettleID string
	Name     string
	Email    string
}

// CheckoutRequest asks for a hosted payment page.
type CheckoutRequest struct {
	Mode       string       // ModePayment or ModeSetup
	Customer   string       // the provider's customer id
	Amount     money.Amount // ModePayment: what to take; ModeSetup: only its currency is used
	Title      string       // the line the customer sees, e.g. "Invoice R-1"
	SuccessURL string
	CancelURL  string
	Locale     string // the customer's language ("en", "de", "fr"; "" for the provider's choice)
	Metadata   map[string]string
	// IdempotencyKey makes a retried create return the first session.
	IdempotencyKey string
}

// Checkout is a created hosted page.
type Checkout struct {
	ID  string // cs_…
	URL string // where the customer goes
}

// ChargeRequest charges a saved payment method without the customer
// present (autopay).
type ChargeRequest struct {
	Customer       string
	PaymentMethod  string
	Amount         money.Amount
	Description    string
	Metadata       map[string]string
	IdempotencyKey string // the same key never charges twice
}

// Charge statuses as settle sees them.
const (
	ChargeSucceeded = "succeeded" // the money is taken
	ChargePending   = "pending"   // the outcome comes later, by a webhook event
	ChargeFailed    = "failed"    // declined or refused: FailureCode/FailureMessage say why
)

// Charge is the outcome of a ChargeRequest.
type Charge struct {
	PaymentIntent  string // pi_… ("" when the provider refused before creating one)
	Status         string
	FailureCode    string
	FailureMessage string
}

// Event kinds settle acts on (the provider's own type is kept in Type).
const (
	EventCheckoutCompleted = "checkout.session.completed"
	EventPaymentSucceeded  = "payment_intent.succeeded"
	EventPaymentFailed     = "payment_intent.payment_failed"
	EventSetupSucceeded    = "setup_intent.succeeded"
	EventDisputeCreated    = "charge.dispute.created"
	EventDisputeUpdated    = "charge.dispute.updated"
	EventDisputeClosed     = "charge.dispute.closed"
)

// Event is a verified webhook event, reduced to what settle reads.
type Event struct {
	ID      string // evt_…: settle processes each once
	Type    string
	Created time.Time

	// The object the event is about.
	ObjectID      string // cs_…, pi_…, seti_…, dp_…
	Mode          string // checkout sessions: payment or setup
	Paid          bool   // checkout sessions: payment_status is paid
	PaymentIntent string // pi_… (of a session, a dispute, or the object itself)
	SetupIntent   string // seti_… (a setup session, or the object itself)
	Customer      string // the provider's customer id
	PaymentMethod string // pm_… (setup intents, payment intents)
	// Amount is what was received (payment intents: amount_received;
	// sessions: amount_total; disputes: the disputed amount), converted to
	// settle's minor units; zero when the object carries none.
	Amount         money.Amount
	Metadata       map[string]string
	FailureCode    string // failed payments: the decline code
	FailureMessage string
	DisputeReason  string
	DisputeStatus  string
}

// Provider is an online payment provider.
type Provider interface {
	// Name is the provider's name ("stripe").
	Name() string
	// CreateCustomer makes the provider's customer for a settle customer
	// and returns its id.
	CreateCustomer(ctx context.Context, c Customer, idempotencyKey string) (string, error)
	// CreateCheckout makes a hosted payment (or set-up) page.
	CreateCheckout(ctx context.Context, r CheckoutRequest) (*Checkout, error)
	// Charge charges a saved payment method off-session. A decline is a
	// Charge with Status ChargeFailed, not an error; an error means the
	// outcome is unknown (retry with the same idempotency key).
	Charge(ctx context.Context, r ChargeRequest) (*Charge, error)
	// SetupPaymentMethod reads a completed set-up's payment method and
	// customer ("" when it has none yet).
	SetupPaymentMethod(ctx context.Context, setupIntent string) (paymentMethod, customer string, err error)
	// ParseWebhook verifies a webhook's signature header against the
	// endpoint secret and parses the event. A bad or missing signature is
	// ErrBadSignature.
	ParseWebhook(payload []byte, signature string) (*Event, error)
}

// ErrBadSignature is a webhook whose signature does not verify.
var ErrBadSignature = errors.New("payments: webhook signature does not verify")
