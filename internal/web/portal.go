package web

// portalRoutes registers the customer portal (/portal/{token}).
func (s *Server) portalRoutes() {}
