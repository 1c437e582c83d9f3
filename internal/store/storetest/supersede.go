package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/store"
)

// testSupersededClaims: a sender whose claim went stale and was taken over
// cannot store its late result over the new claimant's: a Conflict naming
// both, and nothing changes; the new claimant's result is stored. Messages
// and webhook deliveries alike.
func testSupersededClaims(t *testing.T, s store.Store) {
	t.Run("message", func(t *testing.T) {
		a := addCustomer(t, s, newCustomer("SUP-A"))
		ms := []store.Message{{CustomerID: a.ID, Channel: "email", Step: "reminder", ScheduledFor: Now.Add(-time.Hour), Status: store.MessageQueued, Subject: "s"}}
		addMessages(t, s, ms)
		slow := claimMessages(t, s, "email", "slow", Now, Now.Add(-time.Minute), 1)
		// The claim is older than the next sender's stale limit: taken over.
		fast := claimMessages(t, s, "email", "fast", Now.Add(time.Hour), Now.Add(time.Minute), 1)
		if len(slow) != 1 || len(fast) != 1 || fast[0].ClaimedBy != "fast" {
			t.Fatalf("claims: slow %v, fast %v", messageIDs(slow), messageIDs(fast))
		}
		before := getMessage(t, s, ms[0].ID)
		late := slow[0]
		late.Status, late.Attempts, late.LastError = store.MessageFailed, 6, "late"
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateMessageDelivery(t.Context(), &late) })
		wantCode(t, err, apperr.Conflict)
		if err != nil && (!strings.Contains(err.Error(), `"slow"`) || !strings.Contains(err.Error(), `"fast"`)) {
			t.Errorf("%v does not name both senders", err)
		}
		if diff := cmp.Diff(before, getMessage(t, s, ms[0].ID)); diff != "" {
			t.Errorf("the late result changed the message (-want +got):\n%s", diff)
		}
		now := Now.Add(time.Hour)
		ok := fast[0]
		ok.Status, ok.Attempts, ok.SentAt = store.MessageSent, 1, &now
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateMessageDelivery(t.Context(), &ok) })
		if got := getMessage(t, s, ms[0].ID); got.Status != store.MessageSent || got.ClaimedBy != "" {
			t.Errorf("after the new claimant's result: %s, claimed by %q", got.Status, got.ClaimedBy)
		}
	})

	t.Run("webhook delivery", func(t *testing.T) {
		w := addWebhook(t, s, store.Webhook{URL: "https://sup.example", Secret: "k", Events: []string{"e"}, Active: true})
		ds := []store.WebhookDelivery{{WebhookID: w.ID, EventID: ids.New(ids.Event), Event: "e", Payload: []byte(`{}`), NextAttemptAt: Now.Add(-time.Hour)}}
		addDeliveries(t, s, ds)
		slow := claimDeliveries(t, s, "slow", Now, Now.Add(-time.Minute), 10)
		fast := claimDeliveries(t, s, "fast", Now.Add(time.Hour), Now.Add(time.Minute), 10)
		if len(slow) != 1 || len(fast) != 1 {
			t.Fatalf("claims: slow %v, fast %v", deliveryIDs(slow), deliveryIDs(fast))
		}
		before := getDelivery(t, s, w.ID, ds[0].ID)
		late := slow[0]
		late.Status, late.Attempts, late.LastError = store.DeliveryFailed, 9, "late"
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateWebhookDelivery(t.Context(), &late) })
		wantCode(t, err, apperr.Conflict)
		if diff := cmp.Diff(before, getDelivery(t, s, w.ID, ds[0].ID)); diff != "" {
			t.Errorf("the late result changed the delivery (-want +got):\n%s", diff)
		}
		now := Now.Add(time.Hour)
		ok := fast[0]
		ok.Status, ok.Attempts, ok.LastStatusCode, ok.DeliveredAt = store.DeliveryDelivered, 1, 204, &now
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateWebhookDelivery(t.Context(), &ok) })
		if got := getDelivery(t, s, w.ID, ds[0].ID); got.Status != store.DeliveryDelivered {
			t.Errorf("after the new claimant's result: %s", got.Status)
		}
	})
}
