package web

import "net/http"

// Route is the pattern of the UI route that serves r ("" if none: the
// request goes to Fallback). Metrics and the access log name requests by
// it, never by their path (portal paths carry customer tokens).
func (s *Server) Route(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	return pattern
}
