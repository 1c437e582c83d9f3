package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/store"
)

const customerCols = `id, external_ref, name, email, phone, time_zone, locale, kind, jurisdiction, segment, style, payment_terms_days, import_id, created_at, updated_at`

func scanCustomer(sc scanner) (ledger.Customer, error) {
	var c ledger.Customer
	var ref, importID sql.NullString
	err := sc.Scan(&c.ID, &ref, &c.Name, &c.Email, &c.Phone, &c.TimeZone, &c.Locale, &c.Kind,
		&c.Jurisdiction, &c.Segment, &c.Style, &c.PaymentTermsDays, &importID, &c.CreatedAt, &c.UpdatedAt)
	c.ExternalRef, c.ImportID = ref.String, importID.String
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
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
	_, err := t.Exec(ctx, `INSERT INTO customers (`+customerCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.ID, nullString(c.ExternalRef), c.Name, c.Email, c.Phone, c.TimeZone, c.Locale, c.Kind,
		c.Jurisdiction, c.Segment, c.Style, c.PaymentTermsDays, nullString(c.ImportID), c.CreatedAt.UTC(), c.UpdatedAt.UTC())
	if t.s.dialect.IsUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Message: "customer already exists",
			Fields: []apperr.FieldError{{Field: "external_ref", Message: "a customer with external_ref " + quote(c.ExternalRef) + " already exists"}}}
	}
	return err
}

// UpdateCustomer implements store.Tx.
func (t *Tx) UpdateCustomer(ctx context.Context, c *ledger.Customer) error {
	c.UpdatedAt = t.now
	res, err := t.Exec(ctx, `UPDATE customers SET external_ref=?, name=?, email=?, phone=?, time_zone=?, locale=?, kind=?,
		jurisdiction=?, segment=?, style=?, payment_terms_days=?, updated_at=? WHERE id=?`,
		nullString(c.ExternalRef), c.Name, c.Email, c.Phone, c.TimeZone, c.Locale, c.Kind,
		c.Jurisdiction, c.Segment, c.Style, c.PaymentTermsDays, c.UpdatedAt, c.ID)
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
		rows, err := t.query(ctx, `SELECT DISTINCT customer_id FROM payments WHERE customer_id IN (`+placeholders(end-start)+`) ORDER BY customer_id`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
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
