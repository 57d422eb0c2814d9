//! Two ways a `velero` command in a runbook or script fails when the disaster comes:
//!
//! - `velero restore create` over namespaces whose PVCs are declared in Git. After a rebuild,
//!   Flux or Argo CD recreates those PVCs (empty, freshly provisioned) before anyone runs the
//!   restore, and Velero restores no volume data into a PVC that already exists: it skips the
//!   object (or, with `--existing-resource-policy=update`, patches its metadata) and the volume's
//!   data stays empty. The runbook is safe when the same file suspends reconciliation or deletes
//!   the recreated PVCs or namespaces first, or restores into new namespaces (`--namespace-mappings`).
//! - Any `velero` command without `-n/--namespace` when the repository runs Velero in another
//!   namespace than `velero`, the CLI's default: `velero backup get` finds nothing, `velero restore
//!   create` fails for want of the backup.

use super::cli_pvc_label_selector::{words, Word};
use super::command::{commands, Command};
use crate::model::velero::{glob_match, GROUP};
use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use crate::source::{FileId, SourceFile, Span};
use std::collections::{BTreeMap, BTreeSet};

crate::declare_rule!(
    VeleroCliRestoreExisting,
    "velero-cli-restore-existing",
    Warning,
    "a runbook's velero restore into namespaces whose PVCs GitOps recreates first, or a velero command aimed at the wrong namespace"
);

impl Rule for VeleroCliRestoreExisting {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_text(&self, file: FileId, text: &SourceFile, cx: &mut Context) {
        let Some(index) = cx.index else { return };
        let lines = words(text.text());
        let all: Vec<Command> = lines.iter().flat_map(|l| commands(l)).collect();
        if all.is_empty() {
            return;
        }
        let safe = reconciliation_stopped(&lines);
        let claims = git_claims(index);
        for cmd in all.iter().filter(|c| c.is("restore", "create")) {
            if safe {
                break;
            }
            let Some((namespaces, pvcs)) = recreated(cmd, &claims) else { continue };
            let at = cmd.flag(&["--existing-resource-policy"]).map(|f| f.2).unwrap_or(cmd.positional[0]);
            let policy = match cmd.flag(&["--existing-resource-policy"]).and_then(|f| f.1) {
                Some(p) => format!(" (`--existing-resource-policy={p}` updates objects, never volume data)"),
                None => String::new(),
            };
            cx.report(
                span(file, at),
                format!(
                    "`velero restore create` restores namespace{} {} whose PVCs are declared in Git ({}): GitOps recreates them empty before the restore runs, and Velero restores no volume data into a PVC that exists{policy}",
                    if namespaces.len() == 1 { "" } else { "s" },
                    namespaces.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                    pvcs
                ),
            )
            .help("suspend reconciliation first (`flux suspend kustomization <name>`, or turn off Argo CD auto-sync), delete the recreated PVCs, then restore; or restore into new namespaces with `--namespace-mappings`");
        }
        // The namespace: one finding per file, at the first command that misses it.
        let Some(ns) = velero_namespace(index) else { return };
        if text.text().contains("VELERO_NAMESPACE") || text.text().contains("client config set namespace") {
            return;
        }
        let missing: Vec<&Command> = all.iter().filter(|c| c.flag(&["-n", "--namespace"]).is_none() && talks_to_server(c)).collect();
        if let Some(first) = missing.first() {
            let more = if missing.len() > 1 { format!(" ({} commands in this file)", missing.len()) } else { String::new() };
            cx.report(
                span(file, first.at),
                format!("`velero {}` runs against namespace `velero`, the CLI's default, but this repository runs Velero in `{ns}`{more}", first.positional.iter().take(2).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")),
            )
            .help(format!("add `-n {ns}` to every velero command, or set it once with `velero client config set namespace={ns}`"));
        }
    }
}

fn span(file: FileId, w: &Word) -> Span {
    Span::new(file, w.start, w.end)
}

/// Whether the file stops GitOps from recreating what it restores: `flux suspend`, Argo CD's
/// auto-sync turned off, or `kubectl delete` of PVCs or namespaces.
fn reconciliation_stopped(lines: &[Vec<Word>]) -> bool {
    lines.iter().any(|l| {
        let t: Vec<&str> = l.iter().map(|w| w.text.as_str()).collect();
        let has = |w: &str| t.contains(&w);
        (has("flux") && has("suspend"))
            || (has("argocd") && t.windows(2).any(|p| p == ["--sync-policy", "none"] || p == ["--sync-policy", "manual"]))
            || t.iter().any(|w| w.starts_with("--sync-policy=") && (w.ends_with("none") || w.ends_with("manual")))
            || (has("kubectl") && has("delete") && t.iter().any(|w| matches!(*w, "pvc" | "pvcs" | "persistentvolumeclaim" | "persistentvolumeclaims" | "ns" | "namespace" | "namespaces") || w.starts_with("pvc/") || w.starts_with("persistentvolumeclaim/") || w.starts_with("namespace/")))
    })
}

/// PVCs that the repository's entry points create, by namespace (declared PVCs and StatefulSet
/// volumeClaimTemplates).
fn git_claims(index: &Index) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |r: &Resource, name: String| {
        if let Some(ns) = r.namespace().filter(|_| crate::model::cnpg::namespace_known(r)) {
            out.entry(ns.to_string()).or_default().insert(name);
        }
    };
    for r in index.of_kind("", "PersistentVolumeClaim").filter(|r| !r.unlisted) {
        add(r, r.name().to_string());
    }
    for r in index.of_kind("apps", "StatefulSet").filter(|r| !r.unlisted) {
        for t in r.node.at(&["spec", "volumeClaimTemplates"]).into_iter().flat_map(|l| l.items()) {
            if let Some(n) = t.str_at(&["metadata", "name"]) {
                add(r, format!("{n}-{}-…", r.name()));
            }
        }
    }
    out
}

/// The namespaces in the restore's scope whose PVCs are in Git, and those PVCs in words; `None`
/// when the restore cannot meet one (PVCs or volumes left out, new namespaces, none in Git).
fn recreated(cmd: &Command, claims: &BTreeMap<String, BTreeSet<String>>) -> Option<(Vec<String>, String)> {
    let pvc = |n: &str| matches!(n, "persistentvolumeclaims" | "persistentvolumeclaim" | "pvc" | "*");
    let include = cmd.list("--include-resources");
    if (!include.is_empty() && !include.iter().any(|n| pvc(n))) || cmd.list("--exclude-resources").iter().any(|n| pvc(n) && n != "*") {
        return None;
    }
    if cmd.flag(&["--restore-volumes"]).and_then(|f| f.1).is_some_and(|v| v == "false") {
        return None;
    }
    let mapped: Vec<String> = cmd.list("--namespace-mappings").iter().filter_map(|m| m.split_once(':')).map(|(from, _)| from.to_string()).collect();
    let included = cmd.list("--include-namespaces");
    let excluded = cmd.list("--exclude-namespaces");
    let in_scope = |ns: &str| {
        (included.is_empty() || included.iter().any(|p| glob_match(p, ns))) && !excluded.iter().any(|p| glob_match(p, ns)) && !mapped.iter().any(|m| m == ns)
    };
    let hit: Vec<(&String, &BTreeSet<String>)> = claims.iter().filter(|(ns, _)| in_scope(ns)).collect();
    if hit.is_empty() {
        return None;
    }
    let names: Vec<String> = hit.iter().flat_map(|(ns, set)| set.iter().map(move |n| format!("{ns}/{n}"))).collect();
    let shown = if names.len() > 3 { format!("{} and {} more", names[..3].join(", "), names.len() - 3) } else { names.join(", ") };
    Some((hit.iter().map(|(ns, _)| ns.to_string()).collect(), shown))
}

/// Sub-commands that ask the Velero server (not `version --client-only`, `completion`, `client`).
fn talks_to_server(c: &Command) -> bool {
    matches!(c.verb(), Some("backup" | "restore" | "schedule" | "create" | "get" | "describe" | "delete" | "logs" | "backup-location" | "snapshot-location" | "repo" | "plugin"))
}

/// The one namespace the repository runs Velero in, when it is not `velero`: where its
/// BackupStorageLocations and Schedules live.
fn velero_namespace(index: &Index) -> Option<String> {
    let namespaces: BTreeSet<&str> = index
        .of_kind(GROUP, "BackupStorageLocation")
        .chain(index.of_kind(GROUP, "Schedule"))
        .filter(|r| !r.unlisted && crate::model::cnpg::namespace_known(r))
        .filter_map(|r| r.namespace())
        .collect();
    match namespaces.into_iter().collect::<Vec<_>>().as_slice() {
        [only] if *only != "velero" && !only.contains("${") => Some(only.to_string()),
        _ => None,
    }
}
