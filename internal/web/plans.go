package web

import "net/http"

// planRoutes registers the section's pages.
func (s *Server) planRoutes() {
	s.mux.HandleFunc("GET /plans", s.user(s.comingSoon("plans")))
}

var _ = http.MethodGet
