package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
	"settle/internal/service"
)

// A plan's page: its terms, each installment with its status as of today
// (paid, part paid, due, late, missed), the payments counted, the
// agreement PDF, and — for agents — record the customer's acceptance of
// a proposed plan, cancel it (with a reason), or renegotiate it (a new
// version supersedes it).

type planView struct {
	Plan        plan.Plan
	BankRef     string // the reference to quote on a bank transfer
	Status      string
	Customer    ledger.Customer
	AsOf        civil.Date
	CanAct      bool
	Notice      string
	Alert       string
	Balance     string
	Total       string
	Paid        string
	Outstanding string
	Fees        string
	Missed      int
	Rows        []installmentRow
	Payments    []planPayment
	Invoices    []planInvoice
	Events      []planEventRow
	Concessions []planConcession
	Accept      acceptForm
	Cancel      cancelForm
	Reneg       renegForm
	Channels    []option
	Tracked     bool
	// Limits are the segment policy's limits shown beside the renegotiation
	// form's fields; Admin: the form offers an override reason.
	Limits *service.PlanLimits
	Admin  bool
	// OverrideBy names who overrode the policy, if anyone did.
	OverrideBy string
}

// Open: a proposed or active plan, which may be cancelled or renegotiated.
func (v planView) Open() bool { return v.Plan.Status == plan.Proposed || v.Plan.Status == plan.Active }

type installmentRow struct {
	Seq             int
	Down            bool
	DueDate         civil.Date
	Amount, Paid    string
	Status          string
	PaidOn          civil.Date
	DaysLate        int
	Principal, Int  string
	HasInterest     bool
	StatusClassName string
}

type planPayment struct {
	On                        civil.Date
	Amount, Method, Reference string
}

type planInvoice struct {
	Number             string
	IssueDate, DueDate civil.Date
	Amount, Balance    string
}

type planEventRow struct {
	On   civil.Date
	What string
}

type planConcession struct{ What, Amount, Note string }

type acceptForm struct {
	AcceptedBy, Channel string
	Errors              map[string]string
}

func (f acceptForm) Error(field string) string { return f.Errors[field] }

type cancelForm struct {
	Reason string
	Errors map[string]string
}

func (f cancelForm) Error(field string) string { return f.Errors[field] }

type renegForm struct {
	Installments, InstallmentAmount, Frequency, StartDate, DownPayment, AnnualRate string
	OverrideReason                                                                 string
	Errors                                                                         map[string]string
}

func (f renegForm) Error(field string) string { return f.Errors[field] }

var acceptChannels = []option{{"phone", "By phone"}, {"email", "By email"}, {"in_person", "In person"}, {"portal", "On the portal"}}

func civilOf(t time.Time) civil.Date { return civil.In(t, time.UTC) }

var eventNames = map[string]string{
	"plan_proposed": "Proposed", "plan_accepted": "Accepted by the customer", "plan_cancelled": "Cancelled",
	"plan_superseded": "Superseded by a new version", "plan_completed": "Completed: paid in full",
	"plan_defaulted": "Defaulted", "installment_missed": "An installment was missed",
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	v, err := s.planView(r, u, r.PathValue("id"))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			s.errorPage(w, r, http.StatusNotFound, "There is no plan "+r.PathValue("id")+".")
			return
		}
		s.serverError(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "proposed":
		v.Notice = "Plan proposed from the accepted offer. Send the customer the agreement and record their acceptance below."
	case "accept":
		v.Notice = "The customer’s acceptance is recorded: the plan is active."
	case "cancel":
		v.Notice = "Plan cancelled: its invoices are chased again."
	case "renegotiate":
		v.Notice = "New version proposed: it replaces the old one once the customer accepts it."
	}
	s.render(w, r, http.StatusOK, "plan", "", pageFor(u, "Plan "+v.Plan.ID, "plans", v))
}

func (s *Server) planView(r *http.Request, u *service.SignedIn, id string) (*planView, error) {
	ctx := r.Context()
	asOf := s.svc.Today()
	pv, err := s.svc.Plan(ctx, id, asOf)
	if err != nil {
		return nil, err
	}
	c, err := s.svc.Customer(ctx, pv.Plan.CustomerID)
	if err != nil {
		return nil, err
	}
	p := pv.Plan
	cur := p.Balance.Currency()
	m := func(minor int64) string { return formatMoney(minor, cur) }
	v := &planView{Plan: p, BankRef: pv.BankRef, Status: pv.Status, Customer: *c, AsOf: asOf, CanAct: canAct(u), Balance: m(p.Balance.Minor()),
		Channels: acceptChannels, Accept: acceptForm{Channel: "phone"}, Reneg: renegForm{Frequency: "monthly"}, Admin: u.Actor.Role == service.RoleAdmin}
	var total int64
	for _, in := range p.Installments {
		total += in.Amount.Minor()
		row := installmentRow{Seq: in.Seq, Down: in.Down, DueDate: in.DueDate, Amount: m(in.Amount.Minor()), Status: "proposed",
			Principal: m(in.Principal.Minor()), Int: m(in.Interest.Minor()), HasInterest: in.Interest.IsPositive()}
		if p.Status == plan.Active {
			row.Status = plan.StatusDue
		} else if p.Status != plan.Proposed {
			row.Status = "—"
		}
		v.Rows = append(v.Rows, row)
	}
	v.Total = m(total)
	if t := pv.Tracking; t != nil {
		v.Tracked = true
		v.Paid, v.Outstanding, v.Missed = m(t.Paid.Minor()), m(t.Outstanding.Minor()), t.Missed
		if t.Fees.IsPositive() {
			v.Fees = m(t.Fees.Minor())
		}
		for i, st := range t.Installments {
			if i >= len(v.Rows) {
				break
			}
			v.Rows[i].Status, v.Rows[i].Paid, v.Rows[i].PaidOn, v.Rows[i].DaysLate = st.Status, m(st.Paid.Minor()), st.PaidOn, st.DaysLate
		}
		pays, err := s.svc.PlanPayments(ctx, id, asOf)
		if err != nil {
			return nil, err
		}
		for _, pay := range pays {
			v.Payments = append(v.Payments, planPayment{On: pay.ReceivedOn, Amount: m(pay.Amount.Minor()), Method: strings.ReplaceAll(pay.Method, "_", " "), Reference: pay.Reference})
		}
	}
	var owed int64 // what a renegotiation covers: the invoices still open
	for _, inv := range pv.Invoices {
		v.Invoices = append(v.Invoices, planInvoice{Number: inv.Number, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
			Amount: m(inv.Amount.Minor()), Balance: m(inv.Balance.Minor())})
		if inv.Status() == ledger.StatusOpen {
			owed += inv.Balance.Minor()
		}
	}
	if o := p.PolicyOverride; o != nil {
		v.OverrideBy = s.holderName(r, o.By)
	}
	if v.CanAct && v.Open() {
		if v.Limits, err = s.svc.PlanLimits(ctx, p.CustomerID, money.New(owed, cur)); err != nil {
			return nil, err
		}
	}
	for _, e := range pv.Events {
		v.Events = append(v.Events, planEventRow{On: e.On, What: or(eventNames[e.Kind], e.Kind)})
	}
	for _, con := range p.Concessions {
		v.Concessions = append(v.Concessions, planConcession{What: concessionLabel(con.Kind), Amount: m(con.Amount.Minor()), Note: con.Note})
	}
	return v, nil
}

// planAgreement sends the written agreement as a PDF download.
func (s *Server) planAgreement(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pdf, err := s.svc.AgreementPDF(r.Context(), id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			s.errorPage(w, r, http.StatusNotFound, "There is no plan "+id+".")
			return
		}
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="agreement-`+safeFileName(id)+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	_, _ = w.Write(pdf)
}

// safeFileName keeps letters, digits, '-' and '_'.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s)
}

// renderPlan re-renders the plan page with a form as posted.
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, u *service.SignedIn, id string, status int, alert string, set func(*planView)) {
	v, err := s.planView(r, u, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Alert = alert
	set(v)
	s.render(w, r, status, "plan", "", pageFor(u, "Plan "+v.Plan.ID, "plans", v))
}

// planFailed shows a failed action's errors on the plan's page.
func (s *Server) planFailed(w http.ResponseWriter, r *http.Request, u *service.SignedIn, id string, err error, set func(*planView, map[string]string)) {
	if apperr.CodeOf(err) == apperr.NotFound {
		s.errorPage(w, r, http.StatusNotFound, "There is no plan "+id+".")
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	s.renderPlan(w, r, u, id, status, alert, func(v *planView) { set(v, fields) })
}

func (s *Server) planAccept(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	f := acceptForm{AcceptedBy: strings.TrimSpace(r.PostForm.Get("accepted_by")), Channel: strings.TrimSpace(r.PostForm.Get("channel"))}
	_, err := s.svc.AcceptPlan(r.Context(), id, service.AcceptInput{AcceptedBy: f.AcceptedBy, Channel: f.Channel, IP: clientIP(r)})
	if err == nil {
		http.Redirect(w, r, "/plans/"+url.PathEscape(id)+"?done=accept", http.StatusSeeOther)
		return
	}
	s.planFailed(w, r, u, id, err, func(v *planView, fields map[string]string) { f.Errors = fields; v.Accept = f })
}

func (s *Server) planCancel(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	f := cancelForm{Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	var err error
	switch {
	case f.Reason == "":
		err = apperr.Field("reason", "Say why the plan is cancelled.")
	default:
		_, err = s.svc.CancelPlan(r.Context(), id, f.Reason)
	}
	if err == nil {
		http.Redirect(w, r, "/plans/"+url.PathEscape(id)+"?done=cancel", http.StatusSeeOther)
		return
	}
	s.planFailed(w, r, u, id, err, func(v *planView, fields map[string]string) { f.Errors = fields; v.Cancel = f })
}

func (s *Server) planRenegotiate(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	f := renegForm{Installments: strings.TrimSpace(pf.Get("installments")), InstallmentAmount: strings.TrimSpace(pf.Get("installment_amount")),
		Frequency: strings.TrimSpace(pf.Get("frequency")), StartDate: strings.TrimSpace(pf.Get("start_date")),
		DownPayment: strings.TrimSpace(pf.Get("down_payment")), AnnualRate: strings.TrimSpace(pf.Get("annual_rate")),
		OverrideReason: strings.TrimSpace(pf.Get("override_reason"))}
	in := service.PlanTermsInput{InstallmentAmount: f.InstallmentAmount, Frequency: f.Frequency, StartDate: f.StartDate,
		DownPayment: f.DownPayment, AnnualRate: f.AnnualRate, OverrideReason: f.OverrideReason}
	var err error
	if f.Installments != "" {
		n, aerr := strconv.Atoi(f.Installments)
		if aerr != nil || n < 1 {
			err = apperr.Field("installments", "Enter a whole number of installments, e.g. 6.")
		}
		in.Installments = n
	}
	var view *service.PlanView
	if err == nil {
		view, err = s.svc.RenegotiatePlan(r.Context(), id, in)
	}
	if err == nil {
		http.Redirect(w, r, "/plans/"+url.PathEscape(view.Plan.ID)+"?done=renegotiate", http.StatusSeeOther)
		return
	}
	s.planFailed(w, r, u, id, err, func(v *planView, fields map[string]string) { f.Errors = fields; v.Reneg = f })
}
