package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"settle/internal/assess"
	"settle/internal/ledger"
	"settle/internal/service"
)

// The customer page's forms: the budget (income, expenses, other debts →
// what the customer can afford) and a call or note with the stated
// reason. Both post, validate in the service and show errors beside the
// fields (422), else redirect back to the page.

type budgetForm struct {
	Currency                string
	Kind                    string
	IncomeCats, ExpenseCats []string
	Income, Expenses        []budgetLine
	Debts                   []budgetDebt
	Errors                  map[string]string
}

func (f budgetForm) Error(field string) string { return f.Errors[field] }

type budgetLine struct {
	Category, Label, Monthly string
}

type budgetDebt struct {
	Creditor, Monthly, Balance string
	Priority                   bool
}

// Rows shown in each list of an empty budget form (more when a stored
// budget has more lines: one blank row is always left).
const (
	incomeRows  = 3
	expenseRows = 6
	debtRows    = 3
)

func budgetFormOf(c ledger.Customer, b *service.BudgetView) budgetForm {
	f := budgetForm{Kind: c.Kind}
	f.IncomeCats, f.ExpenseCats = assess.Categories(c.Kind)
	if b != nil {
		in := b.Input
		f.Currency = in.Currency
		for _, l := range in.Income {
			f.Income = append(f.Income, budgetLine{l.Category, l.Label, l.Monthly})
		}
		for _, l := range in.Expenses {
			f.Expenses = append(f.Expenses, budgetLine{l.Category, l.Label, l.Monthly})
		}
		for _, d := range in.Debts {
			f.Debts = append(f.Debts, budgetDebt{d.Creditor, d.Monthly, d.Balance, d.Priority})
		}
	}
	f.pad()
	return f
}

func (f *budgetForm) pad() {
	f.Income = padLines(f.Income, incomeRows)
	f.Expenses = padLines(f.Expenses, expenseRows)
	for len(f.Debts) < debtRows || (len(f.Debts) > 0 && f.Debts[len(f.Debts)-1] != budgetDebt{}) {
		f.Debts = append(f.Debts, budgetDebt{})
	}
}

func padLines(ls []budgetLine, n int) []budgetLine {
	for len(ls) < n || (len(ls) > 0 && ls[len(ls)-1] != budgetLine{}) {
		ls = append(ls, budgetLine{})
	}
	return ls
}

// maxFormRows bounds the rows read from a posted budget form.
const maxFormRows = 100

// customerBudget stores the posted budget.
func (s *Server) customerBudget(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	c, err := s.svc.Customer(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pf := r.PostForm
	f := budgetForm{Kind: c.Kind, Currency: strings.ToUpper(strings.TrimSpace(pf.Get("currency")))}
	f.IncomeCats, f.ExpenseCats = assess.Categories(c.Kind)
	in := service.BudgetInput{Currency: f.Currency}
	// Rows left blank are dropped; the service's line indexes map back to
	// the form's rows for the errors.
	var incomeRow, expenseRow, debtRow []int
	for i := 0; i < maxFormRows; i++ {
		k := strconv.Itoa(i)
		if _, ok := pf["income_category_"+k]; !ok {
			break
		}
		l := budgetLine{strings.TrimSpace(pf.Get("income_category_" + k)), strings.TrimSpace(pf.Get("income_label_" + k)), strings.TrimSpace(pf.Get("income_monthly_" + k))}
		f.Income = append(f.Income, l)
		if l.Monthly != "" || l.Label != "" {
			in.Income = append(in.Income, service.BudgetLineInput{Category: l.Category, Label: l.Label, Monthly: l.Monthly})
			incomeRow = append(incomeRow, i)
		}
	}
	for i := 0; i < maxFormRows; i++ {
		k := strconv.Itoa(i)
		if _, ok := pf["expenses_category_"+k]; !ok {
			break
		}
		l := budgetLine{strings.TrimSpace(pf.Get("expenses_category_" + k)), strings.TrimSpace(pf.Get("expenses_label_" + k)), strings.TrimSpace(pf.Get("expenses_monthly_" + k))}
		f.Expenses = append(f.Expenses, l)
		if l.Monthly != "" || l.Label != "" {
			in.Expenses = append(in.Expenses, service.BudgetLineInput{Category: l.Category, Label: l.Label, Monthly: l.Monthly})
			expenseRow = append(expenseRow, i)
		}
	}
	for i := 0; i < maxFormRows; i++ {
		k := strconv.Itoa(i)
		if _, ok := pf["debts_creditor_"+k]; !ok {
			break
		}
		d := budgetDebt{strings.TrimSpace(pf.Get("debts_creditor_" + k)), strings.TrimSpace(pf.Get("debts_monthly_" + k)),
			strings.TrimSpace(pf.Get("debts_balance_" + k)), pf.Get("debts_priority_"+k) != ""}
		f.Debts = append(f.Debts, d)
		if d.Creditor != "" || d.Monthly != "" || d.Balance != "" {
			in.Debts = append(in.Debts, service.BudgetDebtInput{Creditor: d.Creditor, Monthly: d.Monthly, Balance: d.Balance, Priority: d.Priority})
			debtRow = append(debtRow, i)
		}
	}
	_, err = s.svc.PutBudget(r.Context(), c.ID, in)
	if err == nil {
		http.Redirect(w, r, "/customers/"+url.PathEscape(c.ID)+"?done=budget#budget", http.StatusSeeOther)
		return
	}
	rows := map[string][]int{"income": incomeRow, "expenses": expenseRow, "debts": debtRow}
	fields, alert, status, ok := formErrors(err, func(field string) string {
		m := lineField.FindStringSubmatch(field)
		if m == nil {
			return field
		}
		n, _ := strconv.Atoi(m[2])
		if list := rows[m[1]]; n < len(list) {
			return fmt.Sprintf("%s[%d]%s", m[1], list[n], m[3])
		}
		return field
	})
	if !ok {
		s.serverError(w, r, err)
		return
	}
	f.Errors = fields
	f.pad()
	s.renderCustomer(w, r, u, c.ID, status, alert, func(v *customerView) { v.BudgetForm = f })
}

var lineField = regexp.MustCompile(`^(income|expenses|debts)\[(\d+)\](.*)$`)

// renderCustomer re-renders the customer's page with a form as posted.
func (s *Server) renderCustomer(w http.ResponseWriter, r *http.Request, u *service.SignedIn, id string, status int, alert string, set func(*customerView)) {
	v, err := s.customerView(r, u, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Alert = alert
	set(v)
	s.render(w, r, status, "customer", "", pageFor(u, v.Customer.Name, "customers", v))
}

type noteForm struct {
	Kind, Direction, Summary string
	Reason, Claim, Evidence  string
	Errors                   map[string]string
}

func (f noteForm) Error(field string) string { return f.Errors[field] }

// customerInteraction records a call or note, with the stated reason.
func (s *Server) customerInteraction(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	f := noteForm{Kind: strings.TrimSpace(pf.Get("kind")), Direction: strings.TrimSpace(pf.Get("direction")), Summary: strings.TrimSpace(pf.Get("summary")),
		Reason: strings.TrimSpace(pf.Get("reason")), Claim: strings.TrimSpace(pf.Get("claim")), Evidence: strings.TrimSpace(pf.Get("evidence"))}
	in := service.InteractionInput{Kind: f.Kind, Direction: f.Direction, Summary: f.Summary}
	if f.Kind == "note" {
		in.Direction = "" // a note has no direction; the form's radio keeps one
	}
	if f.Reason != "" {
		in.Reason = &service.ReasonInput{Category: f.Reason, Claim: f.Claim, Evidence: f.Evidence}
	} else if f.Evidence != "" || f.Claim == "fact" {
		f.Errors = map[string]string{"reason": "Choose the reason the customer gave, or leave the claim unverified and the evidence empty."}
		s.renderCustomer(w, r, u, id, http.StatusUnprocessableEntity, "", func(v *customerView) { v.Note = f })
		return
	}
	view, err := s.svc.CreateInteraction(r.Context(), id, in)
	if err == nil {
		done := "interaction"
		if view.Resend != nil {
			done = "resend"
		}
		http.Redirect(w, r, "/customers/"+url.PathEscape(view.Interaction.CustomerID)+"?done="+done+"#history", http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, func(field string) string { return strings.TrimPrefix(field, "reason.") })
	if !ok {
		s.serverError(w, r, err)
		return
	}
	if fields != nil {
		if m, ok := fields["category"]; ok {
			fields["reason"] = m
		}
	}
	f.Errors = fields
	s.renderCustomer(w, r, u, id, status, alert, func(v *customerView) { v.Note = f })
}

// budgetLineRow is what the "budget-line" template gets.
type budgetLineRow struct {
	List   string
	I      int
	Line   budgetLine
	Cats   []string
	Errors map[string]string
}

func init() {
	sectionFuncs["budgetLine"] = func(list string, i int, l budgetLine, cats []string, errs map[string]string) budgetLineRow {
		return budgetLineRow{list, i, l, cats, errs}
	}
	sectionFuncs["add1"] = func(i int) int { return i + 1 }
	sectionFuncs["sentenceCase"] = sentence
}

// paymentForm is the customer page's "Record a payment": a payment
// received by hand (bank transfer, cheque, cash or card), optionally
// for one of the customer's plans or invoices (service.RecordPayment).
type paymentForm struct {
	Method, ReceivedOn, Currency, Amount string
	Reference, PlanID, InvoiceID         string
	Errors                               map[string]string
}

func (f paymentForm) Error(field string) string { return f.Errors[field] }

// paymentMethods are the methods staff record by hand ("check" is the
// stored name of a cheque).
var paymentMethods = []option{{"bank_transfer", "Bank transfer"}, {"check", "Cheque"}, {"cash", "Cash"}, {"card", "Card"}}

// customerPayment records a payment taken by hand.
func (s *Server) customerPayment(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	f := paymentForm{Method: strings.TrimSpace(pf.Get("method")), ReceivedOn: strings.TrimSpace(pf.Get("received_on")),
		Currency: strings.ToUpper(strings.TrimSpace(pf.Get("currency"))), Amount: strings.TrimSpace(pf.Get("amount")),
		Reference: strings.TrimSpace(pf.Get("reference")), PlanID: strings.TrimSpace(pf.Get("plan_id")), InvoiceID: strings.TrimSpace(pf.Get("invoice_id"))}
	known := false
	for _, m := range paymentMethods {
		known = known || m.Value == f.Method
	}
	if !known {
		f.Errors = map[string]string{"method": "Choose bank transfer, cheque, cash or card."}
		s.renderCustomer(w, r, u, id, http.StatusUnprocessableEntity, "", func(v *customerView) { v.Payment = f })
		return
	}
	_, err := s.svc.RecordPayment(r.Context(), service.PaymentInput{CustomerID: id, ReceivedOn: f.ReceivedOn, Currency: f.Currency,
		Amount: f.Amount, Method: f.Method, Reference: f.Reference, PlanID: f.PlanID, InvoiceID: f.InvoiceID})
	if err == nil {
		http.Redirect(w, r, bankPaymentDone(id), http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	f.Errors = fields
	s.renderCustomer(w, r, u, id, status, alert, func(v *customerView) { v.Payment = f })
}
