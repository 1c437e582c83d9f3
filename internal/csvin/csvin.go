// Package csvin reads settle's CSV import formats (contract.md): a header
// row naming the columns, UTF-8, comma-separated, RFC 4180 quoting. It maps
// the file's column names onto settle's (so exports from accounting tools
// load without editing), checks the header, and hands out one record at a
// time with its line number — memory does not grow with the file.
package csvin

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"settle/internal/apperr"
)

// Format is one import kind's columns.
type Format struct {
	Kind     string
	Required []string
	Optional []string
}

// The formats of contract.md.
var (
	Customers = Format{Kind: "customers",
		Required: []string{"external_ref", "name"},
		Optional: []string{"email", "phone", "time_zone", "locale", "kind", "jurisdiction", "segment", "style", "payment_terms_days",
			"address_line1", "address_line2", "address_line3", "postal_code", "city", "region", "country", "owner"}}
	Invoices = Format{Kind: "invoices",
		Required: []string{"number", "customer_ref", "issue_date", "due_date", "currency", "amount"},
		Optional: []string{"disputed"}}
	Payments = Format{Kind: "payments",
		Required: []string{"customer_ref", "received_on", "currency", "amount"},
		Optional: []string{"method", "reference", "invoice_number", "kind"}}
)

// FormatOf returns the format of an import kind.
func FormatOf(kind string) (Format, error) {
	switch kind {
	case "customers":
		return Customers, nil
	case "invoices":
		return Invoices, nil
	case "payments":
		return Payments, nil
	}
	return Format{}, apperr.Field("kind", "%q must be customers, invoices or payments", kind)
}

func (f Format) known(col string) bool {
	for _, c := range f.Required {
		if c == col {
			return true
		}
	}
	for _, c := range f.Optional {
		if c == col {
			return true
		}
	}
	return false
}

// ParseMapping reads "fileColumn=settleColumn,…" (e.g.
// "invoiceNumber=number,Customer=customer_ref").
func ParseMapping(s string) (map[string]string, error) {
	m := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	// Headers match file columns case-insensitively (NewReader), so
	// "Client=…,client=…" maps one column twice.
	seen := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(pair, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return nil, apperr.Field("map", "%q must be fileColumn=settleColumn", pair)
		}
		if first, dup := seen[strings.ToLower(from)]; dup {
			if first == from {
				return nil, apperr.Field("map", "column %q is mapped twice", from)
			}
			return nil, apperr.Field("map", "column %q is mapped twice (as %q and %q: column names ignore case)", from, first, from)
		}
		seen[strings.ToLower(from)] = from
		m[from] = to
	}
	return m, nil
}

// Reader yields the records of one import file.
type Reader struct {
	format  Format
	csv     *csv.Reader
	index   map[string]int // settle column → position in the record
	width   int            // number of header columns
	Ignored []string       // file columns that settle does not use
	line    int
	rec     []string
}

// NewReader reads and checks the header. mapping renames file columns to
// settle's column names before the check; header names are matched
// case-insensitively after trimming spaces and a UTF-8 byte order mark.
func NewReader(r io.Reader, f Format, mapping map[string]string) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, to report every bad row instead of stopping
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "invalid " + f.Kind + " file",
			Fields: []apperr.FieldError{{Line: 1, Message: "the file is empty: a header row is required (" + strings.Join(f.Required, ",") + ")"}}}
	}
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "invalid " + f.Kind + " file",
			Fields: []apperr.FieldError{{Line: 1, Message: "cannot read the header: " + csvMessage(err)}}}
	}
	rd := &Reader{format: f, csv: cr, index: map[string]int{}, width: len(header)}
	lowerMap := map[string]string{}
	for from, to := range mapping {
		lowerMap[strings.ToLower(from)] = to
	}
	var fs []apperr.FieldError
	for i, h := range header {
		name := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if !utf8.ValidString(name) {
			fs = append(fs, apperr.FieldError{Line: 1, Column: fmt.Sprintf("#%d", i+1), Message: "header is not valid UTF-8"})
			continue
		}
		if to, ok := lowerMap[strings.ToLower(name)]; ok {
			name = to
		}
		col := strings.ToLower(name)
		if !f.known(col) {
			rd.Ignored = append(rd.Ignored, name)
			continue
		}
		if _, dup := rd.index[col]; dup {
			fs = append(fs, apperr.FieldError{Line: 1, Column: col, Message: "column appears twice in the header"})
			continue
		}
		rd.index[col] = i
	}
	for from, to := range mapping {
		if !f.known(strings.ToLower(to)) {
			fs = append(fs, apperr.FieldError{Line: 1, Column: to, Message: fmt.Sprintf("--map %s=%s: %q is not a %s column (%s)", from, to, to, f.Kind, strings.Join(append(append([]string{}, f.Required...), f.Optional...), ", "))})
		}
	}
	for _, req := range f.Required {
		if _, ok := rd.index[req]; !ok {
			fs = append(fs, apperr.FieldError{Line: 1, Column: req, Message: "required column is missing from the header"})
		}
	}
	if len(fs) > 0 {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Column < fs[j].Column })
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "invalid " + f.Kind + " header", Fields: fs}
	}
	return rd, nil
}

// Next advances to the next record. It returns io.EOF at the end; a
// *apperr.FieldError-like problem with the record itself (bad quoting,
// wrong column count, invalid UTF-8) comes back as a FieldError with the
// line, and reading can go on.
func (rd *Reader) Next() (*apperr.FieldError, error) {
	rec, err := rd.csv.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil {
		// Not FieldPos here: after a parse error the record may have no
		// field, and FieldPos(0) would panic.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rd.line = pe.StartLine
			return &apperr.FieldError{Line: pe.StartLine, Message: csvMessage(err)}, nil
		}
		return nil, err
	}
	line, _ := rd.csv.FieldPos(0)
	rd.line = line
	rd.rec = rec
	if len(rec) != rd.width {
		return &apperr.FieldError{Line: line, Message: fmt.Sprintf("has %d columns, the header has %d", len(rec), rd.width)}, nil
	}
	for col, i := range rd.index {
		if !utf8.ValidString(rec[i]) {
			return &apperr.FieldError{Line: line, Column: col, Message: "is not valid UTF-8"}, nil
		}
	}
	return nil, nil
}

// Line is the current record's first line (the header is line 1).
func (rd *Reader) Line() int { return rd.line }

// Get returns the current record's value of a settle column, trimmed;
// "" when the column is absent from the file.
func (rd *Reader) Get(col string) string {
	i, ok := rd.index[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(rd.rec[i])
}

// Has reports whether the file has the column.
func (rd *Reader) Has(col string) bool {
	_, ok := rd.index[col]
	return ok
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return err.Error()
}
