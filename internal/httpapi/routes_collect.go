package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"settle/internal/service"
	"settle/internal/store"
)

// RunCreated counts what a run created.
type RunCreated struct {
	Messages int `json:"messages"`
	Tasks    int `json:"tasks"`
	Events   int `json:"events"`
}

// Run is a collections run (contract.md's shape, plus progress).
type Run struct {
	ID         string     `json:"id"`
	AsOf       string     `json:"as_of"`
	Status     string     `json:"status" doc:"running or done"`
	Created    RunCreated `json:"created" doc:"What this run created (all zero for a repeat of a finished date)"`
	Customers  int        `json:"customers"`
	Visited    int        `json:"visited"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Repeat     bool       `json:"repeat" doc:"True when the date had been run already: nothing new was created"`
}

func runOut(r store.Run, repeat bool) Run {
	o := Run{ID: r.ID, AsOf: r.AsOf.String(), Status: r.Status, Customers: r.Customers, Visited: r.Done,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Repeat: repeat,
		Created: RunCreated{Messages: r.Messages, Tasks: r.Tasks, Events: r.Events}}
	return o
}

// Task is an agent's work item.
type Task struct {
	ID         string     `json:"id"`
	CustomerID string     `json:"customer_id"`
	Queue      string     `json:"queue" doc:"tier1, tier2 or legal"`
	Kind       string     `json:"kind" doc:"call or review"`
	DueAt      time.Time  `json:"due_at"`
	Priority   int64      `json:"priority" doc:"Higher first: amount × risk × age"`
	Status     string     `json:"status" doc:"open, claimed or done"`
	Reason     string     `json:"reason"`
	InvoiceIDs []string   `json:"invoice_ids" doc:"The invoices it is about"`
	RunID      string     `json:"run_id,omitempty"`
	ClaimedBy  string     `json:"claimed_by,omitempty"`
	ClaimedAt  *time.Time `json:"claimed_at,omitempty"`
	Outcome    string     `json:"outcome,omitempty"`
	Note       string     `json:"note,omitempty"`
	DoneAt     *time.Time `json:"done_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

func taskOut(t store.Task) Task {
	return Task{ID: t.ID, CustomerID: t.CustomerID, Queue: t.Queue, Kind: t.Kind, DueAt: t.DueAt.UTC(), Priority: t.Priority, Status: t.Status,
		Reason: t.Reason, InvoiceIDs: nonNil(t.InvoiceIDs), RunID: t.RunID, ClaimedBy: t.ClaimedBy, ClaimedAt: t.ClaimedAt, Outcome: t.Outcome, Note: t.Note, DoneAt: t.DoneAt, CreatedAt: t.CreatedAt}
}

func (s *Server) collectRoutes() {
	api := s.api
	huma.Register(api, huma.Operation{OperationID: "start-run", Method: http.MethodPost, Path: "/v1/runs",
		Summary: "Run collections for a date (idempotent per date)", Tags: []string{"Collections"},
		Description: "Visits every customer once: ladder steps due (reminders, firm messages, demand letters, call and review tasks), plan installment reminders and misses, events. A second run for the same date returns the same run and creates nothing new."},
		func(ctx context.Context, in *struct{ Body service.RunInput }) (*bodyOut[Run], error) {
			v, err := s.svc.StartRun(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Run]{Body: runOut(v.Run, !v.Created)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-run", Method: http.MethodGet, Path: "/v1/runs/{id}",
		Summary: "A run by id or date", Tags: []string{"Collections"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id" doc:"run_… or YYYY-MM-DD"`
		}) (*bodyOut[Run], error) {
			r, err := s.svc.Run(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Run]{Body: runOut(*r, false)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-tasks", Method: http.MethodGet, Path: "/v1/tasks",
		Summary: "The worklist by queue, highest priority first", Tags: []string{"Collections"}},
		func(ctx context.Context, in *struct {
			PageParams
			Queue      string `query:"queue" enum:"tier1,tier2,legal,"`
			CustomerID string `query:"customer_id"`
			Status     string `query:"status" enum:"open,claimed,done,"`
		}) (*listOut[Task], error) {
			list, next, err := s.svc.Tasks(ctx, store.TaskFilter{Page: in.page(), Queue: in.Queue, CustomerID: in.CustomerID, Status: in.Status})
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Task]{Body: List[Task]{Data: []Task{}, NextCursor: next}}
			for _, t := range list {
				o.Body.Data = append(o.Body.Data, taskOut(t))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-task", Method: http.MethodPatch, Path: "/v1/tasks/{id}",
		Summary: "Claim, release or complete a task with its outcome", Tags: []string{"Collections"},
		Description: "Completing a call records it (it counts toward the call caps); promise_made records the promise (the ladder pauses), dispute_raised marks the invoices disputed."},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body service.TaskUpdate
		}) (*bodyOut[Task], error) {
			t, err := s.svc.UpdateTask(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Task]{Body: taskOut(*t)}, nil
		})
}

// Webhook is a subscription. secret is shown only in the response that
// created it.
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Active    bool      `json:"active"`
	Secret    string    `json:"secret,omitempty" doc:"The HMAC-SHA256 signing key: shown once, at creation"`
	CreatedAt time.Time `json:"created_at"`
}

func webhookOut(w store.Webhook, secret bool) Webhook {
	o := Webhook{ID: w.ID, URL: w.URL, Events: append([]string{}, w.Events...), Active: w.Active, CreatedAt: w.CreatedAt}
	if secret {
		o.Secret = w.Secret
	}
	return o
}

// WebhookDelivery is one event sent to a subscription, with its attempts.
type WebhookDelivery struct {
	ID             string          `json:"id"`
	EventID        string          `json:"event_id"`
	Event          string          `json:"event"`
	Status         string          `json:"status" doc:"pending, delivered or failed"`
	Attempts       int             `json:"attempts"`
	LastStatusCode int             `json:"last_status_code,omitempty"`
	LastError      string          `json:"last_error,omitempty"`
	NextAttemptAt  time.Time       `json:"next_attempt_at"`
	DeliveredAt    *time.Time      `json:"delivered_at,omitempty"`
	Payload        json.RawMessage `json:"payload"`
	CreatedAt      time.Time       `json:"created_at"`
}

func (s *Server) webhookRoutes() {
	api := s.api
	huma.Register(api, huma.Operation{OperationID: "create-webhook", Method: http.MethodPost, Path: "/v1/webhooks",
		Summary: "Subscribe a URL to events (admins)", Tags: []string{"Webhooks"}, DefaultStatus: http.StatusCreated,
		Description: "Deliveries are POSTed as JSON {id, type, created_at, data} with headers Settle-Event, Settle-Delivery and Settle-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of \"t.body\" under the secret>; retried with backoff until a 2xx."},
		func(ctx context.Context, in *struct{ Body service.WebhookInput }) (*bodyOut[Webhook], error) {
			v, err := s.svc.CreateWebhook(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Webhook]{Body: webhookOut(v.Webhook, v.ShowSecret)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-webhooks", Method: http.MethodGet, Path: "/v1/webhooks",
		Summary: "List subscriptions (admins)", Tags: []string{"Webhooks"}},
		func(ctx context.Context, in *PageParams) (*listOut[Webhook], error) {
			list, next, err := s.svc.Webhooks(ctx, in.page())
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Webhook]{Body: List[Webhook]{Data: []Webhook{}, NextCursor: next}}
			for _, w := range list {
				o.Body.Data = append(o.Body.Data, webhookOut(w, false))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-webhook", Method: http.MethodPut, Path: "/v1/webhooks/{id}",
		Summary: "Change a subscription's URL, events or active flag (admins)", Tags: []string{"Webhooks"}},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body service.WebhookInput
		}) (*bodyOut[Webhook], error) {
			v, err := s.svc.UpdateWebhook(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Webhook]{Body: webhookOut(v.Webhook, false)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/v1/webhooks/{id}/deliveries",
		Summary: "A subscription's deliveries with their attempts, newest first", Tags: []string{"Webhooks"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageParams
		}) (*listOut[WebhookDelivery], error) {
			list, next, err := s.svc.WebhookDeliveries(ctx, in.ID, in.page())
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[WebhookDelivery]{Body: List[WebhookDelivery]{Data: []WebhookDelivery{}, NextCursor: next}}
			for _, d := range list {
				o.Body.Data = append(o.Body.Data, WebhookDelivery{ID: d.ID, EventID: d.EventID, Event: d.Event, Status: d.Status, Attempts: d.Attempts,
					LastStatusCode: d.LastStatusCode, LastError: d.LastError, NextAttemptAt: d.NextAttemptAt.UTC(), DeliveredAt: d.DeliveredAt,
					Payload: json.RawMessage(d.Payload), CreatedAt: d.CreatedAt})
			}
			return o, nil
		})
}

// FollowUp is a booked follow-up call or meeting.
type FollowUp struct {
	Start      time.Time `json:"start" doc:"UTC"`
	End        time.Time `json:"end"`
	TimeZone   string    `json:"time_zone" doc:"The customer's zone; local_start is in it"`
	LocalStart string    `json:"local_start" doc:"e.g. 2026-11-24T10:00:00-05:00"`
	TaskID     string    `json:"task_id"`
	MessageID  string    `json:"message_id,omitempty" doc:"The invitation email in the outbox (absent when the customer has no email address)"`
	ICS        string    `json:"ics" doc:"The iCalendar request (METHOD:REQUEST) sent with the invitation"`
}

func (s *Server) followUpRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "book-follow-up", Method: http.MethodPost, Path: "/v1/customers/{id}/follow-ups",
		Summary: "Book a follow-up at the next convenient slot, with a calendar invite", Tags: []string{"Collections"}, DefaultStatus: http.StatusCreated,
		Description: "The slot is a business day, mid-morning (09:30–11:30) in the customer's time zone, at least 24 hours ahead. The invitation email with the .ics (METHOD:REQUEST), in the customer's language and tone, goes to the outbox for the next slot the contact rules allow (none when the customer opted out of email); a call task and a note are recorded."},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.FollowUpInput
		}) (*bodyOut[FollowUp], error) {
			v, err := s.svc.BookFollowUp(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[FollowUp]{Body: FollowUp{Start: v.Start, End: v.End, TimeZone: v.Location.String(),
				LocalStart: v.Start.In(v.Location).Format(time.RFC3339), TaskID: v.TaskID, MessageID: v.MessageID, ICS: string(v.ICS)}}, nil
		})
}

func (s *Server) messageRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "get-message-attachment", Method: http.MethodGet, Path: "/v1/messages/{id}/attachments/{name}",
		Summary: "A file sent with a message (a letter's PDF, a calendar invite)", Tags: []string{"Messages"},
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{"application/octet-stream": {}}}}},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Name string `path:"name"`
		}) (*pdfOut, error) {
			a, err := s.svc.MessageAttachment(ctx, in.ID, in.Name)
			if err != nil {
				return nil, s.fail(err)
			}
			return &pdfOut{ContentType: a.ContentType, Disposition: `attachment; filename="` + a.Name + `"`, Body: a.Data}, nil
		})
}

// OptOuts lists the channels a customer opted out of.
type OptOuts struct {
	CustomerID string   `json:"customer_id"`
	Channels   []string `json:"channels" doc:"Never used by the collections run"`
}

func optOutsOut(id string, m map[string]bool) OptOuts {
	o := OptOuts{CustomerID: id, Channels: []string{}}
	for _, ch := range []string{"call", "email", "letter", "sms"} {
		if m[ch] {
			o.Channels = append(o.Channels, ch)
		}
	}
	return o
}

func (s *Server) optOutRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "set-opt-out", Method: http.MethodPut, Path: "/v1/customers/{id}/opt-outs",
		Summary: "Opt a customer out of a channel (or back in)", Tags: []string{"Customers"}},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.OptOutInput
		}) (*bodyOut[OptOuts], error) {
			m, err := s.svc.SetOptOut(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[OptOuts]{Body: optOutsOut(in.ID, m)}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "get-opt-outs", Method: http.MethodGet, Path: "/v1/customers/{id}/opt-outs",
		Summary: "The channels a customer opted out of", Tags: []string{"Customers"}},
		func(ctx context.Context, in *IDParam) (*bodyOut[OptOuts], error) {
			m, err := s.svc.OptOuts(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[OptOuts]{Body: optOutsOut(in.ID, m)}, nil
		})
}
