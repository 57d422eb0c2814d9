//! Every PersistentVolumeClaim and every StatefulSet volumeClaimTemplate holds data that etcd and
//! Git cannot bring back. Each must be covered by a valid Velero Schedule that selects it and takes
//! its volume data (snapshots or file-system backup), by a VolSync ReplicationSource, or by a
//! `drlint.io/backup` annotation stating another method, or `none` with a reason. CNPG Clusters
//! are covered by CNPG itself (see `cnpg-cluster-no-backup`).

use crate::model::coverage::{self, StoreKind};
use crate::model::velero;
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    PvcBackupUncovered,
    "pvc-backup-uncovered",
    Warning,
    "a PVC or volumeClaimTemplate that no valid backup covers and no drlint.io/backup annotation explains"
);

const HELP: &str = "add it to a Velero Schedule (namespace included, PVC selected, snapshots or file-system backup on), or annotate it `drlint.io/backup: <method>` (e.g. `restic via cronjob/backup`) or `drlint.io/backup: \"none: <reason>\"`";

impl Rule for PvcBackupUncovered {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for c in coverage::coverage(index) {
            let s = &c.store;
            if s.kind == StoreKind::Cnpg {
                continue;
            }
            if let Some(a) = c.bad_annotation {
                cx.report_on(s.owner, a.span, format!("`{}: {}` on {} states no method and no reason", coverage::BACKUP_ANNOTATION, a.as_text().unwrap_or(""), s.display()))
                    .help("write the method (`drlint.io/backup: velero schedule nightly`) or `none` with a reason (`drlint.io/backup: \"none: cache, rebuilt on start\"`)");
                if c.methods.is_empty() {
                    continue;
                }
            }
            if c.is_covered() {
                continue;
            }
            let names = if s.kind == StoreKind::ClaimTemplate { format!(" (PVCs {})", s.claim_names().join(", ")) } else { String::new() };
            let msg = if !c.missing_claims.is_empty() {
                format!("{}{names} is backed up only in part: no Velero Schedule takes {}", s.display(), c.missing_claims.join(", "))
            } else if !c.broken.is_empty() {
                let why: Vec<String> = c.broken.iter().map(|(r, why)| format!("Schedule `{}`, but {why}", r.name())).collect();
                format!("{}{names} is covered only by Velero {}", s.display(), why.join("; and by "))
            } else {
                format!("{}{names} is backed up by nothing: no Velero Schedule takes its data, no VolSync ReplicationSource, no Longhorn backup RecurringJob, no `{}` annotation", s.display(), coverage::BACKUP_ANNOTATION)
            };
            let help = match c.broken.first() {
                Some((r, _)) if c.missing_claims.is_empty() => format!("fix Velero Schedule `{}` so that it runs and takes the volume data; or {}", r.name(), HELP),
                _ => HELP.to_string(),
            };
            // A backup job in the namespace (a dump to object storage) may be what covers it.
            let jobs: Vec<&str> = index
                .of_kind("batch", "CronJob")
                .filter(|j| j.cluster == s.owner.cluster && j.namespace() == Some(s.namespace.as_str()))
                .filter(|j| ["backup", "dump"].iter().any(|w| j.name().to_ascii_lowercase().contains(w)))
                .map(|j| j.name())
                .collect();
            let help = match jobs.first() {
                Some(j) => format!("if CronJob `{j}` backs it up, say so: `drlint.io/backup: \"CronJob {j}\"`; otherwise {help}"),
                None => help,
            };
            let d = cx.report_on(s.owner, s.span, msg).help(help);
            for (r, _) in &c.broken {
                let sched = velero::Schedule(r);
                let node = if sched.cron_error().is_some() {
                    sched.schedule()
                } else if sched.paused() {
                    r.node.at(&["spec", "paused"])
                } else {
                    r.node.at(&["spec", "template", "snapshotVolumes"])
                };
                if let Some(n) = node.or(sched.schedule()) {
                    d.label(n.span, format!("Schedule `{}`", r.name()));
                }
            }
        }
    }
}
