package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/plan"
	"settle/internal/store"
)

// ---- staff users, web sessions, dashboard counts ---------------------------------

// phc is a stand-in password hash: the store keeps whatever string it is given.
const phc = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func addUser(t *testing.T, s store.Store, u store.User) store.User {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertUser(t.Context(), &u) })
	return u
}

func getUser(t *testing.T, s store.Store, idOrEmail string) (*store.User, error) {
	t.Helper()
	var u *store.User
	err := s.Tx(t.Context(), func(tx store.Tx) (err error) { u, err = tx.User(t.Context(), idOrEmail); return err })
	return u, err
}

func testUsers(t *testing.T, s store.Store) {
	jst := time.FixedZone("JST", 9*3600)
	ann := addUser(t, s, store.User{Email: "Ann.Agent@Example.COM", Name: "Ann Agent", Role: "agent", PasswordHash: phc})
	bob := addUser(t, s, store.User{Email: "bob@example.com", Name: "Bob Ödegaard \"B\"", Role: "admin", PasswordHash: phc + "2",
		Disabled: true, CreatedAt: time.Date(2026, 6, 30, 9, 0, 0, 1000, jst)})
	if !ids.HasPrefix(ann.ID, ids.User) || !ids.HasPrefix(bob.ID, ids.User) {
		t.Fatalf("InsertUser assigned ids %q, %q", ann.ID, bob.ID)
	}
	wantAnn := store.User{ID: ann.ID, Email: "ann.agent@example.com", Name: "Ann Agent", Role: "agent", PasswordHash: phc, CreatedAt: Now}
	wantBob := store.User{ID: bob.ID, Email: "bob@example.com", Name: "Bob Ödegaard \"B\"", Role: "admin", PasswordHash: phc + "2",
		Disabled: true, CreatedAt: time.Date(2026, 6, 30, 0, 0, 0, 1000, time.UTC)}
	if ann.Email != wantAnn.Email {
		t.Errorf("InsertUser left the email %q; want it lower-cased", ann.Email)
	}

	t.Run("get by id and by email in any case", func(t *testing.T) {
		for _, tc := range []struct {
			key  string
			want store.User
		}{
			{ann.ID, wantAnn}, {"ann.agent@example.com", wantAnn}, {"ANN.AGENT@example.com", wantAnn},
			{bob.ID, wantBob}, {"Bob@Example.com", wantBob},
		} {
			got, err := getUser(t, s, tc.key)
			if err != nil {
				t.Fatalf("User(%q): %v", tc.key, err)
			}
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("User(%q) (-want +got):\n%s", tc.key, diff)
			}
			if got.CreatedAt.Location() != time.UTC {
				t.Errorf("User(%q) CreatedAt %v not in UTC", tc.key, got.CreatedAt)
			}
		}
		for _, key := range []string{"nobody@example.com", "usr_00000000000000000000000000", ""} {
			_, err := getUser(t, s, key)
			wantCode(t, err, apperr.NotFound)
		}
	})

	t.Run("email taken in another case", func(t *testing.T) {
		dup := store.User{Email: "ANN.agent@example.com", Role: "viewer", PasswordHash: phc}
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertUser(t.Context(), &dup) })
		wantCode(t, err, apperr.Conflict)
		wantField(t, err, "email")
	})

	t.Run("role is checked", func(t *testing.T) {
		bad := store.User{Email: "root@example.com", Role: "superuser", PasswordHash: phc}
		if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertUser(t.Context(), &bad) }); err == nil {
			t.Errorf("InsertUser with role superuser succeeded; want a CHECK violation")
		}
	})

	t.Run("update", func(t *testing.T) {
		u := wantAnn
		u.Name, u.Role, u.PasswordHash, u.Disabled = "Ann A.", "viewer", phc+"new", true
		u.Email, u.CreatedAt = "changed@example.com", Now.Add(time.Hour) // not stored by UpdateUser
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateUser(t.Context(), &u) })
		got, err := getUser(t, s, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := wantAnn
		want.Name, want.Role, want.PasswordHash, want.Disabled = "Ann A.", "viewer", phc+"new", true
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("after UpdateUser (-want +got):\n%s", diff)
		}
		// And back: Disabled false is stored too.
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateUser(t.Context(), &wantAnn) })
		if got, _ := getUser(t, s, ann.ID); got == nil || got.Disabled || got.Role != "agent" {
			t.Errorf("after restoring: %+v", got)
		}
		ghost := store.User{ID: "usr_00000000000000000000000000", Role: "agent", PasswordHash: phc}
		err = s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateUser(t.Context(), &ghost) })
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("list", func(t *testing.T) {
		cara := addUser(t, s, store.User{Email: "cara@example.com", Role: "viewer", PasswordHash: phc})
		var first, second []store.User
		var next, next2 string
		mustTx(t, s, func(tx store.Tx) (err error) {
			first, next, err = tx.Users(t.Context(), store.Page{Limit: 2})
			if err != nil {
				return err
			}
			second, next2, err = tx.Users(t.Context(), store.Page{Limit: 2, Cursor: next})
			return err
		})
		var got []string
		for _, u := range append(first, second...) {
			got = append(got, u.ID)
		}
		if diff := cmp.Diff([]string{ann.ID, bob.ID, cara.ID}, got); diff != "" || next != bob.ID || next2 != "" {
			t.Errorf("Users pages (-want +got):\n%s\nnext %q, then %q", diff, next, next2)
		}
	})
}

func testSessions(t *testing.T, s store.Store) {
	u := addUser(t, s, store.User{Email: "sam@example.com", Role: "agent", PasswordHash: phc})
	hash := func(c string) string { return strings.Repeat(c, 64) }
	jst := time.FixedZone("JST", 9*3600)
	a := store.Session{ID: hash("a"), UserID: u.ID, CSRFToken: "csrf-a", ExpiresAt: Now.Add(7 * 24 * time.Hour)}
	// Times given in another zone come back in UTC, to the microsecond.
	b := store.Session{ID: hash("b"), UserID: u.ID, CSRFToken: "csrf-b",
		CreatedAt:  time.Date(2026, 7, 1, 9, 0, 0, 5000, jst),
		ExpiresAt:  time.Date(2026, 7, 8, 9, 0, 0, 5000, jst),
		LastSeenAt: time.Date(2026, 7, 1, 10, 0, 0, 0, jst)}
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.InsertSession(t.Context(), &a); err != nil {
			return err
		}
		return tx.InsertSession(t.Context(), &b)
	})
	get := func(t *testing.T, id string) (*store.Session, error) {
		t.Helper()
		var got *store.Session
		err := s.Tx(t.Context(), func(tx store.Tx) (err error) { got, err = tx.Session(t.Context(), id); return err })
		return got, err
	}
	wantA := store.Session{ID: hash("a"), UserID: u.ID, CSRFToken: "csrf-a", CreatedAt: Now, ExpiresAt: Now.Add(7 * 24 * time.Hour), LastSeenAt: Now}
	wantB := store.Session{ID: hash("b"), UserID: u.ID, CSRFToken: "csrf-b",
		CreatedAt:  time.Date(2026, 7, 1, 0, 0, 0, 5000, time.UTC),
		ExpiresAt:  time.Date(2026, 7, 8, 0, 0, 0, 5000, time.UTC),
		LastSeenAt: time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC)}
	for _, want := range []store.Session{wantA, wantB} {
		got, err := get(t, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("Session (-want +got):\n%s", diff)
		}
		if got.ExpiresAt.Location() != time.UTC || got.LastSeenAt.Location() != time.UTC {
			t.Errorf("Session times not in UTC: %+v", got)
		}
	}
	_, err := get(t, hash("0"))
	wantCode(t, err, apperr.NotFound)

	t.Run("a session needs its user", func(t *testing.T) {
		orphan := store.Session{ID: hash("c"), UserID: "usr_00000000000000000000000000", CSRFToken: "x", ExpiresAt: Now}
		if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertSession(t.Context(), &orphan) }); err == nil {
			t.Errorf("InsertSession for an unknown user succeeded; want a foreign-key violation")
		}
		again := a
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertSession(t.Context(), &again) })
		wantCode(t, err, apperr.Conflict)
	})

	t.Run("touch", func(t *testing.T) {
		at := time.Date(2026, 7, 1, 22, 0, 0, 250000000, jst)
		mustTx(t, s, func(tx store.Tx) error { return tx.TouchSession(t.Context(), a.ID, at) })
		got, err := get(t, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := wantA
		want.LastSeenAt = at.UTC()
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("after TouchSession (-want +got):\n%s", diff)
		}
		mustTx(t, s, func(tx store.Tx) error { return tx.TouchSession(t.Context(), a.ID, Now) })
	})

	t.Run("ended sessions", func(t *testing.T) {
		// As of Now: a expires in 7 days and was seen Now; b expires
		// 2026-07-08 and was last seen 2026-07-01 01:00. c expired; d idles.
		c := store.Session{ID: hash("c"), UserID: u.ID, CSRFToken: "c", CreatedAt: Now.Add(-8 * 24 * time.Hour),
			ExpiresAt: Now.Add(-time.Microsecond), LastSeenAt: Now.Add(-time.Hour)}
		d := store.Session{ID: hash("d"), UserID: u.ID, CSRFToken: "d", CreatedAt: Now.Add(-20 * time.Hour),
			ExpiresAt: Now.Add(24 * time.Hour), LastSeenAt: Now.Add(-13 * time.Hour)}
		mustTx(t, s, func(tx store.Tx) error {
			if err := tx.InsertSession(t.Context(), &c); err != nil {
				return err
			}
			return tx.InsertSession(t.Context(), &d)
		})
		var n int64
		mustTx(t, s, func(tx store.Tx) (err error) {
			n, err = tx.DeleteEndedSessions(t.Context(), Now, Now.Add(-12*time.Hour))
			return err
		})
		if n != 2 {
			t.Errorf("DeleteEndedSessions removed %d; want 2 (c expired, d idle)", n)
		}
		for id, want := range map[string]bool{a.ID: true, b.ID: true, c.ID: false, d.ID: false} {
			_, err := get(t, id)
			if (err == nil) != want {
				t.Errorf("session %s…: err %v, want kept=%v", id[:4], err, want)
			}
		}
	})

	t.Run("all of a user's", func(t *testing.T) {
		other := addUser(t, s, store.User{Email: "ola@example.com", Role: "agent", PasswordHash: phc})
		e := store.Session{ID: hash("e"), UserID: u.ID, CSRFToken: "e", ExpiresAt: Now.Add(time.Hour)}
		f := store.Session{ID: hash("f"), UserID: other.ID, CSRFToken: "f", ExpiresAt: Now.Add(time.Hour)}
		mustTx(t, s, func(tx store.Tx) error {
			if err := tx.InsertSession(t.Context(), &e); err != nil {
				return err
			}
			return tx.InsertSession(t.Context(), &f)
		})
		var n int64
		mustTx(t, s, func(tx store.Tx) (err error) { n, err = tx.DeleteUserSessions(t.Context(), other.ID); return err })
		if n != 1 {
			t.Errorf("DeleteUserSessions removed %d; want 1 (f)", n)
		}
		for id, want := range map[string]bool{a.ID: true, b.ID: true, e.ID: true, f.ID: false} {
			if _, err := get(t, id); (err == nil) != want {
				t.Errorf("session %s…: err %v, want kept=%v", id[:4], err, want)
			}
		}
		mustTx(t, s, func(tx store.Tx) error { return tx.DeleteSession(t.Context(), e.ID) })
	})

	t.Run("delete", func(t *testing.T) {
		mustTx(t, s, func(tx store.Tx) error { return tx.DeleteSession(t.Context(), a.ID) })
		_, err := get(t, a.ID)
		wantCode(t, err, apperr.NotFound)
		// Gone already: no error.
		mustTx(t, s, func(tx store.Tx) error { return tx.DeleteSession(t.Context(), a.ID) })
		if _, err := get(t, b.ID); err != nil {
			t.Errorf("deleting a removed b too: %v", err)
		}
	})
}

func testDashboardCounts(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("DB-1"))
	p1 := addPlan(t, s, c, time.Time{})
	p2 := addPlan(t, s, c, time.Time{})
	p3 := addPlan(t, s, c, time.Time{})
	for _, p := range []*plan.Plan{&p1, &p3} {
		p.Status = plan.Active
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdatePlanStatus(t.Context(), p) })
	}
	for status, want := range map[string][]string{plan.Active: {p1.ID, p3.ID}, plan.Proposed: {p2.ID}, plan.Cancelled: nil} {
		var got []string
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.PlanIDsByStatus(t.Context(), status); return err })
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("PlanIDsByStatus(%s) (-want +got):\n%s", status, diff)
		}
	}

	var got []store.TaskCount
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.TaskCounts(t.Context()); return err })
	if len(got) != 0 {
		t.Errorf("TaskCounts on no tasks = %v", got)
	}
	tasks := []store.Task{
		{Queue: "tier1", Status: store.TaskOpen}, {Queue: "tier1", Status: store.TaskOpen}, {Queue: "tier1", Status: store.TaskClaimed},
		{Queue: "tier2", Status: store.TaskDone}, {Queue: "legal", Status: store.TaskOpen},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range tasks {
			tk := tasks[i]
			tk.CustomerID, tk.Kind, tk.DueAt = c.ID, "call", Now
			if tk.Status == store.TaskClaimed || tk.Status == store.TaskDone {
				tk.ClaimedBy, tk.ClaimedAt = "test", &Now
			}
			if _, _, err := tx.InsertTask(t.Context(), &tk); err != nil {
				return err
			}
		}
		return nil
	})
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.TaskCounts(t.Context()); return err })
	tc := func(queue, status string, n int64) store.TaskCount {
		return store.TaskCount{Queue: queue, Status: status, Count: n}
	}
	want := []store.TaskCount{tc("legal", "open", 1), tc("tier1", "claimed", 1), tc("tier1", "open", 2), tc("tier2", "done", 1)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TaskCounts (-want +got):\n%s", diff)
	}
}
