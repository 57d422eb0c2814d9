//! A rebuild from Git on an empty cluster deadlocks when a Flux Kustomization applies custom
//! resources whose CRD only something inside that same Kustomization (a HelmRelease in its output,
//! or a Kustomization it creates) installs. kustomize-controller dry-runs the whole output before
//! applying any of it (CRDs and Namespaces of the output itself go first): a kind with no CRD fails
//! the dry-run ("no matches for kind"), nothing is applied, and so the HelmRelease that would have
//! installed the CRD never exists. Not a retry: a permanent stop of the "re-apply Git" restore path.
//!
//! Only a kind whose every installer in the repository sits inside the Kustomization is judged:
//! a CRD installed by another Kustomization (with or without `dependsOn`) arrives eventually and the
//! retry succeeds, and a CRD nothing in the repository installs (bootstrap, a cloud add-on) is
//! not drlint's to know.

use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use std::collections::{BTreeMap, BTreeSet};

crate::declare_rule!(
    GitopsRebuildCrdOrder,
    "gitops-rebuild-crd-order",
    Error,
    "a Flux Kustomization applies custom resources whose CRD only a HelmRelease or Kustomization inside it installs: a rebuild from Git deadlocks"
);

const FLUX_KS: (&str, &str) = ("kustomize.toolkit.fluxcd.io", "Kustomization");

/// Charts whose name does not say the API group they install (the operators drlint knows, from
/// their CRDs). Other charts match a group by name (`velero` installs `velero.io`).
const CHART_GROUPS: &[(&str, &[&str])] = &[
    ("cloudnative-pg", &["postgresql.cnpg.io"]),
    ("plugin-barman-cloud", &["barmancloud.cnpg.io"]),
    ("argo-cd", &["argoproj.io"]),
    ("kube-prometheus-stack", &["monitoring.coreos.com"]),
    ("prometheus-operator-crds", &["monitoring.coreos.com"]),
    ("snapshot-controller", &["snapshot.storage.k8s.io", "groupsnapshot.storage.k8s.io"]),
    ("rook-ceph", &["ceph.rook.io", "objectbucket.io"]),
    ("rook-ceph-cluster", &[]),
    ("victoria-metrics-operator", &["operator.victoriametrics.com"]),
    ("victoria-metrics-k8s-stack", &["operator.victoriametrics.com"]),
    ("external-snapshotter", &["snapshot.storage.k8s.io"]),
    ("flux2", &[]),
];

/// API groups that are the Kubernetes API's own, or Flux's (installed at bootstrap).
fn built_in(group: &str) -> bool {
    matches!(
        group,
        "" | "apps" | "batch" | "autoscaling" | "policy" | "networking.k8s.io" | "rbac.authorization.k8s.io" | "storage.k8s.io" | "apiextensions.k8s.io"
            | "admissionregistration.k8s.io" | "certificates.k8s.io" | "coordination.k8s.io" | "discovery.k8s.io" | "events.k8s.io"
            | "flowcontrol.apiserver.k8s.io" | "node.k8s.io" | "scheduling.k8s.io" | "apiregistration.k8s.io" | "resource.k8s.io"
            | "storagemigration.k8s.io" | "internal.apiserver.k8s.io" | "kustomize.config.k8s.io"
    ) || group.ends_with(".toolkit.fluxcd.io")
        || group == "fluxcd.controlplane.io"
}

/// Whether a HelmRelease's chart installs CRDs of API group `wanted` (never with `install.crds: Skip`).
fn release_installs(hr: &Resource, wanted: &str) -> bool {
    if hr.node.str_at(&["spec", "install", "crds"]) == Some("Skip") {
        return false;
    }
    let chart = hr.node.str_at(&["spec", "chart", "spec", "chart"]).or(hr.node.str_at(&["spec", "chartRef", "name"])).unwrap_or(hr.name());
    chart_installs(crate::model::bootstrap::chart_name(chart), wanted)
}

/// Whether a chart installs CRDs of API group `wanted`: the known operators by table, others when
/// the chart's name (less `-operator`, `-controller`, `-crds`, `-helm`) is one of the group's labels.
fn chart_installs(chart: &str, wanted: &str) -> bool {
    if let Some((_, groups)) = CHART_GROUPS.iter().find(|(c, _)| *c == chart) {
        return groups.contains(&wanted);
    }
    let base = ["-operator", "-controller", "-crds", "-chart", "-helm"].iter().fold(chart, |c, s| c.strip_suffix(s).unwrap_or(c));
    wanted.split('.').any(|label| label == base || label == base.replace('-', ""))
}

/// One Flux Kustomization's reconciliation: its object and what its render applies.
struct Unit<'a> {
    ks: &'a Resource,
    objects: Vec<&'a Resource>,
}

/// The label the renderer gives a Flux Kustomization's objects (`Resource::renders`), with its
/// repository: a check of several repositories labels by the cluster folder before it prefixes
/// clusters with the repository's name, and two repositories often have a Kustomization of the
/// same name.
fn unit_label(k: &Resource) -> (Option<String>, String) {
    let base = format!("Flux Kustomization {}", crate::gitops::flux::display(&k.node, k.node.str_at(&["metadata", "namespace"])));
    let cluster = match (&k.cluster, &k.repo) {
        (Some(c), Some(repo)) => c.strip_prefix(repo.as_str()).and_then(|rest| rest.strip_prefix('/')),
        (c, None) => c.as_deref(),
        (None, Some(_)) => None,
    };
    let label = match cluster {
        Some(c) => format!("{base} (cluster {c})"),
        None => base,
    };
    (k.repo.clone(), label)
}

impl Rule for GitopsRebuildCrdOrder {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let mut units: Vec<Unit> = index.of_kind(FLUX_KS.0, FLUX_KS.1).map(|ks| Unit { ks, objects: Vec::new() }).collect();
        let by_label: BTreeMap<(Option<String>, String), usize> = units.iter().enumerate().map(|(i, u)| (unit_label(u.ks), i)).collect();
        for r in &index.resources {
            for l in &r.renders {
                if let Some(&i) = by_label.get(&(r.repo.clone(), l.clone())) {
                    units[i].objects.push(r);
                }
            }
        }
        // A unit's subtree: itself and the Kustomizations it creates, transitively.
        let children: Vec<Vec<usize>> = units
            .iter()
            .map(|u| u.objects.iter().filter(|o| o.is(FLUX_KS.0, FLUX_KS.1)).filter_map(|o| by_label.get(&unit_label(o)).copied()).collect())
            .collect();
        // What may install CRDs, per unit: CRD objects and HelmReleases (few of each).
        let candidates: Vec<Vec<&Resource>> = units
            .iter()
            .map(|u| u.objects.iter().copied().filter(|o| o.is("apiextensions.k8s.io", "CustomResourceDefinition") || o.is("helm.toolkit.fluxcd.io", "HelmRelease")).collect())
            .collect();
        for (i, unit) in units.iter().enumerate() {
            let subtree = subtree(i, &children);
            let own_crds: BTreeSet<&str> = unit.objects.iter().filter(|o| o.is("apiextensions.k8s.io", "CustomResourceDefinition")).filter_map(|o| o.node.str_at(&["spec", "group"])).collect();
            // The outcome for a group does not depend on which of its objects asks: judge it once.
            let mut judged: BTreeSet<&str> = BTreeSet::new();
            for r in &unit.objects {
                let group = r.group();
                if built_in(group) || own_crds.contains(group) || !judged.insert(group) {
                    continue;
                }
                // Every installer of the group in this cluster, and whether each is inside the subtree.
                let mut inside: Vec<&Resource> = Vec::new();
                let mut outside = false;
                for (j, _) in units.iter().enumerate().filter(|(_, u)| u.ks.cluster == unit.ks.cluster) {
                    for o in &candidates[j] {
                        let installs = (o.is("apiextensions.k8s.io", "CustomResourceDefinition") && o.node.str_at(&["spec", "group"]) == Some(group))
                            || (o.is("helm.toolkit.fluxcd.io", "HelmRelease") && release_installs(o, group));
                        if installs {
                            if subtree.contains(&j) { inside.push(o) } else { outside = true }
                        }
                    }
                }
                let Some(installer) = inside.first() else { continue };
                let bootstrapped = index.bootstrap_charts.iter().any(|(repo, c)| repo == &r.repo && chart_installs(c, group)) || index.bootstrap_crd_groups.contains(&(r.repo.clone(), group.to_string()));
                if outside || bootstrapped {
                    continue;
                }
                let where_ = if unit.objects.iter().any(|o| std::ptr::eq(*o, *installer)) { "in the same Kustomization" } else { "in a Kustomization this one creates" };
                cx.report_on(
                    r,
                    r.node.get("kind").map(|k| k.span).unwrap_or(r.span()),
                    format!(
                        "Flux Kustomization `{}` applies {} `{}` ({group}), whose CRD only {} `{}` installs, {where_}: on an empty cluster the dry-run fails (no matches for kind), nothing is applied, and the CRD never arrives",
                        unit.ks.qualified_name(),
                        r.kind(),
                        r.qualified_name(),
                        installer.kind(),
                        installer.qualified_name()
                    ),
                )
                .label(installer.span(), format!("installs the {group} CRDs"))
                .help(format!(
                    "move the {group} objects to their own Kustomization with `dependsOn` on the one that installs the chart (and `wait: true` there), so the CRDs exist before they are applied"
                ));
            }
        }
    }
}

fn subtree(root: usize, children: &[Vec<usize>]) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        if seen.insert(i) {
            stack.extend(children[i].iter().copied());
        }
    }
    seen
}
