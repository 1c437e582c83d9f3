package web

import (
	"errors"
	"net/http"

	"settle/internal/service"
)

// portalShort opens a short portal link from a reminder (/p/{code},
// service.OpenPortalShortLink): it redirects to the customer's portal home
// under a signed token minted for that one customer, valid until the short
// link expires, so every portal page and check applies as for any portal
// link. A code that is malformed or unknown gets the portal's "link does
// not work" page (403, counted by the same per-address throttle as refused
// portal tokens), an expired one the "expired" page (410); neither shows
// anything of an account.
func (s *Server) portalShort(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	token, err := s.svc.OpenPortalShortLink(r.Context(), r.PathValue("code"))
	if err == nil {
		http.Redirect(w, r, "/portal/"+token, http.StatusSeeOther)
		return
	}
	v := &portalView{Lang: acceptLanguage(r), Creditor: s.svc.Creditor}
	var le *service.PortalLinkError
	switch {
	case errors.As(err, &le) && le.Expired:
		s.portalMessage(w, r, v, http.StatusGone, "link.expired.title", "link.expired")
	case errors.As(err, &le):
		ip := clientIP(r)
		if wait := s.portalRefusals.blocked(ip); wait > 0 {
			s.portalBusy(w, r, v, wait)
			return
		}
		s.portalRefusals.fail(ip)
		s.portalMessage(w, r, v, http.StatusForbidden, "link.invalid.title", "link.invalid")
	default:
		s.portalFail(w, r, v, err)
	}
}
