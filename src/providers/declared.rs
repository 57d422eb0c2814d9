//! Backup operators declared in `.drlint.yaml` (`coverage.providers`): an object of the declared
//! apiVersion and kind, in the store's namespace (or cluster-scoped), covers the store when the
//! value at `pvc-name` is one of its PVCs, or the label selector at `pvc-selector` matches its
//! labels. Its schedule is read at `schedule` (five-field cron; another dialect is "unknown").

use super::{cron5, Cover, Cx, Location, Outcome, Provider, Sched};
use crate::model::coverage::{Store, StoreKind};
use crate::model::velero::Selector;
use crate::settings::coverage::values_at;

pub struct Declared;

impl Provider for Declared {
    fn name(&self) -> &'static str {
        "declared in .drlint.yaml"
    }

    fn listed(&self) -> bool {
        false
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        // The kinds come from the config.
        &[]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind == StoreKind::Cnpg && store.claims.is_empty() {
            return;
        }
        for d in &cx.config.providers {
            let objects = cx.index.of_kind(d.group(), &d.kind).filter(|r| !r.unlisted && r.cluster == store.owner.cluster && r.namespace().is_none_or(|ns| ns == store.namespace));
            for o in objects {
                let by_name = d.pvc_name.as_deref().is_some_and(|p| values_at(&o.node, p).into_iter().filter_map(|n| n.as_text()).any(|n| store.claims.iter().any(|c| c.name == n) || n == store.name));
                let by_selector = d.pvc_selector.as_deref().is_some_and(|p| values_at(&o.node, p).into_iter().filter_map(Selector::from_node).any(|s| s.matches(&store.labels)));
                if !by_name && !by_selector {
                    continue;
                }
                let mut c = Cover::new(self.name(), o, format!("{} {} (declared in .drlint.yaml)", o.kind(), o.name()));
                if let Some(node) = d.schedule.as_deref().and_then(|p| values_at(&o.node, p).into_iter().next()) {
                    c.schedules.push(Sched::new(o, node, node.as_text().and_then(cron5), o.kind()));
                } else {
                    c.scheduled = d.schedule.is_some();
                }
                c.location = match d.offsite {
                    Some(true) => Location::OffStorage,
                    Some(false) => Location::SameStorage(format!("{} {} (`off-site: false` in .drlint.yaml)", o.kind(), o.name())),
                    None => Location::Unknown,
                };
                out.push(Outcome::Covers(c));
            }
        }
    }
}
