package web

import (
	"net/http"

	"settle/internal/apperr"
	"settle/internal/service"
)

// Online payments as staff see them (service.OnlineActivity): failed
// payments and autopay attempts, chargebacks, money held for review and
// a plan's autopay method. The customer and plan pages load the panel
// (htmx, on load); without JavaScript their link opens it as a page.

func (s *Server) onlineStaffRoutes() {
	s.mux.HandleFunc("GET /customers/{id}/online", s.user(s.onlinePanel(false)))
	s.mux.HandleFunc("GET /plans/{id}/online", s.user(s.onlinePanel(true)))
}

type onlinePanelView struct {
	*service.OnlineActivity
	Of   string // "customer" or "plan"
	ID   string
	Back string
}

func (s *Server) onlinePanel(ofPlan bool) func(http.ResponseWriter, *http.Request, *service.SignedIn) {
	return func(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
		id := r.PathValue("id")
		v := onlinePanelView{Of: "customer", ID: id, Back: "/customers/" + id}
		var err error
		if ofPlan {
			v.Of, v.Back = "plan", "/plans/"+id
			v.OnlineActivity, err = s.svc.OnlineActivity(r.Context(), "", id)
		} else {
			v.OnlineActivity, err = s.svc.OnlineActivity(r.Context(), id, "")
		}
		if err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				s.errorPage(w, r, http.StatusNotFound, "There is no such "+v.Of+".")
				return
			}
			s.serverError(w, r, err)
			return
		}
		block := ""
		if r.Header.Get("HX-Request") == "true" {
			block = "online-panel"
		}
		s.render(w, r, http.StatusOK, "online", block, pageFor(u, "Online payments", map[bool]string{true: "plans", false: "customers"}[ofPlan], v))
	}
}
