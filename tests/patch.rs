//! Strategic merge and JSON 6902 patches, as kustomize v5.5.0 applies them.
//!
//! Each case is target + patch -> expected. When `kubectl` is on the PATH, every case is also run
//! through `kubectl kustomize` (the oracle) and the oracle's output must equal the expected YAML, so
//! the expectations written here are kustomize's, not ours. Without kubectl the oracle half is
//! skipped.

mod common;

use drlint::kustomize::patch::{json6902, strategic_merge};
use drlint::source::FileId;
use drlint::source::yaml::{self, Node, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const TARGET: FileId = FileId(1);
const PATCH: FileId = FileId(2);
const EXPECTED: FileId = FileId(3);

fn parse(file: FileId, text: &str) -> Node {
    let parsed = yaml::parse(file, text);
    assert!(parsed.issues.is_empty(), "test YAML does not parse: {:?}\n{text}", parsed.issues);
    parsed.documents.into_iter().next().and_then(|d| d.root).expect("a document")
}

/// The tree with keys in order: `{k: v, ...}` / `[a, ...]`, scalars as JSON.
fn shape(n: &Node) -> String {
    match &n.value {
        Value::Scalar(..) => n.to_json().to_string(),
        Value::Seq(items) => format!("[{}]", items.iter().map(shape).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries.iter().map(|(k, v)| format!("{}: {}", k.as_str().unwrap_or("?"), shape(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

// ---------------------------------------------------------------- the oracle

fn kubectl() -> bool {
    static HAVE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAVE.get_or_init(|| Command::new("kubectl").arg("version").arg("--client").output().map(|o| o.status.success()).unwrap_or(false))
}

fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!("drlint-patch-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `kubectl kustomize` on one resource and one patch: Some(Ok(documents as JSON)) or Some(Err(..)),
/// None without kubectl.
fn oracle(target: &str, patch: &str, json_target: Option<(&str, &str)>) -> Option<Result<Vec<serde_json::Value>, String>> {
    if !kubectl() {
        return None;
    }
    let dir = scratch();
    std::fs::write(dir.join("target.yaml"), target).unwrap();
    std::fs::write(dir.join("patch.yaml"), patch).unwrap();
    let k = match json_target {
        None => "resources: [target.yaml]\npatches:\n- path: patch.yaml\n".to_string(),
        Some((kind, name)) => format!("resources: [target.yaml]\npatches:\n- path: patch.yaml\n  target: {{kind: {kind}, name: {name}}}\n"),
    };
    std::fs::write(dir.join("kustomization.yaml"), k).unwrap();
    let out = Command::new("kubectl").arg("kustomize").arg(&dir).output().expect("run kubectl");
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Some(Err(String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    let text = String::from_utf8(out.stdout).unwrap();
    let docs = yaml::parse(FileId(9), &text).documents.into_iter().filter_map(|d| d.root).map(|r| r.to_json()).collect();
    Some(Ok(docs))
}

// ---------------------------------------------------------------- case runners

/// Strategic merge: ours must give `expected` (values and key order); so must kustomize.
#[track_caller]
fn smp(target: &str, patch: &str, expected: &str) -> Node {
    let t = parse(TARGET, target);
    let p = parse(PATCH, patch);
    let e = parse(EXPECTED, expected);
    let got = strategic_merge(&t, &p).unwrap_or_else(|err| panic!("unexpected error: {err}")).expect("object kept");
    assert_eq!(got.to_json(), e.to_json(), "\n--- ours:\n{}\n--- expected:\n{}", shape(&got), shape(&e));
    assert_eq!(shape(&got), shape(&e), "key order differs");
    if let Some(o) = oracle(target, patch, None) {
        let o = o.unwrap_or_else(|err| panic!("kustomize failed: {err}"));
        assert_eq!(o, vec![e.to_json()], "kustomize disagrees with the expected YAML");
    }
    got
}

/// Strategic merge that kustomize rejects.
#[track_caller]
fn smp_err(target: &str, patch: &str, needle: &str) {
    let t = parse(TARGET, target);
    let p = parse(PATCH, patch);
    let err = strategic_merge(&t, &p).err().unwrap_or_else(|| panic!("expected an error"));
    assert!(err.contains(needle), "error {err:?} lacks {needle:?}");
    if let Some(o) = oracle(target, patch, None) {
        assert!(o.is_err(), "kustomize accepted it: {o:?}");
    }
}

#[track_caller]
fn json(target: &str, ops: &str, expected: &str) -> Node {
    let t = parse(TARGET, target);
    let p = parse(PATCH, ops);
    let e = parse(EXPECTED, expected);
    let got = json6902(&t, &p).unwrap_or_else(|err| panic!("unexpected error: {err}"));
    assert_eq!(got.to_json(), e.to_json(), "\n--- ours:\n{}\n--- expected:\n{}", shape(&got), shape(&e));
    assert_eq!(shape(&got), shape(&e), "key order differs");
    if let Some(o) = oracle(target, ops, Some((t.str_at(&["kind"]).unwrap(), t.str_at(&["metadata", "name"]).unwrap()))) {
        let o = o.unwrap_or_else(|err| panic!("kustomize failed: {err}"));
        assert_eq!(o, vec![e.to_json()], "kustomize disagrees with the expected YAML");
    }
    got
}

#[track_caller]
fn json_err(target: &str, ops: &str, needle: &str) {
    let t = parse(TARGET, target);
    let p = parse(PATCH, ops);
    let err = json6902(&t, &p).err().unwrap_or_else(|| panic!("expected an error"));
    assert!(err.contains(needle), "error {err:?} lacks {needle:?}");
    if let Some(o) = oracle(target, ops, Some((t.str_at(&["kind"]).unwrap(), t.str_at(&["metadata", "name"]).unwrap()))) {
        let o = o.expect_err("kustomize accepted it");
        assert!(o.contains(needle), "kustomize's error {o:?} lacks {needle:?}");
    }
}

/// The text a node's span covers in `src`.
fn text<'a>(src: &'a str, n: &Node) -> &'a str {
    &src[n.span.start as usize..n.span.end as usize]
}

fn deploy(spec: &str) -> String {
    format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n{spec}")
}

fn pod_spec(body: &str) -> String {
    let body: String = body.lines().map(|l| format!("      {l}\n")).collect();
    deploy(&format!("spec:\n  template:\n    spec:\n{body}"))
}

// ================================================================ maps

#[test]
fn maps_merge_recursively_and_new_keys_come_after_the_targets_in_sorted_order() {
    smp(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  z: '1'\n  a: '2'\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: {team: db}\ndata:\n  y: '3'\n  b: '4'\n  z: '9'\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: {team: db}\ndata:\n  z: '9'\n  a: '2'\n  b: '4'\n  y: '3'\n",
    );
}

#[test]
fn a_null_in_the_patch_deletes_the_key_a_null_in_the_target_stays() {
    smp(
        &deploy("spec:\n  paused: null\n  replicas: 2\n  strategy:\n    type: Recreate\n"),
        &deploy("spec:\n  replicas: null\n  strategy: null\n  minReadySeconds: ~\n"),
        &deploy("spec:\n  paused: null\n"),
    );
}

#[test]
fn nulls_inside_new_content_are_dropped() {
    smp(
        &pod_spec("containers:\n- name: a\n  image: a:1\n"),
        &pod_spec("containers:\n- name: b\n  image: b:1\n  args: null\n  resources:\n    limits: {cpu: null, memory: 1Gi}\n"),
        &pod_spec("containers:\n- name: b\n  image: b:1\n  resources:\n    limits: {memory: 1Gi}\n- name: a\n  image: a:1\n"),
    );
}

#[test]
fn a_quoted_target_scalar_keeps_its_quotes_so_the_patched_value_stays_a_string() {
    smp(
        "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: f\nspec:\n  a: \"1\"\n  b: 1\n  c: 'x'\n",
        "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: f\nspec:\n  a: 2\n  b: \"2\"\n  c: true\n",
        "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: f\nspec:\n  a: \"2\"\n  b: \"2\"\n  c: \"true\"\n",
    );
}

#[test]
fn a_map_over_a_scalar_is_an_error() {
    smp_err(&deploy("spec:\n  strategy: {type: Recreate}\n"), &deploy("spec:\n  strategy: 5\n"), "wrong node kind");
    smp_err(&deploy("spec:\n  template:\n    metadata:\n      labels: {a: b}\n"), &deploy("spec:\n  template:\n    metadata:\n      labels: [a]\n"), "wrong node kind");
}

// ================================================================ merge keys of built-in kinds

#[test]
fn containers_merge_by_name_patch_elements_first() {
    smp(
        &pod_spec("containers:\n- name: a\n- name: b\n- name: c\n"),
        &pod_spec("containers:\n- name: c\n  image: x\n- name: n\n"),
        &pod_spec("containers:\n- name: c\n  image: x\n- name: n\n- name: a\n- name: b\n"),
    );
    smp(
        &pod_spec("initContainers:\n- {name: i1, image: a}\n- {name: i2, image: b}\n"),
        &pod_spec("initContainers:\n- {name: i2, image: c}\n"),
        &pod_spec("initContainers:\n- {name: i2, image: c}\n- {name: i1, image: a}\n"),
    );
}

#[test]
fn env_volume_mounts_volumes_and_image_pull_secrets_merge_by_their_keys() {
    smp(
        &pod_spec(
            "containers:\n- name: app\n  env:\n  - {name: X, value: '1'}\n  - {name: Y, value: '2'}\n  volumeMounts:\n  - {mountPath: /data, name: data}\n  - {mountPath: /tmp, name: tmp}\n  args: [--a, --b]\nvolumes:\n- name: data\n  emptyDir: {}\n- name: tmp\n  emptyDir: {}\nimagePullSecrets:\n- name: s1\ntolerations:\n- {key: k1, operator: Exists}\n",
        ),
        &pod_spec(
            "containers:\n- name: app\n  env:\n  - {name: Z, value: '3'}\n  - {name: X, value: '9'}\n  volumeMounts:\n  - {mountPath: /data, readOnly: true}\n  args: [--c]\nvolumes:\n- name: data\n  emptyDir: null\n  persistentVolumeClaim: {claimName: pvc}\nimagePullSecrets:\n- name: s2\ntolerations:\n- {key: k2, operator: Exists}\n",
        ),
        // env by name, volumeMounts by mountPath, volumes by name, imagePullSecrets by name;
        // args and tolerations have no merge key: replaced.
        &pod_spec(
            "containers:\n- name: app\n  env:\n  - {name: Z, value: '3'}\n  - {name: X, value: '9'}\n  - {name: Y, value: '2'}\n  volumeMounts:\n  - {mountPath: /data, name: data, readOnly: true}\n  - {mountPath: /tmp, name: tmp}\n  args: [--c]\nvolumes:\n- name: data\n  persistentVolumeClaim: {claimName: pvc}\n- name: tmp\n  emptyDir: {}\nimagePullSecrets:\n- name: s2\n- name: s1\ntolerations:\n- {key: k2, operator: Exists}\n",
        ),
    );
}

#[test]
fn container_ports_merge_by_container_port_and_protocol() {
    smp(
        &pod_spec("containers:\n- name: a\n  ports:\n  - {containerPort: 80, protocol: TCP, name: http}\n  - {containerPort: 53, protocol: UDP}\n"),
        &pod_spec("containers:\n- name: a\n  ports:\n  - {containerPort: 53, protocol: TCP}\n  - {containerPort: 8080}\n  - {containerPort: 80, protocol: TCP, name: web}\n"),
        // 53/TCP is not 53/UDP; 80/TCP merges and stays in the target's place (lists with two
        // keys put new elements first, then the target's in their order).
        &pod_spec(
            "containers:\n- name: a\n  ports:\n  - {containerPort: 53, protocol: TCP}\n  - {containerPort: 8080}\n  - {containerPort: 80, protocol: TCP, name: web}\n  - {containerPort: 53, protocol: UDP}\n",
        ),
    );
}

#[test]
fn a_port_with_protocol_on_one_side_only_is_not_merged_the_targets_element_wins() {
    // kyaml unifies (80, "") with (80, TCP) but then finds no element with both keys on the side
    // that lacks the protocol: the patch's element is dropped, the target's kept as it was.
    smp(
        &pod_spec("containers:\n- name: a\n  ports:\n  - {containerPort: 80, name: http}\n"),
        &pod_spec("containers:\n- name: a\n  ports:\n  - {containerPort: 80, protocol: TCP, name: web}\n"),
        &pod_spec("containers:\n- name: a\n  ports:\n  - {containerPort: 80, name: http}\n"),
    );
    // Mirrors multiplepatch_test TestPatchPortHasNoProtocol: the target has the protocol.
    let svc = |port: &str, extra: &str| format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - {port}\n{extra}");
    smp(
        &svc("{port: 30900, targetPort: 30900, protocol: TCP}", "  type: NodePort\n"),
        &svc("{port: 30900, targetPort: 30901}", "  selector: {service: web}\n"),
        &svc("{port: 30900, targetPort: 30900, protocol: TCP}", "  type: NodePort\n  selector: {service: web}\n"),
    );
}

#[test]
fn service_ports_merge_by_port_and_protocol() {
    let svc = |ports: &str| format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n{ports}");
    smp(
        &svc("  - {port: 80, protocol: TCP, targetPort: 8080}\n  - {port: 443, protocol: TCP, targetPort: 8443}\n"),
        &svc("  - {port: 443, protocol: TCP, targetPort: 9443}\n  - {port: 9090, protocol: TCP, name: metrics}\n"),
        &svc("  - {port: 9090, protocol: TCP, name: metrics}\n  - {port: 80, protocol: TCP, targetPort: 8080}\n  - {port: 443, protocol: TCP, targetPort: 9443}\n"),
    );
}

#[test]
fn topology_spread_constraints_need_both_keys_to_match() {
    let tsc = |l: &str| pod_spec(&format!("topologySpreadConstraints: {l}\n"));
    // Full match: merged in place; new ones first.
    smp(
        &tsc("[{topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}, {topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}]"),
        &tsc("[{topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 3}, {topologyKey: new, whenUnsatisfiable: X}]"),
        &tsc("[{topologyKey: new, whenUnsatisfiable: X}, {topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}, {topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 3}]"),
    );
    // A patch element missing the second key, where the target has it: silently dropped.
    smp(
        &tsc("[{topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}, {topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}]"),
        &tsc("[{topologyKey: host, maxSkew: 3}]"),
        &tsc("[{topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}, {topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}]"),
    );
    // The target element missing the second key, the patch has it: the patch element is dropped.
    smp(
        &tsc("[{topologyKey: zone, maxSkew: 1}, {topologyKey: host, maxSkew: 1}]"),
        &tsc("[{topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 3}]"),
        &tsc("[{topologyKey: zone, maxSkew: 1}, {topologyKey: host, maxSkew: 1}]"),
    );
    // Both missing it: merged on the first key, and the merged element moves to the front.
    smp(
        &tsc("[{topologyKey: zone, maxSkew: 1}, {topologyKey: host, maxSkew: 1}]"),
        &tsc("[{topologyKey: host, maxSkew: 3}]"),
        &tsc("[{topologyKey: host, maxSkew: 3}, {topologyKey: zone, maxSkew: 1}]"),
    );
}

#[test]
fn finalizers_are_a_union_patch_values_first() {
    smp(
        &deploy("  finalizers: [f1, f2, f3]\n"),
        &deploy("  finalizers: [f9, f2]\n"),
        &deploy("  finalizers: [f9, f2, f1, f3]\n"),
    );
}

#[test]
fn owner_references_merge_by_uid() {
    let cj = |refs: &str, c: &str| {
        format!("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\n  ownerReferences: {refs}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: {c}\n")
    };
    // CronJob containers sit under jobTemplate and merge by name too.
    smp(
        &cj("[{uid: u1, name: x}, {uid: u2, name: y}]", "[{name: a, image: a}]"),
        &cj("[{uid: u2, name: z}]", "[{name: b, image: b}]"),
        &cj("[{uid: u2, name: z}, {uid: u1, name: x}]", "[{name: b, image: b}, {name: a, image: a}]"),
    );
}

#[test]
fn the_schema_is_looked_up_by_exact_api_version() {
    // apps/v1beta2 is not in kustomize's schema (Kubernetes 1.21): containers are replaced.
    let d = |v: &str, c: &str| format!("apiVersion: {v}\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers: {c}\n");
    smp(&d("apps/v1beta2", "[{name: a, image: a}]"), &d("apps/v1beta2", "[{name: b, image: b}]"), &d("apps/v1beta2", "[{name: b, image: b}]"));
    smp(&d("apps/v1", "[{name: a, image: a}]"), &d("apps/v1", "[{name: b, image: b}]"), &d("apps/v1", "[{name: b, image: b}, {name: a, image: a}]"));
}

/// Build `path` (dot-separated; `[]` = "inside a one-element list") holding `list`.
fn nest(path: &str, list: &str) -> String {
    let mut out = list.to_string();
    for seg in path.rsplit('.') {
        out = match seg.strip_suffix("[]") {
            Some(f) => format!("{{{f}: [{{name: c, {}}}]}}", &out[1..out.len() - 1]),
            None => format!("{{{seg}: {out}}}"),
        };
    }
    out
}

#[test]
fn the_merge_key_table_matches_kustomize() {
    // (apiVersion, kind, path to the list, merge key): a list with element `key: a` patched with
    // `key: b` has two elements when the list merges, one when it is replaced.
    let rows: &[(&str, &str, &str, &str, bool)] = &[
        ("v1", "Pod", "spec.containers", "name", true),
        ("v1", "Pod", "spec.containers[].env", "name", true),
        ("v1", "Pod", "spec.containers[].volumeMounts", "mountPath", true),
        ("v1", "Pod", "spec.containers[].volumeDevices", "devicePath", true),
        ("v1", "Pod", "spec.ephemeralContainers", "name", true),
        ("v1", "Pod", "spec.hostAliases", "ip", true),
        ("v1", "Pod", "spec.imagePullSecrets", "name", true),
        ("v1", "Pod", "spec.tolerations", "key", false),
        ("v1", "Pod", "spec.readinessGates", "conditionType", false),
        ("v1", "Pod", "status.conditions", "type", true),
        ("v1", "Pod", "status.podIPs", "ip", true),
        ("v1", "PodTemplate", "template.spec.initContainers", "name", true),
        ("v1", "ReplicationController", "spec.template.spec.volumes", "name", true),
        ("apps/v1", "StatefulSet", "spec.template.spec.containers", "name", true),
        ("apps/v1", "StatefulSet", "spec.volumeClaimTemplates", "name", false),
        ("apps/v1", "DaemonSet", "spec.template.spec.containers", "name", true),
        ("apps/v1", "ReplicaSet", "status.conditions", "type", true),
        ("batch/v1", "Job", "spec.template.spec.containers", "name", true),
        ("batch/v1beta1", "CronJob", "spec.jobTemplate.spec.template.spec.containers", "name", true),
        ("v1", "ServiceAccount", "secrets", "name", true),
        ("v1", "ServiceAccount", "imagePullSecrets", "name", false),
        ("v1", "Node", "status.addresses", "type", true),
        ("v1", "Namespace", "status.conditions", "type", true),
        ("v1", "ConfigMap", "metadata.ownerReferences", "uid", true),
        ("policy/v1", "PodDisruptionBudget", "status.conditions", "type", true),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "webhooks", "name", true),
        ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "webhooks", "name", true),
        ("autoscaling/v2", "HorizontalPodAutoscaler", "metadata.ownerReferences", "uid", false),
        ("networking.k8s.io/v1", "Ingress", "spec.rules", "host", false),
        ("rbac.authorization.k8s.io/v1", "Role", "rules", "verbs", false),
        ("postgresql.cnpg.io/v1", "Cluster", "metadata.ownerReferences", "uid", false),
        ("velero.io/v1", "Backup", "spec.hooks.resources", "name", false),
    ];
    for &(api, kind, path, key, merges) in rows {
        let obj = |v: &str| {
            let body = nest(path, &format!("[{{{key}: {v}}}]"));
            let body = &body[1..body.len() - 1];
            format!("apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\n{}", body.replacen("metadata: {", "metadata: {name: x, ", 1))
        };
        let (t, p) = (obj("a"), obj("b"));
        let t = if path.starts_with("metadata.") { t.replacen("metadata: {name: x}\n", "", 1) } else { t };
        let p = if path.starts_with("metadata.") { p.replacen("metadata: {name: x}\n", "", 1) } else { p };
        let got = strategic_merge(&parse(TARGET, &t), &parse(PATCH, &p)).unwrap().unwrap();
        let mut n = got.clone();
        for seg in path.split('.') {
            let f = seg.trim_end_matches("[]");
            n = n.get(f).unwrap().clone();
            if seg.ends_with("[]") {
                n = n.as_seq().unwrap()[0].clone();
            }
        }
        let len = n.as_seq().unwrap().len();
        assert_eq!(len == 2, merges, "{api} {kind} {path}: ours has {len} elements\n{t}");
        if let Some(o) = oracle(&t, &p, None) {
            let o = o.unwrap_or_else(|e| panic!("{api} {kind}: {e}"));
            assert_eq!(o, vec![got.to_json()], "{api} {kind} {path}: kustomize differs");
        }
    }
}

// ================================================================ CRDs

#[test]
fn crd_lists_are_replaced_never_merged_by_name() {
    // CNPG Cluster: kustomize has no schema for it, so every list in the patch replaces the
    // target's list, even lists of named elements.
    smp(
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  instances: 3\n  managed:\n    roles:\n    - {name: app, login: true}\n    - {name: ro, login: false}\n  externalClusters:\n  - name: origin\n    barmanObjectStore: {destinationPath: 's3://x'}\n  plugins:\n  - {name: barman, enabled: true}\n  postgresql:\n    parameters: {a: '1'}\n",
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  managed:\n    roles:\n    - {name: ro, login: true}\n  externalClusters:\n  - {name: other, x: 1}\n  plugins:\n  - enabled: false\n  postgresql:\n    parameters: {b: '2'}\n",
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  instances: 3\n  managed:\n    roles:\n    - {name: ro, login: true}\n  externalClusters:\n  - {name: other, x: 1}\n  plugins:\n  - enabled: false\n  postgresql:\n    parameters: {a: '1', b: '2'}\n",
    );
}

#[test]
fn velero_schedule_lists_are_replaced_and_maps_merged() {
    smp(
        "apiVersion: velero.io/v1\nkind: Schedule\nmetadata:\n  name: daily\n  finalizers: [a]\nspec:\n  schedule: 0 1 * * *\n  template:\n    includedNamespaces: [app, db]\n    ttl: 720h0m0s\n    hooks:\n      resources:\n      - name: freeze\n        includedNamespaces: [db]\n",
        "apiVersion: velero.io/v1\nkind: Schedule\nmetadata:\n  name: daily\n  finalizers: [b]\nspec:\n  template:\n    includedNamespaces: [db]\n    hooks:\n      resources:\n      - name: freeze\n        excludedNamespaces: [x]\n",
        // Even metadata.finalizers is replaced: without a schema nothing is associative.
        "apiVersion: velero.io/v1\nkind: Schedule\nmetadata:\n  name: daily\n  finalizers: [b]\nspec:\n  schedule: 0 1 * * *\n  template:\n    includedNamespaces: [db]\n    ttl: 720h0m0s\n    hooks:\n      resources:\n      - name: freeze\n        excludedNamespaces: [x]\n",
    );
}

// ================================================================ directives

#[test]
fn patch_delete_on_the_whole_object() {
    let t = parse(TARGET, &deploy("spec:\n  replicas: 1\n"));
    let p = parse(PATCH, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n$patch: delete\n");
    assert_eq!(strategic_merge(&t, &p), Ok(None));
    if let Some(o) = oracle(&deploy("spec:\n  replicas: 1\n"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n$patch: delete\n", None) {
        assert_eq!(o.unwrap(), Vec::<serde_json::Value>::new());
    }
}

#[test]
fn patch_delete_and_replace_on_maps() {
    smp(
        &deploy("spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1}\n  template:\n    metadata:\n      labels: {app: x, tier: y}\n"),
        &deploy("spec:\n  strategy:\n    $patch: delete\n  template:\n    metadata:\n      labels:\n        $patch: replace\n        new: z\n"),
        &deploy("spec:\n  template:\n    metadata:\n      labels: {new: z}\n"),
    );
}

#[test]
fn patch_delete_on_list_elements() {
    smp(
        &pod_spec("containers:\n- {name: a, image: a}\n- {name: b, image: b}\nvolumes:\n- {name: data, emptyDir: {}}\n"),
        // Deleting an element that does not exist adds nothing.
        &pod_spec("containers:\n- {name: a, $patch: delete}\n- {name: zz, $patch: delete}\nvolumes:\n- {$patch: delete, name: data}\n"),
        &pod_spec("containers:\n- {name: b, image: b}\nvolumes: []\n"),
    );
}

#[test]
fn list_level_replace_and_delete() {
    smp(
        &pod_spec("containers:\n- {name: a, image: a}\n- {name: b, image: b}\nvolumes:\n- {name: data, emptyDir: {}}\n"),
        &pod_spec("containers:\n- {name: b, image: b2}\n- $patch: replace\nvolumes:\n- $patch: delete\n"),
        &pod_spec("containers:\n- {name: b, image: b2}\n"),
    );
}

#[test]
fn element_level_replace_is_undone_by_kustomize() {
    // kyaml puts the target's element back after the merge: `$patch: replace` on one element has
    // no effect at all.
    smp(
        &pod_spec("containers:\n- {name: a, image: a, args: [x]}\n"),
        &pod_spec("containers:\n- {name: a, image: a9, $patch: replace}\n"),
        &pod_spec("containers:\n- {name: a, image: a, args: [x]}\n"),
    );
}

#[test]
fn retain_keys_set_element_order_and_delete_from_primitive_list_are_copied_not_applied() {
    smp(
        &deploy("  finalizers: [f1, f2]\nspec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1}\n  template:\n    spec:\n      containers:\n      - {name: a}\n      - {name: b}\n"),
        &deploy("  $deleteFromPrimitiveList/finalizers: [f2]\nspec:\n  strategy:\n    $retainKeys: [type]\n    type: Recreate\n  template:\n    spec:\n      $setElementOrder/containers:\n      - name: b\n      - name: a\n"),
        &deploy("  finalizers: [f1, f2]\n  $deleteFromPrimitiveList/finalizers: [f2]\nspec:\n  strategy:\n    type: Recreate\n    rollingUpdate: {maxSurge: 1}\n    $retainKeys: [type]\n  template:\n    spec:\n      containers:\n      - {name: a}\n      - {name: b}\n      $setElementOrder/containers:\n      - name: b\n      - name: a\n"),
    );
}

#[test]
fn unknown_patch_strategy_is_an_error() {
    smp_err(&deploy("spec:\n  strategy: {type: Recreate}\n"), &deploy("spec:\n  strategy:\n    $patch: frob\n"), "unknown patch strategy 'frob'");
}

// ================================================================ kyaml quirks worth knowing

#[test]
fn a_patch_container_without_a_name_removes_every_named_container() {
    smp(
        &pod_spec("containers:\n- {name: a, image: a}\n- {name: b, image: b}\n"),
        &pod_spec("containers:\n- image: x\n"),
        &pod_spec("containers: []\n"),
    );
}

#[test]
fn a_target_container_without_a_name_wipes_its_siblings_even_when_the_patch_does_not_touch_the_list() {
    smp(
        &pod_spec("containers:\n- {name: a, image: a}\n- image: noname\n- {}\nnodeSelector: {a: null}\n"),
        &pod_spec("hostname: h\nnodeSelector: {b: c}\n"),
        &pod_spec("containers:\n- image: noname\nnodeSelector: {a: null, b: c}\nhostname: h\n"),
    );
}

#[test]
fn duplicate_names_in_the_target_collapse_to_the_last() {
    smp(
        &pod_spec("containers:\n- {name: a}\n- {name: b}\n- {name: a, image: dup}\n"),
        &pod_spec("containers:\n- {name: a, image: x}\n"),
        &pod_spec("containers:\n- {name: a, image: dup}\n- {name: b}\n"),
    );
}

// ================================================================ provenance

#[test]
fn provenance_patched_values_point_into_the_patch_untouched_ones_into_the_target() {
    let target = deploy("spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n");
    let patch = deploy("spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n      - name: sidecar\n        image: proxy:1\n");
    let got = smp(
        &target,
        &patch,
        &deploy("spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n      - name: sidecar\n        image: proxy:1\n"),
    );
    let replicas = got.at(&["spec", "replicas"]).unwrap();
    assert_eq!(replicas.span.file, PATCH);
    assert_eq!(text(&patch, replicas), "3");
    let containers = got.at(&["spec", "template", "spec", "containers"]).unwrap();
    // The merged list and the merged element are the target's; the new image is the patch's.
    assert_eq!(containers.span.file, TARGET);
    let app = &containers.as_seq().unwrap()[0];
    assert_eq!(app.span.file, TARGET);
    // Every scalar the patch writes is the patch's, even when it restates the same value (the
    // merge key included), as kyaml takes the patch's node.
    assert_eq!(app.get("name").unwrap().span.file, PATCH);
    assert_eq!(text(&patch, app.get("image").unwrap()), "app:2");
    // A whole new element is the patch's, keys included.
    let sidecar = &containers.as_seq().unwrap()[1];
    assert_eq!(sidecar.span.file, PATCH);
    assert_eq!(text(&patch, sidecar.get("image").unwrap()), "proxy:1");
    assert_eq!(text(&patch, sidecar.key("image").unwrap()), "image");
    // The merged map itself keeps the target's span; untouched names too.
    assert_eq!(got.get("spec").unwrap().span.file, TARGET);
    assert_eq!(got.at(&["metadata", "name"]).unwrap().span.file, PATCH, "the patch restates the name");
    assert_eq!(got.get("kind").unwrap().span.file, PATCH);
}

#[test]
fn provenance_new_keys_are_the_patchs_key_nodes() {
    let target = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: '1'\n";
    let patch = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  b: '2'\n";
    let got = smp(target, patch, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: '1'\n  b: '2'\n");
    let data = got.get("data").unwrap();
    assert_eq!(data.span.file, TARGET);
    assert_eq!(text(target, data.get("a").unwrap()), "'1'");
    assert_eq!(data.key("b").unwrap().span.file, PATCH);
    assert_eq!(text(patch, data.get("b").unwrap()), "'2'");
}

// ================================================================ JSON 6902

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    a/b: x\n    c~d: y\ndata:\n  k: v\nspec:\n  arr: [a, b, c]\n";

fn cm(rest: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n{rest}")
}

#[test]
fn json_add_replace_remove_with_escapes() {
    json(
        CM,
        "- {op: replace, path: /metadata/annotations/a~1b, value: q}\n- {op: remove, path: /metadata/annotations/c~0d}\n- {op: add, path: /data/new, value: '1'}\n- {op: add, path: /spec/arr/1, value: {x: 1}}\n",
        &cm("  annotations:\n    a/b: q\ndata:\n  k: v\n  new: '1'\nspec:\n  arr: [a, {x: 1}, b, c]\n"),
    );
}

#[test]
fn json_append_with_dash_and_with_minus_one() {
    json(CM, "- {op: add, path: /spec/arr/-, value: z}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, b, c, z]\n"));
    json(CM, "- {op: add, path: /spec/arr/-1, value: z}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, b, c, z]\n"));
    json(CM, "- {op: add, path: /spec/arr/3, value: z}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, b, c, z]\n"));
    json(CM, "- {op: remove, path: /spec/arr/-1}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, b]\n"));
    json(CM, "- {op: replace, path: /spec/arr/01, value: q}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, q, c]\n"));
}

#[test]
fn json_move_copy_and_test() {
    json(CM, "- {op: move, from: /data/k, path: /spec/k2}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {}\nspec:\n  arr: [a, b, c]\n  k2: v\n"));
    json(CM, "- {op: move, from: /spec/arr/0, path: /spec/arr/-}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [b, c, a]\n"));
    json(CM, "- {op: copy, from: /spec/arr, path: /data/arr2}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v, arr2: [a, b, c]}\nspec:\n  arr: [a, b, c]\n"));
    json(
        CM,
        "- {op: test, path: /data/k, value: v}\n- {op: test, path: /spec, value: {arr: [a, b, c]}}\n- {op: add, path: /data/z, value: '1'}\n",
        &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v, z: '1'}\nspec:\n  arr: [a, b, c]\n"),
    );
}

#[test]
fn json_kustomize_leniencies() {
    // replace of a missing key adds it; copy from a missing key copies null; test of a missing key
    // against null passes; add without a value adds null.
    json(CM, "- {op: replace, path: /data/nope, value: 1}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v, nope: 1}\nspec:\n  arr: [a, b, c]\n"));
    json(CM, "- {op: copy, from: /data/nope, path: /data/x}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v, x: null}\nspec:\n  arr: [a, b, c]\n"));
    json(CM, "- {op: test, path: /data/nope, value: null}\n", CM);
    json(CM, "- {op: add, path: /data/q}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v, q: null}\nspec:\n  arr: [a, b, c]\n"));
}

#[test]
fn json_errors() {
    json_err(CM, "- {op: remove, path: /data/nope}\n", "Unable to remove nonexistent key: nope: missing value");
    json_err(CM, "- {op: add, path: /nope/x, value: 1}\n", "doc is missing path");
    json_err(CM, "- {op: add, path: /data/k/x, value: 1}\n", "doc is missing path");
    json_err(CM, "- {op: replace, path: /nope/x, value: 1}\n", "doc is missing path");
    json_err(CM, "- {op: replace, path: /spec/arr/3, value: 1}\n", "doc is missing key: /spec/arr/3");
    json_err(CM, "- {op: replace, path: /spec/arr/-4, value: 1}\n", "doc is missing key");
    json_err(CM, "- {op: add, path: /spec/arr/4, value: z}\n", "Unable to access invalid index: 4");
    json_err(CM, "- {op: remove, path: /spec/arr/5}\n", "Unable to access invalid index: 5");
    json_err(CM, "- {op: remove, path: /spec/arr/-}\n", "invalid syntax");
    json_err(CM, "- {op: test, path: /data/k, value: w}\n", "testing value /data/k failed: test failed");
    json_err(CM, "- {op: move, from: /data/nope, path: /data/x}\n", "Unable to remove nonexistent key: nope");
    json_err(CM, "- {op: frob, path: /data/k}\n", "Unexpected kind: frob");
    json_err(CM, "- {op: add, value: q}\n", "add operation failed to decode path");
    json_err(CM, "- {op: add, path: /spec/arr/x, value: 1}\n", "value was not a proper array index: 'x'");
    json_err(CM, "- {op: copy, from: /nope/x, path: /data/x}\n", "copy operation does not apply: doc is missing from path: /nope/x");
    json_err(CM, "- {op: test, path: /nope/x, value: 1}\n", "test operation does not apply: is missing path: /nope/x");
    json_err(CM, "- {op: move, from: /spec, path: /spec/x}\n", "move operation does not apply: doc is missing destination path: /spec/x");
    // The whole document cannot be replaced.
    json_err(CM, "- {op: add, path: '', value: {a: 1}}\n", "add operation does not apply: doc is missing path");
    json_err(CM, "- {op: test, path: '', value: null}\n", "testing value  failed: test failed");
}

#[test]
fn json_more_index_forms() {
    // -1 is the last element for replace; +1 reads as 1; copy inside a list; a path without the
    // leading slash loses its first segment (kustomize's json-patch), so `data/x` is `/x`.
    json(CM, "- {op: replace, path: /spec/arr/-1, value: q}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, b, q]\n"));
    json(CM, "- {op: add, path: /spec/arr/+1, value: q}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, q, b, c]\n"));
    json(CM, "- {op: copy, from: /spec/arr/0, path: /spec/arr/0}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, a, b, c]\n"));
    json(CM, "- {op: test, path: /spec/arr/1, value: b}\n", CM);
    json(CM, "- {op: add, path: data/x, value: '1'}\n", &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v}\nspec:\n  arr: [a, b, c]\nx: '1'\n"));
}

#[test]
fn json_provenance() {
    let ops = "- {op: add, path: /data/new, value: hello}\n";
    let got = json(CM, ops, &cm("  annotations: {a/b: x, c~d: y}\ndata: {k: v, new: hello}\nspec:\n  arr: [a, b, c]\n"));
    let data = got.get("data").unwrap();
    assert_eq!(data.span.file, TARGET);
    assert_eq!(text(ops, data.get("new").unwrap()), "hello");
    assert_eq!(text(ops, data.key("new").unwrap()), "/data/new");
    assert_eq!(text(CM, data.get("k").unwrap()), "v");
}

// ================================================================ hostile input

#[test]
fn deep_nesting_and_wrong_shapes_do_not_panic() {
    let mut deep = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: ");
    for _ in 0..250 {
        deep.push('{');
        deep.push_str("a: ");
    }
    deep.push('1');
    for _ in 0..250 {
        deep.push('}');
    }
    deep.push('\n');
    let t = parse(TARGET, &deep);
    let p = parse(PATCH, &deep.replace(": 1}", ": 2}"));
    assert!(strategic_merge(&t, &p).is_ok());
    assert!(strategic_merge(&t, &parse(PATCH, "[1, 2]")).is_err());
    assert!(json6902(&t, &parse(PATCH, "{op: add}")).is_err());
    assert!(json6902(&t, &parse(PATCH, "- 5\n- [x]\n")).is_err());
    // Scalars where an associative list expects mappings.
    let r = strategic_merge(&parse(TARGET, &pod_spec("containers: [a, b]\n")), &parse(PATCH, &pod_spec("containers:\n- name: x\n")));
    let _ = r;
}

// ================================================================ kustomize's own end-to-end cases

fn conformance_dir() -> Option<PathBuf> {
    let d = common::shared()?.join("kustomize-conformance/cases");
    d.is_dir().then_some(d)
}

/// Docs of a YAML text (files get distinct ids so spans stay distinguishable).
fn docs(text: &str, file: u32) -> Vec<Node> {
    yaml::parse(FileId(file), text).documents.into_iter().filter_map(|d| d.root).filter(|r| !r.is_null()).collect()
}

/// kustomize's target selector, for the fields these cases use.
fn selected(res: &Node, target: &Node) -> bool {
    let anchored = |pat: &str, s: &str| regex::Regex::new(&format!("^(?:{pat})$")).map(|r| r.is_match(s)).unwrap_or(false);
    let api = res.str_at(&["apiVersion"]).unwrap_or("");
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    for (k, _, v) in target.entries() {
        let v = v.as_text().unwrap_or("");
        let ok = match k {
            "kind" => anchored(v, res.str_at(&["kind"]).unwrap_or("")),
            "name" => anchored(v, res.str_at(&["metadata", "name"]).unwrap_or("")),
            "namespace" => anchored(v, res.str_at(&["metadata", "namespace"]).unwrap_or("")),
            "group" => v == group,
            "version" => v == version,
            "labelSelector" | "annotationSelector" => {
                let field = if k == "labelSelector" { "labels" } else { "annotations" };
                v.split(',').all(|term| match term.split_once('=') {
                    Some((lk, lv)) => res.str_at(&["metadata", field, lk.trim()]) == Some(lv.trim()),
                    None => false,
                })
            }
            _ => return false,
        };
        if !ok {
            return false;
        }
    }
    true
}

enum Outcome {
    Skip(String),
    Ran(Vec<serde_json::Value>, Vec<Node>),
}

/// Apply a case's patches with our implementation. Only kustomizations made of plain resource
/// files and patches are run; anything else is the renderer's business and is skipped.
fn run_case(case: &Path) -> Result<Outcome, String> {
    let meta = std::fs::read_to_string(case.join("case.yaml")).map_err(|e| e.to_string())?;
    let meta = parse(FileId(50), &meta);
    if meta.str_at(&["expect"]) != Some("output") {
        return Ok(Outcome::Skip("expects an error".into()));
    }
    build(&case.join("input").join(meta.str_at(&["build", "dir"]).unwrap_or(".")), 0)
}

/// One kustomization: its resources (files, or directories built the same way) and its patches.
fn build(dir: &Path, depth: usize) -> Result<Outcome, String> {
    if depth > 10 {
        return Err("resource directories nest too deeply".into());
    }
    let k = std::fs::read_to_string(dir.join("kustomization.yaml")).map_err(|e| e.to_string())?;
    let k = docs(&k, 51).into_iter().next().ok_or("empty kustomization")?;
    let mut next_file = 100u32;
    let mut read = |rel: &str| -> Result<(String, u32), String> {
        next_file += 1;
        std::fs::read_to_string(dir.join(rel)).map(|t| (t, next_file)).map_err(|e| format!("{rel}: {e}"))
    };
    for (key, _, _) in k.entries() {
        if !matches!(key, "apiVersion" | "kind" | "resources" | "patches" | "patchesStrategicMerge" | "patchesJson6902") {
            return Ok(Outcome::Skip(format!("uses {key}")));
        }
    }
    let mut resources: Vec<Node> = Vec::new();
    for r in k.get("resources").map(|r| r.items().collect::<Vec<_>>()).unwrap_or_default() {
        let rel = r.as_str().unwrap_or("");
        if dir.join(rel).is_dir() {
            match build(&dir.join(rel), depth + 1)? {
                Outcome::Skip(why) => return Ok(Outcome::Skip(why)),
                Outcome::Ran(_, nodes) => resources.extend(nodes),
            }
            continue;
        }
        let (t, id) = read(rel)?;
        resources.extend(docs(&t, id));
    }
    // (target selector or None, patch documents, json?)
    let mut patches: Vec<(Option<Node>, Vec<Node>, bool)> = Vec::new();
    for p in k.get("patchesStrategicMerge").map(|p| p.items().collect::<Vec<_>>()).unwrap_or_default() {
        let text = p.as_str().unwrap_or("");
        let (t, id) = if text.contains('\n') || text.contains(':') { (text.to_string(), 60) } else { read(text)? };
        patches.push((None, docs(&t, id), false));
    }
    for p in k.get("patches").map(|p| p.items().collect::<Vec<_>>()).unwrap_or_default() {
        if p.get("options").is_some() {
            return Ok(Outcome::Skip("patch options".into()));
        }
        let (t, id) = match (p.str_at(&["path"]), p.str_at(&["patch"])) {
            (Some(path), _) => read(path)?,
            (None, Some(inline)) => (inline.to_string(), 61),
            _ => return Err("patch without path or patch".into()),
        };
        let d = docs(&t, id);
        let is_json = d.len() == 1 && d[0].is_seq();
        patches.push((p.get("target").cloned(), d, is_json));
    }
    for p in k.get("patchesJson6902").map(|p| p.items().collect::<Vec<_>>()).unwrap_or_default() {
        let (t, id) = match (p.str_at(&["path"]), p.str_at(&["patch"])) {
            (Some(path), _) => read(path)?,
            (None, Some(inline)) => (inline.to_string(), 62),
            _ => return Err("json patch without path or patch".into()),
        };
        patches.push((p.get("target").cloned(), docs(&t, id), true));
    }
    for (target, pdocs, is_json) in patches {
        if is_json {
            let target = target.ok_or("json patch without target")?;
            for r in resources.iter_mut().filter(|r| selected(r, &target)) {
                *r = json6902(r, &pdocs[0])?;
            }
            continue;
        }
        for patch in pdocs {
            let mut keep = Vec::new();
            for r in resources.drain(..) {
                let hit = match &target {
                    Some(t) => selected(&r, t),
                    None => r.str_at(&["kind"]) == patch.str_at(&["kind"]) && r.str_at(&["metadata", "name"]) == patch.str_at(&["metadata", "name"]),
                };
                if !hit {
                    keep.push(r);
                    continue;
                }
                // With a selector, kustomize points a copy of the patch at each resource.
                let mut p = patch.clone();
                if target.is_some() {
                    for key in ["apiVersion", "kind"] {
                        if let (Some(v), true) = (r.get(key).cloned(), p.is_map()) {
                            let kn = Node::scalar(key, v.span);
                            p.insert(kn, v);
                        }
                    }
                    if let (Some(name), Some(meta)) = (r.at(&["metadata", "name"]).cloned(), p.get_mut("metadata")) {
                        let kn = Node::scalar("name", name.span);
                        meta.insert(kn, name);
                    }
                }
                if let Some(out) = strategic_merge(&r, &p)? {
                    keep.push(out);
                }
            }
            resources = keep;
        }
    }
    Ok(Outcome::Ran(resources.iter().map(Node::to_json).collect(), resources))
}

fn sorted(mut v: Vec<serde_json::Value>) -> Vec<String> {
    let mut s: Vec<String> = v.drain(..).map(|j| j.to_string()).collect();
    s.sort();
    s
}

#[test]
fn kustomize_conformance_cases_with_patches() {
    let Some(cases) = conformance_dir() else {
        eprintln!("skipped: the kustomize conformance cases (../shared) are absent");
        return;
    };
    let index = std::fs::read_to_string(cases.join("../cases.tsv")).unwrap();
    let (mut ran, mut skipped, mut failed) = (0, Vec::new(), Vec::new());
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (id, features) = (cols[0], cols.get(4).copied().unwrap_or(""));
        if !(features.contains("patch: strategic-merge") || features.contains("patch: json6902")) {
            continue;
        }
        let case = cases.join(id);
        match run_case(&case) {
            Ok(Outcome::Skip(why)) => skipped.push(format!("{id}: {why}")),
            Ok(Outcome::Ran(got, _)) => {
                ran += 1;
                let expected = std::fs::read_to_string(case.join("expected.yaml")).unwrap();
                let expected: Vec<serde_json::Value> = docs(&expected, 70).iter().map(Node::to_json).collect();
                if sorted(got.clone()) != sorted(expected.clone()) {
                    failed.push(format!("{id}:\n  ours:     {:?}\n  expected: {:?}", sorted(got), sorted(expected)));
                }
            }
            Err(e) => failed.push(format!("{id}: error {e}")),
        }
    }
    eprintln!("conformance: {ran} run, {} skipped", skipped.len());
    if std::env::var_os("PATCH_CONFORMANCE_VERBOSE").is_some() {
        eprintln!("{skipped:#?}");
    }
    assert!(ran >= 20, "too few cases ran: {ran}; skipped: {skipped:#?}");
    assert!(failed.is_empty(), "{} of {ran} cases differ:\n{}", failed.len(), failed.join("\n"));
}

// ================================================================ randomized comparison with kustomize

/// Small deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

fn gen_ports(r: &mut Rng, patch: bool) -> String {
    let n = r.next() % 4;
    let mut out = Vec::new();
    for _ in 0..n {
        let mut f = vec![format!("containerPort: {}", r.pick(&["80", "53", "8080"]))];
        if r.chance(60) {
            f.push(format!("protocol: {}", r.pick(&["TCP", "UDP"])));
        }
        if r.chance(50) {
            f.push(format!("name: {}", r.pick(&["a", "b", "c"])));
        }
        if patch && r.chance(10) {
            f.push("$patch: delete".into());
        }
        out.push(format!("{{{}}}", f.join(", ")));
    }
    format!("[{}]", out.join(", "))
}

fn gen_env(r: &mut Rng, patch: bool) -> String {
    let n = r.next() % 4;
    let mut out = Vec::new();
    for _ in 0..n {
        let mut f = Vec::new();
        if !r.chance(5) {
            f.push(format!("name: {}", r.pick(&["X", "Y", "Z"])));
        }
        match r.next() % 4 {
            0 if patch => f.push("value: null".into()),
            1 => f.push("valueFrom: {fieldRef: {fieldPath: metadata.name}}".into()),
            _ => f.push(format!("value: '{}'", r.pick(&["1", "2"]))),
        }
        if patch && r.chance(8) {
            f.push("$patch: delete".into());
        }
        out.push(format!("{{{}}}", f.join(", ")));
    }
    if patch && r.chance(8) {
        out.push(format!("{{$patch: {}}}", r.pick(&["replace", "delete"])));
    }
    format!("[{}]", out.join(", "))
}

fn gen_containers(r: &mut Rng, patch: bool) -> String {
    let n = 1 + r.next() % 3;
    let mut out = Vec::new();
    for _ in 0..n {
        let mut f = vec![format!("name: {}", r.pick(&["app", "side", "init"]))];
        if r.chance(60) {
            f.push(format!("image: {}", r.pick(&["a:1", "a:2", "b:1"])));
        }
        if r.chance(50) {
            f.push(format!("ports: {}", gen_ports(r, patch)));
        }
        if r.chance(50) {
            f.push(format!("env: {}", gen_env(r, patch)));
        }
        if r.chance(30) {
            f.push(format!("args: [{}]", r.pick(&["--a", "--b", "--a, --b"])));
        }
        if patch && r.chance(5) {
            f.push(format!("$patch: {}", r.pick(&["delete", "replace", "merge"])));
        }
        out.push(format!("{{{}}}", f.join(", ")));
    }
    format!("[{}]", out.join(", "))
}

fn gen_object(r: &mut Rng, kind: usize, patch: bool) -> String {
    let (api, k) = [("apps/v1", "Deployment"), ("example.com/v1", "Thing"), ("v1", "Service")][kind];
    let mut s = format!("apiVersion: {api}\nkind: {k}\nmetadata:\n  name: x\n");
    if r.chance(40) {
        s.push_str(&format!("  finalizers: [{}]\n", r.pick(&["f1", "f2", "f1, f3", "f3, f1"])));
    }
    if r.chance(40) {
        s.push_str(&format!("  labels: {}\n", r.pick(&["{a: b}", "{a: c, d: e}", "null", "{a: null}"])));
    }
    match kind {
        0 | 1 => {
            s.push_str("spec:\n");
            if r.chance(40) {
                s.push_str(&format!("  replicas: {}\n", r.pick(&["1", "2", "'3'", "null"])));
            }
            s.push_str("  template:\n");
            if r.chance(30) {
                let labels = if patch { ["{$patch: replace, x: y}", "{a: null}", "{b: c}", "null"] } else { ["{a: b}", "{a: b, c: d}", "{}", "null"] };
                s.push_str(&format!("    metadata:\n      labels: {}\n", r.pick(&labels)));
            }
            s.push_str("    spec:\n");
            if r.chance(85) {
                let mut c = gen_containers(r, patch);
                if patch && r.chance(10) {
                    c = format!("{}, {{$patch: {}}}]", c.trim_end_matches(']'), r.pick(&["replace", "delete"]));
                }
                if !patch && r.chance(5) {
                    c = format!("{}, {{image: noname}}]", c.trim_end_matches(']'));
                }
                s.push_str(&format!("      containers: {c}\n"));
            }
            if r.chance(30) {
                s.push_str(&format!("      initContainers: {}\n", gen_containers(r, patch)));
            }
            if r.chance(30) {
                let t = ["{topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}", "{topologyKey: zone, maxSkew: 2}", "{topologyKey: host, whenUnsatisfiable: ScheduleAnyway}", "{topologyKey: host, maxSkew: 3}", "{whenUnsatisfiable: X}"];
                s.push_str(&format!("      topologySpreadConstraints: [{}]\n", (0..1 + r.next() % 3).map(|_| r.pick(&t)).collect::<Vec<_>>().join(", ")));
            }
            if r.chance(20) {
                s.push_str(&format!("      hostAliases: [{}]\n", r.pick(&["{ip: 1.1.1.1, hostnames: [a]}", "{ip: 1.1.1.1, hostnames: [b]}, {ip: 2.2.2.2}", "{hostnames: [c]}"])));
            }
            if r.chance(20) {
                s.push_str(&format!("      tolerations: [{}]\n", r.pick(&["{key: a, operator: Exists}", "{key: b}"])));
            }
            if r.chance(40) {
                s.push_str(&format!("      volumes: [{}]\n", r.pick(&["{name: v, emptyDir: {}}", "{name: v, emptyDir: null, secret: {secretName: s}}", "{name: w, configMap: {name: c}}"])));
            }
        }
        _ => {
            let ports = ["{port: 80, protocol: TCP}", "{port: 80}", "{port: 80, protocol: UDP, targetPort: 1}", "{port: 443, name: https}"];
            s.push_str(&format!("spec:\n  ports: [{}]\n", (0..1 + r.next() % 3).map(|_| r.pick(&ports)).collect::<Vec<_>>().join(", ")));
        }
    }
    s
}

/// Run with `cargo test --test patch -- --ignored randomized` (needs kubectl): random targets and
/// patches over containers, env, ports, volumes, finalizers and a CRD, compared with kustomize.
#[test]
#[ignore]
fn randomized_comparison_with_kustomize() {
    if !kubectl() {
        eprintln!("kubectl not found: skipped");
        return;
    }
    let n: usize = std::env::var("PATCH_RANDOM_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(150);
    let seed = std::env::var("PATCH_RANDOM_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x9E3779B97F4A7C15u64);
    let mut r = Rng(seed | 1);
    let mut bad = Vec::new();
    for i in 0..n {
        let kind = (r.next() % 3) as usize;
        let target = gen_object(&mut r, kind, false);
        let patch = gen_object(&mut r, kind, true);
        let ours = strategic_merge(&parse(TARGET, &target), &parse(PATCH, &patch));
        let theirs = oracle(&target, &patch, None).unwrap();
        let agree = match (&ours, &theirs) {
            (Ok(Some(o)), Ok(t)) => t.len() == 1 && t[0] == o.to_json(),
            (Ok(None), Ok(t)) => t.is_empty(),
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !agree {
            bad.push(format!(
                "case {i}\n--- target\n{target}--- patch\n{patch}--- ours\n{:?}\n--- kustomize\n{:?}\n",
                ours.map(|o| o.map(|n| n.to_json())),
                theirs
            ));
        }
    }
    assert!(bad.is_empty(), "{} of {n} differ:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn long_lists_merge_in_reasonable_time() {
    let env = |n: usize, v: &str| (0..n).map(|i| format!("  - {{name: E{i}, value: '{v}'}}\n")).collect::<String>();
    let t = parse(TARGET, &pod_spec(&format!("containers:\n- name: app\n  env:\n{}", env(1000, "1"))));
    let p = parse(PATCH, &pod_spec(&format!("containers:\n- name: app\n  env:\n{}", env(300, "2"))));
    let start = std::time::Instant::now();
    let got = strategic_merge(&t, &p).unwrap().unwrap();
    let took = start.elapsed();
    let n = got.at(&["spec", "template", "spec", "containers"]).unwrap().as_seq().unwrap()[0].get("env").unwrap().as_seq().unwrap().len();
    assert_eq!(n, 1000);
    assert!(took.as_secs() < 20, "took {took:?}");
    eprintln!("1000-element env merged with 300 patched entries in {took:?}");
    // Beyond the cap: an error, not a long wait.
    let big = parse(TARGET, &pod_spec(&format!("containers:\n- name: app\n  env:\n{}", env(2001, "1"))));
    assert!(strategic_merge(&big, &p).unwrap_err().contains("more than 2000 elements"));
}

/// Run with `cargo test --test patch -- --ignored randomized_json` (needs kubectl): random JSON 6902
/// operations, valid and not, compared with kustomize (success or failure, and the result).
#[test]
#[ignore]
fn randomized_json_comparison_with_kustomize() {
    if !kubectl() {
        eprintln!("kubectl not found: skipped");
        return;
    }
    let n: usize = std::env::var("PATCH_RANDOM_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(150);
    let seed = std::env::var("PATCH_RANDOM_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x2545F4914F6CDD1Du64);
    let mut r = Rng(seed | 1);
    let paths = [
        "/data/k", "/data/nope", "/data/a~1b", "/spec/arr/0", "/spec/arr/2", "/spec/arr/3", "/spec/arr/-", "/spec/arr/-1", "/spec/arr/-3",
        "/spec/arr/-4", "/spec/arr/x", "/spec/m/n", "/spec/m", "/spec", "/nope/x", "/data/k/x", "/spec/arr/1/z", "/spec/objs/0/name",
        "/spec/objs/1", "/metadata/labels/app", "",
    ];
    let values = ["q", "1", "'1'", "null", "{x: 1}", "[1, 2]", "true"];
    let mut bad = Vec::new();
    for i in 0..n {
        let target = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: {app: x}\ndata:\n  k: v\n  a/b: c\nspec:\n  arr: [a, b, c]\n  m: {n: 1}\n  objs: [{name: o1}, {name: o2, v: 2}]\n";
        let mut ops = String::new();
        for _ in 0..1 + r.next() % 3 {
            let op = r.pick(&["add", "remove", "replace", "move", "copy", "test"]);
            let path = r.pick(&paths);
            let mut o = format!("- op: {op}\n  path: '{path}'\n");
            if matches!(op, "move" | "copy") {
                o.push_str(&format!("  from: '{}'\n", r.pick(&paths)));
            }
            if matches!(op, "add" | "replace" | "test") && r.chance(90) {
                o.push_str(&format!("  value: {}\n", r.pick(&values)));
            }
            ops.push_str(&o);
        }
        let t = parse(TARGET, target);
        let ours = json6902(&t, &parse(PATCH, &ops));
        let theirs = oracle(target, &ops, Some(("ConfigMap", "cm"))).unwrap();
        let agree = match (&ours, &theirs) {
            (Ok(o), Ok(t)) => t.len() == 1 && t[0] == o.to_json(),
            (Err(_), Err(_)) => true,
            // A document without a kind is the renderer's error to raise, not the patch's.
            (Ok(o), Err(e)) => o.get("kind").is_none() && e.contains("missing kind"),
            _ => false,
        };
        if !agree {
            bad.push(format!("case {i}\n--- ops\n{ops}--- ours\n{:?}\n--- kustomize\n{:?}\n", ours.map(|o| o.to_json()), theirs));
        }
    }
    assert!(bad.is_empty(), "{} of {n} differ:\n{}", bad.len(), bad.join("\n"));
}
