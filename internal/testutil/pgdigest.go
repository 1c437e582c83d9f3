package testutil

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// PostgresDigest returns TableDigest for the PostgreSQL database at dsn: a
// function giving, per table of the public schema, "N rows <md5>". The
// server hashes every table's rows in one query (rows as text, sorted, so
// the digest does not depend on their physical order). It keeps one
// connection, closed when the test ends, so that it is cheap to call
// around every request; tables created after the call are not covered.
func PostgresDigest(t *testing.T, dsn string) func(t *testing.T) map[string]string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%[1]s', COUNT(*), md5(COALESCE(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM "%[1]s" t`, n))
	}
	rows.Close()
	query := strings.Join(parts, " UNION ALL ")
	return func(t *testing.T) map[string]string {
		t.Helper()
		return pgDigest(t, db, query)
	}
}

func pgDigest(t *testing.T, db *sql.DB, query string) map[string]string {
	t.Helper()
	out := map[string]string{}
	rs, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var table, sum string
		var n int64
		if err := rs.Scan(&table, &n, &sum); err != nil {
			t.Fatal(err)
		}
		out[table] = fmt.Sprintf("%d rows %s", n, sum)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
