package httpapi_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// TestAPI_IdempotencyKeyAfterACrash replays what a server killed in the
// middle of a keyed write leaves behind, at the two moments that differ,
// and sends the same request again once the reservation is abandoned (two
// minutes):
//
//   - killed before its transaction committed: nothing was written, the
//     key is a bare reservation, and the retry runs the request (one
//     payment);
//   - killed after its transaction committed, before the response was
//     stored: the key says "executed" (marked in the write's own
//     transaction), and the retry is refused with 409 and
//     Idempotent-Outcome: executed — not run a second time.
//
// The soak test found the second case recording a payment twice.
func TestAPI_IdempotencyKeyAfterACrash(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var mu sync.Mutex
			now := testutil.Clock()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
			var st store.Store
			if engine == "sqlite" {
				st = testutil.SQLiteAt(t, clock)
			} else {
				st = testutil.PostgresAt(t, clock)
			}
			_, agent, _, _ := setupWith(t, st, clock)
			want(t, agent.do("POST", "/v1/customers", `{"name":"Ivy","external_ref":"IVY"}`), 201)
			db := st.(interface{ SQL() *sql.DB }).SQL()
			var actor string
			if err := db.QueryRow(`SELECT actor FROM idempotency_keys LIMIT 1`).Scan(&actor); err == nil {
				t.Fatalf("a key was stored for a request without one (actor %s)", actor)
			}
			// Learn the agent's actor id from a keyed request that finishes.
			want(t, agent.do("POST", "/v1/payments", `{"customer_id":"IVY","received_on":"2026-05-01","currency":"EUR","amount":"1.00"}`, "Idempotency-Key", "warm-up"), 201)
			if err := db.QueryRow(`SELECT actor FROM idempotency_keys WHERE key = 'warm-up'`).Scan(&actor); err != nil {
				t.Fatal(err)
			}
			payments := func() int {
				var n int
				if err := db.QueryRow(`SELECT COUNT(*) FROM payments`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}

			const path = "/v1/payments"
			body := `{"customer_id":"IVY","received_on":"2026-05-02","currency":"EUR","amount":"25.00"}`
			// reserve does what the middleware does before running the
			// request: a reservation, status 0, with the request's hash.
			reserve := func(key string) {
				h := sha256.Sum256([]byte("POST " + path + "\n" + body))
				rec := &store.IdempotencyRecord{Actor: actor, Key: key, Method: "POST", Path: path, RequestHash: hex.EncodeToString(h[:])}
				if err := st.Tx(context.Background(), func(tx store.Tx) error { return tx.SaveIdempotency(context.Background(), rec) }); err != nil {
					t.Fatal(err)
				}
			}
			svc := service.New(st, clock)
			agentCtx := service.WithActor(context.Background(), service.Actor{ID: actor, Role: service.RoleAgent})

			// 1. Killed before the commit: only the reservation exists.
			reserve("before-commit")
			advance(3 * time.Minute)
			r := agent.do("POST", path, body, "Idempotency-Key", "before-commit")
			want(t, r, 201)
			if got := payments(); got != 2 {
				t.Fatalf("%d payments after the retry of a request that never committed, want 2", got)
			}

			// 2. Killed after the commit: the write ran under the key (the
			// middleware's context), and no response was stored.
			reserve("after-commit")
			if _, err := svc.RecordPayment(store.WithIdempotencyKey(agentCtx, actor, "after-commit"), service.PaymentInput{
				CustomerID: "IVY", ReceivedOn: "2026-05-02", Currency: "EUR", Amount: "25.00"}); err != nil {
				t.Fatal(err)
			}
			var status int
			if err := db.QueryRow(`SELECT status FROM idempotency_keys WHERE key = 'after-commit'`).Scan(&status); err != nil || status != store.IdempotencyExecuted {
				t.Fatalf("after the committed write the key's status is %d (%v), want %d", status, err, store.IdempotencyExecuted)
			}
			// While it could still be running: in progress.
			r = agent.do("POST", path, body, "Idempotency-Key", "after-commit")
			want(t, r, 409)
			if !strings.Contains(string(r.Body), "still in progress") {
				t.Errorf("within two minutes: %s", r.Body)
			}
			advance(3 * time.Minute)
			r = agent.do("POST", path, body, "Idempotency-Key", "after-commit")
			want(t, r, 409)
			if r.Header.Get("Idempotent-Outcome") != "executed" || !strings.Contains(string(r.Body), "was carried out") {
				t.Errorf("abandoned after its write: %v %s", r.Header, r.Body)
			}
			if got := payments(); got != 3 {
				t.Fatalf("%d payments, want 3: the retry of a committed request ran again", got)
			}
		})
	}
}
