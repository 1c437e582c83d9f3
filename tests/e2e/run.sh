#!/usr/bin/env bash
# tests/e2e/run.sh — the browser tests (also: `make e2e`).
#
# Builds settle, starts `settle demo` on a fresh SQLite database in a temp
# dir on a free loopback port (--addr 127.0.0.1:0; the URL is read from its
# output), waits until it answers, runs the Node tests (node --test) with
# playwright-core driving Debian's Chromium, and always stops the server
# and removes the temp dir, whatever the outcome.
#
# Needs: Go, Node >= 20 with npm, Chromium at $CHROMIUM (default
# /usr/bin/chromium; Debian: apt-get install chromium). Screenshots go to
# tests/e2e/screenshots/. Extra arguments go to node --test.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
GO="${GO:-go}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

log() { printf 'e2e: %s\n' "$*" >&2; }
die() { printf 'e2e: ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$CHROMIUM" ]] || die "no Chromium at $CHROMIUM (Debian: apt-get install chromium; or set CHROMIUM)"
command -v node >/dev/null || die "node is not installed"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/settle-e2e.XXXXXX")"
pid=""
cleanup() {
	local rc=$?
	set +e
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	if [[ $rc -ne 0 && -f "$tmp/stderr.log" ]]; then
		log "server log (last lines):"
		tail -n 20 "$tmp/stderr.log" >&2
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

log "building settle"
(cd "$root" && "$GO" build -o "$tmp/settle" ./cmd/settle)

if [[ ! -d "$here/node_modules/playwright-core" ]]; then
	log "installing the Node dependencies (npm ci)"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The daily run is off: the tests see the demo exactly as it was loaded.
log "starting settle demo on a fresh database"
SETTLE_RUN_AT=off SETTLE_DB= SETTLE_SMTP_URL= "$tmp/settle" demo --db "sqlite:$tmp/demo.db" --addr 127.0.0.1:0 \
	>"$tmp/stdout.log" 2>"$tmp/stderr.log" &
pid=$!

url="" email="" password=""
for _ in $(seq 1200); do # up to 120 s: the first load imports a year of data
	kill -0 "$pid" 2>/dev/null || die "settle demo exited: $(tail -n 5 "$tmp/stderr.log")"
	if line="$(grep -m1 '^  Sign in ' "$tmp/stdout.log" 2>/dev/null)"; then
		# "  Sign in   http://127.0.0.1:PORT/login as EMAIL, password PASSWORD (…)"
		url="$(sed -E 's#^ +Sign in +(http://[^/ ]+)/login .*#\1#' <<<"$line")"
		email="$(sed -E 's#.* as ([^,]+), password .*#\1#' <<<"$line")"
		password="$(sed -E 's#.*, password ([^ ]+) .*#\1#' <<<"$line")"
		break
	fi
	sleep 0.1
done
token="$(sed -nE 's#^ +Token +(stl_[a-z0-9]+) .*#\1#p' "$tmp/stdout.log" | head -1)"
[[ -n "$url" && -n "$email" && -n "$password" && -n "$token" ]] || die "settle demo did not print its sign-in line: $(cat "$tmp/stdout.log")"
for _ in $(seq 100); do
	if node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url/healthz"; then
		break
	fi
	sleep 0.1
done
log "settle is up at $url"

mkdir -p "$here/screenshots"
cd "$here"
SETTLE_URL="$url" SETTLE_EMAIL="$email" SETTLE_PASSWORD="$password" SETTLE_TOKEN="$token" SCREENSHOTS="$here/screenshots" \
	node --test --test-concurrency=1 "$@" ./*.test.mjs
