package sqldb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ids"
	"settle/internal/store"
)

// nullTime is a nullable instant column's argument: NULL for nil, else UTC.
func nullTime(p *time.Time) any {
	if p == nil {
		return nil
	}
	return p.UTC()
}

// timePtr reads a nullable instant column (nil for NULL), in UTC.
func timePtr(nt sql.NullTime) *time.Time {
	if !nt.Valid {
		return nil
	}
	t := nt.Time.UTC()
	return &t
}

// ---- runs ---------------------------------------------------------------------------

const runCols = `id, as_of, status, customers, done, messages, tasks, events, started_at, finished_at`

func scanRun(sc scanner) (store.Run, error) {
	var r store.Run
	var finished sql.NullTime
	err := sc.Scan(&r.ID, &r.AsOf, &r.Status, &r.Customers, &r.Done, &r.Messages, &r.Tasks, &r.Events, &r.StartedAt, &finished)
	r.StartedAt, r.FinishedAt = r.StartedAt.UTC(), timePtr(finished)
	return r, err
}

// InsertRun implements store.Tx. An empty Status is running and a zero
// StartedAt the transaction's clock. When the date has a run already,
// nothing is written and r.ID is set to that run's id. The run returned is
// the stored one, read back.
func (t *Tx) InsertRun(ctx context.Context, r *store.Run) (*store.Run, bool, error) {
	if r.ID == "" {
		r.ID = ids.New(ids.Run)
	}
	if r.Status == "" {
		r.Status = store.RunRunning
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = t.now
	}
	res, err := t.Exec(ctx, `INSERT INTO runs (`+runCols+`) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (as_of) DO NOTHING`,
		r.ID, r.AsOf, r.Status, r.Customers, r.Done, r.Messages, r.Tasks, r.Events, r.StartedAt.UTC(), nullTime(r.FinishedAt))
	if err != nil {
		return nil, false, err
	}
	n, _ := res.RowsAffected()
	// Only a stored as_of makes the INSERT do nothing.
	stored, err := scanRun(t.queryRow(ctx, `SELECT `+runCols+` FROM runs WHERE as_of = ?`, r.AsOf))
	if err != nil {
		return nil, false, fmt.Errorf("run of %s: %w", r.AsOf, err)
	}
	r.ID = stored.ID
	return &stored, n > 0, nil
}

// Run implements store.Tx: idOrDate is a run id (run_…) or a date
// (YYYY-MM-DD); anything else is not found.
func (t *Tx) Run(ctx context.Context, idOrDate string) (*store.Run, error) {
	var col string
	var arg any
	if ids.HasPrefix(idOrDate, ids.Run) {
		col, arg = "id", idOrDate
	} else if d, err := civil.Parse(idOrDate); err == nil {
		col, arg = "as_of", d
	} else {
		return nil, notFound("run", idOrDate)
	}
	r, err := scanRun(t.queryRow(ctx, `SELECT `+runCols+` FROM runs WHERE `+col+` = ?`, arg))
	if isNoRows(err) {
		return nil, notFound("run", idOrDate)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateRunCounts implements store.Tx. An empty status keeps the stored
// one; a nil finishedAt keeps the stored finish time.
func (t *Tx) UpdateRunCounts(ctx context.Context, id string, done, messages, tasks, events int, status string, finishedAt *time.Time) error {
	q := `UPDATE runs SET done = done + ?, messages = messages + ?, tasks = tasks + ?, events = events + ?`
	args := []any{done, messages, tasks, events}
	if status != "" {
		q, args = q+`, status = ?`, append(args, status)
	}
	if finishedAt != nil {
		q, args = q+`, finished_at = ?`, append(args, finishedAt.UTC())
	}
	res, err := t.Exec(ctx, q+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("run", id)
	}
	return nil
}

// AddRunCustomers implements store.Tx: multi-row INSERTs of up to
// bulkChunk rows that skip customers the run has already. The run's
// Customers count grows by the number of customers actually added.
func (t *Tx) AddRunCustomers(ctx context.Context, runID string, customerIDs []string) error {
	var added int64
	args := make([]any, 0, 2*min(len(customerIDs), bulkChunk))
	for start := 0; start < len(customerIDs); start += bulkChunk {
		end := min(start+bulkChunk, len(customerIDs))
		args = args[:0]
		for _, id := range customerIDs[start:end] {
			args = append(args, runID, id)
		}
		res, err := t.Exec(ctx, multiInsert("run_customers", "run_id, customer_id", 2, end-start)+` ON CONFLICT (run_id, customer_id) DO NOTHING`, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		added += n
	}
	if added == 0 {
		return nil
	}
	_, err := t.Exec(ctx, `UPDATE runs SET customers = customers + ? WHERE id = ?`, added, runID)
	return err
}

// ClaimRunCustomers implements store.Tx. One statement picks up to limit
// customers in customer_id order, pending and either unclaimed or claimed
// before staleBefore, and claims them for worker at the transaction's
// clock. On PostgreSQL the pick locks its rows FOR UPDATE SKIP LOCKED:
// a concurrent claim passes over them instead of waiting, and one that
// reads them after this transaction commits sees them claimed. The pick is
// a MATERIALIZED CTE so that it runs exactly once. SQLite runs one writer
// at a time and needs no lock.
func (t *Tx) ClaimRunCustomers(ctx context.Context, runID, worker string, limit int, staleBefore time.Time) ([]string, error) {
	if worker == "" {
		return nil, errors.New("store: ClaimRunCustomers: empty worker")
	}
	if limit <= 0 {
		return nil, nil
	}
	lock := t.skipLocked()
	out, err := t.stringColumn(ctx, `WITH picked AS MATERIALIZED (
			SELECT customer_id FROM run_customers
			WHERE run_id = ? AND status = 'pending' AND (claimed_by = '' OR claimed_at < ?)
			ORDER BY customer_id LIMIT ?`+lock+`)
		UPDATE run_customers SET claimed_by = ?, claimed_at = ?
		WHERE run_id = ? AND customer_id IN (SELECT customer_id FROM picked)
		RETURNING customer_id`,
		runID, staleBefore.UTC(), limit, worker, t.now.UTC(), runID)
	if err != nil {
		return nil, err
	}
	slices.Sort(out) // RETURNING has no order
	return out, nil
}

// PendingRunCustomers implements store.Tx.
func (t *Tx) PendingRunCustomers(ctx context.Context, runID, after string, limit int, staleBefore time.Time) ([]string, error) {
	return t.stringColumn(ctx, `SELECT customer_id FROM run_customers
		WHERE run_id = ? AND status = 'pending' AND (claimed_by = '' OR claimed_at < ?) AND customer_id > ?
		ORDER BY customer_id LIMIT ?`, runID, staleBefore.UTC(), after, limit)
}

// TakeRunCustomers implements store.Tx.
func (t *Tx) TakeRunCustomers(ctx context.Context, runID, worker string, customerIDs []string, staleBefore time.Time) ([]string, error) {
	if worker == "" {
		return nil, errors.New("store: TakeRunCustomers: empty worker")
	}
	var out []string
	for start := 0; start < len(customerIDs); start += bulkChunk {
		end := min(start+bulkChunk, len(customerIDs))
		args := []any{worker, t.now.UTC(), runID, worker, staleBefore.UTC()}
		for _, id := range customerIDs[start:end] {
			args = append(args, id)
		}
		ids, err := t.stringColumn(ctx, `UPDATE run_customers SET status = 'done', claimed_by = ?, claimed_at = ?
			WHERE run_id = ? AND status = 'pending' AND (claimed_by = '' OR claimed_by = ? OR claimed_at < ?)
				AND customer_id IN (`+placeholders(end-start)+`)
			RETURNING customer_id`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	slices.Sort(out)
	return out, nil
}

// FinishRunCustomer implements store.Tx.
func (t *Tx) FinishRunCustomer(ctx context.Context, runID, customerID string) error {
	res, err := t.Exec(ctx, `UPDATE run_customers SET status = 'done' WHERE run_id = ? AND customer_id = ?`, runID, customerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("customer of run "+runID, customerID)
	}
	return nil
}

// ---- collection steps ---------------------------------------------------------------

const collectionStepCols = `subject_id, step, run_id, on_date, message_id, task_id, customer_id`

// InsertCollectionStep implements store.Tx. A step the subject has already
// is skipped by ON CONFLICT DO NOTHING, which is no error: on PostgreSQL
// the transaction stays usable.
func (t *Tx) InsertCollectionStep(ctx context.Context, s *store.CollectionStep) (bool, error) {
	res, err := t.Exec(ctx, `INSERT INTO collection_steps (`+collectionStepCols+`) VALUES (?,?,?,?,?,?,?) ON CONFLICT (subject_id, step) DO NOTHING`,
		s.SubjectID, s.Step, s.RunID, s.On, nullString(s.MessageID), nullString(s.TaskID), s.CustomerID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// CollectionSteps implements store.Tx: subject → its steps, by date then
// step. Subjects without steps are absent from the map.
func (t *Tx) CollectionSteps(ctx context.Context, subjectIDs []string) (map[string][]store.CollectionStep, error) {
	subjects := slices.Clone(subjectIDs)
	slices.Sort(subjects)
	subjects = slices.Compact(subjects)
	out := map[string][]store.CollectionStep{}
	for start := 0; start < len(subjects); start += bulkChunk {
		end := min(start+bulkChunk, len(subjects))
		args := make([]any, 0, end-start)
		for _, id := range subjects[start:end] {
			args = append(args, id)
		}
		rows, err := t.query(ctx, `SELECT `+collectionStepCols+` FROM collection_steps WHERE subject_id IN (`+placeholders(end-start)+`)
			ORDER BY subject_id, on_date, step`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s store.CollectionStep
			var msg, task sql.NullString
			if err := rows.Scan(&s.SubjectID, &s.Step, &s.RunID, &s.On, &msg, &task, &s.CustomerID); err != nil {
				rows.Close()
				return nil, err
			}
			s.MessageID, s.TaskID = msg.String, task.String
			out[s.SubjectID] = append(out[s.SubjectID], s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- tasks --------------------------------------------------------------------------

const taskCols = `id, customer_id, queue, kind, due_at, priority, status, reason, run_id, dedupe_key, claimed_by, claimed_at, outcome, note, done_at, created_at, invoice_ids, status_reason`

func scanTask(sc scanner) (store.Task, error) {
	var k store.Task
	var runID, dedupe sql.NullString
	var claimedAt, doneAt sql.NullTime
	var invoiceIDs string
	err := sc.Scan(&k.ID, &k.CustomerID, &k.Queue, &k.Kind, &k.DueAt, &k.Priority, &k.Status, &k.Reason, &runID, &dedupe,
		&k.ClaimedBy, &claimedAt, &k.Outcome, &k.Note, &doneAt, &k.CreatedAt, &invoiceIDs, &k.StatusReason)
	if err != nil {
		return k, err
	}
	if k.InvoiceIDs, err = parseStringList(invoiceIDs); err != nil {
		return k, fmt.Errorf("task %s: invoice_ids: %w", k.ID, err)
	}
	k.DueAt, k.CreatedAt = k.DueAt.UTC(), k.CreatedAt.UTC()
	k.RunID, k.DedupeKey = runID.String, dedupe.String
	k.ClaimedAt, k.DoneAt = timePtr(claimedAt), timePtr(doneAt)
	return k, err
}

var taskStatuses = map[string]bool{store.TaskOpen: true, store.TaskClaimed: true, store.TaskDone: true, store.TaskWithdrawn: true}

// InsertTask implements store.Tx. An empty Status is open. When a task
// with k.DedupeKey is stored already, nothing is written and k.ID is set
// to that task's id.
func (t *Tx) InsertTask(ctx context.Context, k *store.Task) (string, bool, error) {
	row, err := t.taskRow(k)
	if err != nil {
		return "", false, err
	}
	n, err := t.execCount(ctx, `INSERT INTO tasks (`+taskCols+`) VALUES (`+placeholders(taskColumns)+`) ON CONFLICT (dedupe_key) DO NOTHING`, row...)
	if err != nil {
		return "", false, err
	}
	if n > 0 {
		return k.ID, true, nil
	}
	// Only a stored dedupe_key makes the INSERT do nothing.
	var id string
	if err := t.queryRow(ctx, `SELECT id FROM tasks WHERE dedupe_key = ?`, k.DedupeKey).Scan(&id); err != nil {
		return "", false, fmt.Errorf("task with dedupe key %q: %w", k.DedupeKey, err)
	}
	k.ID = id
	return id, false, nil
}

// taskColumns is how many columns taskCols names.
const taskColumns = 18

// taskRow fills a new task's defaults (id, open, created now) and returns
// its values in taskCols order.
func (t *Tx) taskRow(k *store.Task) ([]any, error) {
	if k.ID == "" {
		k.ID = ids.New(ids.Task)
	}
	if k.Status == "" {
		k.Status = store.TaskOpen
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = t.now
	}
	invoiceIDs, err := stringList(k.InvoiceIDs)
	if err != nil {
		return nil, err
	}
	return []any{k.ID, k.CustomerID, k.Queue, k.Kind, k.DueAt.UTC(), k.Priority, k.Status, k.Reason, nullString(k.RunID),
		nullString(k.DedupeKey), k.ClaimedBy, nullTime(k.ClaimedAt), k.Outcome, k.Note, nullTime(k.DoneAt), k.CreatedAt.UTC(), invoiceIDs, k.StatusReason}, nil
}

// InsertTasks implements store.Tx: multi-row INSERTs.
func (t *Tx) InsertTasks(ctx context.Context, ks []*store.Task) (int, error) {
	const per = bulkChunk / taskColumns
	created := 0
	for start := 0; start < len(ks); start += per {
		end := min(start+per, len(ks))
		args := make([]any, 0, taskColumns*(end-start))
		for _, k := range ks[start:end] {
			row, err := t.taskRow(k)
			if err != nil {
				return created, err
			}
			args = append(args, row...)
		}
		n, err := t.execCount(ctx, multiInsert("tasks", taskCols, taskColumns, end-start)+` ON CONFLICT (dedupe_key) DO NOTHING`, args...)
		if err != nil {
			return created, err
		}
		created += n
	}
	return created, nil
}

// Task implements store.Tx.
func (t *Tx) Task(ctx context.Context, id string) (*store.Task, error) {
	k, err := scanTask(t.queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("task", id)
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// TaskForUpdate implements store.Tx. SQLite needs no lock: its writers
// are serialised already.
func (t *Tx) TaskForUpdate(ctx context.Context, id string) (*store.Task, error) {
	lock := ""
	if t.s.dialect.Engine() == "postgres" {
		lock = " FOR UPDATE"
	}
	k, err := scanTask(t.queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE id = ?`+lock, id))
	if isNoRows(err) {
		return nil, notFound("task", id)
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// UpdateTask implements store.Tx: Status, ClaimedBy, ClaimedAt, Outcome,
// Note and DoneAt.
func (t *Tx) UpdateTask(ctx context.Context, k *store.Task) error {
	res, err := t.Exec(ctx, `UPDATE tasks SET status = ?, claimed_by = ?, claimed_at = ?, outcome = ?, note = ?, done_at = ?, status_reason = ? WHERE id = ?`,
		k.Status, k.ClaimedBy, nullTime(k.ClaimedAt), k.Outcome, k.Note, nullTime(k.DoneAt), k.StatusReason, k.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("task", k.ID)
	}
	return nil
}

// taskCursor is the position of a task in list order (priority
// descending, then due time, then id): an opaque cursor encodes the last
// task of a page.
type taskCursor struct {
	priority int64
	dueAt    time.Time
	id       string
}

func (c taskCursor) String() string {
	raw := strconv.FormatInt(c.priority, 10) + "|" + c.dueAt.UTC().Format(time.RFC3339Nano) + "|" + c.id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseTaskCursor(s string) (taskCursor, error) {
	bad := apperr.Field("cursor", "%q is not a cursor of this list", s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return taskCursor{}, bad
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return taskCursor{}, bad
	}
	p, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return taskCursor{}, bad
	}
	due, err := time.Parse(time.RFC3339Nano, parts[1])
	if err != nil || !ids.HasPrefix(parts[2], ids.Task) {
		return taskCursor{}, bad
	}
	return taskCursor{priority: p, dueAt: due.UTC(), id: parts[2]}, nil
}

// Tasks implements store.Tx. Cursors are opaque: they encode the
// priority, due time and id of the last task of the page before.
func (t *Tx) Tasks(ctx context.Context, f store.TaskFilter) ([]store.Task, string, error) {
	if f.Status != "" && !taskStatuses[f.Status] {
		return nil, "", apperr.Field("status", "%q must be open, claimed, done or withdrawn", f.Status)
	}
	var c conds
	c.eq("queue", f.Queue)
	c.eq("customer_id", f.CustomerID)
	c.eq("status", f.Status)
	if f.Cursor != "" {
		cur, err := parseTaskCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		// After the cursor in (priority DESC, due_at, id) order. The mixed
		// directions rule out a row comparison; the redundant first bound
		// lets an index on (…, priority DESC, …) start at the cursor.
		c.where = append(c.where, `priority <= ? AND (priority < ? OR (priority = ? AND (due_at > ? OR (due_at = ? AND id > ?))))`)
		c.args = append(c.args, cur.priority, cur.priority, cur.priority, cur.dueAt, cur.dueAt, cur.id)
	}
	limit := limitOf(f.Page)
	rows, err := t.query(ctx, `SELECT `+taskCols+` FROM tasks`+whereClause(c.where)+` ORDER BY priority DESC, due_at, id LIMIT ?`,
		append(c.args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanTask, func(k store.Task) string {
		return taskCursor{priority: k.Priority, dueAt: k.DueAt, id: k.ID}.String()
	})
}

// InsertCollectionSteps implements store.Tx: one multi-row INSERT … ON
// CONFLICT DO NOTHING per chunk; RETURNING names the rows inserted.
func (t *Tx) InsertCollectionSteps(ctx context.Context, steps []store.CollectionStep) ([]bool, error) {
	created := make([]bool, len(steps))
	const per = bulkChunk / 7 // rows per statement: 7 parameters each
	for start := 0; start < len(steps); start += per {
		end := min(start+per, len(steps))
		var b strings.Builder
		args := make([]any, 0, (end-start)*6)
		b.WriteString(`INSERT INTO collection_steps (` + collectionStepCols + `) VALUES `)
		for i, s := range steps[start:end] {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(?,?,?,?,?,?,?)")
			args = append(args, s.SubjectID, s.Step, s.RunID, s.On, nullString(s.MessageID), nullString(s.TaskID), s.CustomerID)
		}
		b.WriteString(` ON CONFLICT (subject_id, step) DO NOTHING RETURNING subject_id, step`)
		rows, err := t.query(ctx, b.String(), args...)
		if err != nil {
			return nil, err
		}
		fresh := map[[2]string]bool{}
		for rows.Next() {
			var k [2]string
			if err := rows.Scan(&k[0], &k[1]); err != nil {
				rows.Close()
				return nil, err
			}
			fresh[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i := start; i < end; i++ {
			k := [2]string{steps[i].SubjectID, steps[i].Step}
			if fresh[k] {
				created[i] = true
				delete(fresh, k) // a step listed twice is new once
			}
		}
	}
	return created, nil
}

// StepsDoneFor implements store.Tx: the index (customer_id, subject_id,
// step) holds all it reads, one range per customer.
func (t *Tx) StepsDoneFor(ctx context.Context, customerIDs []string) (map[string]map[string]bool, error) {
	type row struct{ subject, step string }
	rows, err := byCustomers(ctx, t, `SELECT customer_id, subject_id, step FROM collection_steps WHERE customer_id IN (`, "customer_id", customerIDs,
		func(sc scanner) (row, error) {
			var r row
			var customer string
			err := sc.Scan(&customer, &r.subject, &r.step)
			return r, err
		}, func(row) string { return "" })
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	for _, r := range rows[""] {
		if out[r.subject] == nil {
			out[r.subject] = map[string]bool{}
		}
		out[r.subject][r.step] = true
	}
	return out, nil
}

// FinishRunCustomers implements store.Tx.
func (t *Tx) FinishRunCustomers(ctx context.Context, runID string, customerIDs []string) error {
	for start := 0; start < len(customerIDs); start += bulkChunk {
		end := min(start+bulkChunk, len(customerIDs))
		args := []any{runID}
		for _, id := range customerIDs[start:end] {
			args = append(args, id)
		}
		if _, err := t.Exec(ctx, `UPDATE run_customers SET status = 'done' WHERE run_id = ? AND customer_id IN (`+placeholders(end-start)+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}
