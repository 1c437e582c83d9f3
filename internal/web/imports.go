package web

import "net/http"

// importRoutes registers the section's pages.
func (s *Server) importRoutes() {
	s.mux.HandleFunc("GET /import", s.user(s.comingSoon("import")))
}

var _ = http.MethodGet
