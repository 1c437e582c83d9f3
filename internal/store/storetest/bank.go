package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/plan"
	"settle/internal/store"
)

func addBankPlan(t *testing.T, s store.Store, c ledger.Customer, inv ledger.Invoice, status string) plan.Plan {
	t.Helper()
	p := plan.Plan{CustomerID: c.ID, Version: 1, Status: status, Balance: inv.Amount, InvoiceIDs: []string{inv.ID},
		Methods: []string{"bank_transfer"}, Rules: plan.Rules{GraceDays: 5},
		Installments: []plan.Installment{{Seq: 1, DueDate: day("2026-08-01"), Amount: inv.Amount, Principal: inv.Amount, Interest: amt("0.00", inv.Amount.Currency())}}}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPlan(t.Context(), &p) })
	return p
}

// testPlanBankRefs: a plan takes a reference once; the first one stands;
// a reference is unique across plans; lookups both ways; plans made
// without one are listed for the backfill (proposed and active only).
func testPlanBankRefs(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("BR-A"))
	i1 := addInvoice(t, s, newInvoice(c, "BR-1", "2026-06-01", "2026-07-01", amt("300.00", USD)))
	i2 := addInvoice(t, s, newInvoice(c, "BR-2", "2026-06-01", "2026-07-01", amt("50.00", USD)))
	i3 := addInvoice(t, s, newInvoice(c, "BR-3", "2026-06-01", "2026-07-01", amt("70.00", USD)))
	p1 := addBankPlan(t, s, c, i1, plan.Active)
	p2 := addBankPlan(t, s, c, i2, plan.Proposed)
	p3 := addBankPlan(t, s, c, i3, plan.Cancelled)

	var without []string
	mustTx(t, s, func(tx store.Tx) (err error) { without, err = tx.PlansWithoutBankRef(t.Context(), 0); return err })
	if diff := cmp.Diff([]string{p1.ID, p2.ID}, without); diff != "" {
		t.Errorf("PlansWithoutBankRef (-want +got):\n%s", diff)
	}
	set := func(planID, ref string) (bool, error) {
		var ok bool
		err := s.Tx(t.Context(), func(tx store.Tx) (err error) { ok, err = tx.SetPlanBankRef(t.Context(), planID, ref); return err })
		return ok, err
	}
	if ok, err := set(p1.ID, "STL-2345678K"); !ok || err != nil {
		t.Fatalf("SetPlanBankRef first = %v, %v", ok, err)
	}
	if ok, err := set(p1.ID, "STL-AAAAAAAA"); ok || err != nil {
		t.Errorf("SetPlanBankRef again = %v, %v; want false, nil (the first stands)", ok, err)
	}
	_, err := set(p2.ID, "STL-2345678K")
	wantCode(t, err, apperr.Conflict)
	_, err = set("pln_missing", "STL-BBBBBBBB")
	wantCode(t, err, apperr.NotFound)
	if ok, err := set(p2.ID, "STL-CCCCCCCC"); !ok || err != nil {
		t.Fatalf("SetPlanBankRef p2 = %v, %v", ok, err)
	}

	var refs, byRef map[string]string
	mustTx(t, s, func(tx store.Tx) (err error) {
		if refs, err = tx.PlanBankRefs(t.Context(), []string{p1.ID, p2.ID, p3.ID, "pln_x"}); err != nil {
			return err
		}
		if byRef, err = tx.PlansByBankRef(t.Context(), []string{"STL-2345678K", "STL-CCCCCCCC", "STL-AAAAAAAA"}); err != nil {
			return err
		}
		without, err = tx.PlansWithoutBankRef(t.Context(), 10)
		return err
	})
	if diff := cmp.Diff(map[string]string{p1.ID: "STL-2345678K", p2.ID: "STL-CCCCCCCC"}, refs); diff != "" {
		t.Errorf("PlanBankRefs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"STL-2345678K": p1.ID, "STL-CCCCCCCC": p2.ID}, byRef); diff != "" {
		t.Errorf("PlansByBankRef (-want +got):\n%s", diff)
	}
	if len(without) != 0 {
		t.Errorf("PlansWithoutBankRef after the backfill = %v", without)
	}
	// The plan itself still loads (the new column is invisible to it).
	mustTx(t, s, func(tx store.Tx) error { _, err := tx.Plan(t.Context(), p1.ID); return err })
}

// testBankLines: a line round-trips every field; its dedupe key is
// unique; lists filter by status and page; an update applies only while
// the status is still the one read.
func testBankLines(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("BL-A"))
	inv := addInvoice(t, s, newInvoice(c, "BL-1", "2026-06-01", "2026-07-01", amt("80.00", EUR)))
	pay := addPayment(t, s, newPayment(c, "2026-06-20", amt("80.00", EUR)))
	p := addBankPlan(t, s, c, inv, plan.Active)

	lines := []store.BankLine{
		{ImportID: "imp_1", Line: 2, BookedOn: day("2026-06-20"), Amount: amt("80.00", EUR), Reference: "STL-2345678K",
			PayerName: "Müller GmbH", BankID: "TX-1", DedupeKey: "id:TX-1", Status: "matched", MatchedBy: "plan_reference",
			Reason: "by plan reference", CustomerID: c.ID, PlanID: p.ID, InvoiceID: inv.ID, PaymentID: pay.ID},
		{ImportID: "imp_1", Line: 3, BookedOn: day("2026-06-21"), Amount: amt("12.34", EUR), Reference: "??",
			DedupeKey: "h:abc#1", Status: "review", Reason: "nothing found"},
		{ImportID: "imp_1", Line: 4, BookedOn: day("2026-06-22"), Amount: amt("5.00", EUR), DedupeKey: "h:def#1", Status: "review"},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range lines {
			if err := tx.InsertBankLine(t.Context(), &lines[i]); err != nil {
				return err
			}
		}
		return nil
	})
	for _, l := range lines {
		if len(l.ID) < 5 || l.ID[:4] != "bnk_" {
			t.Fatalf("InsertBankLine assigned id %q", l.ID)
		}
	}
	dup := store.BankLine{ImportID: "imp_2", Line: 2, BookedOn: day("2026-06-20"), Amount: amt("80.00", EUR), DedupeKey: "id:TX-1", Status: "review"}
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertBankLine(t.Context(), &dup) })
	wantCode(t, err, apperr.Conflict)

	var got *store.BankLine
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.BankLine(t.Context(), lines[0].ID, true); return err })
	want := lines[0]
	want.CreatedAt, want.UpdatedAt = Now, Now
	if diff := cmp.Diff(&want, got, cmpAmount); diff != "" {
		t.Errorf("BankLine (-want +got):\n%s", diff)
	}
	mustTx(t, s, func(tx store.Tx) error { _, err = tx.BankLine(t.Context(), "bnk_missing", false); return nil })
	wantCode(t, err, apperr.NotFound)

	var keys map[string]bool
	mustTx(t, s, func(tx store.Tx) (err error) {
		keys, err = tx.BankLineKeys(t.Context(), []string{"id:TX-1", "h:def#1", "id:TX-9"})
		return err
	})
	if diff := cmp.Diff(map[string]bool{"id:TX-1": true, "h:def#1": true}, keys); diff != "" {
		t.Errorf("BankLineKeys (-want +got):\n%s", diff)
	}

	list := func(f store.BankLineFilter) ([]string, string) {
		t.Helper()
		var out []store.BankLine
		var next string
		mustTx(t, s, func(tx store.Tx) (err error) { out, next, err = tx.BankLines(t.Context(), f); return err })
		var got []string
		for _, l := range out {
			got = append(got, l.ID)
		}
		return got, next
	}
	review, next := list(store.BankLineFilter{Status: "review", Page: store.Page{Limit: 1}})
	rest, end := list(store.BankLineFilter{Status: "review", Page: store.Page{Limit: 1, Cursor: next}})
	if diff := cmp.Diff([]string{lines[1].ID, lines[2].ID}, append(review, rest...)); diff != "" || next == "" || end != "" {
		t.Errorf("review lines in pages of 1 (next %q, end %q) (-want +got):\n%s", next, end, diff)
	}
	all, _ := list(store.BankLineFilter{})
	if len(all) != 3 {
		t.Errorf("all lines: %v", all)
	}

	// Assign line 2 (review → assigned); a second resolver who read "review" is refused.
	l := lines[1]
	l.Status, l.MatchedBy, l.CustomerID, l.PaymentID, l.ResolvedBy, l.Reason = "assigned", "manual", c.ID, pay.ID, "usr_1", "assigned by hand"
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdateBankLine(t.Context(), &l, "review") })
	l2 := lines[1]
	l2.Status, l2.Reason = "ignored", "not ours"
	err = s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateBankLine(t.Context(), &l2, "review") })
	wantCode(t, err, apperr.Conflict)
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.BankLine(t.Context(), l.ID, false); return err })
	if got.Status != "assigned" || got.CustomerID != c.ID || got.PaymentID != pay.ID || got.ResolvedBy != "usr_1" || got.MatchedBy != "manual" || got.PlanID != "" {
		t.Errorf("after assign: %+v", got)
	}
	err = s.Tx(t.Context(), func(tx store.Tx) error {
		return tx.UpdateBankLine(t.Context(), &store.BankLine{ID: "bnk_missing", Status: "ignored"}, "review")
	})
	wantCode(t, err, apperr.NotFound)
	if review, _ := list(store.BankLineFilter{Status: "review"}); len(review) != 1 || review[0] != lines[2].ID {
		t.Errorf("review after assign: %v", review)
	}
}
