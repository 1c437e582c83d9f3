package plan

import (
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

// Plan statuses (contract.md). A stored plan is proposed, active,
// superseded or cancelled; an active plan is completed or defaulted as
// its tracking says on a given date (Track), so those two are derived,
// never stored, and right as of any date.
const (
	Proposed   = "proposed"
	Active     = "active"
	Completed  = "completed"
	Defaulted  = "defaulted"
	Superseded = "superseded"
	Cancelled  = "cancelled"
)

// Concession kinds: what the creditor gave up, shown to the customer in money.
var ConcessionKinds = map[string]string{
	"fee_waived":             "Late fees waived",
	"interest_frozen":        "Interest frozen",
	"settlement_discount":    "Settlement discount",
	"early_payment_discount": "Early payment discount",
}

// Concession is one thing conceded, in money.
type Concession struct {
	Kind   string       `json:"kind"`
	Amount money.Amount `json:"-"`
	Note   string       `json:"note,omitempty"`
}

// PolicyOverride records an admin's decision to make a plan that breaks its
// segment's policy: who, why, and every limit broken.
type PolicyOverride struct {
	Reason   string         `json:"reason"`
	By       string         `json:"by"` // the actor: "user:usr_…", "token:tok_…"
	Segment  string         `json:"segment"`
	Breaches []PolicyBreach `json:"breaches"`
}

// PolicyBreach is one limit a plan breaks, named by the input field.
type PolicyBreach struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Acceptance records who accepted a plan, when and how.
type Acceptance struct {
	By      string
	At      time.Time
	Channel string // portal, email, phone, in_person, api
	IP      string
}

// Plan is a written installment agreement over named invoices.
type Plan struct {
	ID           string
	CustomerID   string
	Version      int
	SupersedesID string
	Status       string // stored: proposed, active, superseded, cancelled
	Balance      money.Amount
	InvoiceIDs   []string
	Installments []Installment
	Methods      []string
	Autopay      bool
	Rules        Rules
	AnnualRate   string // as given, "" for none
	// EarlyPayoffDiscount is the share of the remaining balance waived when
	// the customer pays it all early, as a decimal string ("0.02"); "" none.
	EarlyPayoffDiscount string
	Concessions         []Concession
	// PolicyOverride is set when an admin made the plan outside its
	// segment's policy (docs/negotiation.md "Policies bind every path").
	PolicyOverride *PolicyOverride
	Acceptance     *Acceptance
	EndedAt        *time.Time // when superseded or cancelled
	CreatedAt      time.Time
}

// Accept makes a proposed plan active. The acceptance is the customer's:
// who, when, by which channel and from which address.
func (p *Plan) Accept(a Acceptance) error {
	if p.Status != Proposed {
		return apperr.Errorf(apperr.Conflict, "plan %s is %s: only a proposed plan can be accepted", p.ID, p.Status)
	}
	var fs apperr.Fields
	if a.By == "" {
		fs.Add("accepted_by", "is required")
	}
	if !acceptChannels[a.Channel] {
		fs.Add("channel", "%q must be portal, email, phone, in_person or api", a.Channel)
	}
	if err := fs.Err("acceptance"); err != nil {
		return err
	}
	p.Status, p.Acceptance = Active, &a
	return nil
}

var acceptChannels = map[string]bool{"portal": true, "email": true, "phone": true, "in_person": true, "api": true}

// End cancels or supersedes a proposed or active plan.
func (p *Plan) End(status string, at time.Time) error {
	if p.Status != Proposed && p.Status != Active {
		return apperr.Errorf(apperr.Conflict, "plan %s is %s already", p.ID, p.Status)
	}
	p.Status, p.EndedAt = status, &at
	return nil
}

// AcceptedOn is the civil date of acceptance (UTC), or zero.
func (p *Plan) AcceptedOn() civil.Date {
	if p.Acceptance == nil {
		return civil.Date{}
	}
	return civil.In(p.Acceptance.At, time.UTC)
}

// StatusAsOf is the plan's status on a date: an active plan's tracking
// decides completed or defaulted.
func (p *Plan) StatusAsOf(t *Tracking) string {
	if p.Status == Active && t != nil && t.Status != PlanActive {
		return t.Status
	}
	return p.Status
}
