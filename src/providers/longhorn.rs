//! Longhorn (`longhorn.io`): a RecurringJob applies to a volume named by a PVC label
//! `recurring-job.longhorn.io/<job>: enabled` or that is in one of its `groups` by
//! `recurring-job-group.longhorn.io/<group>: enabled`; without such labels, the StorageClass
//! `recurringJobSelector` decides, else the `default` group. Only the tasks `backup` and
//! `backup-force-create` copy data to the backup target (off the cluster's storage); `snapshot`
//! (and `snapshot-force-create`) keep snapshots on the volume's own replicas, lost with them;
//! `snapshot-cleanup`, `snapshot-delete` and `filesystem-trim` are maintenance and cover nothing.

use super::{Cover, Cx, Location, Outcome, Provider, Sched};
use crate::model::coverage::{Store, StoreKind};
use crate::model::workloads::Labels;
use crate::model::Resource;
use crate::source::yaml::Node;

pub struct Longhorn;

pub const GROUP: &str = "longhorn.io";
pub const PROVISIONER: &str = "driver.longhorn.io";

/// The RecurringJobs (by name, or group when `bool` is true) that apply to a PVC's volume when the
/// PVC is on a Longhorn StorageClass. `None` when it is not on Longhorn.
fn selectors(cx: &Cx, store: &Store, labels: &Labels) -> Option<Vec<(String, bool)>> {
    let sc_name = store.storage_class.as_deref()?;
    let sc = cx.index.of_kind("storage.k8s.io", "StorageClass").find(|c| c.cluster == store.owner.cluster && c.name() == sc_name);
    let is_longhorn = match sc {
        Some(c) => c.node.str_at(&["provisioner"]) == Some(PROVISIONER),
        None => sc_name.starts_with("longhorn"),
    };
    if !is_longhorn {
        return None;
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for (k, v) in labels {
        if v != "enabled" {
            continue;
        }
        if let Some(job) = k.strip_prefix("recurring-job.longhorn.io/") {
            out.push((job.to_string(), false));
        } else if let Some(g) = k.strip_prefix("recurring-job-group.longhorn.io/") {
            out.push((g.to_string(), true));
        }
    }
    if out.is_empty() {
        if let Some(sel) = sc.and_then(|c| c.node.str_at(&["parameters", "recurringJobSelector"])) {
            if let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(sel) {
                for i in items {
                    if let Some(n) = i.get("name").and_then(|n| n.as_str()) {
                        out.push((n.to_string(), i.get("isGroup").and_then(|g| g.as_bool()).unwrap_or(false)));
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out.push(("default".into(), true));
    }
    Some(out)
}

fn applies(job: &Resource, sel: &[(String, bool)]) -> bool {
    let groups: Vec<&str> = job.node.at(&["spec", "groups"]).into_iter().flat_map(|g| g.items()).filter_map(|g| g.as_text()).collect();
    let name = job.node.str_at(&["spec", "name"]).unwrap_or(job.name());
    sel.iter().any(|(n, is_group)| if *is_group { groups.contains(&n.as_str()) } else { n == name || n == job.name() })
}

impl Provider for Longhorn {
    fn name(&self) -> &'static str {
        "Longhorn"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(GROUP, "RecurringJob"), ("storage.k8s.io", "StorageClass")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind == StoreKind::Cnpg {
            return;
        }
        let Some(sel) = selectors(cx, store, &store.labels) else { return };
        let jobs = cx.in_cluster(store, GROUP, "RecurringJob");
        let before = out.len();
        for &job in &jobs {
            let task = job.node.str_at(&["spec", "task"]).unwrap_or("");
            // `snapshot-cleanup`, `snapshot-delete` and `filesystem-trim` make no recovery point.
            let offsite = match task {
                "backup" | "backup-force-create" => true,
                "snapshot" | "snapshot-force-create" => false,
                _ => continue,
            };
            if !applies(job, &sel) {
                continue;
            }
            let mut c = Cover::new(self.name(), job, format!("Longhorn RecurringJob {} ({task})", job.name()));
            if let Some(node) = job.node.at(&["spec", "cron"]) {
                c.schedules.push(Sched::new(job, node, node.as_text().and_then(|t| crate::cron::parse(t, crate::cron::Dialect::Longhorn).ok()), "Longhorn RecurringJob"));
            }
            if let Some(n) = job.node.at(&["spec", "retain"]).and_then(Node::as_text) {
                c.retention.push(format!("retain {n}"));
            }
            c.location = if offsite { Location::OffStorage } else { Location::SameStorage(format!("Longhorn RecurringJob `{}` task `{task}`: snapshots on the volume's own replicas", job.name())) };
            if offsite {
                c.destination.push("Longhorn backup target".into());
                c.restore.push("restore the Longhorn backup to a volume, then bind the PVC".into());
            } else {
                c.destination.push("snapshots on the volume's own replicas".into());
                c.restore.push("revert the volume to a Longhorn snapshot".into());
            }
            out.push(Outcome::Covers(c));
        }
        if out[before..].iter().any(|o| matches!(o, Outcome::Covers(c) if c.location == Location::OffStorage)) {
            return;
        }
        // A `disabled` label opts the volume out of a backup job or group that would apply.
        for (k, v) in store.labels.iter().filter(|(_, v)| v.as_str() == "disabled") {
            let target = k.strip_prefix("recurring-job.longhorn.io/").map(|j| (j, false)).or_else(|| k.strip_prefix("recurring-job-group.longhorn.io/").map(|g| (g, true)));
            let Some((name, is_group)) = target else { continue };
            let sel = [(name.to_string(), is_group)];
            let job = jobs.iter().find(|j| matches!(j.node.str_at(&["spec", "task"]), Some("backup" | "backup-force-create")) && applies(j, &sel));
            if let Some(job) = job {
                let span = store.template.unwrap_or(&store.owner.node).at(&["metadata", "labels", k.as_str()]).map(|n| n.span).unwrap_or(store.span);
                out.push(Outcome::Excluded { object: job, why: format!("label `{k}: {v}`"), span });
            }
        }
    }
}
