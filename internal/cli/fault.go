package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"settle/internal/service"
)

// faultFromEnv reads SETTLE_TEST_FAULT, a fault-injection point for crash
// tests: "POINT" or "POINT:N" stops the process the N-th time (default the
// first) it reaches POINT (service.FaultDeliverAfterAccept). There it
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
	if point != service.FaultDeliverAfterAccept {
		return nil, fmt.Errorf("SETTLE_TEST_FAULT=%q: unknown fault point %q (known: %s)", v, point, service.FaultDeliverAfterAccept)
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
