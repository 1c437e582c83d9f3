package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// sqlOf is the database under a store, for checks written in SQL
// independently of the store's own reads.
func sqlOf(t *testing.T, st store.Store) *sql.DB {
	t.Helper()
	h, ok := st.(interface{ SQL() *sql.DB })
	if !ok {
		t.Fatalf("store %T has no SQL handle", st)
	}
	return h.SQL()
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

// rebind turns ? placeholders into $n for PostgreSQL.
func rebind(st store.Store, q string) string {
	if st.Engine() != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// runAll starts n calls of fn at once (they wait on one gate) and returns
// their errors by index.
func runAll(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	return errs
}

// One hundred payments of 15.00 for one customer arrive at once, against
// ten invoices of 100.00 (1,000.00 owed). Worked by hand: 100 × 15.00 =
// 1,500.00 received, so every invoice is paid (balance 0), exactly
// 1,000.00 is allocated and 500.00 stays unapplied; each payment's
// allocations plus its unapplied rest is its 15.00; no invoice receives
// more than its 100.00. A lost update (two payments allocated against the
// same stale ledger) would show as more than 1,000.00 allocated or a
// payment whose parts do not add up.
func TestConcurrentPayments_OneCustomer(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			mustImport(t, svc, "customers", "external_ref,name\nP-1,Poplar Ltd\nP-2,Pine plc\n")
			var csv strings.Builder
			csv.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
			for i := 1; i <= 10; i++ {
				fmt.Fprintf(&csv, "PI-%02d,P-1,2026-03-%02d,2026-04-%02d,EUR,100.00\n", i, i, i)
			}
			csv.WriteString("QI-01,P-2,2026-03-01,2026-04-01,EUR,50.00\n")
			mustImport(t, svc, "invoices", csv.String())

			const n = 100
			errs := runAll(n, func(i int) error {
				ctx := service.WithActor(context.Background(), service.Actor{ID: fmt.Sprintf("agent-%d", i), Role: service.RoleAgent})
				_, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "P-1", ReceivedOn: "2026-05-20",
					Currency: "EUR", Amount: "15.00", Reference: fmt.Sprintf("transfer %d", i)})
				return err
			})
			for i, err := range errs {
				if err != nil {
					t.Errorf("payment %d: %v", i, err)
				}
			}
			db := sqlOf(t, st)
			cust := queryString(t, db, rebind(st, `SELECT id FROM customers WHERE external_ref = ?`), "P-1")
			if got := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM payments WHERE customer_id = ?`), cust); got != n {
				t.Fatalf("%d payments stored, want %d", got, n)
			}
			if got := queryInt(t, db, rebind(st, `SELECT SUM(amount_minor) FROM allocations WHERE customer_id = ?`), cust); got != 100000 {
				t.Errorf("allocated %d minor units, want 100000 (the ten invoices)", got)
			}
			if got := queryInt(t, db, rebind(st, `SELECT SUM(balance_minor) FROM invoices WHERE customer_id = ?`), cust); got != 0 {
				t.Errorf("invoices still owe %d, want 0", got)
			}
			if got := queryInt(t, db, rebind(st, `SELECT SUM(unapplied_minor) FROM payments WHERE customer_id = ?`), cust); got != 50000 {
				t.Errorf("unapplied %d, want 50000", got)
			}
			if got := queryInt(t, db, `SELECT COUNT(*) FROM (SELECT i.id FROM invoices i LEFT JOIN allocations a ON a.invoice_id = i.id
				GROUP BY i.id, i.amount_minor HAVING COALESCE(SUM(a.amount_minor), 0) > i.amount_minor) x`); got != 0 {
				t.Errorf("%d invoices received more than their amount", got)
			}
			if got := queryInt(t, db, `SELECT COUNT(*) FROM (SELECT p.id FROM payments p LEFT JOIN allocations a ON a.payment_id = p.id
				GROUP BY p.id, p.amount_minor, p.unapplied_minor HAVING COALESCE(SUM(a.amount_minor), 0) + p.unapplied_minor <> p.amount_minor) x`); got != 0 {
				t.Errorf("%d payments whose allocations and rest do not add up to their amount", got)
			}
			// The other customer is untouched.
			if got := queryInt(t, db, rebind(st, `SELECT balance_minor FROM invoices WHERE number = ?`), "QI-01"); got != 5000 {
				t.Errorf("P-2's invoice owes %d, want 5000", got)
			}
		})
	}
}

func queryString(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	var s string
	if err := db.QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// planBook is one customer with one 300.00 invoice and a proposed plan of
// 3 × 100.00 over it.
func planBook(t *testing.T, st store.Store) (*service.Service, *service.PlanView) {
	t.Helper()
	svc := service.New(st, testutil.Clock)
	mustImport(t, svc, "customers", "external_ref,name\nR-1,Rowan Ltd\n")
	mustImport(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\nR-INV,R-1,2026-03-01,2026-04-01,GBP,300.00\n")
	p, err := svc.CreatePlan(testutil.Admin(context.Background()), service.PlanInput{CustomerID: "R-1", InvoiceIDs: []string{"R-INV"},
		PlanTermsInput: service.PlanTermsInput{Installments: 3, Frequency: "monthly", StartDate: "2026-06-15"}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, p
}

func agentCtx(i int) context.Context {
	return service.WithActor(context.Background(), service.Actor{ID: fmt.Sprintf("agent-%d", i), Role: service.RoleAgent})
}

// winners checks that exactly one call succeeded and every other one is a
// Conflict (HTTP 409), and returns the winner's index.
func oneWinner(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("%s: calls %d and %d both succeeded", what, winner, i)
		case err == nil:
			winner = i
		case apperr.CodeOf(err) != apperr.Conflict:
			t.Errorf("%s: call %d: %v (code %s), want a conflict", what, i, err, apperr.CodeOf(err))
		}
	}
	if winner < 0 {
		t.Errorf("%s: no call succeeded", what)
	}
	return winner
}

// Twenty agents accept the same proposed plan at once (a double click
// times twenty): one acceptance, one plan_accepted event, one audit entry,
// and nineteen conflicts.
func TestConcurrentPlanAcceptance(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc, p := planBook(t, st)
			const n = 20
			errs := runAll(n, func(i int) error {
				_, err := svc.AcceptPlan(agentCtx(i), p.Plan.ID, service.AcceptInput{AcceptedBy: fmt.Sprintf("Rowan %d", i), Channel: "phone"})
				return err
			})
			w := oneWinner(t, "accept", errs)
			db := sqlOf(t, st)
			if got := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM plan_events WHERE plan_id = ? AND kind = 'plan_accepted'`), p.Plan.ID); got != 1 {
				t.Errorf("%d plan_accepted events, want 1", got)
			}
			if got := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM audit_log WHERE action = 'plan.accept' AND object_id = ?`), p.Plan.ID); got != 1 {
				t.Errorf("%d plan.accept audit entries, want 1", got)
			}
			if w >= 0 {
				if got := queryString(t, db, rebind(st, `SELECT accepted_by FROM plans WHERE id = ?`), p.Plan.ID); got != fmt.Sprintf("Rowan %d", w) {
					t.Errorf("accepted_by %q, want the winner's Rowan %d", got, w)
				}
			}
		})
	}
}

// Ten agents renegotiate the same active plan at once: exactly one new
// version supersedes it; the others get a conflict and leave nothing (no
// second proposed plan over the same invoice).
func TestConcurrentRenegotiation(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc, p := planBook(t, st)
			if _, err := svc.AcceptPlan(testutil.Admin(context.Background()), p.Plan.ID, service.AcceptInput{AcceptedBy: "Rowan", Channel: "phone"}); err != nil {
				t.Fatal(err)
			}
			const n = 10
			errs := runAll(n, func(i int) error {
				_, err := svc.RenegotiatePlan(agentCtx(i), p.Plan.ID, service.PlanTermsInput{Installments: 4 + i%3, Frequency: "monthly", StartDate: "2026-07-01"})
				return err
			})
			oneWinner(t, "renegotiate", errs)
			db := sqlOf(t, st)
			if got := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM plans WHERE customer_id = (SELECT customer_id FROM plans WHERE id = ?)`), p.Plan.ID); got != 2 {
				t.Errorf("%d plans, want 2 (the superseded one and one new version)", got)
			}
			if got := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM plans WHERE supersedes_id = ?`), p.Plan.ID); got != 1 {
				t.Errorf("%d plans supersede %s, want 1", got, p.Plan.ID)
			}
			if got := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM plan_events WHERE plan_id = ? AND kind = 'plan_superseded'`), p.Plan.ID); got != 1 {
				t.Errorf("%d plan_superseded events, want 1", got)
			}
		})
	}
}

// A cancellation and two renegotiations of the same active plan race:
// each ends the plan, so exactly one of them happens and the plan's final
// status is that one's; the others get a conflict.
func TestConcurrentCancelAndRenegotiate(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			for round := range 5 {
				st := open(t)
				svc, p := planBook(t, st)
				if _, err := svc.AcceptPlan(testutil.Admin(context.Background()), p.Plan.ID, service.AcceptInput{AcceptedBy: "Rowan", Channel: "phone"}); err != nil {
					t.Fatal(err)
				}
				errs := runAll(3, func(i int) error {
					var err error
					if i == 0 {
						_, err = svc.CancelPlan(agentCtx(i), p.Plan.ID, "customer changed their mind")
					} else {
						_, err = svc.RenegotiatePlan(agentCtx(i), p.Plan.ID, service.PlanTermsInput{Installments: 5 + i, Frequency: "monthly", StartDate: "2026-07-01"})
					}
					return err
				})
				w := oneWinner(t, fmt.Sprintf("round %d", round), errs)
				want := map[int]string{0: "cancelled", 1: "superseded", 2: "superseded"}[w]
				db := sqlOf(t, st)
				if got := queryString(t, db, rebind(st, `SELECT status FROM plans WHERE id = ?`), p.Plan.ID); w >= 0 && got != want {
					t.Errorf("round %d: plan is %s, want %s (call %d won)", round, got, want, w)
				}
				if got := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM plan_events WHERE plan_id = ? AND kind IN ('plan_cancelled', 'plan_superseded')`), p.Plan.ID); got != 1 {
					t.Errorf("round %d: %d ending events, want 1", round, got)
				}
			}
		})
	}
}

// An acceptance and a cancellation of the same proposed plan race. Either
// order is a valid history: accept then cancel (both succeed) or cancel
// then accept (the acceptance is refused: the plan is cancelled). Either
// way the plan ends cancelled; a lost update would leave it active after
// a cancellation that reported success.
func TestConcurrentAcceptAndCancel(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			for round := range 8 {
				st := open(t)
				svc, p := planBook(t, st)
				errs := runAll(2, func(i int) error {
					var err error
					if i == 0 {
						_, err = svc.AcceptPlan(agentCtx(i), p.Plan.ID, service.AcceptInput{AcceptedBy: "Rowan", Channel: "phone"})
					} else {
						_, err = svc.CancelPlan(agentCtx(i), p.Plan.ID, "sent in error")
					}
					return err
				})
				if errs[1] != nil {
					t.Fatalf("round %d: the cancellation failed: %v", round, errs[1])
				}
				if errs[0] != nil && apperr.CodeOf(errs[0]) != apperr.Conflict {
					t.Fatalf("round %d: acceptance: %v, want success or a conflict", round, errs[0])
				}
				db := sqlOf(t, st)
				if got := queryString(t, db, rebind(st, `SELECT status FROM plans WHERE id = ?`), p.Plan.ID); got != "cancelled" {
					t.Errorf("round %d: plan is %s after a successful cancellation (acceptance: %v)", round, got, errs[0])
				}
				accepted := queryInt(t, db, rebind(st, `SELECT COUNT(*) FROM plan_events WHERE plan_id = ? AND kind = 'plan_accepted'`), p.Plan.ID)
				if want := map[bool]int64{true: 1, false: 0}[errs[0] == nil]; accepted != want {
					t.Errorf("round %d: %d plan_accepted events, want %d (acceptance: %v)", round, accepted, want, errs[0])
				}
			}
		})
	}
}

// Eight agents propose a plan over the same invoice at once: one plan is
// proposed, the other seven are told the invoice is already in it.
func TestConcurrentPlanProposals(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			mustImport(t, svc, "customers", "external_ref,name\nR-1,Rowan Ltd\n")
			mustImport(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\nR-INV,R-1,2026-03-01,2026-04-01,GBP,300.00\n")
			errs := runAll(8, func(i int) error {
				_, err := svc.CreatePlan(agentCtx(i), service.PlanInput{CustomerID: "R-1", InvoiceIDs: []string{"R-INV"},
					PlanTermsInput: service.PlanTermsInput{Installments: 2 + i, Frequency: "monthly", StartDate: "2026-06-15"}})
				return err
			})
			oneWinner(t, "propose", errs)
			if got := queryInt(t, sqlOf(t, st), `SELECT COUNT(*) FROM plans`); got != 1 {
				t.Errorf("%d plans, want 1", got)
			}
		})
	}
}

// Four imports of overlapping invoice files run at once: every invoice is
// stored once, and the imports' inserted counts add up to the distinct
// invoices (no row counted twice, none lost).
func TestConcurrentImports(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			mustImport(t, svc, "customers", "external_ref,name\nM-1,Maple Ltd\nM-2,Moss plc\n")
			// File k holds invoices 50k+1 … 50k+100: neighbours overlap by 50;
			// 250 distinct invoices in all.
			file := func(k int) string {
				var b strings.Builder
				b.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
				for i := 50*k + 1; i <= 50*k+100; i++ {
					fmt.Fprintf(&b, "M-%04d,M-%d,2026-03-01,2026-04-01,USD,%d.00\n", i, i%2+1, 10+i)
				}
				return b.String()
			}
			results := make([]*service.ImportResult, 4)
			errs := runAll(4, func(k int) error {
				var err error
				results[k], err = svc.Import(testutil.Admin(context.Background()), "invoices", strings.NewReader(file(k)), service.ImportOptions{})
				return err
			})
			inserted := 0
			for k, err := range errs {
				if err != nil {
					t.Fatalf("import %d: %v", k, err)
				}
				inserted += results[k].Inserted
			}
			if inserted != 250 {
				t.Errorf("the imports inserted %d invoices between them, want 250", inserted)
			}
			db := sqlOf(t, st)
			if got := queryInt(t, db, `SELECT COUNT(*) FROM invoices`); got != 250 {
				t.Errorf("%d invoices stored, want 250", got)
			}
			// Σ (10 + i) for i = 1 … 250 = 2,500 + 250·251/2 = 33,875.00.
			if got := queryInt(t, db, `SELECT SUM(amount_minor) FROM invoices`); got != 3387500 {
				t.Errorf("invoices total %d, want 3387500", got)
			}
		})
	}
}
