package demo

import (
	"testing"

	"settle/internal/assess"
	"settle/internal/ledger"
	"settle/internal/store"
)

// The risk scorecard was fitted on assess's synthetic book; the demo book
// comes from a different generator (payer archetypes: prompt, late,
// chronic, stopped, a slow key account), so it is data the model never
// saw. Score every customer on its history up to a cutoff and check the
// score ranks the customers whose next invoices were paid late (or not at
// all) above the others.
func TestRiskScore_OutOfSampleOnDemoBook(t *testing.T) {
	f := loaded(t, testAsOf, 1)
	svc, ctx := f.svc, f.ctx
	cutoff := testAsOf.AddDays(-(assess.LabelHorizonDays + assess.LabelLateDays))
	var scores []float64
	var late []bool
	err := svc.Store().Tx(ctx, func(tx store.Tx) error {
		list, _, err := tx.Customers(ctx, store.CustomerFilter{Page: store.Page{Limit: 500}})
		if err != nil {
			return err
		}
		for _, c := range list {
			invs, pays, err := tx.CustomerLedger(ctx, c.ID)
			if err != nil {
				return err
			}
			h := assess.History{Customer: c, Invoices: invs, Payments: pays, Allocations: ledger.Allocate(invs, pays).Allocations}
			l, ok := assess.NextInvoicesLate(h, cutoff, testAsOf)
			if !ok {
				continue
			}
			r := assess.ScoreRisk(assess.BuildProfile(h, cutoff))
			scores = append(scores, float64(r.Score))
			late = append(late, l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	auc := assess.AUC(scores, late)
	var pos int
	for _, l := range late {
		if l {
			pos++
		}
	}
	t.Logf("demo book: %d customers scored as of %s, %d paid their next invoices late; AUC %.3f", len(scores), cutoff, pos, auc)
	if len(scores) < 30 || pos == 0 || pos == len(scores) {
		t.Fatalf("too few customers or one class only: %d scored, %d late", len(scores), pos)
	}
	if auc < 0.75 {
		t.Errorf("out-of-sample AUC on the demo book %.3f < 0.75", auc)
	}
}
