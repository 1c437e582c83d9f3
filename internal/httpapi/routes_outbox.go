package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
)

// The outbox under staff control (docs/collections.md "The outbox").

// OutboxPreview is a queued message as it would leave now.
type OutboxPreview struct {
	Subject string `json:"subject"`
	Body    string `json:"body" doc:"The plain text"`
	HTML    string `json:"html,omitempty" doc:"An email's HTML part (absent for an edited message, which leaves as plain text)"`
}

// Pause is a customer's staff pause of chasing.
type Pause struct {
	CustomerID string     `json:"customer_id"`
	Paused     bool       `json:"paused" doc:"A pause is in force (it ends on until)"`
	Until      string     `json:"until,omitempty" doc:"YYYY-MM-DD: chasing resumes on this date"`
	Reason     string     `json:"reason,omitempty"`
	PausedBy   string     `json:"paused_by,omitempty"`
	PausedAt   *time.Time `json:"paused_at,omitempty"`
}

func pauseOut(customerID string, p *store.CustomerPause) Pause {
	if p == nil {
		return Pause{CustomerID: customerID}
	}
	at := p.PausedAt
	return Pause{CustomerID: p.CustomerID, Paused: true, Until: p.Until.String(), Reason: p.Reason, PausedBy: p.PausedBy, PausedAt: &at}
}

// OutboxItem is a queued message with its preview and re-check.
type OutboxItem struct {
	Message
	CustomerName  string        `json:"customer_name"`
	Preview       OutboxPreview `json:"preview" doc:"Rendered as delivery would render it at its scheduled time, from the ledger of now"`
	WouldWithdraw string        `json:"would_withdraw,omitempty" doc:"Why the re-check would withdraw it at its scheduled time (now when passed), from the ledger of now: delivery or the next run will; absent when it holds"`
	Pause         *Pause        `json:"pause,omitempty" doc:"The customer's pause in force"`
}

func outboxItemOut(it service.OutboxItem) OutboxItem {
	o := OutboxItem{Message: messageOut(it.Message), CustomerName: it.Customer, WouldWithdraw: it.Withdraw,
		Preview: OutboxPreview{Subject: it.Preview.Subject, Body: it.Preview.Body, HTML: it.Preview.HTML}}
	if it.Pause != nil {
		p := pauseOut(it.CustomerID, it.Pause)
		o.Pause = &p
	}
	return o
}

// SkipInput says why a message is skipped.
type SkipInput struct {
	Reason string `json:"reason" doc:"Why (up to 500 characters); recorded as \"skipped by <actor>: <reason>\"" required:"true"`
}

// IDsInput lists messages.
type IDsInput struct {
	IDs []string `json:"ids" doc:"Message ids (at most 500)" required:"true"`
}

// SendNow is what send now did.
type SendNow struct {
	Message Message `json:"message"`
	Now     bool    `json:"now" doc:"True: the contact rules allow now and it leaves with the next delivery pass. False: scheduled for the next allowed slot (message.scheduled_for); reason says why"`
	Reason  string  `json:"reason,omitempty"`
}

type idOnly struct {
	ID string `path:"id" doc:"The message id (msg_…)"`
}

func (s *Server) outboxRoutes() {
	api := s.api
	tags := []string{"Outbox"}
	huma.Register(api, huma.Operation{OperationID: "list-outbox", Method: http.MethodGet, Path: "/v1/outbox",
		Summary: "Queued messages with their content as they would leave", Tags: tags,
		Description: "Every queued email, letter and SMS, rendered as delivery would render it at its scheduled time (now when that has passed) from the ledger of now, with what the re-check would withdraw and why. Nothing is written. A letter's PDF: GET /v1/messages/{id}/attachments/{name}."},
		func(ctx context.Context, in *struct {
			PageParams
			CustomerID string `query:"customer_id"`
			Channel    string `query:"channel" enum:"email,letter,sms,"`
			Status     string `query:"status" enum:"queued,held,awaiting_approval," doc:"queued: neither held nor awaiting approval"`
		}) (*listOut[OutboxItem], error) {
			list, next, err := s.svc.Outbox(ctx, service.OutboxFilter{Page: in.page(), CustomerID: in.CustomerID, Channel: in.Channel, State: in.Status})
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[OutboxItem]{Body: List[OutboxItem]{Data: []OutboxItem{}, NextCursor: next}}
			for _, it := range list {
				o.Body.Data = append(o.Body.Data, outboxItemOut(it))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-message", Method: http.MethodGet, Path: "/v1/messages/{id}",
		Summary: "One message; a queued one with its preview", Tags: tags},
		func(ctx context.Context, in *idOnly) (*bodyOut[OutboxItem], error) {
			it, err := s.svc.OutboxMessage(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[OutboxItem]{Body: outboxItemOut(*it)}, nil
		})
	one := func(id, path, summary, desc string, do func(ctx context.Context, id string) (*store.Message, error)) {
		huma.Register(api, huma.Operation{OperationID: id, Method: http.MethodPost, Path: path, Summary: summary, Description: desc, Tags: tags},
			func(ctx context.Context, in *idOnly) (*bodyOut[Message], error) {
				m, err := do(ctx, in.ID)
				if err != nil {
					return nil, s.fail(err)
				}
				return &bodyOut[Message]{Body: messageOut(*m)}, nil
			})
	}
	one("hold-message", "/v1/messages/{id}/hold", "Hold a queued message", "It stays queued and is not delivered until released (agents; audited). 409 when it is not queued, is being sent or is held already.", s.svc.HoldMessage)
	one("release-message", "/v1/messages/{id}/release", "Release a held message", "It leaves at its scheduled time, at once when that has passed (agents; audited).", s.svc.ReleaseMessage)
	one("approve-message", "/v1/messages/{id}/approve", "Approve a message awaiting approval", "Agents; audited.", func(ctx context.Context, id string) (*store.Message, error) {
		list, err := s.svc.ApproveMessages(ctx, []string{id})
		if err != nil {
			return nil, err
		}
		return &list[0], nil
	})
	one("post-letter", "/v1/messages/{id}/posted", "Mark a letter posted", "Status sent, sent_at now: for a letter, sent means posted (agents; audited).", func(ctx context.Context, id string) (*store.Message, error) {
		list, err := s.svc.MarkPosted(ctx, []string{id})
		if err != nil {
			return nil, err
		}
		return &list[0], nil
	})
	huma.Register(api, huma.Operation{OperationID: "skip-message", Method: http.MethodPost, Path: "/v1/messages/{id}/skip",
		Summary: "Skip a queued message", Tags: tags,
		Description: "Withdraws it with the reason \"skipped by <actor>: <reason>\" (agents; audited). The case keeps its step."},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body SkipInput
		}) (*bodyOut[Message], error) {
			m, err := s.svc.SkipMessage(ctx, in.ID, in.Body.Reason)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Message]{Body: messageOut(*m)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "send-message", Method: http.MethodPost, Path: "/v1/messages/{id}/send",
		Summary: "Send a queued email or SMS now", Tags: tags,
		Description: "Scheduled for now when the contact rules allow now, else for the next allowed slot (the response says which and why). Releases a hold and approves it (agents; audited). A letter is a 422 on channel: print it and mark it posted."},
		func(ctx context.Context, in *idOnly) (*bodyOut[SendNow], error) {
			r, err := s.svc.SendMessageNow(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[SendNow]{Body: SendNow{Message: messageOut(*r.Message), Now: r.Now, Reason: r.Reason}}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "edit-message", Method: http.MethodPatch, Path: "/v1/messages/{id}",
		Summary: "Edit a queued email or SMS before it leaves", Tags: tags,
		Description: "Subject and/or body (agents; audited with before and after). An edited message is still re-checked at delivery and withdrawn when moot, but not rendered again: the edited text leaves as plain text."},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body service.MessageEdit
		}) (*bodyOut[Message], error) {
			m, err := s.svc.EditMessage(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Message]{Body: messageOut(*m)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "approve-messages", Method: http.MethodPost, Path: "/v1/messages/approve",
		Summary: "Approve several messages awaiting approval", Tags: tags,
		Description: "All or none: an unknown id, or one not awaiting approval, is a 422 naming it (ids[i]) and nothing is approved (agents; audited per message)."},
		func(ctx context.Context, in *struct{ Body IDsInput }) (*listOut[Message], error) {
			list, err := s.svc.ApproveMessages(ctx, in.Body.IDs)
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Message]{Body: List[Message]{Data: []Message{}}}
			for _, m := range list {
				o.Body.Data = append(o.Body.Data, messageOut(m))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "post-letters", Method: http.MethodPost, Path: "/v1/letters/posted",
		Summary: "Mark several letters posted (a print batch)", Tags: tags,
		Description: "Status sent, sent_at now: for a letter, sent means posted. All or none: an id that is unknown, not a letter, not queued, held or awaiting approval is a 422 naming it (ids[i]) (agents; audited per letter)."},
		func(ctx context.Context, in *struct{ Body IDsInput }) (*listOut[Message], error) {
			list, err := s.svc.MarkPosted(ctx, in.Body.IDs)
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Message]{Body: List[Message]{Data: []Message{}}}
			for _, m := range list {
				o.Body.Data = append(o.Body.Data, messageOut(m))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "print-letters", Method: http.MethodGet, Path: "/v1/letters/print-batch",
		Summary: "The day's letters in one PDF, for window envelopes", Tags: tags,
		Description: "Every queued letter released for the date (scheduled by its end, UTC; not held, not awaiting approval), each re-checked now: a letter that became moot is withdrawn (as delivery would) and left out. One page-set per letter. 404 when no letter is left to print. The letters stay queued until marked posted (agents).",
		Responses:   map[string]*huma.Response{"200": {Description: "The PDF", Content: map[string]*huma.MediaType{"application/pdf": {}}}}},
		func(ctx context.Context, in *struct {
			Date string `query:"date" required:"true" doc:"YYYY-MM-DD"`
		}) (*pdfOut, error) {
			b, err := s.svc.PrintLetters(ctx, in.Date)
			if err != nil {
				return nil, s.fail(err)
			}
			if len(b.PDF) == 0 {
				return nil, s.fail(apperr.Errorf(apperr.NotFound, "no letters to print for %s", b.Date))
			}
			return &pdfOut{ContentType: "application/pdf", Disposition: `attachment; filename="letters-` + b.Date.String() + `.pdf"`, Body: b.PDF}, nil
		})

	// Pauses.
	huma.Register(api, huma.Operation{OperationID: "get-pause", Method: http.MethodGet, Path: "/v1/customers/{id}/pause",
		Summary: "A customer's pause of chasing", Tags: tags},
		func(ctx context.Context, in *IDParam) (*bodyOut[Pause], error) {
			p, err := s.svc.CustomerPause(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Pause]{Body: pauseOut(in.ID, p)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "put-pause", Method: http.MethodPut, Path: "/v1/customers/{id}/pause",
		Summary: "Pause chasing of a customer until a date", Tags: tags,
		Description: "No reminder or escalation step is taken and queued collections messages are withdrawn by the re-check while it lasts; plans are still followed. Chasing resumes on until. Replaces an earlier pause (agents; audited)."},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body service.PauseInput
		}) (*bodyOut[Pause], error) {
			p, err := s.svc.PauseCustomer(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Pause]{Body: pauseOut(in.ID, p)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-pause", Method: http.MethodDelete, Path: "/v1/customers/{id}/pause",
		Summary: "Lift a customer's pause", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *IDParam) (*struct{}, error) {
			if err := s.svc.ResumeCustomer(ctx, in.ID); err != nil {
				return nil, s.fail(err)
			}
			return &struct{}{}, nil
		})
}
