#!/usr/bin/env bash
# Generate a Flux-style monorepo for scale tests and benchmarks.
# Usage: scripts/gen-monorepo.sh OUT_DIR OVERLAYS
#
# One base of 50 objects (a CNPG Cluster, its ObjectStore and ScheduledBackup, two Velero
# Schedules, 8 PVCs, 4 StatefulSets, 10 Deployments, 15 ConfigMaps, 8 SOPS-encrypted Secrets)
# rendered by OVERLAYS overlays, each with its own namespace (plus a Namespace object), namePrefix,
# labels and a JSON patch, each applied by one Flux Kustomization with a postBuild substitution.
# Objects rendered: 51 per overlay, plus the OVERLAYS Flux Kustomizations.
# tests/scale.rs runs it too (same findings single- and multi-threaded), so keep it deterministic.
set -euo pipefail
out=${1:?usage: gen-monorepo.sh OUT_DIR OVERLAYS}
n=${2:?usage: gen-monorepo.sh OUT_DIR OVERLAYS}
base="$out/apps/base"
mkdir -p "$base" "$out/clusters/main"

{
  cat <<'K'
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: db
spec:
  instances: 2
  storage:
    size: 10Gi
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
      parameters:
        barmanObjectName: store
---
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
metadata:
  name: store
spec:
  retentionPolicy: 30d
  configuration:
    destinationPath: s3://backups/${tenant}
    s3Credentials:
      accessKeyId:
        name: s3-creds
        key: ACCESS_KEY_ID
      secretAccessKey:
        name: s3-creds
        key: ACCESS_SECRET_KEY
---
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata:
  name: db-daily
spec:
  schedule: "0 0 3 * * *"
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io
  cluster:
    name: db
K
  for s in daily weekly; do
    cat <<K
---
apiVersion: velero.io/v1
kind: Schedule
metadata:
  name: volumes-$s
spec:
  schedule: "30 4 * * *"
  template:
    ttl: 720h0m0s
    includedNamespaces:
      - \${tenant}
    labelSelector:
      matchLabels:
        backup: velero
K
  done
  for i in $(seq 1 8); do
    cat <<K
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-$i
  labels:
    backup: velero
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
K
  done
  for i in $(seq 1 4); do
    cat <<K
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: store-$i
spec:
  serviceName: store-$i
  replicas: 1
  selector:
    matchLabels:
      app: store-$i
  template:
    metadata:
      labels:
        app: store-$i
    spec:
      containers:
        - name: store
          image: registry.example.com/store:1.$i
          envFrom:
            - secretRef:
                name: app-secret-$i
  volumeClaimTemplates:
    - metadata:
        name: state
        labels:
          backup: velero
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 2Gi
K
  done
  for i in $(seq 1 10); do
    pvc=$(( (i - 1) % 8 + 1 ))
    secret=$(( (i - 1) % 8 + 1 ))
    cat <<K
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-$i
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web-$i
  template:
    metadata:
      labels:
        app: web-$i
    spec:
      containers:
        - name: web
          image: registry.example.com/web:2.$i
          env:
            - name: PASSWORD
              valueFrom:
                secretKeyRef:
                  name: app-secret-$secret
                  key: password
          volumeMounts:
            - name: data
              mountPath: /data
            - name: config
              mountPath: /etc/web
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data-$pvc
        - name: config
          configMap:
            name: config-$i
K
  done
  for i in $(seq 1 15); do
    cat <<K
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-$i
data:
  app.properties: |
    log.level=info
    cache.size=$((i * 64))
    feature.flags=a,b,c
K
  done
  for i in $(seq 1 8); do
    name=app-secret-$i
    [[ $i == 8 ]] && name=s3-creds
    cat <<K
---
apiVersion: v1
kind: Secret
metadata:
  name: $name
type: Opaque
stringData:
  password: ENC[AES256_GCM,data:c2VjcmV0$i,iv:aXY=,tag:dGFn,type:str]
  ACCESS_KEY_ID: ENC[AES256_GCM,data:a2V5$i,iv:aXY=,tag:dGFn,type:str]
  ACCESS_SECRET_KEY: ENC[AES256_GCM,data:c2Vj$i,iv:aXY=,tag:dGFn,type:str]
sops:
  age:
    - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
  lastmodified: "2024-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.8.1
K
  done
} > "$base/objects.yaml"
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - objects.yaml\n' > "$base/kustomization.yaml"

flux="$out/clusters/main/apps.yaml"
: > "$flux"
for i in $(seq 1 "$n"); do
  t=$(printf 't%05d' "$i")
  o="$out/apps/overlays/$t"
  mkdir -p "$o"
  cat > "$o/kustomization.yaml" <<K
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $t
namePrefix: $t-
labels:
  - pairs:
      tenant: $t
resources:
  - namespace.yaml
  - ../../base
patches:
  - target:
      kind: Deployment
      name: web-1
    patch: |-
      - op: replace
        path: /spec/replicas
        value: $(( i % 3 + 1 ))
K
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$t" > "$o/namespace.yaml"
  [[ $i == 1 ]] || echo '---' >> "$flux"
  cat >> "$flux" <<K
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: $t
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/overlays/$t
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substitute:
      tenant: $t
K
done
