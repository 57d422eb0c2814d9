//! Unit tests: hash suffix, name references, namespace handling, provenance, failures.

use super::*;
use std::path::PathBuf;

/// A throwaway folder holding the given files.
struct Tree(PathBuf);

impl Tree {
    fn new(files: &[(&str, &str)]) -> Tree {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "drlint-kustomize-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Tree(dir)
    }
    fn render(&self, sub: &str) -> (SourceDb, Rendered) {
        self.render_with(sub, LoadRestrictor::RootOnly)
    }
    fn render_with(&self, sub: &str, r: LoadRestrictor) -> (SourceDb, Rendered) {
        let mut db = SourceDb::new();
        let opts = RenderOptions { load_restrictor: r, repo_root: self.0.clone() };
        let out = render(&mut db, &self.0.join(sub), &opts);
        (db, out)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn find<'a>(r: &'a Rendered, kind: &str) -> &'a RenderedObject {
    r.objects.iter().find(|o| o.node.str_at(&["kind"]) == Some(kind)).unwrap_or_else(|| panic!("no {kind} rendered"))
}

/// The text a span covers and its 1-based line.
fn at(db: &SourceDb, span: Span) -> (String, usize) {
    let f = db.get(span.file);
    (f.text()[span.start as usize..span.end as usize].to_string(), f.line_col(span.start as usize).line)
}

fn file_name(db: &SourceDb, span: Span) -> String {
    db.get(span.file).path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn sha256_known_vector() {
    assert_eq!(hash::sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(hash::base64_encode(b"hello"), "aGVsbG8=");
}

#[test]
fn hash_suffix_matches_kustomize() {
    // kustomize v5.5.0 names this ConfigMap `blah-json-m8529t979f` (conformance case
    // configmaps_test TestGeneratorBasics): the name itself does not enter the hash.
    let t = Tree::new(&[(
        "kustomization.yaml",
        "namePrefix: blah-\nconfigMapGenerator:\n- name: json\n  literals:\n  - 'v2=[{\"path\": \"var/druid/segment-cache\"}]'\n  - >-\n    druid_segmentCache_locations=[{\"path\":\n    \"var/druid/segment-cache\",\n    \"maxSize\": 32000000000,\n    \"freeSpacePercent\": 1.0}]\n",
    )]);
    let (_, r) = t.render(".");
    assert!(r.ok, "{:?}", r.diagnostics);
    assert_eq!(find(&r, "ConfigMap").node.str_at(&["metadata", "name"]), Some("blah-json-m8529t979f"));
}

#[test]
fn generated_names_are_rewritten_in_pod_specs_but_not_in_custom_resources() {
    let t = Tree::new(&[
        (
            "kustomization.yaml",
            "namePrefix: p-\nresources:\n- app.yaml\n- cluster.yaml\nsecretGenerator:\n- name: db-creds\n  literals:\n  - password=s3cr3t\n",
        ),
        (
            "app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        envFrom:\n        - secretRef:\n            name: db-creds\n",
        ),
        (
            "cluster.yaml",
            "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  bootstrap:\n    initdb:\n      secret:\n        name: db-creds\n",
        ),
    ]);
    let (_, r) = t.render(".");
    assert!(r.ok, "{:?}", r.diagnostics);
    let secret = find(&r, "Secret").node.str_at(&["metadata", "name"]).unwrap().to_string();
    assert!(secret.starts_with("p-db-creds-") && secret.len() == "p-db-creds-".len() + 10, "{secret}");
    let dep = &find(&r, "Deployment").node;
    let env = dep.at(&["spec", "template", "spec", "containers"]).unwrap().items().next().unwrap();
    assert_eq!(env.get("envFrom").unwrap().items().next().unwrap().str_at(&["secretRef", "name"]), Some(secret.as_str()));
    // kustomize has no name-reference configuration for CNPG's Cluster: the reference stays.
    let cluster = &find(&r, "Cluster").node;
    assert_eq!(cluster.str_at(&["metadata", "name"]), Some("p-pg"));
    assert_eq!(cluster.str_at(&["spec", "bootstrap", "initdb", "secret", "name"]), Some("db-creds"));
}

#[test]
fn namespace_spares_cluster_scoped_kinds_and_sets_default_subjects() {
    let t = Tree::new(&[
        ("kustomization.yaml", "resources:\n- rbac.yaml\nnamespace: backups\n"),
        (
            "rbac.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: velero\n  namespace: other\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: reader\nsubjects:\n- kind: ServiceAccount\n  name: default\n- kind: ServiceAccount\n  name: velero\n  namespace: other\n",
        ),
    ]);
    let (db, r) = t.render(".");
    assert!(r.ok, "{:?}", r.diagnostics);
    assert!(find(&r, "ClusterRole").node.at(&["metadata", "namespace"]).is_none());
    let sa = &find(&r, "ServiceAccount").node;
    assert_eq!(sa.str_at(&["metadata", "namespace"]), Some("backups"));
    let rb = &find(&r, "RoleBinding").node;
    let subjects: Vec<&crate::source::yaml::Node> = rb.get("subjects").unwrap().items().collect();
    assert_eq!(subjects[0].str_at(&["namespace"]), Some("backups"));
    // The ServiceAccount moved namespaces, so the reference to it follows.
    assert_eq!(subjects[1].str_at(&["namespace"]), Some("backups"));
    // The namespace value points at the `namespace:` line of the kustomization.
    let ns = sa.at(&["metadata", "namespace"]).unwrap();
    assert_eq!(file_name(&db, ns.span), "kustomization.yaml");
    assert_eq!(at(&db, ns.span), ("backups".to_string(), 3));
}

#[test]
fn patched_values_point_at_the_patch() {
    let t = Tree::new(&[
        ("base/kustomization.yaml", "resources:\n- sched.yaml\n"),
        (
            "base/sched.yaml",
            "apiVersion: postgresql.cnpg.io/v1\nkind: ScheduledBackup\nmetadata:\n  name: daily\nspec:\n  schedule: \"0 0 0 * * *\"\n  cluster:\n    name: pg\n",
        ),
        ("prod/kustomization.yaml", "resources:\n- ../base\npatches:\n- path: schedule.yaml\nnamePrefix: prod-\n"),
        ("prod/schedule.yaml", "apiVersion: postgresql.cnpg.io/v1\nkind: ScheduledBackup\nmetadata:\n  name: daily\nspec:\n  schedule: \"0 30 2 * * *\"\n"),
    ]);
    let (db, r) = t.render("prod");
    assert!(r.ok, "{:?}", r.diagnostics);
    let o = find(&r, "ScheduledBackup");
    let schedule = o.node.at(&["spec", "schedule"]).unwrap();
    assert_eq!(schedule.as_str(), Some("0 30 2 * * *"));
    assert_eq!(file_name(&db, schedule.span), "schedule.yaml");
    assert_eq!(at(&db, schedule.span).1, 6);
    // Untouched values keep pointing at the base file; the prefix at the kustomization line.
    let cluster = o.node.at(&["spec", "cluster", "name"]).unwrap();
    assert_eq!(file_name(&db, cluster.span), "sched.yaml");
    assert_eq!(o.node.str_at(&["metadata", "name"]), Some("prod-daily"));
    assert_eq!(file_name_of(&db, o.file), "sched.yaml");
}

fn file_name_of(db: &SourceDb, id: crate::source::FileId) -> String {
    db.get(id).path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn object_file_is_where_its_metadata_came_from() {
    let t = Tree::new(&[("kustomization.yaml", "resources:\n- a.yaml\n"), ("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")]);
    let (db, r) = t.render(".");
    assert_eq!(file_name_of(&db, r.objects[0].file), "a.yaml");
    assert_eq!(r.objects[0].doc_index, 0);
    assert_eq!(r.files.len(), 2);
}

fn failure(r: &Rendered) -> &crate::diag::Diagnostic {
    assert!(!r.ok);
    r.diagnostics.iter().find(|d| d.rule == RULE_BUILD_FAILED).expect("a kustomize-build-failed finding")
}

#[test]
fn missing_file_fails_at_its_line() {
    let t = Tree::new(&[("kustomization.yaml", "resources:\n- there.yaml\n- missing.yaml\n"), ("there.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")]);
    let (db, r) = t.render(".");
    let d = failure(&r);
    assert_eq!(at(&db, d.span), ("missing.yaml".to_string(), 3));
}

#[test]
fn cycles_and_duplicates_fail_cleanly() {
    let t = Tree::new(&[("a/kustomization.yaml", "resources:\n- ../b\n"), ("b/kustomization.yaml", "resources:\n- ../a\n")]);
    let (_, r) = t.render("a");
    assert!(failure(&r).message.contains("cycle"));

    let t = Tree::new(&[("kustomization.yaml", "resources:\n- a.yaml\n- a.yaml\n"), ("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")]);
    let (db, r) = t.render(".");
    let d = failure(&r);
    assert!(d.message.contains("already registered"), "{}", d.message);
    assert_eq!(at(&db, d.span).1, 3);
}

#[test]
fn a_patch_can_delete_the_whole_object() {
    let t = Tree::new(&[
        ("kustomization.yaml", "resources:\n- a.yaml\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n    $patch: delete\n"),
        ("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"),
    ]);
    let (_, r) = t.render(".");
    assert!(r.ok, "{:?}", r.diagnostics);
    assert_eq!(r.objects.len(), 1);
    assert_eq!(r.objects[0].node.str_at(&["metadata", "name"]), Some("b"));
}

#[test]
fn patch_without_a_match_fails() {
    let t = Tree::new(&[
        ("kustomization.yaml", "resources:\n- a.yaml\npatchesStrategicMerge:\n- p.yaml\n"),
        ("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"),
        ("p.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nope\ndata:\n  x: y\n"),
    ]);
    let (db, r) = t.render(".");
    let d = failure(&r);
    assert_eq!(at(&db, d.span), ("p.yaml".to_string(), 4));
}

#[test]
fn load_restrictor_and_repository_bound() {
    let t = Tree::new(&[
        ("shared/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n"),
        ("app/kustomization.yaml", "resources:\n- ../shared/cm.yaml\n"),
    ]);
    let (_, r) = t.render("app");
    assert!(failure(&r).message.contains("is not in or below"));
    let (_, r) = t.render_with("app", LoadRestrictor::None);
    assert!(r.ok, "{:?}", r.diagnostics);
    // Never outside the repository, whatever the restrictor.
    let mut db = SourceDb::new();
    let opts = RenderOptions { load_restrictor: LoadRestrictor::None, repo_root: t.0.join("app") };
    let r = render(&mut db, &t.0.join("app"), &opts);
    assert!(failure(&r).message.contains("outside the checked repository"));
}

#[test]
fn remote_and_helm_entries_are_notes_and_the_rest_renders() {
    let t = Tree::new(&[
        (
            "kustomization.yaml",
            "resources:\n- https://github.com/example/repo//deploy?ref=v1\n- a.yaml\nhelmCharts:\n- name: postgres\n  repo: https://charts.example.com\n",
        ),
        ("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"),
    ]);
    let (db, r) = t.render(".");
    assert!(r.ok, "{:?}", r.diagnostics);
    assert_eq!(r.objects.len(), 1);
    let notes: Vec<_> = r.diagnostics.iter().filter(|d| d.rule == RULE_UNSUPPORTED).collect();
    assert_eq!(notes.len(), 2);
    assert_eq!(at(&db, notes[0].span).1, 2);
}

#[test]
fn secret_generator_sources_are_masked() {
    let t = Tree::new(&[
        ("kustomization.yaml", "secretGenerator:\n- name: creds\n  envs:\n  - creds.env\n  literals:\n  - token=hunter2\n"),
        ("creds.env", "# comment\nPASSWORD=correct-horse\n"),
    ]);
    let (db, r) = t.render(".");
    assert!(r.ok, "{:?}", r.diagnostics);
    for (_, f) in db.iter() {
        assert!(!f.display_text().contains("correct-horse"), "{}", f.display_text());
        assert!(!f.display_text().contains("hunter2"), "{}", f.display_text());
    }
    let env = db.iter().find(|(_, f)| f.path.ends_with("creds.env")).unwrap().1;
    assert!(env.display_text().contains("PASSWORD="));
    assert_eq!(find(&r, "Secret").node.str_at(&["data", "PASSWORD"]), Some("Y29ycmVjdC1ob3JzZQ=="));
}

#[test]
fn output_is_kubectl_formatted() {
    let t = Tree::new(&[
        ("kustomization.yaml", "resources:\n- a.yaml\ncommonLabels:\n  tier: db\n"),
        ("a.yaml", "kind: Service\napiVersion: v1\nmetadata:\n  name: pg\nspec:\n  ports:\n  - port: 5432\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: db\n"),
    ]);
    let (_, r) = t.render(".");
    let nodes: Vec<_> = r.objects.iter().map(|o| o.node.clone()).collect();
    assert_eq!(
        to_yaml(&nodes),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  labels:\n    tier: db\n  name: db\n---\napiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    tier: db\n  name: pg\nspec:\n  ports:\n  - port: 5432\n  selector:\n    tier: db\n"
    );
}

#[test]
fn virtual_kustomization_renders_like_a_file() {
    let t = Tree::new(&[("app/a.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx:1\n")]);
    let k = crate::source::yaml::parse(crate::source::FileId(0), "resources:\n- a.yaml\nnamespace: flux-target\nimages:\n- name: nginx\n  newTag: \"2\"\n");
    let mut db = SourceDb::new();
    let opts = RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: t.0.clone() };
    let r = render_virtual(&mut db, &t.0.join("app"), k.documents[0].root.as_ref().unwrap(), &opts);
    assert!(r.ok, "{:?}", r.diagnostics);
    let d = &r.objects[0].node;
    assert_eq!(d.str_at(&["metadata", "namespace"]), Some("flux-target"));
    assert_eq!(d.at(&["spec", "template", "spec", "containers"]).unwrap().items().next().unwrap().str_at(&["image"]), Some("nginx:2"));
}

#[test]
fn inline_patch_values_point_at_their_line() {
    let t = Tree::new(&[
        (
            "kustomization.yaml",
            "resources:\n- a.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n    data:\n      retention: 30d\n",
        ),
        ("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  retention: 7d\n"),
    ]);
    let (db, r) = t.render(".");
    assert!(r.ok, "{:?}", r.diagnostics);
    let v = find(&r, "ConfigMap").node.at(&["data", "retention"]).unwrap();
    assert_eq!(file_name(&db, v.span), "kustomization.yaml");
    assert_eq!(at(&db, v.span), ("30d".to_string(), 12));
}


#[test]
fn failure_in_a_base_is_reported_there_and_labelled_at_the_overlay() {
    let t = Tree::new(&[("base/kustomization.yaml", "resources:\n- missing.yaml\n"), ("prod/kustomization.yaml", "namespace: prod\nresources:\n- ../base\n")]);
    let (db, r) = t.render("prod");
    let d = failure(&r);
    assert_eq!(at(&db, d.span), ("missing.yaml".to_string(), 2));
    assert!(db.get(d.span.file).path.ends_with("base/kustomization.yaml"));
    assert_eq!(d.labels.len(), 1);
    assert_eq!(at(&db, d.labels[0].span), ("../base".to_string(), 3));
}

/// The rule fixtures: `# expect: <rule>` lines in a bad kustomization are where the renderer
/// reports; good ones render cleanly.
#[test]
fn rule_fixtures_fire_where_marked() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for rule in [RULE_BUILD_FAILED, RULE_UNSUPPORTED] {
        for (case, expect) in [("bad", true), ("good", false)] {
            let dir = root.join(rule).join(case);
            let mut db = SourceDb::new();
            let opts = RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: dir.clone() };
            let r = render(&mut db, &dir, &opts);
            let hits: Vec<usize> = r.diagnostics.iter().filter(|d| d.rule == rule).map(|d| db.line_col(d.span).0.line).collect();
            let text = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
            let marked: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.contains(&format!("# expect: {rule}"))).map(|(i, _)| i + 1).collect();
            if expect {
                assert_eq!(hits, marked, "{rule}/{case}");
            } else {
                assert!(hits.is_empty() && r.ok, "{rule}/{case}: {:?}", r.diagnostics);
            }
        }
    }
}

#[test]
fn nested_diamonds_stop_at_the_build_budget() {
    let mut files: Vec<(String, String)> = Vec::new();
    let levels = 14;
    for i in 0..levels {
        files.push((format!("l{i}/kustomization.yaml"), "resources:\n- a\n- b\n".into()));
        for side in ["a", "b"] {
            files.push((format!("l{i}/{side}/kustomization.yaml"), format!("resources:\n- ../../l{}\nnamePrefix: {side}-\n", i + 1)));
        }
    }
    files.push((format!("l{levels}/kustomization.yaml"), "resources:\n- cm.yaml\n".into()));
    files.push((format!("l{levels}/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let t = Tree::new(&refs);
    let started = std::time::Instant::now();
    let (_, r) = t.render("l0");
    assert!(failure(&r).message.contains("kustomization builds"));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // A kustomization listing its own folder is a cycle, not a hang.
    let t = Tree::new(&[("kustomization.yaml", "resources:\n- .\n")]);
    let (_, r) = t.render(".");
    assert!(failure(&r).message.contains("cycle"));
}

#[test]
fn virtual_kustomization_can_wrap_the_folder_kustomization() {
    let t = Tree::new(&[
        ("app/kustomization.yaml", "resources:\n- cm.yaml\nnamePrefix: app-\n"),
        ("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"),
    ]);
    let k = crate::source::yaml::parse(crate::source::FileId(0), "resources:\n- .\nnamespace: prod\n");
    let mut db = SourceDb::new();
    let opts = RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: t.0.clone() };
    let r = render_virtual(&mut db, &t.0.join("app"), k.documents[0].root.as_ref().unwrap(), &opts);
    assert!(r.ok, "{:?}", r.diagnostics);
    assert_eq!(r.objects[0].node.str_at(&["metadata", "name"]), Some("app-settings"));
    assert_eq!(r.objects[0].node.str_at(&["metadata", "namespace"]), Some("prod"));
}
