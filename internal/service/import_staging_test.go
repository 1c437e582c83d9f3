package service_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// counts is what a dry run must leave as it was: every table the store
// counts, the audit log and the imports record included.
func dryRun(t *testing.T, svc *service.Service, kind, csv string) (*service.ImportResult, error) {
	t.Helper()
	return svc.Import(testutil.Admin(context.Background()), kind, strings.NewReader(csv), service.ImportOptions{DryRun: true})
}

type tally struct{ rows, inserted, updated, unchanged int }

func tallyOf(r *service.ImportResult) tally { return tally{r.Rows, r.Inserted, r.Updated, r.Unchanged} }

// A dry run writes nothing — no rows, no import record, no audit entry —
// and reports exactly what the real import then does: for each kind, a
// file mixing new rows, changed rows and rows already stored.
func TestImport_DryRun(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			mustImport(t, svc, "customers", "external_ref,name\nC1,One\nC2,Two\n")
			mustImport(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\nI1,C1,2026-01-01,2026-01-31,USD,100.00\n")
			mustImport(t, svc, "payments", "customer_ref,received_on,currency,amount,reference\nC1,2026-02-01,USD,40.00,R1\n")

			for _, tc := range []struct {
				kind, csv string
				want      tally // worked out from the files by hand
			}{
				// C1 as stored; C2 renamed; C3 new.
				{"customers", "external_ref,name\nC1,One\nC2,Two Two\nC3,Three\n", tally{3, 1, 1, 1}},
				// I1 as stored; I2, I3 new.
				{"invoices", "number,customer_ref,issue_date,due_date,currency,amount\nI1,C1,2026-01-01,2026-01-31,USD,100.00\nI2,C2,2026-01-05,2026-02-05,USD,20.00\nI3,C3,2026-01-06,2026-02-06,USD,30.00\n", tally{3, 2, 0, 1}},
				// R1 stored already; R2 and an unreferenced payment new.
				{"payments", "customer_ref,received_on,currency,amount,reference\nC1,2026-02-01,USD,40.00,R1\nC2,2026-02-10,USD,20.00,R2\nC3,2026-02-11,USD,5.00,\n", tally{3, 2, 0, 1}},
			} {
				before := testutil.Counts(t, st)
				dry, err := dryRun(t, svc, tc.kind, tc.csv)
				if err != nil {
					t.Fatalf("%s dry run: %v", tc.kind, err)
				}
				if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
					t.Fatalf("%s: the dry run wrote (-before +after):\n%s", tc.kind, diff)
				}
				if got := tallyOf(dry); got != tc.want {
					t.Errorf("%s dry run: %+v, want %+v", tc.kind, got, tc.want)
				}
				real := mustImport(t, svc, tc.kind, tc.csv)
				if tallyOf(real) != tallyOf(dry) || real.AlreadyImported {
					t.Errorf("%s: the import did %+v, the dry run said %+v", tc.kind, tallyOf(real), tallyOf(dry))
				}
				after := testutil.Counts(t, st)
				if after[tc.kind] != before[tc.kind]+int64(tc.want.inserted) || after["imports"] != before["imports"]+1 || after["audit_log"] <= before["audit_log"] {
					t.Errorf("%s: counts %v → %v", tc.kind, before, after)
				}
				// The same file again: the dry run knows it was imported.
				again, err := dryRun(t, svc, tc.kind, tc.csv)
				if err != nil || !again.AlreadyImported || again.ID != real.ID {
					t.Errorf("%s: dry run of an imported file: %+v, %v", tc.kind, again, err)
				}
			}

			// A bad file: every error, the rows read, and nothing written.
			before := testutil.Counts(t, st)
			res, err := dryRun(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\nI9,C1,2026-01-01,2026-01-31,USD,1.00\nI10,C1,2026-01-01,2026-01-31,USD,abc\nI11,NOPE,2026-01-01,2026-01-31,USD,1.00\n")
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || len(e.Fields) != 2 || e.Fields[0].Line != 3 || e.Fields[0].Column != "amount" ||
				e.Fields[1].Line != 4 || e.Fields[1].Column != "customer_ref" {
				t.Fatalf("bad file: %v (%+v)", err, e)
			}
			if res == nil || res.Rows != 3 {
				t.Errorf("bad file: result %+v, want 3 rows read", res)
			}
			if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
				t.Errorf("the dry run of a bad file wrote (-before +after):\n%s", diff)
			}
		})
	}
}

func actingAs(id, role string) context.Context {
	return service.WithActor(context.Background(), service.Actor{ID: id, Role: role})
}

func TestStageImport(t *testing.T) {
	clk := &testClock{now: testutil.Clock()}
	st := testutil.SQLiteAt(t, clk.Now)
	svc := service.New(st, clk.Now)
	mustImport(t, svc, "customers", "external_ref,name\nC1,One\nC2,Two\n")
	ann, bob := actingAs("user:usr_ann", service.RoleAgent), actingAs("user:usr_bob", service.RoleAgent)

	file := []byte("Number,Client,issue_date,due_date,currency,amount,Notes\nS1,C1,01/03/2026,31/03/2026,USD,10.00,x\nS2,C2,02/03/2026,01/04/2026,EUR,20.5,y\n")
	opt := service.ImportOptions{Filename: "march.csv", DateFormat: "DD/MM/YYYY", Mapping: map[string]string{"Client": "customer_ref", "Number": "number"}}
	before := testutil.Counts(t, st)
	staged, err := svc.StageImport(ann, "invoices", file, opt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
		t.Errorf("staging wrote (-before +after):\n%s", diff)
	}
	p := staged.Preview
	if !p.OK() || p.Result.Rows != 2 || p.Result.Inserted != 2 || p.Result.ID != "" || !strings.HasPrefix(staged.ID, "stg_") || len(staged.ID) != 30 {
		t.Errorf("staged %s, preview %+v", staged.ID, p)
	}
	wantCols := []string{"number", "customer_ref", "issue_date", "due_date", "currency", "amount"}
	wantRows := []service.PreviewRow{
		{Line: 2, Values: []string{"S1", "C1", "01/03/2026", "31/03/2026", "USD", "10.00"}},
		{Line: 3, Values: []string{"S2", "C2", "02/03/2026", "01/04/2026", "EUR", "20.5"}},
	}
	if diff := cmp.Diff(wantCols, p.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantRows, p.Sample); diff != "" {
		t.Errorf("sample (-want +got):\n%s", diff)
	}
	if !cmp.Equal(p.Result.IgnoredColumns, []string{"Notes"}) {
		t.Errorf("ignored columns %v", p.Result.IgnoredColumns)
	}

	// Read back: the owner only.
	got, err := svc.StagedImport(ann, staged.ID)
	if err != nil || got.Preview.Result.Rows != 2 || got.Mapping["Client"] != "customer_ref" || got.Result != nil {
		t.Fatalf("StagedImport: %+v, %v", got, err)
	}
	for name, ctx := range map[string]context.Context{"another agent": bob, "an admin": actingAs("user:usr_ada", service.RoleAdmin)} {
		if _, err := svc.StagedImport(ctx, staged.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s sees the staged file: %v", name, err)
		}
		if _, _, err := svc.ConfirmStagedImport(ctx, staged.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s confirms the staged file: %v", name, err)
		}
	}
	if _, err := svc.StageImport(actingAs("user:usr_vic", service.RoleViewer), "invoices", file, opt); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a viewer staged a file: %v", err)
	}

	// Confirm: imported once, whatever the number of confirmations.
	done, again, err := svc.ConfirmStagedImport(ann, staged.ID)
	if err != nil || again || done.Result == nil || done.Result.Inserted != 2 || done.Result.Filename != "march.csv" {
		t.Fatalf("confirm: %+v, %v, %v", done, again, err)
	}
	inv, err := svc.Invoice(testutil.Admin(context.Background()), "S2")
	if err != nil || inv.Amount.String() != "20.50" || inv.DueDate.String() != "2026-04-01" {
		t.Errorf("imported S2: %+v, %v", inv, err)
	}
	after := testutil.Counts(t, st)
	second, again, err := svc.ConfirmStagedImport(ann, staged.ID)
	if err != nil || !again || second.Result.ID != done.Result.ID {
		t.Errorf("second confirmation: %+v, %v, %v", second, again, err)
	}
	if diff := cmp.Diff(after, testutil.Counts(t, st)); diff != "" {
		t.Errorf("the second confirmation wrote (-before +after):\n%s", diff)
	}
	recent, err := svc.RecentImports(actingAs("user:usr_vic", service.RoleViewer), 5)
	if err != nil || len(recent) != 2 || recent[0].ID != done.Result.ID || recent[0].Actor != "user:usr_ann" {
		t.Errorf("recent imports: %+v, %v", recent, err)
	}

	// A bad file is staged with its errors, and confirming it writes nothing.
	bad, err := svc.StageImport(ann, "invoices", []byte("number,customer_ref,issue_date,due_date,currency,amount\nB1,C1,2026-01-01,2026-01-31,USD,1.00\nB2,C1,2026-01-01,2026-01-31,USD,1.0.0\n"), service.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if bad.Preview.OK() || len(bad.Preview.Errors) != 1 || bad.Preview.Errors[0].Line != 3 || bad.Preview.Errors[0].Column != "amount" || bad.Preview.BadLines() != 1 {
		t.Errorf("bad preview %+v", bad.Preview)
	}
	before = testutil.Counts(t, st)
	if _, _, err := svc.ConfirmStagedImport(ann, bad.ID); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("confirming a bad file: %v", err)
	}
	if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
		t.Errorf("confirming a bad file wrote (-before +after):\n%s", diff)
	}

	// Options wrong whatever the file: field errors, nothing staged.
	for field, tc := range map[string]struct {
		kind string
		data []byte
		opt  service.ImportOptions
	}{
		"kind":        {"refunds", file, service.ImportOptions{}},
		"date_format": {"invoices", file, service.ImportOptions{DateFormat: "DD/MM/YYYYY"}},
		"mapping":     {"invoices", file, service.ImportOptions{Mapping: map[string]string{"Client": "client_ref"}}},
		"file":        {"invoices", bytes.Repeat([]byte("x"), service.MaxStagedImportBytes+1), service.ImportOptions{}},
	} {
		_, err := svc.StageImport(ann, tc.kind, tc.data, tc.opt)
		e, ok := apperr.As(err)
		if !ok || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}

	// Expiry: after an hour, gone; the next upload deletes it.
	clk.Advance(service.StagedImportLifetime)
	if _, err := svc.StagedImport(ann, bad.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("an expired file is still there: %v", err)
	}
	if _, _, err := svc.ConfirmStagedImport(ann, bad.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("an expired file can be confirmed: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := svc.StageImport(bob, "customers", []byte("external_ref,name\nC3,Three\n"), service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	err = st.Tx(context.Background(), func(tx store.Tx) error {
		_, err := tx.StagedUpload(context.Background(), bad.ID, false)
		return err
	})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the expired upload was not cleaned up: %v", err)
	}
}
