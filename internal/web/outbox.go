package web

import (
	"net/http"
	"net/url"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
)

// The outbox (docs/web.md): every queued message as it would leave now
// (service.Outbox renders and re-checks it as delivery would, writing
// nothing), with hold, release, skip, send now, edit and approve (one or
// in bulk); the day's print batch of letters and "mark posted". Viewers
// read; agents act. The customer's pause panel (loaded into the
// customer's page) is here too.

func (s *Server) outboxRoutes() {
	m := s.mux
	m.HandleFunc("GET /outbox", s.user(s.outbox))
	m.HandleFunc("POST /outbox/approve", s.user(s.actor(s.outboxApprove)))
	m.HandleFunc("POST /outbox/posted", s.user(s.actor(s.outboxPosted)))
	m.HandleFunc("GET /outbox/print", s.user(s.outboxPrint))
	m.HandleFunc("GET /outbox/{id}/letter.pdf", s.user(s.outboxLetter))
	m.HandleFunc("GET /outbox/{id}/email.html", s.user(s.outboxEmailHTML))
	m.HandleFunc("POST /outbox/{id}", s.user(s.actor(s.outboxAction)))
	m.HandleFunc("GET /customers/{id}/pause", s.user(s.pausePanel))
	m.HandleFunc("POST /customers/{id}/pause", s.user(s.actor(s.pauseAction)))
}

var outboxStates = []struct{ Key, Name string }{
	{"", "All queued"}, {service.OutboxQueued, "Queued"}, {service.OutboxHeld, "Held"}, {service.OutboxAwaitingApproval, "Awaiting approval"},
}

type outboxView struct {
	State, Channel string
	States         []queueTab
	Items          []outboxRow
	Awaiting       []string // ids of the shown messages awaiting approval
	More           string   // the next page's link ("" none)
	CanAct         bool
	Alert, Notice  string
	ApproveError   string // a bulk approval refused
	// The print batch panel.
	PrintDate  string
	PrintError string // beside the date field
	Letters    []store.Message
	PostError  string
}

type outboxRow struct {
	service.OutboxItem
	Letter string // the letter's attachment name ("" not a letter)
	Form   outboxForm
	Holder string // who held it, by name (holderName)
}

// outboxForm is an action's form as posted, with field errors.
type outboxForm struct {
	Reason, Subject, Body string
	Errors                map[string]string
}

func (f outboxForm) Error(field string) string { return f.Errors[field] }

// CanSelect: the row has a checkbox for the bulk approval.
func (r outboxRow) CanSelect(v *outboxView) bool {
	return v.CanAct && r.State == service.OutboxAwaitingApproval
}

func validState(st string) string {
	for _, k := range outboxStates {
		if st == k.Key {
			return st
		}
	}
	return ""
}

func validChannel(ch string) string {
	switch ch {
	case notify.ChannelEmail, notify.ChannelLetter, notify.ChannelSMS:
		return ch
	}
	return ""
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	q := r.URL.Query()
	v, err := s.outboxView(r, u, q.Get("state"), q.Get("channel"), q.Get("cursor"), q.Get("date"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Notice = outboxNotice(q.Get("done"))
	s.render(w, r, http.StatusOK, "outbox", "", pageFor(u, "Outbox", "outbox", v))
}

func outboxNotice(done string) string {
	switch done {
	case "hold":
		return "Held: it stays in the outbox and is not sent until released."
	case "release":
		return "Released: it leaves at its scheduled time."
	case "skip":
		return "Skipped: withdrawn with your reason; it will not be sent."
	case "send":
		return "Scheduled to leave now: the next delivery pass sends it."
	case "send-later":
		return "The contact rules do not allow now: scheduled for the next allowed time (shown on the message)."
	case "edit":
		return "Saved: the message leaves with your words (still re-checked before it leaves)."
	case "approve":
		return "Approved: the messages leave at their scheduled times."
	case "posted":
		return "Marked posted: the letters show as sent."
	}
	return ""
}

func (s *Server) outboxView(r *http.Request, u *service.SignedIn, state, channel, cursor, date string) (*outboxView, error) {
	v := &outboxView{State: validState(state), Channel: validChannel(channel), CanAct: canAct(u)}
	for _, k := range outboxStates {
		v.States = append(v.States, queueTab{Key: k.Key, Name: k.Name, Current: k.Key == v.State})
	}
	ctx := r.Context()
	items, next, err := s.svc.Outbox(ctx, service.OutboxFilter{Page: store.Page{Limit: 50, Cursor: cursor}, Channel: v.Channel, State: v.State})
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		row := outboxRow{OutboxItem: it}
		if it.HeldBy != "" {
			row.Holder = s.holderName(r, it.HeldBy)
		}
		for _, a := range it.Attachments {
			if it.Channel == notify.ChannelLetter && a.ContentType == "application/pdf" {
				row.Letter = a.Name
			}
		}
		if it.State == service.OutboxAwaitingApproval {
			v.Awaiting = append(v.Awaiting, it.ID)
		}
		v.Items = append(v.Items, row)
	}
	if next != "" {
		v.More = "/outbox?" + url.Values{"state": {v.State}, "channel": {v.Channel}, "cursor": {next}}.Encode()
	}
	v.PrintDate = s.svc.Today().String()
	if d, err := civil.Parse(strings.TrimSpace(date)); err == nil {
		v.PrintDate = d.String()
	}
	if d, err := civil.Parse(v.PrintDate); err == nil {
		if v.Letters, err = s.svc.LettersToPrint(ctx, d); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// outboxAction is one message's action: hold, release, skip, send, edit
// or approve.
func (s *Server) outboxAction(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	action := pf.Get("action")
	f := outboxForm{Reason: pf.Get("reason"), Subject: pf.Get("subject"), Body: pf.Get("body")}
	ctx := r.Context()
	var err error
	done := action
	switch action {
	case "hold":
		_, err = s.svc.HoldMessage(ctx, id)
	case "release":
		_, err = s.svc.ReleaseMessage(ctx, id)
	case "skip":
		_, err = s.svc.SkipMessage(ctx, id, f.Reason)
	case "send":
		var res *service.SendNowResult
		if res, err = s.svc.SendMessageNow(ctx, id); err == nil && !res.Now {
			done = "send-later"
		}
	case "edit":
		_, err = s.svc.EditMessage(ctx, id, service.MessageEdit{Subject: &f.Subject, Body: &f.Body})
	case "approve":
		_, err = s.svc.ApproveMessages(ctx, []string{id})
		if ae, ok := err.(*apperr.Error); ok && ae.Code == apperr.Invalid && len(ae.Fields) > 0 {
			err = apperr.Errorf(apperr.Conflict, "%s", ae.Fields[0].Message)
		}
	default:
		s.errorPage(w, r, http.StatusBadRequest, "Unknown action.")
		return
	}
	back := url.Values{"state": {validState(pf.Get("state"))}, "channel": {validChannel(pf.Get("channel"))}}
	if err == nil {
		back.Set("done", done)
		http.Redirect(w, r, "/outbox?"+back.Encode()+"#msg-"+id, http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	v, verr := s.outboxView(r, u, pf.Get("state"), pf.Get("channel"), "", "")
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	v.Alert = alert
	f.Errors = fields
	for i := range v.Items {
		if v.Items[i].ID == id {
			v.Items[i].Form = f
		}
	}
	if fields != nil && !v.hasItem(id) {
		v.Alert = err.Error() // the message is not on the page shown: say it at the top
	}
	s.render(w, r, status, "outbox", "", pageFor(u, "Outbox", "outbox", v))
}

func (v *outboxView) hasItem(id string) bool {
	for _, it := range v.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}

// outboxApprove approves the selected messages (ids), or all shown.
func (s *Server) outboxApprove(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	pf := r.PostForm
	ids := pf["ids"]
	_, err := s.svc.ApproveMessages(r.Context(), ids)
	back := url.Values{"state": {validState(pf.Get("state"))}, "channel": {validChannel(pf.Get("channel"))}}
	if err == nil {
		back.Set("done", "approve")
		http.Redirect(w, r, "/outbox?"+back.Encode(), http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	v, verr := s.outboxView(r, u, pf.Get("state"), pf.Get("channel"), "", "")
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	v.Alert = alert
	var msgs []string
	for _, m := range fields {
		msgs = append(msgs, m)
	}
	v.ApproveError = strings.Join(msgs, "; ")
	s.render(w, r, status, "outbox", "", pageFor(u, "Outbox", "outbox", v))
}

// outboxPosted marks letters posted: the ids checked in the print panel.
func (s *Server) outboxPosted(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	pf := r.PostForm
	_, err := s.svc.MarkPosted(r.Context(), pf["ids"])
	if err == nil {
		http.Redirect(w, r, "/outbox?"+url.Values{"done": {"posted"}, "date": {pf.Get("date")}}.Encode()+"#print", http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	v, verr := s.outboxView(r, u, "", "", "", pf.Get("date"))
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	v.Alert = alert
	var msgs []string
	for _, m := range fields {
		msgs = append(msgs, m)
	}
	v.PostError = strings.Join(msgs, "; ")
	s.render(w, r, status, "outbox", "", pageFor(u, "Outbox", "outbox", v))
}

// outboxPrint downloads the print batch of a date (agents: printing
// withdraws the letters that became moot).
func (s *Server) outboxPrint(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if !canAct(u) {
		s.errorPage(w, r, http.StatusForbidden, "Your role can see this page but not print letters.")
		return
	}
	date := r.URL.Query().Get("date")
	b, err := s.svc.PrintLetters(r.Context(), date)
	if err == nil && len(b.PDF) > 0 {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="letters-`+b.Date.String()+`.pdf"`)
		w.Write(b.PDF)
		return
	}
	status := http.StatusNotFound
	var printErr, alert string
	if err != nil {
		fields, a, st, ok := formErrors(err, nil)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		status, alert, printErr = st, a, fields["date"]
	} else {
		printErr = "No letters are left to print for " + b.Date.String() + "."
		if len(b.Withdrawn) > 0 {
			printErr += " The re-check withdrew the ones that became moot."
		}
	}
	v, verr := s.outboxView(r, u, "", "", "", date)
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	v.Alert, v.PrintError = alert, printErr
	if strings.TrimSpace(date) != "" {
		v.PrintDate = date
	}
	s.render(w, r, status, "outbox", "", pageFor(u, "Outbox", "outbox", v))
}

// outboxLetter is a queued letter's PDF, as it will be printed.
func (s *Server) outboxLetter(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	m, err := s.svc.Message(r.Context(), id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			s.errorPage(w, r, http.StatusNotFound, "There is no message "+id+".")
			return
		}
		s.serverError(w, r, err)
		return
	}
	for _, a := range m.Attachments {
		if a.ContentType != "application/pdf" {
			continue
		}
		att, err := s.svc.MessageAttachment(r.Context(), id, a.Name)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="`+att.Name+`"`)
		w.Write(att.Data)
		return
	}
	s.errorPage(w, r, http.StatusNotFound, "Message "+id+" has no letter.")
}

// outboxEmailHTML serves the HTML part of a queued email as it would
// leave now, for the sandboxed frame of its card, under EmailFrameCSP
// (as the template preview does: nothing may load or run).
func (s *Server) outboxEmailHTML(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	it, err := s.svc.OutboxMessage(r.Context(), id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			s.errorPage(w, r, http.StatusNotFound, "There is no message "+id+".")
			return
		}
		s.serverError(w, r, err)
		return
	}
	if it.Preview.HTML == "" {
		s.errorPage(w, r, http.StatusNotFound, "Message "+id+" has no HTML part (an edited message leaves as plain text).")
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", EmailFrameCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(it.Preview.HTML))
}

// ---- the customer's pause -------------------------------------------------------------

type pauseView struct {
	CustomerID, Name string
	Pause            *store.CustomerPause
	CanAct           bool
	Until, Reason    string
	Errors           map[string]string
	Alert            string
}

func (v pauseView) Error(field string) string { return v.Errors[field] }

// pausePanel is the customer's pause: the panel the customer's page loads
// (htmx), or a page of its own without JavaScript.
func (s *Server) pausePanel(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	v, err := s.pauseView(r, u, r.PathValue("id"))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			s.errorPage(w, r, http.StatusNotFound, "There is no customer "+r.PathValue("id")+".")
			return
		}
		s.serverError(w, r, err)
		return
	}
	block := ""
	if r.Header.Get("HX-Request") == "true" {
		block = "pause-panel"
	}
	s.render(w, r, http.StatusOK, "pause", block, pageFor(u, "Pause chasing", "customers", v))
}

func (s *Server) pauseView(r *http.Request, u *service.SignedIn, id string) (*pauseView, error) {
	c, err := s.svc.Customer(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p, err := s.svc.CustomerPause(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	return &pauseView{CustomerID: c.ID, Name: c.Name, Pause: p, CanAct: canAct(u)}, nil
}

// pauseAction pauses (until, reason) or resumes chasing.
func (s *Server) pauseAction(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	var err error
	if pf.Get("action") == "resume" {
		err = s.svc.ResumeCustomer(r.Context(), id)
	} else {
		_, err = s.svc.PauseCustomer(r.Context(), id, service.PauseInput{Until: pf.Get("until"), Reason: pf.Get("reason")})
	}
	if err == nil {
		http.Redirect(w, r, "/customers/"+url.PathEscape(id)+"#pause", http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	v, verr := s.pauseView(r, u, id)
	if verr != nil {
		if apperr.CodeOf(verr) == apperr.NotFound {
			s.errorPage(w, r, http.StatusNotFound, "There is no customer "+id+".")
			return
		}
		s.serverError(w, r, verr)
		return
	}
	v.Until, v.Reason, v.Errors, v.Alert = pf.Get("until"), pf.Get("reason"), fields, alert
	s.render(w, r, status, "pause", "", pageFor(u, "Pause chasing", "customers", v))
}
