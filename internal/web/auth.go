package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"settle/internal/apperr"
	"settle/internal/service"
)

// Cookies.
const (
	// SessionCookie holds the session secret (only its hash is stored).
	SessionCookie = "settle_session"
	// LoginCSRFCookie is the double-submit token of the sign-in form: there
	// is no session yet to hold one.
	LoginCSRFCookie = "settle_login_csrf"
	// CSRFField and CSRFHeader carry the CSRF token of a POST: a hidden
	// form field, or (htmx) a header set from hx-headers on <body>.
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// Sign-in throttling: LoginFailures failed sign-ins for one email from one
// address within LoginWindow, and that pair is refused (429) until the
// oldest failure leaves the window.
const (
	LoginFailures = 10
	LoginWindow   = 15 * time.Minute
)

type userKey struct{}

// secure says whether cookies must be Secure for this request.
func (s *Server) secure(r *http.Request) bool { return s.CookieSecure || r.TLS != nil }

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(r), SameSite: sameSite})
}

// signedIn returns who the request's session cookie signs in, or nil.
func (s *Server) signedIn(r *http.Request) (*service.SignedIn, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	u, err := s.svc.SessionActor(r.Context(), c.Value)
	if apperr.CodeOf(err) == apperr.Unauthorized {
		return nil, nil
	}
	return u, err
}

// user wraps a handler for signed-in staff: anonymous requests are sent to
// /login (htmx requests: with HX-Redirect), and every POST (any unsafe
// method) must carry the session's CSRF token (else 403). The handler's context carries the
// user's actor.
func (s *Server) user(h func(http.ResponseWriter, *http.Request, *service.SignedIn)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.signedIn(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if u == nil {
			if _, err := r.Cookie(SessionCookie); err == nil {
				s.setCookie(w, r, SessionCookie, "", "/", -1, http.SameSiteLaxMode) // ended: drop it
			}
			to := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", to)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.errorPage(w, r, http.StatusUnauthorized, "Your session has ended. Sign in again.")
				return
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(service.WithActor(r.Context(), u.Actor), userKey{}, u)
		r = r.WithContext(ctx)
		if !safeMethod(r.Method) && !s.checkCSRF(r, u.CSRFToken) {
			s.errorPage(w, r, http.StatusForbidden, "This form has expired or did not come from settle. Reload the page and try again.")
			return
		}
		h(w, r, u)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF compares the request's token (form field or header) with want
// in constant time.
func (s *Server) checkCSRF(r *http.Request, want string) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		got = r.PostFormValue(CSRFField)
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// pageFor is a page for a signed-in user.
func pageFor(u *service.SignedIn, title, nav string, content any) page {
	return page{Title: title, Nav: nav, User: u, CSRF: u.CSRFToken, Content: content}
}

// ---- sign-in ----------------------------------------------------------------------

type loginForm struct {
	Email string
	Next  string
	CSRF  string
	Error string
}

func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// loginToken returns the browser's sign-in form token, making one (and its
// cookie) when it has none, so that several open sign-in tabs share one.
func (s *Server) loginToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(LoginCSRFCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	tok := newToken()
	s.setCookie(w, r, LoginCSRFCookie, tok, "/login", int((2 * time.Hour).Seconds()), http.SameSiteStrictMode)
	return tok
}

// safeNext keeps a post-sign-in destination only when it is a path on this
// site ("/worklist?x=1"), never another host ("//evil", "/\evil", "https:…").
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || u.Path == "/login" {
		return ""
	}
	return next
}

// loginPage shows the sign-in form (or, when signed in, goes home).
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	u, err := s.signedIn(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	if u != nil {
		http.Redirect(w, r, or(next, "/"), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "", page{Title: "Sign in", Content: loginForm{Next: next, CSRF: s.loginToken(w, r)}})
}

// login checks the form's token against its cookie (double submit), the
// throttle, then the credentials; on success it sets the session cookie
// and goes to the page asked for (or the dashboard).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	form := loginForm{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: safeNext(r.PostForm.Get("next"))}
	c, err := r.Cookie(LoginCSRFCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(CSRFField))) != 1 {
		form.CSRF = s.loginToken(w, r)
		form.Error = "The sign-in form had expired. Please sign in again."
		s.render(w, r, http.StatusForbidden, "login", "", page{Title: "Sign in", Content: form})
		return
	}
	form.CSRF = c.Value
	key := clientIP(r) + "|" + strings.ToLower(form.Email)
	if wait := s.logins.blocked(key); wait > 0 {
		s.log.Warn("web: sign-in throttled", "ip", clientIP(r))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.errorPage(w, r, http.StatusTooManyRequests,
			"Too many failed sign-ins for this email from your network. Try again in "+minutes(wait)+".")
		return
	}
	secret, err := s.svc.SignIn(r.Context(), form.Email, r.PostForm.Get("password"))
	if apperr.CodeOf(err) == apperr.Unauthorized {
		s.logins.fail(key)
		s.log.Info("web: sign-in failed", "ip", clientIP(r))
		form.Error = "Email or password is wrong."
		s.render(w, r, http.StatusUnprocessableEntity, "login", "", page{Title: "Sign in", Content: form})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.logins.reset(key)
	if old, err := r.Cookie(SessionCookie); err == nil && old.Value != "" {
		// A new sign-in replaces the browser's previous session.
		if err := s.svc.SignOut(r.Context(), old.Value); err != nil {
			s.log.Warn("web: ending the previous session", "err", err)
		}
	}
	s.setCookie(w, r, SessionCookie, secret, "/", int(service.SessionLifetime.Seconds()), http.SameSiteLaxMode)
	s.setCookie(w, r, LoginCSRFCookie, "", "/login", -1, http.SameSiteStrictMode)
	http.Redirect(w, r, or(form.Next, "/"), http.StatusSeeOther)
}

// logout ends the session and goes back to the sign-in page.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *service.SignedIn) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.svc.SignOut(r.Context(), c.Value); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.setCookie(w, r, SessionCookie, "", "/", -1, http.SameSiteLaxMode)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", "/login")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// clientIP is the address the request came from (the peer: settle does
// not trust X-Forwarded-For, which any client can send).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func minutes(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m <= 1 {
		return "a minute"
	}
	return strconv.Itoa(m) + " minutes"
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ---- throttle ---------------------------------------------------------------------

// limiter counts failures per key in a sliding window, in memory (one
// process; a restart forgets). It holds at most maxKeys keys: beyond that
// it drops the keys whose failures have all left the window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

const maxKeys = 100_000

func newLimiter(max int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

// recent drops key's failures older than the window and returns the rest.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	f := l.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= l.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = f
	}
	return f
}

// blocked returns how long key must wait, or 0.
func (l *limiter) blocked(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.recent(key, now)
	if len(f) < l.max {
		return 0
	}
	return l.window - now.Sub(f[len(f)-l.max])
}

func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) >= maxKeys {
		for k := range l.fails {
			l.recent(k, now)
		}
	}
	f := append(l.recent(key, now), now)
	if len(f) > l.max {
		f = f[len(f)-l.max:]
	}
	l.fails[key] = f
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
