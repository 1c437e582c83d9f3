package service

import (
	"context"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/negotiate"
	"settle/internal/plan"
	"settle/internal/store"
	"settle/internal/text"
)

// Policies bind every path (docs/negotiation.md): a plan proposed directly
// — POST /v1/plans, a renegotiation, the staff form — keeps to the limits
// of its customer's segment policy (negotiate.CheckPlan), unless an admin
// overrides them with a reason. A plan made from a negotiation is the
// engine's, made within the policy, and is not judged again.

// bindPolicy judges the proposed plan p (terms in, quoted as of asOf)
// against its customer's segment policy. Within the policy it returns nil.
// Outside it, an admin's override_reason sets p.PolicyOverride; otherwise
// every breach is a field error (and override_reason one too, saying what
// is missing). An agent may not override at all.
func (s *Service) bindPolicy(ctx context.Context, tx store.Tx, p *plan.Plan, in PlanTermsInput, asOf civil.Date) error {
	c, err := tx.Customer(ctx, p.CustomerID)
	if err != nil {
		return err
	}
	pol, err := policyFor(ctx, tx, c.Segment)
	if err != nil {
		return err
	}
	// The plan's date is its as_of, but never later than today: a future
	// as_of must not move the start and term limits along with it.
	if today := s.Today(); asOf.After(today) {
		asOf = today
	}
	shape := negotiate.PlanShape{AsOf: asOf, Balance: p.Balance, Installments: p.Installments, By: negotiate.ByCount,
		Frequency: strings.ToLower(strings.TrimSpace(in.Frequency))}
	switch {
	case len(in.Dates) > 0:
		shape.By = negotiate.ByDates
	case strings.TrimSpace(in.InstallmentAmount) != "":
		shape.By = negotiate.ByAmount
	}
	if shape.Frequency == "" {
		shape.Frequency = plan.Monthly
	}
	if start, err := civil.Parse(strings.TrimSpace(in.StartDate)); err == nil && strings.TrimSpace(in.Roll) != "" && len(in.Dates) == 0 {
		shape.Start = start // the start as asked, before rolling to a business day
	}
	breaches, err := negotiate.CheckPlan(pol, shape)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(in.OverrideReason)
	admin := ActorFrom(ctx).Role == RoleAdmin
	var extra apperr.Fields
	switch {
	case reason != "" && !admin:
		extra.Add("override_reason", "only an admin may override the policy")
	case reason != "":
		text.Field(&extra, "override_reason", reason, text.Line)
	case len(breaches) > 0 && admin:
		extra.Add("override_reason", "the plan is outside the policy for segment %s: give a reason to override it", pol.Segment)
	}
	if len(extra) > 0 || (len(breaches) > 0 && reason == "") {
		fs := append(apperr.Fields{}, breaches...)
		return append(fs, extra...).Err("plan")
	}
	if len(breaches) == 0 {
		return nil // an admin's reason overrides nothing here
	}
	o := &plan.PolicyOverride{Reason: reason, By: ActorFrom(ctx).ID, Segment: pol.Segment}
	for _, b := range breaches {
		o.Breaches = append(o.Breaches, plan.PolicyBreach{Field: b.Field, Message: b.Message})
	}
	p.PolicyOverride = o
	return nil
}

// auditOverride records an override in the audit log, once the plan has
// its id.
func auditOverride(ctx context.Context, tx store.Tx, p *plan.Plan) error {
	if p.PolicyOverride == nil {
		return nil
	}
	return audit(ctx, tx, "plan.policy_override", "plan", p.ID, p.PolicyOverride)
}

// PlanLimits are the limits of a customer's segment policy in words, for
// a plan form: "at most 24 months", "at least 20.00 USD", "within 30 days
// (by 2027-01-05)", "at least 10% (42.78 USD)" ("" when none is asked).
type PlanLimits struct {
	Segment                        string
	Term, Installment, Start, Down string
}

// PlanLimits describes the policy a plan for customer over balance must
// keep to, as of today.
func (s *Service) PlanLimits(ctx context.Context, customer string, balance money.Amount) (*PlanLimits, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var out PlanLimits
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		pol, err := policyFor(ctx, tx, c.Segment)
		if err != nil {
			return err
		}
		out.Segment = pol.Segment
		out.Term, out.Installment, out.Start, out.Down, err = negotiate.Limits(pol, balance.Currency(), s.Today(), balance)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
