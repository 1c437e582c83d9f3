package web

// routes lists every UI route (Go 1.22 method patterns). Pages for staff
// go through s.user (signed in; CSRF on POST); the sign-in pages and the
// static assets do not.
func (s *Server) routes() {
	m := s.mux

	// Assets (embedded).
	m.Handle("GET /static/", s.static())

	// Sign-in and sign-out.
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.user(s.logout))

	// The dashboard.
	m.HandleFunc("GET /{$}", s.user(s.dashboard))

	// The worklist: a queue's tasks; claim, release, complete.
	m.HandleFunc("GET /worklist", s.user(s.worklist))
	m.HandleFunc("POST /worklist/{id}", s.user(s.taskAction))

	// Each section registers its own routes (customers.go, plans.go,
	// imports.go, settings.go, portal.go).
	s.customerRoutes()
	s.planRoutes()
	s.importRoutes()
	s.settingsRoutes()
	s.portalRoutes()
	s.bankRoutes()
	s.portalPayRoutes()
	s.onlineStaffRoutes()
	s.outboxRoutes()
}
