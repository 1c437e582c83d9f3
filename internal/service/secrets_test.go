package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
)

// Secrets at rest: after making a user (password), API tokens, a web
// session, a portal link and a webhook, no table of the database holds
// any of the plaintext credentials — only their hashes. The one
// documented exception is the webhook signing secret, which settle must
// keep to sign deliveries: it may appear in webhooks.secret and nowhere
// else (not in the audit log, not in deliveries).
func TestSecretsAtRest_SQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.db")
	st, err := sqlite.Open(context.Background(), path, testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	secrets, webhookSecret := makeSecrets(t, st)
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scanForSecrets(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`, secrets, webhookSecret)
}

func TestSecretsAtRest_Postgres(t *testing.T) {
	dsn := testutil.FreshPostgresDSN(t)
	st, err := postgres.Open(context.Background(), dsn, testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	secrets, webhookSecret := makeSecrets(t, st)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scanForSecrets(t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`, secrets, webhookSecret)
}

// makeSecrets creates one of each credential and returns the plaintexts
// (by what they are) and the webhook's signing secret.
func makeSecrets(t *testing.T, st store.Store) (map[string]string, string) {
	t.Helper()
	svc := service.New(st, testutil.Clock)
	admin := testutil.Admin(context.Background())
	const password = "plaintext password never stored"
	if _, err := svc.CreateUser(admin, service.UserInput{Email: "ada@example.com", Name: "Ada", Role: service.RoleAdmin, Password: password}); err != nil {
		t.Fatal(err)
	}
	session, err := svc.SignIn(context.Background(), "ada@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.CreateToken(admin, service.RoleAgent, "ci")
	if err != nil {
		t.Fatal(err)
	}
	expiring, _, err := svc.CreateTokenFor(admin, service.RoleViewer, "report", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCustomer(admin, service.CustomerInput{ExternalRef: "C", Name: "Cee Ltd"}); err != nil {
		t.Fatal(err)
	}
	link, err := svc.CreatePortalLink(admin, "C", 0, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	portalToken := link.URL[strings.LastIndex(link.URL, "/")+1:]
	_, portalMAC, _ := strings.Cut(portalToken, ".")
	// A reminder's short portal link: only the code's hash is stored.
	svc.PortalURL = "https://portal.example"
	c, err := svc.Customer(admin, "C")
	if err != nil {
		t.Fatal(err)
	}
	short, err := svc.PortalLinkForTest(context.Background(), c.ID, testutil.Clock())
	if err != nil {
		t.Fatal(err)
	}
	shortCode := short[strings.LastIndex(short, "/")+1:]
	if len(shortCode) != 16 {
		t.Fatalf("short link %q", short)
	}
	wh, err := svc.CreateWebhook(admin, service.WebhookInput{URL: "https://hooks.example/x", Events: []string{"plan.accepted"}})
	if err != nil {
		t.Fatal(err)
	}
	// The session and token are used once, as a caller would.
	if _, err := svc.SessionActor(context.Background(), session); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if wh.Secret == "" || len(portalMAC) < 20 {
		t.Fatalf("webhook secret %q, portal token %q", wh.Secret, portalToken)
	}
	// An update does not show the secret again (the API's listing is
	// checked in httpapi's TestAPI_AuthzMatrix).
	v, err := svc.UpdateWebhook(admin, wh.ID, service.WebhookInput{URL: "https://hooks.example/y", Events: []string{"plan.accepted"}})
	if err != nil || v.ShowSecret {
		t.Errorf("an update shows the secret again: %+v, %v", v, err)
	}
	return map[string]string{
		"password":                   password,
		"session cookie":             session,
		"API token":                  token,
		"API token (body)":           strings.TrimPrefix(token, "stl_"),
		"expiring API token":         expiring,
		"portal link token":          portalToken,
		"portal link token's MAC":    portalMAC,
		"short portal link code":     shortCode,
		"webhook secret (elsewhere)": wh.Secret,
	}, wh.Secret
}

// scanForSecrets reads every column of every row of every table (listed
// by tablesQuery) as text and fails on any plaintext secret; the webhook
// secret is allowed in webhooks.secret only.
func scanForSecrets(t *testing.T, db *sql.DB, tablesQuery string, secrets map[string]string, webhookSecret string) {
	t.Helper()
	rows, err := db.Query(tablesQuery)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 30 {
		t.Fatalf("only %d tables", len(tables))
	}
	cells, whereWebhook := 0, ""
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case []byte:
					s = string(v)
				case string:
					s = v
				default:
					s = fmt.Sprint(v)
				}
				cells++
				where := table + "." + cols[i]
				for what, secret := range secrets {
					if !strings.Contains(s, secret) {
						continue
					}
					if secret == webhookSecret && where == "webhooks.secret" {
						whereWebhook = where
						continue
					}
					t.Errorf("the %s is stored in plain text in %s", what, where)
				}
			}
		}
		rs.Close()
	}
	if whereWebhook == "" {
		t.Errorf("the webhook secret is not in webhooks.secret: it could not sign")
	}
	t.Logf("%d tables, %d cells scanned for %d secrets", len(tables), cells, len(secrets))
}
