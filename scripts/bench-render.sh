#!/usr/bin/env bash
# Render every kustomization folder of one repository with `drlint render` and with
# `kubectl kustomize`, one process per folder for both, and print the totals and the ratio.
# Usage: scripts/bench-render.sh [REPO]   (default: the corpus repository with the most folders)
# It builds the release binary first.
set -euo pipefail
cargo build --release -q --manifest-path "$(dirname "$0")/../Cargo.toml"
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

# The whole repository in one `drlint check` (render every entry point and kustomization, run every
# rule), against the per-folder kubectl total above.
t3=$(now)
"$bin" check --format gcc "$repo" >/dev/null 2>&1 || true
t4=$(now)
awk -v a="$t3" -v b="$t4" -v k="$(awk -v b="$t1" -v c="$t2" 'BEGIN { print c - b }')" \
  'BEGIN { d = b - a; printf "drlint check of the whole repository: %.2fs (%.0fx less than kubectl kustomize over its folders)\n", d, k / d }'

# A generated large repository: 300 apps, each a base and two overlays with a CNPG Cluster.
big=$(mktemp -d)
trap 'rm -rf "$big"' EXIT
for i in $(seq 1 300); do
  b="$big/apps/app$i/base"; mkdir -p "$b" "$big/apps/app$i/staging" "$big/apps/app$i/production"
  printf 'resources: [cluster.yaml, backup.yaml]\n' > "$b/kustomization.yaml"
  cat > "$b/cluster.yaml" <<K
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: db$i}
spec:
  instances: 2
  storage: {size: 1Gi}
  backup:
    retentionPolicy: 30d
    barmanObjectStore:
      destinationPath: s3://backups/app$i
      s3Credentials: {inheritFromIAMRole: true}
K
  cat > "$b/backup.yaml" <<K
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata: {name: db$i-daily}
spec: {schedule: "0 0 2 * * *", cluster: {name: db$i}}
K
  for env in staging production; do
    printf 'namespace: app%s-%s\nnameSuffix: -%s\nresources: [../base]\n' "$i" "$env" "$env" > "$big/apps/app$i/$env/kustomization.yaml"
  done
done
t5=$(now)
"$bin" check --format gcc "$big" >/dev/null 2>&1 || true
t6=$(now)
awk -v a="$t5" -v b="$t6" 'BEGIN { printf "drlint check of a generated repository (900 kustomization folders, 1200 objects): %.2fs\n", b - a }'
