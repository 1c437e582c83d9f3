package web

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"settle/internal/service"
	"settle/internal/store"
)

// Users and API tokens (administrators only).

var roleOptions = []string{service.RoleAdmin, service.RoleAgent, service.RoleViewer}

// ---- users ------------------------------------------------------------------------

type userRow struct {
	store.User
	Created string
	Self    bool
	Errors  map[string]string // after a refused change: role, disabled
}

func (r userRow) Error(field string) string { return r.Errors[field] }

// userForm is the new-user form as typed (never the password).
type userForm struct {
	Email, Name, Role string
	Errors            map[string]string
}

func (f userForm) Error(field string) string { return f.Errors[field] }

type usersData struct {
	Users []userRow
	Form  userForm
	Roles []string
}

func (s *Server) usersData(r *http.Request, u *service.SignedIn) (*usersData, error) {
	d := &usersData{Roles: roleOptions, Form: userForm{Role: service.RoleAgent}}
	p := store.Page{Limit: 500}
	for {
		list, next, err := s.svc.Users(r.Context(), p)
		if err != nil {
			return nil, err
		}
		for _, usr := range list {
			d.Users = append(d.Users, userRow{User: usr, Created: formatTime(usr.CreatedAt), Self: usr.ID == u.User.ID})
		}
		if next == "" {
			return d, nil
		}
		p.Cursor = next
	}
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	d, err := s.usersData(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := newSettingsView(u, "users", "users", d)
	switch r.URL.Query().Get("done") {
	case "created":
		v.Notice = "User added: they can sign in with the password you gave them."
	case "role":
		v.Notice = "Role changed."
	case "disabled":
		v.Notice = "User disabled: they cannot sign in, and their open sessions end at their next request."
	case "enabled":
		v.Notice = "User enabled: they can sign in again."
	}
	s.renderSettings(w, r, u, http.StatusOK, "Users", v)
}

// createUser adds a user (email, name, role, initial password).
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	pf := r.PostForm
	f := userForm{Email: strings.TrimSpace(pf.Get("email")), Name: strings.TrimSpace(pf.Get("name")), Role: pf.Get("role")}
	_, err := s.svc.CreateUser(r.Context(), service.UserInput{Email: f.Email, Name: f.Name, Role: f.Role, Password: pf.Get("password")})
	if err == nil {
		http.Redirect(w, r, "/settings/users?done=created", http.StatusSeeOther)
		return
	}
	fields, ae, ok := settingsFormErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	status := statusOf(ae.Code)
	f.Errors = fields
	d, derr := s.usersData(r, u)
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	d.Form = f
	v := newSettingsView(u, "users", "users", d)
	v.Alert = "The user was not added: correct the fields marked below."
	s.renderSettings(w, r, u, status, "Users", v)
}

// updateUser changes a user's role (action=role) or disables or enables
// them (action=disable, action=enable).
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	id := r.PathValue("id")
	var p service.UserPatch
	done := ""
	switch action := r.PostForm.Get("action"); action {
	case "role":
		role := r.PostForm.Get("role")
		p.Role, done = &role, "role"
	case "disable", "enable":
		off := action == "disable"
		p.Disabled, done = &off, action+"d"
	default:
		s.errorPage(w, r, http.StatusBadRequest, "Unknown action.")
		return
	}
	_, err := s.svc.UpdateUser(r.Context(), id, p)
	if err == nil {
		http.Redirect(w, r, "/settings/users?done="+done+"#user-"+id, http.StatusSeeOther)
		return
	}
	fields, ae, ok := settingsFormErrors(err, nil)
	status, known := actionStatus(ae)
	if !ok && !known {
		s.serverError(w, r, err)
		return
	}
	d, derr := s.usersData(r, u)
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	v := newSettingsView(u, "users", "users", d)
	if ok {
		for i := range d.Users {
			if d.Users[i].ID == id {
				d.Users[i].Errors = fields
			}
		}
		v.Alert = "Nothing changed: see the message beside the user."
	} else {
		v.Alert = sentence(ae.Message) + "."
	}
	s.renderSettings(w, r, u, status, "Users", v)
}

// ---- API tokens ---------------------------------------------------------------------

type tokenRow struct {
	store.Token
	Created, Revoked string
	Expires          string // "" when it never expires
	Expired          bool
}

type tokenForm struct {
	Name, Role, TTL string
	Errors          map[string]string
}

// tokenTTLs are the lifetimes the create form offers (service.ParseTTL).
var tokenTTLs = []struct{ Value, Label string }{
	{"", "Never expires"}, {"30d", "30 days"}, {"90d", "90 days"}, {"365d", "1 year"},
}

func (f tokenForm) Error(field string) string { return f.Errors[field] }

type tokensData struct {
	Tokens []tokenRow
	Form   tokenForm
	Roles  []string
	TTLs   []struct{ Value, Label string }
}

// tokenCreated is the page that shows a new token's secret, once.
type tokenCreated struct {
	Secret string
	Token  tokenRow
}

func tokenRowOf(t store.Token, now time.Time) tokenRow {
	row := tokenRow{Token: t, Created: formatTime(t.CreatedAt), Expired: t.Expired(now)}
	if t.RevokedAt != nil {
		row.Revoked = formatTime(*t.RevokedAt)
	}
	if t.ExpiresAt != nil {
		row.Expires = formatTime(*t.ExpiresAt)
	}
	return row
}

func (s *Server) tokensData(r *http.Request) (*tokensData, error) {
	d := &tokensData{Roles: roleOptions, TTLs: tokenTTLs, Form: tokenForm{Role: service.RoleViewer, TTL: "90d"}}
	now := s.svc.Now()
	p := store.Page{Limit: 500}
	for {
		list, next, err := s.svc.Tokens(r.Context(), p)
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			d.Tokens = append(d.Tokens, tokenRowOf(t, now))
		}
		if next == "" {
			return d, nil
		}
		p.Cursor = next
	}
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	d, err := s.tokensData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := newSettingsView(u, "tokens", "tokens", d)
	if r.URL.Query().Get("done") == "revoked" {
		v.Notice = "Token revoked: programs using it are refused from now on."
	}
	s.renderSettings(w, r, u, http.StatusOK, "API tokens", v)
}

// createToken makes a token and shows its secret on the answer to the POST
// itself (201): never in a URL, never stored, never logged, never shown again.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	f := tokenForm{Name: strings.TrimSpace(r.PostForm.Get("name")), Role: r.PostForm.Get("role"), TTL: r.PostForm.Get("ttl"), Errors: map[string]string{}}
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		f.Errors["name"] = "Name the token after the program that will use it."
	case n > 100:
		f.Errors["name"] = "At most 100 characters."
	}
	ttl, err := service.ParseTTL(f.TTL)
	if err != nil {
		f.Errors["ttl"] = "Choose one of the lifetimes offered."
	}
	if len(f.Errors) == 0 {
		secret, tok, err := s.svc.CreateTokenFor(r.Context(), f.Role, f.Name, ttl)
		if err == nil {
			tok.Hash = ""
			v := newSettingsView(u, "token-created", "tokens", tokenCreated{Secret: secret, Token: tokenRowOf(*tok, s.svc.Now())})
			s.renderSettings(w, r, u, http.StatusCreated, "Token created", v)
			return
		}
		fields, _, ok := settingsFormErrors(err, nil)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		f.Errors = fields
	}
	d, err := s.tokensData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Form = f
	v := newSettingsView(u, "tokens", "tokens", d)
	v.Alert = "No token was made: correct the fields marked below."
	s.renderSettings(w, r, u, http.StatusUnprocessableEntity, "API tokens", v)
}

// tokenByID finds a token in the list (there are few).
func (s *Server) tokenByID(r *http.Request, id string) (*tokenRow, error) {
	d, err := s.tokensData(r)
	if err != nil {
		return nil, err
	}
	for i := range d.Tokens {
		if d.Tokens[i].ID == id {
			return &d.Tokens[i], nil
		}
	}
	return nil, nil
}

// confirmRevokeToken asks before revoking.
func (s *Server) confirmRevokeToken(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	t, err := s.tokenByID(r, r.PathValue("id"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if t == nil {
		s.errorPage(w, r, http.StatusNotFound, "There is no such token.")
		return
	}
	s.renderSettings(w, r, u, http.StatusOK, "Revoke a token", newSettingsView(u, "token-revoke", "tokens", t))
}

// revokeToken revokes a token (the POST of the confirmation page).
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if _, err := s.svc.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings/tokens?done=revoked", http.StatusSeeOther)
}
