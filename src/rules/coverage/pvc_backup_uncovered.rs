//! Every PersistentVolumeClaim and every StatefulSet volumeClaimTemplate holds data that etcd and
//! Git cannot bring back. Each must be covered by a backup system of the provider registry
//! (`crate::providers`: Velero, VolSync, kopiur, K8up, Longhorn, K10, Stash, file shares, and the
//! operators declared in `.drlint.yaml`), by a `drlint.io/backup` annotation stating another
//! method, or be declared deliberately not backed up (`drlint.io/backup: "none: <reason>"` or a
//! `coverage.none` entry). CNPG Clusters are covered by CNPG itself (see `cnpg-cluster-no-backup`).
//! A store covered only by snapshots on its own storage is covered: `backup-snapshot-only` says
//! that those do not survive the storage.

use crate::model::coverage::{self, StoreKind};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    PvcBackupUncovered,
    "pvc-backup-uncovered",
    Warning,
    "a PVC or volumeClaimTemplate that no valid backup covers and no drlint.io/backup annotation explains"
);

const HELP: &str = "back it up with one of the systems drlint knows (a Velero Schedule that selects it and takes its data, a VolSync ReplicationSource, a kopiur SnapshotPolicy, a K8up Schedule, a Longhorn backup RecurringJob, a K10 Policy, a Stash BackupConfiguration), declare your operator under `coverage.providers` in .drlint.yaml, or state it: `drlint.io/backup: <method>` or `drlint.io/backup: \"none: <reason>\"` (many at once: `coverage.none` in .drlint.yaml)";

impl Rule for PvcBackupUncovered {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        // The engine always provides the run's shared views.
        let Some(views) = cx.views else { return };
        let all = views.coverage();
        for c in all {
            let s = &c.store;
            if s.kind == StoreKind::Cnpg {
                continue;
            }
            if let Some(a) = c.bad_annotation {
                cx.report_on(s.owner, a.span, format!("`{}: {}` on {} states no method and no reason", coverage::BACKUP_ANNOTATION, a.as_text().unwrap_or(""), s.display()))
                    .help("write the method (`drlint.io/backup: velero schedule nightly`) or `none` with a reason (`drlint.io/backup: \"none: cache, rebuilt on start\"`)");
                if c.covers.is_empty() {
                    continue;
                }
            }
            let names = match s.kind {
                StoreKind::ClaimTemplate if s.claims.is_empty() => " (0 replicas: PVCs made before stay)".to_string(),
                StoreKind::ClaimTemplate => format!(" (PVCs {})", s.claim_names().join(", ")),
                _ => String::new(),
            };
            if c.is_covered() {
                continue;
            }
            let msg = if !c.excluded.is_empty() {
                let mut why: Vec<String> = c.excluded.iter().map(|(r, why, _)| format!("{why} takes it out of {} {}", r.kind(), r.name())).collect();
                why.dedup();
                format!("{}{names} is excluded from backup: {}; nothing else backs it up", s.display(), why.join("; "))
            } else if !c.missing_claims.is_empty() {
                format!("{}{names} is backed up only in part: nothing takes {}", s.display(), c.missing_claims.join(", "))
            } else if !c.broken.is_empty() {
                let mut why: Vec<String> = c.broken.iter().map(|(p, r, why, _)| format!("{p} {} `{}`, but {why}", r.kind(), r.name())).collect();
                why.dedup();
                format!("{}{names} is covered only by {}", s.display(), why.join("; and by "))
            } else {
                format!("{}{names} is backed up by nothing: no backup system drlint knows ({}) covers it, no `{}` annotation, no `coverage.none` entry", s.display(), crate::providers::names(), coverage::BACKUP_ANNOTATION)
            };
            let help = match (c.excluded.first(), c.broken.first()) {
                (Some(_), _) => format!("if leaving it out is deliberate, say why: `drlint.io/backup: \"none: <reason>\"`, or a `coverage.none` entry in .drlint.yaml that selects the exclusion label; otherwise remove the exclusion, or {HELP}"),
                (None, Some((p, r, _, _))) if c.missing_claims.is_empty() => format!("fix {p} {} `{}` so that it runs and takes the volume data; or {HELP}", r.kind(), r.name()),
                _ => HELP.to_string(),
            };
            // A backup job in the namespace (a dump to object storage) may be what covers it.
            let jobs: Vec<&str> = index
                .of_kind_in(&s.owner.cluster, Some(s.namespace.as_str()), "batch", "CronJob")
                .filter(|j| ["backup", "dump"].iter().any(|w| j.name().to_ascii_lowercase().contains(w)))
                .map(|j| j.name())
                .collect();
            let help = match jobs.first() {
                Some(j) => format!("if CronJob `{j}` backs it up, say so: `drlint.io/backup: \"CronJob {j}\"`; otherwise {help}"),
                None => help,
            };
            let disposable = coverage::disposable_by_name(s);
            let msg = match disposable {
                Some(w) => format!("{msg}; its name says `{w}`, so it is probably rebuilt by its application"),
                None => msg,
            };
            let d = cx.report_on(s.owner, s.span, msg).help(help);
            if disposable.is_some() {
                d.severity = crate::diag::Severity::Note;
            }
            for (_, r, _, span) in &c.broken {
                if let Some(span) = span {
                    d.label(*span, format!("{} `{}`", r.kind(), r.name()));
                }
            }
            for (_, why, span) in &c.excluded {
                if *span != s.span {
                    d.label(*span, why.clone());
                }
            }
        }
    }
}
