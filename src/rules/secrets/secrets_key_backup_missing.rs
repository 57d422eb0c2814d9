//! The key that decrypts the repository's Secrets lives only in the cluster, and nothing backs it
//! up: after the cluster is lost, every SealedSecret in Git (the backup credentials included) is
//! ciphertext nobody can read, and the rebuild from Git stops at the first Secret.
//!
//! - Sealed Secrets: the controller generates its key pair in the cluster (Secrets labelled
//!   `sealedsecrets.bitnami.com/sealed-secrets-key` in its namespace). Covered when the repository
//!   supplies that key itself (an object carrying the label), when a Velero Schedule takes Secrets
//!   of the controller's namespace, or when the controller's object states where the key is kept
//!   (`drlint.io/backup`). A warning.
//! - SOPS through Flux (`spec.decryption.secretRef`): the Secret is made by hand at bootstrap, and
//!   whoever encrypts and edits the files usually holds the key too, so the finding is a note asking
//!   to state where the key is kept, unless a Velero Schedule covers the Secret or the Kustomization
//!   says (`drlint.io/backup`).

use crate::diag::Severity;
use crate::model::velero::{self, should_include, Scope};
use crate::model::workloads::Labels;
use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use std::collections::BTreeSet;

crate::declare_rule!(
    SecretsKeyBackupMissing,
    "secrets-key-backup-missing",
    Warning,
    "the key that decrypts the repository's SealedSecrets (or SOPS files) exists only in the cluster, and no backup or statement covers it"
);

/// The annotation that states where a key (or other state) is kept outside the cluster.
pub const BACKUP_ANNOTATION: &str = "drlint.io/backup";
const SEALED_KEY_LABEL: &str = "sealedsecrets.bitnami.com/sealed-secrets-key";

impl Rule for SecretsKeyBackupMissing {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let clusters: BTreeSet<Option<String>> = index.of_kind("bitnami.com", "SealedSecret").filter(|r| !r.unlisted).map(|r| r.cluster.clone()).collect();
        for cluster in clusters {
            sealed_secrets(index, &cluster, cx);
        }
        sops(index, cx);
    }
}

fn sealed_secrets(index: &Index, cluster: &Option<String>, cx: &mut Context) {
    let sealed: Vec<&Resource> = index.of_kind("bitnami.com", "SealedSecret").filter(|r| &r.cluster == cluster && !r.unlisted).collect();
    let Some(first) = sealed.first() else { return };
    // The repository brings its own key: a Secret, ExternalSecret or SealedSecret template with the label.
    if index.resources.iter().any(|r| &r.cluster == cluster && r.kind() != "SealedSecret" && carries_key_label(r)) {
        return;
    }
    let controller = controller(index, cluster);
    if controller.as_ref().is_some_and(|(c, _)| c.annotation(BACKUP_ANNOTATION).is_some()) || sealed.iter().any(|s| s.annotation(BACKUP_ANNOTATION).is_some()) {
        return;
    }
    // Without the controller in view its namespace is unknown: a Schedule must take Secrets of
    // every namespace to count.
    let ns = controller.as_ref().map(|(_, ns)| ns.clone());
    let labels: Labels = [(SEALED_KEY_LABEL.to_string(), "active".to_string())].into_iter().collect();
    if velero_takes_secrets(index, cluster, ns.as_deref(), &labels) {
        return;
    }
    let (at, who) = match controller {
        Some((c, ns)) => (c, format!("{} `{}` keeps in namespace `{ns}`", c.kind(), c.qualified_name())),
        None => (*first, "the Sealed Secrets controller keeps (its deployment is not among the rendered objects)".to_string()),
    };
    let ns_text = ns.as_deref().unwrap_or("<controller namespace>");
    cx.report_on(
        at,
        at.span(),
        format!(
            "{} SealedSecret{} can be decrypted only with the key {who}, and nothing in the repository backs that key up: after a cluster loss {} cannot be read",
            sealed.len(),
            if sealed.len() == 1 { "" } else { "s" },
            if sealed.len() == 1 { "it" } else { "they" }
        ),
    )
    .help(format!(
        "export the key (`kubectl -n {ns_text} get secret -l {SEALED_KEY_LABEL} -o yaml`) to a place outside the cluster and say where with the annotation `{BACKUP_ANNOTATION}: \"<where>\"` on the controller or a SealedSecret, or back up the key Secrets with a Velero Schedule"
    ));
}

fn carries_key_label(r: &Resource) -> bool {
    let has = |n: Option<&crate::source::yaml::Node>| n.is_some_and(|m| m.get(SEALED_KEY_LABEL).is_some());
    has(r.node.at(&["metadata", "labels"])) || has(r.node.at(&["spec", "target", "template", "metadata", "labels"])) || has(r.node.at(&["spec", "template", "metadata", "labels"]))
}

/// The Sealed Secrets controller and its namespace: a HelmRelease or Argo CD Application of the
/// `sealed-secrets` chart, or a Deployment of that name.
fn controller<'a>(index: &'a Index, cluster: &Option<String>) -> Option<(&'a Resource, String)> {
    let chart_of = |r: &Resource| {
        r.node
            .str_at(&["spec", "chart", "spec", "chart"])
            .or(r.node.str_at(&["spec", "chartRef", "name"]))
            .or(r.node.str_at(&["spec", "source", "chart"]))
            .map(str::to_string)
    };
    let is_sealed = |s: &str| s.rsplit('/').next().is_some_and(|n| n == "sealed-secrets");
    for r in index.of_kind("helm.toolkit.fluxcd.io", "HelmRelease").filter(|r| &r.cluster == cluster) {
        if chart_of(r).is_some_and(|c| is_sealed(&c)) {
            let ns = r.node.str_at(&["spec", "targetNamespace"]).or(r.namespace()).unwrap_or("kube-system");
            return Some((r, ns.to_string()));
        }
    }
    for r in index.of_kind("argoproj.io", "Application").filter(|r| &r.cluster == cluster) {
        let charts = crate::gitops::argo::sources(&r.node).into_iter().filter_map(|s| s.str_at(&["chart"]).map(str::to_string)).collect::<Vec<_>>();
        if charts.iter().any(|c| is_sealed(c)) {
            let ns = r.node.str_at(&["spec", "destination", "namespace"]).unwrap_or("kube-system");
            return Some((r, ns.to_string()));
        }
    }
    index
        .of_kind("apps", "Deployment")
        .find(|r| &r.cluster == cluster && r.name().contains("sealed-secrets"))
        .map(|r| (r, r.namespace().unwrap_or("kube-system").to_string()))
}

/// Whether a Velero Schedule in the cluster takes Secrets carrying `labels` in `ns` (in every
/// namespace when `ns` is not known).
fn velero_takes_secrets(index: &Index, cluster: &Option<String>, ns: Option<&str>, labels: &Labels) -> bool {
    index.of_kind(velero::GROUP, "Schedule").filter(|s| &s.cluster == cluster).any(|s| {
        let scope = Scope::from_spec(s.node.at(&["spec", "template"]));
        let secrets = |n: &str| matches!(n, "secrets" | "secret");
        ns.map_or(scope.included_namespaces.is_empty() || scope.included_namespaces.iter().any(|n| n == "*"), |ns| scope.includes_namespace(ns))
            && should_include(&scope.included_resources, &scope.excluded_resources, secrets)
            && should_include(&scope.included_ns_scoped, &scope.excluded_ns_scoped, secrets)
            && scope.selects(labels)
    })
}

fn sops(index: &Index, cx: &mut Context) {
    let mut seen: BTreeSet<(Option<String>, String, String)> = BTreeSet::new();
    let mut kustomizations: Vec<&Resource> = index.of_kind("kustomize.toolkit.fluxcd.io", "Kustomization").filter(|k| !k.unlisted).collect();
    kustomizations.sort_by_key(|k| (k.file, k.span().start));
    for k in kustomizations {
        let Some(secret) = k.node.at(&["spec", "decryption", "secretRef", "name"]).filter(|n| n.as_text().is_some_and(|s| !s.is_empty() && !s.contains("${"))) else { continue };
        let name = secret.as_str().unwrap_or("").to_string();
        let ns = k.namespace().unwrap_or("flux-system").to_string();
        if !seen.insert((k.cluster.clone(), ns.clone(), name.clone())) {
            continue;
        }
        // The Secret is in Git (e.g. encrypted for another key), or a backup takes it, or the
        // repository says where it is kept.
        if !index.get(k.cluster.as_deref(), Some(&ns), "", "Secret", &name).is_empty()
            || index.of_kind("external-secrets.io", "ExternalSecret").any(|e| e.cluster == k.cluster && e.namespace() == Some(ns.as_str()) && e.node.str_at(&["spec", "target", "name"]).unwrap_or(e.name()) == name)
            || velero_takes_secrets(index, &k.cluster, Some(&ns), &Labels::new())
            || index.of_kind("kustomize.toolkit.fluxcd.io", "Kustomization").any(|o| o.cluster == k.cluster && o.annotation(BACKUP_ANNOTATION).is_some() && o.node.str_at(&["spec", "decryption", "secretRef", "name"]) == Some(name.as_str()))
        {
            continue;
        }
        let provider = k.node.str_at(&["spec", "decryption", "provider"]).unwrap_or("sops");
        let d = cx.report_on(
            k,
            secret.span,
            format!("the {provider} key in Secret `{ns}/{name}` decrypts this repository's Secrets, is not in Git, and no backup in the repository covers it: state where a copy outside the cluster is kept"),
        );
        d.severity = Severity::Note;
        d.help(format!("keep the private key outside the cluster (a password manager, a second admin's machine) and say where with the annotation `{BACKUP_ANNOTATION}: \"<where>\"` on this Kustomization"));
    }
}
