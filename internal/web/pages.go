package web

import (
	"net/http"

	"settle/internal/service"
)

// placeholders describe the sections that are not built yet: the page
// says what will be there and where to do it meanwhile.
var placeholders = map[string]struct{ Title, Purpose, Meanwhile string }{
	"customers": {"Customers", "Every customer with their balance, aging, risk and payment profile, interactions, promises and plans.", "GET /v1/customers and GET /v1/customers/{id}/position in the API."},
	"plans":     {"Plans", "Payment plans by status, with each installment tracked, and renegotiation.", "GET /v1/plans/{id} in the API."},
	"import":    {"Import", "Upload customers, invoices and payments as CSV, with every bad row listed by line and column.", "settle import customers|invoices|payments FILE, or POST /v1/imports/… in the API."},
	"settings":  {"Settings", "Users and roles, API tokens, negotiation policies and the collections ladder, webhooks.", "settle user create and settle token create on the command line; /v1/policies and /v1/webhooks in the API."},
}

// comingSoon is a placeholder page for a section still to be built.
func (s *Server) comingSoon(key string) func(http.ResponseWriter, *http.Request, *service.SignedIn) {
	p := placeholders[key]
	return func(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
		s.render(w, r, http.StatusOK, "placeholder", "", pageFor(u, p.Title, key, p))
	}
}
