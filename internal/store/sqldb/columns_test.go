package sqldb

import (
	"strings"
	"testing"
)

// The column counts that size multi-row INSERTs match the column lists.
func TestColumnCounts(t *testing.T) {
	for _, c := range []struct {
		name string
		cols string
		n    int
	}{
		{"tasks", taskCols, taskColumns},
		{"messages", messageCols, messageColumns},
		{"invoices", invoiceCols, len(InvoiceColumns)},
	} {
		if got := strings.Count(c.cols, ",") + 1; got != c.n {
			t.Errorf("%s: %d columns listed, %d counted", c.name, got, c.n)
		}
	}
}
