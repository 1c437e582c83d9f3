package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/store"
)

// Short portal links (/p/{code}) for reminders (issue 16 item 8). A signed
// portal token is ~100 characters (133 with the address); in an email it wraps, breaks in some
// clients and looks like phishing. A short link is
//
//	https://pay.example.com/p/4fTq9ZkR2mNa7XcB
//
// a code of 16 base62 characters (62^16 ≈ 2^95) that opens one customer's
// portal home until it expires. It is:
//   - unguessable: the code is HMAC-SHA256 under the portal signing key of
//     the customer id, the scope and the day, reduced to 16 characters;
//     without the key nobody can compute or predict one, and a guess hits
//     a live code with probability (live codes)/2^95;
//   - hashed at rest: portal_short_links keeps the code's SHA-256, never
//     the code (like API tokens and session ids); opening a link looks the
//     hash up;
//   - scoped: a row names one customer and the scope "home"; opening it
//     mints an ordinary signed portal token for that customer alone, valid
//     until the short link's own expiry, and redirects there, so every
//     portal check (ids must belong to the link's customer) applies;
//   - expiring: PortalShortLinkTTL after it was made;
//   - one per customer per day: the code depends on the day, so a day's
//     run (and a retry of it) reuses the live code instead of making one
//     per message, and a link from another day's email keeps working
//     until its own expiry.
// Whoever can read the database can make portal links already (the signing
// key is stored there, docs/security.md); deriving codes from that key adds
// nothing they could not do.

// PortalShortLinkTTL is how long a short link in a reminder works: a
// billing cycle, like DefaultPortalTTL.
const PortalShortLinkTTL = DefaultPortalTTL

// shortScopeHome is the scope of a short link that opens the portal home.
const shortScopeHome = "home"

const (
	shortCodeLen   = 16
	shortCodeChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	shortCodeLabel = "settle/portal/short/v1\n"
)

// shortCodeSpace is 62^16, the number of codes.
var shortCodeSpace = new(big.Int).Exp(big.NewInt(62), big.NewInt(shortCodeLen), nil)

// shortCode is the code of customerID's link for scope on day under key.
// The first 128 bits of the MAC reduced modulo 62^16 (≈ 2^95.3): the bias
// of the reduction is below 2^-32, far too small to help a guesser.
func shortCode(key []byte, customerID, scope string, day civil.Date) string {
	mac := portalMAC(key, shortCodeLabel, customerID+"\n"+scope+"\n"+day.String())
	n := new(big.Int).SetBytes(mac[:16])
	n.Mod(n, shortCodeSpace)
	out := make([]byte, shortCodeLen)
	base, digit := big.NewInt(62), new(big.Int)
	for i := shortCodeLen - 1; i >= 0; i-- {
		n.DivMod(n, base, digit)
		out[i] = shortCodeChars[digit.Int64()]
	}
	return string(out)
}

// shortCodeHash is what the database keeps of a code.
func shortCodeHash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// wellFormedShortCode reports whether code could be a code at all, so that
// junk is refused without a database lookup.
func wellFormedShortCode(code string) bool {
	if len(code) != shortCodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if !strings.ContainsRune(shortCodeChars, rune(code[i])) {
			return false
		}
	}
	return true
}

// portalLinkTx is the short link to customerID's portal home for a message
// made at now, under s.PortalURL: the day's live link when there is one,
// else a new one stored in tx (which must then be writable). "" when the
// portal has no address. Messages made on one day share one link.
func (s *Service) portalLinkTx(ctx context.Context, tx store.Tx, customerID string, now time.Time) (string, error) {
	if s.PortalURL == "" {
		return "", nil
	}
	_, key, err := s.portalKey(ctx, tx)
	if err != nil {
		return "", err
	}
	now = now.UTC()
	code := shortCode(key, customerID, shortScopeHome, civil.Of(now))
	hash := shortCodeHash(code)
	l, err := tx.PortalShortLink(ctx, hash)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		// Whole seconds: both engines keep them alike.
		at := now.Truncate(time.Second)
		l = &store.PortalShortLink{CodeHash: hash, CustomerID: customerID, Scope: shortScopeHome,
			ExpiresAt: at.Add(PortalShortLinkTTL), CreatedAt: at}
		if err := tx.InsertPortalShortLink(ctx, l); err != nil {
			return "", fmt.Errorf("portal short link for %s: %w", customerID, err)
		}
	case err != nil:
		return "", err
	case l.CustomerID != customerID || l.Scope != shortScopeHome:
		// 2^-95 per pair of customers; should it ever happen, the link
		// must not open someone else's portal.
		return "", fmt.Errorf("portal short link for %s: code collides with another link", customerID)
	}
	return strings.TrimRight(s.PortalURL, "/") + "/p/" + code, nil
}

// OpenPortalShortLink resolves a short link's code (the {code} of
// /p/{code}) to a signed portal token for that link's customer, valid
// until the short link expires. It needs no role: the code is the
// credential. A refusal is a *PortalLinkError (Expired for a link past its
// expiry); malformed and unknown codes are refused alike.
func (s *Service) OpenPortalShortLink(ctx context.Context, code string) (string, error) {
	bad := &PortalLinkError{}
	if !wellFormedShortCode(code) {
		return "", bad
	}
	var token string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		l, err := tx.PortalShortLink(ctx, shortCodeHash(code))
		if apperr.CodeOf(err) == apperr.NotFound {
			return bad
		}
		if err != nil {
			return err
		}
		if l.Scope != shortScopeHome {
			return bad
		}
		exp := l.ExpiresAt.Truncate(time.Second).UTC()
		if !s.now().Before(exp) {
			return &PortalLinkError{Expired: true}
		}
		// The key exists: a short link is only made with it.
		kid, key, err := s.portalKey(ctx, tx)
		if err != nil {
			return err
		}
		token = signPortal(key, kid, l.CustomerID, exp, "")
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// reminderExtras fills in what every reminder to cust carries besides the
// step's own facts (notify.MessageData, issue 16 item 8): the short
// portal link, the creditor's bank details and contact, and, when the
// message has no plan reference of its own, the customer's reference to
// quote (their external_ref, which bank-statement matching recognises, or
// their id). tx must be writable (a new day's link is stored).
func (s *Service) reminderExtras(ctx context.Context, tx store.Tx, cust *ledger.Customer, now time.Time, d *notify.MessageData) error {
	link, err := s.portalLinkTx(ctx, tx, cust.ID, now)
	if err != nil {
		return err
	}
	d.PortalURL = link
	d.Bank, d.Contact = s.bankDetails(), s.CreditorContact
	// The organisation settings, when saved, say who we are and how to
	// pay us (organisation.go); configuration fills what they leave out.
	if err := s.organisationExtras(ctx, tx, d); err != nil {
		return err
	}
	if d.PayReference == "" {
		d.PayReference = cust.ExternalRef
		if d.PayReference == "" {
			d.PayReference = cust.ID
		}
	}
	return nil
}

// organisationExtras takes the creditor's name, bank account and contact
// from the organisation settings once they are saved; until then the
// configuration stands.
func (s *Service) organisationExtras(ctx context.Context, tx store.Tx, d *notify.MessageData) error {
	if _, saved, err := s.organisationRow(ctx, tx); err != nil || !saved {
		return err
	}
	org, err := s.organisationTx(ctx, tx)
	if err != nil {
		return err
	}
	if org.Name != "" {
		d.Creditor = org.Name
	}
	if b := org.Bank; !b.IsZero() {
		bd := &notify.BankDetails{AccountHolder: b.Holder}
		if isIBAN(b.Account) {
			bd.IBAN = b.Account
		} else {
			bd.AccountNumber = b.Account
		}
		if isBIC(b.Code) {
			bd.BIC = b.Code
		} else {
			bd.SortCode = b.Code
		}
		if b.Name != "" {
			bd.Lines = []string{b.Name}
		}
		if bd.AccountHolder == "" {
			bd.AccountHolder = d.Creditor
		}
		d.Bank = bd
	}
	if org.Phone != "" || org.Email != "" {
		d.Contact = &notify.CreditorContact{Phone: org.Phone, Email: org.Email}
	}
	return nil
}

// bankDetails is the account reminders show: Bank when set, else the
// free-text BankAccount (SETTLE_BANK_ACCOUNT) under the creditor's name;
// nil when neither is configured.
func (s *Service) bankDetails() *notify.BankDetails {
	switch {
	case s.Bank != nil:
		b := *s.Bank
		return &b
	case strings.TrimSpace(s.BankAccount) != "":
		return &notify.BankDetails{AccountHolder: s.Creditor, Lines: []string{strings.TrimSpace(s.BankAccount)}}
	}
	return nil
}

// ShortPortalLink returns the short link to a customer's portal home
// (agents and admins; customer is an id or external_ref): today's live
// link, made when there is none. It needs the portal's address
// (s.PortalURL). The audit log records that a link was given out, never
// its code.
func (s *Service) ShortPortalLink(ctx context.Context, customer string) (string, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return "", err
	}
	if s.PortalURL == "" {
		return "", apperr.Errorf(apperr.Invalid, "the portal has no address: set SETTLE_PUBLIC_URL")
	}
	if strings.TrimSpace(customer) == "" {
		return "", apperr.Field("customer_id", "is required")
	}
	var link string
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		if link, err = s.portalLinkTx(ctx, tx, c.ID, tx.Now()); err != nil {
			return err
		}
		return audit(ctx, tx, "portal.short_link", "customer", c.ID, map[string]any{"scope": shortScopeHome})
	})
	if err != nil {
		return "", err
	}
	return link, nil
}

// isIBAN tells an IBAN (two letters, two digits, then letters and digits)
// from a domestic account number.
func isIBAN(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	for i, r := range s {
		switch {
		case i < 2 && (r < 'A' || r > 'Z'):
			return false
		case i >= 2 && i < 4 && (r < '0' || r > '9'):
			return false
		case i >= 4 && !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			return false
		}
	}
	return true
}

// isBIC tells a BIC (8 or 11 letters and digits, the first six letters)
// from a sort code or routing number.
func isBIC(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i, r := range s {
		if i < 6 && (r < 'A' || r > 'Z') || !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
