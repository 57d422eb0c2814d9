//! `.drlint.yaml` may set recovery point objectives: `rpo: {default: 24h, namespaces: {billing: 1h}}`.
//! A data store's worst-case RPO is the longest time between two recovery points that survive the
//! loss of its storage: the longest gap between consecutive firings of its backup schedules over a
//! year (`0 2 * * 1-5` is 72 hours over a weekend), or, for a CNPG Cluster that archives WAL,
//! `archive_timeout` (CNPG's default 5min). Snapshots kept on the store's own storage do not count.
//! Schedules come from the provider registry; one drlint cannot read is left out, never an error.
//! A store whose worst case is above its target loses more data than was promised.

use crate::model::coverage::{self, format_secs};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    RpoTargetExceeded,
    "rpo-target-exceeded",
    Error,
    "a data store whose worst-case recovery point (longest gap between backups) is above the configured RPO target"
);

impl Rule for RpoTargetExceeded {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let targets = cx.rpo.cloned().unwrap_or_default();
        // A store stated not backed up (`none: <reason>`) has no RPO to keep.
        // The engine always provides the run's shared views.
        let Some(views) = cx.views else { return };
        let all = views.coverage();
        for c in all.iter().filter(|c| c.stated_none.is_none()) {
            let Some((target, source)) = coverage::rpo_target(index, &targets, c.store.owner, &c.store.namespace) else { continue };
            let unbounded = |why: String, help: &str, cx: &mut Context| {
                cx.report_on(c.store.owner, c.store.span, format!("{} {why}: its worst-case RPO is unbounded, above the {} target ({source})", c.store.display(), format_secs(target))).help(help.to_string());
            };
            if coverage::local_only(&c) {
                let what: Vec<String> = c.covers.iter().map(|cv| cv.method.clone()).collect();
                unbounded(format!("has only snapshots on its own storage ({}), lost with it", what.join("; ")), "add a backup that leaves the cluster's storage, on a schedule within the target", cx);
                continue;
            }
            let Some(rpo) = coverage::rpo(&c) else {
                // Covered, but by nothing that runs on a schedule: the recovery point is unbounded.
                if coverage::unbounded(&c) {
                    unbounded("is backed up by nothing that runs on a schedule".into(), "add a schedule to its backup (a ScheduledBackup for CNPG, a trigger schedule for VolSync, a Schedule for K8up), or archive WAL", cx);
                }
                continue;
            };
            if rpo.secs <= target {
                continue;
            }
            cx.report_on(
                rpo.at,
                rpo.node_span,
                format!(
                    "worst-case RPO of {} is {} ({}), above the {} target ({source})",
                    c.store.display(),
                    format_secs(rpo.secs),
                    rpo.how,
                    format_secs(target)
                ),
            )
            .help(format!("back up at least every {} (the longest gap between two runs counts, weekends included), or change the target in .drlint.yaml", format_secs(target)));
        }
    }
}
