package service

import (
	"context"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/store"
	"settle/internal/text"
)

// Task outcomes (domain.md §4): what the agent reports after the call or
// review. They feed back: a promise pauses the ladder for the customer's
// invoices, a dispute pauses the invoices named, and every call — answered
// or not — counts toward the call caps (it is recorded as an interaction).
var taskOutcomes = map[string]string{
	"reached":        "Spoke to the customer",
	"promise_made":   "The customer promised to pay",
	"dispute_raised": "The customer disputes the invoices",
	"no_answer":      "No answer",
	"wrong_number":   "Wrong number",
	"escalated":      "Escalated to the next tier",
	"resolved":       "Nothing more to do",
}

// TaskUpdate claims or completes a task.
type TaskUpdate struct {
	Action  string         `json:"action" doc:"claim, release or complete"`
	Outcome string         `json:"outcome,omitempty" doc:"complete: reached, promise_made, dispute_raised, no_answer, wrong_number, escalated or resolved"`
	Note    string         `json:"note,omitempty" maxLength:"4000"`
	Promise *TaskPromise   `json:"promise,omitempty" doc:"promise_made: the promise (the task's customer)"`
	Dispute *DisputeDetail `json:"dispute,omitempty" doc:"dispute_raised: the invoices disputed"`
}

// TaskPromise is the promise to pay made on a call.
type TaskPromise struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
	DueDate  string `json:"due_date" doc:"YYYY-MM-DD: the date the customer will pay by"`
	Note     string `json:"note,omitempty" maxLength:"2000"`
}

// DisputeDetail names the invoices a customer disputes.
type DisputeDetail struct {
	InvoiceIDs []string `json:"invoice_ids"`
	Reason     string   `json:"reason,omitempty" maxLength:"500"`
}

// Tasks lists the worklist: highest priority first.
func (s *Service) Tasks(ctx context.Context, f store.TaskFilter) ([]store.Task, string, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	var out []store.Task
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		id, err := customerFilter(ctx, tx, f.CustomerID)
		if err != nil {
			return err
		}
		f.CustomerID = id
		out, next, err = tx.Tasks(ctx, f)
		return err
	})
	return out, next, err
}

// UpdateTask claims, releases or completes a task; completing records the
// call and applies its outcome in the same transaction.
func (s *Service) UpdateTask(ctx context.Context, id string, in TaskUpdate) (*store.Task, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	if msg := text.CheckNote(strings.TrimSpace(in.Note), text.Note); msg != "" {
		return nil, apperr.Field("note", "%s", msg)
	}
	if in.Dispute != nil {
		if msg := text.Check(strings.TrimSpace(in.Dispute.Reason), text.Line); msg != "" {
			return nil, apperr.Field("dispute.reason", "%s", msg)
		}
	}
	var t *store.Task
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if t, err = tx.TaskForUpdate(ctx, id); err != nil {
			return err
		}
		now := tx.Now()
		switch strings.ToLower(strings.TrimSpace(in.Action)) {
		case "claim":
			if t.Status == store.TaskDone {
				return apperr.Errorf(apperr.Conflict, "task %s is done", t.ID)
			}
			if t.Status == store.TaskClaimed && t.ClaimedBy != a.ID {
				return apperr.Errorf(apperr.Conflict, "task %s is claimed by %s", t.ID, t.ClaimedBy)
			}
			t.Status, t.ClaimedBy, t.ClaimedAt = store.TaskClaimed, a.ID, &now
		case "release":
			if t.Status != store.TaskClaimed {
				return apperr.Errorf(apperr.Conflict, "task %s is %s, not claimed", t.ID, t.Status)
			}
			if err := holds(a, t); err != nil {
				return err
			}
			t.Status, t.ClaimedBy, t.ClaimedAt = store.TaskOpen, "", nil
		case "complete":
			if t.Status == store.TaskDone {
				return apperr.Errorf(apperr.Conflict, "task %s is done already", t.ID)
			}
			if t.Status == store.TaskClaimed {
				if err := holds(a, t); err != nil {
					return err
				}
			}
			if _, ok := taskOutcomes[in.Outcome]; !ok {
				return apperr.Field("outcome", "%q must be reached, promise_made, dispute_raised, no_answer, wrong_number, escalated or resolved", in.Outcome)
			}
			if err := s.applyOutcome(ctx, tx, t, in, now); err != nil {
				return err
			}
			t.Status, t.Outcome, t.Note, t.DoneAt = store.TaskDone, in.Outcome, strings.TrimSpace(in.Note), &now
			if t.ClaimedBy == "" {
				t.ClaimedBy, t.ClaimedAt = a.ID, &now
			}
		default:
			return apperr.Field("action", "%q must be claim, release or complete", in.Action)
		}
		if err := tx.UpdateTask(ctx, t); err != nil {
			return err
		}
		return audit(ctx, tx, "task."+strings.ToLower(in.Action), "task", t.ID, in)
	})
	return t, err
}

// holds refuses an agent acting on a task another has claimed: only the
// holder releases or completes it (an admin may, to free a task whose
// holder is away).
func holds(a Actor, t *store.Task) error {
	if t.ClaimedBy == a.ID || a.Role == RoleAdmin {
		return nil
	}
	return apperr.Errorf(apperr.Conflict, "task %s is claimed by %s: only they (or an admin) can release or complete it", t.ID, t.ClaimedBy)
}

// applyOutcome records the call as an interaction and feeds the outcome
// back: a promise, a dispute.
func (s *Service) applyOutcome(ctx context.Context, tx store.Tx, t *store.Task, in TaskUpdate, now time.Time) error {
	if t.Kind == "call" {
		summary := taskOutcomes[in.Outcome]
		if in.Note != "" {
			summary += ": " + strings.TrimSpace(in.Note)
		}
		it := &store.Interaction{CustomerID: t.CustomerID, Kind: "call", Direction: "outbound", OccurredAt: now, Summary: summary,
			InvoiceIDs: t.InvoiceIDs, Actor: ActorFrom(ctx).ID, FollowUp: "task:" + t.ID}
		switch in.Outcome {
		case "reached", "promise_made", "dispute_raised":
			// A conversation: the 7-day quiet period of Regulation F starts.
			it.Conversation = true
		}
		if err := tx.InsertInteraction(ctx, it); err != nil {
			return err
		}
	}
	switch in.Outcome {
	case "promise_made":
		if in.Promise == nil {
			return apperr.Field("promise", "is required for promise_made: amount, currency and due_date")
		}
		var fs apperr.Fields
		p := ledger.Promise{CustomerID: t.CustomerID, Channel: "call", Note: in.Promise.Note}
		p.Normalize()
		p.Amount = parseMoney(&fs, "promise.currency", in.Promise.Currency, "promise.amount", in.Promise.Amount)
		p.DueDate = parseDate(&fs, "promise.due_date", in.Promise.DueDate, true)
		if err := fs.Err("promise"); err != nil {
			return err
		}
		p.PromisedOn = s.Today()
		if err := p.Validate(); err != nil {
			return err
		}
		return tx.InsertPromise(ctx, &p)
	case "dispute_raised":
		if in.Dispute == nil || len(in.Dispute.InvoiceIDs) == 0 {
			return apperr.Field("dispute.invoice_ids", "name the invoices disputed")
		}
		for _, ref := range in.Dispute.InvoiceIDs {
			inv, err := tx.Invoice(ctx, ref)
			if err != nil {
				return fieldNotFound("dispute.invoice_ids", err)
			}
			if inv.CustomerID != t.CustomerID {
				return apperr.Field("dispute.invoice_ids", "invoice %s belongs to another customer", inv.Number)
			}
			inv.Disputed = true
			if err := tx.UpdateInvoiceFlags(ctx, inv); err != nil {
				return err
			}
		}
		_, err := reallocate(ctx, tx, t.CustomerID)
		return err
	}
	return nil
}
