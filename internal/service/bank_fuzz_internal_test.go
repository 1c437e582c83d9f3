package service

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/csvin"
	"settle/internal/money"
)

// FuzzReadBankRows feeds any bytes, date format and column mapping to the
// bank statement parser. Refused statements are Invalid errors whose every
// problem names a line inside the file and (for a bad value) its column.
// Accepted rows are incoming transfers (amount > 0) with a valid date and
// a reference within the limit, each counted once (read = kept + skipped
// outgoing), with distinct idempotency keys; written back out as a plain
// ISO-dated statement they read back to the same rows and keys.
func FuzzReadBankRows(f *testing.F) {
	f.Add("", "", []byte("date,amount,currency,reference,payer_name,bank_id\n2026-06-01,100.00,USD,STL-2345678K,Pat,tx-1\n2026-06-02,-5.00,USD,,,tx-2\n"))
	f.Add("DD/MM/YYYY", "Booked=date,Text=reference", []byte("Booked,amount,currency,Text\r\n01/06/2026,\"1,000.00\",EUR,x\r\n29/02/2028,0.001,BHD,\"multi\nline\"\r\n"))
	f.Add("", "", []byte("date,amount,currency\n2026-06-01,1.00,USD\n2026-06-01,1.00,USD\n"))
	f.Add("", "", []byte("date,amount,currency,bank_id\n2026-06-01,1.00,USD,a\n2026-06-01,2.00,USD,a\n"))
	f.Fuzz(func(t *testing.T, dateFormat, mapping string, data []byte) {
		layout := civil.ISOLayout
		if dateFormat != "" {
			var err error
			if layout, err = civil.ParseLayout(dateFormat); err != nil {
				return
			}
		}
		m, err := csvin.ParseMapping(mapping)
		if err != nil {
			m = nil
		}
		res := &BankImportResult{}
		rows, err := readBankRows(data, layout, BankImportOptions{Mapping: m}, res)
		lines := bytes.Count(data, []byte("\n")) + 1
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.Invalid || len(e.Fields) == 0 || len(e.Fields) > MaxReportedErrors {
				t.Fatalf("error %v (%T): want an Invalid error listing 1..%d problems", err, err, MaxReportedErrors)
			}
			for _, fe := range e.Fields {
				if fe.Line < 1 || fe.Line > lines || fe.Message == "" {
					t.Fatalf("problem %+v: no message or line outside 1..%d", fe, lines)
				}
				if fe.Column == "" && fe.Line > 1 && !strings.HasPrefix(fe.Message, "malformed CSV") && !strings.Contains(fe.Message, "columns, the header has") {
					t.Fatalf("problem %+v about a value does not name its column", fe)
				}
			}
			return
		}
		if res.Rows != len(rows)+res.Skipped {
			t.Fatalf("read %d rows, kept %d, skipped %d", res.Rows, len(rows), res.Skipped)
		}
		keys := map[string]bool{}
		last := 1
		for _, r := range rows {
			if !r.date.IsValid() || !r.amount.IsPositive() || utf8.RuneCountInString(r.ref) > maxBankReference || r.key == "" || keys[r.key] {
				t.Fatalf("accepted row %+v: invalid date, amount not > 0, long reference or repeated key", r)
			}
			if _, err := money.ParseCurrency(string(r.amount.Currency())); err != nil {
				t.Fatalf("accepted row %+v: %v", r, err)
			}
			if r.line <= last || r.line > lines {
				t.Fatalf("row on line %d after line %d (file has %d lines)", r.line, last, lines)
			}
			last = r.line
			keys[r.key] = true
		}

		// Write the rows out as a plain statement and read it again.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"date", "amount", "currency", "reference", "payer_name", "bank_id"})
		for _, r := range rows {
			_ = w.Write([]string{r.date.String(), r.amount.String(), string(r.amount.Currency()), r.ref, r.payer, r.bankID})
		}
		w.Flush()
		again, err := readBankRows(buf.Bytes(), civil.ISOLayout, BankImportOptions{}, &BankImportResult{})
		if err != nil || len(again) != len(rows) {
			t.Fatalf("re-read of %q: %d rows, %v; want %d", buf.String(), len(again), err, len(rows))
		}
		for i := range rows {
			a, b := rows[i], again[i]
			if a.date != b.date || a.amount != b.amount || a.ref != b.ref || a.payer != b.payer || a.bankID != b.bankID || a.key != b.key {
				t.Fatalf("row %d read back as %+v, first read %+v", i+1, b, a)
			}
		}
	})
}
