#!/usr/bin/env bash
# Time `drlint check` on generated Flux-style monorepos (scripts/gen-monorepo.sh) of growing size,
# then on two corpus repositories against `kubectl kustomize` over their kustomization folders.
# Prints objects, wall time, peak memory (/usr/bin/time -v) and time per object.
#
# Usage: scripts/bench-scale.sh [OVERLAYS...]   (default: 20 100 200 1000 2000, i.e. about
#        1k 5k 10k 50k 100k objects)
# PROFILE=release (default; LTO, a few minutes to build) or PROFILE=profiling (no LTO, line
# tables for perf). DRLINT=/path/to/drlint skips the build. RAYON_NUM_THREADS=1 for one core.
# DRLINT_TIMINGS=1 makes drlint print each stage's and each rule's time to standard error.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
profile=${PROFILE:-release}
target="${CARGO_TARGET_DIR:-$here/target}"
bin=${DRLINT:-}
if [[ -z "$bin" ]]; then
  cargo build --profile "$profile" -q --manifest-path "$here/Cargo.toml"
  bin="$target/$profile/drlint"
fi
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(20 100 200 1000 2000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run DIR -> "seconds peak_kb objects"
run() {
  /usr/bin/time -v -o "$work/time" "$bin" check --format json "$1" > "$work/out.json" 2>/dev/null || true
  local secs kb objects
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time")
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
  objects=$(grep -o '"objects": *[0-9]*' "$work/out.json" | head -1 | grep -o '[0-9]*$' || echo 0)
  echo "$secs $kb $objects"
}

echo "drlint: $bin (profile $profile), $(nproc) cores, RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-default}"
printf '%-10s %-9s %-9s %-10s %-10s %-9s\n' overlays objects wall_s peak_MB us/object YAML_MB
for n in "${sizes[@]}"; do
  repo="$work/repo-$n"
  bash "$here/scripts/gen-monorepo.sh" "$repo" "$n"
  bytes=$(find "$repo" -name '*.yaml' -printf '%s\n' | awk '{ s += $1 } END { print s }')
  read -r secs kb objects < <(run "$repo")
  awk -v n="$n" -v o="$objects" -v s="$secs" -v kb="$kb" -v b="$bytes" \
    'BEGIN { printf "%-10d %-9d %-9.2f %-10.1f %-10.1f %-9.2f\n", n, o, s, kb / 1024, o ? s * 1e6 / o : 0, b / 1048576 }'
  rm -rf "$repo"
done

# Real repositories: one `drlint check` against `kubectl kustomize` run on every kustomization
# folder (what a CI job that renders each overlay does).
corpus="$here/../shared/corpus"
for name in webgrip__homelab-cluster muhlba91__homelab-home-cluster-applications; do
  repo="$corpus/$name"
  [[ -d "$repo" ]] || { echo "$name: not found under $corpus, skipped"; continue; }
  bytes=$(find "$repo" \( -name '*.yaml' -o -name '*.yml' \) -printf '%s\n' | awk '{ s += $1 } END { print s }')
  read -r secs kb objects < <(run "$repo")
  mapfile -t dirs < <(find "$repo" \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) -printf '%h\n' | sort -u)
  t0=$(date +%s.%N)
  for d in "${dirs[@]}"; do kubectl kustomize "$d" > /dev/null 2>&1 || true; done
  t1=$(date +%s.%N)
  awk -v name="$name" -v s="$secs" -v kb="$kb" -v o="$objects" -v b="$bytes" -v k="$(echo "$t1 - $t0" | bc)" -v d="${#dirs[@]}" \
    'BEGIN { printf "%s: drlint check %.3f s, %d objects, peak %.1f MB (%.1fx its %.1f MB of YAML); kubectl kustomize over %d folders %.2f s (%.0fx)\n", name, s, o, kb / 1024, kb * 1024 / b, b / 1048576, d, k, k / s }'
done
