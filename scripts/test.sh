#!/usr/bin/env bash
# scripts/test.sh — THE test command for settle (also: `make test`).
#
# Runs `go test -count=1 -timeout 20m ./...` (extra arguments are passed on to
# go test, e.g. `./scripts/test.sh -run TestLedger -race`).
#
# PostgreSQL: if SETTLE_TEST_POSTGRES is unset and PostgreSQL server binaries
# can be found, a throwaway cluster is started in a fresh temp dir (unix socket
# only, fsync off), a database `settle_test` is created, and
# SETTLE_TEST_POSTGRES is exported for the tests. The cluster and its temp dir
# are removed on exit, whatever the outcome (test failure, Ctrl-C, ...).
#   - With CI=true and no PostgreSQL available: fails (exit 1) — the
#     PostgreSQL suite must never be skipped in CI.
#   - Otherwise: warns; the Go tests skip the PostgreSQL suite.
#
# Stripe: if SETTLE_TEST_STRIPE_MOCK is unset and stripe-mock (Stripe's API
# mock, `go install github.com/stripe/stripe-mock@v0.203.0`) is in PATH or
# GOPATH/bin, it is started on a loopback port (HTTP and HTTPS both bound
# to 127.0.0.1, ports chosen by the system) and SETTLE_TEST_STRIPE_MOCK is
# exported as its HTTP base URL; it is stopped on exit. With CI=true and no
# stripe-mock: fails, like PostgreSQL. Otherwise: warns; the Stripe tests
# skip.
#
# Environment:
#   SETTLE_TEST_POSTGRES  use this database URL instead of a throwaway cluster
#   SETTLE_TEST_STRIPE_MOCK  use this stripe-mock (http://127.0.0.1:PORT)
#   SETTLE_STRIPE_MOCK_BIN   the stripe-mock binary (default: searched;
#                         "none" = behave as if it were not installed)
#   SETTLE_TEST_CMD       command to run instead of go test (run with bash -c,
#                         extra args appended); for testing this script, e.g.
#                         SETTLE_TEST_CMD='psql "$SETTLE_TEST_POSTGRES" -c "select version()"'
#   SETTLE_PG_BINDIR      dir with initdb/pg_ctl/postgres (default: searched);
#                         "none" = behave as if PostgreSQL were not installed
#   GO                    go binary (default: go)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO="${GO:-go}"
PG_FIRST_PORT=54329
PG_PORT_TRIES=20

log() { printf 'test.sh: %s\n' "$*" >&2; }
die() { printf 'test.sh: ERROR: %s\n' "$*" >&2; exit 1; }

is_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }

# --- locate PostgreSQL server binaries ---------------------------------------
has_server_bins() { [[ -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]; }

find_pg_bindir() {
	local d
	if [[ -n "${SETTLE_PG_BINDIR+set}" ]]; then
		# Explicit choice; "none" (or empty) means: do not start a cluster.
		d="$SETTLE_PG_BINDIR"
		if [[ -n "$d" && "$d" != none ]] && has_server_bins "$d"; then echo "$d"; return 0; fi
		return 1
	fi
	if command -v pg_config >/dev/null 2>&1; then
		d="$(pg_config --bindir 2>/dev/null || true)"
		if [[ -n "$d" ]] && has_server_bins "$d"; then echo "$d"; return 0; fi
	fi
	# Newest major version first.
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -rn); do
		if has_server_bins "$d"; then echo "$d"; return 0; fi
	done
	if command -v initdb >/dev/null 2>&1; then
		d="$(dirname "$(readlink -f "$(command -v initdb)")")"
		if has_server_bins "$d"; then echo "$d"; return 0; fi
	fi
	return 1
}

# --- throwaway cluster ---------------------------------------------------------
PG_TMP=""
PG_BIN=""
PG_STARTED=0

# Run a server command as the postgres OS user when we are root (PostgreSQL
# refuses to run as root); as ourselves otherwise.
as_pg() {
	if [[ "$(id -u)" -ne 0 ]]; then
		"$@"
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u postgres -- "$@"
	else
		local q
		q="$(printf '%q ' "$@")"
		su postgres -s /bin/sh -c "$q"
	fi
}

MOCK_PID=""
MOCK_TMP=""

cleanup() {
	local rc=$?
	set +e
	if [[ -n "$MOCK_PID" ]]; then
		kill "$MOCK_PID" 2>/dev/null
		wait "$MOCK_PID" 2>/dev/null
	fi
	if [[ -n "$MOCK_TMP" && -d "$MOCK_TMP" ]]; then
		rm -rf "$MOCK_TMP"
	fi
	if [[ "$PG_STARTED" == 1 ]]; then
		(cd "$PG_TMP" && as_pg "$PG_BIN/pg_ctl" stop -D "$PG_TMP/data" -m immediate -w -s) \
			|| log "warning: pg_ctl stop failed"
	fi
	if [[ -n "$PG_TMP" && -d "$PG_TMP" ]]; then
		rm -rf "$PG_TMP"
	fi
	exit "$rc"
}

start_cluster() {
	PG_BIN="$1"
	local base="${TMPDIR:-/tmp}"
	# As root the postgres user must be able to reach the dir, and unix socket
	# paths are limited to ~107 bytes: use /tmp then (or for a long TMPDIR).
	if [[ "$(id -u)" -eq 0 || ${#base} -gt 60 ]]; then base=/tmp; fi

	if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
		die "running as root but there is no 'postgres' OS user to run the server as"
	fi

	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP

	PG_TMP="$(mktemp -d "$base/settle-pg.XXXXXX")"
	chmod 755 "$PG_TMP"
	if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$PG_TMP"; fi

	local t0 t1
	t0=$(date +%s%N)
	# cd into the temp dir so the postgres user never has to read our cwd.
	if ! (cd "$PG_TMP" && as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" --auth=trust -U settle \
		--encoding=UTF8 --locale=C --no-sync >"$PG_TMP/initdb.log" 2>&1); then
		cat "$PG_TMP/initdb.log" >&2
		die "initdb failed"
	fi

	local t_init t_start
	t_init=$(date +%s%N)
	local port=$PG_FIRST_PORT try
	for ((try = 0; try < PG_PORT_TRIES; try++, port++)); do
		# A port is "free" for us if no server answers on the shared socket
		# dir or TCP for it (our own socket dir is fresh, so it cannot clash).
		if [[ -e "/tmp/.s.PGSQL.$port" || -e "/var/run/postgresql/.s.PGSQL.$port" ]]; then
			continue
		fi
		if (cd "$PG_TMP" && as_pg "$PG_BIN/pg_ctl" start -w -t 60 -s -D "$PG_TMP/data" -l "$PG_TMP/server.log" \
			-o "-k $PG_TMP -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"); then
			PG_STARTED=1
			break
		fi
		log "could not start PostgreSQL on port $port, retrying with the next one:"
		tail -n 5 "$PG_TMP/server.log" >&2 || true
	done
	if [[ "$PG_STARTED" != 1 ]]; then
		cat "$PG_TMP/server.log" >&2 || true
		die "PostgreSQL failed to start (server log above)"
	fi

	t_start=$(date +%s%N)
	"$PG_BIN/createdb" -h "$PG_TMP" -p "$port" -U settle settle_test \
		|| die "createdb settle_test failed"
	t1=$(date +%s%N)

	export SETTLE_TEST_POSTGRES="postgres://settle@/settle_test?host=$PG_TMP&port=$port&sslmode=disable"
	log "PostgreSQL: throwaway cluster, $("$PG_BIN/postgres" --version), bin $PG_BIN"
	log "PostgreSQL: ready in $(((t1 - t0) / 1000000)) ms (initdb $(((t_init - t0) / 1000000)), start $(((t_start - t_init) / 1000000)), createdb $(((t1 - t_start) / 1000000))), SETTLE_TEST_POSTGRES=$SETTLE_TEST_POSTGRES"
}

# --- choose PostgreSQL -----------------------------------------------------------
if [[ -n "${SETTLE_TEST_POSTGRES:-}" ]]; then
	# Hide any password in the log.
	log "PostgreSQL: using given SETTLE_TEST_POSTGRES=$(printf '%s' "$SETTLE_TEST_POSTGRES" | sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#')"
elif bindir="$(find_pg_bindir)"; then
	start_cluster "$bindir"
else
	if is_ci; then
		die "CI=true but no PostgreSQL: SETTLE_TEST_POSTGRES is unset and no server binaries (initdb, pg_ctl, postgres) were found; the PostgreSQL suite must run in CI (install postgresql-15)"
	fi
	log "WARNING: no PostgreSQL (SETTLE_TEST_POSTGRES unset, no initdb/pg_ctl/postgres found)"
	log "WARNING: the PostgreSQL test suite will be SKIPPED; install postgresql (e.g. apt-get install postgresql-15) to run it"
fi

# --- stripe-mock ---------------------------------------------------------------------
find_stripe_mock() {
	local b
	if [[ -n "${SETTLE_STRIPE_MOCK_BIN+set}" ]]; then
		b="$SETTLE_STRIPE_MOCK_BIN"
		if [[ -n "$b" && "$b" != none && -x "$b" ]]; then echo "$b"; return 0; fi
		return 1
	fi
	if command -v stripe-mock >/dev/null 2>&1; then command -v stripe-mock; return 0; fi
	b="$("$GO" env GOPATH 2>/dev/null | cut -d: -f1)/bin/stripe-mock"
	if [[ -x "$b" ]]; then echo "$b"; return 0; fi
	return 1
}

start_stripe_mock() {
	local bin="$1" i addr=""
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	MOCK_TMP="$(mktemp -d "${TMPDIR:-/tmp}/settle-stripe.XXXXXX")"
	# The log exists before the mock starts: the background job opens it
	# only when it is scheduled, and on a loaded machine the first read
	# below came first, failed, and (set -e, pipefail) ended the script.
	: >"$MOCK_TMP/out.log"
	"$bin" -http-addr 127.0.0.1:0 -https-addr 127.0.0.1:0 >>"$MOCK_TMP/out.log" 2>&1 &
	MOCK_PID=$!
	# Up to 60 s: on a loaded machine stripe-mock took over 10 s to load
	# its OpenAPI specification.
	for ((i = 0; i < 600; i++)); do
		addr="$(sed -n 's/^Listening for HTTP at address: //p' "$MOCK_TMP/out.log" | head -n 1)"
		if [[ -n "$addr" ]]; then break; fi
		if ! kill -0 "$MOCK_PID" 2>/dev/null; then break; fi
		sleep 0.1
	done
	if [[ -z "$addr" ]]; then
		cat "$MOCK_TMP/out.log" >&2 || true
		die "stripe-mock did not start (its output is above)"
	fi
	export SETTLE_TEST_STRIPE_MOCK="http://$addr"
	log "Stripe: stripe-mock $("$bin" -version 2>/dev/null | head -n 1) at $SETTLE_TEST_STRIPE_MOCK (pid $MOCK_PID)"
}

if [[ -n "${SETTLE_TEST_STRIPE_MOCK:-}" ]]; then
	log "Stripe: using given SETTLE_TEST_STRIPE_MOCK=$SETTLE_TEST_STRIPE_MOCK"
elif mockbin="$(find_stripe_mock)"; then
	start_stripe_mock "$mockbin"
else
	if is_ci; then
		die "CI=true but no stripe-mock: SETTLE_TEST_STRIPE_MOCK is unset and stripe-mock is not installed; the Stripe tests must run in CI (go install github.com/stripe/stripe-mock@v0.203.0)"
	fi
	log "WARNING: no stripe-mock (SETTLE_TEST_STRIPE_MOCK unset, stripe-mock not found)"
	log "WARNING: the Stripe tests will be SKIPPED; install it with: go install github.com/stripe/stripe-mock@v0.203.0"
fi

# --- run the tests ----------------------------------------------------------------
set +e
if [[ -n "${SETTLE_TEST_CMD:-}" ]]; then
	log "running: $SETTLE_TEST_CMD${*:+ $*}"
	bash -c "$SETTLE_TEST_CMD"' "$@"' settle-test "$@"
	rc=$?
else
	# Test ./... unless package patterns were given explicitly.
	pkgs=(./...)
	for a in "$@"; do
		case "$a" in
		. | ./* | ../* | settle | settle/*) pkgs=() ;;
		esac
	done
	log "running: $GO test -count=1 -timeout 20m${*:+ $*}${pkgs[*]:+ ${pkgs[*]}}"
	"$GO" test -count=1 -timeout 20m "$@" "${pkgs[@]}"
	rc=$?
fi
set -e
exit "$rc"
