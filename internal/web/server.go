// Package web is settle's staff UI: server-rendered html/template pages,
// htmx for partial updates, SVG charts drawn in Go, and every template and
// asset embedded in the binary (no request ever leaves the origin). Staff
// sign in with an email and password (service.SignIn) and get a session
// cookie; every POST carries the session's CSRF token. Handlers only
// translate HTTP into service calls.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"

	"settle/internal/apperr"
	"settle/internal/obs"
	"settle/internal/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ContentSecurityPolicy is sent with every page: scripts, styles, images
// and requests only from this origin (no inline script or style), never
// framed, forms only posted back here.
const ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// Server is the web UI.
type Server struct {
	svc *service.Service
	log *slog.Logger
	mux *http.ServeMux
	// CookieSecure marks cookies Secure even on plain-HTTP requests (set
	// it behind a TLS-terminating proxy; SETTLE_COOKIE_SECURE=1, or a
	// SETTLE_PUBLIC_URL that starts with https://). Requests that arrive
	// over TLS always get Secure cookies.
	CookieSecure bool
	// Fallback serves the requests that no UI route matches (the REST
	// API when both share a listener); nil: a 404 page.
	Fallback http.Handler

	pages map[string]*template.Template
	// portalPages are the customer portal's pages (portal.go).
	portalPages map[string]*template.Template
	staticHash  map[string]string // file name → short content hash, for cache-busting URLs
	logins      *limiter
	// The portal's throttles: refused links per client address (someone
	// trying links), and form posts per link (a script hammering the
	// negotiation engine or the forms).
	portalRefusals *limiter
	portalPosts    *limiter
	csrf           *http.CrossOriginProtection
}

// New builds the UI over svc.
func New(svc *service.Service, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{
		svc: svc, log: log, mux: http.NewServeMux(),
		CookieSecure: os.Getenv("SETTLE_COOKIE_SECURE") == "1" || publicHTTPS(os.Getenv("SETTLE_PUBLIC_URL")),
		// The throttles run on the service's clock (time.Now in settle
		// serve; tests move it to see a window pass).
		logins:         newLimiter(LoginFailures, LoginWindow, svc.Now),
		portalRefusals: newLimiter(PortalRefusals, PortalWindow, svc.Now),
		portalPosts:    newLimiter(PortalPosts, PortalWindow, svc.Now),
		csrf:           http.NewCrossOriginProtection(),
	}
	s.staticHash = hashStatic()
	s.pages = s.parsePages()
	s.portalPages = s.parsePortalPages()
	s.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "This request came from another site, so it was refused.")
	}))
	s.routes()
	return s
}

// publicHTTPS tells whether SETTLE_PUBLIC_URL is an https:// address:
// then settle runs behind a TLS-terminating proxy and its cookies must be
// Secure although the requests it sees are plain HTTP.
func publicHTTPS(u string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(u)), "https://")
}

// Handler is the UI with its middleware; requests that no UI route
// matches go to Fallback (untouched by the UI's middleware).
func (s *Server) Handler() http.Handler {
	ui := s.secureHeaders(s.csrf.Handler(s.mux))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.mux.Handler(r); pattern == "" {
			if s.Fallback != nil {
				s.Fallback.ServeHTTP(w, r)
				return
			}
			s.secureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s.errorPage(w, r, http.StatusNotFound, "There is no page at this address.")
			})).ServeHTTP(w, r)
			return
		}
		ui.ServeHTTP(w, r)
	})
}

// secureHeaders sets the headers every UI response carries.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// ---- templates --------------------------------------------------------------------

// page is what every template gets.
type page struct {
	Title   string
	Nav     string // the active section
	User    *service.SignedIn
	CSRF    string // the session's token (pages for signed-in users)
	Content any    // the page's own data
}

// navItems is the main navigation, in order.
var navItems = []struct{ Key, Label, Path string }{
	{"dashboard", "Dashboard", "/"},
	{"worklist", "Worklist", "/worklist"},
	{"outbox", "Outbox", "/outbox"},
	{"customers", "Customers", "/customers"},
	{"plans", "Plans", "/plans"},
	{"import", "Import", "/import"},
	{"bank", "Bank", "/bank"},
	{"settings", "Settings", "/settings"},
}

func (s *Server) funcs() template.FuncMap {
	m := template.FuncMap{
		"static":    s.staticURL,
		"nav":       func() any { return navItems },
		"date":      formatDate,
		"day":       formatDay,
		"month":     formatMonth,
		"role":      roleName,
		"queue":     queueName,
		"timestamp": formatTime,
	}
	for name, fn := range sectionFuncs {
		m[name] = fn
	}
	return m
}

// sectionFuncs are template functions a section adds in its own file
// (func init() { sectionFuncs["name"] = fn }).
var sectionFuncs = template.FuncMap{}

// parsePages parses each page template with the layout. A template that
// does not parse is a programming error caught by every test.
func (s *Server) parsePages() map[string]*template.Template {
	return parseWithLayout(templateFS, "templates", s.funcs())
}

// parseWithLayout parses every dir/*.html of fsys but the layout, each
// together with dir/layout.html, under its name without ".html".
func parseWithLayout(fsys fs.FS, dir string, funcs template.FuncMap) map[string]*template.Template {
	names, err := fs.Glob(fsys, dir+"/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t := template.Must(template.New(base).Funcs(funcs).ParseFS(fsys, dir+"/layout.html", n))
		out[strings.TrimSuffix(base, ".html")] = t
	}
	return out
}

// render writes a page (the whole layout, or with block set only that
// template, for htmx requests) with status. It renders into a buffer
// first, so that a template error is a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, block string, p page) {
	t, ok := s.pages[name]
	if !ok {
		s.serverError(w, r, errors.New("web: no template "+name))
		return
	}
	if block == "" {
		block = "layout"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, HX-Request")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows a message with a status.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	type data struct {
		Status    int
		Heading   string
		Message   string
		RequestID string // on server errors, for the user to quote
	}
	d := data{Status: status, Heading: http.StatusText(status), Message: msg}
	if status >= 500 {
		d.RequestID = obs.RequestID(r.Context())
	}
	p := page{Title: http.StatusText(status), Content: d}
	if u, ok := r.Context().Value(userKey{}).(*service.SignedIn); ok {
		p.User, p.CSRF = u, u.CSRFToken
	}
	t, ok := s.pages["error"]
	if !ok {
		http.Error(w, msg, status)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("web: error page", "err", err, "request_id", obs.RequestID(r.Context()))
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// serverError logs err and shows "Internal error." (apperr errors a
// person can act on are shown as they are, with their status).
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := apperr.As(err); ok && e.Code != apperr.Internal {
		s.errorPage(w, r, statusOf(e.Code), e.Error())
		return
	}
	if errors.Is(err, context.Canceled) {
		return // the client went away
	}
	// The route pattern, not the path: portal paths carry customer tokens.
	s.log.Error("web: internal error", "method", r.Method, "route", s.Route(r), "err", err, "request_id", obs.RequestID(r.Context()))
	s.errorPage(w, r, http.StatusInternalServerError, "Internal error.")
}

// statusOf maps an application error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// ---- static assets ----------------------------------------------------------------

// hashStatic hashes every embedded asset once: URLs carry the hash
// (?v=…), so assets can be cached for a year and still change with a
// new binary.
func hashStatic() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return out
}

// staticURL is the URL of an embedded asset, with its content hash.
func (s *Server) staticURL(name string) string {
	if h, ok := s.staticHash[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

// static serves the embedded assets; a request with the current hash is
// cached for a year.
func (s *Server) static() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		h, ok := s.staticHash[name]
		if !ok {
			s.errorPage(w, r, http.StatusNotFound, "There is no such file.")
			return
		}
		if r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
