package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/csvin"
	"settle/internal/store"
)

// Staged imports: the web UI's upload → preview → confirm. The uploaded
// file is kept in the database (import_staging) between the preview and
// the confirmation, so the import reads exactly the bytes the preview
// checked, whichever instance answers the confirmation, and never a
// second upload. Only the actor who staged a file may see or confirm it,
// until it expires.

// MaxStagedImportBytes is the largest file that can be staged.
const MaxStagedImportBytes = 50 << 20

// StagedImportLifetime is how long a staged file waits for confirmation.
const StagedImportLifetime = time.Hour

// PreviewRows is how many of a staged file's first rows its preview shows.
const PreviewRows = 10

// StagedImport is a file waiting for (or past) confirmation.
type StagedImport struct {
	ID         string
	Kind       string
	Filename   string
	DateFormat string
	Mapping    map[string]string
	SHA256     string
	Size       int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	Preview    ImportPreview
	Result     *ImportResult // what the import did; nil until confirmed
}

// ImportPreview is what a dry run of a staged file found.
type ImportPreview struct {
	// Result counts what the import would do (its ID is never stored).
	Result ImportResult `json:"result"`
	// Message sums up the errors; Errors lists them by line and column
	// (at most MaxReportedErrors; Omitted counts the rest).
	Message string              `json:"message,omitempty"`
	Errors  []apperr.FieldError `json:"errors,omitempty"`
	Omitted int                 `json:"omitted,omitempty"`
	// Columns are the settle columns the file provides, in the format's
	// order; Sample its first rows as they will be read.
	Columns []string     `json:"columns,omitempty"`
	Sample  []PreviewRow `json:"sample,omitempty"`
	// Took is how long the dry run took.
	Took time.Duration `json:"took"`
}

// OK says the file can be imported as it is.
func (p *ImportPreview) OK() bool { return len(p.Errors) == 0 && p.Message == "" }

// BadLines counts the distinct lines among the listed errors.
func (p *ImportPreview) BadLines() int {
	seen := map[int]bool{}
	for _, e := range p.Errors {
		seen[e.Line] = true
	}
	return len(seen)
}

// PreviewRow is one row of a file as the import reads it: the value of
// each of the preview's Columns, or Problem when the row cannot be read.
type PreviewRow struct {
	Line    int      `json:"line"`
	Values  []string `json:"values,omitempty"`
	Problem string   `json:"problem,omitempty"`
}

// ImportColumns lists a kind's settle columns: required first.
func ImportColumns(kind string) (required, optional []string, err error) {
	f, err := csvin.FormatOf(kind)
	if err != nil {
		return nil, nil, err
	}
	return f.Required, f.Optional, nil
}

// StageImport checks a file with a dry run of its import and keeps it,
// with what the dry run found, until it is confirmed or expires (agents
// and admins). Options that are wrong whatever the file holds (the kind,
// the date format, a mapping to a column the kind does not have, an
// oversize file) are field errors and nothing is staged; everything the
// file itself gets wrong is in the preview. Expired staged files are
// deleted on the way.
func (s *Service) StageImport(ctx context.Context, kind string, data []byte, opt ImportOptions) (*StagedImport, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	required, optional, err := ImportColumns(kind)
	if err != nil {
		return nil, err
	}
	if opt.DateFormat != "" {
		if _, err := civil.ParseLayout(opt.DateFormat); err != nil {
			return nil, apperr.Field("date_format", "%s", err)
		}
	}
	for from, to := range opt.Mapping {
		if !slices.Contains(required, to) && !slices.Contains(optional, to) {
			return nil, apperr.Field("mapping", "%q (for the file's %q) is not a %s column", to, from, kind)
		}
	}
	if len(data) > MaxStagedImportBytes {
		return nil, apperr.Field("file", "the file is %s: the most that can be imported here is %s (use settle import for bigger files)",
			ByteSize(int64(len(data))), ByteSize(MaxStagedImportBytes))
	}
	sum := sha256.Sum256(data)
	st := &StagedImport{ID: "stg_" + rand.Text(), Kind: kind, Filename: opt.Filename, DateFormat: opt.DateFormat,
		Mapping: opt.Mapping, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}
	if st.Mapping == nil {
		st.Mapping = map[string]string{}
	}

	start := time.Now()
	dry := opt
	dry.DryRun = true
	res, err := s.Import(ctx, kind, bytes.NewReader(data), dry)
	st.Preview.Took = time.Since(start)
	var ae *apperr.Error
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.Code == apperr.Invalid && ae.Fields != nil && ae.Fields[0].Field == "":
		st.Preview.Message, st.Preview.Errors, st.Preview.Omitted = ae.Message, ae.Fields, ae.Omitted
		for i := range st.Preview.Errors {
			st.Preview.Errors[i].Message = clip(st.Preview.Errors[i].Message)
		}
	default:
		return nil, err
	}
	if res != nil {
		st.Preview.Result = *res
		st.Preview.Result.ID = "" // a dry run's id names nothing
	} else {
		st.Preview.Result = ImportResult{Kind: kind, Filename: opt.Filename}
	}
	st.Preview.Columns, st.Preview.Sample = sampleRows(kind, data, opt.Mapping, PreviewRows)

	preview, err := json.Marshal(st.Preview)
	if err != nil {
		return nil, err
	}
	mapping, err := json.Marshal(st.Mapping)
	if err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		now := tx.Now()
		if _, err := tx.DeleteExpiredStagedUploads(ctx, now); err != nil {
			return err
		}
		u := &store.StagedUpload{ID: st.ID, Kind: kind, Filename: opt.Filename, DateFormat: opt.DateFormat,
			Mapping: string(mapping), SHA256: st.SHA256, Size: st.Size, Data: data, Owner: a.ID, Preview: preview,
			CreatedAt: now, ExpiresAt: now.Add(StagedImportLifetime)}
		if err := tx.InsertStagedUpload(ctx, u); err != nil {
			return err
		}
		st.CreatedAt, st.ExpiresAt = u.CreatedAt, u.ExpiresAt
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stage %s import: %w", kind, err)
	}
	return st, nil
}

// sampleRows reads the first n rows of a file as the import will: the
// settle columns it provides and their values (nil when the header
// itself is bad: the preview's errors say why).
func sampleRows(kind string, data []byte, mapping map[string]string, n int) ([]string, []PreviewRow) {
	f, err := csvin.FormatOf(kind)
	if err != nil {
		return nil, nil
	}
	rd, err := csvin.NewReader(bytes.NewReader(data), f, mapping)
	if err != nil {
		return nil, nil
	}
	var cols []string
	for _, c := range append(append([]string{}, f.Required...), f.Optional...) {
		if rd.Has(c) {
			cols = append(cols, c)
		}
	}
	var rows []PreviewRow
	for len(rows) < n {
		bad, err := rd.Next()
		if err != nil { // io.EOF, or a read error the dry run reported
			break
		}
		if bad != nil {
			rows = append(rows, PreviewRow{Line: bad.Line, Problem: bad.Message})
			continue
		}
		row := PreviewRow{Line: rd.Line(), Values: make([]string, len(cols))}
		for i, c := range cols {
			row.Values[i] = clip(rd.Get(c))
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// previewText is the longest value or message a preview keeps.
const previewText = 300

// clip shortens s to previewText bytes (on a rune boundary) with "…".
func clip(s string) string {
	if len(s) <= previewText {
		return s
	}
	cut := previewText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// StagedImport returns a staged file's preview (and its result once
// confirmed): NotFound unless the caller staged it and it has not expired.
func (s *Service) StagedImport(ctx context.Context, id string) (*StagedImport, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	var st *StagedImport
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		u, err := stagedUpload(ctx, tx, a, id, false)
		if err != nil {
			return err
		}
		st, err = stagedImport(u)
		return err
	})
	return st, err
}

// stagedUpload loads an upload the actor may use: theirs, not expired.
func stagedUpload(ctx context.Context, tx store.Tx, a Actor, id string, withData bool) (*store.StagedUpload, error) {
	notFound := apperr.Errorf(apperr.NotFound, "there is no uploaded file %s waiting for you: it has expired (after %s) or was never yours",
		id, StagedImportLifetime)
	if !strings.HasPrefix(id, "stg_") {
		return nil, notFound
	}
	u, err := tx.StagedUpload(ctx, id, withData)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if u.Owner != a.ID || !tx.Now().Before(u.ExpiresAt) {
		return nil, notFound
	}
	return u, nil
}

func stagedImport(u *store.StagedUpload) (*StagedImport, error) {
	st := &StagedImport{ID: u.ID, Kind: u.Kind, Filename: u.Filename, DateFormat: u.DateFormat, SHA256: u.SHA256,
		Size: u.Size, CreatedAt: u.CreatedAt, ExpiresAt: u.ExpiresAt}
	if err := json.Unmarshal([]byte(u.Mapping), &st.Mapping); err != nil {
		return nil, fmt.Errorf("staged upload %s: mapping: %w", u.ID, err)
	}
	if err := json.Unmarshal(u.Preview, &st.Preview); err != nil {
		return nil, fmt.Errorf("staged upload %s: preview: %w", u.ID, err)
	}
	if u.Result != nil {
		st.Result = &ImportResult{}
		if err := json.Unmarshal(u.Result, st.Result); err != nil {
			return nil, fmt.Errorf("staged upload %s: result: %w", u.ID, err)
		}
	}
	return st, nil
}

// ConfirmStagedImport imports a staged file — the bytes its preview
// checked, verified by their SHA-256 — with the options it was staged
// with. Confirming again imports nothing: it returns the first result
// with again=true. A file that fails to import (its rows are bad, or the
// data changed since the preview) returns the import's error, the staged
// file's preview, and nothing written.
func (s *Service) ConfirmStagedImport(ctx context.Context, id string) (st *StagedImport, again bool, err error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, false, err
	}
	var data []byte
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		u, err := stagedUpload(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		data = u.Data
		st, err = stagedImport(u)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if st.Result != nil {
		return st, true, nil
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != st.SHA256 || int64(len(data)) != st.Size {
		return nil, false, fmt.Errorf("staged upload %s: the stored file does not match its SHA-256", id)
	}
	res, err := s.Import(ctx, st.Kind, bytes.NewReader(data), ImportOptions{Filename: st.Filename,
		DateFormat: st.DateFormat, Mapping: st.Mapping})
	if err != nil {
		return st, false, err
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, false, err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		done, err := tx.FinishStagedUpload(ctx, id, raw)
		if err != nil || done {
			st.Result = res
			return err
		}
		// Confirmed at the same time elsewhere: that result stands.
		u, err := tx.StagedUpload(ctx, id, false)
		if err != nil {
			return err
		}
		again = true
		st, err = stagedImport(u)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return st, again, nil
}

// RecentImports lists the latest committed imports, newest first.
func (s *Service) RecentImports(ctx context.Context, limit int) ([]store.Import, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var out []store.Import
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.RecentImports(ctx, limit)
		return err
	})
	return out, err
}

// ByteSize is n bytes for people: "512 bytes", "3.2 KB", "50 MB" (the
// import page shows sizes with it too).
func ByteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
