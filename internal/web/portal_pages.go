package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
	"settle/internal/service"
)

// The portal's pages: home, plan options, agreement, promise, dispute,
// contact preferences, and the two PDFs.

// scheduleRow is one installment as the portal lists it.
type scheduleRow struct {
	Seq    int
	Date   civil.Date
	Amount money.Amount
	Status string // st.* key suffix; "" for an offer
	Down   bool
}

// gain is a concession in money; Note says what it is in the customer's
// language (an offer's; a plan's notes are not shown: staff may have
// written them).
type gain struct {
	Kind   string
	Amount money.Amount
	Note   string
}

// planSummary is a plan on the home page.
type planSummary struct {
	ID       string
	Proposed bool
	Rows     []scheduleRow
	Next     *scheduleRow // the next payment still to make (its open part)
	Done     bool
	// Ended: the plan defaulted (payments missed); its balance is due and
	// the customer may propose a new plan.
	Ended bool
}

type portalHomeData struct {
	*service.PortalOverview
	Plans []planSummary
}

func planRows(v *service.PlanView) (rows []scheduleRow, next *scheduleRow, done bool) {
	if v.Tracking != nil {
		done = v.Tracking.Status == plan.PlanCompleted
		for _, st := range v.Tracking.Installments {
			row := scheduleRow{Seq: st.Seq, Date: st.DueDate, Amount: st.Amount, Status: st.Status, Down: st.Down}
			rows = append(rows, row)
			if next == nil && st.Status != plan.StatusPaid {
				open, err := st.Amount.Sub(st.Paid)
				if err == nil {
					n := row
					n.Amount = open
					next = &n
				}
			}
		}
		return rows, next, done
	}
	for _, in := range v.Plan.Installments {
		rows = append(rows, scheduleRow{Seq: in.Seq, Date: in.DueDate, Amount: in.Amount, Down: in.Down})
	}
	return rows, nil, false
}

func (s *Server) portalHome(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	o, err := s.svc.PortalHome(r.Context(), p)
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	d := portalHomeData{PortalOverview: o}
	for _, pv := range o.Plans {
		rows, next, done := planRows(pv)
		ended := pv.Tracking != nil && pv.Tracking.Status == plan.PlanDefaulted
		if ended {
			next = nil
		}
		d.Plans = append(d.Plans, planSummary{ID: pv.Plan.ID, Proposed: pv.Plan.Status == plan.Proposed, Rows: rows, Next: next, Done: done, Ended: ended})
	}
	switch done := r.URL.Query().Get("done"); done {
	case "accepted", "promise", "dispute", "contact", "letters_back":
		v.Notice = v.T("done." + done)
	}
	v.Title = v.T("title.home")
	v.Content = d
	s.renderPortal(w, r, http.StatusOK, "home", v)
}

// portalStartPlan opens (or resumes) a negotiation and shows its options.
func (s *Server) portalStartPlan(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	id, err := s.svc.PortalStartNegotiation(r.Context(), p, strings.ToUpper(strings.TrimSpace(r.PostForm.Get("currency"))))
	if err != nil {
		if apperr.CodeOf(err) == apperr.Invalid {
			// Nothing to negotiate (everything is in a plan, disputed or paid).
			s.portalMessage(w, r, v, http.StatusConflict, "title.plan", "plan.nothing")
			return
		}
		s.portalFail(w, r, v, err)
		return
	}
	portalRedirect(w, r, v, "/plan/"+id)
}

// offerCard is one offer of the engine, ready to show.
type offerCard struct {
	Index   int // 0: the standing offer; 1…: an alternative
	Summary string
	Range   string
	Last    string
	Down    string
	Total   string
	Gains   []gain
	Rows    []scheduleRow
}

// portalCounterForm is the customer's proposal as entered.
type portalCounterForm struct {
	InstallmentAmount, Installments, Frequency, StartDate string
}

type portalOptionsData struct {
	ID          string
	Currency    string
	Decision    string // the message key of the last answer, "" for none
	Explanation string // why, in the customer's language and formats (the service writes it)
	Offer       *offerCard
	Alts        []offerCard
	Open        bool // takes a counter-offer
	ExpiresOn   civil.Date
	// Expired: the negotiation was open but its offers have lapsed; the
	// page says so and offers to start again instead of showing them.
	Expired     bool
	Form        portalCounterForm
	Errors      map[string]string
	Frequencies []string
	// Moved: our offer changed with the last answer (a reject that still
	// conceded): the page must not say the old offer "still stands".
	Moved bool
}

func (d portalOptionsData) Error(field string) string { return d.Errors[field] }

// ownAmount reads back an amount settle itself computed and formatted (an
// offer's total, installments, concessions). It is not input, so it is not
// held to the limit on single amounts (money.Parse): an offer's total with
// fees may exceed it and must still show as it is, not as 0.
func ownAmount(s string, c money.Currency) money.Amount {
	n, _ := money.ParseMinor(s, c.Digits())
	return money.New(n, c)
}

func (v *portalView) offerCard(o *service.NegotiationOffer, idx int) *offerCard {
	cur := money.Currency(o.Currency)
	amt := func(s string) money.Amount { return ownAmount(s, cur) }
	c := &offerCard{Index: idx, Total: v.T("plan.total", v.Money(amt(o.Total)))}
	switch {
	case o.Kind == "lump_sum":
		c.Summary = v.T("plan.lump", v.Money(amt(o.LumpSum)))
	case o.InstallmentCount == 1 && !amt(o.DownPayment).IsPositive() && len(o.Installments) == 1:
		// The whole balance at once (the opening when nothing is known of
		// the means): one payment, not "1 monthly payments of …".
		c.Summary = v.T("plan.lump", v.Money(amt(o.Installments[0].Amount)))
	default:
		c.Summary = v.T("plan."+o.Frequency, o.InstallmentCount, v.Money(amt(o.InstallmentAmount)))
	}
	if dp := amt(o.DownPayment); dp.IsPositive() {
		c.Down = v.T("plan.down", v.Money(dp))
	}
	for _, in := range o.Installments {
		d, _ := civil.Parse(in.DueDate)
		c.Rows = append(c.Rows, scheduleRow{Seq: in.Seq, Date: d, Amount: amt(in.Amount), Down: in.Down})
	}
	if n := len(c.Rows); n > 1 {
		c.Range = v.T("plan.from", v.Date(c.Rows[0].Date), v.Date(c.Rows[n-1].Date))
		if last := c.Rows[n-1]; !last.Down && last.Amount.String() != o.InstallmentAmount && o.InstallmentAmount != "" {
			c.Last = v.T("plan.last", v.Money(last.Amount))
		}
	} else if n == 1 {
		c.Range = v.Date(c.Rows[0].Date)
	}
	return c
}

func (s *Server) portalOptionsData(r *http.Request, p *service.PortalSession, v *portalView, id string) (*portalOptionsData, string, error) {
	nv, err := s.svc.PortalNegotiation(r.Context(), p, id)
	if err != nil {
		return nil, "", err
	}
	rep := nv.Reply
	d := &portalOptionsData{ID: rep.ID, Currency: rep.Currency, Open: rep.Status == "open", Frequencies: []string{"monthly", "biweekly", "weekly"}}
	d.ExpiresOn, _ = civil.Parse(rep.ExpiresOn)
	if d.Open && !d.ExpiresOn.IsZero() && d.ExpiresOn.Before(s.svc.Today()) {
		// The engine takes nothing more from a lapsed negotiation, and an
		// offer in it can no longer be chosen: show neither.
		d.Open, d.Expired = false, true
		return d, rep.Status, nil
	}
	if rep.Offer != nil {
		d.Offer = v.offerCard(rep.Offer, 0)
		for _, c := range rep.Concessions {
			if a := ownAmount(c.Amount, money.Currency(rep.Currency)); a.IsPositive() {
				d.Offer.Gains = append(d.Offer.Gains, gain{Kind: c.Kind, Amount: a, Note: c.CustomerNote})
			}
		}
	}
	for i := range rep.Alternatives {
		d.Alts = append(d.Alts, *v.offerCard(&rep.Alternatives[i].Offer, i+1))
	}
	switch rep.Status {
	case "agreed":
		d.Decision = "dec.agreed"
	case "final":
		d.Decision = "dec.final"
	}
	// Why we offer what we offer, from the opening on: when nothing is
	// known of the customer's means the opening asks for the balance at
	// once, and its explanation is where they read that they may tell us
	// what they can pay instead.
	d.Explanation = rep.Explanation
	if len(nv.Rounds) > 1 {
		prev, last := nv.Rounds[len(nv.Rounds)-2].Reply.Offer, nv.Rounds[len(nv.Rounds)-1].Reply.Offer
		d.Moved = prev != nil && last != nil && offerKey(prev) != offerKey(last)
	}
	return d, rep.Status, nil
}

func (s *Server) portalOptions(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	d, status, err := s.portalOptionsData(r, p, v, r.PathValue("neg"))
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	if status == "accepted" || status == "closed" {
		// It became a plan, or ended: home shows where things stand.
		portalRedirect(w, r, v, "")
		return
	}
	if dec := r.URL.Query().Get("d"); d.Decision == "" && (dec == "counter" || dec == "reject") {
		d.Decision = "dec." + dec
		if dec == "reject" && d.Moved {
			d.Decision = "dec.reject_moved"
		}
	}
	v.Title = v.T("title.plan")
	v.Content = d
	s.renderPortal(w, r, http.StatusOK, "plan", v)
}

// amountProblem words what is wrong with an amount the customer typed
// (typed as they wrote it, plain as localAmount made it) that is not an
// amount in cur: more decimal places than the currency has, or beyond the
// largest amount. "" when it is neither (the field's own message stands).
// The customer's own text is quoted: "100,001" is what a German customer
// wrote, while the plain "100.001" would read to them as a hundred thousand.
func amountProblem(v *portalView, typed, plain string, cur money.Currency) string {
	_, err := money.Parse(plain, cur)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, money.ErrOverflow):
		return v.T("err.amount_large", typed, cur)
	}
	if _, frac, ok := strings.Cut(plain, "."); ok && len(frac) > cur.Digits() {
		example := money.New(150*cur.Unit(), cur)
		return v.T("err.amount_digits", typed, cur, v.Money(example))
	}
	return ""
}

// counterFields maps the engine's fields to the form's and their messages.
var counterFields = map[string]string{"installment_amount": "err.amount", "installments": "err.number", "frequency": "err.field",
	"start_date": "err.date", "_": "err.field"}

func (s *Server) portalCounter(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	id := r.PathValue("neg")
	f := portalCounterForm{InstallmentAmount: strings.TrimSpace(r.PostForm.Get("installment_amount")), Installments: strings.TrimSpace(r.PostForm.Get("installments")),
		Frequency: r.PostForm.Get("frequency"), StartDate: strings.TrimSpace(r.PostForm.Get("start_date"))}
	in := service.CounterOfferInput{Frequency: f.Frequency, StartDate: f.StartDate}
	errs := map[string]string{}
	if f.InstallmentAmount != "" {
		a, ok := localAmount(f.InstallmentAmount, v.Lang)
		if !ok {
			errs["installment_amount"] = v.T("err.amount")
		}
		in.InstallmentAmount = a
	}
	if f.Installments != "" {
		n, err := strconv.Atoi(f.Installments)
		if err != nil || n <= 0 {
			errs["installments"] = v.T("err.number")
		}
		in.Installments = n
	}
	if !slices.Contains([]string{"", "monthly", "biweekly", "weekly"}, f.Frequency) {
		errs["frequency"] = v.T("err.field")
	}
	var res *service.PortalCounterResult
	var err error
	if len(errs) == 0 {
		res, err = s.svc.PortalCounter(r.Context(), p, id, in)
		if err == nil {
			if res.PlanID != "" {
				// Inside the limits: accepted at once; the agreement to accept.
				portalRedirect(w, r, v, "/agreement/"+res.PlanID)
				return
			}
			portalRedirect(w, r, v, "/plan/"+id+"?d="+res.Reply.Decision)
			return
		}
		fe, ok := portalFormErrors(v, err, counterFields)
		if !ok {
			s.portalConflict(w, r, p, v, id, err)
			return
		}
		errs = fe
	}
	d, _, derr := s.portalOptionsData(r, p, v, id)
	if derr != nil {
		s.portalFail(w, r, v, derr)
		return
	}
	if _, refused := errs["installment_amount"]; refused && in.InstallmentAmount != "" {
		if msg := amountProblem(v, f.InstallmentAmount, in.InstallmentAmount, money.Currency(d.Currency)); msg != "" {
			errs["installment_amount"] = msg
		}
	}
	d.Form, d.Errors = f, errs
	v.Alert = v.T("err.fix")
	if m, ok := errs["_"]; ok {
		v.Alert = m
	}
	v.Title = v.T("title.plan")
	v.Content = d
	s.renderPortal(w, r, http.StatusUnprocessableEntity, "plan", v)
}

// portalConflict answers a proposal or a choice the negotiation no longer
// takes (it lapsed, or moved on in another tab) with the negotiation's page
// as it stands now, under the conflict's alert, so that "this page shows
// where things stand now" is true; any other error as portalFail does.
func (s *Server) portalConflict(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView, id string, err error) {
	if apperr.CodeOf(err) != apperr.Conflict {
		s.portalFail(w, r, v, err)
		return
	}
	d, _, derr := s.portalOptionsData(r, p, v, id)
	if derr != nil {
		s.portalFail(w, r, v, derr)
		return
	}
	v.Alert = v.T("err.conflict")
	v.Title = v.T("title.plan")
	v.Content = d
	s.renderPortal(w, r, http.StatusConflict, "plan", v)
}

func (s *Server) portalChoose(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	alt, err := strconv.Atoi(r.PostForm.Get("alternative"))
	if err != nil || alt < 0 {
		s.portalMessage(w, r, v, http.StatusUnprocessableEntity, "err.field", "err.field")
		return
	}
	planID, err := s.svc.PortalChoose(r.Context(), p, r.PathValue("neg"), alt)
	if err != nil {
		s.portalConflict(w, r, p, v, r.PathValue("neg"), err)
		return
	}
	portalRedirect(w, r, v, "/agreement/"+planID)
}

type portalAgreementData struct {
	ID          string
	Proposed    bool
	Active      bool
	Invoices    []ledger.Invoice
	Balance     money.Amount
	Total       money.Amount
	Rows        []scheduleRow
	Next        *scheduleRow
	Done        bool
	Methods     string
	GraceDays   int
	Fee         money.Amount
	DefaultText string
	Gains       []gain
	AcceptedBy  string
	AcceptedOn  civil.Date
	Name        string
	Errors      map[string]string
}

func (d portalAgreementData) Error(field string) string { return d.Errors[field] }

func (s *Server) agreementData(pv *service.PlanView, v *portalView) portalAgreementData {
	pl := pv.Plan
	d := portalAgreementData{ID: pl.ID, Proposed: pl.Status == plan.Proposed, Active: pl.Status == plan.Active, Invoices: pv.Invoices,
		Balance: pl.Balance, GraceDays: pl.Rules.GraceDays, Fee: pl.Rules.LateFee}
	d.Rows, d.Next, d.Done = planRows(pv)
	total := money.Zero(pl.Balance.Currency())
	for _, in := range pl.Installments {
		total, _ = total.Add(in.Amount)
	}
	d.Total = total
	var methods []string
	for _, m := range pl.Methods {
		methods = append(methods, v.T("method."+m))
	}
	d.Methods = strings.Join(methods, ", ")
	switch rl := pl.Rules; {
	case rl.DefaultAfterMissed > 0 && rl.DefaultDaysLate > 0:
		d.DefaultText = v.T("agr.default.both", rl.DefaultAfterMissed, rl.DefaultDaysLate)
	case rl.DefaultAfterMissed > 0:
		d.DefaultText = v.T("agr.default.missed", rl.DefaultAfterMissed)
	case rl.DefaultDaysLate > 0:
		d.DefaultText = v.T("agr.default.late", rl.DefaultDaysLate)
	}
	for _, c := range pl.Concessions {
		d.Gains = append(d.Gains, gain{Kind: c.Kind, Amount: c.Amount})
	}
	if a := pl.Acceptance; a != nil {
		d.AcceptedBy, d.AcceptedOn = a.By, civil.Of(a.At)
	}
	return d
}

func (s *Server) portalAgreement(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	pv, err := s.svc.PortalPlan(r.Context(), p, r.PathValue("plan"))
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	v.Title = v.T("title.agreement")
	v.Content = s.agreementData(pv, v)
	s.renderPortal(w, r, http.StatusOK, "agreement", v)
}

func (s *Server) portalAccept(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	id := r.PathValue("plan")
	name := r.PostForm.Get("accepted_by")
	_, err := s.svc.PortalAcceptPlan(r.Context(), p, id, name, clientIP(r))
	if err == nil {
		portalRedirect(w, r, v, "?done=accepted")
		return
	}
	errs, ok := portalFormErrors(v, err, map[string]string{"accepted_by": "agr.name", "_": "err.field"})
	if !ok {
		s.portalFail(w, r, v, err)
		return
	}
	pv, perr := s.svc.PortalPlan(r.Context(), p, id)
	if perr != nil {
		s.portalFail(w, r, v, perr)
		return
	}
	d := s.agreementData(pv, v)
	d.Name, d.Errors = name, errs
	v.Title = v.T("title.agreement")
	v.Alert = v.T("err.fix")
	v.Content = d
	s.renderPortal(w, r, http.StatusUnprocessableEntity, "agreement", v)
}

func writePDF(w http.ResponseWriter, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// safeName keeps a file name to letters, digits, '-', '_' and '.'.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r|0x20 >= 'a' && r|0x20 <= 'z')) {
			return r
		}
		return '_'
	}, s)
}

func (s *Server) portalAgreementPDF(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	id := r.PathValue("plan")
	// The file is named as the customer knows the plan: by its reference
	// (STL-…), which the agreement and every plan message give.
	name, b, err := s.svc.PortalAgreementPDF(r.Context(), p, id)
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	writePDF(w, "agreement-"+safeName(name)+".pdf", b)
}

func (s *Server) portalInvoicePDF(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	number, b, err := s.svc.PortalInvoicePDF(r.Context(), p, r.PathValue("inv"))
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	writePDF(w, "invoice-"+safeName(number)+".pdf", b)
}

type portalPromiseData struct {
	Owed       []money.Amount // per currency, undisputed
	Currencies []string
	Amount     string
	Currency   string
	DueDate    string
	Today      civil.Date
	MaxDate    civil.Date
	MaxDays    int
	Errors     map[string]string
}

func (d portalPromiseData) Error(field string) string { return d.Errors[field] }

func (s *Server) portalPromise(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	o, err := s.svc.PortalHome(r.Context(), p)
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	d := portalPromiseData{Today: o.AsOf, MaxDate: o.AsOf.AddDays(service.PortalPromiseMaxDays), MaxDays: service.PortalPromiseMaxDays}
	for _, t := range o.Totals {
		if owed, err := t.Open.Sub(t.Disputed); err == nil && owed.IsPositive() {
			d.Owed = append(d.Owed, owed)
			d.Currencies = append(d.Currencies, string(t.Currency))
		}
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		d.Amount, d.Currency, d.DueDate = strings.TrimSpace(r.PostForm.Get("amount")), r.PostForm.Get("currency"), strings.TrimSpace(r.PostForm.Get("due_date"))
		amount, ok := localAmount(d.Amount, v.Lang)
		switch {
		case !ok && d.Amount != "":
			// Not a number in the customer's own marks: refused here, with
			// the message beside the field in their language (an empty
			// field is left to the service, which says it is required).
			d.Errors = map[string]string{"amount": v.T("err.amount")}
		default:
			_, err := s.svc.PortalPromise(r.Context(), p, service.PortalPromiseInput{Currency: d.Currency, Amount: amount, DueDate: d.DueDate})
			if err == nil {
				portalRedirect(w, r, v, "?done=promise")
				return
			}
			errs, ok := portalFormErrors(v, err, map[string]string{"amount": "err.amount", "due_date": "err.date", "currency": "err.field", "_": "err.field"})
			if !ok {
				s.portalFail(w, r, v, err)
				return
			}
			d.Errors = errs
		}
		status = http.StatusUnprocessableEntity
		v.Alert = v.T("err.fix")
	}
	v.Title = v.T("title.promise")
	v.Content = d
	s.renderPortal(w, r, status, "promise", v)
}

type portalDisputeData struct {
	Invoices []service.PortalInvoice // open and not disputed
	Reasons  []string
	Invoice  string
	Reason   string
	Details  string
	Errors   map[string]string
}

func (d portalDisputeData) Error(field string) string { return d.Errors[field] }

func (s *Server) portalDispute(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	o, err := s.svc.PortalHome(r.Context(), p)
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	d := portalDisputeData{Reasons: service.PortalDisputeReasons, Invoice: r.URL.Query().Get("invoice")}
	for _, inv := range o.Invoices {
		if !inv.Disputed {
			d.Invoices = append(d.Invoices, inv)
		}
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		d.Invoice, d.Reason, d.Details = r.PostForm.Get("invoice_id"), r.PostForm.Get("reason"), strings.TrimSpace(r.PostForm.Get("details"))
		_, err := s.svc.PortalDispute(r.Context(), p, service.PortalDisputeInput{InvoiceID: d.Invoice, Reason: d.Reason, Details: d.Details})
		if err == nil {
			portalRedirect(w, r, v, "?done=dispute")
			return
		}
		errs, ok := portalFormErrors(v, err, map[string]string{"invoice_id": "err.field", "reason": "err.field", "details": "err.field", "_": "err.field"})
		if !ok {
			s.portalFail(w, r, v, err)
			return
		}
		d.Errors, status = errs, http.StatusUnprocessableEntity
		v.Alert = v.T("err.fix")
	}
	v.Title = v.T("title.dispute")
	v.Content = d
	s.renderPortal(w, r, status, "dispute", v)
}

type channelState struct {
	Key      string
	OptedOut bool
	Locked   bool // cannot be turned off now (the last written channel)
}

type portalContactData struct {
	Channels []channelState
	Error    string
}

func (s *Server) portalContact(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView) {
	status := http.StatusOK
	var alert string
	if r.Method == http.MethodPost {
		ch, off := r.PostForm.Get("channel"), r.PostForm.Get("opted_out") == "1"
		_, back, err := s.svc.PortalSetOptOut(r.Context(), p, ch, off)
		if err == nil {
			done := "contact"
			if back {
				done = "letters_back"
			}
			portalRedirect(w, r, v, "?done="+done)
			return
		}
		if _, ok := portalFormErrors(v, err, map[string]string{"channel": "ct.law"}); !ok {
			s.portalFail(w, r, v, err)
			return
		}
		status, alert = http.StatusUnprocessableEntity, v.T("ct.law")
	}
	o, err := s.svc.PortalHome(r.Context(), p)
	if err != nil {
		s.portalFail(w, r, v, err)
		return
	}
	d := portalContactData{Error: alert}
	for _, ch := range service.PortalChannels {
		d.Channels = append(d.Channels, channelState{Key: ch, OptedOut: o.OptOuts[ch], Locked: ch == "letter" && !o.OptOuts["letter"] && o.OptOuts["email"]})
	}
	v.Title = v.T("title.contact")
	v.Alert = alert
	v.Content = d
	s.renderPortal(w, r, status, "contact", v)
}

// offerKey is what makes two offers the same offer for the customer.
func offerKey(o *service.NegotiationOffer) string {
	return strings.Join([]string{o.Kind, o.Frequency, o.StartDate, o.DownPayment, strconv.Itoa(o.InstallmentCount), o.InstallmentAmount, o.LumpSum, o.Total}, "|")
}
