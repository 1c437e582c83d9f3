package cli

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"settle/internal/service"
)

// Fault points of the commands themselves (the service has its own,
// service.FaultDeliverAfterAccept): reached after each progress line of
// `settle import` (every 10,000 rows, inside the import's transaction)
// and of `settle run` (after each batch committed).
const (
	faultImportProgress = "import-progress"
	faultRunProgress    = "run-progress"
)

var faultPoints = []string{service.FaultDeliverAfterAccept, faultImportProgress, faultRunProgress}

// faultFromEnv reads SETTLE_TEST_FAULT, a fault-injection point for crash
// tests: "POINT" or "POINT:N" stops the process the N-th time (default the
// first) it reaches POINT (faultPoints). There it
// writes one line to stderr, "settle: SETTLE_TEST_FAULT POINT reached at
// DETAIL", and then holds forever: the work in hand is never finished, so
// the test can SIGKILL the process knowing exactly where it stood. Unset
// (always, outside tests): nil, and nothing is ever held.
func faultFromEnv() (func(point, detail string), error) {
	v := strings.TrimSpace(os.Getenv("SETTLE_TEST_FAULT"))
	if v == "" {
		return nil, nil
	}
	point, nth, hasN := strings.Cut(v, ":")
	n := 1
	if hasN {
		var err error
		if n, err = strconv.Atoi(nth); err != nil || n < 1 {
			return nil, fmt.Errorf("SETTLE_TEST_FAULT=%q: the count after %q must be a whole number of at least 1", v, point+":")
		}
	}
	if !slices.Contains(faultPoints, point) {
		return nil, fmt.Errorf("SETTLE_TEST_FAULT=%q: unknown fault point %q (known: %s)", v, point, strings.Join(faultPoints, ", "))
	}
	var mu sync.Mutex
	seen := 0
	return func(p, detail string) {
		if p != point {
			return
		}
		mu.Lock()
		seen++
		hit := seen == n
		mu.Unlock()
		if !hit {
			return
		}
		fmt.Fprintf(os.Stderr, "settle: SETTLE_TEST_FAULT %s reached at %s\n", p, detail)
		// Hold until killed. A sleeping loop (not an empty select) so
		// that the runtime never reports a deadlock and exits instead.
		for {
			time.Sleep(time.Hour)
		}
	}, nil
}
