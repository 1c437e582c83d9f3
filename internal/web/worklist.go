package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
)

// The worklist: an agent's queue, highest priority first (amount × risk ×
// age, as the run ranked it), with the next action and, in one or two
// clicks, claim, release or complete with an outcome. Completing records
// the call and feeds the outcome back (service.UpdateTask): a promise
// pauses the ladder, a dispute marks the invoices, "no answer" counts
// toward the call caps.

// worklistQueues are the queues an agent works, in tab order.
var worklistQueues = []string{"tier1", "tier2", "legal"}

// taskOutcomes are the outcomes offered when completing a task.
var taskOutcomes = []struct{ Value, Label string }{
	{"reached", "Spoke to the customer"},
	{"promise_made", "Promise to pay"},
	{"dispute_raised", "Dispute raised"},
	{"no_answer", "No answer"},
	{"wrong_number", "Wrong number"},
	{"escalated", "Escalated"},
	{"resolved", "Resolved"},
}

type worklistView struct {
	Queue    string
	Queues   []queueTab
	Tasks    []taskRow
	Outcomes []struct{ Value, Label string }
	Alert    string // a problem with the last action that belongs to no field
	Notice   string // what the last action did
}

type queueTab struct {
	Key, Name string
	Current   bool
}

type taskRow struct {
	store.Task
	Card     *service.TaskCard // overdue, days late, phone, local time, whether a call is allowed now
	Why      string            // the reason, as a sentence: the next best action
	Customer string            // name (external ref)
	Mine     bool
	Holder   string   // who holds a claimed task that is not Mine, by name
	Form     taskForm // what was entered, with errors, after a failed action
}

// taskForm is a completion form as entered, with field errors.
type taskForm struct {
	Outcome, Note                              string
	PromiseAmount, PromiseCurrency, PromiseDue string
	DisputeInvoices                            string
	Errors                                     map[string]string // field → message
}

func (f taskForm) Error(field string) string { return f.Errors[field] }

func validQueue(q string) string {
	for _, k := range worklistQueues {
		if q == k {
			return q
		}
	}
	return "tier1"
}

// worklist shows a queue's open and claimed tasks.
func (s *Server) worklist(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	q := r.URL.Query()
	v, err := s.worklistView(r, u, validQueue(q.Get("queue")))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Notice = noticeText(q.Get("done"))
	s.render(w, r, http.StatusOK, "worklist", "", pageFor(u, "Worklist", "worklist", v))
}

func noticeText(done string) string {
	switch done {
	case "claim":
		return "Task claimed: it is yours until you complete or release it."
	case "release":
		return "Task released back to the queue."
	case "complete":
		return "Task completed and its outcome recorded."
	}
	return ""
}

func (s *Server) worklistView(r *http.Request, u *service.SignedIn, queue string) (*worklistView, error) {
	v := &worklistView{Queue: queue, Outcomes: taskOutcomes}
	for _, k := range worklistQueues {
		v.Queues = append(v.Queues, queueTab{Key: k, Name: queueName(k), Current: k == queue})
	}
	ctx := r.Context()
	names := map[string]string{}
	holders := map[string]string{} // ClaimedBy → the holder's name
	for _, status := range []string{store.TaskClaimed, store.TaskOpen} {
		tasks, _, err := s.svc.Tasks(ctx, store.TaskFilter{Queue: queue, Status: status, Page: store.Page{Limit: 100}})
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			name, ok := names[t.CustomerID]
			if !ok {
				c, err := s.svc.Customer(ctx, t.CustomerID)
				switch {
				case err != nil:
					name = t.CustomerID
				case c.ExternalRef != "":
					name = c.Name + " (" + c.ExternalRef + ")"
				default:
					name = c.Name
				}
				names[t.CustomerID] = name
			}
			card, err := s.svc.TaskCard(ctx, t, s.svc.Now())
			if err != nil {
				return nil, err
			}
			for i := range card.Reasons {
				card.Reasons[i] = plainReason(card.Reasons[i])
			}
			why := plainReason(t.Reason)
			if len(card.Reasons) > 0 {
				why = card.Reasons[len(card.Reasons)-1] // the latest; the earlier ones are listed below it
			}
			// A claim from the worklist or the API records the actor
			// ("user:usr_…"); the run claims a key account's call for its
			// owner by user id ("usr_…"). Either is the signed-in user's.
			mine := t.ClaimedBy == u.Actor.ID || (u.User.ID != "" && t.ClaimedBy == u.User.ID)
			row := taskRow{Task: t, Card: card, Why: sentence(why), Customer: name, Mine: mine}
			if t.Status == store.TaskClaimed && !row.Mine {
				h, ok := holders[t.ClaimedBy]
				if !ok {
					h = s.holderName(r, t.ClaimedBy)
					holders[t.ClaimedBy] = h
				}
				row.Holder = h
			}
			v.Tasks = append(v.Tasks, row)
		}
	}
	return v, nil
}

// holderName names who holds a claimed task: a member of staff by name
// (a claim from the worklist or the API records "user:usr_…"; the run
// claims a key account's call for its owner as "usr_…"), an API token as
// such; anything else as recorded.
func (s *Server) holderName(r *http.Request, claimedBy string) string {
	id := strings.TrimPrefix(claimedBy, "user:")
	switch {
	case strings.HasPrefix(id, "usr_"):
		u, err := s.svc.StaffUser(r.Context(), id)
		if err != nil {
			return claimedBy // a user since removed: the record is all there is
		}
		if u.Name != "" {
			return u.Name
		}
		return u.Email
	case strings.HasPrefix(claimedBy, "token:"):
		return "an API token"
	}
	return claimedBy
}

// taskAction claims, releases or completes a task from the worklist.
func (s *Server) taskAction(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	id := r.PathValue("id")
	queue := validQueue(r.PostForm.Get("queue"))
	action := r.PostForm.Get("action")
	form := taskForm{
		Outcome: r.PostForm.Get("outcome"), Note: strings.TrimSpace(r.PostForm.Get("note")),
		PromiseAmount: strings.TrimSpace(r.PostForm.Get("promise_amount")), PromiseCurrency: strings.ToUpper(strings.TrimSpace(r.PostForm.Get("promise_currency"))),
		PromiseDue: strings.TrimSpace(r.PostForm.Get("promise_due")), DisputeInvoices: strings.TrimSpace(r.PostForm.Get("dispute_invoices")),
	}
	in := service.TaskUpdate{Action: action, Outcome: form.Outcome, Note: form.Note}
	if action == "complete" {
		switch form.Outcome {
		case "":
			form.Errors = map[string]string{"outcome": "Choose what came of it."}
		case "promise_made":
			in.Promise = &service.TaskPromise{Amount: form.PromiseAmount, Currency: form.PromiseCurrency, DueDate: form.PromiseDue}
		case "dispute_raised":
			ids := strings.FieldsFunc(form.DisputeInvoices, func(r rune) bool { return r == ',' || r == ' ' })
			in.Dispute = &service.DisputeDetail{InvoiceIDs: ids}
		}
	}
	var err error
	if form.Errors == nil {
		_, err = s.svc.UpdateTask(r.Context(), id, in)
	}
	if err == nil && form.Errors == nil {
		http.Redirect(w, r, "/worklist?"+url.Values{"queue": {queue}, "done": {action}}.Encode()+"#task-"+id, http.StatusSeeOther)
		return
	}
	v, verr := s.worklistView(r, u, queue)
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	status := http.StatusUnprocessableEntity
	var ae *apperr.Error
	switch {
	case form.Errors != nil:
	case errors.As(err, &ae) && len(ae.Fields) > 0:
		form.Errors = map[string]string{}
		for _, f := range ae.Fields {
			form.Errors[formField(f.Field)] = f.Message
		}
	case errors.As(err, &ae) && (ae.Code == apperr.Conflict || ae.Code == apperr.NotFound || ae.Code == apperr.Forbidden):
		v.Alert = ae.Message
		status = map[string]int{apperr.Conflict: http.StatusConflict, apperr.NotFound: http.StatusNotFound, apperr.Forbidden: http.StatusForbidden}[ae.Code]
	default:
		s.serverError(w, r, err)
		return
	}
	for i := range v.Tasks {
		if v.Tasks[i].ID == id {
			v.Tasks[i].Form = form
		}
	}
	s.render(w, r, status, "worklist", "", pageFor(u, "Worklist", "worklist", v))
}

func init() {
	sectionFuncs["dialable"] = dialable
}

// dialable is a phone number as a tel: link dials it: the digits, after a
// leading + for an international number. People type spaces, brackets,
// dashes and dots ("+44 20 7946 0958"); RFC 3966 allows no spaces in a
// tel: URI, and a dialer given "tel:+44%2020…" may not take it as a
// number. The card still shows the number as stored.
func dialable(phone string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stepWords are the default ladder's steps as an agent says them.
var stepWords = map[string]string{
	"reminder": "reminder", "due_today": "due-today notice", "overdue": "overdue notice", "firm": "firm reminder",
	"call": "call", "demand": "demand", "final_notice": "final notice", "review": "agency or legal review",
	"plan_defaulted": "default notice", // a case stands here after a plan's default notice
}

// stepWord is a ladder step in words: the default ladder's as above, a
// policy's own step by its name with spaces for underscores.
func stepWord(step string) string {
	if w, ok := stepWords[step]; ok {
		return w
	}
	return strings.ReplaceAll(step, "_", " ")
}

// stepTitle is a message's or task's step as a heading says it: the
// template editor's label for a message step ("Final notice"), else the
// step in words with a capital.
func stepTitle(step string) string {
	if l, ok := stepLabels[step]; ok {
		return l
	}
	w := stepWord(step)
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

func init() { sectionFuncs["step"] = stepTitle }

// The places where the run's task reasons (internal/collect, service) name
// a step by its code or a date as YYYY-MM-DD.
var (
	reasonStep   = regexp.MustCompile(`\b(ladder step|after|the automated|the) ([a-z][a-z0-9_]*)( on| letter of|\b)`)
	reasonDateOn = regexp.MustCompile(`\b(on|by|due|since|of) (\d{4}-\d{2}-\d{2})\b`)
	// "9000.00 GBP", and a large account's threshold after it: "≥ 8000"
	// (major units of the same currency); not the end of an invoice
	// number ("INV-100 USD").
	reasonMoney = regexp.MustCompile(`(^|[^\w.\-])(\d+(?:\.\d+)?) ([A-Z]{3})\b(?: ≥ (\d+)\b)?`)
)

// plainReason puts a task's reason, as the run wrote it for the record,
// in the words of the rest of the page: "ladder step call (14 days after
// the due date; after firm on 2026-05-08) for INV-1" reads "the call step
// (14 days after the due date; after the firm reminder on 8 May 2026) for
// INV-1". Only the step codes in the run's phrases and the dates after
// on/by/due/since/of change (an invoice number such as INV-2026-05-01 is
// kept as it is), and amounts ("23221.30 EUR") are written as every page
// writes money ("EUR 23,221.30"); a reason in another shape is shown
// unchanged.
func plainReason(s string) string {
	s = reasonMoney.ReplaceAllStringFunc(s, func(m string) string {
		p := reasonMoney.FindStringSubmatch(m)
		cur, err := money.ParseCurrency(p[3])
		if err != nil {
			return m
		}
		a, err := money.Parse(p[2], cur)
		if err != nil {
			return m
		}
		out := p[1] + formatMoney(a.Minor(), cur)
		if p[4] != "" {
			bar, err := money.Parse(p[4], cur)
			if err != nil {
				return m
			}
			out += " ≥ " + formatMoney(bar.Minor(), cur)
		}
		return out
	})
	s = reasonStep.ReplaceAllStringFunc(s, func(m string) string {
		p := reasonStep.FindStringSubmatch(m)
		lead, step, tail := p[1], p[2], p[3]
		switch {
		case lead == "ladder step":
			return "the " + stepWord(step) + " step" + tail
		case lead == "after" && tail == " on":
			return "after the " + stepWord(step) + tail
		case lead == "the automated":
			return lead + " " + stepWord(step) + tail
		case lead == "the" && tail == " letter of":
			return "the " + stepWord(step) + tail
		}
		return m
	})
	return reasonDateOn.ReplaceAllStringFunc(s, func(m string) string {
		p := reasonDateOn.FindStringSubmatch(m)
		d, err := civil.Parse(p[2])
		if err != nil {
			return m
		}
		return p[1] + " " + formatDate(d)
	})
}

// sentence starts s with a capital letter.
func sentence(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
	}
	return s
}

// formField maps a service field name to the form's.
func formField(f string) string {
	switch f {
	case "promise.amount":
		return "promise_amount"
	case "promise.currency":
		return "promise_currency"
	case "promise.due_date", "promise":
		return "promise_due"
	case "dispute.invoice_ids":
		return "dispute_invoices"
	}
	return f
}
