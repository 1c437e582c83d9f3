// Package service holds settle's use cases: one method per user action,
// each in one transaction, each authorised against the caller's role and
// recorded in the audit log in that same transaction. Transports (httpapi,
// web, cli) only translate requests into these calls.
package service

import (
	"context"
	"encoding/json"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/store"
)

// Roles, from least to most powerful.
const (
	RoleViewer = "viewer" // reads only
	RoleAgent  = "agent"  // reads and works accounts
	RoleAdmin  = "admin"  // everything, including tokens
)

var roleRank = map[string]int{RoleViewer: 1, RoleAgent: 2, RoleAdmin: 3}

// ValidRole reports whether r is a role.
func ValidRole(r string) bool { return roleRank[r] > 0 }

// Actor is who is calling.
type Actor struct {
	ID   string // "token:tok_…", "cli", "system"
	Role string
}

type actorKey struct{}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx (zero Actor if none).
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

func require(ctx context.Context, role string) (Actor, error) {
	a := ActorFrom(ctx)
	if a.ID == "" || roleRank[a.Role] == 0 {
		return a, apperr.Errorf(apperr.Unauthorized, "authentication required")
	}
	if roleRank[a.Role] < roleRank[role] {
		return a, apperr.Errorf(apperr.Forbidden, "the %s role may not do this (needs %s)", a.Role, role)
	}
	return a, nil
}

// Service is settle's application core.
type Service struct {
	store store.Store
	now   func() time.Time
	// Creditor is the business owed, as written agreements name it.
	Creditor string
	// MailFrom is the sender of collection emails (SETTLE_MAIL_FROM).
	MailFrom string
	// ClaimTimeout, when set, is how long a worker's claim on emails,
	// webhook deliveries or a run's batch lasts before another worker may
	// take the work over (SETTLE_CLAIM_TIMEOUT). A worker that died holding
	// a claim delays that work by this much. Zero keeps the defaults: ten
	// minutes for emails and runs, five for webhooks. It must be longer than
	// the slowest send or batch, or work is done twice.
	ClaimTimeout time.Duration
	// OptOutURL is where a customer opts out of a channel; every email and
	// SMS links to it (SETTLE_OPT_OUT_URL).
	OptOutURL string
	// PortalURL is the customer portal's base URL (PortalBaseURL); when
	// set, each email and SMS links to the customer's own contact
	// preferences there instead of OptOutURL (optout.go).
	PortalURL string
	online    *online // online payments (online.go); nil: not offered
	tokens    tokenCache
	signing   signingKey

	// BankAccount is where customers send bank transfers, as agreements
	// state it (SETTLE_BANK_ACCOUNT, e.g. "IBAN …"); "" leaves it out.
	BankAccount string
	// Bank and CreditorContact are the creditor's bank details and contact
	// that every reminder shows (portallinks.go, reminderExtras); nil: not
	// shown (Bank falls back to BankAccount). The organisation settings
	// are meant to fill them.
	Bank            *notify.BankDetails
	CreditorContact *notify.CreditorContact

	// Metrics is told of runs, deliveries and autopay charges (observer.go);
	// nil: nobody.
	Metrics Observer

	// Fault, when set, is called at the named fault-injection points
	// (FaultDeliverAfterAccept, FaultImportBatch) with what is being worked
	// on, so that a test can stop or hold the work at exactly that point
	// instead of at a moment chosen by the scheduler. Only tests set it
	// (in-process, or settle serve with SETTLE_TEST_FAULT); nil in
	// production.
	Fault func(point, detail string)
}

// Fault-injection points (Service.Fault).
const (
	// FaultDeliverAfterAccept: the SMTP server answered 250 for an email
	// and settle has not yet recorded it sent (DeliverEmails); detail is
	// the message id. A crash here is the one window where an email is
	// handed over twice.
	FaultDeliverAfterAccept = "deliver-after-smtp-accept"

	// FaultImportBatch: an invoice import has written a batch of rows
	// inside its still-open transaction; detail is the number of rows
	// written so far. Holding here keeps the import open at a known moment
	// (e.g. to show that reads do not wait for it).
	FaultImportBatch = "import-batch"
)

// fault calls the Fault hook, if any.
func (s *Service) fault(point, detail string) {
	if s.Fault != nil {
		s.Fault(point, detail)
	}
}

// New returns a Service over st. now is the clock used when a call gives
// no "as of" (nil: time.Now).
func New(st store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now, Creditor: DefaultCreditor, MailFrom: DefaultMailFrom, OptOutURL: DefaultOptOutURL}
}

// Defaults when not configured: the creditor's name (SETTLE_CREDITOR), the
// sender of emails (SETTLE_MAIL_FROM) and the opt-out address
// (SETTLE_OPT_OUT_URL; the customer portal will provide one per customer).
const (
	DefaultCreditor  = "The creditor"
	DefaultMailFrom  = "collections@settle.invalid"
	DefaultOptOutURL = "mailto:collections@settle.invalid?subject=unsubscribe"
)

// Store returns the service's store (for health checks and tools).
func (s *Service) Store() store.Store { return s.store }

// Today is the current civil date in UTC, the default "as of" for reports.
func (s *Service) Today() civil.Date { return civil.In(s.now(), time.UTC) }

// audit appends one entry; detail is marshalled to JSON.
func audit(ctx context.Context, tx store.Tx, action, objType, objID string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	return tx.AppendAudit(ctx, &store.AuditEntry{
		Actor: ActorFrom(ctx).ID, Action: action, ObjectType: objType, ObjectID: objID, Detail: string(b),
	})
}

// reallocate replays one customer's ledger and stores the result.
func reallocate(ctx context.Context, tx store.Tx, customerID string) (ledger.Allocated, error) {
	// Two transactions replaying the same customer's ledger at once would
	// each allocate against what it read (READ COMMITTED): the second
	// waits here and then reads the first one's payments.
	if err := tx.LockCustomer(ctx, customerID); err != nil {
		return ledger.Allocated{}, err
	}
	invs, pays, err := tx.CustomerLedger(ctx, customerID)
	if err != nil {
		return ledger.Allocated{}, err
	}
	a := ledger.Allocate(invs, pays)
	return a, tx.ReplaceAllocations(ctx, customerID, a)
}

// claimTimeout is ClaimTimeout, or def when it is not set.
func (s *Service) claimTimeout(def time.Duration) time.Duration {
	if s.ClaimTimeout > 0 {
		return s.ClaimTimeout
	}
	return def
}

// AsOf parses an optional "as of" date; empty means today.
func (s *Service) AsOf(field, v string) (civil.Date, error) {
	if v == "" {
		return s.Today(), nil
	}
	// An instant (RFC 3339) is accepted too: its UTC date.
	if len(v) > 10 {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return civil.Date{}, apperr.Field(field, "%q is not a date (YYYY-MM-DD) or an RFC 3339 instant", v)
		}
		d := civil.In(t, time.UTC)
		if !d.InRange() {
			return civil.Date{}, apperr.Field(field, "%q is outside the supported dates %s to %s", v, civil.MinDate, civil.MaxDate)
		}
		return d, nil
	}
	d, err := civil.Parse(v)
	if err != nil {
		return civil.Date{}, apperr.Field(field, "%s", err)
	}
	return d, nil
}

// Audit lists audit-log entries (admins only): all, or those of one object.
func (s *Service) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	var out []store.AuditEntry
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.Audit(ctx, f)
		return err
	})
	return out, err
}
