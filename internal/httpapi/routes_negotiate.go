package httpapi

import (
	"context"
	"net/http"
	"settle/internal/civil"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
)

// NegotiationDetail is a negotiation with its rounds.
type NegotiationDetail struct {
	service.NegotiationReply
	Rounds []service.NegotiationRoundView `json:"rounds"`
}

// NegotiationAccepted is the response to accepting: the negotiation and
// the proposed plan.
type NegotiationAccepted struct {
	service.NegotiationReply
	Plan Plan `json:"plan"`
}

// negotiateRoutes registers the position-and-negotiation surface:
// budgets, policies, negotiations, interactions and the outbox.
func (s *Server) negotiateRoutes() {
	api := s.api
	// Budget.
	huma.Register(api, huma.Operation{OperationID: "put-budget", Method: http.MethodPut, Path: "/v1/customers/{id}/budget",
		Summary: "Set a customer's monthly budget", Tags: []string{"Position"},
		Description: "Income, expenses and other debts per month by category (consumers: UK Standard Financial Statement categories; businesses: business categories). The response adds available_monthly, affordable_installment and flags for implausible lines."},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.BudgetInput
		}) (*bodyOut[Budget], error) {
			v, err := s.svc.PutBudget(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Budget]{Body: budgetOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-budget", Method: http.MethodGet, Path: "/v1/customers/{id}/budget",
		Summary: "A customer's monthly budget", Tags: []string{"Position"}},
		func(ctx context.Context, in *IDParam) (*bodyOut[Budget], error) {
			v, err := s.svc.Budget(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Budget]{Body: budgetOut(v)}, nil
		})

	// Policies.
	huma.Register(api, huma.Operation{OperationID: "create-policy", Method: http.MethodPost, Path: "/v1/policies",
		Summary: "Set a segment's negotiation limits (admins)", Tags: []string{"Policies"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body service.PolicyInput }) (*bodyOut[Policy], error) {
			v, err := s.svc.CreatePolicy(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Policy]{Body: policyOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-policies", Method: http.MethodGet, Path: "/v1/policies",
		Summary: "List stored policies", Tags: []string{"Policies"}},
		func(ctx context.Context, in *PageParams) (*listOut[Policy], error) {
			list, next, err := s.svc.Policies(ctx, in.page())
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Policy]{Body: List[Policy]{Data: []Policy{}, NextCursor: next}}
			for i := range list {
				o.Body.Data = append(o.Body.Data, policyOut(&list[i]))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-policy", Method: http.MethodGet, Path: "/v1/policies/{id}",
		Summary: "A policy by id or segment (a segment without one shows the defaults)", Tags: []string{"Policies"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id" doc:"pol_… or a segment"`
		}) (*bodyOut[Policy], error) {
			v, err := s.svc.Policy(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Policy]{Body: policyOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "put-policy", Method: http.MethodPut, Path: "/v1/policies/{id}",
		Summary: "Replace a policy (admins); fields left out take their defaults", Tags: []string{"Policies"}},
		func(ctx context.Context, in *struct {
			ID   string `path:"id" doc:"pol_… or its segment"`
			Body service.PolicyInput
		}) (*bodyOut[Policy], error) {
			v, err := s.svc.UpdatePolicy(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Policy]{Body: policyOut(v)}, nil
		})

	// Negotiations.
	huma.Register(api, huma.Operation{OperationID: "open-negotiation", Method: http.MethodPost, Path: "/v1/negotiations",
		Summary: "Open a negotiation: the engine's opening offer", Tags: []string{"Negotiations"}, DefaultStatus: http.StatusCreated,
		Description: "The opening offer is the plan worth most to us that is realistic for the customer (within the affordable installment of their budget), with concessions held back. The response carries the offer as a full schedule, alternatives, concessions in money and an explanation."},
		func(ctx context.Context, in *struct{ Body service.NegotiationInput }) (*bodyOut[service.NegotiationReply], error) {
			v, err := s.svc.OpenNegotiation(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[service.NegotiationReply]{Body: v.Reply}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-negotiation", Method: http.MethodGet, Path: "/v1/negotiations/{id}",
		Summary: "A negotiation with every round", Tags: []string{"Negotiations"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*bodyOut[NegotiationDetail], error) {
			v, err := s.svc.Negotiation(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			d := NegotiationDetail{NegotiationReply: v.Reply, Rounds: v.Rounds}
			if d.Rounds == nil {
				d.Rounds = []service.NegotiationRoundView{}
			}
			return &bodyOut[NegotiationDetail]{Body: d}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "counter-offer", Method: http.MethodPost, Path: "/v1/negotiations/{id}/counteroffers",
		Summary: "The customer's counter-offer: accept, counter or reject", Tags: []string{"Negotiations"},
		Description: "Fields left out are taken from the standing offer. Accepted (evaluation.basis) when it is worth at least this round's target, when it pays at least as much, no later, than our standing offer or one of its alternatives, or when it is a settlement within the discount limit worth at least the floor; otherwise the plan nearest to it that meets the target is offered; at the last round the offer is final."},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body service.CounterOfferInput
		}) (*bodyOut[service.NegotiationReply], error) {
			v, err := s.svc.CounterOffer(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[service.NegotiationReply]{Body: v.Reply}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "accept-negotiation", Method: http.MethodPost, Path: "/v1/negotiations/{id}/accept",
		Summary: "Turn the standing offer (or an alternative) into a proposed plan", Tags: []string{"Negotiations"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body *service.AcceptNegotiationInput
		}) (*bodyOut[NegotiationAccepted], error) {
			var body service.AcceptNegotiationInput
			if in.Body != nil {
				body = *in.Body
			}
			v, err := s.svc.AcceptNegotiation(ctx, in.ID, body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[NegotiationAccepted]{Body: NegotiationAccepted{NegotiationReply: v.Reply, Plan: planOut(v.Plan)}}, nil
		})

	// Interactions.
	huma.Register(api, huma.Operation{OperationID: "create-interaction", Method: http.MethodPost, Path: "/v1/customers/{id}/interactions",
		Summary: "Record a call, email, meeting or note", Tags: []string{"Interactions"}, DefaultStatus: http.StatusCreated,
		Description: "A stated reason carries a category, fact/unverified and the evidence seen. \"not_received\" queues a copy of the open invoices in the outbox: an email in the customer's language and tone with each invoice's PDF attached, scheduled for the next slot the contact rules allow (none when the customer opted out of email; one per currency)."},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.InteractionInput
		}) (*bodyOut[Interaction], error) {
			v, err := s.svc.CreateInteraction(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Interaction]{Body: interactionOut(v.Interaction, v.Resend)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-interactions", Method: http.MethodGet, Path: "/v1/customers/{id}/interactions",
		Summary: "A customer's interactions, oldest first", Tags: []string{"Interactions"}},
		func(ctx context.Context, in *struct {
			IDParam
			PageParams
		}) (*listOut[Interaction], error) {
			list, next, err := s.svc.Interactions(ctx, in.ID, in.page())
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Interaction]{Body: List[Interaction]{Data: []Interaction{}, NextCursor: next}}
			for _, it := range list {
				o.Body.Data = append(o.Body.Data, interactionOut(it, nil))
			}
			return o, nil
		})

	// The outbox.
	huma.Register(api, huma.Operation{OperationID: "list-messages", Method: http.MethodGet, Path: "/v1/messages",
		Summary: "The outbox: emails, letters and SMS with their status", Tags: []string{"Messages"}},
		func(ctx context.Context, in *struct {
			PageParams
			CustomerID string `query:"customer_id"`
			Status     string `query:"status" enum:"queued,held,awaiting_approval,sent,failed,bounced,withdrawn,"`
			Since      string `query:"since" doc:"RFC 3339: scheduled at or after"`
			Until      string `query:"until" doc:"RFC 3339: scheduled before"`
		}) (*listOut[Message], error) {
			f := store.MessageFilter{Page: in.page(), CustomerID: in.CustomerID, Status: in.Status}
			// Held and awaiting approval are queued messages under staff
			// control (service.OutboxState); queued is the rest.
			switch in.Status {
			case service.OutboxQueued:
				f.Control = "free"
			case service.OutboxHeld, service.OutboxAwaitingApproval:
				f.Status, f.Control = store.MessageQueued, in.Status
			}
			var fs apperr.Fields
			for _, b := range []struct {
				field, v string
				dst      *time.Time
			}{{"since", in.Since, &f.Since}, {"until", in.Until, &f.Until}} {
				if b.v == "" {
					continue
				}
				t, err := time.Parse(time.RFC3339, b.v)
				switch {
				case err != nil:
					fs.Add(b.field, "%q is not an RFC 3339 instant", b.v)
				case !civil.In(t, time.UTC).InRange():
					fs.Add(b.field, "%q is outside the supported dates %s to %s", b.v, civil.MinDate, civil.MaxDate)
				}
				*b.dst = t
			}
			if err := fs.Err("query"); err != nil {
				return nil, s.fail(err)
			}
			list, next, err := s.svc.Messages(ctx, f)
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Message]{Body: List[Message]{Data: []Message{}, NextCursor: next}}
			for _, m := range list {
				o.Body.Data = append(o.Body.Data, messageOut(m))
			}
			return o, nil
		})
}
