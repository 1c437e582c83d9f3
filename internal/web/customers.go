package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"settle/internal/apperr"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
)

// The customers: a searchable list with each customer's balance, overdue
// and risk band, and each customer's page (customer_page.go) with the
// position, the history, the budget, the call guide and the negotiation.

// customerRoutes registers the section's pages.
func (s *Server) customerRoutes() {
	m := s.mux
	m.HandleFunc("GET /customers", s.user(s.customers))
	m.HandleFunc("GET /customers/{id}", s.user(s.customerPage))
	m.HandleFunc("POST /customers/{id}/budget", s.user(s.actor(s.customerBudget)))
	m.HandleFunc("POST /customers/{id}/interactions", s.user(s.actor(s.customerInteraction)))
	m.HandleFunc("POST /customers/{id}/negotiations", s.user(s.actor(s.openNegotiation)))
	m.HandleFunc("POST /customers/{id}/negotiations/{nid}/counter", s.user(s.actor(s.counterOffer)))
	m.HandleFunc("POST /customers/{id}/negotiations/{nid}/accept", s.user(s.actor(s.acceptNegotiation)))
	m.HandleFunc("POST /customers/{id}/portal-link", s.user(s.actor(s.portalLink)))
	m.HandleFunc("POST /customers/{id}/details", s.user(s.actor(s.customerDetails)))
	m.HandleFunc("POST /customers/{id}/credit-hold", s.user(s.actor(s.customerCreditHold)))
}

func init() {
	sectionFuncs["custMoney"] = formatMoney[int64]
	sectionFuncs["custAmount"] = func(a money.Amount) string { return formatMoney(a.Minor(), a.Currency()) }
	sectionFuncs["custPercent"] = func(f float64) string { return percentOf(int64(f*1000+0.5), int64(1000)) }
	sectionFuncs["custStatus"] = statusLabel
}

// canAct: agents and admins change things; viewers only look.
func canAct(u *service.SignedIn) bool { return u.Actor.Role != service.RoleViewer }

// actor refuses a viewer's POST with 403 before anything is read.
func (s *Server) actor(h func(http.ResponseWriter, *http.Request, *service.SignedIn)) func(http.ResponseWriter, *http.Request, *service.SignedIn) {
	return func(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
		if !canAct(u) {
			s.errorPage(w, r, http.StatusForbidden, "Your role can see this page but not change anything on it.")
			return
		}
		if err := r.ParseForm(); err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
			return
		}
		h(w, r, u)
	}
}

// formErrors splits a service error into errors beside fields (mapped by
// rename), or a message for the page with its status; ok is false for
// an error that is no person's to fix (a 500).
func formErrors(err error, rename func(string) string) (fields map[string]string, alert string, status int, ok bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return nil, "", 0, false
	}
	switch {
	case ae.Code == apperr.Invalid && len(ae.Fields) > 0:
		fields = map[string]string{}
		for _, f := range ae.Fields {
			k := f.Field
			if rename != nil {
				k = rename(k)
			}
			if _, dup := fields[k]; dup {
				fields[k] += "; " + f.Message
			} else {
				fields[k] = f.Message
			}
		}
		return fields, "", http.StatusUnprocessableEntity, true
	case ae.Code == apperr.Internal:
		return nil, "", 0, false
	}
	return nil, ae.Error(), statusOf(ae.Code), true
}

// statusLabel names a plan, installment or promise status for people.
func statusLabel(s string) string {
	switch s {
	case "partial":
		return "part paid"
	case "":
		return "—"
	}
	return strings.ReplaceAll(s, "_", " ")
}

// ---- the list ---------------------------------------------------------------------

type customersView struct {
	Query string
	Rows  []customerListRow
	Next  string // the next page's URL
	First string // the first page's URL, when not on it
	AsOf  string
}

type customerListRow struct {
	ID, Name, Ref, Kind, Segment string
	Balances                     []customerBalance
	RiskBand, RiskLabel          string
	RiskScore                    int
	OpenPlans, OpenPromises      int
	CreditHold                   bool
}

type customerBalance struct {
	Total, Overdue string
	HasOverdue     bool
}

func (s *Server) customers(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	q := r.URL.Query()
	query := strings.TrimSpace(q.Get("q"))
	if len(query) > 200 {
		query = query[:200]
	}
	asOf := s.svc.Today()
	rows, next, err := s.svc.CustomerList(r.Context(), service.CustomerListInput{Query: query, AsOf: asOf, Page: store.Page{Limit: 50, Cursor: q.Get("after")}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := customersView{Query: query, AsOf: formatDate(asOf)}
	for _, row := range rows {
		c := row.Customer
		lr := customerListRow{ID: c.ID, Name: c.Name, Ref: c.ExternalRef, Kind: c.Kind, Segment: c.Segment,
			RiskBand: row.Risk.Band, RiskLabel: row.Risk.Label, RiskScore: row.Risk.Score, OpenPlans: row.OpenPlans, OpenPromises: row.OpenPromises,
			CreditHold: c.CreditHold.Held}
		for _, b := range row.Balances {
			if b.Total().IsZero() {
				continue
			}
			lr.Balances = append(lr.Balances, customerBalance{Total: formatMoney(b.Total(), b.Currency), Overdue: formatMoney(b.Overdue(), b.Currency), HasOverdue: b.Overdue().Sign() > 0})
		}
		v.Rows = append(v.Rows, lr)
	}
	if next != "" {
		v.Next = "/customers?" + url.Values{"q": {query}, "after": {next}}.Encode()
	}
	if q.Get("after") != "" {
		v.First = "/customers?" + url.Values{"q": {query}}.Encode()
	}
	s.render(w, r, http.StatusOK, "customers", "", pageFor(u, "Customers", "customers", v))
}
