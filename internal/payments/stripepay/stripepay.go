// Package stripepay is the Stripe implementation of payments.Provider,
// over the official client github.com/stripe/stripe-go/v84: customers,
// Checkout Sessions (payment and setup mode), off-session PaymentIntents,
// SetupIntents, and webhook events verified with the endpoint's signing
// secret (webhook.ConstructEventWithOptions).
//
// The secret key and the webhook secret live only in the Client; nothing
// here logs (the client library's own logger is silenced) and errors
// never quote either.
package stripepay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v84"
	"github.com/stripe/stripe-go/v84/webhook"

	"settle/internal/payments"
)

// Config configures the client.
type Config struct {
	SecretKey     string // SETTLE_STRIPE_SECRET_KEY (sk_… or rk_…)
	WebhookSecret string // SETTLE_STRIPE_WEBHOOK_SECRET (whsec_…)
	// URL is the API's base URL: "" for Stripe's; tests point it at
	// stripe-mock (SETTLE_TEST_STRIPE_MOCK).
	URL        string
	HTTPClient *http.Client // nil: 30 s timeout
	// MaxNetworkRetries is how often the library retries a request that
	// failed on the network (with the same idempotency key); default 2.
	MaxNetworkRetries *int64
}

// Client is a payments.Provider over Stripe.
type Client struct {
	sc            *stripe.Client
	key           string // only to keep it out of error messages
	webhookSecret string
}

var _ payments.Provider = (*Client)(nil)

// New makes a client. Both secrets are required.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.SecretKey) == "" {
		return nil, errors.New("stripepay: the secret key is not set")
	}
	if strings.TrimSpace(cfg.WebhookSecret) == "" {
		return nil, errors.New("stripepay: the webhook signing secret is not set")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	bc := &stripe.BackendConfig{HTTPClient: hc, LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
		MaxNetworkRetries: cfg.MaxNetworkRetries}
	if cfg.URL != "" {
		u := strings.TrimRight(cfg.URL, "/")
		bc.URL = &u
	}
	backends := &stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, bc)}
	return &Client{sc: stripe.NewClient(cfg.SecretKey, stripe.WithBackends(backends)), key: cfg.SecretKey, webhookSecret: cfg.WebhookSecret}, nil
}

// Name implements payments.Provider.
func (c *Client) Name() string { return "stripe" }

// CreateCustomer implements payments.Provider.
func (c *Client) CreateCustomer(ctx context.Context, cu payments.Customer, key string) (string, error) {
	p := &stripe.CustomerCreateParams{Name: stripe.String(cu.Name), Metadata: map[string]string{payments.MetaCustomer: cu.SettleID}}
	if cu.Email != "" {
		p.Email = stripe.String(cu.Email)
	}
	p.SetIdempotencyKey(key)
	sc, err := c.sc.V1Customers.Create(ctx, p)
	if err != nil {
		return "", fmt.Errorf("stripe: create customer for %s: %w", cu.SettleID, c.apiError(err))
	}
	return sc.ID, nil
}

// checkoutLocales are the portal's languages that Stripe Checkout speaks.
var checkoutLocales = map[string]bool{"en": true, "de": true, "fr": true}

// CreateCheckout implements payments.Provider.
func (c *Client) CreateCheckout(ctx context.Context, r payments.CheckoutRequest) (*payments.Checkout, error) {
	p := &stripe.CheckoutSessionCreateParams{
		Mode:       stripe.String(r.Mode),
		Customer:   stripe.String(r.Customer),
		SuccessURL: stripe.String(r.SuccessURL),
		CancelURL:  stripe.String(r.CancelURL),
		Metadata:   r.Metadata,
	}
	if checkoutLocales[r.Locale] {
		p.Locale = stripe.String(r.Locale)
	}
	switch r.Mode {
	case payments.ModePayment:
		amount, cur, err := payments.MinorUnits(r.Amount)
		if err != nil {
			return nil, err
		}
		p.LineItems = []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: stripe.String(cur), UnitAmount: stripe.Int64(amount),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(r.Title)}},
		}}
		p.PaymentIntentData = &stripe.CheckoutSessionCreatePaymentIntentDataParams{Description: stripe.String(r.Title), Metadata: r.Metadata}
	case payments.ModeSetup:
		p.Currency = stripe.String(strings.ToLower(string(r.Amount.Currency())))
		p.SetupIntentData = &stripe.CheckoutSessionCreateSetupIntentDataParams{Description: stripe.String(r.Title), Metadata: r.Metadata}
	default:
		return nil, fmt.Errorf("stripepay: checkout mode %q must be payment or setup", r.Mode)
	}
	p.SetIdempotencyKey(r.IdempotencyKey)
	s, err := c.sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("stripe: create checkout session: %w", c.apiError(err))
	}
	if s.URL == "" {
		return nil, fmt.Errorf("stripe: checkout session %s has no URL", s.ID)
	}
	return &payments.Checkout{ID: s.ID, URL: s.URL}, nil
}

// Charge implements payments.Provider: an off-session PaymentIntent,
// confirmed at once.
func (c *Client) Charge(ctx context.Context, r payments.ChargeRequest) (*payments.Charge, error) {
	amount, cur, err := payments.MinorUnits(r.Amount)
	if err != nil {
		return nil, err
	}
	p := &stripe.PaymentIntentCreateParams{
		Amount: stripe.Int64(amount), Currency: stripe.String(cur),
		Customer: stripe.String(r.Customer), PaymentMethod: stripe.String(r.PaymentMethod),
		Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
		Description: stripe.String(r.Description), Metadata: r.Metadata,
	}
	p.SetIdempotencyKey(r.IdempotencyKey)
	pi, err := c.sc.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard {
			// Declined (or authentication required): an answer, not a failure to ask.
			ch := &payments.Charge{Status: payments.ChargeFailed, FailureCode: declineCode(se), FailureMessage: se.Msg}
			if se.PaymentIntent != nil {
				ch.PaymentIntent = se.PaymentIntent.ID
			}
			return ch, nil
		}
		return nil, fmt.Errorf("stripe: create payment intent: %w", c.apiError(err))
	}
	ch := &payments.Charge{PaymentIntent: pi.ID, Status: payments.ChargePending}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		ch.Status = payments.ChargeSucceeded
	case stripe.PaymentIntentStatusCanceled:
		ch.Status, ch.FailureCode, ch.FailureMessage = payments.ChargeFailed, "canceled", "the payment was canceled"
	}
	return ch, nil
}

// SetupPaymentMethod implements payments.Provider.
func (c *Client) SetupPaymentMethod(ctx context.Context, id string) (string, string, error) {
	si, err := c.sc.V1SetupIntents.Retrieve(ctx, id, nil)
	if err != nil {
		return "", "", fmt.Errorf("stripe: read setup intent %s: %w", id, c.apiError(err))
	}
	var pm, cu string
	if si.PaymentMethod != nil {
		pm = si.PaymentMethod.ID
	}
	if si.Customer != nil {
		cu = si.Customer.ID
	}
	return pm, cu, nil
}

// ParseWebhook implements payments.Provider. The signature is checked
// (with Stripe's 5-minute tolerance) before anything in the payload is
// read. Events of another API version are accepted: settle reads only
// ids, amounts, statuses and metadata, which every version carries alike.
func (c *Client) ParseWebhook(payload []byte, sig string) (*payments.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, sig, c.webhookSecret, webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		switch {
		case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader),
			errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrTooOld):
			return nil, fmt.Errorf("%w: %v", payments.ErrBadSignature, err)
		}
		return nil, fmt.Errorf("stripe webhook: %w", err)
	}
	out := &payments.Event{ID: ev.ID, Type: string(ev.Type), Created: time.Unix(ev.Created, 0).UTC()}
	if ev.Data == nil {
		return out, nil
	}
	raw := ev.Data.Raw
	amount := func(minor int64, cur stripe.Currency) error {
		if cur == "" {
			return nil
		}
		a, err := payments.FromMinorUnits(minor, string(cur))
		if err != nil {
			return fmt.Errorf("stripe webhook %s: %w", ev.ID, err)
		}
		out.Amount = a
		return nil
	}
	switch {
	case strings.HasPrefix(out.Type, "checkout.session."):
		var s stripe.CheckoutSession
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("stripe webhook %s: checkout session: %w", ev.ID, err)
		}
		out.ObjectID, out.Mode, out.Metadata = s.ID, string(s.Mode), s.Metadata
		out.Paid = s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid
		if s.PaymentIntent != nil {
			out.PaymentIntent = s.PaymentIntent.ID
		}
		if s.SetupIntent != nil {
			out.SetupIntent = s.SetupIntent.ID
		}
		if s.Customer != nil {
			out.Customer = s.Customer.ID
		}
		if err := amount(s.AmountTotal, s.Currency); err != nil {
			return nil, err
		}
	case strings.HasPrefix(out.Type, "payment_intent."):
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(raw, &pi); err != nil {
			return nil, fmt.Errorf("stripe webhook %s: payment intent: %w", ev.ID, err)
		}
		out.ObjectID, out.PaymentIntent, out.Metadata = pi.ID, pi.ID, pi.Metadata
		if pi.Customer != nil {
			out.Customer = pi.Customer.ID
		}
		if pi.PaymentMethod != nil {
			out.PaymentMethod = pi.PaymentMethod.ID
		}
		if e := pi.LastPaymentError; e != nil {
			out.FailureCode, out.FailureMessage = declineCode(e), e.Msg
		}
		if err := amount(pi.AmountReceived, pi.Currency); err != nil {
			return nil, err
		}
	case strings.HasPrefix(out.Type, "setup_intent."):
		var si stripe.SetupIntent
		if err := json.Unmarshal(raw, &si); err != nil {
			return nil, fmt.Errorf("stripe webhook %s: setup intent: %w", ev.ID, err)
		}
		out.ObjectID, out.SetupIntent, out.Metadata = si.ID, si.ID, si.Metadata
		if si.Customer != nil {
			out.Customer = si.Customer.ID
		}
		if si.PaymentMethod != nil {
			out.PaymentMethod = si.PaymentMethod.ID
		}
	case strings.HasPrefix(out.Type, "charge.dispute."):
		var d stripe.Dispute
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("stripe webhook %s: dispute: %w", ev.ID, err)
		}
		out.ObjectID, out.Metadata = d.ID, d.Metadata
		out.DisputeReason, out.DisputeStatus = string(d.Reason), string(d.Status)
		if d.PaymentIntent != nil {
			out.PaymentIntent = d.PaymentIntent.ID
		}
		if err := amount(d.Amount, d.Currency); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// declineCode is the most specific reason Stripe gives.
func declineCode(e *stripe.Error) string {
	if e.DeclineCode != "" {
		return string(e.DeclineCode)
	}
	return string(e.Code)
}

// apiError shortens a Stripe API error to its type, code and message
// (the library's Error() is the whole JSON of the error), with the secret
// key blanked out should the message quote it (an authentication error
// may echo the Authorization header).
func (c *Client) apiError(err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return errors.New(c.redact(err.Error()))
	}
	msg := se.Msg
	if se.Code != "" {
		msg = string(se.Code) + ": " + msg
	}
	return fmt.Errorf("%s (HTTP %d): %s", se.Type, se.HTTPStatusCode, c.redact(msg))
}

func (c *Client) redact(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[secret key]")
}
