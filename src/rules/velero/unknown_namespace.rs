//! A Velero Schedule, Backup or Restore that names, in `includedNamespaces`, a namespace that
//! nothing in the repository creates or deploys into backs up (or restores) nothing there: a typo,
//! or an application that was renamed or moved. Velero does not complain about an empty namespace.

use crate::model::velero::{is_pattern, GROUP};
use crate::model::Index;
use crate::rules::{Context, Rule};
use std::collections::BTreeSet;

crate::declare_rule!(
    VeleroUnknownNamespace,
    "velero-unknown-namespace",
    Warning,
    "a Velero includedNamespaces entry naming a namespace that nothing in the repository creates or deploys into"
);

/// Namespaces that exist in every cluster.
const BUILT_IN: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Namespaces the repository creates or deploys into, for one cluster.
fn known(index: &Index, cluster: &Option<String>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = BUILT_IN.iter().map(|s| s.to_string()).collect();
    for r in index.resources.iter().filter(|r| &r.cluster == cluster && !r.unlisted) {
        if r.is("", "Namespace") {
            out.insert(r.name().to_string());
        }
        if let Some(ns) = r.namespace() {
            out.insert(ns.to_string());
        }
        // Entry points that deploy into a namespace other than their own.
        let target = match (r.group(), r.kind()) {
            ("kustomize.toolkit.fluxcd.io" | "helm.toolkit.fluxcd.io", "Kustomization" | "HelmRelease") => r.node.str_at(&["spec", "targetNamespace"]),
            ("argoproj.io", "Application") => r.node.str_at(&["spec", "destination", "namespace"]),
            _ => None,
        };
        if let Some(t) = target {
            out.insert(t.to_string());
        }
    }
    out
}

impl Rule for VeleroUnknownNamespace {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let mut cache: Vec<(Option<String>, BTreeSet<String>)> = Vec::new();
        for r in index.resources.iter().filter(|r| !r.unlisted && r.group() == GROUP && matches!(r.kind(), "Schedule" | "Backup" | "Restore")) {
            let path: &[&str] = if r.kind() == "Schedule" { &["spec", "template", "includedNamespaces"] } else { &["spec", "includedNamespaces"] };
            let Some(list) = r.node.at(path) else { continue };
            if !cache.iter().any(|(c, _)| c == &r.cluster) {
                cache.push((r.cluster.clone(), known(index, &r.cluster)));
            }
            let known = &cache.iter().find(|(c, _)| c == &r.cluster).unwrap().1;
            for item in list.items() {
                let Some(ns) = item.as_text() else { continue };
                if ns == "*" || is_pattern(ns) || known.contains(ns) || ns.contains("${") {
                    continue;
                }
                let d = cx.report_on(
                    r,
                    item.span,
                    format!("{} `{}` includes namespace `{ns}`, which nothing in the repository creates or deploys into", r.kind(), r.name()),
                );
                match crate::util::closest(ns, known.iter().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("fix the name, or remove the entry if the application is gone"),
                };
            }
        }
    }
}
