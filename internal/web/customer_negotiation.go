package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"settle/internal/apperr"
	"settle/internal/service"
)

// The negotiation panel: open a negotiation (the engine's opening offer
// and its alternatives), enter the customer's counter-offer, see the
// engine's answer (accepted, countered with a new offer, refused) and
// what the customer gained, and accept an offer: the plan is proposed
// and the agent goes to its page to record the customer's acceptance.

type negotiationPanel struct {
	Reply      *service.NegotiationReply
	Rounds     []negotiationRound // earlier rounds, oldest first
	Currencies []string           // currencies the customer owes in (to open)
	Currency   string             // as posted
	OpenErrors map[string]string
	Counter    counterForm
	Lang       string // the customer's language: the explanation is written in it
}

// Figures is the engine's reasoning for staff: the values behind the
// decision (the customer reads only the explanation). Empty without a reply.
func (p negotiationPanel) Figures() []negotiationFigure {
	if p.Reply == nil {
		return nil
	}
	r, cur := p.Reply, p.Reply.Currency+" "
	ev := r.Evaluation
	var out []negotiationFigure
	if o := r.Offer; o != nil {
		out = append(out, negotiationFigure{"Value of our offer", cur + o.Value},
			negotiationFigure{"Likely to be paid to the end", strconv.FormatFloat(o.Completion*100, 'f', 1, 64) + " %"})
	}
	if ev.CounterValue != "" {
		out = append(out, negotiationFigure{"Value of the customer’s counter-offer", cur + ev.CounterValue})
	}
	out = append(out, negotiationFigure{"This round’s target", cur + ev.Target},
		negotiationFigure{"Floor (never offered or accepted below)", cur + ev.Floor},
		negotiationFigure{"Opening offer’s value", cur + ev.Opening},
		negotiationFigure{"No-deal alternative", cur + ev.NoDeal})
	if b := basisLabel(ev.Basis); b != "" {
		out = append(out, negotiationFigure{"Accepted because", b})
	}
	return out
}

type negotiationFigure struct{ Label, Value string }

func basisLabel(b string) string {
	switch b {
	case "target":
		return "it is worth this round’s target"
	case "dominates":
		return "it pays at least as much, no later, than an offer we would accept"
	case "dominates_alternative":
		return "it pays at least as much, no later, than an alternative we were about to offer"
	case "settlement":
		return "a settlement within the discount limit worth at least the floor"
	}
	return ""
}

// CanAccept: an offer stands and may be accepted.
func (p negotiationPanel) CanAccept() bool {
	if p.Reply == nil || p.Reply.Offer == nil {
		return false
	}
	switch p.Reply.Status {
	case "open", "agreed", "final":
		return true
	}
	return false
}

// CanCounter: the negotiation still takes counter-offers.
func (p negotiationPanel) CanCounter() bool { return p.Reply != nil && p.Reply.Status == "open" }

func (p negotiationPanel) OpenError(field string) string { return p.OpenErrors[field] }

type negotiationRound struct {
	Round    int
	Decision string
	Offer    string
}

type counterForm struct {
	InstallmentAmount, Installments, Frequency, StartDate, DownPayment, LumpSum string
	Errors                                                                      map[string]string
}

func (f counterForm) Error(field string) string { return f.Errors[field] }

var frequencies = []option{{"weekly", "Weekly"}, {"biweekly", "Every two weeks"}, {"monthly", "Monthly"}}

func init() {
	sectionFuncs["custDecision"] = decisionLabel
	sectionFuncs["custOffer"] = offerSummary
	sectionFuncs["custFrequencies"] = func() []option { return frequencies }
	sectionFuncs["custConcession"] = concessionLabel
	sectionFuncs["custDate"] = isoDate
}

func negotiationPanelOf(v *service.NegotiationView) negotiationPanel {
	p := negotiationPanel{Reply: &v.Reply}
	for i, r := range v.Rounds {
		if i == len(v.Rounds)-1 {
			break
		}
		nr := negotiationRound{Round: r.Round, Decision: decisionLabel(r.Decision)}
		if r.Reply.Offer != nil {
			nr.Offer = offerSummary(*r.Reply.Offer)
		}
		p.Rounds = append(p.Rounds, nr)
	}
	return p
}

// decisionLabel says plainly what the engine decided.
func decisionLabel(d string) string {
	switch d {
	case "open":
		return "Opening offer"
	case "accept":
		return "Accepted: the customer’s counter-offer is acceptable"
	case "counter":
		return "Countered: not acceptable as it stands; here is a new offer"
	case "reject":
		return "Refused: below what we can accept"
	}
	return d
}

func concessionLabel(kind string) string {
	switch kind {
	case "fee_waived":
		return "Late fees waived"
	case "interest_frozen":
		return "Interest frozen"
	case "settlement_discount":
		return "Settlement discount"
	case "early_payment_discount", "early_payoff_discount":
		return "Early payment discount"
	}
	return sentence(strings.ReplaceAll(kind, "_", " "))
}

var frequencyNoun = map[string]string{"weekly": "weekly", "biweekly": "fortnightly", "monthly": "monthly"}

// offerSummary is an offer in one line: "6 monthly installments of GBP
// 250.00 from 1 Jul 2026, after 100.00 down; total GBP 1,600.00".
func offerSummary(o service.NegotiationOffer) string {
	cur := o.Currency
	if o.Kind == "lump_sum" {
		return fmt.Sprintf("a lump sum of %s %s by %s in full settlement", cur, groupThousands(o.LumpSum), isoDate(o.StartDate))
	}
	regular := o.InstallmentCount
	s := fmt.Sprintf("%d %s installment", regular, or(frequencyNoun[o.Frequency], o.Frequency))
	if regular != 1 {
		s += "s"
	}
	if o.InstallmentAmount != "" {
		s += fmt.Sprintf(" of %s %s", cur, groupThousands(o.InstallmentAmount))
	}
	first := o.StartDate
	for _, in := range o.Installments {
		if !in.Down {
			first = in.DueDate
			break
		}
	}
	s += " from " + isoDate(first)
	if o.DownPayment != "" && strings.Trim(o.DownPayment, "0.") != "" {
		s += fmt.Sprintf(", after %s %s down on %s", cur, groupThousands(o.DownPayment), isoDate(o.StartDate))
	}
	return s + fmt.Sprintf("; total %s %s", cur, groupThousands(o.Total))
}

// isoDate formats a YYYY-MM-DD string for people (as is if it is not one).
func isoDate(s string) string {
	var y, m, d int
	if _, err := fmt.Sscanf(s, "%4d-%2d-%2d", &y, &m, &d); err != nil || m < 1 || m > 12 {
		return s
	}
	return fmt.Sprintf("%d %s %d", d, monthAbbr[m-1], y)
}

var monthAbbr = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// openNegotiation opens a negotiation over the customer's open invoices.
func (s *Server) openNegotiation(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	cur := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("currency")))
	_, err := s.svc.OpenNegotiation(r.Context(), service.NegotiationInput{CustomerID: id, Currency: cur})
	if err == nil {
		http.Redirect(w, r, "/customers/"+url.PathEscape(id)+"?done=negotiation#negotiate", http.StatusSeeOther)
		return
	}
	if apperr.CodeOf(err) == apperr.NotFound {
		s.errorPage(w, r, http.StatusNotFound, "There is no customer "+id+".")
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	s.renderCustomer(w, r, u, id, status, alert, func(v *customerView) {
		v.Neg.OpenErrors, v.Neg.Currency = fields, cur
	})
}

// negotiationOf checks that negotiation nid is the customer's.
func (s *Server) negotiationOf(r *http.Request, customer, nid string) (*service.NegotiationView, error) {
	c, err := s.svc.Customer(r.Context(), customer)
	if err != nil {
		return nil, err
	}
	n, err := s.svc.Negotiation(r.Context(), nid)
	if err != nil {
		return nil, err
	}
	if n.Reply.CustomerID != c.ID {
		return nil, apperr.Errorf(apperr.NotFound, "negotiation %s is not this customer’s", nid)
	}
	return n, nil
}

// counterOffer answers the customer's counter-offer.
func (s *Server) counterOffer(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id, nid := r.PathValue("id"), r.PathValue("nid")
	if _, err := s.negotiationOf(r, id, nid); err != nil {
		s.serverError(w, r, err)
		return
	}
	pf := r.PostForm
	f := counterForm{InstallmentAmount: strings.TrimSpace(pf.Get("installment_amount")), Installments: strings.TrimSpace(pf.Get("installments")),
		Frequency: strings.TrimSpace(pf.Get("frequency")), StartDate: strings.TrimSpace(pf.Get("start_date")),
		DownPayment: strings.TrimSpace(pf.Get("down_payment")), LumpSum: strings.TrimSpace(pf.Get("lump_sum"))}
	in := service.CounterOfferInput{InstallmentAmount: f.InstallmentAmount, Frequency: f.Frequency, StartDate: f.StartDate,
		DownPayment: f.DownPayment, LumpSum: f.LumpSum}
	errs := map[string]string{}
	if f.Installments != "" {
		n, err := strconv.Atoi(f.Installments)
		if err != nil || n < 1 || n > 1000 {
			errs["installments"] = "Enter a whole number of installments, e.g. 6."
		}
		in.Installments = n
	}
	if f.InstallmentAmount == "" && f.Installments == "" && f.LumpSum == "" && f.DownPayment == "" && f.StartDate == "" && f.Frequency == "" {
		errs["installment_amount"] = "Enter what the customer offers: an installment amount, a number of installments, or a lump sum."
	}
	var err error
	if len(errs) == 0 {
		_, err = s.svc.CounterOffer(r.Context(), nid, in)
		if err == nil {
			http.Redirect(w, r, "/customers/"+url.PathEscape(id)+"?done=counter#negotiate", http.StatusSeeOther)
			return
		}
	}
	status, alert := http.StatusUnprocessableEntity, ""
	if err != nil {
		var fields map[string]string
		var ok bool
		fields, alert, status, ok = formErrors(err, nil)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		errs = fields
	}
	f.Errors = errs
	s.renderCustomer(w, r, u, id, status, alert, func(v *customerView) { v.Neg.Counter = f })
}

// acceptNegotiation accepts the standing offer or an alternative: the
// plan is proposed, and the agent records the customer's acceptance on
// its page.
func (s *Server) acceptNegotiation(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id, nid := r.PathValue("id"), r.PathValue("nid")
	if _, err := s.negotiationOf(r, id, nid); err != nil {
		s.serverError(w, r, err)
		return
	}
	alt := 0
	if v := r.PostForm.Get("alternative"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "The alternative must be a number.")
			return
		}
		alt = n
	}
	view, err := s.svc.AcceptNegotiation(r.Context(), nid, service.AcceptNegotiationInput{Alternative: alt})
	if err == nil && view.Plan != nil {
		http.Redirect(w, r, "/plans/"+url.PathEscape(view.Plan.Plan.ID)+"?done=proposed", http.StatusSeeOther)
		return
	}
	if err == nil {
		err = apperr.Errorf(apperr.Internal, "negotiation %s accepted without a plan", nid)
	}
	_, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	if alert == "" {
		alert = err.Error()
	}
	s.renderCustomer(w, r, u, id, status, alert, func(*customerView) {})
}
