package web

import "net/http"

// settingsRoutes registers the section's pages.
func (s *Server) settingsRoutes() {
	s.mux.HandleFunc("GET /settings", s.user(s.comingSoon("settings")))
}

var _ = http.MethodGet
