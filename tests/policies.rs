//! User policies (`policies:` in `.drlint.yaml`): the README's three examples on fixture
//! repositories (bad: the findings the `# expect: <id>` markers name; good: none), and policies
//! behaving like rules on the command line (rules, explain, `rules:` settings, suppressions, the
//! baseline, SARIF and JSON), and their config errors (exit 2 at the line).

mod common;

use common::*;
use drlint::settings::Settings;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

/// The YAML example of the README's Policies section.
fn readme_policies() -> String {
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    let section = readme.split("\n### Policies").nth(1).expect("README has a Policies section");
    section.split("```yaml\n").nth(1).unwrap().split("```").next().unwrap().to_string()
}

/// `path:line:id` for every `# expect: <id>` marker under `dir`.
fn expected(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().to_string();
        for (i, line) in text.lines().enumerate() {
            if let Some((_, id)) = line.split_once("# expect: ") {
                out.insert(format!("{rel}:{}:{}", i + 1, id.trim()));
            }
        }
    }
    out
}

#[test]
fn readme_examples_fire_on_bad_repositories_and_stay_silent_on_good_ones() {
    let yaml = readme_policies();
    let base = crate_root().join("tests/data/policies");
    let mut cases = 0;
    for example in ["retention", "bucket", "velero"] {
        for case in ["bad", "good"] {
            let dir = base.join(example).join(case);
            let mut settings = Settings::parse(&yaml, &dir.join(".drlint.yaml")).unwrap();
            settings.root = dir.clone();
            let ids: BTreeSet<&str> = settings.policies.iter().map(|p| p.meta.id).collect();
            assert_eq!(ids.len(), 3);
            let report = drlint::lint(&[dir.clone()], &settings);
            let found: BTreeSet<String> = gcc_lines(&report, &dir, |d| ids.contains(d.rule))
                .iter()
                .map(|l| {
                    let mut parts = l.splitn(3, ':');
                    let (path, line) = (parts.next().unwrap(), parts.next().unwrap());
                    let id = l.rsplit_once('[').unwrap().1.trim_end_matches(']');
                    format!("{path}:{line}:{id}")
                })
                .collect();
            let want = expected(&dir);
            assert_eq!(case == "bad", !want.is_empty(), "{example}/{case}: bad cases mark their findings");
            assert_eq!(found, want, "{example}/{case}:\n{}", gcc_lines(&report, &dir, |d| ids.contains(d.rule)).join("\n"));
            cases += 1;
        }
    }
    assert_eq!(cases, 6);
}

fn drlint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint")).args(args).current_dir(cwd).env("NO_COLOR", "1").env("GIT_CEILING_DIRECTORIES", cwd).output().unwrap()
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A repository with the README's policies and the bucket example's bad ObjectStore.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".drlint.yaml"), readme_policies()).unwrap();
    let bad = crate_root().join("tests/data/policies/bucket/bad/objectstore.yaml");
    std::fs::write(dir.path().join("objectstore.yaml"), std::fs::read_to_string(bad).unwrap()).unwrap();
    dir
}

#[test]
fn policies_are_listed_explained_configured_suppressed_and_baselined_like_rules() {
    let dir = repo();
    let root = dir.path();
    let id = "backups-to-company-bucket";

    let o = drlint(&["rules"], root);
    assert!(out(&o).lines().any(|l| l.starts_with(id) && l.contains("warning") && l.contains("[policy from the config]")), "{}", out(&o));
    assert!(out(&o).lines().any(|l| l.starts_with("production-retention-30d") && l.contains("error")), "{}", out(&o));
    let o = drlint(&["rules", "--format", "json"], root);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|r| r["id"] == id && r["source"] == "config"));
    let o = drlint(&["explain", id], root);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("Every barman-cloud ObjectStore writes to the off-site bucket acme-pg-backups"), "{}", out(&o));
    assert!(out(&o).contains("Default severity: warning"), "{}", out(&o));

    let o = drlint(&["check", "-f", "gcc", "."], root);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains(&format!("objectstore.yaml:9:22: warning: ObjectStore `db/pg-store`: ObjectStores write to s3://acme-pg-backups (`spec.configuration.destinationPath` is `s3://scratch-bucket/pg`, not matched by `^s3://acme-pg-backups(/|$)`) [{id}]")), "{}", out(&o));

    // JSON and SARIF: the finding under the policy's id; SARIF lists the policy with its description.
    let o = drlint(&["check", "-f", "json", "."], root);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["diagnostics"].as_array().unwrap().iter().any(|d| d["rule"] == id), "{v}");
    let o = drlint(&["check", "-f", "sarif", "."], root);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let i = rules.iter().position(|r| r["id"] == id).expect("SARIF lists the policy");
    assert!(rules[i]["fullDescription"]["text"].as_str().unwrap().contains("off-site bucket acme-pg-backups"), "{}", rules[i]);
    let result = run["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == id).unwrap();
    assert_eq!(result["ruleIndex"], serde_json::json!(i));

    // A comment suppression names the policy.
    let text = std::fs::read_to_string(root.join("objectstore.yaml")).unwrap();
    let silenced = text.replace("# expect: backups-to-company-bucket", "# drlint-ignore: backups-to-company-bucket -- migrating");
    std::fs::write(root.join("objectstore.yaml"), &silenced).unwrap();
    let o = drlint(&["check", "-f", "gcc", "."], root);
    assert!(!out(&o).contains(id), "{}", out(&o));
    assert!(out(&drlint(&["check", "."], root)).contains("(1 suppressed)"));
    std::fs::write(root.join("objectstore.yaml"), &text).unwrap();

    // `rules:` turns it off or changes its severity.
    let config = readme_policies();
    std::fs::write(root.join(".drlint.yaml"), format!("rules:\n  {id}: off\n{config}")).unwrap();
    assert!(!out(&drlint(&["check", "-f", "gcc", "."], root)).contains(id));
    std::fs::write(root.join(".drlint.yaml"), format!("{config}rules:\n  {id}: error\n")).unwrap();
    assert!(out(&drlint(&["check", "-f", "gcc", "."], root)).contains(&format!("error: ObjectStore `db/pg-store`: ObjectStores write")));
    std::fs::write(root.join(".drlint.yaml"), &config).unwrap();

    // The baseline hides it.
    let o = drlint(&["check", "--baseline-write", "baseline.json", "."], root);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let o = drlint(&["check", "-f", "gcc", "--baseline", "baseline.json", "."], root);
    assert!(!out(&o).contains(id), "{}", out(&o));
}

#[test]
fn policy_config_errors_name_their_line_and_exit_2() {
    let cases = [
        ("policies:\n  - id: Bad_Id\n    match: {kind: Cluster}\n    required: [spec]\n", 2, "must be kebab-case"),
        ("policies:\n  - id: schema-violation\n    match: {kind: Cluster}\n    required: [spec]\n", 2, "is the id of a built-in rule"),
        ("policies:\n  - id: a\n    match: {kind: Cluster}\n    required: [spec]\n  - id: a\n    match: {kind: Cluster}\n    required: [spec]\n", 5, "used twice"),
        ("policies:\n  - id: a\n    match: {kind: Cluster}\n    pattern: {path: spec.x, regex: \"(\"}\n", 4, "not a regular expression"),
        ("policies:\n  - id: a\n    match: {kind: Cluster}\n    schema:\n      type: 5\n", 5, "not a valid JSON Schema"),
        ("policies:\n  - id: a\n    match: {namespace: db}\n    required: [spec]\n", 3, "needs `apiVersion` and/or `kind`"),
        ("policies:\n  - id: a\n    match: {kind: Cluster}\n", 2, "needs a check"),
        ("policies:\n  - id: a\n    match: {kind: Cluster}\n    duration: {path: spec.ttl, min: soon}\n", 4, "not a duration"),
        ("policies:\n  - id: a\n    match: {kind: Cluster}\n    requird: [spec]\n", 4, "unknown key `requird` in a policy (did you mean `required`?)"),
        ("policies:\n  - id: a\n    match: {kind: Cluster}\n    required: [\"spec..x\"]\n", 4, "is not a field path"),
    ];
    for (text, line, message) in cases {
        let e = Settings::parse(text, Path::new(".drlint.yaml")).expect_err(text);
        assert_eq!(e.line, line, "{text}: {e}");
        assert!(e.message.contains(message), "{text}: {e}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".drlint.yaml"), cases[3].0).unwrap();
    let o = drlint(&["check", "."], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains(".drlint.yaml:4:"), "{}", out(&o));
    assert_eq!(drlint(&["rules"], dir.path()).status.code(), Some(2));
}

/// `required` reports at `kind:`, `forbidden` at the key, paths through lists; null is unset;
/// placeholders and Secret values are never judged or shown; `deployed-only: false` reaches files
/// nothing applies.
#[test]
fn shorthand_checks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join(".drlint.yaml"),
        r#"policies:
  - id: no-host-path
    message: no hostPath volumes
    match: {apiVersion: apps, kind: [Deployment, StatefulSet]}
    forbidden: ["spec.template.spec.volumes[*].hostPath"]
    required: ["spec.template.spec.containers[*].resources"]
  - id: secret-shape
    message: secrets say their owner
    match: {kind: Secret}
    pattern: {path: data.owner, regex: "^dGVhbS"}
  - id: velero-ttl
    message: backups live 1 to 90 days
    match: {kind: Schedule, apiVersion: velero.io/v1}
    duration: {path: spec.template.ttl, min: 24h, max: 90d}
"#,
    )
    .unwrap();
    std::fs::write(
        root.join("objects.yaml"),
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  template:
    spec:
      volumes:
        - name: a
          hostPath: {path: /srv}
        - name: b
          hostPath: ~
      containers:
        - name: web
          resources: {}
        - name: side
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: app}
data:
  owner: c2VjcmV0LXZhbHVl
---
apiVersion: velero.io/v1
kind: Schedule
metadata: {name: short, namespace: velero}
spec:
  schedule: "0 3 * * *"
  template: {ttl: 1h0m0s}
---
apiVersion: velero.io/v1
kind: Schedule
metadata: {name: long, namespace: velero}
spec:
  schedule: "0 3 * * *"
  template: {ttl: 2400h}
---
apiVersion: velero.io/v1
kind: Schedule
metadata: {name: later, namespace: velero}
spec:
  schedule: "0 3 * * *"
  template: {ttl: "${TTL}"}
"#,
    )
    .unwrap();
    let o = drlint(&["check", "-f", "gcc", "."], root);
    let text = out(&o);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("[no-host-path]") || l.contains("[secret-shape]") || l.contains("[velero-ttl]")).collect();
    assert_eq!(
        lines,
        vec![
            "objects.yaml:2:7: warning: Deployment `app/web`: no hostPath volumes (`spec.template.spec.containers[*].resources` is not set) [no-host-path]",
            "objects.yaml:9:11: warning: Deployment `app/web`: no hostPath volumes (`spec.template.spec.volumes[*].hostPath` is set) [no-host-path]",
            "objects.yaml:21:10: warning: Secret `app/s`: secrets say their owner (`data.owner` is not matched by `^dGVhbS`) [secret-shape]",
            "objects.yaml:28:19: warning: Schedule `velero/short`: backups live 1 to 90 days (`spec.template.ttl` is `1h0m0s`, less than 24h) [velero-ttl]",
            "objects.yaml:35:19: warning: Schedule `velero/long`: backups live 1 to 90 days (`spec.template.ttl` is `2400h`, more than 90d) [velero-ttl]",
        ],
        "{text}"
    );
    assert!(!text.contains("c2VjcmV0LXZhbHVl"));
}
