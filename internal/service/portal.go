package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"strconv"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/store"
)

// The customer portal's links (/portal/{token}). A link is the customer's
// only credential, so it is:
//   - signed: HMAC-SHA256 over the customer id and the expiry with a key
//     kept in the database (portal_keys, created on first use, so that every
//     instance over one database agrees; never logged or shown);
//   - scoped: it carries one customer id, and every portal function below
//     takes the verified PortalSession, never a customer id from the
//     request;
//   - expiring: DefaultPortalTTL unless the link is made with another.
//
// Token layout (URL-safe, no padding):
//
//	base64url("1" "." keyID "." customerID "." expiry unix seconds, base 36) "." base64url(MAC)
//
// MAC = HMAC-SHA256(key, "settle/portal/v1\n" + payload). The key id lets a
// key be retired without breaking the format; a token naming a key that
// does not exist is refused like a tampered one. Verification compares
// MACs with hmac.Equal (constant time) before it looks at anything the
// payload says, so a forged payload learns nothing.

// DefaultPortalTTL is how long a portal link works unless made with another
// lifetime: long enough for a customer to come back to it over a billing
// cycle.
const DefaultPortalTTL = 30 * 24 * time.Hour

// MaxPortalTTL bounds a link's lifetime: a link in an old email should not
// open the account forever.
const MaxPortalTTL = 366 * 24 * time.Hour

const (
	portalVersion  = "1"
	portalMACLabel = "settle/portal/v1\n"
	portalCSRF     = "settle/portal/csrf/v1\n"
	maxTokenLen    = 512
)

// PortalLinkError is why a portal token was refused. The page says only
// "invalid" or "expired": which check failed is not the visitor's business.
type PortalLinkError struct {
	Expired bool
}

func (e *PortalLinkError) Error() string {
	if e.Expired {
		return "this portal link has expired"
	}
	return "this portal link is not valid"
}

// PortalLink is a new link to a customer's portal.
type PortalLink struct {
	CustomerID string
	URL        string
	Token      string
	ExpiresAt  time.Time
}

// PortalBaseURL is where portal links point: SETTLE_PUBLIC_URL, else
// http:// + SETTLE_ADDR (default 127.0.0.1:8080), an unspecified listen
// host (":8080", "0.0.0.0:8080") written as localhost. getenv is os.Getenv
// (a parameter for tests).
func PortalBaseURL(getenv func(string) string) string {
	if u := strings.TrimSpace(getenv("SETTLE_PUBLIC_URL")); u != "" {
		return strings.TrimRight(u, "/")
	}
	addr := strings.TrimSpace(getenv("SETTLE_ADDR"))
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		addr = net.JoinHostPort("localhost", port)
	}
	return "http://" + addr
}

// CreatePortalLink makes a signed link to a customer's portal (agents and
// admins), valid for ttl (0: DefaultPortalTTL), under base (PortalBaseURL).
// The audit log records that a link was made and until when; never the
// token.
func (s *Service) CreatePortalLink(ctx context.Context, customer string, ttl time.Duration, base string) (*PortalLink, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	if ttl == 0 {
		ttl = DefaultPortalTTL
	}
	if ttl < time.Minute || ttl > MaxPortalTTL {
		return nil, apperr.Field("ttl", "%s must be between 1m and %s", ttl, MaxPortalTTL)
	}
	if strings.TrimSpace(customer) == "" {
		return nil, apperr.Field("customer_id", "is required")
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	var link PortalLink
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		kid, key, err := tx.CurrentPortalKey(ctx, fresh)
		if err != nil {
			return err
		}
		// Whole seconds: the token carries the expiry in seconds.
		exp := tx.Now().Add(ttl).Truncate(time.Second).UTC()
		link = PortalLink{CustomerID: c.ID, Token: signPortal(key, kid, c.ID, exp, ""), ExpiresAt: exp}
		link.URL = strings.TrimRight(base, "/") + "/portal/" + link.Token
		return audit(ctx, tx, "portal.link", "customer", c.ID, map[string]any{"expires_at": exp.Format(time.RFC3339), "key": kid})
	})
	if err != nil {
		return nil, err
	}
	return &link, nil
}

// portalPayload is what a token signs. A link scoped to the contact
// preferences alone (ScopeContact) carries a fifth field; a full link has
// four, as before scopes existed.
func portalPayload(kid, customerID string, exp time.Time, scope string) string {
	p := portalVersion + "." + kid + "." + customerID + "." + strconv.FormatInt(exp.Unix(), 36)
	if scope != "" {
		p += "." + scope
	}
	return p
}

// ScopeContact marks a link that opens only the customer's contact
// preferences: the opt-out link in every email and SMS. Those links sit in
// stored message bodies that staff with the viewer role can read, so
// they must not let anyone act on the account (choose a plan, promise,
// dispute) — only stop or resume the messages, which is the customer's
// right whoever clicks.
const ScopeContact = "contact"

// ScopePay marks a link that opens only the pay page (the "pay online"
// link in reminder emails), for the same reason: it lets its holder pay,
// nothing else.
const ScopePay = "pay"

func portalMAC(key []byte, label, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func signPortal(key []byte, kid, customerID string, exp time.Time, scope string) string {
	payload := portalPayload(kid, customerID, exp, scope)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(portalMAC(key, portalMACLabel, payload))
}

// PortalSession is a verified portal token: the customer it opens, until
// when, and the form token bound to it. Only VerifyPortalToken makes one,
// and every portal function takes one, so nothing in the portal can name
// a customer of its own.
type PortalSession struct {
	customerID string
	expires    time.Time
	token      string
	csrf       string
	scope      string          // "" (the whole portal) or ScopeContact
	customer   ledger.Customer // as it was when the link was verified
}

// ContactOnly reports whether the link opens only the contact
// preferences (an opt-out link from a message).
func (p *PortalSession) ContactOnly() bool { return p.scope == ScopeContact }

// Scope is the link's scope: "" (the whole portal), ScopeContact or
// ScopePay.
func (p *PortalSession) Scope() string { return p.scope }

// Customer is the link's customer (name and locale for the pages), as
// read when the token was verified.
func (p *PortalSession) Customer() ledger.Customer { return p.customer }

// CustomerID is the customer the link opens.
func (p *PortalSession) CustomerID() string { return p.customerID }

// ExpiresAt is when the link stops working.
func (p *PortalSession) ExpiresAt() time.Time { return p.expires }

// Token is the portal token (for links within the portal).
func (p *PortalSession) Token() string { return p.token }

// CSRF is the token the portal's forms carry: an HMAC of the portal token
// under the signing key, so a form from another link (or another site,
// which cannot read the page) does not post here.
func (p *PortalSession) CSRF() string { return p.csrf }

// CheckCSRF reports whether v is this session's form token (constant time).
func (p *PortalSession) CheckCSRF(v string) bool {
	return hmac.Equal([]byte(v), []byte(p.csrf))
}

// actor is the portal's caller: "portal:<customer id>" in the audit log.
// The agent role lets it call the shared use cases (negotiation, plans,
// promises), which the portal functions reach only after checking that
// every object named belongs to the session's customer.
func (p *PortalSession) actor(ctx context.Context) context.Context {
	return WithActor(ctx, Actor{ID: "portal:" + p.customerID, Role: RoleAgent})
}

// VerifyPortalToken checks a portal token: well-formed, signed by a key we
// hold, not expired, for a customer that exists. It needs no role (the
// token is the credential). A refusal is a *PortalLinkError.
func (s *Service) VerifyPortalToken(ctx context.Context, token string) (*PortalSession, error) {
	bad := &PortalLinkError{}
	if len(token) == 0 || len(token) > maxTokenLen {
		return nil, bad
	}
	p64, m64, ok := strings.Cut(token, ".")
	if !ok {
		return nil, bad
	}
	enc := base64.RawURLEncoding
	raw, ok1 := decodeCanonical(p64)
	mac, ok2 := decodeCanonical(m64)
	if !ok1 || !ok2 || len(mac) != sha256.Size {
		return nil, bad
	}
	payload := string(raw)
	parts := strings.Split(payload, ".")
	if len(parts) < 4 || len(parts) > 5 || parts[0] != portalVersion {
		return nil, bad
	}
	scope := ""
	if len(parts) == 5 {
		scope = parts[4]
	}
	kid, customerID := parts[1], parts[2]
	var sess *PortalSession
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		key, err := tx.PortalKey(ctx, kid)
		if apperr.CodeOf(err) == apperr.NotFound {
			return bad
		}
		if err != nil {
			return err
		}
		if !hmac.Equal(mac, portalMAC(key, portalMACLabel, payload)) {
			return bad
		}
		// Signed by us: the payload's fields are ours from here on.
		sec, err := strconv.ParseInt(parts[3], 36, 64)
		if err != nil {
			return bad
		}
		exp := time.Unix(sec, 0).UTC()
		if !s.now().Before(exp) {
			return &PortalLinkError{Expired: true}
		}
		if !ids.HasPrefix(customerID, ids.Customer) || (scope != "" && scope != ScopeContact && scope != ScopePay) {
			return bad
		}
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return bad // the customer is gone: the link opens nothing
			}
			return err
		}
		sess = &PortalSession{customerID: customerID, expires: exp, token: token, customer: *c, scope: scope,
			csrf: enc.EncodeToString(portalMAC(key, portalCSRF, token))}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// decodeCanonical decodes unpadded base64url and accepts only the one
// spelling signPortal writes. A lenient decoder ignores the spare bits of
// the last character and skips CR and LF, so one link would have dozens
// of spellings, each opening the portal and each with a throttle
// allowance of its own; Strict rejects non-zero spare bits, and the
// re-encoding comparison rejects everything else (line breaks).
func decodeCanonical(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}
