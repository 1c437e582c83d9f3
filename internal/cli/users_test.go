package cli_test

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// runWithStdin runs settle with stdin and returns stdout, stderr and the exit code.
func runWithStdin(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := settleCmd(t, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestMain_UserCreate(t *testing.T) {
	db := "sqlite:" + t.TempDir() + "/cli.db"
	out, stderr, code := runWithStdin(t, "correct horse battery\n", "--db", db, "user", "create", "--email", "Ann@Example.com", "--role", "agent", "--name", "Ann")
	if code != 0 || !regexp.MustCompile(`^usr_[0-9A-Z]{26} ann@example.com \(agent\)\n$`).MatchString(out) {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		stderr      string
	}{
		{"taken", "another long password\r\n", []string{"--email", "ann@example.com", "--role", "viewer"}, 1, "ann@example.com is taken"},
		{"short password", "short\n", []string{"--email", "bo@example.com", "--role", "viewer"}, 1, "password: must be at least 12 characters"},
		{"no password", "", []string{"--email", "bo@example.com", "--role", "viewer"}, 2, "no password on stdin"},
		{"bad role", "long enough password\n", []string{"--email", "bo@example.com", "--role", "root"}, 2, `--role "root": must be admin, agent or viewer`},
		{"bad email", "long enough password\n", []string{"--email", "bo", "--role", "agent"}, 1, `email: "bo" is not an email address`},
		{"no email", "long enough password\n", []string{"--role", "agent"}, 2, `required flag(s) "email"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runWithStdin(t, tc.stdin, append([]string{"--db", db, "user", "create"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d containing %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}
