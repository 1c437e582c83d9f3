package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"testing"

	"settle/internal/apperr"
	"settle/internal/csvin"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
)

// FuzzImport runs CSV imports of customers, invoices and payments (with
// any date format and column mapping, from a seekable file or a stream,
// for real or as a dry run) against one SQLite store per fuzzing process,
// which holds customers C-1 and C-2 and invoice I-1. Every import either
// succeeds, counting each row once (read = inserted + updated + unchanged)
// and adding exactly the rows it says it inserted, or fails with an
// Invalid error (never an internal one) whose row problems name a line
// in the file, and then writes nothing at all (table counts, audit log
// included, are unchanged). A dry run never writes either.
func FuzzImport(f *testing.F) {
	f.Add(uint8(0), "", "", []byte("external_ref,name,email\nF-1,Fuzz One,f1@example.com\n"))
	f.Add(uint8(1), "DD/MM/YYYY", "Client=customer_ref", []byte("number,Client,issue_date,due_date,currency,amount\r\nF-I1,C-1,01/06/2026,30/06/2026,USD,1234.50\r\n"))
	f.Add(uint8(2), "", "", []byte("customer_ref,received_on,currency,amount,invoice_number,reference\nC-1,2026-06-01,USD,10.00,I-1,R1\nC-1,2026-06-01,USD,10.00,I-1,R1\n"))
	f.Add(uint8(5), "", "", []byte("number,customer_ref,issue_date,due_date,currency,amount\nI-1,C-2,2026-01-01,2026-01-31,EUR,1\n"))
	f.Add(uint8(4), "", "", []byte("external_ref,name\nA\"B,x\n"))
	f.Add(uint8(2), "", "", []byte("customer_ref,received_on,currency,amount\nC-1,2026-06-01,USD,92233720368547758.07\nC-1,2026-06-01,USD,1\n"))

	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "settle.db"), testutil.Clock)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, ref := range []string{"C-1", "C-2"} {
		if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: ref, Name: "Customer " + ref}); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-1", CustomerID: "C-1", IssueDate: "2026-05-01", DueDate: "2026-05-31", Currency: "USD", Amount: "500.00"}); err != nil {
		f.Fatal(err)
	}
	kinds := []string{"customers", "invoices", "payments"}
	table := map[string]string{"customers": "customers", "invoices": "invoices", "payments": "payments"}

	f.Fuzz(func(t *testing.T, mode uint8, dateFormat, mapping string, data []byte) {
		kind := kinds[int(mode)%len(kinds)]
		dry := mode&0x10 != 0
		var r io.Reader = bytes.NewReader(data)
		if mode&0x20 != 0 {
			r = struct{ io.Reader }{r} // not seekable: hashed while read
		}
		m, err := csvin.ParseMapping(mapping)
		if err != nil {
			m = nil
		}
		before := counts(t, st)
		res, err := svc.Import(ctx, kind, r, service.ImportOptions{DateFormat: dateFormat, Mapping: m, DryRun: dry})
		after := counts(t, st)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.Invalid {
				t.Fatalf("import %s %q: error %v (%T) is not Invalid", kind, data, err, err)
			}
			lines := bytes.Count(data, []byte("\n")) + 1
			for _, fe := range e.Fields {
				if fe.Message == "" || (fe.Field == "" && (fe.Line < 1 || fe.Line > lines)) {
					t.Fatalf("import %s %q: problem %+v has no message or a line outside 1..%d", kind, data, fe, lines)
				}
			}
			if !maps.Equal(before, after) {
				t.Fatalf("import %s %q failed (%v) but wrote: counts %v → %v", kind, data, err, before, after)
			}
			return
		}
		if dry || res.AlreadyImported {
			if !maps.Equal(before, after) {
				t.Fatalf("import %s %q (dry run %t, already imported %t) wrote: counts %v → %v", kind, data, dry, res.AlreadyImported, before, after)
			}
			return
		}
		if res.Rows != res.Inserted+res.Updated+res.Unchanged {
			t.Fatalf("import %s %q: %d rows read, but %d inserted + %d updated + %d unchanged", kind, data, res.Rows, res.Inserted, res.Updated, res.Unchanged)
		}
		if got := after[table[kind]] - before[table[kind]]; got != int64(res.Inserted) {
			t.Fatalf("import %s %q: says %d inserted, %s grew by %d", kind, data, res.Inserted, table[kind], got)
		}
		if got := after["audit_log"] - before["audit_log"]; got < 1 {
			t.Fatalf("import %s %q succeeded without an audit entry", kind, data)
		}
	})
}

// counts returns the store's row counts per table.
func counts(t *testing.T, st store.Store) map[string]int64 {
	t.Helper()
	var c map[string]int64
	if err := st.ReadTx(context.Background(), func(tx store.Tx) error {
		var err error
		c, err = tx.Counts(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c["audit_log"]; !ok {
		t.Fatalf("counts %v have no audit_log", c)
	}
	delete(c, "sqlite_sequence")
	return c
}
