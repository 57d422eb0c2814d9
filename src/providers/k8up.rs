//! K8up (`k8up.io`): a Schedule (its `backup` part) backs up the PVCs of its own
//! namespace with restic, to `spec.backend` (or the operator's global backend). K8up 2 takes every
//! PVC, read-write-once and read-write-many alike, unless the PVC is annotated
//! `k8up.io/backup: "false"`; `labelSelectors` (any of them) narrow it by PVC labels. Its
//! `backup.schedule` is cron with K8up's `@hourly-random` family (a random but fixed time in the
//! period). Retention is the `prune` part's `retention`. A Restore object brings data back. A
//! `Backup` object runs once when applied: it is reported as not covering (no later data is kept).

use super::{mapping_words, selects, Cover, Cx, Outcome, Provider, Sched};
use crate::model::coverage::{Store, StoreKind};
use crate::source::yaml::Node;

pub struct K8up;

pub const GROUP: &str = "k8up.io";
pub const ANNOTATION: &str = "k8up.io/backup";

/// Where a backup spec writes, in words.
fn backend(spec: Option<&Node>) -> String {
    let Some(b) = spec.and_then(|s| s.get("backend")) else { return "the operator's global backend".into() };
    for (kind, _, v) in b.entries() {
        let detail = match kind {
            "s3" => format!("s3 {}/{}", v.str_at(&["endpoint"]).unwrap_or("?"), v.str_at(&["bucket"]).unwrap_or("?")),
            "local" => format!("local {}", v.str_at(&["mountPath"]).unwrap_or("?")),
            "repoPasswordSecretRef" | "envFrom" | "tlsOptions" | "volumeMounts" => continue,
            other => other.to_string(),
        };
        return format!("restic repository ({detail})");
    }
    "the operator's global backend".into()
}

impl Provider for K8up {
    fn name(&self) -> &'static str {
        "K8up"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(GROUP, "Schedule"), (GROUP, "Backup")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind == StoreKind::Cnpg {
            return;
        }
        let objects: Vec<_> = cx.near(store, GROUP, "Schedule").into_iter().chain(cx.near(store, GROUP, "Backup")).collect();
        if objects.is_empty() {
            return;
        }
        let annotation = match store.template {
            Some(t) => t.at(&["metadata", "annotations", ANNOTATION]),
            None => store.owner.annotation(ANNOTATION),
        };
        for o in objects {
            let is_schedule = o.kind() == "Schedule";
            let spec = if is_schedule { o.node.at(&["spec", "backup"]) } else { o.spec() };
            if is_schedule && spec.is_none() {
                continue;
            }
            let selectors: Vec<&Node> = spec.and_then(|s| s.get("labelSelectors")).into_iter().flat_map(|l| l.items()).collect();
            if !selectors.is_empty() && !selectors.iter().any(|s| selects(Some(s), &store.labels) == Some(true)) {
                continue;
            }
            if let Some(a) = annotation.filter(|a| a.as_text() == Some("false")) {
                out.push(Outcome::Excluded { object: o, why: format!("annotation `{ANNOTATION}: \"false\"`"), span: a.span });
                continue;
            }
            if !is_schedule {
                // A Backup object runs once, when it is applied: no later data is kept.
                out.push(Outcome::Broken { object: o, why: "it is a one-off Backup: it runs once when applied, not on a schedule (use a Schedule)".into(), span: Some(o.span()) });
                continue;
            }
            let mut c = Cover::new(self.name(), o, format!("K8up {} {}", o.kind(), o.name()));
            {
                if let Some(node) = spec.and_then(|s| s.get("schedule")) {
                    c.schedules.push(Sched::new(o, node, node.as_text().and_then(|t| crate::cron::parse(t, crate::cron::Dialect::K8up { seed: None }).ok()), "K8up Schedule"));
                }
                if let Some(r) = mapping_words(o.node.at(&["spec", "prune", "retention"])) {
                    c.retention.push(r);
                }
            }
            c.destination.push(backend(o.spec()));
            c.restore.push("a K8up Restore to a PVC".into());
            out.push(Outcome::Covers(c));
        }
    }
}
