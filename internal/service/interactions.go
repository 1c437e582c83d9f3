package service

import (
	"context"
	"settle/internal/civil"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/store"
	"settle/internal/text"
)

// Interaction kinds, directions, reason categories and claim kinds
// (domain.md §1: facts versus excuses).
var (
	interactionKinds = map[string]bool{"call": true, "email": true, "letter": true, "sms": true, "meeting": true, "note": true}
	directions       = map[string]bool{"inbound": true, "outbound": true}
	// ReasonCategories are what a customer gives as the reason for paying late.
	ReasonCategories = map[string]string{
		"cash_flow":    "Cash-flow problem",
		"dispute":      "Disputes the invoice or the goods/service",
		"not_received": "Never received the invoice",
		"hardship":     "Personal or financial hardship",
		"admin_delay":  "Administrative delay (approval, purchase order, payment run)",
		"forgot":       "Forgot / oversight",
		"other":        "Other",
	}
	claims = map[string]bool{"fact": true, "unverified": true}
)

// ReasonInput is what the customer said, and whether it is a verified fact.
type ReasonInput struct {
	Category string `json:"category" doc:"cash_flow, dispute, not_received, hardship, admin_delay, forgot or other"`
	Claim    string `json:"claim,omitempty" doc:"fact (verified, with evidence) or unverified (default)"`
	Evidence string `json:"evidence,omitempty" doc:"What was seen: bank statement, remittance advice, …" maxLength:"4000"`
}

// InteractionInput records a call, email, meeting or note.
type InteractionInput struct {
	Kind       string       `json:"kind" doc:"call, email, letter, sms, meeting or note"`
	Direction  string       `json:"direction,omitempty" doc:"inbound or outbound (not for notes)"`
	OccurredAt string       `json:"occurred_at,omitempty" doc:"RFC 3339 (default now)"`
	Summary    string       `json:"summary" maxLength:"4000"`
	Reason     *ReasonInput `json:"reason,omitempty"`
	InvoiceIDs []string     `json:"invoice_ids,omitempty" doc:"Invoices it concerns (ids or numbers)"`
	// Conversation defaults to true for a call that states a reason (we
	// spoke to the customer) and false otherwise.
	Conversation *bool `json:"conversation,omitempty" doc:"A call that reached the customer: no further calls about the debt for 7 days (Regulation F). Default: true for a call with a stated reason"`
}

// InteractionView is a stored interaction and what it triggered.
type InteractionView struct {
	Interaction store.Interaction
	Resend      *store.Message // the invoice copy queued for a "not received" reason (the first, when the invoices are in several currencies)
}

// CreateInteraction records a contact with a customer. A stated reason
// "not_received" queues a copy of the open invoices (queueInvoiceCopies:
// an email in the customer's language with the invoices as PDFs, at the
// next allowed email slot, delivered by the collections run's sender).
func (s *Service) CreateInteraction(ctx context.Context, customer string, in InteractionInput) (*InteractionView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	var fs apperr.Fields
	it := store.Interaction{Kind: strings.ToLower(strings.TrimSpace(in.Kind)), Direction: strings.ToLower(strings.TrimSpace(in.Direction)),
		Summary: strings.TrimSpace(in.Summary), Actor: a.ID}
	if !interactionKinds[it.Kind] {
		fs.Add("kind", "%q must be call, email, letter, sms, meeting or note", in.Kind)
	}
	switch {
	case it.Kind == "note" && it.Direction != "":
		fs.Add("direction", "a note has no direction")
	case it.Kind != "note" && it.Kind != "" && !directions[it.Direction]:
		fs.Add("direction", "%q must be inbound or outbound", in.Direction)
	}
	if it.Summary == "" {
		fs.Add("summary", "is required")
	} else {
		text.NoteField(&fs, "summary", it.Summary, text.Note)
	}
	now := s.now()
	if v := strings.TrimSpace(in.OccurredAt); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		switch {
		case err != nil:
			fs.Add("occurred_at", "%q is not an RFC 3339 instant", v)
		case !civil.In(t, time.UTC).InRange():
			fs.Add("occurred_at", "%q is outside the supported dates %s to %s", v, civil.MinDate, civil.MaxDate)
		case t.After(now.Add(5 * time.Minute)):
			fs.Add("occurred_at", "%s is in the future", v)
		}
		it.OccurredAt = t.UTC()
	}
	if r := in.Reason; r != nil {
		it.ReasonCategory = strings.ToLower(strings.TrimSpace(r.Category))
		it.Claim = strings.ToLower(strings.TrimSpace(r.Claim))
		it.Evidence = strings.TrimSpace(r.Evidence)
		text.NoteField(&fs, "reason.evidence", it.Evidence, text.Note)
		if _, ok := ReasonCategories[it.ReasonCategory]; !ok {
			fs.Add("reason.category", "%q must be one of cash_flow, dispute, not_received, hardship, admin_delay, forgot, other", r.Category)
		}
		if it.Claim == "" {
			it.Claim = "unverified"
		}
		if !claims[it.Claim] {
			fs.Add("reason.claim", "%q must be fact or unverified", r.Claim)
		}
		if it.Claim == "fact" && it.Evidence == "" {
			fs.Add("reason.evidence", "a fact needs the evidence seen (e.g. bank statement)")
		}
		if len(it.Evidence) > 1000 {
			fs.Add("reason.evidence", "must be at most 1000 characters")
		}
	}
	switch {
	case in.Conversation != nil && *in.Conversation && it.Kind != "call" && it.Kind != "meeting":
		fs.Add("conversation", "only a call or a meeting is a conversation")
	case in.Conversation != nil:
		it.Conversation = *in.Conversation
	default:
		it.Conversation = it.Kind == "call" && it.ReasonCategory != ""
	}
	if len(in.InvoiceIDs) > 100 {
		fs.Add("invoice_ids", "at most 100")
	}
	if err := fs.Err("interaction"); err != nil {
		return nil, err
	}
	var view *InteractionView
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		it.CustomerID = c.ID
		var invs []ledger.Invoice
		for _, ref := range in.InvoiceIDs {
			inv, err := tx.Invoice(ctx, ref)
			if err != nil {
				return fieldNotFound("invoice_ids", err)
			}
			if inv.CustomerID != c.ID {
				return apperr.Field("invoice_ids", "invoice %s belongs to another customer", inv.Number)
			}
			invs = append(invs, *inv)
			it.InvoiceIDs = append(it.InvoiceIDs, inv.ID)
		}
		it.ID = ids.New(ids.Interaction)
		view = &InteractionView{}
		if it.ReasonCategory == "not_received" {
			if len(invs) == 0 {
				// Unnamed: every open invoice.
				list, _, err := tx.Invoices(ctx, store.InvoiceFilter{CustomerID: c.ID, Status: ledger.StatusOpen, Page: store.Page{Limit: 100}})
				if err != nil {
					return err
				}
				invs = list
			}
			ms, err := s.queueInvoiceCopies(ctx, tx, c, invs, "resend:"+it.ID)
			if err != nil {
				return err
			}
			if len(ms) > 0 {
				view.Resend = ms[0]
				var msgIDs []string
				for _, m := range ms {
					msgIDs = append(msgIDs, m.ID)
				}
				it.FollowUp = "resend_invoice:" + strings.Join(msgIDs, ",")
			}
		}
		if err := tx.InsertInteraction(ctx, &it); err != nil {
			return err
		}
		view.Interaction = it
		return audit(ctx, tx, "interaction.create", "customer", c.ID, map[string]any{"interaction_id": it.ID, "input": in})
	})
	return view, err
}

// Interactions lists a customer's interactions, oldest first.
func (s *Service) Interactions(ctx context.Context, customer string, page store.Page) ([]store.Interaction, string, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	var out []store.Interaction
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		out, next, err = tx.Interactions(ctx, store.InteractionFilter{CustomerID: c.ID, Page: page})
		return err
	})
	return out, next, err
}

// Messages lists the outbox.
func (s *Service) Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, string, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	var out []store.Message
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		id, err := customerFilter(ctx, tx, f.CustomerID)
		if err != nil {
			return err
		}
		f.CustomerID = id
		out, next, err = tx.Messages(ctx, f)
		return err
	})
	return out, next, err
}

// OptOutInput opts a customer out of a channel, or back in.
type OptOutInput struct {
	Channel  string `json:"channel" doc:"email, sms, letter or call"`
	OptedOut bool   `json:"opted_out" doc:"true: stop using the channel; false: the customer opts back in"`
	Source   string `json:"source,omitempty" doc:"How the customer asked: email_link, sms_reply, call, letter, portal" maxLength:"64"`
}

// SetOptOut records a customer's opt-out of a channel (or its lifting).
// The daily run never uses an opted-out channel (Regulation F §1006.6(e),
// §1006.14(h)); a step's other channels still go.
func (s *Service) SetOptOut(ctx context.Context, customer string, in OptOutInput) (map[string]bool, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	ch := strings.ToLower(strings.TrimSpace(in.Channel))
	switch ch {
	case "email", "sms", "letter", "call":
	default:
		return nil, apperr.Field("channel", "%q must be email, sms, letter or call", in.Channel)
	}
	if msg := text.Check(strings.TrimSpace(in.Source), text.Code); msg != "" {
		return nil, apperr.Field("source", "%s", msg)
	}
	var out map[string]bool
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		if err := tx.SetOptOut(ctx, c.ID, ch, in.OptedOut, strings.TrimSpace(in.Source)); err != nil {
			return err
		}
		m, err := tx.OptOuts(ctx, []string{c.ID})
		if err != nil {
			return err
		}
		out = m[c.ID]
		if out == nil {
			out = map[string]bool{}
		}
		return audit(ctx, tx, "customer.opt_out", "customer", c.ID, in)
	})
	return out, err
}

// OptOuts returns the channels a customer opted out of.
func (s *Service) OptOuts(ctx context.Context, customer string) (map[string]bool, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var out map[string]bool
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		m, err := tx.OptOuts(ctx, []string{c.ID})
		out = m[c.ID]
		if out == nil {
			out = map[string]bool{}
		}
		return err
	})
	return out, err
}
