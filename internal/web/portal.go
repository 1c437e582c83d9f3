package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/obs"
	"settle/internal/service"
)

// The customer portal (/portal/{token}): the customer's own pages, reached
// by a signed, expiring link (service.CreatePortalLink) instead of a
// sign-in. It has its own layout (no staff navigation) and its own words,
// in the customer's language (en, de, fr; portal_phrases_*.go).
//
// Every handler goes through s.portal, which verifies the token (a refusal
// is a plain page with no data: 403 for a link that is not ours, 410 for
// an expired one), checks the form token on POST (an HMAC of the portal
// token, so it is bound to this link), and sets the headers a page with a
// credential in its URL needs: Referrer-Policy no-referrer (the URL must
// not leak to another site through a link), Cache-Control no-store, and
// X-Robots-Tag noindex. The handlers then call the service's Portal*
// functions, which take the verified session and check that every id from
// the URL or the form belongs to its customer.
//
// The pages work without JavaScript (plain forms, POST-redirect-GET); the
// layout loads no script at all.

//go:embed templates/portal/*.html
var portalFS embed.FS

// portalPhrases maps a message key to its wording (a fmt format).
type portalPhrases map[string]string

var portalLangs = map[string]portalPhrases{"en": portalEN, "de": portalDE, "fr": portalFR}

// portalView is what every portal template gets.
type portalView struct {
	Lang     string // en, de or fr: the html lang attribute and the words
	Locale   string // the customer's tag (formats: en-US dates, …)
	Title    string
	Creditor string
	Token    string // "" on refusal pages: no links into the portal
	CSRF     string
	Expires  civil.Date
	Notice   string
	Alert    string
	Content  any
	// Scoped: the link opens only one page (an opt-out or pay link from
	// a message): no links to the rest of the portal.
	Scoped bool
	// Pay: online payment is offered (portal_pay.go).
	Pay bool
	// Org: the organisation's details, in the footer.
	Org notify.Creditor
}

// T is the wording of key in the page's language, with args.
func (v *portalView) T(key string, args ...any) string {
	ph := portalLangs[v.Lang]
	f, ok := ph[key]
	if !ok {
		f, ok = portalEN[key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// N picks key.one or key.other by n and formats n into it.
func (v *portalView) N(key string, n int) string {
	if n == 1 {
		return v.T(key+".one", n)
	}
	return v.T(key+".other", n)
}

// Money formats an amount in the customer's locale.
func (v *portalView) Money(a money.Amount) string { return notify.LocalMoney(a, v.Locale) }

// Date writes a date in words in the customer's locale.
func (v *portalView) Date(d civil.Date) string { return notify.LocalDate(d, v.Locale) }

// Short writes a date compactly (tables).
func (v *portalView) Short(d civil.Date) string { return notify.LocalShortDate(d, v.Locale) }

// Base is the portal's root URL for this link.
func (v *portalView) Base() string { return "/portal/" + v.Token }

// parsePortalPages parses the portal's templates, each with the portal's
// layout (the staff layout never sees them).
func (s *Server) parsePortalPages() map[string]*template.Template {
	sub, err := fs.Sub(portalFS, "templates")
	if err != nil {
		panic(err)
	}
	return parseWithLayout(sub, "portal", template.FuncMap{
		"static": s.staticURL,
		"list":   func(a ...any) []any { return a },
	})
}

// portalRoutes registers the customer portal (/portal/{token}).
func (s *Server) portalRoutes() {
	m := s.mux
	m.HandleFunc("GET /portal/{token}", s.portal(s.portalHome))
	m.HandleFunc("POST /portal/{token}/plan", s.portal(s.portalStartPlan))
	m.HandleFunc("GET /portal/{token}/plan/{neg}", s.portal(s.portalOptions))
	m.HandleFunc("POST /portal/{token}/plan/{neg}/counter", s.portal(s.portalCounter))
	m.HandleFunc("POST /portal/{token}/plan/{neg}/choose", s.portal(s.portalChoose))
	m.HandleFunc("GET /portal/{token}/agreement/{plan}", s.portal(s.portalAgreement))
	m.HandleFunc("POST /portal/{token}/agreement/{plan}", s.portal(s.portalAccept))
	m.HandleFunc("GET /portal/{token}/agreement/{plan}/pdf", s.portal(s.portalAgreementPDF))
	m.HandleFunc("GET /portal/{token}/invoices/{inv}/pdf", s.portal(s.portalInvoicePDF))
	m.HandleFunc("GET /portal/{token}/promise", s.portal(s.portalPromise))
	m.HandleFunc("POST /portal/{token}/promise", s.portal(s.portalPromise))
	m.HandleFunc("GET /portal/{token}/dispute", s.portal(s.portalDispute))
	m.HandleFunc("POST /portal/{token}/dispute", s.portal(s.portalDispute))
	m.HandleFunc("GET /portal/{token}/contact", s.portal(s.portalContact))
	m.HandleFunc("POST /portal/{token}/contact", s.portal(s.portalContact))
	// The short link in reminders (portal_short.go).
	m.HandleFunc("GET /p/{code}", s.portalShort)
}

// portalOrg is the organisation as the portal shows it; if it cannot be
// read, the configured name alone (the page still works, its footer is
// shorter).
func (s *Server) portalOrg(r *http.Request) notify.Creditor {
	org, err := s.svc.Organisation(r.Context())
	if err != nil || org.Name == "" {
		if err != nil {
			s.log.Warn("portal: organisation settings", "err", err)
		}
		return notify.Creditor{Name: s.svc.Creditor}
	}
	return org
}

type portalHandler func(w http.ResponseWriter, r *http.Request, p *service.PortalSession, v *portalView)

// portal verifies the link and the form token, sets the portal's headers
// and hands the verified session to h.
func (s *Server) portal(h portalHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Robots-Tag", "noindex, nofollow")
		p, err := s.svc.VerifyPortalToken(r.Context(), r.PathValue("token"))
		if err != nil {
			org := s.portalOrg(r)
			v := &portalView{Lang: acceptLanguage(r), Creditor: org.Name, Org: org}
			var le *service.PortalLinkError
			switch {
			case errors.As(err, &le) && le.Expired:
				s.portalMessage(w, r, v, http.StatusGone, "link.expired.title", "link.expired")
			case errors.As(err, &le):
				// Only refused links are throttled, so that behind a proxy
				// (one address for everyone) a scanner cannot lock real
				// customers out: their links still verify.
				ip := clientIP(r)
				if wait := s.portalRefusals.blocked(ip); wait > 0 {
					s.portalBusy(w, r, v, wait)
					return
				}
				s.portalRefusals.fail(ip)
				s.portalMessage(w, r, v, http.StatusForbidden, "link.invalid.title", "link.invalid")
			default:
				s.portalFail(w, r, v, err)
			}
			return
		}
		c := p.Customer()
		org := s.portalOrg(r)
		v := &portalView{Lang: notify.Lang(c.Locale), Locale: c.Locale, Creditor: org.Name, Org: org, Token: p.Token(), CSRF: p.CSRF(),
			Expires: civil.Of(p.ExpiresAt()), Scoped: p.Scope() != "", Pay: s.svc.OnlinePayments()}
		if sc := p.Scope(); sc != "" && !strings.HasSuffix(r.Pattern, " /portal/{token}/"+sc) {
			// A scoped link (an opt-out or pay link from a message) opens
			// its one page and nothing else: its home is that page;
			// anything more is refused.
			if r.Method == http.MethodGet && r.Pattern == "GET /portal/{token}" {
				http.Redirect(w, r, "/portal/"+p.Token()+"/"+sc, http.StatusSeeOther)
				return
			}
			s.portalMessage(w, r, &portalView{Lang: v.Lang, Creditor: v.Creditor, Org: v.Org}, http.StatusForbidden, "link.invalid.title", "link.invalid")
			return
		}
		if r.Method == http.MethodPost {
			key := "post:" + portalKey(p.Token())
			if wait := s.portalPosts.blocked(key); wait > 0 {
				s.portalBusy(w, r, v, wait)
				return
			}
			s.portalPosts.fail(key) // counts every post, not only failures
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				s.portalMessage(w, r, v, http.StatusBadRequest, "err.csrf", "err.csrf")
				return
			}
			if !p.CheckCSRF(r.PostForm.Get("csrf_token")) {
				s.portalMessage(w, r, v, http.StatusForbidden, "err.csrf", "err.csrf")
				return
			}
		}
		h(w, r, p, v)
	}
}

// Portal throttles: after PortalRefusals refused links from one address
// within PortalWindow, further refused links get 429 (valid links still
// open); after PortalPosts form posts through one link within
// PortalWindow, the next post waits (429). A customer filling in forms
// posts a few times a minute; a link is 256 bits of MAC, so the refusals'
// throttle only slows a scanner down.
const (
	PortalRefusals = 20
	PortalPosts    = 30
	PortalWindow   = 10 * time.Minute
)

// portalKey is what the throttle keeps of a token: its SHA-256, so the
// limiter's memory never holds a usable link.
func portalKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// portalBusy answers 429 with Retry-After.
func (s *Server) portalBusy(w http.ResponseWriter, r *http.Request, v *portalView, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	s.portalMessage(w, r, v, http.StatusTooManyRequests, "err.busy.title", "err.busy")
}

// acceptLanguage picks en, de or fr from the browser's Accept-Language
// (for refusal pages, where there is no customer to take it from).
func acceptLanguage(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if l := notify.Lang(tag); l != "en" || strings.HasPrefix(strings.ToLower(tag), "en") {
			return l
		}
	}
	return "en"
}

// renderPortal writes a portal page (buffered: a template error is a clean 500).
func (s *Server) renderPortal(w http.ResponseWriter, r *http.Request, status int, name string, v *portalView) {
	t, ok := s.portalPages[name]
	if !ok {
		s.portalFail(w, r, v, errors.New("web: no portal template "+name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("web: portal template", "template", name, "err", err)
		http.Error(w, v.T("err.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// portalMessage is a plain page: a heading and a sentence, no account data.
func (s *Server) portalMessage(w http.ResponseWriter, r *http.Request, v *portalView, status int, title, msg string) {
	v.Title = v.T(title)
	v.Content = struct {
		Status  int
		Message string
	}{status, v.T(msg)}
	s.renderPortal(w, r, status, "message", v)
}

// portalFail answers an error the customer cannot fix by editing a form:
// not found, a conflict, or an internal error (logged without the token).
func (s *Server) portalFail(w http.ResponseWriter, r *http.Request, v *portalView, err error) {
	switch apperr.CodeOf(err) {
	case apperr.NotFound:
		s.portalMessage(w, r, v, http.StatusNotFound, "err.notfound", "err.notfound")
		return
	case apperr.Conflict:
		s.portalMessage(w, r, v, http.StatusConflict, "err.conflict", "err.conflict")
		return
	case apperr.Invalid:
		// Bad input that a page has no field for (a choice that was not
		// offered, e.g. alternative=99): the customer's mistake, not ours.
		s.portalMessage(w, r, v, http.StatusUnprocessableEntity, "err.field", "err.field")
		return
	}
	s.log.Error("web: portal", "method", r.Method, "page", redactToken(r.URL.Path), "err", err, "request_id", obs.RequestID(r.Context()))
	s.portalMessage(w, r, v, http.StatusInternalServerError, "err.internal", "err.internal")
}

// redactToken hides the token in a portal path (for logs).
func redactToken(p string) string {
	rest, ok := strings.CutPrefix(p, "/portal/")
	if !ok {
		return p
	}
	if _, tail, ok := strings.Cut(rest, "/"); ok {
		return "/portal/…/" + tail
	}
	return "/portal/…"
}

// portalRedirect sends the browser to a portal page after a POST.
func portalRedirect(w http.ResponseWriter, r *http.Request, v *portalView, rest string) {
	http.Redirect(w, r, v.Base()+rest, http.StatusSeeOther)
}

// portalFormErrors turns a service error into field messages in the page's
// language. The service's own message is English and specific; other
// languages get the field's general message.
func portalFormErrors(v *portalView, err error, fields map[string]string) (map[string]string, bool) {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid || len(e.Fields) == 0 {
		return nil, false
	}
	// Messages the service wrote in the customer's language are shown as
	// they are; English ones are replaced by the page's own words.
	var le *service.LocalizedError
	localized := errors.As(err, &le)
	out := map[string]string{}
	for _, f := range e.Fields {
		key := f.Field
		if _, ok := fields[key]; !ok {
			key = "_"
		}
		msg := f.Message
		if v.Lang != "en" && !localized {
			msg = v.T(fields[key])
			if msg == "" || fields[key] == "" {
				msg = v.T("err.field")
			}
		}
		if prev, ok := out[key]; ok && (v.Lang == "en" || localized) {
			msg = prev + "; " + msg
		}
		out[key] = msg
	}
	return out, true
}

// Amount marks per portal language: the decimal mark and the marks that
// may group thousands. German writes 1.234,50; French 1 234,50 with a
// space, a no-break space or a narrow no-break space; English 1,234.50.
var amountMarks = map[string]struct {
	decimal rune
	groups  string
}{
	"en": {'.', ","},
	"de": {',', "."},
	"fr": {',', " \u00a0\u202f"},
}

// localAmount turns an amount typed in the portal into the plain decimal
// the API takes ("1234.50"), or reports false. It accepts only digits
// written with the language's own marks (amountMarks; unknown languages
// use English): at most one decimal mark with at least one digit after it,
// and grouping, if any, with one mark throughout, 1–3 digits first and
// exactly 3 in every later group. So for en "1,234" is one thousand two
// hundred thirty-four and "12,34" is refused; for de "1.234" is the same
// thousand and "1.5" is refused. Signs, exponents, letters, currency
// symbols and anything else are refused, never skipped. The number of
// decimals is left to money.Parse downstream, which refuses more than the
// currency has (never rounds).
func localAmount(s, lang string) (string, bool) {
	m, ok := amountMarks[lang]
	if !ok {
		m = amountMarks["en"]
	}
	s = strings.TrimSpace(s)
	intPart, frac := s, ""
	if i := strings.IndexRune(s, m.decimal); i >= 0 {
		intPart, frac = s[:i], s[i+utf8.RuneLen(m.decimal):]
		if frac == "" || !allDigits(frac) {
			return "", false
		}
	}
	if intPart == "" {
		return "", false
	}
	var digits strings.Builder
	group := rune(0) // the grouping mark in use, once seen
	run := 0         // digits since the last mark
	first := true    // still in the first group
	for _, r := range intPart {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
			run++
		case strings.ContainsRune(m.groups, r) && (group == 0 || r == group):
			if (first && (run < 1 || run > 3)) || (!first && run != 3) {
				return "", false
			}
			group, run, first = r, 0, false
		default:
			return "", false
		}
	}
	if run == 0 || (!first && run != 3) {
		return "", false
	}
	if frac == "" {
		return digits.String(), true
	}
	return digits.String() + "." + frac, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
