package web

import "net/http"

// customerRoutes registers the section's pages.
func (s *Server) customerRoutes() {
	s.mux.HandleFunc("GET /customers", s.user(s.comingSoon("customers")))
}

var _ = http.MethodGet
