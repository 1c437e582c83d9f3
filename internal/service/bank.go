package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/csvin"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
	"settle/internal/reconcile"
	"settle/internal/store"
	"settle/internal/text"
)

// BankStatementKind names bank-statement imports (the imports table, the
// audit log, `settle import bank-statement`).
const BankStatementKind = "bank-statement"

// MaxBankStatementBytes bounds a statement file read into memory.
const MaxBankStatementBytes = 32 << 20

// maxBankReference bounds the reference text kept per line.
const maxBankReference = 500

// maxBankID is the longest bank transaction id a statement line may carry
// (ISO 20022 AcctSvcrRef is at most 35 characters; room for other formats).
const maxBankID = 128

// methodBankTransfer is the method of payments made from statement lines.
const methodBankTransfer = "bank_transfer"

// assignBankRef gives a plan its bank reference when it has none and
// returns the plan's reference. A fresh reference is checked against the
// stored ones first (a unique violation would abort a PostgreSQL
// transaction); 31⁷ ≈ 2.75·10¹⁰ possible references make a clash rare,
// and a few retries make it vanish.
func assignBankRef(ctx context.Context, tx store.Tx, planID string) (string, error) {
	refs, err := tx.PlanBankRefs(ctx, []string{planID})
	if err != nil {
		return "", err
	}
	if ref := refs[planID]; ref != "" {
		return ref, nil
	}
	for range 5 {
		ref, err := reconcile.NewReference(nil)
		if err != nil {
			return "", err
		}
		taken, err := tx.PlansByBankRef(ctx, []string{ref})
		if err != nil {
			return "", err
		}
		if len(taken) > 0 {
			continue
		}
		if _, err := tx.SetPlanBankRef(ctx, planID, ref); err != nil {
			return "", err
		}
		return ref, nil
	}
	return "", fmt.Errorf("bank reference for plan %s: five references in a row were taken", planID)
}

// backfillBankRef gives a plan made before migration 00017 its reference
// when it is read in a writing transaction (the plan view, the agreement).
// Only proposed and active plans take new references: a superseded or
// cancelled plan takes no payments.
// needsBankRef: a proposed or active plan has no bank reference yet.
func needsBankRef(v *PlanView) bool {
	return v.BankRef == "" && (v.Plan.Status == plan.Proposed || v.Plan.Status == plan.Active)
}

func backfillBankRef(ctx context.Context, tx store.Tx, v *PlanView) error {
	if !needsBankRef(v) {
		return nil
	}
	ref, err := assignBankRef(ctx, tx, v.Plan.ID)
	v.BankRef = ref
	return err
}

// BackfillBankRefs gives every proposed or active plan without a bank
// reference one (plans made before migration 00017), in batches, and
// returns how many it gave. Admins only; the statement import runs it too.
func (s *Service) BackfillBankRefs(ctx context.Context) (int, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return 0, err
	}
	n := 0
	err := s.store.Tx(ctx, func(tx store.Tx) (err error) {
		n, err = backfillBankRefs(ctx, tx)
		return err
	})
	return n, err
}

func backfillBankRefs(ctx context.Context, tx store.Tx) (int, error) {
	n := 0
	for {
		ids, err := tx.PlansWithoutBankRef(ctx, 500)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		for _, id := range ids {
			if _, err := assignBankRef(ctx, tx, id); err != nil {
				return n, err
			}
			n++
		}
	}
}

// BankImportOptions tune how a statement is read.
type BankImportOptions struct {
	Filename   string
	DateFormat string            // e.g. DD/MM/YYYY; default YYYY-MM-DD
	Mapping    map[string]string // file column → settle column
}

// BankImportResult says what a statement import did.
type BankImportResult struct {
	ID       string `json:"id"`
	Filename string `json:"filename,omitempty"`
	Rows     int    `json:"rows" doc:"Data rows read"`
	Matched  int    `json:"matched" doc:"Lines that became payments"`
	Review   int    `json:"review" doc:"Lines held for a person (GET /v1/bank-lines?status=review)"`
	Skipped  int    `json:"skipped" doc:"Outgoing transfers (negative amounts): not imported"`
	// AlreadyImported counts lines stored by an earlier import.
	AlreadyImported     int       `json:"already_imported" doc:"Lines imported before (same bank_id, or same date, amount, currency, reference and payer): nothing new"`
	FileAlreadyImported bool      `json:"file_already_imported" doc:"This very file was imported before as import id: nothing changed"`
	IgnoredColumns      []string  `json:"ignored_columns,omitempty"`
	CreatedAt           time.Time `json:"created_at"`
	// Lines are the lines this import stored.
	Lines []store.BankLine `json:"-"`
}

// Summary is one line for people.
func (r *BankImportResult) Summary() string {
	if r.FileAlreadyImported {
		return fmt.Sprintf("bank-statement: this file was already imported as %s on %s; nothing changed", r.ID, r.CreatedAt.Format(time.RFC3339))
	}
	return fmt.Sprintf("bank-statement: %d rows read, %d matched, %d for review, %d skipped (outgoing), %d already imported (import %s)",
		r.Rows, r.Matched, r.Review, r.Skipped, r.AlreadyImported, r.ID)
}

// bankRow is one parsed statement row.
type bankRow struct {
	line   int
	date   civil.Date
	amount money.Amount
	ref    string
	payer  string
	bankID string
	key    string
}

// ImportBankStatement reads a bank statement (csvin.BankStatement) and, in
// one transaction, stores each incoming transfer once and matches it
// (internal/reconcile): a match becomes a payment (method bank_transfer,
// the line's reference, its plan or invoice) through recordPayment; the
// rest wait for review. Outgoing transfers are skipped and counted. Every
// bad row is reported by line and column and nothing is written. The
// same line in a later statement (same bank_id, or without one the same
// date, amount, currency, reference and payer, counted by occurrence) is
// not imported twice; the same file again changes nothing.
func (s *Service) ImportBankStatement(ctx context.Context, r io.Reader, opt BankImportOptions) (*BankImportResult, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	layout := civil.ISOLayout
	if opt.DateFormat != "" {
		var err error
		if layout, err = civil.ParseLayout(opt.DateFormat); err != nil {
			return nil, apperr.Field("date_format", "%s", err)
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxBankStatementBytes+1))
	if err != nil {
		return nil, fmt.Errorf("import bank statement: read: %w", err)
	}
	if len(data) > MaxBankStatementBytes {
		return nil, apperr.Errorf(apperr.Invalid, "the statement is larger than %d MiB: split it", MaxBankStatementBytes>>20)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	res := &BankImportResult{ID: ids.New(ids.Import), Filename: opt.Filename}
	rows, err := readBankRows(data, layout, opt, res)
	if err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if prior, err := tx.ImportByHash(ctx, BankStatementKind, sha); err != nil || prior != nil {
			if prior != nil {
				res.ID, res.FileAlreadyImported, res.CreatedAt = prior.ID, true, prior.CreatedAt
				res.AlreadyImported = len(rows)
			}
			return err
		}
		// Plans made before bank references existed get theirs now, so
		// that every open plan can be matched from here on.
		if _, err := backfillBankRefs(ctx, tx); err != nil {
			return err
		}
		keys := make([]string, len(rows))
		for i, row := range rows {
			keys[i] = row.key
		}
		stored, err := tx.BankLineKeys(ctx, keys)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if stored[row.key] {
				res.AlreadyImported++
				continue
			}
			l, err := s.importBankRow(ctx, tx, row, res.ID)
			if err != nil {
				return fmt.Errorf("bank statement line %d: %w", row.line, err)
			}
			if l.Status == reconcile.StatusMatched {
				res.Matched++
			} else {
				res.Review++
			}
			res.Lines = append(res.Lines, *l)
		}
		rec := &store.Import{ID: res.ID, Kind: BankStatementKind, SHA256: sha, Filename: opt.Filename, Rows: res.Rows,
			Inserted: res.Matched + res.Review, Unchanged: res.AlreadyImported, Actor: ActorFrom(ctx).ID}
		if err := tx.InsertImport(ctx, rec); err != nil {
			return err
		}
		res.CreatedAt = rec.CreatedAt
		return audit(ctx, tx, "import."+BankStatementKind, "import", res.ID, map[string]any{
			"filename": opt.Filename, "sha256": sha, "rows": res.Rows, "matched": res.Matched, "review": res.Review,
			"skipped": res.Skipped, "already_imported": res.AlreadyImported,
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// readBankRows parses and checks every row; any bad row fails the import
// with every problem listed (line, column, reason).
func readBankRows(data []byte, layout civil.Layout, opt BankImportOptions, res *BankImportResult) ([]bankRow, error) {
	rd, err := csvin.NewReader(bytes.NewReader(data), csvin.BankStatement, opt.Mapping)
	if err != nil {
		return nil, err
	}
	res.IgnoredColumns = rd.Ignored
	var rows []bankRow
	var errs []apperr.FieldError
	omitted := 0
	bad := map[int]bool{}
	fail := func(line int, col, format string, args ...any) {
		bad[line] = true
		if len(errs) >= MaxReportedErrors {
			omitted++
			return
		}
		errs = append(errs, apperr.FieldError{Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	bankIDs := map[string]int{}
	occurrences := map[string]int{}
	for {
		problem, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		res.Rows++
		if problem != nil {
			fail(problem.Line, problem.Column, "%s", problem.Message)
			continue
		}
		line := rd.Line()
		row := bankRow{line: line, ref: rd.Get("reference"), payer: rd.Get("payer_name"), bankID: rd.Get("bank_id")}
		ok := true
		if v := rd.Get("date"); v == "" {
			fail(line, "date", "is required")
			ok = false
		} else if row.date, err = layout.Parse(v); err != nil {
			if errors.Is(err, civil.ErrOutOfRange) {
				fail(line, "date", "%s", err)
			} else {
				fail(line, "date", "%q is not a date in the format %s", v, layout)
			}
			ok = false
		}
		cur, err := money.ParseCurrency(rd.Get("currency"))
		switch {
		case rd.Get("currency") == "":
			fail(line, "currency", "is required")
			ok = false
		case err != nil:
			fail(line, "currency", "%s", err)
			ok = false
		default:
			v := rd.Get("amount")
			if v == "" {
				fail(line, "amount", "is required")
				ok = false
			} else if row.amount, err = money.Parse(v, cur); err != nil {
				fail(line, "amount", "%s", err)
				ok = false
			} else if row.amount.IsZero() {
				fail(line, "amount", "%s is zero: a statement line moves money", v)
				ok = false
			}
		}
		// Statement texts come from the bank, where remittance information may
		// span lines (MT940 :86:): newlines pass, other control characters do not.
		for _, f := range []struct {
			col, v string
			max    int
		}{{"reference", row.ref, maxBankReference}, {"payer_name", row.payer, maxBankReference}, {"bank_id", row.bankID, maxBankID}} {
			if msg := text.CheckNote(f.v, f.max); msg != "" {
				fail(line, f.col, "%s", msg)
				ok = false
			}
		}
		if row.bankID != "" {
			if first, dup := bankIDs[row.bankID]; dup {
				fail(line, "bank_id", "%q is on line %d too: a transaction id is unique", row.bankID, first)
				ok = false
			} else {
				bankIDs[row.bankID] = line
			}
		}
		if !ok {
			continue
		}
		if row.amount.IsNegative() {
			res.Skipped++
			continue
		}
		if row.bankID != "" {
			row.key = "id:" + row.bankID
		} else {
			h := sha256.Sum256([]byte(strings.Join([]string{row.date.String(), string(cur), row.amount.String(),
				strings.Join(strings.Fields(row.ref), " "), strings.Join(strings.Fields(row.payer), " ")}, "\x1f")))
			base := "h:" + hex.EncodeToString(h[:16])
			// Two equal transfers on one day are both real: the n-th of
			// them in a statement is the n-th again in a re-import.
			occurrences[base]++
			row.key = fmt.Sprintf("%s#%d", base, occurrences[base])
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		name := "bank statement"
		if opt.Filename != "" {
			name = opt.Filename
		}
		return nil, &apperr.Error{Code: apperr.Invalid,
			Message: fmt.Sprintf("%s: %d of %d rows have errors; nothing was imported", name, len(bad), res.Rows),
			Fields:  errs, Omitted: omitted}
	}
	return rows, nil
}

// importBankRow matches one new line, records its payment when matched,
// and stores the line.
func (s *Service) importBankRow(ctx context.Context, tx store.Tx, row bankRow, importID string) (*store.BankLine, error) {
	l := &store.BankLine{ImportID: importID, Line: row.line, BookedOn: row.date, Amount: row.amount, Reference: row.ref,
		PayerName: row.payer, BankID: row.bankID, DedupeKey: row.key}
	m, err := matchBankLine(ctx, tx, row.amount, row.ref, row.payer, row.date)
	if err != nil {
		return nil, err
	}
	l.Status, l.MatchedBy, l.Reason, l.CustomerID = m.Status, m.By, m.Reason, m.CustomerID
	if m.Status == reconcile.StatusMatched {
		// A statement line is the bank's record of money received, dated
		// as the bank booked it: not refused as a future payment.
		pv, err := recordPayment(ctx, tx, PaymentInput{AllowFuture: true, CustomerID: m.CustomerID, ReceivedOn: row.date.String(),
			Currency: string(row.amount.Currency()), Amount: row.amount.String(), Method: methodBankTransfer,
			Reference: row.ref, InvoiceID: m.InvoiceID, PlanID: m.PlanID})
		switch code := apperr.CodeOf(err); {
		case err == nil:
			l.PlanID, l.InvoiceID, l.PaymentID = m.PlanID, m.InvoiceID, pv.Payment.ID
		case code == apperr.Invalid || code == apperr.Conflict || code == apperr.NotFound:
			// Refused before anything was written (recordPayment checks
			// first): held for a person, with why.
			l.Status, l.Reason = reconcile.StatusReview, m.Reason+"; but the payment was refused: "+err.Error()
		default:
			return nil, err
		}
	}
	if err := tx.InsertBankLine(ctx, l); err != nil {
		return nil, err
	}
	return l, nil
}

// matchBankLine gathers what the line's reference text names and asks the
// matcher. Open amounts are the stored ones, so a line sees the payments of
// the lines before it in the same statement.
func matchBankLine(ctx context.Context, tx store.Tx, amount money.Amount, ref, payer string, on civil.Date) (reconcile.Result, error) {
	sc := reconcile.Scan(ref)
	refs, words := sc.Lookups()
	ev := reconcile.Evidence{Plans: map[string]reconcile.Plan{}, Invoices: map[string]reconcile.Invoice{},
		Customers: map[string]reconcile.Customer{}, Refs: map[string]string{}}
	var customers []string
	addCustomer := func(id string) {
		if _, ok := ev.Customers[id]; !ok {
			ev.Customers[id] = reconcile.Customer{ID: id}
			customers = append(customers, id)
		}
	}
	if len(refs) > 0 {
		byRef, err := tx.PlansByBankRef(ctx, refs)
		if err != nil {
			return reconcile.Result{}, err
		}
		for r, id := range byRef {
			p, err := planFacts(ctx, tx, id, on)
			if err != nil {
				return reconcile.Result{}, err
			}
			ev.Plans[r] = p
			addCustomer(p.CustomerID)
		}
	}
	if len(words) > 0 {
		lookup := append([]string(nil), words...)
		for _, w := range words {
			if u := strings.ToUpper(w); u != w {
				lookup = append(lookup, u)
			}
		}
		invs, err := tx.InvoicesByNumber(ctx, lookup)
		if err != nil {
			return reconcile.Result{}, err
		}
		for _, w := range words {
			inv, ok := invs[w]
			if !ok {
				inv, ok = invs[strings.ToUpper(w)]
			}
			if !ok {
				continue
			}
			ri := reconcile.Invoice{ID: inv.ID, Number: inv.Number, CustomerID: inv.CustomerID, Open: money.Zero(amount.Currency())}
			if inv.Status() == ledger.StatusOpen && inv.Balance.Currency() == amount.Currency() {
				ri.Open = inv.Balance
			}
			ev.Invoices[w] = ri
			addCustomer(inv.CustomerID)
		}
		for _, w := range words {
			if len(w) < 2 {
				continue
			}
			c, err := tx.Customer(ctx, w)
			if apperr.CodeOf(err) == apperr.NotFound {
				continue
			}
			if err != nil {
				return reconcile.Result{}, err
			}
			ev.Refs[w] = c.ID
			addCustomer(c.ID)
		}
	}
	for _, id := range customers {
		c, err := customerFacts(ctx, tx, id, amount.Currency(), on)
		if err != nil {
			return reconcile.Result{}, err
		}
		ev.Customers[id] = c
	}
	return reconcile.Match(reconcile.Line{Amount: amount, Reference: ref, Payer: payer}, sc, ev), nil
}

// planFacts is what the matcher needs of a plan: its reference, whether it
// takes payments, and what is left of each installment as of the date.
func planFacts(ctx context.Context, tx store.Tx, id string, on civil.Date) (reconcile.Plan, error) {
	v, err := loadPlan(ctx, tx, id, on)
	if err != nil {
		return reconcile.Plan{}, err
	}
	p := reconcile.Plan{ID: v.Plan.ID, Reference: v.BankRef, CustomerID: v.Plan.CustomerID, Active: v.Plan.Status == plan.Active}
	if v.Tracking != nil {
		for _, st := range v.Tracking.Installments {
			if left := st.Amount.Minor() - st.Paid.Minor(); left > 0 {
				p.Due = append(p.Due, money.New(left, st.Amount.Currency()))
			}
		}
	}
	return p, nil
}

// customerFacts is what the matcher needs of a customer: open, undisputed
// invoices of the currency in the order the ledger pays them (oldest due
// first), and active plans.
func customerFacts(ctx context.Context, tx store.Tx, id string, cur money.Currency, on civil.Date) (reconcile.Customer, error) {
	c, err := tx.Customer(ctx, id)
	if err != nil {
		return reconcile.Customer{}, err
	}
	out := reconcile.Customer{ID: c.ID, Ref: c.ExternalRef}
	var invs []ledger.Invoice
	f := store.InvoiceFilter{CustomerID: c.ID, Status: ledger.StatusOpen, Currency: cur, Page: store.Page{Limit: 500}}
	for {
		page, next, err := tx.Invoices(ctx, f)
		if err != nil {
			return reconcile.Customer{}, err
		}
		invs = append(invs, page...)
		if next == "" || len(invs) >= 2000 {
			break
		}
		f.Cursor = next
	}
	sort.SliceStable(invs, func(i, j int) bool {
		a, b := invs[i], invs[j]
		if a.DueDate != b.DueDate {
			return a.DueDate.Before(b.DueDate)
		}
		if a.IssueDate != b.IssueDate {
			return a.IssueDate.Before(b.IssueDate)
		}
		return a.Number < b.Number
	})
	for _, inv := range invs {
		if inv.Disputed || !inv.Balance.IsPositive() {
			continue
		}
		out.Items = append(out.Items, reconcile.Item{InvoiceID: inv.ID, Number: inv.Number, Open: inv.Balance})
	}
	planIDs, err := tx.ActivePlans(ctx, c.ID)
	if err != nil {
		return reconcile.Customer{}, err
	}
	for _, pid := range planIDs {
		p, err := planFacts(ctx, tx, pid, on)
		if err != nil {
			return reconcile.Customer{}, err
		}
		out.Plans = append(out.Plans, p)
	}
	return out, nil
}

// BankLineFilter selects bank lines (status: matched, review, assigned, ignored or "").
type BankLineFilter = store.BankLineFilter

var bankStatuses = map[string]bool{reconcile.StatusMatched: true, reconcile.StatusReview: true,
	reconcile.StatusAssigned: true, reconcile.StatusIgnored: true}

// BankLines lists statement lines, e.g. those waiting for review.
func (s *Service) BankLines(ctx context.Context, f BankLineFilter) (list []store.BankLine, next string, err error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !bankStatuses[f.Status] {
		return nil, "", apperr.Field("status", "%q must be matched, review, assigned or ignored", f.Status)
	}
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		list, next, err = tx.BankLines(ctx, f)
		return err
	})
	return list, next, err
}

// BankLine returns one statement line.
func (s *Service) BankLine(ctx context.Context, id string) (*store.BankLine, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var l *store.BankLine
	err := s.store.ReadTx(ctx, func(tx store.Tx) (err error) {
		l, err = tx.BankLine(ctx, id, false)
		return err
	})
	return l, err
}

// BankAssignInput is a person's decision about a line held for review.
type BankAssignInput struct {
	CustomerID string `json:"customer_id" doc:"The customer who paid (id or external_ref)"`
	PlanID     string `json:"plan_id,omitempty" doc:"The active plan it pays (optional)"`
	InvoiceID  string `json:"invoice_id,omitempty" doc:"The invoice it pays first (id or number, optional)"`
	Note       string `json:"note,omitempty" maxLength:"500"`
}

// AssignBankLine turns a line held for review (or ignored before) into the
// customer's payment: method bank_transfer, the line's date, amount and
// reference, optionally a plan or an invoice.
func (s *Service) AssignBankLine(ctx context.Context, id string, in BankAssignInput) (*store.BankLine, *PaymentView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, nil, err
	}
	in.CustomerID, in.PlanID, in.InvoiceID = strings.TrimSpace(in.CustomerID), strings.TrimSpace(in.PlanID), strings.TrimSpace(in.InvoiceID)
	if in.CustomerID == "" {
		return nil, nil, apperr.Field("customer_id", "is required: whose payment is it?")
	}
	if msg := text.Check(strings.TrimSpace(in.Note), text.Line); msg != "" {
		return nil, nil, apperr.Field("note", "%s", msg)
	}
	var l *store.BankLine
	var pv PaymentView
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if l, err = tx.BankLine(ctx, id, true); err != nil {
			return err
		}
		prev := l.Status
		if prev != reconcile.StatusReview && prev != reconcile.StatusIgnored {
			return apperr.Errorf(apperr.Conflict, "bank line %s is %s already (payment %s)", l.ID, prev, l.PaymentID)
		}
		pv, err = recordPayment(ctx, tx, PaymentInput{AllowFuture: true, CustomerID: in.CustomerID, ReceivedOn: l.BookedOn.String(),
			Currency: string(l.Amount.Currency()), Amount: l.Amount.String(), Method: methodBankTransfer,
			Reference: l.Reference, InvoiceID: in.InvoiceID, PlanID: in.PlanID})
		if err != nil {
			return err
		}
		l.PlanID = ""
		if in.PlanID != "" {
			p, err := tx.Plan(ctx, in.PlanID)
			if err != nil {
				return err
			}
			l.PlanID = p.ID
		}
		reason := "assigned by " + a.ID
		if note := strings.TrimSpace(in.Note); note != "" {
			reason += ": " + note
		}
		l.Status, l.MatchedBy, l.Reason, l.ResolvedBy = reconcile.StatusAssigned, "manual", reason, a.ID
		l.CustomerID, l.InvoiceID, l.PaymentID = pv.Payment.CustomerID, pv.Payment.InvoiceID, pv.Payment.ID
		if err := tx.UpdateBankLine(ctx, l, prev); err != nil {
			return err
		}
		return audit(ctx, tx, "bank_line.assign", "bank_line", l.ID, map[string]any{"input": in, "payment_id": pv.Payment.ID, "was": prev})
	})
	if err != nil {
		return nil, nil, err
	}
	return l, &pv, nil
}

// IgnoreBankLine sets a line held for review aside (not a customer's
// payment: a refund, a transfer between own accounts …) with the reason.
func (s *Service) IgnoreBankLine(ctx context.Context, id, reason string) (*store.BankLine, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Field("reason", "is required: say why the line is not a customer's payment")
	}
	if msg := text.Check(reason, text.Line); msg != "" {
		return nil, apperr.Field("reason", "%s", msg)
	}
	var l *store.BankLine
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if l, err = tx.BankLine(ctx, id, true); err != nil {
			return err
		}
		if l.Status != reconcile.StatusReview {
			return apperr.Errorf(apperr.Conflict, "bank line %s is %s: only a line held for review can be ignored", l.ID, l.Status)
		}
		l.Status, l.Reason, l.ResolvedBy = reconcile.StatusIgnored, reason, a.ID
		if err := tx.UpdateBankLine(ctx, l, reconcile.StatusReview); err != nil {
			return err
		}
		return audit(ctx, tx, "bank_line.ignore", "bank_line", l.ID, map[string]string{"reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}
