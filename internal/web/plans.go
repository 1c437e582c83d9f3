package web

import (
	"net/http"
	"net/url"

	"settle/internal/service"
	"settle/internal/store"
)

// Payment plans: a list by status, and each plan's page (plan_page.go)
// with its schedule, payments, agreement and the actions on it.

// planRoutes registers the section's pages.
func (s *Server) planRoutes() {
	m := s.mux
	m.HandleFunc("GET /plans", s.user(s.plans))
	m.HandleFunc("GET /plans/{id}", s.user(s.planPage))
	m.HandleFunc("GET /plans/{id}/agreement.pdf", s.user(s.planAgreement))
	m.HandleFunc("POST /plans/{id}/accept", s.user(s.actor(s.planAccept)))
	m.HandleFunc("POST /plans/{id}/cancel", s.user(s.actor(s.planCancel)))
	m.HandleFunc("POST /plans/{id}/renegotiate", s.user(s.actor(s.planRenegotiate)))
}

type plansView struct {
	Status string
	Tabs   []queueTab
	Rows   []planListRow
	Next   string
	First  string
	Alert  string
}

type planListRow struct {
	ID, Customer, CustomerID, Status string
	Version                          int
	Balance, Paid, Next              string
	Installments, Missed             int
	Created                          string
}

func (s *Server) plans(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	q := r.URL.Query()
	status := q.Get("status")
	v := plansView{Status: status}
	v.Tabs = append(v.Tabs, queueTab{Key: "", Name: "All", Current: status == ""})
	for _, st := range service.PlanStatuses {
		v.Tabs = append(v.Tabs, queueTab{Key: st, Name: sentence(st), Current: st == status})
	}
	asOf := s.svc.Today()
	rows, next, err := s.svc.PlanList(r.Context(), service.PlanListInput{Status: status, AsOf: asOf, Page: store.Page{Limit: 50, Cursor: q.Get("after")}})
	if err != nil {
		if fields, _, code, ok := formErrors(err, nil); ok && fields != nil {
			v.Alert = "Status " + fields["status"]
			s.render(w, r, code, "plans", "", pageFor(u, "Plans", "plans", v))
			return
		}
		s.serverError(w, r, err)
		return
	}
	for _, row := range rows {
		p := row.Plan
		cur := p.Balance.Currency()
		lr := planListRow{ID: p.ID, Customer: row.Customer.Name, CustomerID: p.CustomerID, Status: row.Status, Version: p.Version,
			Balance: formatMoney(p.Balance.Minor(), cur), Installments: len(p.Installments), Created: formatDate(civilOf(p.CreatedAt))}
		if t := row.Tracking; t != nil {
			lr.Paid = formatMoney(t.Paid.Minor(), cur)
			lr.Missed = t.Missed
			for _, in := range t.Installments {
				if in.Status != "paid" {
					lr.Next = formatDate(in.DueDate) + ": " + formatMoney(in.Amount.Minor()-in.Paid.Minor(), cur)
					break
				}
			}
		}
		v.Rows = append(v.Rows, lr)
	}
	if next != "" {
		v.Next = "/plans?" + url.Values{"status": {status}, "after": {next}}.Encode()
	}
	if q.Get("after") != "" {
		v.First = "/plans?" + url.Values{"status": {status}}.Encode()
	}
	s.render(w, r, http.StatusOK, "plans", "", pageFor(u, "Plans", "plans", v))
}
