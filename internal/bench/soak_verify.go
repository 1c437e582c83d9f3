package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SoakReport is what the soak measured and checked.
type SoakReport struct {
	Database     string              `json:"database"`
	Instances    int                 `json:"instances"`
	Workers      int                 `json:"workers"`
	Seed         uint64              `json:"seed"`
	KillEvery    string              `json:"kill_every"`
	SetupSeconds float64             `json:"setup_seconds"`
	LoadSeconds  float64             `json:"load_seconds"`
	DrainSeconds float64             `json:"drain_seconds"`
	PerSecond    float64             `json:"requests_per_second"`
	Ops          map[string]*OpStats `json:"ops"`
	Overall      OpStats             `json:"overall"`
	Errors       map[string]int      `json:"errors"`  // by class: connection, 409 key in progress, 5xx at a kill, 5xx, "4xx operation"
	Samples      map[string]string   `json:"samples"` // the first request and answer of each 4xx class
	Kills        []KillWindow        `json:"kills"`
	Checked      map[string]int      `json:"checked"` // rows checked per kind
	InDoubt      map[string]int      `json:"in_doubt"`
	// Legitimate duplicates and stuck claims: at-least-once delivery by a
	// process killed between sending and recording (ids).
	EmailDuplicatesAtKill   []string `json:"email_duplicates_at_kill"`
	EmailsStuckAtKill       []string `json:"emails_stuck_at_kill"`
	WebhookDuplicatesAtKill []string `json:"webhook_duplicates_at_kill"`
	WebhooksStuckAtKill     []string `json:"webhooks_stuck_at_kill"`
	Violations              []string `json:"violations"`

	mu sync.Mutex
}

// OpStats are one operation's figures. Requests counts HTTP exchanges
// answered (retries included); latencies are over those.
type OpStats struct {
	Requests   int     `json:"requests"`
	Acked      int     `json:"acknowledged"`
	Rejected   int     `json:"rejected"`
	InDoubt    int     `json:"in_doubt"`
	ConnErrors int     `json:"connection_errors"`
	P50ms      float64 `json:"p50_ms"`
	P95ms      float64 `json:"p95_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
}

func (r *SoakReport) violate(format string, a ...any) {
	r.mu.Lock()
	r.Violations = append(r.Violations, fmt.Sprintf(format, a...))
	r.mu.Unlock()
}

// drain waits until no email or webhook delivery is due except those
// claimed by a killed process (their claims go stale after 10 and 5
// minutes).
func (s *soak) drain(ctx context.Context, deadline time.Time) {
	for time.Now().Before(deadline) && ctx.Err() == nil {
		dead := s.killedPIDs()
		n := 0
		for _, q := range []string{
			`SELECT claimed_by FROM messages WHERE channel = 'email' AND status = 'queued' AND scheduled_for <= now() AND (next_attempt_at IS NULL OR next_attempt_at <= now())`,
			`SELECT claimed_by FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()`,
		} {
			claims, err := queryStrings(ctx, s.db, q)
			if err != nil {
				s.rep.violate("drain: %v", err)
				return
			}
			for _, c := range claims {
				if !dead[claimPID(c)] {
					n++
				}
			}
		}
		if n == 0 {
			return
		}
		time.Sleep(2 * time.Second)
	}
}

// claimPID is the process id in a worker name (host/pid/role).
func claimPID(worker string) int {
	parts := strings.Split(worker, "/")
	if len(parts) < 3 {
		return 0
	}
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	return pid
}

func queryStrings(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// counts runs q (key, count) into a map.
func counts(ctx context.Context, db *sql.DB, q string, args ...any) (map[string]int, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// expect checks that a write the client knows as o exists n times.
func (s *soak) expect(kind, key string, o outcome, n int) {
	ok := false
	switch o {
	case acked, executed:
		ok = n == 1
	case inDoubt:
		ok = n <= 1
		s.rep.mu.Lock()
		s.rep.InDoubt[kind]++
		s.rep.mu.Unlock()
	default:
		ok = n == 0
	}
	if !ok {
		s.rep.violate("%s %s: %s by the client, %d in the database", kind, key, o, n)
	}
}

// verify checks the database, the SMTP sink and the webhook receiver
// against what the load generator was told.
func (s *soak) verify(ctx context.Context, lb *balancer) error {
	rep := s.rep
	rep.Checked, rep.InDoubt = map[string]int{}, map[string]int{}
	lb.mu.Lock()
	defer lb.mu.Unlock()

	// Writes: acknowledged exactly once, in doubt at most once, never
	// sent (or refused) not at all.
	type check struct {
		kind, q string
		want    map[string]outcome
	}
	invOut := map[string]outcome{}
	for k, v := range lb.invoices {
		invOut[k] = v.outcome
	}
	payOut := map[string]outcome{}
	for k, v := range lb.payments {
		payOut[k] = v.outcome
	}
	negOut := map[string]outcome{}
	for _, n := range lb.negs {
		negOut[n.customer] = n.open
	}
	have := map[string]map[string]int{}
	for _, c := range []check{
		{"customer", `SELECT external_ref, count(*) FROM customers GROUP BY external_ref`, lb.cust},
		{"invoice", `SELECT number, count(*) FROM invoices GROUP BY number`, invOut},
		{"payment", `SELECT reference, count(*) FROM payments GROUP BY reference`, payOut},
		{"promise", `SELECT note, count(*) FROM promises GROUP BY note`, lb.promises},
		{"negotiation", `SELECT c.external_ref, count(*) FROM negotiations n JOIN customers c ON c.id = n.customer_id GROUP BY c.external_ref`, negOut},
	} {
		got, err := counts(ctx, s.db, c.q)
		if err != nil {
			return err
		}
		have[c.kind] = got
		for k, o := range c.want {
			s.expect(c.kind, k, o, got[k])
		}
		for k, n := range got {
			if _, ok := c.want[k]; !ok && !(c.kind == "negotiation" && n == 0) {
				rep.violate("%s %s: in the database %d times but never sent", c.kind, k, n)
			}
		}
		rep.Checked[c.kind] = len(c.want)
	}

	// Plans: one per accepted negotiation, one more per renegotiation,
	// each in the state the client left it.
	plans, err := counts(ctx, s.db, `SELECT c.external_ref, count(*) FROM plans p JOIN customers c ON c.id = p.customer_id GROUP BY c.external_ref`)
	if err != nil {
		return err
	}
	status, err := counts(ctx, s.db, `SELECT id || ' ' || status, 1 FROM plans`)
	if err != nil {
		return err
	}
	planStatus := map[string]string{}
	for k := range status {
		id, st, _ := strings.Cut(k, " ")
		planStatus[id] = st
	}
	negPlan, err := counts(ctx, s.db, `SELECT id || ' ' || status || ' ' || coalesce(plan_id, ''), 1 FROM negotiations`)
	if err != nil {
		return err
	}
	negState := map[string][2]string{}
	for k := range negPlan {
		f := strings.Fields(k + " ")
		if len(f) == 2 {
			f = append(f, "")
		}
		negState[f[0]] = [2]string{f[1], f[2]}
	}
	for _, n := range lb.negs {
		lo, hi := 0, 0
		for _, o := range []outcome{n.accept, n.renegotiate} {
			switch o {
			case acked, executed:
				lo++
				hi++
			case inDoubt:
				hi++
			}
		}
		if got := plans[n.customer]; got < lo || got > hi {
			rep.violate("plans of %s: %d in the database, want %d..%d (accept %s, renegotiate %s)", n.customer, got, lo, hi, n.accept, n.renegotiate)
		}
		rep.Checked["plan"] += lo
		if n.accept == acked {
			if st := negState[n.negID]; st[0] != "accepted" || st[1] != n.planID {
				rep.violate("negotiation %s: status %q plan %q, want accepted with plan %s", n.negID, st[0], st[1], n.planID)
			}
			want := "proposed"
			switch {
			case n.cancel == acked:
				want = "cancelled"
			case n.renegotiate == acked:
				want = "superseded"
			case n.planAccept == acked && n.cancel == notSent && n.renegotiate == notSent:
				want = "active"
			case n.planAccept != notSent || n.cancel != notSent || n.renegotiate != notSent:
				want = "" // in doubt or refused: not checked
			}
			if want != "" && planStatus[n.planID] != want {
				rep.violate("plan %s: status %q, want %q", n.planID, planStatus[n.planID], want)
			}
			if n.newPlanID != "" && planStatus[n.newPlanID] != "proposed" {
				rep.violate("plan %s (renegotiated): status %q, want proposed", n.newPlanID, planStatus[n.newPlanID])
			}
		}
	}

	// Ledger invariants.
	for _, inv := range []struct{ name, q string }{
		{"a payment's allocations exceed it or disagree with its unapplied amount",
			`SELECT p.id FROM payments p LEFT JOIN allocations a ON a.payment_id = p.id GROUP BY p.id, p.amount_minor, p.unapplied_minor
			 HAVING coalesce(sum(a.amount_minor), 0) > p.amount_minor OR coalesce(sum(a.amount_minor), 0) <> p.amount_minor - p.unapplied_minor`},
		{"an invoice's allocations exceed it or disagree with its balance",
			`SELECT i.number FROM invoices i LEFT JOIN allocations a ON a.invoice_id = i.id WHERE i.voided_on IS NULL
			 GROUP BY i.id, i.number, i.amount_minor, i.balance_minor
			 HAVING coalesce(sum(a.amount_minor), 0) > i.amount_minor OR i.balance_minor <> i.amount_minor - coalesce(sum(a.amount_minor), 0)`},
		{"a customer's balance is not its invoices less their allocations",
			`SELECT c.external_ref FROM customers c
			 WHERE (SELECT coalesce(sum(balance_minor), 0) FROM invoices WHERE customer_id = c.id AND voided_on IS NULL) <>
			       (SELECT coalesce(sum(amount_minor), 0) FROM invoices WHERE customer_id = c.id AND voided_on IS NULL) -
			       (SELECT coalesce(sum(amount_minor), 0) FROM allocations WHERE customer_id = c.id)`},
		{"an allocation belongs to another customer than its payment or invoice",
			`SELECT a.payment_id FROM allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id
			 WHERE p.customer_id <> a.customer_id OR i.customer_id <> a.customer_id`},
	} {
		bad, err := queryStrings(ctx, s.db, inv.q)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			rep.violate("ledger: %s: %d, e.g. %s", inv.name, len(bad), strings.Join(bad[:min(5, len(bad))], ", "))
		}
	}
	// Independently of settle's arithmetic: what a customer owes net of
	// credit is what the client invoiced less what it paid (customers
	// without plans; writes in doubt counted as the database has them).
	inPlan := map[string]bool{}
	for _, n := range lb.negs {
		inPlan[n.customer] = true
	}
	want := map[string]int64{}
	for num, in := range lb.invoices {
		if in.outcome == acked || in.outcome == executed || (in.outcome == inDoubt && have["invoice"][num] == 1) {
			want[in.customer] += in.minor
		}
	}
	for ref, p := range lb.payments {
		if p.outcome == acked || p.outcome == executed || (p.outcome == inDoubt && have["payment"][ref] == 1) {
			want[p.customer] -= p.minor
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.external_ref,
		(SELECT coalesce(sum(balance_minor), 0) FROM invoices WHERE customer_id = c.id) -
		(SELECT coalesce(sum(unapplied_minor), 0) FROM payments WHERE customer_id = c.id) FROM customers c`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var ref string
		var net int64
		if err := rows.Scan(&ref, &net); err != nil {
			rows.Close()
			return err
		}
		if inPlan[ref] {
			continue
		}
		rep.Checked["customer balance"]++
		if net != want[ref] {
			rep.violate("customer %s owes %s net of credit, want %s (invoiced less paid)", ref, money(net), money(want[ref]))
		}
	}
	rows.Close()

	if err := s.verifyRuns(ctx, lb); err != nil {
		return err
	}
	if err := s.verifyEmails(ctx); err != nil {
		return err
	}
	return s.verifyWebhooks(ctx)
}

// verifyRuns: one run per date, done, the same run for every answer.
func (s *soak) verifyRuns(ctx context.Context, lb *balancer) error {
	rep := s.rep
	rows, err := s.db.QueryContext(ctx, `SELECT to_char(as_of, 'YYYY-MM-DD'), id, status, customers, done,
		(SELECT count(*) FROM run_customers rc WHERE rc.run_id = r.id AND rc.status <> 'done') FROM runs r`)
	if err != nil {
		return err
	}
	type run struct {
		id, status               string
		customers, done, pending int
	}
	got := map[string][]run{}
	for rows.Next() {
		var d string
		var r run
		if err := rows.Scan(&d, &r.id, &r.status, &r.customers, &r.done, &r.pending); err != nil {
			rows.Close()
			return err
		}
		got[d] = append(got[d], r)
	}
	rows.Close()
	for d, rs := range got {
		if len(rs) > 1 {
			rep.violate("run %s: %d runs for one date", d, len(rs))
		}
		if _, ok := lb.runs[d]; !ok {
			rep.violate("run %s: in the database but never asked for", d)
		}
	}
	for d, ri := range lb.runs {
		rep.Checked["run"]++
		rs := got[d]
		anyAcked := len(ri.ids) > 0
		doubt := false
		for _, o := range ri.outcomes {
			doubt = doubt || o == inDoubt
			anyAcked = anyAcked || o == executed
		}
		switch {
		case anyAcked && len(rs) != 1:
			rep.violate("run %s: acknowledged, %d in the database", d, len(rs))
			continue
		case len(rs) == 0:
			if !doubt {
				rep.violate("run %s: asked for (%v), none in the database", d, ri.outcomes)
			}
			continue
		}
		r := rs[0]
		for _, id := range ri.ids {
			if id != r.id {
				rep.violate("run %s: answered as %s, the database has %s", d, id, r.id)
			}
		}
		if anyAcked && (r.status != "done" || r.pending > 0 || r.done != r.customers) {
			rep.violate("run %s: acknowledged but %s with %d of %d customers done (%d pending)", d, r.status, r.done, r.customers, r.pending)
		}
		if doubt {
			rep.InDoubt["run"]++
		}
	}
	return nil
}

// How long a delivery claim lasts before another sender takes it over
// (service.DeliverEmails, service.DeliverWebhooks).
const (
	emailStale   = 10 * time.Minute
	webhookStale = 5 * time.Minute
)

// resentAfterKill says whether a second delivery at second of what was
// first delivered at first is the at-least-once resend settle does: the
// sender was killed right after sending (before it could record it), and
// the message went out again once its claim had gone stale. Anything else
// — a resend sooner, or without a kill — is a duplicate settle must not
// make.
func (s *soak) resentAfterKill(first, second time.Time, stale time.Duration) bool {
	if second.Sub(first) < stale-30*time.Second {
		return false
	}
	s.kmu.Lock()
	defer s.kmu.Unlock()
	for _, w := range s.kills {
		if !w.Killed.Before(first.Add(-time.Second)) && !w.Killed.After(first.Add(5*time.Second)) {
			return true
		}
	}
	return false
}

// verifyEmails: every email the runs queued was delivered to the sink,
// once, to its customer; a duplicate only across a kill.
func (s *soak) verifyEmails(ctx context.Context) error {
	rep := s.rep
	sunk := map[string][]sunk{}
	for _, m := range s.smtp.received() {
		id := strings.TrimSuffix(m.MessageID, "@settle")
		sunk[id] = append(sunk[id], m)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.status, m.claimed_by, m.scheduled_for <= now(), m.subject, c.email
		FROM messages m JOIN customers c ON c.id = m.customer_id WHERE m.channel = 'email'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	dead := s.killedPIDs()
	known := map[string]bool{}
	for rows.Next() {
		var id, status, claim, subject, email string
		var due bool
		if err := rows.Scan(&id, &status, &claim, &due, &subject, &email); err != nil {
			return err
		}
		known[id] = true
		rep.Checked["email"]++
		got := sunk[id]
		switch status {
		case "sent":
			if len(got) == 0 {
				rep.violate("email %s: sent in the database, never received", id)
				continue
			}
			if len(got[0].To) != 1 || !strings.EqualFold(got[0].To[0], email) || got[0].Subject != subject {
				rep.violate("email %s: received for %v with subject %q, want %s %q", id, got[0].To, got[0].Subject, email, subject)
			}
			if len(got) > 1 {
				if s.resentAfterKill(got[0].At, got[1].At, emailStale) && len(got) == 2 {
					rep.EmailDuplicatesAtKill = append(rep.EmailDuplicatesAtKill, id)
				} else {
					rep.violate("email %s: received %d times (%s and %s), not a resend after a kill", id, len(got), got[0].At.Format(time.TimeOnly), got[1].At.Format(time.TimeOnly))
				}
			}
		case "queued":
			switch {
			case claim != "" && dead[claimPID(claim)]:
				rep.EmailsStuckAtKill = append(rep.EmailsStuckAtKill, id) // sent again when the claim goes stale
			case due:
				rep.violate("email %s: due but still queued after the drain (claim %q)", id, claim)
			}
			if len(got) > 0 && !(claim != "" && dead[claimPID(claim)]) {
				rep.violate("email %s: received but queued in the database", id)
			}
		case "withdrawn":
			// Re-checked as it left and found moot (the load pays and
			// disputes as it goes): never sent.
			if len(got) > 0 {
				rep.violate("email %s: withdrawn in the database but received", id)
			}
		default:
			rep.violate("email %s: %s", id, status)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, ms := range sunk {
		if !known[id] {
			rep.violate("email %s: received %d times, not in the database", id, len(ms))
		}
	}
	return nil
}

// verifyWebhooks: every event delivered was received; a duplicate only
// across a kill; one message.sent event per email sent.
func (s *soak) verifyWebhooks(ctx context.Context) error {
	rep := s.rep
	got := map[string][]hookEvent{}
	byType := map[string]int{}
	for _, e := range s.hooks.received() {
		got[e.EventID] = append(got[e.EventID], e)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT event_id, event, status, claimed_by, next_attempt_at <= now() FROM webhook_deliveries WHERE webhook_id = $1`, s.webhook)
	if err != nil {
		return err
	}
	defer rows.Close()
	dead := s.killedPIDs()
	known := map[string]bool{}
	for rows.Next() {
		var id, event, status, claim string
		var due bool
		if err := rows.Scan(&id, &event, &status, &claim, &due); err != nil {
			return err
		}
		known[id] = true
		byType[event]++
		rep.Checked["webhook"]++
		es := got[id]
		switch status {
		case "delivered":
			if len(es) == 0 {
				rep.violate("webhook event %s: delivered in the database, never received", id)
			} else if len(es) > 1 {
				if s.resentAfterKill(es[0].At, es[1].At, webhookStale) && len(es) == 2 {
					rep.WebhookDuplicatesAtKill = append(rep.WebhookDuplicatesAtKill, id)
				} else {
					rep.violate("webhook event %s: received %d times (%s and %s), not a resend after a kill", id, len(es), es[0].At.Format(time.TimeOnly), es[1].At.Format(time.TimeOnly))
				}
			}
		case "pending":
			switch {
			case claim != "" && dead[claimPID(claim)]:
				rep.WebhooksStuckAtKill = append(rep.WebhooksStuckAtKill, id)
			case due:
				rep.violate("webhook event %s: due but pending after the drain", id)
			}
		default:
			rep.violate("webhook event %s: %s", id, status)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id := range got {
		if !known[id] {
			rep.violate("webhook event %s: received, not in the database", id)
		}
	}
	var sent int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE status = 'sent'`).Scan(&sent); err != nil {
		return err
	}
	if byType["message.sent"] != sent {
		rep.violate("webhooks: %d message.sent events for %d messages sent", byType["message.sent"], sent)
	}
	return nil
}

// WriteTable prints the report.
func (r *SoakReport) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "soak: %d instances on PostgreSQL (database %s), %d workers, seed %d, a kill every %s: %d kills\n",
		r.Instances, r.Database, r.Workers, r.Seed, r.KillEvery, len(r.Kills))
	fmt.Fprintf(w, "  load %.0f s (setup %.1f s, drain %.1f s): %d requests answered, %.0f/s\n",
		r.LoadSeconds, r.SetupSeconds, r.DrainSeconds, r.Overall.Requests, r.PerSecond)
	names := make([]string, 0, len(r.Ops))
	for n := range r.Ops {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "  %-20s %8s %7s %7s %6s %6s %9s %9s %9s %9s\n", "operation", "answered", "acked", "refused", "doubt", "conn", "p50 ms", "p95 ms", "p99 ms", "max ms")
	row := func(n string, o *OpStats) {
		fmt.Fprintf(w, "  %-20s %8d %7d %7d %6d %6d %9.1f %9.1f %9.1f %9.1f\n", n, o.Requests, o.Acked, o.Rejected, o.InDoubt, o.ConnErrors, o.P50ms, o.P95ms, o.P99ms, o.MaxMs)
	}
	for _, n := range names {
		row(n, r.Ops[n])
	}
	row("overall", &r.Overall)
	fmt.Fprintf(w, "  errors by class: %s\n", kv(r.Errors))
	for _, k := range sortedKeys(r.Samples) {
		fmt.Fprintf(w, "    e.g. %s: %s\n", k, r.Samples[k])
	}
	fmt.Fprintf(w, "  checked: %s\n", kv(r.Checked))
	fmt.Fprintf(w, "  in doubt (at most once): %s\n", kv(r.InDoubt))
	fmt.Fprintf(w, "  emails: duplicates at a kill %d %v, stuck in a killed process's claim %d %v\n",
		len(r.EmailDuplicatesAtKill), r.EmailDuplicatesAtKill, len(r.EmailsStuckAtKill), short(r.EmailsStuckAtKill))
	fmt.Fprintf(w, "  webhooks: duplicates at a kill %d %v, stuck in a killed process's claim %d %v\n",
		len(r.WebhookDuplicatesAtKill), r.WebhookDuplicatesAtKill, len(r.WebhooksStuckAtKill), short(r.WebhooksStuckAtKill))
	if len(r.Violations) == 0 {
		fmt.Fprintf(w, "  verification: PASSED\n")
		return
	}
	fmt.Fprintf(w, "  verification: FAILED, %d violations:\n", len(r.Violations))
	for i, v := range r.Violations {
		if i == 50 {
			fmt.Fprintf(w, "    … and %d more\n", len(r.Violations)-50)
			break
		}
		fmt.Fprintf(w, "    %s\n", v)
	}
}

// WriteJSON prints the report as JSON.
func (r *SoakReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func kv(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", k, m[k])
	}
	return b.String()
}

func short(ids []string) []string {
	if len(ids) > 10 {
		return append(ids[:10:10], "…")
	}
	return ids
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
