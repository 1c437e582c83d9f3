package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/store"
)

// testOnlineCustomers: a customer's link to the provider's customer is
// made once (a second link keeps the first), read both ways, and a
// provider customer cannot belong to two settle customers.
func testOnlineCustomers(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := addCustomer(t, s, newCustomer("OC-A"))
	b := addCustomer(t, s, newCustomer("OC-B"))
	err := s.ReadTx(ctx, func(tx store.Tx) error { _, err := tx.OnlineCustomer(ctx, "stripe", a.ID); return err })
	wantCode(t, err, apperr.NotFound)
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertOnlineCustomer(ctx, "stripe", a.ID, "cus_SA") })
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertOnlineCustomer(ctx, "stripe", a.ID, "cus_SA2") }) // kept: cus_SA
	var ref, back string
	mustTx(t, s, func(tx store.Tx) (err error) {
		if ref, err = tx.OnlineCustomer(ctx, "stripe", a.ID); err != nil {
			return err
		}
		back, err = tx.OnlineCustomerByRef(ctx, "stripe", "cus_SA")
		return err
	})
	if ref != "cus_SA" || back != a.ID {
		t.Errorf("link: %q and back %q, want cus_SA and %s", ref, back, a.ID)
	}
	err = s.Tx(ctx, func(tx store.Tx) error { return tx.InsertOnlineCustomer(ctx, "stripe", b.ID, "cus_SA") })
	wantCode(t, err, apperr.Conflict)
	err = s.ReadTx(ctx, func(tx store.Tx) error { _, err := tx.OnlineCustomerByRef(ctx, "stripe", "cus_none"); return err })
	wantCode(t, err, apperr.NotFound)
}

// testOnlineIntents: an intent round-trips exactly; an update moves it
// only from the statuses named (a second claim of the same payment does
// nothing); an autopay attempt is stored once per dedupe key; lookups by
// session and payment intent; lists newest first with filters.
func testOnlineIntents(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := addCustomer(t, s, newCustomer("OI-A"))
	inv := addInvoice(t, s, newInvoice(c, "OI-1", "2026-05-01", "2026-05-31", amt("250.00", USD)))
	p := addPlan(t, s, c, time.Time{})
	in := store.OnlineIntent{Provider: "stripe", CustomerID: c.ID, Kind: store.IntentInvoice, InvoiceID: inv.ID, Amount: amt("250.00", USD),
		Status: store.IntentOpen, SessionID: "cs_1", AsOf: day("2026-07-01")}
	var created bool
	mustTx(t, s, func(tx store.Tx) (err error) { created, err = tx.InsertOnlineIntent(ctx, &in); return err })
	if !created || !strings.HasPrefix(in.ID, "opi_") {
		t.Fatalf("insert: created %v id %q", created, in.ID)
	}
	want := in
	want.Waived, want.CreatedAt, want.UpdatedAt = amt("0.00", USD), Now, Now
	var got *store.OnlineIntent
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.OnlineIntent(ctx, in.ID); return err })
	if diff := cmp.Diff(&want, got, cmpAmount); diff != "" {
		t.Errorf("OnlineIntent (-want +got):\n%s", diff)
	}

	// Paid once: the second claim from open finds it paid and does nothing.
	pay := addPayment(t, s, newPayment(c, "2026-07-01", amt("250.00", USD)))
	paid := *got
	paid.Status, paid.PaymentIntentID, paid.PaymentID = store.IntentPaid, "pi_1", pay.ID
	var ok1, ok2 bool
	mustTx(t, s, func(tx store.Tx) (err error) {
		ok1, err = tx.UpdateOnlineIntent(ctx, &paid, store.IntentOpen, store.IntentPending)
		return err
	})
	again := *got
	again.Status, again.Review = store.IntentFailed, "late"
	mustTx(t, s, func(tx store.Tx) (err error) {
		ok2, err = tx.UpdateOnlineIntent(ctx, &again, store.IntentOpen)
		return err
	})
	if !ok1 || ok2 {
		t.Errorf("updates: first %v second %v, want true then false", ok1, ok2)
	}
	for _, ref := range []string{"cs_1", "pi_1"} {
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.OnlineIntentByRef(ctx, ref); return err })
		if got.ID != in.ID || got.Status != store.IntentPaid || got.PaymentID != pay.ID || got.Review != "" {
			t.Errorf("by %s: %+v", ref, got)
		}
	}
	err := s.Tx(ctx, func(tx store.Tx) error {
		_, err := tx.UpdateOnlineIntent(ctx, &store.OnlineIntent{ID: "opi_none", Status: store.IntentPaid})
		return err
	})
	wantCode(t, err, apperr.NotFound)
	err = s.ReadTx(ctx, func(tx store.Tx) error { _, err := tx.OnlineIntentByRef(ctx, "cs_none"); return err })
	wantCode(t, err, apperr.NotFound)

	// Autopay: one row per installment and attempt.
	retry := day("2026-07-04")
	ap := store.OnlineIntent{Provider: "stripe", CustomerID: c.ID, Kind: store.IntentAutopay, PlanID: p.ID, InstallmentSeq: 1, Amount: amt("100.00", USD),
		Status: store.IntentFailed, Attempt: 1, NextRetryOn: retry, Failure: "insufficient_funds", DedupeKey: "autopay:" + p.ID + ":1:1", AsOf: day("2026-08-01")}
	mustTx(t, s, func(tx store.Tx) (err error) { created, err = tx.InsertOnlineIntent(ctx, &ap); return err })
	dup := store.OnlineIntent{Provider: "stripe", CustomerID: c.ID, Kind: store.IntentAutopay, PlanID: p.ID, InstallmentSeq: 1, Amount: amt("100.00", USD),
		Status: store.IntentPending, Attempt: 1, DedupeKey: ap.DedupeKey, AsOf: day("2026-08-01")}
	var created2 bool
	mustTx(t, s, func(tx store.Tx) (err error) { created2, err = tx.InsertOnlineIntent(ctx, &dup); return err })
	if !created || created2 || dup.ID != ap.ID || dup.Status != store.IntentFailed || dup.NextRetryOn != retry {
		t.Errorf("autopay dedupe: created %v then %v; second read back %+v", created, created2, dup)
	}
	// A session id is one intent's.
	clash := store.OnlineIntent{Provider: "stripe", CustomerID: c.ID, Kind: store.IntentBalance, Amount: amt("1.00", USD), Status: store.IntentOpen,
		SessionID: "cs_1", AsOf: day("2026-07-01")}
	err = s.Tx(ctx, func(tx store.Tx) error { _, err := tx.InsertOnlineIntent(ctx, &clash); return err })
	wantCode(t, err, apperr.Conflict)
	// An unknown customer is refused by the database.
	err = s.Tx(ctx, func(tx store.Tx) error {
		_, err := tx.InsertOnlineIntent(ctx, &store.OnlineIntent{Provider: "stripe", CustomerID: "cus_none", Kind: store.IntentBalance,
			Amount: amt("1.00", USD), Status: store.IntentOpen, AsOf: day("2026-07-01")})
		return err
	})
	if err == nil {
		t.Error("an intent of an unknown customer was stored")
	}

	var all, ofPlan, failed []store.OnlineIntent
	mustTx(t, s, func(tx store.Tx) (err error) {
		if all, err = tx.OnlineIntents(ctx, store.OnlineIntentFilter{CustomerID: c.ID}); err != nil {
			return err
		}
		if ofPlan, err = tx.OnlineIntents(ctx, store.OnlineIntentFilter{PlanID: p.ID, Kind: store.IntentAutopay}); err != nil {
			return err
		}
		failed, err = tx.OnlineIntents(ctx, store.OnlineIntentFilter{CustomerID: c.ID, Status: store.IntentFailed})
		return err
	})
	if len(all) != 2 || all[0].ID != ap.ID || all[1].ID != in.ID {
		t.Errorf("customer's intents: %d, want the autopay attempt then the invoice's", len(all))
	}
	if len(ofPlan) != 1 || ofPlan[0].ID != ap.ID || len(failed) != 1 || failed[0].ID != ap.ID {
		t.Errorf("plan's: %d, failed: %d; want 1 and 1", len(ofPlan), len(failed))
	}
}

// testOnlineMandates: a plan's saved method is stored, replaced by a new
// set-up (keeping when it was first made) and listed.
func testOnlineMandates(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := addCustomer(t, s, newCustomer("OM-A"))
	p := addPlan(t, s, c, time.Time{})
	err := s.ReadTx(ctx, func(tx store.Tx) error { _, err := tx.OnlineMandate(ctx, p.ID); return err })
	wantCode(t, err, apperr.NotFound)
	m := store.OnlineMandate{PlanID: p.ID, Provider: "stripe", CustomerID: c.ID, ProviderCustomer: "cus_S", PaymentMethod: "pm_1", SetupRef: "seti_1"}
	mustTx(t, s, func(tx store.Tx) error { return tx.SetOnlineMandate(ctx, &m) })
	m2 := store.OnlineMandate{PlanID: p.ID, Provider: "stripe", CustomerID: c.ID, ProviderCustomer: "cus_S", PaymentMethod: "pm_2", SetupRef: "seti_2",
		CreatedAt: Now.Add(time.Hour)}
	mustTx(t, s, func(tx store.Tx) error { return tx.SetOnlineMandate(ctx, &m2) })
	var got *store.OnlineMandate
	var list []store.OnlineMandate
	mustTx(t, s, func(tx store.Tx) (err error) {
		if got, err = tx.OnlineMandate(ctx, p.ID); err != nil {
			return err
		}
		list, err = tx.OnlineMandates(ctx)
		return err
	})
	want := store.OnlineMandate{PlanID: p.ID, Provider: "stripe", CustomerID: c.ID, ProviderCustomer: "cus_S", PaymentMethod: "pm_2", SetupRef: "seti_2",
		CreatedAt: Now, UpdatedAt: Now}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("OnlineMandate (-want +got):\n%s", diff)
	}
	if len(list) != 1 || list[0].PaymentMethod != "pm_2" {
		t.Errorf("OnlineMandates = %+v", list)
	}
}

// testOnlineEvents: an event is recorded once; the second delivery of
// the same id writes nothing.
func testOnlineEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	var first, second bool
	mustTx(t, s, func(tx store.Tx) (err error) {
		first, err = tx.InsertOnlineEvent(ctx, &store.OnlineEvent{Provider: "stripe", ID: "evt_1", Type: "payment_intent.succeeded", Outcome: "payment pay_1"})
		return err
	})
	mustTx(t, s, func(tx store.Tx) (err error) {
		second, err = tx.InsertOnlineEvent(ctx, &store.OnlineEvent{Provider: "stripe", ID: "evt_1", Type: "payment_intent.succeeded", Outcome: "again"})
		return err
	})
	if !first || second {
		t.Errorf("InsertOnlineEvent: %v then %v, want true then false", first, second)
	}
	var e *store.OnlineEvent
	mustTx(t, s, func(tx store.Tx) (err error) { e, err = tx.OnlineEvent(ctx, "stripe", "evt_1"); return err })
	if e.Outcome != "payment pay_1" || !e.ReceivedAt.Equal(Now) {
		t.Errorf("event %+v", e)
	}
	err := s.ReadTx(ctx, func(tx store.Tx) error { _, err := tx.OnlineEvent(ctx, "stripe", "evt_2"); return err })
	wantCode(t, err, apperr.NotFound)
}

// testOnlineDisputes: a dispute is stored with its links, its status
// follows the provider, and it lists by customer and by plan.
func testOnlineDisputes(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := addCustomer(t, s, newCustomer("OD-A"))
	p := addPlan(t, s, c, time.Time{})
	d := store.OnlineDispute{Provider: "stripe", ID: "dp_1", CustomerID: c.ID, PlanID: p.ID, PaymentIntentID: "pi_1", Amount: amt("80.00", USD),
		Reason: "fraudulent", Status: "needs_response"}
	mustTx(t, s, func(tx store.Tx) error { return tx.UpsertOnlineDispute(ctx, &d) })
	d2 := store.OnlineDispute{Provider: "stripe", ID: "dp_1", Amount: amt("80.00", USD), Reason: "fraudulent", Status: "lost"}
	mustTx(t, s, func(tx store.Tx) error { return tx.UpsertOnlineDispute(ctx, &d2) })
	var byCustomer, byPlan []store.OnlineDispute
	mustTx(t, s, func(tx store.Tx) (err error) {
		if byCustomer, err = tx.OnlineDisputes(ctx, c.ID, ""); err != nil {
			return err
		}
		byPlan, err = tx.OnlineDisputes(ctx, "", p.ID)
		return err
	})
	want := []store.OnlineDispute{{Provider: "stripe", ID: "dp_1", CustomerID: c.ID, PlanID: p.ID, PaymentIntentID: "pi_1", Amount: amt("80.00", USD),
		Reason: "fraudulent", Status: "lost", CreatedAt: Now, UpdatedAt: Now}}
	if diff := cmp.Diff(want, byCustomer, cmpAmount); diff != "" {
		t.Errorf("by customer (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, byPlan, cmpAmount); diff != "" {
		t.Errorf("by plan (-want +got):\n%s", diff)
	}
}
