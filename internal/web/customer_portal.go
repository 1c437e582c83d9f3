package web

import (
	"net/http"

	"settle/internal/service"
)

// portalLink makes a link to the customer's self-service portal for an
// agent to send them (the same signed, expiring link as `settle
// portal-link`), and shows it once on the customer's page. The link is a
// credential: it is not put in the URL or the log, only in this response
// (which is not cached).
func (s *Server) portalLink(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	link, err := s.svc.CreatePortalLink(r.Context(), id, 0, s.portalBase(r))
	if err != nil {
		if _, alert, status, ok := formErrors(err, nil); ok {
			s.renderCustomer(w, r, u, id, status, alert, func(*customerView) {})
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.renderCustomer(w, r, u, link.CustomerID, http.StatusOK, "", func(v *customerView) {
		v.PortalLink, v.PortalUntil = link.URL, link.ExpiresAt
		v.Notice = "Portal link made: send it to the customer. It opens only their account and works until the date shown."
	})
}

// portalBase is the portal's address for links made in the UI: the
// configured public address, else the address this request came to.
func (s *Server) portalBase(r *http.Request) string {
	if s.svc.PortalURL != "" {
		return s.svc.PortalURL
	}
	scheme := "http"
	if r.TLS != nil || s.CookieSecure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
