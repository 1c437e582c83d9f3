package csvin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"

	"settle/internal/apperr"
)

// formats are the import formats the fuzz targets pick from.
var formats = []Format{Customers, Invoices, Payments, BankStatement}

func columns(f Format) []string {
	return append(append([]string{}, f.Required...), f.Optional...)
}

// invalid returns err as an *apperr.Error with code Invalid, or fails.
func invalid(t *testing.T, err error) *apperr.Error {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Invalid {
		t.Fatalf("error %v (%T) is not an apperr Invalid error", err, err)
	}
	if len(e.Fields) == 0 {
		t.Fatalf("error %v lists no field", err)
	}
	for _, f := range e.Fields {
		if strings.TrimSpace(f.Message) == "" {
			t.Fatalf("error %v has a field error without a message: %+v", err, f)
		}
	}
	return e
}

// FuzzParseMapping: the --map parser either accepts a mapping whose every
// file column and settle column is non-empty and trimmed, with no file
// column twice (case-insensitively, as NewReader matches headers), and
// which prints back to the same mapping; or it fails with an Invalid error
// on the field "map" that quotes the offending part.
func FuzzParseMapping(f *testing.F) {
	for _, s := range []string{"", "invoiceNumber=number,Customer=customer_ref", " a = b ", "a=b,a=c", "a=b,A=c",
		"a", "=b", "a=", "a=b=c", ",", "a=b,", "\xff=number", "Client=customer_ref,client=number"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMapping(s)
		if err != nil {
			e := invalid(t, err)
			if e.Fields[0].Field != "map" {
				t.Fatalf("ParseMapping(%q): error %v names field %q, want map", s, err, e.Fields[0].Field)
			}
			if !strings.Contains(e.Fields[0].Message, `"`) {
				t.Fatalf("ParseMapping(%q): error %q does not quote the offending part", s, e.Fields[0].Message)
			}
			return
		}
		if strings.TrimSpace(s) == "" && len(m) != 0 {
			t.Fatalf("ParseMapping(%q) = %v, want empty", s, m)
		}
		lower := map[string]bool{}
		var pairs []string
		for from, to := range m {
			if from == "" || to == "" || from != strings.TrimSpace(from) || to != strings.TrimSpace(to) {
				t.Fatalf("ParseMapping(%q) = %q: empty or untrimmed entry %q=%q", s, m, from, to)
			}
			if lower[strings.ToLower(from)] {
				t.Fatalf("ParseMapping(%q) = %q: file column %q mapped twice (headers match case-insensitively)", s, m, from)
			}
			lower[strings.ToLower(from)] = true
			pairs = append(pairs, from+"="+to)
		}
		sort.Strings(pairs)
		again, err := ParseMapping(strings.Join(pairs, ","))
		if err != nil || len(again) != len(m) {
			t.Fatalf("ParseMapping(%q) = %q; printed back as %q it gives %q, %v", s, m, strings.Join(pairs, ","), again, err)
		}
		for k, v := range m {
			if again[k] != v {
				t.Fatalf("ParseMapping(%q) = %q; printed back it gives %q", s, m, again)
			}
		}
	})
}

// FuzzReader reads any bytes as any import format, with any mapping. It
// checks that the reader never panics nor loops; that a refused header
// is an Invalid error whose every problem is on line 1 and that a mapping
// onto an unknown settle column is named; that every bad row is reported
// with a line inside the file (and the column when one value is bad);
// that accepted rows come in file order; and that the accepted rows,
// written out again with encoding/csv under settle's column names, read
// back to the same values.
func FuzzReader(f *testing.F) {
	f.Add(uint8(0), "", []byte("external_ref,name\nA,Alpha\n"))
	f.Add(uint8(1), "Client=customer_ref", []byte("number,Client,issue_date,due_date,currency,amount\r\nI1,A,2026-01-01,2026-01-31,USD,5\r\n"))
	f.Add(uint8(2), "", []byte("\ufeffcustomer_ref,received_on,currency,amount\nA,2026-01-01,USD,\"1,000.00\"\n"))
	f.Add(uint8(3), "Booked=date", []byte("Booked,amount,currency,reference\n01/06/2026,100.00,USD,\"STL-7K3M\n9QXP\"\n"))
	f.Add(uint8(3), "x=nonsense", []byte("date,amount,currency\n"))
	f.Add(uint8(0), "", []byte("external_ref,name\nA\"B,\"C\n\"unterminated"))
	f.Add(uint8(0), "", []byte("external_ref,name,name\nA,B,C\n"))
	f.Add(uint8(1), "", []byte{})
	f.Add(uint8(0), "", []byte("external_ref,name\n\xff\xfe,\xc3\x28\n"))
	f.Fuzz(func(t *testing.T, kind uint8, mapping string, data []byte) {
		format := formats[int(kind)%len(formats)]
		m, err := ParseMapping(mapping)
		if err != nil {
			m = nil
		}
		rd, err := NewReader(bytes.NewReader(data), format, m)
		if err != nil {
			e := invalid(t, err)
			for _, fe := range e.Fields {
				if fe.Line != 1 {
					t.Fatalf("header error %+v is not on line 1", fe)
				}
			}
			for from, to := range m {
				if e.Message != "invalid "+format.Kind+" header" {
					break // no header to map (empty file, bad quoting)
				}
				if !format.known(strings.ToLower(to)) && !namesColumn(e, to) {
					t.Fatalf("mapping %s=%s onto an unknown column: error %v does not name %q", from, to, err, to)
				}
			}
			return
		}
		for _, to := range m {
			if !format.known(strings.ToLower(to)) {
				t.Fatalf("mapping onto unknown column %q accepted", to)
			}
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		cols := columns(format)
		var present []string
		for _, c := range cols {
			if rd.Has(c) {
				present = append(present, c)
			}
		}
		for _, c := range format.Required {
			if !rd.Has(c) {
				t.Fatalf("header accepted without required column %q", c)
			}
		}
		var rows [][]string
		last := 1
		for n := 0; ; n++ {
			if n > len(data)+1 {
				t.Fatalf("more records than bytes: the reader loops")
			}
			bad, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v (want a row problem or io.EOF)", err)
			}
			if bad != nil {
				if bad.Line < 2 || bad.Line > lines || bad.Message == "" {
					t.Fatalf("row problem %+v: line outside 2..%d or no message", bad, lines)
				}
				if strings.Contains(bad.Message, "UTF-8") && bad.Column == "" {
					t.Fatalf("row problem %+v does not name the column", bad)
				}
				continue
			}
			if rd.Line() <= last || rd.Line() > lines {
				t.Fatalf("row on line %d after line %d (file has %d lines)", rd.Line(), last, lines)
			}
			last = rd.Line()
			row := make([]string, len(present))
			for i, c := range present {
				row[i] = rd.Get(c)
			}
			rows = append(rows, row)
		}

		// Write the accepted rows out again and read them back.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write(present)
		for _, r := range rows {
			_ = w.Write(r)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		rd2, err := NewReader(bytes.NewReader(buf.Bytes()), format, nil)
		if err != nil {
			t.Fatalf("re-read header of %q: %v", buf.String(), err)
		}
		for i, want := range rows {
			bad, err := rd2.Next()
			if err != nil || bad != nil {
				t.Fatalf("re-read row %d of %q: %+v, %v", i+1, buf.String(), bad, err)
			}
			for j, c := range present {
				if got := rd2.Get(c); got != want[j] {
					t.Fatalf("re-read row %d column %s = %q, first read %q (file %q)", i+1, c, got, want[j], buf.String())
				}
			}
		}
		if bad, err := rd2.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("re-read: extra record %+v, %v", bad, err)
		}
	})
}

func namesColumn(e *apperr.Error, col string) bool {
	for _, fe := range e.Fields {
		if fe.Column == col || strings.Contains(fe.Message, col) {
			return true
		}
	}
	return false
}
