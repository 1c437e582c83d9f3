package cli

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// clockFromEnv reads SETTLE_TEST_CLOCK, an injected clock for tests that
// start settle as a process: an RFC 3339 instant (e.g.
// 2026-06-01T10:00:00Z) at which the clock starts; it then runs at the
// real pace from there (the instant plus the time since the process
// started). What depends on the hour — the contact rules a message is
// checked against as it leaves, the scheduler's day — then gives the
// same outcome whenever the test runs. Unset (always, outside tests): the
// real clock.
func clockFromEnv(real func() time.Time) (func() time.Time, error) {
	v := strings.TrimSpace(os.Getenv("SETTLE_TEST_CLOCK"))
	if v == "" {
		return real, nil
	}
	start, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("SETTLE_TEST_CLOCK=%q: want an RFC 3339 instant such as 2026-06-01T10:00:00Z", v)
	}
	origin := real()
	return func() time.Time { return start.Add(real().Sub(origin)) }, nil
}
