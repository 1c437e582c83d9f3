package store

import (
	"context"
	"time"
)

// StagedUpload is a CSV file uploaded in the web UI and kept between its
// preview and the confirmation of its import (table import_staging).
type StagedUpload struct {
	ID         string // random, not guessable
	Kind       string // customers, invoices, payments
	Filename   string
	DateFormat string
	Mapping    string // JSON object: file column → settle column
	SHA256     string // of Data, as uploaded
	Size       int64
	Data       []byte // nil when loaded without it; empty once imported
	Owner      string // the actor that uploaded it
	Preview    []byte // JSON: what the dry run found
	Result     []byte // JSON: what the import did; nil until confirmed
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// StagingTx holds uploads between preview and import, and lists imports.
// Embedded in Tx.
type StagingTx interface {
	// InsertStagedUpload stores a new upload.
	InsertStagedUpload(ctx context.Context, u *StagedUpload) error
	// StagedUpload finds an upload by id, with its data when withData
	// (NotFound otherwise). Expiry and owner are the caller's to check.
	StagedUpload(ctx context.Context, id string, withData bool) (*StagedUpload, error)
	// FinishStagedUpload records the import's result and empties the
	// data, only if no result is recorded yet: done=false when one was.
	FinishStagedUpload(ctx context.Context, id string, result []byte) (done bool, err error)
	// DeleteExpiredStagedUploads removes uploads that expired before now
	// and returns how many it removed.
	DeleteExpiredStagedUploads(ctx context.Context, now time.Time) (int64, error)
	// RecentImports lists the latest committed imports, newest first.
	RecentImports(ctx context.Context, limit int) ([]Import, error)
}
