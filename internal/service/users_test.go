package service_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// Set moves the clock to t (forward or back).
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func newUserService(t *testing.T) (*service.Service, store.Store, *testClock) {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	st := testutil.SQLiteAt(t, clock.Now)
	return service.New(st, clock.Now), st, clock
}

func storedUser(t *testing.T, st store.Store, idOrEmail string) *store.User {
	t.Helper()
	var u *store.User
	if err := st.Tx(context.Background(), func(tx store.Tx) (err error) { u, err = tx.User(context.Background(), idOrEmail); return err }); err != nil {
		t.Fatal(err)
	}
	return u
}

func auditActions(t *testing.T, svc *service.Service, objectID string) []string {
	t.Helper()
	entries, err := svc.Audit(testutil.Admin(context.Background()), store.AuditFilter{ObjectID: objectID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Actor+" "+e.Action)
	}
	return out
}

var phcShape = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestCreateUser(t *testing.T) {
	svc, st, _ := newUserService(t)
	admin := testutil.Admin(context.Background())
	agent := service.WithActor(context.Background(), service.Actor{ID: "test:agent", Role: service.RoleAgent})
	in := service.UserInput{Email: "  Ann.Agent@Example.com ", Name: " Ann Agent ", Role: "agent", Password: "correct horse battery"}

	t.Run("roles", func(t *testing.T) {
		if _, err := svc.CreateUser(agent, in); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("agent: %v, want forbidden", err)
		}
		if _, err := svc.CreateUser(context.Background(), in); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("anonymous: %v, want unauthorized", err)
		}
	})

	t.Run("validation names every field", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			in     service.UserInput
			fields []string
		}{
			{"all bad", service.UserInput{Email: "not-an-email", Role: "root", Password: "short"}, []string{"email", "role", "password"}},
			{"missing", service.UserInput{}, []string{"email", "role", "password"}},
			{"display name form", service.UserInput{Email: "Ann <ann@example.com>", Role: "agent", Password: "long enough password"}, []string{"email"}},
			{"no domain dot", service.UserInput{Email: "ann@localhost", Role: "agent", Password: "long enough password"}, []string{"email"}},
			{"11 characters", service.UserInput{Email: "a@example.com", Role: "viewer", Password: "elevenchars"}, []string{"password"}},
			{"11 characters in 22 bytes", service.UserInput{Email: "a@example.com", Role: "viewer", Password: "ääääääääääää"[2:]}, []string{"password"}},
		} {
			_, err := svc.CreateUser(admin, tc.in)
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid {
				t.Fatalf("%s: %v, want invalid", tc.name, err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("%s: fields %v, want %v (%v)", tc.name, got, tc.fields, err)
			}
		}
	})

	u, err := svc.CreateUser(admin, in)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ann.agent@example.com" || u.Name != "Ann Agent" || u.Role != "agent" || u.PasswordHash != "" || u.Disabled {
		t.Errorf("CreateUser = %+v", u)
	}
	stored := storedUser(t, st, u.ID)
	if !phcShape.MatchString(stored.PasswordHash) || strings.Contains(stored.PasswordHash, in.Password) {
		t.Errorf("stored hash %q is not an argon2id PHC string", stored.PasswordHash)
	}
	// A second user with the same password gets another salt.
	u2, err := svc.CreateUser(admin, service.UserInput{Email: "bo@example.com", Role: "viewer", Password: in.Password})
	if err != nil {
		t.Fatal(err)
	}
	if h2 := storedUser(t, st, u2.ID).PasswordHash; h2 == stored.PasswordHash || h2[:40] == stored.PasswordHash[:40] {
		t.Errorf("two hashes of one password share their salt: %q, %q", stored.PasswordHash, h2)
	}
	if _, err := svc.CreateUser(admin, service.UserInput{Email: "ANN.AGENT@example.COM", Role: "viewer", Password: "another long password"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("same email again: %v, want conflict", err)
	}
	if got := auditActions(t, svc, u.ID); strings.Join(got, "|") != "test:admin user.create" {
		t.Errorf("audit = %v", got)
	}
}

func TestSignIn(t *testing.T) {
	svc, st, clock := newUserService(t)
	admin := testutil.Admin(context.Background())
	ctx := context.Background()
	const password = "correct horse battery"
	u, err := svc.CreateUser(admin, service.UserInput{Email: "ann@example.com", Role: "agent", Password: password})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("failures all say the same", func(t *testing.T) {
		for _, tc := range []struct{ email, password string }{
			{"ann@example.com", "wrong password!"},
			{"nobody@example.com", password},
			{"", password},
			{"ann@example.com", ""},
			{"ann@example.com", strings.Repeat("x", service.MaxPasswordLength+1)},
		} {
			_, err := svc.SignIn(ctx, tc.email, tc.password)
			if apperr.CodeOf(err) != apperr.Unauthorized || err.Error() != "email or password is wrong" {
				t.Errorf("SignIn(%q, %q…) = %v", tc.email, tc.password[:min(4, len(tc.password))], err)
			}
		}
	})

	secret, err := svc.SignIn(ctx, " ANN@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 43 {
		t.Errorf("secret %q: want 256 bits in base64url", secret)
	}
	// Only the hash of the secret is stored.
	err = st.Tx(ctx, func(tx store.Tx) error {
		if _, err := tx.Session(ctx, secret); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("a session is stored under the secret itself: %v", err)
		}
		s, err := tx.Session(ctx, service.HashToken(secret))
		if err != nil {
			return err
		}
		if s.UserID != u.ID || len(s.CSRFToken) != 43 || !s.ExpiresAt.Equal(clock.Now().Add(7*24*time.Hour)) {
			t.Errorf("session %+v", s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := auditActions(t, svc, u.ID); strings.Join(got, "|") != "test:admin user.create|user:"+u.ID+" user.sign_in" {
		t.Errorf("audit = %v", got)
	}

	who, err := svc.SessionActor(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if who.Actor != (service.Actor{ID: "user:" + u.ID, Role: "agent"}) || who.User.Email != "ann@example.com" || who.User.PasswordHash != "" || who.CSRFToken == "" {
		t.Errorf("SessionActor = %+v", who)
	}

	t.Run("idle", func(t *testing.T) {
		s2, err := svc.SignIn(ctx, "ann@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(11 * time.Hour)
		if _, err := svc.SessionActor(ctx, s2); err != nil {
			t.Fatalf("after 11 h: %v", err)
		}
		clock.Advance(11 * time.Hour) // seen 11 h ago: still fine
		if _, err := svc.SessionActor(ctx, s2); err != nil {
			t.Fatalf("11 h after the last request: %v", err)
		}
		clock.Advance(12 * time.Hour)
		if _, err := svc.SessionActor(ctx, s2); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("after 12 h idle: %v, want unauthorized", err)
		}
	})

	t.Run("absolute limit", func(t *testing.T) {
		s3, err := svc.SignIn(ctx, "ann@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		for range 6*2 + 1 { // 6 days and 12 h, a request every 12 h less a minute
			clock.Advance(12*time.Hour - time.Minute)
			if _, err := svc.SessionActor(ctx, s3); err != nil {
				t.Fatalf("in use, at %v: %v", clock.Now(), err)
			}
		}
		clock.Advance(12 * time.Hour)
		if _, err := svc.SessionActor(ctx, s3); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("after 7 days: %v, want unauthorized", err)
		}
	})

	t.Run("disabled", func(t *testing.T) {
		s4, err := svc.SignIn(ctx, "ann@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		if _, err := svc.UpdateUser(admin, u.ID, service.UserPatch{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SessionActor(ctx, s4); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("disabled user's session: %v, want unauthorized", err)
		}
		if _, err := svc.SignIn(ctx, "ann@example.com", password); err == nil || err.Error() != "email or password is wrong" {
			t.Errorf("disabled user signs in: %v", err)
		}
		if _, err := svc.UpdateUser(admin, u.ID, service.UserPatch{Disabled: &no}); err != nil {
			t.Fatal(err)
		}
		// Disabling signed them out everywhere: enabling does not bring
		// the old session back; signing in again works.
		if _, err := svc.SessionActor(ctx, s4); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("enabled again, the old session: %v, want unauthorized", err)
		}
		if _, err := svc.SignIn(ctx, "ann@example.com", password); err != nil {
			t.Errorf("enabled again, signing in: %v", err)
		}
	})

	t.Run("sign out", func(t *testing.T) {
		s5, err := svc.SignIn(ctx, "ann@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SignOut(ctx, s5); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SessionActor(ctx, s5); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("after sign-out: %v", err)
		}
		if err := svc.SignOut(ctx, s5); err != nil {
			t.Errorf("signing out twice: %v", err)
		}
		if got := auditActions(t, svc, u.ID); got[len(got)-1] != "user:"+u.ID+" user.sign_out" {
			t.Errorf("audit ends %v", got[len(got)-1])
		}
	})

	t.Run("new password", func(t *testing.T) {
		before, err := svc.SignIn(ctx, "ann@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		np := "a much better passphrase"
		if _, err := svc.UpdateUser(admin, "ann@example.com", service.UserPatch{Password: &np}); err != nil {
			t.Fatal(err)
		}
		// A new password (perhaps the old one leaked) ends every session.
		if _, err := svc.SessionActor(ctx, before); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("a session from before the new password: %v, want unauthorized", err)
		}
		if _, err := svc.SignIn(ctx, "ann@example.com", password); err == nil {
			t.Error("old password still works")
		}
		if _, err := svc.SignIn(ctx, "ann@example.com", np); err != nil {
			t.Errorf("new password: %v", err)
		}
		short := "short"
		if _, err := svc.UpdateUser(admin, u.ID, service.UserPatch{Password: &short}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("short password: %v", err)
		}
	})
}

// Hashes made by the argon2 reference implementation (Debian's argon2
// CLI: echo -n PASSWORD | argon2 SALT -id -t T -k M -p P -l 32 -e) sign
// in: one with today's parameters is kept as it is; one with other
// parameters is stored again with today's.
func TestSignIn_ReferenceHashes(t *testing.T) {
	const password = "correct horse battery"
	for _, tc := range []struct {
		name, hash string
		rehashed   bool
	}{
		{"today's parameters", "$argon2id$v=19$m=19456,t=2,p=1$YW5vdGhlci1zYWx0LTE2Yg$Ta7UROk/iTbzDpdazmWqAzqNtD+1nWMXaOmGrEbkCcw", false},
		{"older parameters", "$argon2id$v=19$m=8192,t=1,p=1$c2V0dGxlLXRlc3Qtc2FsdA$Jx0iIUVdN5gVJpRubpgbRZSU1JHrlOxyh3/y87k7UjY", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, st, _ := newUserService(t)
			ctx := context.Background()
			u := &store.User{Email: "ref@example.com", Role: "viewer", PasswordHash: tc.hash}
			if err := st.Tx(ctx, func(tx store.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SignIn(ctx, "ref@example.com", password+"x"); err == nil {
				t.Fatal("a wrong password signs in")
			}
			if _, err := svc.SignIn(ctx, "ref@example.com", password); err != nil {
				t.Fatalf("sign in: %v", err)
			}
			h := storedUser(t, st, u.ID).PasswordHash
			if rehashed := h != tc.hash; rehashed != tc.rehashed || !phcShape.MatchString(h) {
				t.Errorf("stored hash %q after sign-in; rehashed=%v, want %v", h, rehashed, tc.rehashed)
			}
			if _, err := svc.SignIn(ctx, "ref@example.com", password); err != nil {
				t.Fatalf("sign in again: %v", err)
			}
		})
	}
}
