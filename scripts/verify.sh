#!/usr/bin/env bash
# scripts/verify.sh — `make verify`: `go mod tidy` and `go generate ./...` must
# not change the tree.
#
# Fails if, after running them, `git status --porcelain` shows a tracked file
# changed or a new (non-ignored) untracked file. Changes that were already in
# the work tree before (uncommitted edits, or everything in a repository with
# no commit yet) are snapshotted first, so only what tidy/generate themselves
# changed is reported. In CI's fresh clone the tree starts clean, so this is a
# strict "tree must stay clean" check there.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO="${GO:-go}"

die() { printf 'verify: ERROR: %s\n' "$*" >&2; exit 1; }

git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "$(pwd) is not a git work tree"

snap="$(mktemp -d)"
trap 'rm -rf "$snap"' EXIT

# Paths (NUL-separated) that git status reports: modified, deleted, untracked...
dirty_paths() {
	local entry xy from
	git status --porcelain=v1 -z --untracked-files=all --ignore-submodules=all |
		while IFS= read -r -d '' entry; do
			xy="${entry:0:2}"
			printf '%s\0' "${entry:3}"
			if [[ "$xy" == R* || "$xy" == C* ]]; then
				IFS= read -r -d '' from
				printf '%s\0' "$from"
			fi
		done
}

# --- snapshot the already-dirty files -------------------------------------------
declare -A before=()
mkdir -p "$snap/before"
while IFS= read -r -d '' p; do
	before["$p"]=1
	if [[ -e "$p" || -L "$p" ]]; then
		cp -P --parents -- "$p" "$snap/before/"
	fi
done < <(dirty_paths)

# --- run the generators ----------------------------------------------------------
echo "verify: $GO mod tidy"
"$GO" mod tidy
echo "verify: $GO generate ./..."
"$GO" generate ./...

# --- compare -------------------------------------------------------------------------
declare -A after=()
while IFS= read -r -d '' p; do after["$p"]=1; done < <(dirty_paths)

changed=()
report="$snap/report"
: >"$report"

exists() { [[ -e "$1" || -L "$1" ]]; }

mapfile -d '' all < <(printf '%s\0' "${!before[@]}" "${!after[@]}" | sort -zu)
for p in "${all[@]}"; do
	[[ -n "$p" ]] || continue
	if [[ -z "${before[$p]:-}" ]]; then
		# Clean before, dirty now.
		changed+=("$p")
		if git ls-files --error-unmatch -- "$p" >/dev/null 2>&1; then
			git --no-pager diff --no-color -- "$p" >>"$report" || true
			exists "$p" || echo "deleted: $p" >>"$report"
		else
			{
				echo "new untracked file: $p"
				head -c 4000 -- "$p" 2>/dev/null | sed 's/^/+ /' || true
				echo
			} >>"$report"
		fi
		continue
	fi
	old="$snap/before/$p"
	if exists "$old" && exists "$p"; then
		if ! cmp -s -- "$old" "$p"; then
			changed+=("$p")
			diff -u --label "$p (before)" --label "$p (after)" -- "$old" "$p" >>"$report" || true
		fi
	elif exists "$old" || exists "$p"; then
		changed+=("$p")
		if exists "$p"; then echo "created: $p" >>"$report"; else echo "deleted: $p" >>"$report"; fi
	fi
done

if ((${#changed[@]} > 0)); then
	echo "verify: FAILED — go mod tidy / go generate changed the tree:" >&2
	printf '  %s\n' "${changed[@]}" >&2
	echo >&2
	cat "$report" >&2
	echo >&2
	echo "verify: run 'go mod tidy' and 'make generate' and commit the result." >&2
	exit 1
fi
echo "verify: OK (go mod tidy and go generate leave the tree unchanged)"
