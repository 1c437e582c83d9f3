package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// LatestVersion is the schema version this binary migrates to: the
// highest numbered file in migrations/.
func LatestVersion() int64 {
	var latest int64
	entries, _ := fs.ReadDir(migrations, "migrations")
	for _, e := range entries {
		n, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// Info describes a database file written by Backup or checked by Restore.
type Info struct {
	Path          string
	Size          int64
	SchemaVersion int64
}

// Backup writes a consistent copy of the settle database at src to dst
// while other connections keep reading and writing. An existing dst is
// refused unless force.
//
// Why VACUUM INTO rather than the online backup API: VACUUM INTO reads
// the whole source in one read transaction, and in WAL mode a reader
// blocks no writer, so the copy is a snapshot of one moment and writers
// carry on meanwhile. The backup API stepped a few pages at a time would
// also leave writers free, but it restarts from the first page whenever
// another connection writes between two steps: under a steady stream of
// writes it may never finish. (Stepping all pages at once is one read
// transaction too, i.e. the same as VACUUM INTO.) VACUUM INTO also writes
// a compact file with no -wal beside it, and it reads through the WAL, so
// changes not yet checkpointed are in the copy. Its cost: it rebuilds
// every index, which is CPU the backup API would not spend.
//
// The copy goes to a temporary file beside dst and is then moved into
// place, so dst is never a half-written file.
func Backup(ctx context.Context, src, dst string, force bool) (*Info, error) {
	if dstInfo, err := os.Stat(dst); err == nil {
		if !force {
			return nil, fmt.Errorf("backup: %s already exists (use --force to overwrite it)", dst)
		}
		if srcInfo, err := os.Stat(src); err == nil && os.SameFile(srcInfo, dstInfo) {
			return nil, fmt.Errorf("backup: %s is the database itself", dst)
		}
	}
	db, err := openExisting(src, true)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := settleVersion(ctx, db, src); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	info, err := copyInto(ctx, db, src, dst, force)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return info, nil
}

// copyInto runs VACUUM INTO a temporary file beside dst, then moves it
// to dst: with force by rename (replacing dst), otherwise by a hard link,
// which fails when dst has appeared meanwhile.
func copyInto(ctx context.Context, db *sql.DB, src, dst string, force bool) (*Info, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dst, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	os.Remove(tmpName) // VACUUM INTO refuses a file that is not empty or missing; let it create it
	defer os.Remove(tmpName)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return nil, fmt.Errorf("copy %s: %w", src, err)
	}
	info, err := check(ctx, tmpName)
	if err != nil {
		return nil, fmt.Errorf("the copy of %s: %w", src, err)
	}
	if err := syncFile(tmpName); err != nil {
		return nil, err
	}
	if force {
		err = os.Rename(tmpName, dst)
	} else if err = os.Link(tmpName, dst); errors.Is(err, fs.ErrExist) {
		err = fmt.Errorf("%s already exists (use --force to overwrite it)", dst)
	}
	if err != nil {
		return nil, err
	}
	info.Path = dst
	return info, nil
}

// Restore replaces the SQLite database at dst with the settle database
// in src, after checking src (integrity, a settle schema, a version this
// binary knows). A dst holding data is refused unless force. The caller
// opens dst afterwards, which migrates it forward when src is older.
//
// Nothing may have dst open meanwhile (stop settle serve first): a dst
// whose -wal file is still there after it was checked is refused.
func Restore(ctx context.Context, src, dst string, force bool) (*Info, error) {
	if _, err := check(ctx, src); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if dstInfo, err := os.Stat(dst); err == nil {
		if srcInfo, err := os.Stat(src); err == nil && os.SameFile(srcInfo, dstInfo) {
			return nil, fmt.Errorf("restore: %s is the database itself", src)
		}
		n, err := rowsIn(ctx, dst)
		if err != nil && !force {
			return nil, fmt.Errorf("restore: %s exists and is not an SQLite database settle can read (%v); use --force to replace it", dst, err)
		}
		if n > 0 && !force {
			return nil, fmt.Errorf("restore: %s already holds data (%d rows); use --force to replace it", dst, n)
		}
		// Closing the last connection checkpointed dst and removed its
		// WAL; a WAL still there belongs to another process, and would be
		// replayed onto the restored file.
		if _, err := os.Stat(dst + "-wal"); err == nil {
			return nil, fmt.Errorf("restore: %s-wal exists: is settle still running on %s? Stop it first", dst, dst)
		}
		force = true // empty, or replacing was asked for
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("restore: %w", err)
	}
	db, err := openExisting(src, true)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer db.Close()
	info, err := copyInto(ctx, db, src, dst, force)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	os.Remove(dst + "-shm") // a stale index of a WAL that is gone
	return info, nil
}

// check opens the file read-only and checks it is a settle database this
// binary can open: integrity_check ok, goose's version table there, a
// schema version not newer than LatestVersion.
func check(ctx context.Context, path string) (*Info, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	db, err := openExisting(path, true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return nil, fmt.Errorf("%s: not an SQLite database: %w", path, err)
	}
	if res != "ok" {
		return nil, fmt.Errorf("%s: integrity check failed: %s", path, res)
	}
	v, err := settleVersion(ctx, db, path)
	if err != nil {
		return nil, err
	}
	return &Info{Path: path, Size: st.Size(), SchemaVersion: v}, nil
}

// settleVersion is the schema version of a settle database, refusing
// other databases and newer schemas.
func settleVersion(ctx context.Context, db *sql.DB, path string) (int64, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'").Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: not an SQLite database: %w", path, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: not a settle database (no goose_db_version table)", path)
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MAX(version_id) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return 0, fmt.Errorf("%s: schema version: %w", path, err)
	}
	if latest := LatestVersion(); v.Int64 > latest {
		return 0, fmt.Errorf("%s: schema version %d is newer than this settle's (%d): use a newer settle", path, v.Int64, latest)
	}
	return v.Int64, nil
}

// rowsIn counts the rows of every table but goose's in the database at
// path.
func rowsIn(ctx context.Context, path string) (int64, error) {
	db, err := openExisting(path, false)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'goose_db_version'")
	if err != nil {
		return 0, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sort.Strings(tables)
	var total int64
	for _, t := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// openExisting opens one connection to an SQLite file that must exist
// (mode=rw or ro never creates one). readOnly connections cannot change
// it.
func openExisting(path string, readOnly bool) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("mode", "rw")
	}
	db, err := sql.Open(driverName, "file:"+escapePath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
