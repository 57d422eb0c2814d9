#!/usr/bin/env bash
# Render every kustomization folder of one repository with `drlint render` and with
# `kubectl kustomize`, one process per folder for both, and print the totals and the ratio.
# Usage: scripts/bench-render.sh [REPO]   (default: the corpus repository with the most folders)
# Build first: cargo build --release (the script uses target/release/drlint when present).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus="$here/../shared/corpus"
repo=${1:-}
if [[ -z "$repo" ]]; then
  repo=$(for r in "$corpus"/*/; do
    echo "$(find "$r" \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) | wc -l) $r"
  done | sort -n | tail -1 | cut -d' ' -f2)
fi
bin="${CARGO_TARGET_DIR:-$here/target}/release/drlint"
[[ -x "$bin" ]] || bin="${CARGO_TARGET_DIR:-$here/target}/debug/drlint"
mapfile -t dirs < <(find "$repo" \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) -printf '%h\n' | sort -u)
echo "repository: $repo (${#dirs[@]} kustomization folders), drlint: $bin"
now() { date +%s.%N; }
cd "$repo"
t0=$(now)
for d in "${dirs[@]}"; do "$bin" render "$d" >/dev/null 2>&1 || true; done
t1=$(now)
for d in "${dirs[@]}"; do kubectl kustomize "$d" >/dev/null 2>&1 || true; done
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { d = b - a; k = c - b; printf "drlint: %.2fs  kubectl kustomize: %.2fs  ratio: %.1fx\n", d, k, k / d }'
