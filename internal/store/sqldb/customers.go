package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

const customerCols = `id, external_ref, name, email, phone, time_zone, locale, kind, jurisdiction, segment, style, payment_terms_days, import_id, created_at, updated_at,
	address_lines, address_postal_code, address_city, address_region, address_country, owner_id,
	credit_hold, credit_hold_reason, credit_hold_since, credit_hold_by, credit_limit_minor, credit_limit_currency`

func scanCustomer(sc scanner) (ledger.Customer, error) {
	var c ledger.Customer
	var ref, importID, owner sql.NullString
	var lines, limitCur string
	var limit sql.NullInt64
	h := &c.CreditHold
	err := sc.Scan(&c.ID, &ref, &c.Name, &c.Email, &c.Phone, &c.TimeZone, &c.Locale, &c.Kind,
		&c.Jurisdiction, &c.Segment, &c.Style, &c.PaymentTermsDays, &importID, &c.CreatedAt, &c.UpdatedAt,
		&lines, &c.Address.PostalCode, &c.Address.City, &c.Address.Region, &c.Address.Country, &owner,
		&h.Held, &h.Reason, &h.Since, &h.By, &limit, &limitCur)
	c.ExternalRef, c.ImportID, c.Owner = ref.String, importID.String, owner.String
	c.Address.Lines = splitLines(lines)
	if limit.Valid && limitCur != "" {
		h.Limit = money.New(limit.Int64, money.Currency(limitCur))
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// Street lines are stored joined by a newline (migration 00021): a line
// is single-line text, so the newline cannot occur inside one.
func joinLines(lines []string) string { return strings.Join(lines, "\n") }

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// InsertCustomer implements store.Tx.
func (t *Tx) InsertCustomer(ctx context.Context, c *ledger.Customer) error {
	if c.ID == "" {
		c.ID = ids.New(ids.Customer)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	c.UpdatedAt = c.CreatedAt
	h := c.CreditHold
	_, err := t.Exec(ctx, `INSERT INTO customers (`+customerCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.ID, nullString(c.ExternalRef), c.Name, c.Email, c.Phone, c.TimeZone, c.Locale, c.Kind,
		c.Jurisdiction, c.Segment, c.Style, c.PaymentTermsDays, nullString(c.ImportID), c.CreatedAt.UTC(), c.UpdatedAt.UTC(),
		joinLines(c.Address.Lines), c.Address.PostalCode, c.Address.City, c.Address.Region, c.Address.Country, nullString(c.Owner),
		h.Held, h.Reason, h.Since, h.By, limitMinor(h), string(h.Limit.Currency()))
	if t.s.dialect.IsUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Message: "customer already exists",
			Fields: []apperr.FieldError{{Field: "external_ref", Message: "a customer with external_ref " + quote(c.ExternalRef) + " already exists"}}}
	}
	return err
}

// UpdateCustomer implements store.Tx.
func (t *Tx) UpdateCustomer(ctx context.Context, c *ledger.Customer) error {
	c.UpdatedAt = t.now
	// The credit hold is not written here: SetCustomerCreditHold alone
	// changes it, so that an edit of the customer's details cannot undo a
	// hold set meanwhile.
	res, err := t.Exec(ctx, `UPDATE customers SET external_ref=?, name=?, email=?, phone=?, time_zone=?, locale=?, kind=?,
		jurisdiction=?, segment=?, style=?, payment_terms_days=?, updated_at=?,
		address_lines=?, address_postal_code=?, address_city=?, address_region=?, address_country=?, owner_id=? WHERE id=?`,
		nullString(c.ExternalRef), c.Name, c.Email, c.Phone, c.TimeZone, c.Locale, c.Kind,
		c.Jurisdiction, c.Segment, c.Style, c.PaymentTermsDays, c.UpdatedAt,
		joinLines(c.Address.Lines), c.Address.PostalCode, c.Address.City, c.Address.Region, c.Address.Country, nullString(c.Owner), c.ID)
	if t.s.dialect.IsUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Message: "customer already exists",
			Fields: []apperr.FieldError{{Field: "external_ref", Message: "a customer with external_ref " + quote(c.ExternalRef) + " already exists"}}}
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("customer", c.ID)
	}
	return nil
}

func limitMinor(h ledger.CreditHold) any {
	if !h.HasLimit() {
		return nil
	}
	return h.Limit.Minor()
}

// SetCustomerCreditHold implements store.Tx.
func (t *Tx) SetCustomerCreditHold(ctx context.Context, customerID string, h ledger.CreditHold) error {
	res, err := t.Exec(ctx, `UPDATE customers SET credit_hold=?, credit_hold_reason=?, credit_hold_since=?, credit_hold_by=?,
		credit_limit_minor=?, credit_limit_currency=?, updated_at=? WHERE id=?`,
		h.Held, h.Reason, h.Since, h.By, limitMinor(h), string(h.Limit.Currency()), t.now, customerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("customer", customerID)
	}
	return nil
}

// LockCustomer implements store.Tx. SQLite needs no lock (its writers
// are serialised already) and only checks the customer exists.
func (t *Tx) LockCustomer(ctx context.Context, id string) error {
	lock := ""
	if t.s.dialect.Engine() == "postgres" {
		lock = " FOR NO KEY UPDATE"
	}
	var got string
	err := t.queryRow(ctx, `SELECT id FROM customers WHERE id = ?`+lock, id).Scan(&got)
	if isNoRows(err) {
		return notFound("customer", id)
	}
	return err
}

// Customer implements store.Tx.
func (t *Tx) Customer(ctx context.Context, idOrRef string) (*ledger.Customer, error) {
	col := "external_ref"
	if ids.HasPrefix(idOrRef, ids.Customer) {
		col = "id"
	}
	c, err := scanCustomer(t.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE `+col+` = ?`, idOrRef))
	if isNoRows(err) {
		return nil, notFound("customer", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Customers implements store.Tx.
func (t *Tx) Customers(ctx context.Context, f store.CustomerFilter) ([]ledger.Customer, string, error) {
	var c conds
	c.eq("segment", f.Segment)
	c.contains(f.Query, "name", "external_ref")
	rows, limit, err := t.listRows(ctx, customerCols, "customers", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanCustomer, func(v ledger.Customer) string { return v.ID })
}

// CustomerIDsByRef implements store.Tx.
func (t *Tx) CustomerIDsByRef(ctx context.Context) (map[string]string, error) {
	rows, err := t.query(ctx, `SELECT external_ref, id FROM customers WHERE external_ref IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var ref, id string
		if err := rows.Scan(&ref, &id); err != nil {
			return nil, err
		}
		m[ref] = id
	}
	return m, rows.Err()
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func quote(s string) string { return `"` + s + `"` }

// CustomersWithPayments implements store.Tx.
func (t *Tx) CustomersWithPayments(ctx context.Context, customerIDs []string) ([]string, error) {
	var out []string
	for start := 0; start < len(customerIDs); start += bulkChunk {
		end := min(start+bulkChunk, len(customerIDs))
		args := make([]any, 0, end-start)
		for _, id := range customerIDs[start:end] {
			args = append(args, id)
		}
		ids, err := t.stringColumn(ctx, `SELECT DISTINCT customer_id FROM payments WHERE customer_id IN (`+placeholders(end-start)+`) ORDER BY customer_id`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

// CustomersByIDs implements store.Tx.
func (t *Tx) CustomersByIDs(ctx context.Context, customerIDs []string) (map[string]ledger.Customer, error) {
	rows, err := byCustomers(ctx, t, `SELECT `+customerCols+` FROM customers WHERE id IN (`, "id", customerIDs, scanCustomer,
		func(c ledger.Customer) string { return c.ID })
	if err != nil {
		return nil, err
	}
	out := make(map[string]ledger.Customer, len(rows))
	for id, cs := range rows {
		out[id] = cs[0]
	}
	return out, nil
}

// AddDueRunCustomers implements store.Tx.
func (t *Tx) AddDueRunCustomers(ctx context.Context, runID string, asOf civil.Date) (int, error) {
	res, err := t.Exec(ctx, `INSERT INTO run_customers (run_id, customer_id)
		SELECT ?, id FROM customers WHERE wake_on <= ?
		ON CONFLICT (run_id, customer_id) DO NOTHING`, runID, asOf)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	_, err = t.Exec(ctx, `UPDATE runs SET customers = customers + ? WHERE id = ?`, n, runID)
	return int(n), err
}

// CustomerWakeVersions implements store.Tx.
func (t *Tx) CustomerWakeVersions(ctx context.Context, ids []string) (map[string]int64, error) {
	type row struct {
		id      string
		version int64
	}
	rows, err := byCustomers(ctx, t, `SELECT id, wake_version FROM customers WHERE id IN (`, "id", ids,
		func(sc scanner) (row, error) {
			var r row
			err := sc.Scan(&r.id, &r.version)
			return r, err
		}, func(r row) string { return r.id })
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for id, rs := range rows {
		out[id] = rs[0].version
	}
	return out, nil
}

// SetCustomerWakes implements store.Tx: one UPDATE … FROM a VALUES list
// per chunk, matching on id and the version read.
func (t *Tx) SetCustomerWakes(ctx context.Context, wakes []store.CustomerWake) error {
	const per = bulkChunk / 3
	for start := 0; start < len(wakes); start += per {
		end := min(start+per, len(wakes))
		args := make([]any, 0, 3*(end-start))
		for _, w := range wakes[start:end] {
			if !w.On.IsValid() {
				return fmt.Errorf("store: SetCustomerWakes: customer %s: invalid date %s", w.CustomerID, w.On)
			}
			args = append(args, w.CustomerID, w.On, w.Version)
		}
		row := "(?," + t.cast("?", "DATE") + "," + t.cast("?", "BIGINT") + "),"
		rows := strings.TrimSuffix(strings.Repeat(row, end-start), ",")
		_, err := t.Exec(ctx, `WITH v (id, wake_on, version) AS (VALUES `+rows+`)
			UPDATE customers SET wake_on = v.wake_on FROM v
			WHERE customers.id = v.id AND customers.wake_version = v.version`, args...)
		if err != nil {
			return err
		}
	}
	return nil
}

// WakeAllCustomers implements store.Tx.
func (t *Tx) WakeAllCustomers(ctx context.Context) error {
	_, err := t.Exec(ctx, `UPDATE customers SET wake_on = ?, wake_version = wake_version + 1`, store.WakeNow)
	return err
}
