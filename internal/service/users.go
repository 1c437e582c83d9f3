package service

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"settle/internal/apperr"
	"settle/internal/store"
	"settle/internal/text"
)

// Staff users sign in to the web UI with an email and a password and get
// a session. Passwords are stored as argon2id hashes; sessions are stored
// as the SHA-256 of their secret (like API tokens), so neither a password
// nor a usable session secret is ever in the database.

// Password length limits (runes). The upper bound keeps hashing bounded.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 1024
)

// Session limits: a session ends when unused for SessionIdle, and in any
// case SessionLifetime after sign-in.
const (
	SessionIdle     = 12 * time.Hour
	SessionLifetime = 7 * 24 * time.Hour
	// sessionTouchEvery: a session's last_seen_at is written at most this
	// often (every request would make every page view a write).
	sessionTouchEvery = time.Minute
)

// errWrongCredentials is the one answer to a failed sign-in: it does not
// say whether the email is known, the password wrong or the user disabled.
var errWrongCredentials = apperr.Errorf(apperr.Unauthorized, "email or password is wrong")

// errSessionEnded is the answer for an unknown, expired or idle session,
// or a disabled user's.
var errSessionEnded = apperr.Errorf(apperr.Unauthorized, "your session has ended: sign in again")

// UserInput creates a staff user.
type UserInput struct {
	Email    string `json:"email"`
	Name     string `json:"name,omitempty"`
	Role     string `json:"role" doc:"admin, agent or viewer"`
	Password string `json:"password" doc:"At least 12 characters"`
}

// UserPatch changes a user; nil fields stay as they are.
type UserPatch struct {
	Name     *string `json:"name,omitempty"`
	Role     *string `json:"role,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
	Password *string `json:"password,omitempty"`
}

// SignedIn is the person behind a session.
type SignedIn struct {
	Actor     Actor      // "user:usr_…" with the user's role
	User      store.User // without its password hash
	CSRFToken string     // the session's token for forms and htmx requests
	ExpiresAt time.Time  // the absolute end of the session
}

// UserActorID is the actor id of a signed-in user.
func UserActorID(userID string) string { return "user:" + userID }

func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(fs *apperr.Fields, email string) {
	switch a, err := mail.ParseAddress(email); {
	case email == "":
		fs.Add("email", "is required")
	case len(email) > 254:
		fs.Add("email", "is longer than 254 characters")
	case err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], "."):
		fs.Add("email", "%q is not an email address like name@example.com", email)
	}
}

func validPassword(fs *apperr.Fields, password string) {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		fs.Add("password", "must be at least %d characters (it has %d)", MinPasswordLength, n)
	case n > MaxPasswordLength:
		fs.Add("password", "must be at most %d characters", MaxPasswordLength)
	}
}

func publicUser(u *store.User) store.User {
	out := *u
	out.PasswordHash = ""
	return out
}

// CreateUser adds a member of staff who can sign in to the web UI. Only
// an admin may (the CLI acts as admin locally).
func (s *Service) CreateUser(ctx context.Context, in UserInput) (*store.User, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	u := &store.User{Email: normalizeEmail(in.Email), Name: strings.TrimSpace(in.Name), Role: strings.TrimSpace(in.Role)}
	var fs apperr.Fields
	validEmail(&fs, u.Email)
	text.Field(&fs, "name", u.Name, text.Name)
	if !ValidRole(u.Role) {
		fs.Add("role", "%q must be admin, agent or viewer", in.Role)
	}
	validPassword(&fs, in.Password)
	if err := fs.Err("user"); err != nil {
		return nil, err
	}
	hash, err := hashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		return audit(ctx, tx, "user.create", "user", u.ID, map[string]string{"email": u.Email, "name": u.Name, "role": u.Role})
	})
	if err != nil {
		return nil, err
	}
	out := publicUser(u)
	return &out, nil
}

// UpdateUser changes a user's name, role, password or whether they may
// sign in (admins only; not their own admin role, nor disable themselves). A new password or disabling the user does not
// end the user's current sessions at once; a disabled user's sessions stop
// working at their next request.
func (s *Service) UpdateUser(ctx context.Context, idOrEmail string, p UserPatch) (*store.User, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	var fs apperr.Fields
	if p.Name != nil {
		text.Field(&fs, "name", strings.TrimSpace(*p.Name), text.Name)
	}
	if p.Role != nil && !ValidRole(*p.Role) {
		fs.Add("role", "%q must be admin, agent or viewer", *p.Role)
	}
	var hash string
	if p.Password != nil {
		validPassword(&fs, *p.Password)
	}
	if err := fs.Err("user"); err != nil {
		return nil, err
	}
	if p.Password != nil {
		var err error
		if hash, err = hashPassword(ctx, *p.Password); err != nil {
			return nil, err
		}
	}
	var out store.User
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		u, err := tx.User(ctx, strings.TrimSpace(idOrEmail))
		if err != nil {
			return err
		}
		if ActorFrom(ctx).ID == UserActorID(u.ID) { // an admin cannot lock themselves out
			var fs apperr.Fields
			if p.Role != nil && *p.Role != RoleAdmin {
				fs.Add("role", "you cannot remove your own admin role: ask another admin")
			}
			if p.Disabled != nil && *p.Disabled {
				fs.Add("disabled", "you cannot disable yourself: ask another admin")
			}
			if err := fs.Err("user"); err != nil {
				return err
			}
		}
		changed := map[string]any{}
		if p.Name != nil {
			u.Name, changed["name"] = strings.TrimSpace(*p.Name), strings.TrimSpace(*p.Name)
		}
		if p.Role != nil {
			u.Role, changed["role"] = *p.Role, *p.Role
		}
		if p.Disabled != nil {
			u.Disabled, changed["disabled"] = *p.Disabled, *p.Disabled
		}
		if p.Password != nil {
			u.PasswordHash, changed["password"] = hash, "changed"
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if p.Password != nil || u.Disabled {
			// A new password (perhaps because the old one leaked) or a
			// disabled account signs the user out everywhere.
			n, err := tx.DeleteUserSessions(ctx, u.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				changed["sessions_ended"] = n
			}
		}
		out = publicUser(u)
		return audit(ctx, tx, "user.update", "user", u.ID, changed)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Users lists the staff users (admins only), without their password hashes.
func (s *Service) Users(ctx context.Context, p store.Page) ([]store.User, string, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, "", err
	}
	var list []store.User
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		list, next, err = tx.Users(ctx, p)
		return err
	})
	for i := range list {
		list[i].PasswordHash = ""
	}
	return list, next, err
}

// SignIn checks an email and password and starts a session: it returns
// the session's secret (for the cookie), shown once. Any failure is the
// same "email or password is wrong", and takes as long whether or not the
// email is known. The password is checked outside any transaction (it
// takes tens of milliseconds on purpose), so sign-ins never hold up the
// writer.
func (s *Service) SignIn(ctx context.Context, email, password string) (secret string, err error) {
	email = normalizeEmail(email)
	if email == "" || password == "" || utf8.RuneCountInString(password) > MaxPasswordLength {
		return "", errWrongCredentials
	}
	var u *store.User
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.User(ctx, email)
		if apperr.CodeOf(err) == apperr.NotFound {
			u, err = nil, nil
		}
		return err
	})
	if err != nil {
		return "", err
	}
	hash := dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, stale, err := verifyPassword(ctx, hash, password)
	if err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	if u == nil || !ok || u.Disabled {
		return "", errWrongCredentials
	}
	rehash := ""
	if stale {
		// Stored with older parameters: store it again with today's.
		if rehash, err = hashPassword(ctx, password); err != nil {
			return "", err
		}
	}
	secret, err = randomSecret()
	if err != nil {
		return "", err
	}
	csrf, err := randomSecret()
	if err != nil {
		return "", err
	}
	now := s.now().UTC()
	sess := &store.Session{ID: HashToken(secret), UserID: u.ID, CSRFToken: csrf,
		CreatedAt: now, ExpiresAt: now.Add(SessionLifetime), LastSeenAt: now}
	ctx = WithActor(ctx, Actor{ID: UserActorID(u.ID), Role: u.Role})
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.DeleteEndedSessions(ctx, now, now.Add(-SessionIdle)); err != nil {
			return err
		}
		if rehash != "" {
			fresh, err := tx.User(ctx, u.ID)
			if err != nil {
				return err
			}
			if fresh.PasswordHash == u.PasswordHash { // not changed meanwhile
				fresh.PasswordHash = rehash
				if err := tx.UpdateUser(ctx, fresh); err != nil {
					return err
				}
			}
		}
		if err := tx.InsertSession(ctx, sess); err != nil {
			return err
		}
		return audit(ctx, tx, "user.sign_in", "user", u.ID, map[string]string{"email": u.Email})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// SessionActor returns who a session secret signs in: the user's actor and
// role, and the session's CSRF token. An unknown, expired (SessionLifetime)
// or idle (SessionIdle) session, or a disabled user's, is Unauthorized.
func (s *Service) SessionActor(ctx context.Context, secret string) (*SignedIn, error) {
	if secret == "" || len(secret) > 256 {
		return nil, errSessionEnded
	}
	id := HashToken(secret)
	now := s.now().UTC()
	var sess *store.Session
	var u *store.User
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		if sess, err = tx.Session(ctx, id); err != nil {
			return err
		}
		u, err = tx.User(ctx, sess.UserID)
		return err
	})
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		return nil, errSessionEnded
	case err != nil:
		return nil, err
	case !now.Before(sess.ExpiresAt), now.Sub(sess.LastSeenAt) >= SessionIdle, u.Disabled, !ValidRole(u.Role):
		return nil, errSessionEnded
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		err := s.store.Tx(ctx, func(tx store.Tx) error { return tx.TouchSession(ctx, id, now) })
		if err != nil {
			return nil, err
		}
	}
	return &SignedIn{Actor: Actor{ID: UserActorID(u.ID), Role: u.Role}, User: publicUser(u), CSRFToken: sess.CSRFToken, ExpiresAt: sess.ExpiresAt}, nil
}

// SignOut ends the session of a secret (an unknown one is already ended).
func (s *Service) SignOut(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 256 {
		return nil
	}
	id := HashToken(secret)
	return s.store.Tx(ctx, func(tx store.Tx) error {
		sess, err := tx.Session(ctx, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, id); err != nil {
			return err
		}
		actx := ctx
		if ActorFrom(ctx).ID == "" {
			actx = WithActor(ctx, Actor{ID: UserActorID(sess.UserID)})
		}
		return audit(actx, tx, "user.sign_out", "user", sess.UserID, struct{}{})
	})
}

// randomSecret returns 256 random bits, base64url without padding.
func randomSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// ---- argon2id password hashes ------------------------------------------------------

// Argon2id parameters: OWASP's recommended m=19 MiB, t=2, p=1 (about 50 ms
// on one core of our 2-core machines; RFC 9106's m=64 MiB, t=3, p=4 took
// 330 ms there). The PHC string records them, so they can be raised later:
// a sign-in stores a hash made with older parameters again.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// argonSlots bounds concurrent hashing: each one holds argonMemory.
var argonSlots = make(chan struct{}, 4)

func argonKey(ctx context.Context, password string, salt []byte, t, m uint32, p uint8, n uint32) ([]byte, error) {
	select {
	case argonSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-argonSlots }()
	return argon2.IDKey([]byte(password), salt, t, m, p, n), nil
}

// hashPassword returns the argon2id PHC string of password with a fresh
// random salt: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (base64,
// unpadded).
func hashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := argonKey(ctx, password, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("stored password hash is not an argon2id PHC string")

// verifyPassword compares password with a PHC hash in constant time. stale
// reports a match made with parameters other than today's.
func verifyPassword(ctx context.Context, phc, password string) (ok, stale bool, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, false, errBadHash
	}
	var m, t, p uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return false, false, errBadHash
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			p = n
		default:
			return false, false, errBadHash
		}
	}
	// Bounds keep a damaged row from exhausting memory or time.
	if m < 8 || m > 1<<20 || t < 1 || t > 16 || p < 1 || p > 16 {
		return false, false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, false, errBadHash
	}
	got, err := argonKey(ctx, password, salt, uint32(t), uint32(m), uint8(p), uint32(len(want)))
	if err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(got, want) == 1
	stale = m != argonMemory || t != argonTime || p != argonThreads || len(salt) != argonSaltLen || len(want) != argonKeyLen
	return ok, ok && stale, nil
}

// dummyHash is checked against when the email is unknown, so that a
// failed sign-in takes as long either way.
var dummyHash = sync.OnceValue(func() string {
	h, err := hashPassword(context.Background(), "settle: no such user, no such password")
	if err != nil {
		panic("service: cannot hash: " + err.Error())
	}
	return h
})
