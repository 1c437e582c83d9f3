package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ids"
	"settle/internal/notify"
	"settle/internal/store"
	"settle/internal/text"
)

// FollowUpInput books a follow-up call or meeting with a customer.
type FollowUpInput struct {
	With          string `json:"with,omitempty" doc:"Who the customer will speak to, e.g. \"Anna Schmidt, Accounts\" (default: the creditor)" maxLength:"200"`
	LengthMinutes int    `json:"length_minutes,omitempty" doc:"15 to 120 (default 30)"`
	After         string `json:"after,omitempty" doc:"RFC 3339: the earliest time to consider (default now); the slot is at least 24 hours later"`
	Note          string `json:"note,omitempty" maxLength:"4000"`
}

// FollowUpView is the booked slot, its invite and what was queued.
type FollowUpView struct {
	Start, End time.Time // UTC
	Location   *time.Location
	ICS        []byte
	MessageID  string // the invitation email (empty when the customer has no email address)
	TaskID     string
}

// BookFollowUp finds the next convenient slot — a business day, inside the
// call window (mid-morning) in the customer's time zone, at least 24 hours
// ahead (collect.NextMeetingSlot) — and queues the invitation email with
// an iCalendar request attached, a task for the agent and a note in the
// customer's history, in one transaction.
func (s *Service) BookFollowUp(ctx context.Context, customer string, in FollowUpInput) (*FollowUpView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	var fs apperr.Fields
	length := 30 * time.Minute
	if in.LengthMinutes != 0 {
		if in.LengthMinutes < 15 || in.LengthMinutes > 120 {
			fs.Add("length_minutes", "%d must be between 15 and 120", in.LengthMinutes)
		}
		length = time.Duration(in.LengthMinutes) * time.Minute
	}
	after := s.now()
	if v := strings.TrimSpace(in.After); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		switch {
		case err != nil:
			fs.Add("after", "%q is not an RFC 3339 instant", v)
		case !civil.In(t, time.UTC).InRange():
			// 9999-12-31 was a 500 (the slot search ran past year 9999).
			fs.Add("after", "%q is outside the supported dates %s to %s", v, civil.MinDate, civil.MaxDate)
		}
		if err == nil && t.After(after) {
			after = t
		}
	}
	text.Field(&fs, "with", strings.TrimSpace(in.With), text.Name)
	text.NoteField(&fs, "note", strings.TrimSpace(in.Note), text.Note)
	if err := fs.Err("follow-up"); err != nil {
		return nil, err
	}
	var view *FollowUpView
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		party := collect.Party{Kind: c.Kind, Jurisdiction: c.Jurisdiction, TimeZone: c.TimeZone}
		start, loc := collect.NextMeetingSlot(party, after, collect.MinMeetingLead, length, collect.DefaultRules())
		if start.IsZero() {
			return apperr.Errorf(apperr.Conflict, "no convenient slot in the next year for %s", c.Name)
		}
		if !civil.In(start, time.UTC).InRange() {
			// A derived date stays in range like a typed one.
			return apperr.Field("after", "the first slot after it, %s, is after %s", start.Format(time.RFC3339), civil.MaxDate)
		}
		view = &FollowUpView{Start: start.UTC(), End: start.Add(length).UTC(), Location: loc}
		with := strings.TrimSpace(in.With)
		if with == "" {
			with = s.Creditor
		}
		optOut, err := s.optOutURL(ctx, tx, c.ID, tx.Now())
		if err != nil {
			return err
		}
		d := notify.MessageData{Creditor: s.Creditor, CustomerName: c.Name, Locale: c.Locale, Tone: toneOf(c.Style), Channel: notify.ChannelEmail,
			AsOf: civil.In(tx.Now(), loc), OptOutURL: optOut, Meeting: &notify.MeetingLine{Start: start, Location: loc, Length: length, With: with}}
		uid := ids.New("fup") + "@settle"
		organizer := s.MailFrom
		if view.ICS, err = notify.InviteFor(d, uid, organizer, attendee(c.Email), tx.Now()); err != nil {
			return err
		}
		task := &store.Task{CustomerID: c.ID, Queue: "tier1", Kind: "call", DueAt: view.Start, Status: store.TaskOpen,
			Reason: fmt.Sprintf("follow-up booked with %s for %s (%s)", with, start.In(loc).Format("Mon 2 Jan 2006 15:04"), loc), DedupeKey: "followup:" + uid}
		if view.TaskID, _, err = tx.InsertTask(ctx, task); err != nil {
			return err
		}
		// The invitation waits for the contact hours like any email (booked
		// at night, it goes out in the morning); nothing is queued for a
		// customer opted out of email.
		at, allowed, err := emailSlot(ctx, tx, c, "")
		if err != nil {
			return err
		}
		if c.Email != "" && allowed {
			r, err := notify.Render(notify.StepFollowUp, d)
			if err != nil {
				return err
			}
			m := &store.Message{CustomerID: c.ID, Channel: "email", Step: notify.StepFollowUp, Tone: d.Tone, Locale: c.Locale,
				ScheduledFor: at.UTC(), Status: store.MessageQueued, Subject: r.Subject, Body: r.Text, DedupeKey: "followup:" + uid,
				Attachments: []store.MessageAttachment{{Name: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Data: view.ICS}}}
			if view.MessageID, _, err = tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("Follow-up booked with %s: %s–%s %s", with, start.In(loc).Format("Mon 2 Jan 2006 15:04"),
			start.Add(length).In(loc).Format("15:04"), loc)
		if n := strings.TrimSpace(in.Note); n != "" {
			summary += ". " + n
		}
		if err := tx.InsertInteraction(ctx, &store.Interaction{CustomerID: c.ID, Kind: "note", Summary: summary, Actor: a.ID,
			FollowUp: "task:" + view.TaskID}); err != nil {
			return err
		}
		return audit(ctx, tx, "followup.book", "customer", c.ID, map[string]any{"start": view.Start, "length_minutes": int(length / time.Minute),
			"task_id": view.TaskID, "message_id": view.MessageID})
	})
	return view, err
}

// attendee is the customer's address for the invite, or a placeholder
// when there is none (the invite is then only returned, not sent).
func attendee(email string) string {
	if strings.TrimSpace(email) == "" {
		return "customer@settle.invalid"
	}
	return email
}
