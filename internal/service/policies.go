package service

import (
	"context"
	"encoding/json"
	"strings"

	"settle/internal/apperr"
	"settle/internal/collect"
	"settle/internal/negotiate"
	"settle/internal/store"
	"settle/internal/text"
)

// PolicyInput sets a segment's negotiation limits. Every field but segment
// is optional; a missing one takes its default (negotiate.DefaultPolicy,
// listed in docs/negotiation.md).
type PolicyInput struct {
	Segment               string       `json:"segment,omitempty" doc:"The customer segment the policy applies to (required to create; PUT keeps it when left out)" maxLength:"64"`
	CostOfCapital         *string      `json:"cost_of_capital,omitempty" doc:"Annual, e.g. 0.10 (default)"`
	MinRecovery           *string      `json:"min_recovery,omitempty" doc:"Lowest acceptable present value as a share of the balance (default 0.70)"`
	MaxTermMonths         *int         `json:"max_term_months,omitempty" doc:"Longest plan (default 24)"`
	MinInstallment        *string      `json:"min_installment,omitempty" doc:"Smallest installment in major units of the plan's currency (default 20.00)"`
	DownPaymentShare      *string      `json:"down_payment_share,omitempty" doc:"Down payment asked for, share of the balance (default 0.00)"`
	MaxSettlementDiscount *string      `json:"max_settlement_discount,omitempty" doc:"Largest discount for a lump-sum settlement (default 0.20)"`
	EarlyPaymentDiscount  *string      `json:"early_payment_discount,omitempty" doc:"Share waived on early payoff, offered as a concession (default 0.02)"`
	MayWaiveFees          *bool        `json:"may_waive_fees,omitempty" doc:"Default true"`
	MayFreezeInterest     *bool        `json:"may_freeze_interest,omitempty" doc:"Default true"`
	PlanRate              *string      `json:"plan_rate,omitempty" doc:"Annual interest a plan carries (default 0)"`
	MaxRounds             *int         `json:"max_rounds,omitempty" doc:"Counter-offers answered before the final offer (default 6)"`
	ConcessionExponent    *string      `json:"concession_exponent,omitempty" doc:"e in f(t) = k + (1-k)·t^(1/e): below 1 Boulware, above 1 conceder (default 0.5)"`
	ConcessionStart       *string      `json:"concession_start,omitempty" doc:"k: share of the room conceded at once (default 0)"`
	MaxStartDays          *int         `json:"max_start_days,omitempty" doc:"First payment due within this many days (default 30)"`
	OfferValidDays        *int         `json:"offer_valid_days,omitempty" doc:"A negotiation expires after this many days (default 14)"`
	NoDeal                *NoDealInput `json:"no_deal,omitempty"`
	// Ladder is the collections ladder of the segment (default: domain.md
	// §4's: −3 reminder, 0 due today, +3, +7 firm, +14 call, +30 demand,
	// +45 final notice, +60 review).
	Ladder *collect.Ladder `json:"ladder,omitempty"`
	// ApproveBeforeSending: the run's collections messages for the segment
	// wait in the outbox until staff approve them (docs/collections.md
	// "The outbox").
	ApproveBeforeSending *bool `json:"approve_before_sending,omitempty" doc:"New collections messages of the segment wait in the outbox for staff approval (default false)"`
}

// NoDealInput is the alternative to an agreement.
type NoDealInput struct {
	Action    *string `json:"action,omitempty" doc:"agency (default) or legal"`
	Recovery  *string `json:"recovery,omitempty" doc:"Expected share recovered (default 0.40)"`
	Cost      *string `json:"cost,omitempty" doc:"Share of the recovery it costs (default 0.25)"`
	DelayDays *int    `json:"delay_days,omitempty" doc:"Until the money arrives (default 180)"`
}

// PolicyView is a stored (or default) policy.
type PolicyView struct {
	ID      string // "" for a built-in default
	Version int
	negotiate.Policy
	Ladder collect.Ladder
	// ApproveBeforeSending: the run's messages wait for staff approval.
	ApproveBeforeSending bool
	Default              bool // not stored: the built-in defaults
	Stored               *store.Policy
}

// policyBody is a policy as stored: the negotiation limits and the ladder.
type policyBody struct {
	negotiate.Policy
	Ladder               collect.Ladder `json:"ladder"`
	ApproveBeforeSending bool           `json:"approve_before_sending,omitempty"`
}

// policyAudit is what a policy change records: the limits and the
// outbox setting.
type policyAudit struct {
	negotiate.Policy
	ApproveBeforeSending bool `json:"approve_before_sending"`
}

// policy merges in over the defaults and validates the result.
func (in PolicyInput) policy() (negotiate.Policy, error) {
	seg := strings.TrimSpace(in.Segment)
	if seg == "" {
		return negotiate.Policy{}, apperr.Field("segment", "is required")
	}
	if msg := text.Check(seg, text.Code); msg != "" {
		return negotiate.Policy{}, apperr.Field("segment", "%s", msg)
	}
	p := negotiate.DefaultPolicy(seg)
	str := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	num := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	str(&p.CostOfCapital, in.CostOfCapital)
	str(&p.MinRecovery, in.MinRecovery)
	num(&p.MaxTermMonths, in.MaxTermMonths)
	str(&p.MinInstallment, in.MinInstallment)
	str(&p.DownPaymentShare, in.DownPaymentShare)
	str(&p.MaxSettlementDiscount, in.MaxSettlementDiscount)
	str(&p.EarlyPaymentDiscount, in.EarlyPaymentDiscount)
	if in.MayWaiveFees != nil {
		p.MayWaiveFees = *in.MayWaiveFees
	}
	if in.MayFreezeInterest != nil {
		p.MayFreezeInterest = *in.MayFreezeInterest
	}
	str(&p.PlanRate, in.PlanRate)
	num(&p.MaxRounds, in.MaxRounds)
	str(&p.ConcessionExponent, in.ConcessionExponent)
	str(&p.ConcessionStart, in.ConcessionStart)
	num(&p.MaxStartDays, in.MaxStartDays)
	num(&p.OfferValidDays, in.OfferValidDays)
	if nd := in.NoDeal; nd != nil {
		str(&p.NoDeal.Action, nd.Action)
		str(&p.NoDeal.Recovery, nd.Recovery)
		str(&p.NoDeal.Cost, nd.Cost)
		num(&p.NoDeal.DelayDays, nd.DelayDays)
	}
	return p, p.Validate()
}

func policyView(sp *store.Policy) (*PolicyView, error) {
	var b policyBody
	if err := json.Unmarshal(sp.Body, &b); err != nil {
		return nil, err
	}
	if len(b.Ladder.Steps) == 0 {
		b.Ladder = collect.DefaultLadder()
	}
	return &PolicyView{ID: sp.ID, Version: sp.Version, Policy: b.Policy, Ladder: b.Ladder, ApproveBeforeSending: b.ApproveBeforeSending, Stored: sp}, nil
}

// body validates the ladder and gives the stored form.
func (in PolicyInput) body(p negotiate.Policy) ([]byte, error) {
	l := collect.DefaultLadder()
	if in.Ladder != nil {
		l = *in.Ladder
		if err := l.Validate(); err != nil {
			return nil, err
		}
	}
	return json.Marshal(policyBody{Policy: p, Ladder: l, ApproveBeforeSending: in.ApproveBeforeSending != nil && *in.ApproveBeforeSending})
}

// CreatePolicy stores the policy of a segment (admins).
func (s *Service) CreatePolicy(ctx context.Context, in PolicyInput) (*PolicyView, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	p, err := in.policy()
	if err != nil {
		return nil, err
	}
	body, err := in.body(p)
	if err != nil {
		return nil, err
	}
	var view *PolicyView
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		sp := &store.Policy{Segment: p.Segment, Body: body}
		if err := tx.InsertPolicy(ctx, sp); err != nil {
			return err
		}
		// The segment's ladder may have changed: every customer is looked
		// at again by the next run (collect.NextWake assumed the old one).
		if err := tx.WakeAllCustomers(ctx); err != nil {
			return err
		}
		if view, err = policyView(sp); err != nil {
			return err
		}
		return audit(ctx, tx, "policy.create", "policy", sp.ID, policyAudit{p, view.ApproveBeforeSending})
	})
	return view, err
}

// UpdatePolicy replaces a policy (admins): fields left out take their defaults.
func (s *Service) UpdatePolicy(ctx context.Context, id string, in PolicyInput) (*PolicyView, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	var view *PolicyView
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		sp, err := tx.Policy(ctx, id)
		if err != nil {
			return err
		}
		if strings.TrimSpace(in.Segment) == "" {
			in.Segment = sp.Segment
		}
		p, err := in.policy()
		if err != nil {
			return err
		}
		if sp.Body, err = in.body(p); err != nil {
			return err
		}
		sp.Segment = p.Segment
		if err := tx.UpdatePolicy(ctx, sp); err != nil {
			return err
		}
		if err := tx.WakeAllCustomers(ctx); err != nil {
			return err
		}
		if view, err = policyView(sp); err != nil {
			return err
		}
		return audit(ctx, tx, "policy.update", "policy", sp.ID, policyAudit{p, view.ApproveBeforeSending})
	})
	return view, err
}

// Policy returns a policy by id or segment; a segment without a stored
// policy gets the built-in defaults (Default true).
func (s *Service) Policy(ctx context.Context, idOrSegment string) (*PolicyView, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var view *PolicyView
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		sp, err := tx.Policy(ctx, idOrSegment)
		if apperr.CodeOf(err) == apperr.NotFound && !strings.HasPrefix(idOrSegment, "pol_") {
			view = &PolicyView{Policy: negotiate.DefaultPolicy(idOrSegment), Ladder: collect.DefaultLadder(), Default: true}
			return nil
		}
		if err != nil {
			return err
		}
		view, err = policyView(sp)
		return err
	})
	return view, err
}

// Policies lists the stored policies.
func (s *Service) Policies(ctx context.Context, page store.Page) ([]PolicyView, string, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	var out []PolicyView
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		list, n, err := tx.Policies(ctx, page)
		if err != nil {
			return err
		}
		next = n
		for i := range list {
			v, err := policyView(&list[i])
			if err != nil {
				return err
			}
			out = append(out, *v)
		}
		return nil
	})
	return out, next, err
}

// policyFor is the negotiation policy that applies to a segment.
func policyFor(ctx context.Context, tx store.Tx, segment string) (negotiate.Policy, error) {
	v, err := policyViewFor(ctx, tx, segment)
	if err != nil {
		return negotiate.Policy{}, err
	}
	return v.Policy, nil
}

// ladderFor is the collections ladder that applies to a segment.
func ladderFor(ctx context.Context, tx store.Tx, segment string) (collect.Ladder, error) {
	v, err := policyViewFor(ctx, tx, segment)
	if err != nil {
		return collect.Ladder{}, err
	}
	return v.Ladder, nil
}

// policyViewFor is the policy that applies to a segment: its own, else
// the stored "standard" one, else the built-in defaults.
func policyViewFor(ctx context.Context, tx store.Tx, segment string) (*PolicyView, error) {
	for _, seg := range []string{segment, "standard"} {
		if seg == "" {
			continue
		}
		sp, err := tx.Policy(ctx, seg)
		if apperr.CodeOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		return policyView(sp)
	}
	return &PolicyView{Policy: negotiate.DefaultPolicy(segment), Ladder: collect.DefaultLadder(), Default: true}, nil
}
