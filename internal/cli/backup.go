package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"settle/internal/store/sqlite"
)

// pgBackupHelp is what backup and restore say for a PostgreSQL --db.
const pgBackupHelp = "--db is PostgreSQL: back up with `pg_dump -Fc -f settle.dump \"$SETTLE_DB\"` and restore with `pg_restore --clean --if-exists --no-owner -d \"$SETTLE_DB\" settle.dump` (docs/operations.md)"

// sqlitePath is the file a sqlite: --db names; PostgreSQL is refused
// with the pg_dump commands.
func (a *App) sqlitePath(cmd string) (string, error) {
	switch {
	case strings.HasPrefix(a.DB, "sqlite:"):
		p := strings.TrimPrefix(a.DB, "sqlite:")
		if p == "" {
			return "", usageError{fmt.Errorf("%s: --db sqlite: names no file", cmd)}
		}
		return p, nil
	case strings.HasPrefix(a.DB, "postgres://"), strings.HasPrefix(a.DB, "postgresql://"):
		return "", errors.New(cmd + ": " + pgBackupHelp)
	}
	return "", usageError{fmt.Errorf("--db %q: use sqlite:PATH or postgres://…", a.DB)}
}

func (a *App) backupCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the SQLite database to FILE, while settle keeps running",
		Long: `Write a consistent copy of the SQLite database (--db sqlite:PATH) to FILE.
The copy is a snapshot of one moment, taken while settle keeps serving and
writing (VACUUM INTO, see docs/operations.md). FILE must not exist unless
--force. For PostgreSQL use pg_dump -Fc (docs/operations.md).`,
		Example: `  settle --db sqlite:settle.db backup backups/settle-$(date +%F).db`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := a.sqlitePath("backup")
			if err != nil {
				return err
			}
			info, err := sqlite.Backup(cmd.Context(), src, args[0], force)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.Stdout, "wrote %s (%d bytes, schema version %d)\n", info.Path, info.Size, info.SchemaVersion)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite FILE if it exists")
	return cmd
}

func (a *App) restoreCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the SQLite database with the backup in FILE",
		Long: `Check that FILE is a settle database (integrity check, schema version no
newer than this settle's), copy it to the --db path (a temporary file, then
renamed), and open it, which migrates an older backup forward. A database
that already holds data is replaced only with --force. Stop settle serve
first. For PostgreSQL use pg_restore (docs/operations.md).`,
		Example: `  settle --db sqlite:settle.db restore backups/settle-2026-06-01.db`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dst, err := a.sqlitePath("restore")
			if err != nil {
				return err
			}
			info, err := sqlite.Restore(cmd.Context(), args[0], dst, force)
			if err != nil {
				return err
			}
			st, err := sqlite.Open(cmd.Context(), dst, a.Now) // migrates forward
			if err != nil {
				return fmt.Errorf("restore: %s was copied to %s, but opening it failed: %w", args[0], dst, err)
			}
			defer st.Close()
			v, err := st.SchemaVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.Stdout, "restored %s to %s (%d bytes, schema version %d", args[0], dst, info.Size, info.SchemaVersion)
			if v != info.SchemaVersion {
				fmt.Fprintf(a.Stdout, ", migrated to %d", v)
			}
			fmt.Fprintln(a.Stdout, ")")
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace a database that holds data")
	return cmd
}
