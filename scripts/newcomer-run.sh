#!/usr/bin/env bash
# A newcomer's first hour, scripted: a fresh clone with no ../shared next to it (the README's two
# commands), a throwaway git repository gated by the pre-commit hook with a baseline, and the
# GitHub workflow's steps run locally. Prints what each step showed.
# Usage: scripts/newcomer-run.sh [CHECKOUT]   (CARGO_TARGET_DIR is honoured for the build)
set -uo pipefail
src="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
work="$(mktemp -d)"
echo "== fresh clone of $src into $work/clone (no ../shared next to it)"
git clone -q "$src" "$work/clone" && cd "$work/clone" || exit 1
[ -e ../shared ] && { echo "../shared exists next to the clone"; exit 1; }

echo "== README command 1: cargo run -- check examples"
cargo run -q -- check examples >"$work/examples.txt" 2>&1; echo "exit $?"; tail -1 "$work/examples.txt"

echo "== README command 2: cargo test --all-targets"
cargo test --all-targets >"$work/test.txt" 2>&1; rc=$?; echo "exit $rc"
grep -E "^test result" "$work/test.txt" | awk '{p+=$4; f+=$6} END {print p" passed, "f" failed"}'
grep -hE "skipped|absent" "$work/test.txt" | sort -u | sed 's/^/  said: /'

bin="$(cargo metadata -q --format-version 1 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/drlint"
export PATH="$(dirname "$bin"):$PATH"

echo "== a throwaway repository gated by pre-commit (repo: local, the installed binary) with a baseline"
repo="$work/gitops"; cp -r "$work/clone/examples" "$repo"; rm -f "$repo/.drlint.yaml"
cd "$repo" && git init -q && git config user.email n@example.com && git config user.name newcomer
cat > .pre-commit-config.yaml <<'YAML'
repos:
  - repo: local
    hooks:
      - id: drlint
        name: drlint
        entry: drlint check --quiet --baseline .drlint-baseline.json
        language: system
        pass_filenames: true
        require_serial: true
        files: '(\.ya?ml|\.md|\.sh|(^|/)Kustomization)$'
YAML
drlint check --baseline-write .drlint-baseline.json
git add -A && git commit -qm "initial" --no-verify && pre-commit install -q >/dev/null
echo "-- a commit that moves lines in a file with known findings (baseline keeps them quiet):"
sed -i '1i # a comment that moves every line down' apps/base/billing-db/scheduled-backup.yaml
git add -A; git commit -qm "move lines" >/dev/null 2>&1 && echo "   commit accepted" || echo "   commit REJECTED"
echo "-- a commit that adds a new 5-field schedule in a new file:"
sed 's/name: billing-db-nightly/name: billing-db-hourly/; s/0 2 \* \* \*/30 * * * */' apps/base/billing-db/scheduled-backup.yaml > apps/base/billing-db/hourly.yaml
sed -i 's/- scheduled-backup.yaml/- scheduled-backup.yaml\n  - hourly.yaml/' apps/base/billing-db/kustomization.yaml
git add -A; if git commit -qm "hourly" >"$work/hook.txt" 2>&1; then echo "   commit accepted (unexpected)"; else echo "   commit rejected:"; grep -E "^\s+[x!>] |^.*error" "$work/hook.txt" | head -3 | sed 's/^/     /'; fi
git reset -q --hard HEAD

echo "== the CI recipe (docs/ci/github-workflow.yml) steps, run locally"
run="$(python3 - "$work/clone/docs/ci/github-workflow.yml" <<'PY'
import sys, re
text = open(sys.argv[1]).read()
m = re.search(r"- name: drlint\n(?:\s+#.*\n)*\s+run: (.*)", text)
print(m.group(1))
PY
)"
echo "   step: $run"
sh -c "$run" >"$work/annotations.txt"; echo "   exit $? (the job fails on findings)"
echo "   annotations: $(grep -c '^::' "$work/annotations.txt") ($(grep -c '^::error' "$work/annotations.txt") errors)"
python3 -c "import json; d=json.load(open('drlint.sarif')); print('   drlint.sarif:', len(d['runs'][0]['results']), 'results, written although the step failed')"
echo "   drlint-junit.xml: $(grep -c '<testcase ' drlint-junit.xml) test cases, $(grep -c '<failure ' drlint-junit.xml) failures"
echo "   upload step condition: $(grep -o "if: .*" "$work/clone/docs/ci/github-workflow.yml")"
echo "== done ($work)"
