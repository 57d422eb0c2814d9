//! The backup systems drlint knows, one file each, behind one trait. Coverage
//! (`pvc-backup-uncovered`), RPO (`rpo-target-exceeded`) and `drlint matrix` ask every provider of
//! the registry what it makes of a data store; none of them names a system. Adding the next operator
//! is one new file here, one line in `all()`, and its fixtures.
//!
//! A provider says, for one store: which of its objects cover it and how they select it, on which
//! schedule(s), with what retention, to which destination, whether the copy leaves the cluster's
//! storage (a snapshot on the same storage is not an off-site backup: `Location`), and how to
//! restore. What a CSI VolumeSnapshot means for each storage driver is in `csi`, shared by the
//! systems that take them. It may
//! also say that an object of its own would cover the store but cannot (invalid, paused), or that
//! the store opts out of it (a label or an annotation the system honours).

pub mod cnpg;
pub mod csi;
pub mod declared;
pub mod k10;
pub mod k8up;
pub mod kopiur;
pub mod longhorn;
pub mod share;
pub mod stash;
pub mod velero;
pub mod volsync;

use crate::model::coverage::Store;
use crate::model::workloads::Labels;
use crate::model::{Index, Resource};
use crate::settings::coverage::CoverageSettings;
use crate::source::yaml::Node;
use crate::source::Span;

/// What a provider sees: the run's objects and the `coverage:` section of `.drlint.yaml`.
pub struct Cx<'a> {
    pub index: &'a Index,
    pub config: &'a CoverageSettings,
    /// Velero Schedules read once per run (scopes parsed, looked up by namespace): asking every
    /// Schedule about every store is what made coverage quadratic.
    velero: std::sync::OnceLock<velero::Prepared<'a>>,
    /// CNPG Clusters that bootstrap by recovery, by the server name they recover from (a drill per
    /// store would otherwise ask every Cluster).
    cnpg_recoveries: std::sync::OnceLock<cnpg::Recoveries<'a>>,
}

impl<'a> Cx<'a> {
    pub fn new(index: &'a Index, config: &'a CoverageSettings) -> Cx<'a> {
        Cx { index, config, velero: std::sync::OnceLock::new(), cnpg_recoveries: std::sync::OnceLock::new() }
    }

    fn velero(&self) -> &velero::Prepared<'a> {
        self.velero.get_or_init(|| velero::Prepared::new(self.index))
    }

    fn cnpg_recoveries(&self) -> &cnpg::Recoveries<'a> {
        self.cnpg_recoveries.get_or_init(|| cnpg::Recoveries::new(self.index))
    }

    /// Objects of a kind in the store's cluster and namespace that a render applies. Uses the
    /// index's by-place lookup: a provider never scans every object for every store.
    pub fn near(&self, store: &Store<'a>, group: &'a str, kind: &str) -> Vec<&'a Resource> {
        self.index.of_kind_in(&store.owner.cluster, Some(store.namespace.as_str()), group, kind).filter(|r| !r.unlisted).collect()
    }

    /// Objects of a kind anywhere in the store's cluster (operators that select across namespaces).
    pub fn in_cluster(&self, store: &Store<'a>, group: &'a str, kind: &str) -> Vec<&'a Resource> {
        let cluster = store.owner.cluster.clone();
        self.index.of_kind(group, kind).filter(move |r| !r.unlisted && r.cluster == cluster).collect()
    }
}

/// One schedule that takes backups of a store.
#[derive(Clone, Debug)]
pub struct Sched<'a> {
    /// The schedule as written.
    pub text: String,
    /// Parsed; `None` when drlint cannot read the dialect: the RPO is then unknown, never an error.
    pub cron: Option<crate::cron::Schedule>,
    pub span: Span,
    pub at: &'a Resource,
    /// `Velero Schedule nightly \`0 2 * * *\``: names the schedule in RPO messages.
    pub how: String,
    /// Words around the schedule in the matrix (`base backup ` .. ` (ScheduledBackup daily)`).
    pub prefix: String,
    pub suffix: String,
}

impl<'a> Sched<'a> {
    /// A schedule from its node, parsed in a dialect (`None` when the text does not parse).
    pub fn new(at: &'a Resource, node: &'a Node, cron: Option<crate::cron::Schedule>, what: &str) -> Sched<'a> {
        let text = node.as_text().unwrap_or("").to_string();
        Sched { how: format!("{what} `{}` `{text}`", at.name()), text, cron, span: node.span, at, prefix: String::new(), suffix: String::new() }
    }

    /// In words: `every day at 02:00:00`, or the text with `(schedule not understood)`.
    pub fn words(&self) -> String {
        let w = match &self.cron {
            Some(c) => c.describe(),
            None => format!("`{}` (schedule not understood)", self.text),
        };
        format!("{}{w}{}", self.prefix, self.suffix)
    }
}

/// Continuous protection (WAL archiving): the recovery point is at most `secs` old.
#[derive(Clone, Debug)]
pub struct Continuous<'a> {
    pub secs: i64,
    pub span: Span,
    pub at: &'a Resource,
    pub how: String,
}

/// Where a cover's copy lives, relative to the storage it protects. A snapshot on the same storage
/// system (Longhorn replicas, a Ceph pool, a ZFS pool, an LVM volume group) undoes a bad deploy but
/// is lost with a disk, a node or the pool; only a copy that leaves the storage survives that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Off the storage: an object store, a restic/kopia repository, a backup target, another host.
    OffStorage,
    /// On the storage it protects; the words say which snapshots and where they stay
    /// (`Longhorn snapshots on the volume's own replicas`).
    SameStorage(String),
    /// The repository does not say (a cloud disk's snapshots, an unknown CSI driver, a file share).
    Unknown,
}

impl Location {
    /// `Some(true)` when the copy leaves the storage, `Some(false)` when it stays, `None` unknown.
    pub fn leaves_storage(&self) -> Option<bool> {
        match self {
            Location::OffStorage => Some(true),
            Location::SameStorage(_) => Some(false),
            Location::Unknown => None,
        }
    }
}

/// How one object of one provider covers a store.
#[derive(Clone, Debug)]
pub struct Cover<'a> {
    /// The provider's name (`Velero`, `kopiur`, ...).
    pub provider: &'static str,
    /// The object that covers (a Schedule, a ReplicationSource, a SnapshotPolicy, ...).
    pub object: &'a Resource,
    /// The method in words, with how it selects the store.
    pub method: String,
    /// Schedules whose firings make recovery points (several together count as one union).
    pub schedules: Vec<Sched<'a>>,
    /// Schedule cells that are not cron (continuous archiving, base backups) for the matrix.
    pub schedule_words: Vec<String>,
    pub continuous: Option<Continuous<'a>>,
    /// Whether the method runs on its own: without a schedule its RPO is then unbounded.
    pub scheduled: bool,
    pub retention: Vec<String>,
    pub destination: Vec<String>,
    /// Where the copy lives: off the storage it protects, on it (a snapshot), or unknown.
    pub location: Location,
    pub restore: Vec<String>,
    /// Objects whose findings concern this store's backups (for the matrix status).
    pub related: Vec<&'a Resource>,
    /// Why nothing is backed up although the object is there (the API server rejects it).
    pub rejected: Option<String>,
    /// What the matrix status says instead of `ok` (base backups only on demand, say).
    pub caveat: Option<String>,
}

impl<'a> Cover<'a> {
    pub fn new(provider: &'static str, object: &'a Resource, method: String) -> Cover<'a> {
        Cover {
            provider,
            object,
            method,
            schedules: Vec::new(),
            schedule_words: Vec::new(),
            continuous: None,
            scheduled: true,
            retention: Vec::new(),
            destination: Vec::new(),
            location: Location::OffStorage,
            restore: Vec::new(),
            related: vec![object],
            rejected: None,
            caveat: None,
        }
    }
}

/// What a provider makes of a store.
#[derive(Clone, Debug)]
pub enum Outcome<'a> {
    Covers(Cover<'a>),
    /// An object that would cover the store, but does not run or takes no data; `span` is where.
    Broken { object: &'a Resource, why: String, span: Option<Span> },
    /// An object that covers only some of the store's PVCs.
    Partial { object: &'a Resource, missing: Vec<String> },
    /// The store opts out of a system that would otherwise cover it (`why` says how).
    Excluded { object: &'a Resource, why: String, span: Span },
}

/// One backup system.
pub trait Provider: Sync {
    /// Its name in messages and the matrix.
    fn name(&self) -> &'static str;
    /// The `(API group, kind)`s it reads.
    fn reads(&self) -> &'static [(&'static str, &'static str)];
    /// What it makes of a store.
    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>);
    /// Whether this provider is the store's own (a CNPG Cluster's backup): when it covers, what
    /// other systems do is not what the matrix shows.
    fn native(&self, _store: &Store) -> bool {
        false
    }
    /// Whether it is a backup system to name in "no backup system drlint knows (...)".
    fn listed(&self) -> bool {
        true
    }
    /// Objects that restore the store (restore drills, populated PVCs), in words.
    fn drills<'a>(&self, _cx: &Cx<'a>, _store: &Store<'a>, _covers: &[Cover<'a>]) -> Vec<String> {
        Vec::new()
    }
}

/// The registry: every built-in provider, then the ones declared in `.drlint.yaml`.
pub fn all() -> &'static [&'static dyn Provider] {
    &[
        &cnpg::Cnpg,
        &velero::Velero,
        &volsync::VolSync,
        &kopiur::Kopiur,
        &k8up::K8up,
        &longhorn::Longhorn,
        &k10::K10,
        &stash::Stash,
        &share::Share,
        &declared::Declared,
    ]
}

/// The names of the built-in systems, for messages (`Velero, VolSync, ...`).
pub fn names() -> String {
    all().iter().filter(|p| p.listed()).map(|p| p.name()).collect::<Vec<_>>().join(", ")
}

/// A label selector over a set of labels; `None` (no selector) is the caller's to interpret.
pub fn selects(sel: Option<&Node>, labels: &Labels) -> Option<bool> {
    let s = crate::model::velero::Selector::from_node(sel?)?;
    Some(s.matches(labels))
}

/// The keys and values of a retention mapping, in words (`keepDaily 7, keepHourly 12`).
pub fn mapping_words(n: Option<&Node>) -> Option<String> {
    let n = n?;
    if let Some(t) = n.as_text() {
        return Some(t.to_string());
    }
    let parts: Vec<String> = n.entries().map(|(k, _, v)| format!("{k} {}", v.as_text().unwrap_or("?"))).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Parse a five-field cron schedule (with the `@hourly` family) as the CronJob dialect does.
pub fn cron5(text: &str) -> Option<crate::cron::Schedule> {
    crate::cron::parse(text.trim(), crate::cron::Dialect::CronJob).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn registry_names_and_kinds_are_unique() {
        let names: Vec<&str> = super::all().iter().map(|p| p.name()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "two providers share a name: {names:?}");
        // Two systems reading the same custom resource would both claim to cover a store with it.
        let mut custom: Vec<(&str, &str)> = super::all().iter().flat_map(|p| p.reads().iter().copied()).filter(|(g, _)| g.contains('.') && !g.ends_with("k8s.io") && *g != "apps").collect();
        custom.sort();
        let n = custom.len();
        custom.dedup();
        assert_eq!(custom.len(), n, "a custom resource is read by two providers");
    }
}
