package sqldb

import (
	"context"
	"database/sql"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/money"
	"settle/internal/store"
)

// orEmptyObject returns doc, or the empty JSON object when doc is empty
// (JSON columns are NOT NULL and always hold a document).
func orEmptyObject(doc []byte) []byte {
	if len(doc) == 0 {
		return []byte("{}")
	}
	return doc
}

// ---- budgets ------------------------------------------------------------------------

// PutBudget implements store.Tx.
func (t *Tx) PutBudget(ctx context.Context, b *store.Budget) error {
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = t.now
	}
	b.Body = orEmptyObject(b.Body)
	_, err := t.Exec(ctx, `INSERT INTO budgets (customer_id, currency, body, updated_at, updated_by) VALUES (?,?,?,?,?)
		ON CONFLICT (customer_id) DO UPDATE SET currency = excluded.currency, body = excluded.body,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		b.CustomerID, string(b.Currency), string(b.Body), b.UpdatedAt.UTC(), b.UpdatedBy)
	return err
}

// Budget implements store.Tx.
func (t *Tx) Budget(ctx context.Context, customerID string) (*store.Budget, error) {
	b := store.Budget{CustomerID: customerID}
	var cur, body string
	err := t.queryRow(ctx, `SELECT currency, body, updated_at, updated_by FROM budgets WHERE customer_id = ?`, customerID).
		Scan(&cur, &body, &b.UpdatedAt, &b.UpdatedBy)
	if isNoRows(err) {
		return nil, notFound("budget of customer", customerID)
	}
	if err != nil {
		return nil, err
	}
	b.Currency, b.Body, b.UpdatedAt = money.Currency(cur), []byte(body), b.UpdatedAt.UTC()
	return &b, nil
}

// ---- policies -----------------------------------------------------------------------

const policyCols = `id, segment, body, version, created_at, updated_at`

func scanPolicy(sc scanner) (store.Policy, error) {
	var p store.Policy
	var body string
	err := sc.Scan(&p.ID, &p.Segment, &body, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.Body = []byte(body)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func policyExists(segment string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: "a policy for segment " + quote(segment) + " exists already",
		Fields: []apperr.FieldError{{Field: "segment", Message: "a policy for segment " + quote(segment) + " exists already"}}}
}

// InsertPolicy implements store.Tx.
func (t *Tx) InsertPolicy(ctx context.Context, p *store.Policy) error {
	if p.ID == "" {
		p.ID = ids.New(ids.Policy)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = t.now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	p.Version = 1
	p.Body = orEmptyObject(p.Body)
	_, err := t.Exec(ctx, `INSERT INTO policies (`+policyCols+`) VALUES (?,?,?,?,?,?)`,
		p.ID, p.Segment, string(p.Body), p.Version, p.CreatedAt.UTC(), p.UpdatedAt.UTC())
	if t.s.dialect.IsUniqueViolation(err) {
		return policyExists(p.Segment)
	}
	return err
}

// UpdatePolicy implements store.Tx: it stores the segment and body, sets
// UpdatedAt to the transaction's clock and Version to the stored one plus one.
func (t *Tx) UpdatePolicy(ctx context.Context, p *store.Policy) error {
	p.UpdatedAt = t.now
	p.Body = orEmptyObject(p.Body)
	var version int
	err := t.queryRow(ctx, `UPDATE policies SET segment = ?, body = ?, version = version + 1, updated_at = ? WHERE id = ? RETURNING version`,
		p.Segment, string(p.Body), p.UpdatedAt.UTC(), p.ID).Scan(&version)
	if t.s.dialect.IsUniqueViolation(err) {
		return policyExists(p.Segment)
	}
	if isNoRows(err) {
		return notFound("policy", p.ID)
	}
	if err != nil {
		return err
	}
	p.Version = version
	return nil
}

// Policy implements store.Tx.
func (t *Tx) Policy(ctx context.Context, idOrSegment string) (*store.Policy, error) {
	col := "segment"
	if ids.HasPrefix(idOrSegment, ids.Policy) {
		col = "id"
	}
	p, err := scanPolicy(t.queryRow(ctx, `SELECT `+policyCols+` FROM policies WHERE `+col+` = ?`, idOrSegment))
	if isNoRows(err) {
		return nil, notFound("policy", idOrSegment)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Policies implements store.Tx.
func (t *Tx) Policies(ctx context.Context, pg store.Page) ([]store.Policy, string, error) {
	rows, limit, err := t.listRows(ctx, policyCols, "policies", pg, conds{})
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanPolicy, func(v store.Policy) string { return v.ID })
}

// ---- negotiations -------------------------------------------------------------------

const negotiationCols = `id, customer_id, currency, status, round, as_of, expires_on, state, plan_id, created_at, updated_at`

func scanNegotiation(sc scanner) (store.Negotiation, error) {
	var n store.Negotiation
	var cur, state string
	var planID sql.NullString
	err := sc.Scan(&n.ID, &n.CustomerID, &cur, &n.Status, &n.Round, &n.AsOf, &n.ExpiresOn, &state, &planID, &n.CreatedAt, &n.UpdatedAt)
	n.Currency, n.State, n.PlanID = money.Currency(cur), []byte(state), planID.String
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return n, err
}

var negotiationStatuses = map[string]bool{store.NegotiationOpen: true, store.NegotiationAgreed: true,
	store.NegotiationFinal: true, store.NegotiationAccepted: true, store.NegotiationClosed: true}

// InsertNegotiation implements store.Tx.
func (t *Tx) InsertNegotiation(ctx context.Context, n *store.Negotiation) error {
	if n.ID == "" {
		n.ID = ids.New(ids.Negotiation)
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = t.now
	}
	if n.UpdatedAt.IsZero() {
		n.UpdatedAt = n.CreatedAt
	}
	n.State = orEmptyObject(n.State)
	_, err := t.Exec(ctx, `INSERT INTO negotiations (`+negotiationCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		n.ID, n.CustomerID, string(n.Currency), n.Status, n.Round, n.AsOf, n.ExpiresOn, string(n.State),
		nullString(n.PlanID), n.CreatedAt.UTC(), n.UpdatedAt.UTC())
	return err
}

// Negotiation implements store.Tx. With forUpdate, PostgreSQL locks the
// row until the transaction ends; SQLite needs no lock (every transaction
// holds the database's write lock from BEGIN IMMEDIATE).
func (t *Tx) Negotiation(ctx context.Context, id string, forUpdate bool) (*store.Negotiation, error) {
	q := `SELECT ` + negotiationCols + ` FROM negotiations WHERE id = ?`
	if forUpdate && t.s.dialect.Engine() == "postgres" {
		q += ` FOR UPDATE`
	}
	n, err := scanNegotiation(t.queryRow(ctx, q, id))
	if isNoRows(err) {
		return nil, notFound("negotiation", id)
	}
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// UpdateNegotiation implements store.Tx. UpdatedAt becomes the
// transaction's clock.
func (t *Tx) UpdateNegotiation(ctx context.Context, n *store.Negotiation, prevRound int) error {
	n.UpdatedAt = t.now
	n.State = orEmptyObject(n.State)
	res, err := t.Exec(ctx, `UPDATE negotiations SET status = ?, round = ?, state = ?, plan_id = ?, updated_at = ? WHERE id = ? AND round = ?`,
		n.Status, n.Round, string(n.State), nullString(n.PlanID), n.UpdatedAt.UTC(), n.ID, prevRound)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k > 0 {
		return nil
	}
	var one int
	err = t.queryRow(ctx, `SELECT 1 FROM negotiations WHERE id = ?`, n.ID).Scan(&one)
	if isNoRows(err) {
		return notFound("negotiation", n.ID)
	}
	if err != nil {
		return err
	}
	return apperr.Errorf(apperr.Conflict, "negotiation %s changed meanwhile; reload it", n.ID)
}

// Negotiations implements store.Tx.
func (t *Tx) Negotiations(ctx context.Context, f store.NegotiationFilter) ([]store.Negotiation, string, error) {
	if f.Status != "" && !negotiationStatuses[f.Status] {
		return nil, "", apperr.Field("status", "%q must be open, agreed, final, accepted or closed", f.Status)
	}
	var c conds
	c.eq("customer_id", f.CustomerID)
	c.eq("status", f.Status)
	rows, limit, err := t.listRows(ctx, negotiationCols, "negotiations", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanNegotiation, func(v store.Negotiation) string { return v.ID })
}

// AppendNegotiationRound implements store.Tx.
func (t *Tx) AppendNegotiationRound(ctx context.Context, r *store.NegotiationRound) error {
	if r.At.IsZero() {
		r.At = t.now
	}
	r.Request, r.Response = orEmptyObject(r.Request), orEmptyObject(r.Response)
	_, err := t.Exec(ctx, `INSERT INTO negotiation_rounds (negotiation_id, round, decision, request, response, actor, at) VALUES (?,?,?,?,?,?,?)`,
		r.NegotiationID, r.Round, r.Decision, string(r.Request), string(r.Response), r.Actor, r.At.UTC())
	if t.s.dialect.IsUniqueViolation(err) {
		return apperr.Errorf(apperr.Conflict, "round %d of negotiation %s is recorded already", r.Round, r.NegotiationID)
	}
	return err
}

// NegotiationRounds implements store.Tx.
func (t *Tx) NegotiationRounds(ctx context.Context, negotiationID string) ([]store.NegotiationRound, error) {
	rows, err := t.query(ctx, `SELECT negotiation_id, round, decision, request, response, actor, at FROM negotiation_rounds
		WHERE negotiation_id = ? ORDER BY round`, negotiationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.NegotiationRound
	for rows.Next() {
		var r store.NegotiationRound
		var req, resp string
		if err := rows.Scan(&r.NegotiationID, &r.Round, &r.Decision, &req, &resp, &r.Actor, &r.At); err != nil {
			return nil, err
		}
		r.Request, r.Response, r.At = []byte(req), []byte(resp), r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
