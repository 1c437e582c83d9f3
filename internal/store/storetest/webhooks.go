package storetest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/store"
)

// ---- webhooks: subscriptions --------------------------------------------------------

// addWebhook stores a subscription (its ID and CreatedAt are set).
func addWebhook(t *testing.T, s store.Store, w store.Webhook) store.Webhook {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertWebhook(t.Context(), &w) })
	return w
}

func getWebhook(t *testing.T, s store.Store, id string) *store.Webhook {
	t.Helper()
	var w *store.Webhook
	mustTx(t, s, func(tx store.Tx) (err error) { w, err = tx.Webhook(t.Context(), id); return err })
	return w
}

func webhookIDs(ws []store.Webhook) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.ID)
	}
	return out
}

func testWebhooks(t *testing.T, s store.Store) {
	jst := time.FixedZone("JST", 9*3600)
	in := []store.Webhook{
		{URL: "https://example.com/hooks/settle", Secret: "s3cret-0", Events: []string{"invoice.overdue", "payment.received"}, Active: true},
		{URL: "https://example.org/h?x=1&y=é", Secret: "s3cret-1", Active: false},
		// Created at a given time, in another zone.
		{URL: "http://localhost:8080/", Secret: "s3cret-2", Events: []string{"plan.defaulted", "événement \"cité\""}, Active: true,
			CreatedAt: time.Date(2026, 6, 30, 9, 0, 0, 1000, jst)},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range in {
			if err := tx.InsertWebhook(t.Context(), &in[i]); err != nil {
				return err
			}
		}
		return nil
	})
	want := make([]store.Webhook, len(in))
	for i, w := range in {
		if !ids.HasPrefix(w.ID, ids.Webhook) {
			t.Fatalf("InsertWebhook %d assigned id %q", i, w.ID)
		}
		w.CreatedAt = w.CreatedAt.UTC()
		want[i] = w
	}
	if !want[0].CreatedAt.Equal(Now) || !want[2].CreatedAt.Equal(time.Date(2026, 6, 30, 0, 0, 0, 1000, time.UTC)) {
		t.Errorf("CreatedAt %v, %v; want the clock's and the given one", want[0].CreatedAt, want[2].CreatedAt)
	}

	t.Run("get", func(t *testing.T) {
		for i := range want {
			got := getWebhook(t, s, want[i].ID)
			if diff := cmp.Diff(&want[i], got); diff != "" {
				t.Errorf("Webhook(%d) (-want +got):\n%s", i, diff)
			}
			if got.CreatedAt.Location() != time.UTC {
				t.Errorf("Webhook(%d) CreatedAt %v not in UTC", i, got.CreatedAt)
			}
		}
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, err := tx.Webhook(t.Context(), "whk_00000000000000000000000000")
			return err
		})
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("list", func(t *testing.T) {
		var p1, p2, all []store.Webhook
		var n1, n2, n3 string
		mustTx(t, s, func(tx store.Tx) (err error) {
			if all, n3, err = tx.Webhooks(t.Context(), store.Page{}); err != nil {
				return err
			}
			if p1, n1, err = tx.Webhooks(t.Context(), store.Page{Limit: 2}); err != nil {
				return err
			}
			p2, n2, err = tx.Webhooks(t.Context(), store.Page{Limit: 2, Cursor: n1})
			return err
		})
		if diff := cmp.Diff(want, all); diff != "" || n3 != "" {
			t.Errorf("Webhooks() next %q (-want +got):\n%s", n3, diff)
		}
		if diff := cmp.Diff(want, append(p1, p2...)); diff != "" || n1 != want[1].ID || n2 != "" {
			t.Errorf("pages of 2: next %q, %q (-want +got):\n%s", n1, n2, diff)
		}
	})

	t.Run("update", func(t *testing.T) {
		w := want[0]
		w.URL, w.Events, w.Active = "https://example.com/v2", []string{"plan.defaulted"}, false
		w.Secret = "not stored" // UpdateWebhook stores URL, Events and Active only
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateWebhook(t.Context(), &w) })
		w.Secret = want[0].Secret
		if diff := cmp.Diff(&w, getWebhook(t, s, w.ID)); diff != "" {
			t.Errorf("updated webhook (-want +got):\n%s", diff)
		}
		// No events and active again; the others are untouched.
		w.Events, w.Active = nil, true
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateWebhook(t.Context(), &w) })
		if diff := cmp.Diff(&w, getWebhook(t, s, w.ID)); diff != "" {
			t.Errorf("webhook updated again (-want +got):\n%s", diff)
		}
		for _, i := range []int{1, 2} {
			if diff := cmp.Diff(&want[i], getWebhook(t, s, want[i].ID)); diff != "" {
				t.Errorf("webhook %d changed (-want +got):\n%s", i, diff)
			}
		}
		ghost := store.Webhook{ID: "whk_00000000000000000000000000", URL: "https://x", Active: true}
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateWebhook(t.Context(), &ghost) })
		wantCode(t, err, apperr.NotFound)
		if err != nil && !strings.Contains(err.Error(), ghost.ID) {
			t.Errorf("%v does not name %s", err, ghost.ID)
		}
	})
}

func testWebhooksFor(t *testing.T, s store.Store) {
	add := func(active bool, events ...string) store.Webhook {
		return addWebhook(t, s, store.Webhook{URL: "https://example.com/" + strings.Join(events, ","), Secret: "k", Events: events, Active: active})
	}
	a := add(true, "invoice.overdue", "payment.received")
	b := add(false, "invoice.overdue")
	c := add(true, "payment.received")
	_ = add(true)                       // no events
	_ = add(true, "invoice.overdue.v2") // a longer name is another event
	_ = add(true, "Invoice.Overdue")    // names are case-sensitive
	f := add(true, "plan.defaulted", "invoice.overdue")
	forEvent := func(t *testing.T, event string) []store.Webhook {
		t.Helper()
		var out []store.Webhook
		mustTx(t, s, func(tx store.Tx) (err error) { out, err = tx.WebhooksFor(t.Context(), event); return err })
		return out
	}
	tests := []struct {
		event string
		want  []store.Webhook
	}{
		{"invoice.overdue", []store.Webhook{a, f}},
		{"payment.received", []store.Webhook{a, c}},
		{"plan.defaulted", []store.Webhook{f}},
		{"invoice", nil},
		{"overdue", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, forEvent(t, tt.event), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("WebhooksFor(%q) (-want +got):\n%s", tt.event, diff)
		}
	}
	// Deactivating a and activating b.
	a.Active, b.Active = false, true
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.UpdateWebhook(t.Context(), &a); err != nil {
			return err
		}
		return tx.UpdateWebhook(t.Context(), &b)
	})
	if diff := cmp.Diff([]store.Webhook{b, f}, forEvent(t, "invoice.overdue")); diff != "" {
		t.Errorf("WebhooksFor after the updates (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(webhookIDs([]store.Webhook{c}), webhookIDs(forEvent(t, "payment.received"))); diff != "" {
		t.Errorf("WebhooksFor(payment.received) after the updates (-want +got):\n%s", diff)
	}
}

// ---- webhook deliveries --------------------------------------------------------------

// addDeliveries stores the deliveries in one transaction (their ids and
// defaults are set).
func addDeliveries(t *testing.T, s store.Store, ds []store.WebhookDelivery) {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error {
		for i := range ds {
			if created, err := tx.InsertWebhookDelivery(t.Context(), &ds[i]); err != nil || !created {
				return fmt.Errorf("delivery %d: created %v, %w", i, created, err)
			}
		}
		return nil
	})
}

// listDeliveries reads all of a subscription's deliveries (one page).
func listDeliveries(t *testing.T, s store.Store, webhookID string) []store.WebhookDelivery {
	t.Helper()
	var out []store.WebhookDelivery
	mustTx(t, s, func(tx store.Tx) error {
		list, next, err := tx.WebhookDeliveries(t.Context(), webhookID, store.Page{Limit: 500})
		if next != "" {
			return errors.New("listDeliveries: more than one page")
		}
		out = list
		return err
	})
	return out
}

// getDelivery finds one delivery of a subscription (there is no getter).
func getDelivery(t *testing.T, s store.Store, webhookID, id string) *store.WebhookDelivery {
	t.Helper()
	for _, d := range listDeliveries(t, s, webhookID) {
		if d.ID == id {
			return &d
		}
	}
	t.Fatalf("delivery %s of %s not found", id, webhookID)
	return nil
}

func claimDeliveries(t *testing.T, s store.Store, worker string, now, staleBefore time.Time, limit int) []store.WebhookDelivery {
	t.Helper()
	var out []store.WebhookDelivery
	mustTx(t, s, func(tx store.Tx) (err error) {
		out, err = tx.ClaimWebhookDeliveries(t.Context(), worker, now, staleBefore, limit)
		return err
	})
	return out
}

func deliveryIDs(ds []store.WebhookDelivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// storedDelivery is d (as InsertWebhookDelivery left it) as the store
// returns it: times in UTC.
func storedDelivery(d store.WebhookDelivery) store.WebhookDelivery {
	d.CreatedAt, d.NextAttemptAt = d.CreatedAt.UTC(), d.NextAttemptAt.UTC()
	for _, p := range []**time.Time{&d.DeliveredAt, &d.ClaimedAt} {
		if *p != nil {
			u := (*p).UTC()
			*p = &u
		}
	}
	return d
}

// deliveryClaimedBy is d claimed by worker at the clock.
func deliveryClaimedBy(d store.WebhookDelivery, worker string) store.WebhookDelivery {
	at := Now
	d.ClaimedBy, d.ClaimedAt = worker, &at
	return d
}

// testWebhookDeliveryInsert: defaults, dedupe per (webhook, event id)
// without breaking the transaction, and what the database refuses.
func testWebhookDeliveryInsert(t *testing.T, s store.Store) {
	w1 := addWebhook(t, s, store.Webhook{URL: "https://one.example", Secret: "k1", Events: []string{"invoice.overdue"}, Active: true})
	w2 := addWebhook(t, s, store.Webhook{URL: "https://two.example", Secret: "k2", Events: []string{"invoice.overdue"}, Active: true})
	evt := ids.New(ids.Event)
	d := store.WebhookDelivery{WebhookID: w1.ID, EventID: evt, Event: "invoice.overdue", Payload: []byte(`{"invoice":"INV-1","days":7}`)}
	addDeliveries(t, s, []store.WebhookDelivery{d})
	got := listDeliveries(t, s, w1.ID)
	if len(got) != 1 {
		t.Fatalf("%d deliveries stored, want 1", len(got))
	}
	want := d
	want.ID = got[0].ID
	want.Status, want.CreatedAt, want.NextAttemptAt = store.DeliveryPending, Now, Now // the defaults
	if !ids.HasPrefix(want.ID, ids.Delivery) {
		t.Errorf("delivery id %q", want.ID)
	}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("stored delivery (-want +got):\n%s", diff)
	}
	if got[0].CreatedAt.Location() != time.UTC || got[0].NextAttemptAt.Location() != time.UTC {
		t.Errorf("times not in UTC: %v %v", got[0].CreatedAt, got[0].NextAttemptAt)
	}

	t.Run("dedupe", func(t *testing.T) {
		var other store.WebhookDelivery
		mustTx(t, s, func(tx store.Tx) error {
			again := store.WebhookDelivery{WebhookID: w1.ID, EventID: evt, Event: "invoice.overdue", Payload: []byte(`{"other":true}`),
				NextAttemptAt: Now.Add(time.Hour)}
			created, err := tx.InsertWebhookDelivery(t.Context(), &again)
			if err != nil {
				return err
			}
			if created || again.ID != want.ID {
				t.Errorf("InsertWebhookDelivery again = %v, id %q; want false, the stored %q", created, again.ID, want.ID)
			}
			// The transaction is still usable (no failed statement in it):
			// it reads, and the same event to another subscription is new.
			list, _, err := tx.WebhookDeliveries(t.Context(), w1.ID, store.Page{})
			if err != nil {
				return err
			}
			if diff := cmp.Diff([]store.WebhookDelivery{want}, list); diff != "" {
				t.Errorf("the deduplicated delivery changed (-want +got):\n%s", diff)
			}
			other = store.WebhookDelivery{WebhookID: w2.ID, EventID: evt, Event: "invoice.overdue", Payload: d.Payload}
			created, err = tx.InsertWebhookDelivery(t.Context(), &other)
			if err == nil && !created {
				t.Error("the same event to another subscription: created=false")
			}
			return err
		})
		if diff := cmp.Diff([]store.WebhookDelivery{want}, listDeliveries(t, s, w1.ID)); diff != "" {
			t.Errorf("deliveries of w1 after the dedupe (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]store.WebhookDelivery{storedDelivery(other)}, listDeliveries(t, s, w2.ID)); diff != "" {
			t.Errorf("deliveries of w2 (-want +got):\n%s", diff)
		}
		if other.ID == want.ID || !ids.HasPrefix(other.ID, ids.Delivery) {
			t.Errorf("the second subscription's delivery has id %q", other.ID)
		}
	})

	t.Run("given fields", func(t *testing.T) {
		cest := time.FixedZone("CEST", 2*3600)
		next := time.Date(2026, 7, 2, 8, 15, 0, 999999000, cest)
		claimedAt := time.Date(2026, 7, 1, 14, 0, 0, 1000, cest)
		ds := []store.WebhookDelivery{
			{WebhookID: w1.ID, EventID: ids.New(ids.Event), Event: "payment.received", Payload: []byte(`[1,2]`), Status: store.DeliveryPending,
				Attempts: 2, LastStatusCode: 503, LastError: "503 Service Unavailable", NextAttemptAt: next, ClaimedBy: "host-1:42",
				ClaimedAt: &claimedAt, CreatedAt: Now.Add(-time.Hour).In(cest)},
			// No payload: an empty JSON object.
			{WebhookID: w1.ID, EventID: ids.New(ids.Event), Event: "plan.defaulted"},
		}
		addDeliveries(t, s, ds)
		if string(ds[1].Payload) != "{}" {
			t.Errorf("an empty payload became %q, want {}", ds[1].Payload)
		}
		// Newest first: ds[1] (Now), want (Now, older id), ds[0] (Now-1h).
		wantList := []store.WebhookDelivery{storedDelivery(ds[1]), want, storedDelivery(ds[0])}
		if diff := cmp.Diff(wantList, listDeliveries(t, s, w1.ID)); diff != "" {
			t.Errorf("deliveries (-want +got):\n%s", diff)
		}
	})

	t.Run("refused", func(t *testing.T) {
		for name, d := range map[string]store.WebhookDelivery{
			"unknown webhook": {WebhookID: "whk_00000000000000000000000000", EventID: ids.New(ids.Event), Event: "x"},
			"unknown status":  {WebhookID: w1.ID, EventID: ids.New(ids.Event), Event: "x", Status: "sent"},
		} {
			err := s.Tx(t.Context(), func(tx store.Tx) error { _, err := tx.InsertWebhookDelivery(t.Context(), &d); return err })
			if err == nil {
				t.Errorf("%s: stored", name)
			}
		}
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, err := tx.InsertWebhookDelivery(t.Context(), &store.WebhookDelivery{WebhookID: w1.ID, EventID: ids.New(ids.Event), Status: "queued"})
			return err
		})
		wantCode(t, err, apperr.Invalid)
		wantField(t, err, "status")
	})
}

func testWebhookDeliveryClaims(t *testing.T, s store.Store) {
	w1 := addWebhook(t, s, store.Webhook{URL: "https://one.example", Secret: "k1", Events: []string{"e"}, Active: true})
	w2 := addWebhook(t, s, store.Webhook{URL: "https://two.example", Secret: "k2", Events: []string{"e"}, Active: false})
	at := func(d time.Duration) *time.Time { x := Now.Add(d); return &x }
	q := func(w store.Webhook, next time.Duration) store.WebhookDelivery {
		return store.WebhookDelivery{WebhookID: w.ID, EventID: ids.New(ids.Event), Event: "invoice.overdue",
			Payload: []byte(`{"n":1}`), NextAttemptAt: Now.Add(next)}
	}
	ds := []store.WebhookDelivery{
		0:  q(w1, -2*time.Hour),
		1:  q(w1, 10*time.Minute), // a retry held back until Now+10m
		2:  q(w1, -3*time.Hour),
		3:  q(w1, 0),                // zero below: the clock's Now, due at now exactly
		4:  q(w1, time.Microsecond), // due a microsecond after now
		5:  q(w1, -5*time.Hour),     // delivered
		6:  q(w1, -5*time.Hour),     // failed
		7:  q(w1, -2*time.Hour),     // same time as 0: id order
		8:  q(w1, -6*time.Hour),     // claimed 5 minutes ago by a worker
		9:  q(w1, 0),                // given in another zone: the same instant as 3
		10: q(w2, -time.Hour),       // another subscription (claims are across all)
	}
	ds[1].Attempts, ds[1].LastStatusCode, ds[1].LastError = 1, 503, "503 Service Unavailable"
	ds[3].NextAttemptAt = time.Time{}
	ds[9].NextAttemptAt = Now.In(time.FixedZone("JST", 9*3600))
	ds[5].Status, ds[5].Attempts, ds[5].LastStatusCode, ds[5].DeliveredAt = store.DeliveryDelivered, 1, 200, at(-5*time.Hour)
	ds[6].Status, ds[6].Attempts, ds[6].LastError = store.DeliveryFailed, 8, "connection refused"
	ds[8].ClaimedBy, ds[8].ClaimedAt = "w0", at(-5*time.Minute)
	addDeliveries(t, s, ds)
	want := make([]store.WebhookDelivery, len(ds))
	for i, d := range ds {
		want[i] = storedDelivery(d)
	}
	if !want[3].NextAttemptAt.Equal(Now) || want[0].ID > want[7].ID || want[3].ID > want[9].ID {
		t.Fatal("fixture: defaults or id order")
	}

	// Every claim is made at the transaction's clock, Now. A claim is stale
	// when it was made before staleBefore (strictly).
	fresh := Now.Add(-10 * time.Minute)
	steps := []struct {
		name       string
		worker     string
		now, stale time.Time
		limit      int
		want       []int
	}{
		{"due and pending, oldest first, limit 2", "w1", Now, fresh, 2, []int{2, 0}},
		{"the rest that is due; claimed ones are skipped", "w2", Now, fresh, 10, []int{7, 10, 3, 9}},
		{"nothing left that is due and free", "w3", Now, fresh, 10, nil},
		{"a claim made at staleBefore is not stale", "w4", Now, Now.Add(-5 * time.Minute), 10, nil},
		{"a claim made before staleBefore is taken over", "w4", Now, Now, 10, []int{8}},
		{"later: the later one and the held back retry", "w5", Now.Add(10 * time.Minute), Now, 10, []int{4, 1}},
		{"limit 0", "w6", Now.Add(time.Hour), Now.Add(time.Hour), 0, nil},
		{"all stale: taken over in order, limit 3", "w8", Now.Add(time.Hour), Now.Add(time.Microsecond), 3, []int{8, 2, 0}},
	}
	owner := map[int]string{8: "w0"}
	for _, st := range steps {
		var wantClaimed []store.WebhookDelivery
		for _, i := range st.want {
			wantClaimed = append(wantClaimed, deliveryClaimedBy(want[i], st.worker))
			owner[i] = st.worker
		}
		got := claimDeliveries(t, s, st.worker, st.now, st.stale, st.limit)
		if diff := cmp.Diff(wantClaimed, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: ClaimWebhookDeliveries (-want +got):\n%s", st.name, diff)
		}
		for _, d := range got {
			if d.ClaimedAt.Location() != time.UTC || d.NextAttemptAt.Location() != time.UTC || d.CreatedAt.Location() != time.UTC {
				t.Errorf("%s: claimed %s with times not in UTC: %v %v %v", st.name, d.ID, d.NextAttemptAt, d.ClaimedAt, d.CreatedAt)
			}
		}
	}

	// The claims are stored; deliveries that are not pending are never claimed.
	for i, w := range want {
		if worker, ok := owner[i]; ok && worker != "w0" {
			w = deliveryClaimedBy(w, worker)
		}
		if diff := cmp.Diff(&w, getDelivery(t, s, w.WebhookID, w.ID)); diff != "" {
			t.Errorf("delivery %d as stored (-want +got):\n%s", i, diff)
		}
	}

	t.Run("a claim without a time is free", func(t *testing.T) {
		d := []store.WebhookDelivery{q(w1, -time.Hour)}
		d[0].ClaimedBy = "w0"
		addDeliveries(t, s, d)
		got := claimDeliveries(t, s, "w9", Now, fresh, 10)
		if diff := cmp.Diff(deliveryIDs(d), deliveryIDs(got)); diff != "" {
			t.Errorf("claimed (-want +got):\n%s", diff)
		}
	})

	t.Run("refused", func(t *testing.T) {
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, err := tx.ClaimWebhookDeliveries(t.Context(), "", Now.Add(time.Hour), Now.Add(time.Hour), 10)
			return err
		})
		if err == nil {
			t.Error("a claim without a worker: no error")
		}
	})
}

func testWebhookDeliveryUpdate(t *testing.T, s store.Store) {
	w := addWebhook(t, s, store.Webhook{URL: "https://one.example", Secret: "k", Events: []string{"e"}, Active: true})
	jst := time.FixedZone("JST", 9*3600)
	ds := []store.WebhookDelivery{
		{WebhookID: w.ID, EventID: ids.New(ids.Event), Event: "invoice.overdue", Payload: []byte(`{"n":0}`), NextAttemptAt: Now.Add(-time.Hour)},
		{WebhookID: w.ID, EventID: ids.New(ids.Event), Event: "invoice.overdue", Payload: []byte(`{"n":1}`), NextAttemptAt: Now.Add(-time.Minute)},
		{WebhookID: w.ID, EventID: ids.New(ids.Event), Event: "payment.received", Payload: []byte(`{"n":2}`), NextAttemptAt: Now.Add(time.Hour)},
	}
	addDeliveries(t, s, ds)
	claimed := claimDeliveries(t, s, "w1", Now, Now.Add(-time.Minute), 10)
	if diff := cmp.Diff([]string{ds[0].ID, ds[1].ID}, deliveryIDs(claimed)); diff != "" {
		t.Fatalf("claimed (-want +got):\n%s", diff)
	}
	update := func(t *testing.T, d *store.WebhookDelivery) {
		t.Helper()
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateWebhookDelivery(t.Context(), d) })
	}

	t.Run("delivered", func(t *testing.T) {
		d := claimed[0]
		deliveredAt := time.Date(2026, 7, 1, 21, 30, 45, 654321000, jst) // 12:30:45.654321 UTC
		d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.DeliveredAt = store.DeliveryDelivered, 1, 204, "", &deliveredAt
		update(t, &d)
		if d.ClaimedBy != "" || d.ClaimedAt != nil {
			t.Errorf("after the update d still holds the claim %q %v", d.ClaimedBy, d.ClaimedAt)
		}
		want := storedDelivery(ds[0])
		deliveredUTC := deliveredAt.UTC()
		want.Status, want.Attempts, want.LastStatusCode, want.DeliveredAt = store.DeliveryDelivered, 1, 204, &deliveredUTC
		got := getDelivery(t, s, w.ID, ds[0].ID)
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("delivered (-want +got):\n%s", diff)
		}
		if got.DeliveredAt.Location() != time.UTC {
			t.Errorf("DeliveredAt %v not in UTC", got.DeliveredAt)
		}
	})

	t.Run("retry later, then failed", func(t *testing.T) {
		d := claimed[1]
		next := Now.Add(15 * time.Minute).In(jst)
		d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt = store.DeliveryPending, 1, 503, "503 Service Unavailable", next
		update(t, &d)
		want := storedDelivery(ds[1])
		want.Attempts, want.LastStatusCode, want.LastError, want.NextAttemptAt = 1, 503, "503 Service Unavailable", next.UTC()
		if diff := cmp.Diff(&want, getDelivery(t, s, w.ID, ds[1].ID)); diff != "" {
			t.Errorf("delivery to retry (-want +got):\n%s", diff)
		}
		// Not before next_attempt_at; then free (the claim is cleared, so
		// even a fresh staleBefore lets it be claimed), with the later one.
		if got := claimDeliveries(t, s, "w2", Now.Add(15*time.Minute-time.Microsecond), Now.Add(-time.Hour), 10); got != nil {
			t.Errorf("claimed before its next attempt: %v", deliveryIDs(got))
		}
		got := claimDeliveries(t, s, "w2", Now.Add(time.Hour), Now.Add(-time.Hour), 10)
		if diff := cmp.Diff([]store.WebhookDelivery{deliveryClaimedBy(want, "w2"), deliveryClaimedBy(storedDelivery(ds[2]), "w2")}, got); diff != "" {
			t.Errorf("claimed at its next attempt (-want +got):\n%s", diff)
		}

		// A zero NextAttemptAt keeps the stored one (and reads it back into d).
		d = got[0]
		d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt = store.DeliveryFailed, 2, 0, "dial tcp: connection refused", time.Time{}
		update(t, &d)
		if !d.NextAttemptAt.Equal(want.NextAttemptAt) || d.NextAttemptAt.Location() != time.UTC {
			t.Errorf("NextAttemptAt after an update with zero: %v, want the stored %v", d.NextAttemptAt, want.NextAttemptAt)
		}
		want.Status, want.Attempts, want.LastStatusCode, want.LastError = store.DeliveryFailed, 2, 0, "dial tcp: connection refused"
		if diff := cmp.Diff(&want, getDelivery(t, s, w.ID, ds[1].ID)); diff != "" {
			t.Errorf("failed delivery (-want +got):\n%s", diff)
		}
	})

	t.Run("failed", func(t *testing.T) {
		d := *getDelivery(t, s, w.ID, ds[2].ID) // claimed by w2
		d.Status, d.Attempts, d.LastStatusCode, d.LastError = store.DeliveryFailed, 10, 500, "500 Internal Server Error"
		update(t, &d)
		want := storedDelivery(ds[2])
		want.Status, want.Attempts, want.LastStatusCode, want.LastError = store.DeliveryFailed, 10, 500, "500 Internal Server Error"
		if diff := cmp.Diff(&want, getDelivery(t, s, w.ID, ds[2].ID)); diff != "" {
			t.Errorf("failed delivery (-want +got):\n%s", diff)
		}
		// Delivered and failed deliveries are never claimed again.
		if got := claimDeliveries(t, s, "w3", Now.Add(24*time.Hour), Now.Add(24*time.Hour), 10); got != nil {
			t.Errorf("claimed after delivery: %v", deliveryIDs(got))
		}
	})

	t.Run("refused", func(t *testing.T) {
		before := getDelivery(t, s, w.ID, ds[2].ID)
		for _, status := range []string{"", "sent", "queued"} {
			d := *before
			d.Status, d.Attempts = status, 99
			err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateWebhookDelivery(t.Context(), &d) })
			wantCode(t, err, apperr.Invalid)
			wantField(t, err, "status")
		}
		if diff := cmp.Diff(before, getDelivery(t, s, w.ID, ds[2].ID)); diff != "" {
			t.Errorf("refused updates changed the delivery (-want +got):\n%s", diff)
		}
		ghost := store.WebhookDelivery{ID: "dlv_00000000000000000000000000", Status: store.DeliveryDelivered, NextAttemptAt: Now}
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateWebhookDelivery(t.Context(), &ghost) })
		wantCode(t, err, apperr.NotFound)
		if err != nil && !strings.Contains(err.Error(), ghost.ID) {
			t.Errorf("%v does not name %s", err, ghost.ID)
		}
	})
}

// testWebhookDeliveryConcurrentClaims: workers claiming deliveries at the
// same time never get the same one (as testMessageConcurrentClaims: the
// claims overlap on PostgreSQL, follow one another on SQLite).
func testWebhookDeliveryConcurrentClaims(t *testing.T, s store.Store) {
	tests := []struct {
		name                 string
		workers, limit, want int
	}{
		{"two workers", 2, 4, 8},
		{"four workers", 4, 3, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A subtest's deliveries are the only free ones: what the one
			// before left is claimed at its end (at Now, not stale).
			wh := addWebhook(t, s, store.Webhook{URL: "https://example.com/" + tt.name, Secret: "k", Events: []string{"e"}, Active: true})
			ds := make([]store.WebhookDelivery, 10)
			for i := range ds {
				ds[i] = store.WebhookDelivery{WebhookID: wh.ID, EventID: ids.New(ids.Event), Event: "e", NextAttemptAt: Now.Add(time.Duration(i-10) * time.Minute)}
			}
			addDeliveries(t, s, ds)
			seen := claimConcurrently(t, s, tt.workers, tt.limit, tt.want, "deliveries", func(tx store.Tx, worker string) ([]string, error) {
				got, err := tx.ClaimWebhookDeliveries(t.Context(), worker, Now, Now.Add(-time.Minute), tt.limit)
				return deliveryIDs(got), err
			})
			// Each claim is stored for its worker; what is left is exactly
			// what nobody claimed.
			var rest []string
			for _, d := range ds {
				w, ok := seen[d.ID]
				if !ok {
					rest = append(rest, d.ID)
					continue
				}
				if got := getDelivery(t, s, wh.ID, d.ID).ClaimedBy; got != fmt.Sprintf("w%d", w) {
					t.Errorf("%s claimed by worker %d is stored as claimed by %q", d.ID, w, got)
				}
			}
			got := claimDeliveries(t, s, "after", Now, Now.Add(-time.Minute), 10)
			if diff := cmp.Diff(rest, deliveryIDs(got)); diff != "" {
				t.Errorf("afterwards claimed (-want the unclaimed +got):\n%s", diff)
			}
		})
	}
}

// testWebhookDeliveriesList: a subscription's deliveries, newest first
// (created_at, then id, descending), page by page with opaque cursors.
func testWebhookDeliveriesList(t *testing.T, s store.Store) {
	w1 := addWebhook(t, s, store.Webhook{URL: "https://one.example", Secret: "k1", Events: []string{"e"}, Active: true})
	w2 := addWebhook(t, s, store.Webhook{URL: "https://two.example", Secret: "k2", Events: []string{"e"}, Active: true})
	base := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	cest := time.FixedZone("CEST", 2*3600)
	// Creation times a microsecond and half a second apart: 0 → 09:00:00,
	// 1 → 09:00:00.000001, 2 → 09:00:00.5, 3 → 09:00:01 (given in CEST).
	created := []time.Time{base, base.Add(time.Microsecond), base.Add(500 * time.Millisecond), base.Add(time.Second).In(cest)}
	type spec struct {
		webhook  store.Webhook
		created  int
		position int // in w1's list
	}
	// Inserted in this order (ids ascending). Expected order of w1's:
	//   created 3: #6, #2 (later id first)
	//   created 2: #0
	//   created 1: #8, #4
	//   created 0: #7, #1
	// w2: #3 (created 3), #5 (created 0).
	specs := []spec{
		{w1, 2, 2},
		{w1, 0, 6},
		{w1, 3, 1},
		{w2, 3, -1},
		{w1, 1, 4},
		{w2, 0, -1},
		{w1, 3, 0},
		{w1, 0, 5},
		{w1, 1, 3},
	}
	ds := make([]store.WebhookDelivery, len(specs))
	for i, sp := range specs {
		ds[i] = store.WebhookDelivery{WebhookID: sp.webhook.ID, EventID: ids.New(ids.Event), Event: "e",
			Payload: fmt.Appendf(nil, `{"n":%d}`, i), CreatedAt: created[sp.created]}
	}
	addDeliveries(t, s, ds)
	all := make([]store.WebhookDelivery, 7)
	for i, sp := range specs {
		if sp.position >= 0 {
			all[sp.position] = storedDelivery(ds[i])
		}
	}
	// The same order, worked out by sorting: a second method.
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(x, y store.WebhookDelivery) int {
		if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(y.ID, x.ID)
	})
	if diff := cmp.Diff(sorted, all); diff != "" {
		t.Fatalf("fixture: hand-worked order differs from sorting (-sorted +hand):\n%s", diff)
	}
	list := func(t *testing.T, webhookID string, p store.Page) ([]store.WebhookDelivery, string) {
		t.Helper()
		var got []store.WebhookDelivery
		var next string
		mustTx(t, s, func(tx store.Tx) (err error) {
			got, next, err = tx.WebhookDeliveries(t.Context(), webhookID, p)
			return err
		})
		return got, next
	}

	if got, next := list(t, w1.ID, store.Page{}); next != "" {
		t.Errorf("all of w1: next %q", next)
	} else if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("all of w1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]store.WebhookDelivery{storedDelivery(ds[3]), storedDelivery(ds[5])}, listDeliveries(t, s, w2.ID)); diff != "" {
		t.Errorf("all of w2 (-want +got):\n%s", diff)
	}
	if got, next := list(t, "whk_00000000000000000000000000", store.Page{}); len(got) != 0 || next != "" {
		t.Errorf("unknown webhook: %v, next %q; want none", deliveryIDs(got), next)
	}

	// Page by page, with every page size: the same list.
	for size := 1; size <= len(all); size++ {
		var paged []store.WebhookDelivery
		p := store.Page{Limit: size}
		for pages := 0; ; pages++ {
			got, next := list(t, w1.ID, p)
			paged = append(paged, got...)
			if next == "" {
				break
			}
			if pages > len(all) {
				t.Fatalf("size %d: more pages than deliveries", size)
			}
			if strings.Contains(next, "dlv_") {
				t.Errorf("cursor %q shows the id", next)
			}
			p.Cursor = next
		}
		if diff := cmp.Diff(all, paged); diff != "" {
			t.Errorf("in pages of %d (-want +got):\n%s", size, diff)
		}
	}
	// A page of 1 ends with #6; #2 has the same creation time and an
	// earlier id: it comes next.
	p1, n1 := list(t, w1.ID, store.Page{Limit: 1})
	p2, _ := list(t, w1.ID, store.Page{Limit: 2, Cursor: n1})
	if diff := cmp.Diff(all[:3], append(p1, p2...)); diff != "" {
		t.Errorf("first pages (-want +got):\n%s", diff)
	}
	// A full last page has no next cursor.
	if _, n := list(t, w1.ID, store.Page{Limit: len(all)}); n != "" {
		t.Errorf("a page with every delivery: next %q", n)
	}

	t.Run("invalid cursor", func(t *testing.T) {
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		const dlv = "dlv_00000000000000000000000000"
		for name, cursor := range map[string]string{
			"not base64":        "not a cursor!",
			"an id":             dlv,
			"one part":          enc("2026-07-01T09:00:00Z"),
			"bad time":          enc("yesterday|" + dlv),
			"not a delivery id": enc("2026-07-01T09:00:00Z|msg_00000000000000000000000000"),
			"a task cursor":     enc("1|2026-07-01T09:00:00Z|tsk_00000000000000000000000000"),
		} {
			t.Run(name, func(t *testing.T) {
				err := s.Tx(t.Context(), func(tx store.Tx) error {
					_, _, err := tx.WebhookDeliveries(t.Context(), w1.ID, store.Page{Cursor: cursor})
					return err
				})
				wantCode(t, err, apperr.Invalid)
				wantField(t, err, "cursor")
			})
		}
	})
}
