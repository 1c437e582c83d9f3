// Package testenv decides what a test does when something it needs from
// the machine is missing: skip on a developer's machine, fail under CI
// (CI=true or CI=1, as scripts/test.sh reads it), where a skipped test
// would hide exactly the missing tool the CI machine must have. It imports
// nothing of settle, so that any package's tests can use it (internal
// tests of notify, say, cannot import testutil: it imports service).
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// CI reports whether the tests run in CI (CI=true or CI=1).
func CI() bool {
	v := os.Getenv("CI")
	return v == "true" || v == "1"
}

// Missing ends the test for something it needs that the machine lacks:
// t.Fatalf under CI, t.Skipf otherwise. what names it and how to get it.
func Missing(t testing.TB, what string) {
	t.Helper()
	if CI() {
		t.Fatalf("%s: required under CI=true", what)
	}
	t.Skipf("%s (under CI=true this fails)", what)
}

// Tool returns the path of the command name, or ends the test (Missing)
// when it is not installed; pkg is the Debian package that has it.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not installed (Debian package "+pkg+")")
	}
	return p
}
