//! `.drlint.yaml` may set recovery point objectives: `rpo: {default: 24h, namespaces: {billing: 1h}}`.
//! A data store's worst-case RPO is the longest time between two recovery points: the longest gap
//! between consecutive firings of its backup schedule over a year (`0 2 * * 1-5` is 72 hours over
//! a weekend), or, for a CNPG Cluster that archives WAL, `archive_timeout` (CNPG's default 5min).
//! A store whose worst case is above its target loses more data than was promised.

use crate::model::coverage::{self, format_secs, Method};
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
        // A store stated `drlint.io/backup: none: <reason>` has no RPO to keep.
        for c in coverage::coverage(index).into_iter().filter(|c| c.stated_none.is_none()) {
            let Some((target, source)) = coverage::rpo_target(index, &targets, c.store.owner, &c.store.namespace) else { continue };
            let Some(rpo) = coverage::rpo(index, &c) else {
                // Covered, but by nothing that runs on a schedule: the recovery point is unbounded.
                let scheduled = c.methods.iter().any(|m| matches!(m, Method::Cnpg { .. } | Method::VolSync { .. }));
                if scheduled {
                    cx.report_on(
                        c.store.owner,
                        c.store.span,
                        format!(
                            "{} is backed up by nothing that runs on a schedule: its worst-case RPO is unbounded, above the {} target ({source})",
                            c.store.display(),
                            format_secs(target)
                        ),
                    )
                    .help("add a ScheduledBackup (CNPG) or a trigger schedule (VolSync), or archive WAL");
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
