package store

import (
	"context"

	"settle/internal/civil"
	"settle/internal/ledger"
)

// ARTx sums receivables for reports that need several dates at once.
type ARTx interface {
	// AgingTotals returns, for each date, the aging totals per currency
	// (sorted by currency) exactly as an ledger.AgingReport over
	// OpenItems as of that date would total them — in one pass over the
	// invoices and allocations, however many dates (at most
	// MaxAgingDates). A currency with nothing open on a date is absent.
	AgingTotals(ctx context.Context, dates []civil.Date) (map[civil.Date][]ledger.Buckets, error)
}

// MaxAgingDates bounds AgingTotals' dates (each adds columns to one
// statement).
const MaxAgingDates = 16
