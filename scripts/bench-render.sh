#!/usr/bin/env bash
# Benchmark: render every kustomization folder of a repository with `drlint render` and with
# `kubectl kustomize`, one process per folder for both, and print the totals and their ratio.
# Also times one `drlint check` of the whole repository and of a generated large repository.
#
#   scripts/bench-render.sh [REPO]     (default: the largest repository in ../shared/corpus)
#
# Folders kubectl fails to render are timed too (both tools do the same work up to the failure).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=target/release/drlint

repo=${1:-}
if [ -z "$repo" ]; then
  [ -d ../shared/corpus ] || { echo "no ../shared/corpus and no REPO given" >&2; exit 2; }
  repo=$(du -s ../shared/corpus/*/ | sort -n | tail -1 | cut -f2)
fi
command -v kubectl >/dev/null || { echo "kubectl not found" >&2; exit 2; }

mapfile -t dirs < <(find "$repo" \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) -printf '%h\n' | sort -u)
echo "repository: $repo (${#dirs[@]} kustomization folders)"

now() { date +%s%N; }
t0=$(now)
for d in "${dirs[@]}"; do "$bin" render "$d" >/dev/null 2>&1 || true; done
t1=$(now)
for d in "${dirs[@]}"; do kubectl kustomize "$d" >/dev/null 2>&1 || true; done
t2=$(now)
drlint_ms=$(( (t1 - t0) / 1000000 ))
kubectl_ms=$(( (t2 - t1) / 1000000 ))
echo "drlint render:   ${drlint_ms} ms total"
echo "kubectl kustomize: ${kubectl_ms} ms total"
awk -v a="$kubectl_ms" -v b="$drlint_ms" 'BEGIN { if (b > 0) printf "ratio: drlint is %.1fx faster\n", a / b }'

t3=$(now)
"$bin" check --format gcc "$repo" >/dev/null 2>&1 || true
t4=$(now)
echo "drlint check of the whole repository: $(( (t4 - t3) / 1000000 )) ms"

# A generated large repository: 200 apps, each a base + 2 overlays with a CNPG Cluster.
big=$(mktemp -d)
trap 'rm -rf "$big"' EXIT
for i in $(seq 1 200); do
  b="$big/apps/app$i/base"; mkdir -p "$b" "$big/apps/app$i/staging" "$big/apps/app$i/production"
  cat > "$b/kustomization.yaml" <<K
resources: [cluster.yaml, backup.yaml]
K
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
    printf 'namespace: app%s-%s\nresources: [../base]\n' "$i" "$env" > "$big/apps/app$i/$env/kustomization.yaml"
  done
done
t5=$(now)
"$bin" check --format gcc "$big" >/dev/null 2>&1 || true
t6=$(now)
echo "drlint check of a generated repository (600 kustomizations, 800 objects): $(( (t6 - t5) / 1000000 )) ms"
