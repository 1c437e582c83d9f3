package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/assess"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
)

// The customer's page: what an agent needs before and during a call —
// the position (balance, aging, profile, risk and its factors,
// importance, impact of the delay), what is open, the whole history
// newest first, the budget, a form to record the call, the conversation
// guide filled with this customer's figures, and the negotiation panel.

// historyShown is how many history entries the page shows before "all".
const historyShown = 60

type customerView struct {
	Customer ledger.Customer
	AsOf     civil.Date
	CanAct   bool
	Notice   string
	Alert    string
	// PortalLink is a portal link just made (shown once), PortalUntil
	// when it stops working.
	PortalLink  string
	PortalUntil time.Time
	Currencies  []positionCurrency
	Buckets     []string
	Risk        assess.Risk
	Profile     assess.Profile
	Importance  assess.Importance
	Impacts     []assess.Impact
	Open        []openInvoice
	Promises    []service.PromiseView
	OpenPlans   []service.PlanSummary
	History     []historyItem
	HiddenHist  int // entries left out (see ?history=all)
	Budget      *service.BudgetView
	BudgetForm  budgetForm
	Note        noteForm
	Payment     paymentForm  // "Record a payment" as posted (bank.go)
	Account     accountPanel // address, owner, credit hold (customer_account.go)
	Guide       []guideStep
	Neg         negotiationPanel
	Reasons     []option
	Kinds       []option
}

type positionCurrency struct {
	Currency               money.Currency
	Total, Overdue, Credit string
	Buckets                []string
	OpenInvoices           int
	OldestOverdue          civil.Date
	DaysOverdue            int
}

type openInvoice struct {
	ID, Number         string
	IssueDate, DueDate civil.Date
	Amount, Balance    string
	DaysOverdue        int
	Disputed           bool
	Charge             string // a charge settle added (docs/ledger.md): statutory or late_fee
}

type historyItem struct {
	At       time.Time
	DateOnly bool   // the entry has a date, not a time (invoices, payments, promises)
	Kind     string // invoice, payment, credit, message, call, note, …, promise, plan
	Title    string
	Detail   string
	Link     string
	Status   string
	Reason   string // the stated reason's label
	Claim    string // fact or unverified
	Evidence string
}

type option struct{ Value, Label string }

type guideStep struct {
	Title string
	Say   []string
}

// reasonOptions are the stated reasons, in a fixed order.
func reasonOptions() []option {
	var out []option
	for _, k := range []string{"cash_flow", "dispute", "not_received", "hardship", "admin_delay", "forgot", "other"} {
		out = append(out, option{k, service.ReasonCategories[k]})
	}
	return out
}

var interactionKinds = []option{{"call", "Call"}, {"note", "Note"}, {"email", "Email"}, {"meeting", "Meeting"}, {"letter", "Letter"}, {"sms", "SMS"}}

// customerPage shows a customer by id or external ref.
func (s *Server) customerPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	v, err := s.customerView(r, u, r.PathValue("id"))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			s.errorPage(w, r, http.StatusNotFound, "There is no customer "+r.PathValue("id")+".")
			return
		}
		s.serverError(w, r, err)
		return
	}
	v.Notice = customerNotice(r.URL.Query().Get("done"))
	s.render(w, r, http.StatusOK, "customer", "", pageFor(u, v.Customer.Name, "customers", v))
}

func customerNotice(done string) string {
	switch done {
	case "budget":
		return "Budget saved: what the customer can afford is shown below and used by the next negotiation."
	case "interaction":
		return "Recorded in the customer’s history."
	case "payment":
		return "Payment recorded and allocated: the open items below show it."
	case "resend":
		return "Recorded, and a copy of the invoices is queued to be emailed to the customer."
	case "negotiation":
		return "Negotiation opened: the engine’s offer and its alternatives are in the negotiation panel."
	case "counter":
		return "The counter-offer was answered: see the response in the negotiation panel."
	case "details":
		return "Address and account owner saved."
	case "hold-set":
		return "The customer is on credit hold; the reason is in the account panel and the audit log."
	case "hold-released":
		return "The credit hold is released; the reason is in the audit log."
	}
	return ""
}

// customerView gathers everything the page shows.
func (s *Server) customerView(r *http.Request, u *service.SignedIn, id string) (*customerView, error) {
	ctx := r.Context()
	asOf := s.svc.Today()
	pos, err := s.svc.Position(ctx, id, asOf)
	if err != nil {
		return nil, err
	}
	c := pos.Customer
	v := &customerView{Customer: c, AsOf: asOf, CanAct: canAct(u), Buckets: bucketLabels[:], Risk: pos.Risk, Profile: pos.Profile,
		Importance: pos.Importance, Impacts: pos.Impacts, Promises: pos.Promises, OpenPlans: pos.OpenPlans, Budget: pos.Budget,
		Reasons: reasonOptions(), Kinds: interactionKinds}
	for _, cp := range pos.Currencies {
		pc := positionCurrency{Currency: cp.Currency, Total: formatMoney(cp.Total(), cp.Currency), Overdue: formatMoney(cp.Overdue(), cp.Currency),
			OpenInvoices: cp.OpenInvoices, DaysOverdue: cp.DaysOverdue}
		if !cp.Credit.IsZero() {
			pc.Credit = formatMoney(cp.Credit, cp.Currency)
		}
		if cp.OldestOverdue != nil {
			pc.OldestOverdue = *cp.OldestOverdue
		}
		for _, a := range cp.Amounts {
			pc.Buckets = append(pc.Buckets, formatAmount(a, cp.Currency))
		}
		v.Currencies = append(v.Currencies, pc)
	}
	for _, oi := range pos.OpenInvoices {
		inv := oi.Invoice
		v.Open = append(v.Open, openInvoice{ID: inv.ID, Number: inv.Number, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
			Amount: formatMoney(inv.Amount.Minor(), inv.Amount.Currency()), Balance: formatMoney(oi.Balance.Minor(), oi.Balance.Currency()),
			DaysOverdue: ledger.DaysPastDue(asOf, inv.DueDate), Disputed: inv.Disputed, Charge: inv.Charge})
	}
	slices.SortStableFunc(v.Open, func(a, b openInvoice) int { return a.DueDate.Compare(b.DueDate) })

	hist, err := s.customerHistory(r, c, asOf)
	if err != nil {
		return nil, err
	}
	if r.URL.Query().Get("history") != "all" && len(hist) > historyShown {
		v.HiddenHist = len(hist) - historyShown
		hist = hist[:historyShown]
	}
	v.History = hist

	v.BudgetForm = budgetFormOf(c, pos.Budget)
	if v.Account, err = s.accountPanelOf(r, c); err != nil {
		return nil, err
	}
	v.Note = noteForm{Kind: "call", Direction: "outbound", Claim: "unverified"}
	neg, err := s.svc.CurrentNegotiation(ctx, c.ID)
	switch {
	case err == nil:
		v.Neg = negotiationPanelOf(neg)
		v.Neg.Lang = notify.Lang(c.Locale)
	case apperr.CodeOf(err) == apperr.NotFound:
	default:
		return nil, err
	}
	for _, cp := range pos.Currencies {
		if cp.Overdue().Sign() > 0 || cp.Total().Sign() > 0 {
			v.Neg.Currencies = append(v.Neg.Currencies, string(cp.Currency))
		}
	}
	v.Guide = conversationGuide(pos, v, hist)
	return v, nil
}

// customerHistory is every invoice, payment, message, interaction,
// promise and plan of the customer, newest first.
func (s *Server) customerHistory(r *http.Request, c ledger.Customer, asOf civil.Date) ([]historyItem, error) {
	ctx := r.Context()
	var out []historyItem
	at := func(d civil.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
	numbers := map[string]string{}
	for cursor := ""; ; {
		list, next, err := s.svc.Invoices(ctx, store.InvoiceFilter{CustomerID: c.ID, Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, inv := range list {
			numbers[inv.ID] = inv.Number
			status := inv.Status()
			if inv.Disputed {
				status += ", disputed"
			}
			out = append(out, historyItem{At: at(inv.IssueDate), DateOnly: true, Kind: "invoice", Title: "Invoice " + inv.Number + " issued",
				Detail: fmt.Sprintf("%s, due %s; open %s", formatMoney(inv.Amount.Minor(), inv.Amount.Currency()), formatDate(inv.DueDate),
					formatMoney(inv.Balance.Minor(), inv.Balance.Currency())), Status: status})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for cursor := ""; ; {
		list, next, err := s.svc.Payments(ctx, store.PaymentFilter{CustomerID: c.ID, Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, pv := range list {
			p := pv.Payment
			kind, title := "payment", "Payment received"
			if p.Kind != ledger.KindPayment {
				kind, title = "credit", "Credit note"
			}
			detail := formatMoney(p.Amount.Minor(), p.Amount.Currency())
			if p.Method != "" {
				detail += " by " + strings.ReplaceAll(p.Method, "_", " ")
			}
			if p.Reference != "" {
				detail += ", ref. " + p.Reference
			}
			var to []string
			for _, a := range pv.Allocations {
				to = append(to, or(numbers[a.InvoiceID], a.InvoiceID))
			}
			if len(to) > 0 {
				detail += "; applied to " + strings.Join(to, ", ")
			}
			if pv.Unapplied > 0 {
				detail += "; unapplied " + formatMoney(pv.Unapplied, p.Amount.Currency())
			}
			out = append(out, historyItem{At: at(p.ReceivedOn), DateOnly: true, Kind: kind, Title: title, Detail: detail})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for cursor := ""; ; {
		list, next, err := s.svc.Messages(ctx, store.MessageFilter{CustomerID: c.ID, Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			t := m.ScheduledFor
			if m.SentAt != nil {
				t = *m.SentAt
			}
			detail := strings.ToUpper(m.Channel[:1]) + m.Channel[1:] + ", " + m.Tone + " tone"
			if len(m.InvoiceNumbers) > 0 {
				detail += "; invoices " + strings.Join(m.InvoiceNumbers, ", ")
			}
			out = append(out, historyItem{At: t, Kind: "message", Title: or(m.Subject, "Message "+m.Step), Detail: detail, Status: m.Status})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for cursor := ""; ; {
		list, next, err := s.svc.Interactions(ctx, c.ID, store.Page{Limit: 500, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, it := range list {
			title := sentence(it.Kind)
			if it.Direction != "" {
				title = sentence(it.Direction) + " " + it.Kind
			}
			if it.Conversation {
				title += " (spoke to the customer)"
			}
			h := historyItem{At: it.OccurredAt, Kind: it.Kind, Title: title, Detail: it.Summary}
			if it.ReasonCategory != "" {
				h.Reason = or(service.ReasonCategories[it.ReasonCategory], it.ReasonCategory)
				h.Claim, h.Evidence = it.Claim, it.Evidence
			}
			if strings.HasPrefix(it.FollowUp, "resend_invoice:") {
				h.Status = "invoice copy queued"
			}
			out = append(out, h)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for cursor := ""; ; {
		list, next, err := s.svc.Promises(ctx, store.PromiseFilter{CustomerID: c.ID, Page: store.Page{Limit: 500, Cursor: cursor}}, asOf, "")
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			pr := p.Promise
			out = append(out, historyItem{At: at(pr.PromisedOn), DateOnly: true, Kind: "promise", Title: "Promise to pay",
				Detail: fmt.Sprintf("%s by %s (paid %s)", formatMoney(pr.Amount.Minor(), pr.Amount.Currency()), formatDate(pr.DueDate),
					formatMoney(p.Paid.Minor(), p.Paid.Currency())), Status: p.Status})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	plans, err := s.svc.CustomerPlans(ctx, c.ID, asOf)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		out = append(out, historyItem{At: p.CreatedAt, Kind: "plan", Title: "Payment plan, version " + strconv.Itoa(p.Version),
			Detail: formatMoney(p.Balance.Minor(), p.Balance.Currency()), Status: p.Status, Link: "/plans/" + p.ID})
	}
	slices.SortStableFunc(out, func(a, b historyItem) int { return b.At.Compare(a.At) })
	return out, nil
}

// conversationGuide fills the seven steps of the call with this
// customer's figures (domain.md §1–§3).
func conversationGuide(pos *service.Position, v *customerView, hist []historyItem) []guideStep {
	c := pos.Customer
	name := c.Name
	steps := make([]guideStep, 0, 7)

	open := guideStep{Title: "Open collaboratively"}
	if c.Style == ledger.StyleIndirect {
		open.Say = append(open.Say, "This customer prefers an indirect style: ask how they are and how business is before turning to the account.")
	} else {
		open.Say = append(open.Say, "This customer prefers a direct style: greet them, say who you are and that you are calling about the account.")
	}
	open.Say = append(open.Say, fmt.Sprintf("“Hello, this is … from us. I’m calling to find a way forward together with %s on the open invoices.”", name))
	steps = append(steps, open)

	value := guideStep{Title: "Acknowledge their value"}
	im := pos.Importance
	if !im.Since.IsZero() {
		value.Say = append(value.Say, fmt.Sprintf("A customer since %s (%s).", formatMonth(im.Since), tenure(im.TenureDays)))
	}
	for _, rev := range im.Revenue12m {
		if rev.IsPositive() {
			value.Say = append(value.Say, fmt.Sprintf("%s invoiced in the last 12 months.", formatMoney(rev.Minor(), rev.Currency())))
		}
	}
	p := pos.Profile
	if p.InvoicesDue > 0 {
		value.Say = append(value.Say, fmt.Sprintf("They paid %s of %d invoices on time.", percentOf(int64(p.PaidOnTime), int64(p.InvoicesDue)), p.InvoicesDue))
	}
	value.Say = append(value.Say, "Importance: "+im.Level+". Thank them for the business before anything else.")
	steps = append(steps, value)

	issue := guideStep{Title: "State the issue and its impact"}
	for _, cp := range v.Currencies {
		if cp.DaysOverdue > 0 {
			issue.Say = append(issue.Say, fmt.Sprintf("%s is overdue (of %s open); the oldest invoice is %d days past its due date.", cp.Overdue, cp.Total, cp.DaysOverdue))
		}
	}
	for _, im := range pos.Impacts {
		s := fmt.Sprintf("Each further month costs us %s in carrying cost", formatMoney(im.CarryingCostPerMonth.Minor(), im.Currency))
		if im.TotalClaimable.IsPositive() {
			s += fmt.Sprintf("; %s in compensation and interest may be claimed (%s)", formatMoney(im.TotalClaimable.Minor(), im.Currency), im.RegimeName)
		}
		issue.Say = append(issue.Say, s+".")
	}
	if len(issue.Say) == 0 {
		issue.Say = append(issue.Say, "Nothing is overdue today: confirm the next due dates instead.")
	}
	steps = append(steps, issue)

	ask := guideStep{Title: "Ask for their reasons"}
	ask.Say = append(ask.Say, "“Can you tell me what is holding the payment up?” Listen; record the reason below as a fact (with the evidence you saw) or as unverified.")
	for _, h := range hist {
		if h.Reason != "" {
			ask.Say = append(ask.Say, fmt.Sprintf("Last time (%s) they said: %s — %s%s.", formatDate(civil.In(h.At, time.UTC)), h.Reason, h.Claim,
				map[bool]string{true: ", evidence: " + h.Evidence, false: ""}[h.Evidence != ""]))
			break
		}
	}
	if p.PromisesBroken > 0 {
		ask.Say = append(ask.Say, fmt.Sprintf("They broke %d of %d promises to pay: ask for something firmer than a promise.", p.PromisesBroken, p.PromisesBroken+p.PromisesKept))
	}
	steps = append(steps, ask)

	offer := guideStep{Title: "Offer solutions"}
	if b := pos.Budget; b != nil {
		offer.Say = append(offer.Say, fmt.Sprintf("Their budget leaves %s a month; an installment of %s is sustainable.",
			formatMoney(b.Available.Minor(), b.Available.Currency()), formatMoney(b.Affordable.Minor(), b.Affordable.Currency())))
	} else {
		offer.Say = append(offer.Say, "No budget yet: if they cannot pay in full, take their income and outgoings (Budget, below) before agreeing an installment.")
	}
	if n := v.Neg.Reply; n != nil && n.Offer != nil {
		offer.Say = append(offer.Say, "Propose the engine’s offer: "+offerSummary(*n.Offer)+".")
		if len(n.Alternatives) > 0 {
			offer.Say = append(offer.Say, fmt.Sprintf("If it does not fit, %d alternatives are ready (in the negotiation panel).", len(n.Alternatives)))
		}
	} else {
		offer.Say = append(offer.Say, "Open a negotiation (in the negotiation panel) for the engine’s opening offer: firm and realistic, with alternatives.")
	}
	steps = append(steps, offer)

	agree := guideStep{Title: "Agree specific next steps"}
	agree.Say = append(agree.Say, "Agree exact amounts and dates — each installment, the payment method — or a promise to pay with an amount and a date. Read them back.")
	if n := v.Neg.Reply; n != nil && n.Offer != nil && len(n.Offer.Installments) > 0 {
		first := n.Offer.Installments[0]
		agree.Say = append(agree.Say, fmt.Sprintf("First payment: %s %s on %s.", n.Currency, first.Amount, first.DueDate))
	}
	steps = append(steps, agree)

	confirm := guideStep{Title: "Confirm in writing"}
	to := "the customer"
	if c.Email != "" {
		to = c.Email
	}
	confirm.Say = append(confirm.Say, fmt.Sprintf("Accepting the offer creates the plan; send its agreement (PDF) to %s and record who accepted it, when and how.", to))
	steps = append(steps, confirm)
	return steps
}

func init() {
	sectionFuncs["custDay"] = func(t time.Time) string { return formatDate(civilOf(t)) }
}

func tenure(days int) string {
	switch {
	case days >= 730:
		return strconv.Itoa(days/365) + " years"
	case days >= 60:
		return strconv.Itoa(days*12/365) + " months"
	}
	return strconv.Itoa(days) + " days"
}
