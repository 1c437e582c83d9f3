package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/csvin"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// MaxReportedErrors caps the rows an import error lists; the rest are counted.
const MaxReportedErrors = 1000

// importBatch rows are written per store call.
const importBatch = 5000

// ImportOptions tune how a file is read.
type ImportOptions struct {
	Filename   string
	DateFormat string            // e.g. DD/MM/YYYY; default YYYY-MM-DD
	Mapping    map[string]string // file column → settle column
	// Progress, if set, is called with the number of rows read so far,
	// every 10,000 rows.
	Progress func(rows int)
	// DryRun checks the file exactly as an import would — every row, what
	// it would insert, update or leave unchanged, whether the file was
	// imported already — inside the transaction, then rolls it back:
	// nothing is written (not the rows, not the import record, not the
	// audit log). When rows are bad, the result (rows read so far, counts
	// of the good rows) comes back alongside the error.
	DryRun bool
}

// ImportResult says what an import did.
type ImportResult struct {
	ID              string    `json:"id"`
	Kind            string    `json:"kind"`
	Filename        string    `json:"filename,omitempty"`
	Rows            int       `json:"rows"`
	Inserted        int       `json:"inserted"`
	Updated         int       `json:"updated"`
	Unchanged       int       `json:"unchanged"`
	IgnoredColumns  []string  `json:"ignored_columns,omitempty"`
	AlreadyImported bool      `json:"already_imported" doc:"The same file was imported before: nothing changed"`
	CreatedAt       time.Time `json:"created_at"`
}

// Summary is one line for people.
func (r *ImportResult) Summary() string {
	if r.AlreadyImported {
		return fmt.Sprintf("%s: this file was already imported as %s on %s; nothing changed",
			r.Kind, r.ID, r.CreatedAt.Format(time.RFC3339))
	}
	return fmt.Sprintf("%s: %d rows read, %d inserted, %d updated, %d unchanged (import %s)",
		r.Kind, r.Rows, r.Inserted, r.Updated, r.Unchanged, r.ID)
}

// Import loads a CSV file of customers, invoices or payments: every row or
// none. Every bad row is reported with its line, column and reason (the
// first MaxReportedErrors of them). Importing the same file again changes
// nothing and says so; rows that match what is stored count as unchanged.
// Memory stays flat: rows are validated and written in batches inside one
// transaction, and checks that need the whole file (duplicates, unknown
// references) are answered by the database.
func (s *Service) Import(ctx context.Context, kind string, r io.Reader, opt ImportOptions) (*ImportResult, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	format, err := csvin.FormatOf(kind)
	if err != nil {
		return nil, err
	}
	layout := civil.ISOLayout
	if opt.DateFormat != "" {
		if layout, err = civil.ParseLayout(opt.DateFormat); err != nil {
			return nil, apperr.Field("date_format", "%s", err)
		}
	}
	// A seekable file is hashed first, so a repeated import stops at once.
	var sum string
	var hasher hash.Hash
	if rs, ok := r.(io.ReadSeeker); ok {
		h := sha256.New()
		if _, err := io.Copy(h, rs); err != nil {
			return nil, fmt.Errorf("import %s: read: %w", kind, err)
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("import %s: rewind: %w", kind, err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
	} else {
		hasher = sha256.New()
		r = io.TeeReader(r, hasher)
	}

	res := &ImportResult{ID: ids.New(ids.Import), Kind: kind, Filename: opt.Filename}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if sum != "" {
			if prior, err := tx.ImportByHash(ctx, kind, sum); err != nil || prior != nil {
				if prior != nil {
					*res = *alreadyImported(prior)
				}
				return err
			}
		}
		rd, err := csvin.NewReader(r, format, opt.Mapping)
		if err != nil {
			return err
		}
		res.IgnoredColumns = rd.Ignored
		im := &importer{tx: tx, rd: rd, layout: layout, res: res, opt: opt, touched: map[string]bool{},
			lastLine: map[customerCurrency]int{}, fault: s.fault}
		switch kind {
		case "customers":
			err = im.customers(ctx)
		case "invoices":
			err = im.invoices(ctx)
		case "payments":
			err = im.payments(ctx)
		}
		if err != nil {
			return err
		}
		if err := im.failure(); err != nil {
			return err
		}
		if hasher != nil {
			// Drain what the CSV reader left (nothing, normally) so the hash covers the file.
			if _, err := io.Copy(io.Discard, r); err != nil {
				return err
			}
			sum = hex.EncodeToString(hasher.Sum(nil))
			if prior, err := tx.ImportByHash(ctx, kind, sum); err != nil || prior != nil {
				if prior != nil {
					*res = *alreadyImported(prior)
					return errAlreadyImported // roll back what this pass wrote
				}
				return err
			}
		}
		if err := im.reallocate(ctx, kind); err != nil {
			return err
		}
		if err := im.checkBalances(ctx); err != nil {
			return err
		}
		rec := &store.Import{ID: res.ID, Kind: kind, SHA256: sum, Filename: opt.Filename, Rows: res.Rows,
			Inserted: res.Inserted, Updated: res.Updated, Unchanged: res.Unchanged, Actor: ActorFrom(ctx).ID}
		if err := tx.InsertImport(ctx, rec); err != nil {
			return err
		}
		res.CreatedAt = rec.CreatedAt
		if err := audit(ctx, tx, "import."+kind, "import", res.ID, map[string]any{
			"filename": opt.Filename, "sha256": sum, "rows": res.Rows, "inserted": res.Inserted,
			"updated": res.Updated, "unchanged": res.Unchanged,
		}); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun // everything checked: roll it all back
		}
		return nil
	})
	if errors.Is(err, errAlreadyImported) || (opt.DryRun && errors.Is(err, errDryRun)) {
		return res, nil
	}
	if err != nil {
		if opt.DryRun && apperr.CodeOf(err) == apperr.Invalid {
			return res, err
		}
		return nil, err
	}
	if opt.DryRun {
		return res, nil // nothing to write: the file was imported before
	}
	if res.Inserted+res.Updated >= BulkAnalyze {
		// A bulk load leaves the planner's statistics behind: without
		// them PostgreSQL scans whole tables for a batch's customers.
		if err := s.store.Analyze(ctx, "customers", "invoices", "payments", "allocations"); err != nil {
			return nil, fmt.Errorf("import %s: analyze: %w", kind, err)
		}
	}
	return res, nil
}

// BulkAnalyze is how many rows an import or a run writes before it
// refreshes the planner's statistics (store.Store.Analyze).
const BulkAnalyze = 10000

var (
	errAlreadyImported = errors.New("already imported")
	errDryRun          = errors.New("dry run")
)

func alreadyImported(prior *store.Import) *ImportResult {
	return &ImportResult{ID: prior.ID, Kind: prior.Kind, Filename: prior.Filename, Rows: prior.Rows,
		Unchanged: prior.Rows, AlreadyImported: true, CreatedAt: prior.CreatedAt}
}

// importer holds one import's state.
type importer struct {
	tx      store.Tx
	rd      *csvin.Reader
	layout  civil.Layout
	res     *ImportResult
	opt     ImportOptions
	errs    []apperr.FieldError
	omitted int
	badRows map[int]bool
	touched map[string]bool // customer ids the import changed
	// lastLine is, for each customer and currency the import invoiced, the
	// last line that did (where a balance beyond the limit is reported).
	lastLine map[customerCurrency]int
	// conflicts are number clashes found by the invoice writer goroutine,
	// merged into errs when it is done.
	conflicts []apperr.FieldError
	fault     func(point, detail string) // Service.fault
}

func (im *importer) fail(line int, column, format string, args ...any) {
	if im.badRows == nil {
		im.badRows = map[int]bool{}
	}
	im.badRows[line] = true
	if len(im.errs) >= MaxReportedErrors {
		im.omitted++
		return
	}
	im.errs = append(im.errs, apperr.FieldError{Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

func (im *importer) failFields(line int, fs apperr.Fields, rename map[string]string) {
	for _, f := range fs {
		col := f.Field
		if r, ok := rename[col]; ok {
			col = r
		}
		im.fail(line, col, "%s", f.Message)
	}
}

// failure is the import's error, if any row was bad.
func (im *importer) failure() error {
	if len(im.errs) == 0 {
		return nil
	}
	sort.SliceStable(im.errs, func(i, j int) bool { return im.errs[i].Line < im.errs[j].Line })
	name := im.res.Kind + " file"
	if im.opt.Filename != "" {
		name = im.opt.Filename
	}
	return &apperr.Error{Code: apperr.Invalid,
		Message: fmt.Sprintf("%s: %d of %d rows have errors; nothing was imported", name, len(im.badRows), im.res.Rows),
		Fields:  im.errs, Omitted: im.omitted}
}

// next reads the next record; ok is false at the end of the file.
func (im *importer) next() (ok bool, line int, err error) {
	for {
		bad, err := im.rd.Next()
		if errors.Is(err, io.EOF) {
			return false, 0, nil
		}
		if err != nil {
			return false, 0, err
		}
		im.res.Rows++
		if im.opt.Progress != nil && im.res.Rows%10000 == 0 {
			im.opt.Progress(im.res.Rows)
		}
		if bad != nil {
			im.fail(bad.Line, bad.Column, "%s", bad.Message)
			continue
		}
		return true, im.rd.Line(), nil
	}
}

func (im *importer) date(line int, col string, required bool) civil.Date {
	v := im.rd.Get(col)
	if v == "" {
		if required {
			im.fail(line, col, "is required")
		}
		return civil.Date{}
	}
	d, err := im.layout.Parse(v)
	if err != nil {
		if errors.Is(err, civil.ErrOutOfRange) {
			im.fail(line, col, "%s", err)
		} else {
			im.fail(line, col, "%q is not a date in the format %s", v, im.layout)
		}
	}
	return d
}

func (im *importer) money(line int) (money.Amount, bool) {
	cur, err := money.ParseCurrency(im.rd.Get("currency"))
	if err != nil {
		if im.rd.Get("currency") == "" {
			im.fail(line, "currency", "is required")
		} else {
			im.fail(line, "currency", "%s", err)
		}
		return money.Amount{}, false
	}
	v := im.rd.Get("amount")
	if v == "" {
		im.fail(line, "amount", "is required")
		return money.Amount{}, false
	}
	a, err := money.Parse(v, cur)
	if err != nil {
		im.fail(line, "amount", "%s", err)
		return money.Amount{}, false
	}
	if !a.IsPositive() {
		im.fail(line, "amount", "%s must be greater than zero", v)
		return money.Amount{}, false
	}
	return a, true
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "false", "no", "n", "0":
		return false, true
	case "true", "yes", "y", "1":
		return true, true
	}
	return false, false
}

// invoiceBatch is a run of valid rows and their line numbers.
type invoiceBatch struct {
	rows  []ledger.Invoice
	lines []int
}

// invoices reads, checks and writes invoice rows. Reading and checking
// (this goroutine) overlap with writing (a second one, the only user of
// the transaction while rows are read): on two cores that hides the CSV
// work behind the database's. The writer records what it finds in
// im.conflicts, never in im.errs, so the two share no state.
func (im *importer) invoices(ctx context.Context) error {
	refs, err := im.tx.CustomerIDsByRef(ctx)
	if err != nil {
		return err
	}
	batches := make(chan invoiceBatch, 1)
	written := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err == nil {
				err = im.insertInvoices(ctx, b.rows, b.lines)
			}
			if err == nil {
				im.fault(FaultImportBatch, strconv.Itoa(im.res.Inserted))
			}
		}
		written <- err
	}()
	readErr := im.readInvoices(refs, batches)
	close(batches)
	if err := <-written; err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	for _, c := range im.conflicts {
		im.fail(c.Line, c.Column, "%s", c.Message)
	}
	return nil
}

// readInvoices parses and checks every row, sending valid ones in batches.
func (im *importer) readInvoices(refs map[string]string, batches chan<- invoiceBatch) error {
	b := invoiceBatch{rows: make([]ledger.Invoice, 0, importBatch), lines: make([]int, 0, importBatch)}
	for {
		ok, line, err := im.next()
		if err != nil || !ok {
			if err == nil && len(b.rows) > 0 {
				batches <- b
			}
			return err
		}
		before := len(im.errs) + im.omitted
		inv := ledger.Invoice{Number: im.rd.Get("number"), ImportID: im.res.ID}
		if ref := im.rd.Get("customer_ref"); ref == "" {
			im.fail(line, "customer_ref", "is required")
		} else if id, found := refs[ref]; !found {
			im.fail(line, "customer_ref", "unknown customer %q (import customers first)", ref)
		} else {
			inv.CustomerID = id
		}
		inv.IssueDate = im.date(line, "issue_date", true)
		inv.DueDate = im.date(line, "due_date", true)
		amount, amountOK := im.money(line)
		inv.Amount = amount
		if v := im.rd.Get("disputed"); v != "" {
			flag, ok := parseBool(v)
			if !ok {
				im.fail(line, "disputed", "%q must be true or false", v)
			}
			inv.Disputed = flag
		}
		if len(im.errs)+im.omitted > before {
			continue
		}
		var fs apperr.Fields
		inv.ValidateFields(&fs)
		if !amountOK || len(fs) > 0 {
			im.failFields(line, fs, map[string]string{"customer_id": "customer_ref"})
			continue
		}
		b.rows = append(b.rows, inv)
		b.lines = append(b.lines, line)
		if len(b.rows) == importBatch {
			batches <- b // the writer owns it now: start a new one
			b = invoiceBatch{rows: make([]ledger.Invoice, 0, importBatch), lines: make([]int, 0, importBatch)}
		}
	}
}

// insertInvoices writes a batch (even after errors elsewhere, so that
// duplicates across the whole file are still found; the transaction is
// rolled back in that case) and sorts out rows whose number exists. It
// runs in the writer goroutine.
func (im *importer) insertInvoices(ctx context.Context, batch []ledger.Invoice, lines []int) error {
	conflicts, err := im.tx.InsertInvoices(ctx, batch)
	if err != nil {
		return err
	}
	im.res.Inserted += len(batch) - len(conflicts)
	for i := range batch {
		im.touched[batch[i].CustomerID] = true
		im.lastLine[customerCurrency{batch[i].CustomerID, batch[i].Amount.Currency()}] = lines[i]
	}
	if len(conflicts) == 0 {
		return nil
	}
	numbers := make([]string, len(conflicts))
	for k, i := range conflicts {
		numbers[k] = batch[i].Number
	}
	stored, err := im.tx.InvoicesByNumber(ctx, numbers)
	if err != nil {
		return err
	}
	for _, i := range conflicts {
		row, line := batch[i], lines[i]
		old := stored[row.Number]
		switch {
		case old.ImportID == im.res.ID:
			im.conflict(line, "invoice number %q appears more than once in this file", row.Number)
		case old.CustomerID == row.CustomerID && old.IssueDate == row.IssueDate && old.DueDate == row.DueDate &&
			old.Amount == row.Amount && old.Disputed == row.Disputed:
			im.res.Unchanged++
		default:
			im.conflict(line, "invoice %q already exists with different data (%s)", row.Number, invoiceDiff(old, row))
		}
	}
	return nil
}

// conflict records a row whose number clashes (writer goroutine only).
func (im *importer) conflict(line int, format string, args ...any) {
	im.conflicts = append(im.conflicts, apperr.FieldError{Line: line, Column: "number", Message: fmt.Sprintf(format, args...)})
}

func invoiceDiff(old, row ledger.Invoice) string {
	var d []string
	if old.CustomerID != row.CustomerID {
		d = append(d, "another customer")
	}
	if old.IssueDate != row.IssueDate {
		d = append(d, fmt.Sprintf("issue_date %s, file %s", old.IssueDate, row.IssueDate))
	}
	if old.DueDate != row.DueDate {
		d = append(d, fmt.Sprintf("due_date %s, file %s", old.DueDate, row.DueDate))
	}
	if old.Amount != row.Amount {
		d = append(d, fmt.Sprintf("amount %s %s, file %s %s", old.Amount, old.Amount.Currency(), row.Amount, row.Amount.Currency()))
	}
	if old.Disputed != row.Disputed {
		d = append(d, fmt.Sprintf("disputed %t, file %t", old.Disputed, row.Disputed))
	}
	return "stored " + strings.Join(d, "; ")
}

func (im *importer) customers(ctx context.Context) error {
	for {
		ok, line, err := im.next()
		if err != nil || !ok {
			return err
		}
		in := ledger.Customer{ExternalRef: im.rd.Get("external_ref"), ImportID: im.res.ID}
		if in.ExternalRef == "" {
			im.fail(line, "external_ref", "is required")
			continue
		}
		old, err := im.tx.Customer(ctx, in.ExternalRef)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		if old != nil && old.ImportID == im.res.ID {
			im.fail(line, "external_ref", "customer %q appears more than once in this file", in.ExternalRef)
			continue
		}
		c := &in
		if old != nil {
			c = old
		} else {
			c.PaymentTermsDays = ledger.DefaultPaymentTermsDays
		}
		before := *c
		// Columns absent from the file leave stored values as they are.
		for col, dst := range map[string]*string{"name": &c.Name, "email": &c.Email, "phone": &c.Phone,
			"time_zone": &c.TimeZone, "locale": &c.Locale, "kind": &c.Kind, "jurisdiction": &c.Jurisdiction,
			"segment": &c.Segment, "style": &c.Style} {
			if im.rd.Has(col) && (im.rd.Get(col) != "" || old == nil || col == "email" || col == "phone") {
				*dst = im.rd.Get(col)
			}
		}
		if v := im.rd.Get("payment_terms_days"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				im.fail(line, "payment_terms_days", "%q is not a whole number of days", v)
				continue
			}
			c.PaymentTermsDays = n
		}
		rename := im.customerAddress(c)
		if im.rd.Has("owner") {
			c.Owner = im.rd.Get("owner")
		}
		c.Normalize()
		var fs apperr.Fields
		c.ValidateFields(&fs)
		if err := resolveOwner(ctx, im.tx, c, &fs); err != nil {
			return err
		}
		if len(fs) > 0 {
			im.failFields(line, fs, rename)
			continue
		}
		switch {
		case old == nil:
			if err := im.tx.InsertCustomer(ctx, c); err != nil {
				return err
			}
			im.res.Inserted++
		case c.Equal(before):
			im.res.Unchanged++
		default:
			if err := im.tx.UpdateCustomer(ctx, c); err != nil {
				return err
			}
			im.res.Updated++
		}
	}
}

// addressColumns names the CSV column of each address field (the street
// lines are added per row: empty lines close up, so lines[1] may come
// from address_line3).
var addressColumns = map[string]string{
	"address.lines":       "address_line1",
	"address.postal_code": "postal_code",
	"address.city":        "city",
	"address.region":      "region",
	"address.country":     "country",
}

// customerAddress sets c's address from the row's address columns and
// returns the field → column names for its errors. When the file has any
// of the columns, they give the whole address (a column left out or empty
// clears that part): an address is one thing, and half of an old one
// mixed with half of a new one would post letters nowhere. A file with
// none of them leaves the address alone.
func (im *importer) customerAddress(c *ledger.Customer) map[string]string {
	lineCols := []string{"address_line1", "address_line2", "address_line3"}
	has := false
	for _, col := range append(lineCols, "postal_code", "city", "region", "country") {
		has = has || im.rd.Has(col)
	}
	if !has {
		return addressColumns
	}
	rename := maps.Clone(addressColumns)
	var lines []string
	for _, col := range lineCols {
		if v := strings.TrimSpace(im.rd.Get(col)); v != "" {
			rename[fmt.Sprintf("address.lines[%d]", len(lines))] = col
			lines = append(lines, v)
		}
	}
	c.Address = ledger.Address{Lines: lines, PostalCode: im.rd.Get("postal_code"), City: im.rd.Get("city"),
		Region: im.rd.Get("region"), Country: im.rd.Get("country")}
	return rename
}

func (im *importer) payments(ctx context.Context) error {
	refs, err := im.tx.CustomerIDsByRef(ctx)
	if err != nil {
		return err
	}
	// Rows with a reference are matched against stored payments and against
	// earlier rows of this file (the same payment listed twice).
	seen := map[string]int{}
	batch := make([]ledger.Payment, 0, importBatch)
	flush := func() error {
		if err := im.tx.InsertPayments(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	for {
		ok, line, err := im.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		before := len(im.errs) + im.omitted
		p := ledger.Payment{Kind: strings.ToLower(im.rd.Get("kind")), Method: im.rd.Get("method"),
			Reference: im.rd.Get("reference"), ImportID: im.res.ID}
		p.Normalize()
		if ref := im.rd.Get("customer_ref"); ref == "" {
			im.fail(line, "customer_ref", "is required")
		} else if id, found := refs[ref]; !found {
			im.fail(line, "customer_ref", "unknown customer %q (import customers first)", ref)
		} else {
			p.CustomerID = id
		}
		p.ReceivedOn = im.date(line, "received_on", true)
		if err := checkNotFuture(p.ReceivedOn, im.tx.Now()); err != nil {
			im.fail(line, "received_on", "%s", err)
		}
		amount, amountOK := im.money(line)
		p.Amount = amount
		if n := im.rd.Get("invoice_number"); n != "" && amountOK && p.CustomerID != "" {
			inv, err := im.tx.Invoice(ctx, n)
			switch {
			case apperr.CodeOf(err) == apperr.NotFound:
				im.fail(line, "invoice_number", "unknown invoice %q", n)
			case err != nil:
				return err
			case inv.CustomerID != p.CustomerID:
				im.fail(line, "invoice_number", "invoice %q belongs to another customer", n)
			case inv.Amount.Currency() != p.Amount.Currency():
				im.fail(line, "currency", "%s does not match invoice %q's currency %s", p.Amount.Currency(), n, inv.Amount.Currency())
			default:
				p.InvoiceID = inv.ID
			}
		}
		if len(im.errs)+im.omitted > before || !amountOK {
			continue
		}
		var fs apperr.Fields
		p.ValidateFields(&fs)
		if len(fs) > 0 {
			im.failFields(line, fs, map[string]string{"customer_id": "customer_ref", "received_on": "received_on"})
			continue
		}
		if p.Reference != "" {
			key := strings.Join([]string{p.CustomerID, p.ReceivedOn.String(), string(p.Amount.Currency()), p.Amount.String(), p.Reference, p.Kind}, "\x00")
			if first, dup := seen[key]; dup {
				im.fail(line, "reference", "repeats the payment on line %d (same customer, date, amount and reference)", first)
				continue
			}
			seen[key] = line
			exists, err := im.tx.PaymentExists(ctx, &p)
			if err != nil {
				return err
			}
			if exists {
				im.res.Unchanged++
				continue
			}
		}
		batch = append(batch, p)
		im.touched[p.CustomerID] = true
		im.res.Inserted++
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// manyCustomers is how many customers an import may touch before
// checkBalances first asks whether any balance can be beyond the limit.
const manyCustomers = 500

// checkBalances refuses an invoice import that takes a customer's open
// balance in a currency beyond the single-amount limit (balancesOverLimit),
// naming the customer's last line in that currency.
func (im *importer) checkBalances(ctx context.Context) error {
	if len(im.lastLine) == 0 {
		return nil
	}
	if len(im.touched) > manyCustomers {
		// Looking up thousands of customers' balances costs seconds on a
		// large book (an index lookup per invoice); one sum per currency
		// over the book costs a scan. When no currency's total open balance
		// is beyond the smallest limit, no customer's can be.
		totals, err := im.tx.OpenBalances(ctx)
		if err != nil {
			return err
		}
		possible := false
		for _, total := range totals {
			possible = possible || total.Cmp(money.WideOf(money.MaxMajorUnits)) >= 0
		}
		if !possible {
			return nil
		}
	}
	ids := make([]string, 0, len(im.touched))
	for id := range im.touched {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	over, err := balancesOverLimit(ctx, im.tx, ids)
	if err != nil {
		return err
	}
	for k, b := range over {
		if line, ok := im.lastLine[k]; ok {
			im.fail(line, "amount", "%s", b)
		}
	}
	return im.failure()
}

// reallocate replays the ledgers the import changed: every touched
// customer for payments; for invoices only those with payments (a customer
// without payments has nothing to allocate).
func (im *importer) reallocate(ctx context.Context, kind string) error {
	if kind == "customers" || len(im.touched) == 0 {
		return nil
	}
	custs := make([]string, 0, len(im.touched))
	for id := range im.touched {
		custs = append(custs, id)
	}
	sort.Strings(custs)
	if kind == "invoices" {
		var err error
		if custs, err = im.tx.CustomersWithPayments(ctx, custs); err != nil {
			return err
		}
	}
	today := civil.In(im.tx.Now(), time.UTC)
	for _, id := range custs {
		if _, err := reallocate(ctx, im.tx, id); err != nil {
			return err
		}
		if kind == "payments" {
			if err := recordCompletions(ctx, im.tx, id, today); err != nil {
				return err
			}
		}
	}
	return nil
}
