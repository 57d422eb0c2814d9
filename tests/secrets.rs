//! Secrets rules end to end: `provided-secrets` in `.drlint.yaml` silences a missing Secret and
//! supplies keys; a configured severity raises credentials in plaintext, not placeholders.

mod common;

use common::*;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          env:\n            - name: TOKEN\n              valueFrom:\n                secretKeyRef: {name: api-token, key: TOKEN}\n";

#[test]
fn provided_secrets_provide_names_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.yaml", DEPLOYMENT);
    let report = lint_dir(dir.path());
    assert_eq!(
        gcc_lines(&report, dir.path(), |d| d.rule.starts_with("secret-")),
        ["web.yaml:12:38: error: Secret `api-token` is not provided in namespace `app` (read by env `TOKEN` of container `web`) [secret-missing-in-namespace]"]
    );
    // Provided in another namespace only: still missing here.
    write(dir.path(), ".drlint.yaml", "provided-secrets: [{name: api-token, namespace: other}]\n");
    assert_eq!(gcc_lines(&lint_dir(dir.path()), dir.path(), |d| d.rule.starts_with("secret-")).len(), 1);
    // Provided everywhere, with known keys: the key is checked.
    write(dir.path(), ".drlint.yaml", "provided-secrets: [{name: api-token, keys: [token]}]\n");
    assert_eq!(
        gcc_lines(&lint_dir(dir.path()), dir.path(), |d| d.rule.starts_with("secret-")),
        ["web.yaml:12:54: error: Secret `api-token` has no key `TOKEN` (read by env `TOKEN` of container `web`): it holds `token` [secret-key-missing]"]
    );
    // Keys unknown: any key goes.
    write(dir.path(), ".drlint.yaml", "provided-secrets: [api-token]\n");
    assert!(gcc_lines(&lint_dir(dir.path()), dir.path(), |d| d.rule.starts_with("secret-")).is_empty());
}

#[test]
fn configured_severity_applies_to_real_values_and_keeps_placeholders_lower() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "secrets.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: app}\nstringData:\n  password: hunter2-but-longer\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: app}\nstringData:\n  password: CHANGE_ME\n",
    );
    let lines = |dir: &std::path::Path| gcc_lines(&lint_dir(dir), dir, |d| d.rule == "secret-plaintext");
    assert_eq!(
        lines(dir.path()),
        [
            "secrets.yaml:5:3: error: Secret `a` holds credentials in plaintext: `stringData.password` (named like a credential) [secret-plaintext]",
            "secrets.yaml:11:3: note: Secret `b` holds placeholder values: `stringData.password` [secret-plaintext]",
        ]
    );
    write(dir.path(), ".drlint.yaml", "rules:\n  secret-plaintext: note\n");
    let got = lines(dir.path());
    assert!(got[0].contains(": note: ") && got[1].contains(": note: "), "{got:?}");
    write(dir.path(), ".drlint.yaml", "rules:\n  secret-plaintext: error\n");
    let got = lines(dir.path());
    // Placeholders stay at most a note, whatever the configured severity.
    assert!(got[0].contains(": error: ") && got[1].contains(": note: "), "{got:?}");
}
