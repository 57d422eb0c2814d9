//! Data stores and how each is backed up: the generic model behind `pvc-backup-uncovered`,
//! `rpo-target-exceeded` and `drlint matrix`.
//!
//! A data store is a CNPG Cluster, a PersistentVolumeClaim, or a StatefulSet volumeClaimTemplate.
//! What covers it is asked of every backup system in `crate::providers`; this module adds what is
//! not a system: the `drlint.io/backup` annotation that states a method (or `none` with a reason),
//! and the `coverage.none` entries of `.drlint.yaml` for data deliberately not backed up. Objects
//! are compared within one `cluster` only.

use super::cnpg;
use super::workloads::{self, Labels};
use super::{Index, Resource};
use crate::providers::{self, Cover, Cx, Outcome};
use crate::settings::coverage::CoverageSettings;
use crate::source::yaml::Node;
use crate::source::Span;

/// The annotation that states how a PVC (or StatefulSet, or volumeClaimTemplate) is backed up.
pub const BACKUP_ANNOTATION: &str = "drlint.io/backup";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StoreKind {
    Cnpg,
    Pvc,
    ClaimTemplate,
}

/// Pods that mount a PVC under a volume name.
#[derive(Clone, Debug)]
pub struct Mount<'a> {
    pub owner: &'a Resource,
    pub labels: Labels,
    pub volume: String,
    pub fs_backup_volumes: Vec<String>,
    pub fs_backup_excludes: Vec<String>,
}

impl Mount<'_> {
    pub fn fs_backup_takes(&self, default_to_fs: bool) -> bool {
        if default_to_fs {
            !self.fs_backup_excludes.contains(&self.volume)
        } else {
            self.fs_backup_volumes.contains(&self.volume)
        }
    }
}

/// One PVC as the cluster will have it.
#[derive(Clone, Debug)]
pub struct Claim<'a> {
    pub name: String,
    pub labels: Labels,
    pub mounts: Vec<Mount<'a>>,
}

#[derive(Clone, Debug)]
pub struct Store<'a> {
    pub kind: StoreKind,
    /// The PVC, StatefulSet or CNPG Cluster.
    pub owner: &'a Resource,
    /// PVC name, volumeClaimTemplate name, or Cluster name.
    pub name: String,
    pub namespace: String,
    /// Where findings about the store go.
    pub span: Span,
    pub claims: Vec<Claim<'a>>,
    /// `drlint.io/backup` on the PVC, the template or its StatefulSet.
    pub annotation: Option<&'a Node>,
    /// The volumeClaimTemplate entry, for `StoreKind::ClaimTemplate`.
    pub template: Option<&'a Node>,
    /// Labels every PVC of the store carries (also when a StatefulSet runs no replica).
    pub labels: Labels,
    /// `spec.storageClassName` of the PVC or template, when set.
    pub storage_class: Option<String>,
}

impl Store<'_> {
    /// E.g. `PersistentVolumeClaim media/photos`, `StatefulSet kafka/broker volumeClaimTemplate data`.
    pub fn display(&self) -> String {
        match self.kind {
            StoreKind::ClaimTemplate => format!("StatefulSet {}/{} volumeClaimTemplate `{}`", self.namespace, self.owner.name(), self.name),
            _ => format!("{} {}/{}", self.owner.kind(), self.namespace, self.name),
        }
    }

    pub fn claim_names(&self) -> Vec<String> {
        self.claims.iter().map(|c| c.name.clone()).collect()
    }
}

fn mount_of<'a>(owner: &'a Resource, labels: Labels, volume: &str) -> Mount<'a> {
    let g = workloads::pod_group(owner);
    Mount {
        owner,
        labels,
        volume: volume.to_string(),
        fs_backup_volumes: g.as_ref().map(|g| g.fs_backup_volumes.clone()).unwrap_or_default(),
        fs_backup_excludes: g.map(|g| g.fs_backup_excludes).unwrap_or_default(),
    }
}

/// Every data store of the index, in index order.
pub fn stores(index: &Index) -> Vec<Store<'_>> {
    use rayon::prelude::*;
    // Objects no render applies (a template beside a kustomization that leaves it out) hold no
    // data. Each object's stores are its own: found on every core, kept in index order.
    let mut out: Vec<Store> = index.resources.par_iter().filter(|r| !r.unlisted).flat_map_iter(stores_of).collect();
    // Pods that mount plain PVCs by claimName (PVC stores looked up by cluster, namespace, name).
    let mut pvcs: std::collections::HashMap<(Option<String>, String, String), Vec<usize>> = std::collections::HashMap::new();
    for (i, s) in out.iter().enumerate().filter(|(_, s)| s.kind == StoreKind::Pvc) {
        pvcs.entry((s.owner.cluster.clone(), s.namespace.clone(), s.name.clone())).or_default().push(i);
    }
    for r in index.resources.iter().filter(|r| !r.unlisted) {
        let Some((meta, spec)) = workloads::pod_template(r) else { continue };
        let Some(ns) = r.namespace() else { continue };
        let labels = if r.is("apps", "StatefulSet") { workloads::statefulset_pod_labels(r, 0) } else { workloads::labels_of(meta.and_then(|m| m.get("labels"))) };
        for (volume, claim) in workloads::claim_volumes(spec) {
            let claim = claim.as_text().unwrap_or("");
            for &i in pvcs.get(&(r.cluster.clone(), ns.to_string(), claim.to_string())).into_iter().flatten() {
                out[i].claims[0].mounts.push(mount_of(r, labels.clone(), &volume));
            }
        }
    }
    out
}

/// The stores one object declares (a PVC, a StatefulSet's claim templates, a CNPG Cluster's volumes).
fn stores_of(r: &Resource) -> Vec<Store<'_>> {
    let mut out: Vec<Store> = Vec::new();
    let Some(ns) = r.namespace() else { return out };
    if r.is("", "PersistentVolumeClaim") {
        out.push(Store {
            kind: StoreKind::Pvc,
            owner: r,
            name: r.name().to_string(),
            namespace: ns.to_string(),
            span: r.span(),
            claims: vec![Claim { name: r.name().to_string(), labels: workloads::labels_of(r.node.at(&["metadata", "labels"])), mounts: Vec::new() }],
            annotation: r.annotation(BACKUP_ANNOTATION),
            template: None,
            labels: workloads::labels_of(r.node.at(&["metadata", "labels"])),
            storage_class: r.node.str_at(&["spec", "storageClassName"]).map(str::to_string),
        });
    } else if r.is("apps", "StatefulSet") {
        for t in workloads::claim_templates(r) {
            let labels = t.pvc_labels();
            let claims = (0..workloads::replicas(r))
                .zip(t.pvc_names())
                .map(|(i, name)| Claim { name, labels: labels.clone(), mounts: vec![mount_of(r, workloads::statefulset_pod_labels(r, i), &t.name)] })
                .collect();
            out.push(Store {
                kind: StoreKind::ClaimTemplate,
                owner: r,
                name: t.name.clone(),
                namespace: ns.to_string(),
                span: t.span(),
                claims,
                annotation: t.annotation(BACKUP_ANNOTATION).or_else(|| r.annotation(BACKUP_ANNOTATION)),
                template: Some(t.node),
                storage_class: t.node.str_at(&["spec", "storageClassName"]).map(str::to_string),
                labels,
            });
        }
    } else if r.is(cnpg::GROUP, "Cluster") {
        let inherited = r.node.at(&["spec", "inheritedMetadata", "annotations"]);
        let fs = |key: &str| -> Vec<String> {
            inherited.and_then(|a| a.get(key)).and_then(Node::as_text).map(|s| s.split(',').map(|v| v.trim().to_string()).collect()).unwrap_or_default()
        };
        let claims = workloads::cnpg_pvcs(r)
            .into_iter()
            .map(|p| {
                let volume = match p.labels.get("cnpg.io/pvcRole").map(String::as_str) {
                    Some("PG_WAL") => "pg-wal".to_string(),
                    Some("PG_DATA") => "pgdata".to_string(),
                    // Tablespace volumes are named after the tablespace.
                    _ => p.name.rsplit_once("-tbs-").map(|(_, t)| t.to_string()).unwrap_or_default(),
                };
                let mount = Mount {
                    owner: r,
                    labels: workloads::cnpg_pod_labels(r, &p.instance),
                    volume,
                    fs_backup_volumes: fs(workloads::FS_BACKUP_ANNOTATION),
                    fs_backup_excludes: fs(workloads::FS_BACKUP_EXCLUDE_ANNOTATION),
                };
                Claim { name: p.name, labels: p.labels, mounts: vec![mount] }
            })
            .collect();
        out.push(Store {
            kind: StoreKind::Cnpg,
            owner: r,
            name: r.name().to_string(),
            namespace: ns.to_string(),
            span: r.span(),
            claims,
            annotation: None,
            template: None,
            labels: workloads::labels_of(r.node.at(&["metadata", "labels"])),
            storage_class: r.node.str_at(&["spec", "storage", "storageClass"]).map(str::to_string),
        });
    }
    out
}


/// A store and what covers it.
#[derive(Clone, Debug)]
pub struct Coverage<'a> {
    pub store: Store<'a>,
    /// Every provider's cover, the registry's order.
    pub covers: Vec<Cover<'a>>,
    /// Objects that would cover the store but are invalid, paused or take no data:
    /// (provider, object, why, where).
    pub broken: Vec<(&'static str, &'a Resource, String, Option<Span>)>,
    /// Systems the store opts out of: (the object that would cover it, how it opts out, where).
    pub excluded: Vec<(&'a Resource, String, Span)>,
    /// Data deliberately not backed up: `drlint.io/backup: none: <reason>`, or a `coverage.none`
    /// entry, in words.
    pub stated_none: Option<String>,
    /// `drlint.io/backup: none` without a reason, or an empty value.
    pub bad_annotation: Option<&'a Node>,
    /// Claims (of a covered-in-part store) that no object takes.
    pub missing_claims: Vec<String>,
}

impl Coverage<'_> {
    pub fn is_covered(&self) -> bool {
        !self.covers.is_empty() || self.stated_none.is_some()
    }

    /// Covers whose copy may survive the loss of the store's storage (off-site, or not known not to be).
    pub fn offsite_covers(&self) -> impl Iterator<Item = &Cover<'_>> {
        self.covers.iter().filter(|c| c.location.leaves_storage() != Some(false))
    }

    /// Covered only by copies that stay on the storage they protect (local snapshots), with the
    /// words of each: what `backup-snapshot-only` reports.
    pub fn snapshot_only(&self) -> Option<Vec<(&Cover<'_>, &str)>> {
        let words: Vec<(&Cover, &str)> = self
            .covers
            .iter()
            .filter_map(|c| match &c.location {
                providers::Location::SameStorage(w) => Some((c, w.as_str())),
                _ => None,
            })
            .collect();
        (!self.covers.is_empty() && words.len() == self.covers.len()).then_some(words)
    }
}

/// The word in a store's name that says it holds nothing worth restoring (`cache`, `tmp`, `temp`,
/// `scratch`, as the whole name or its last `-`/`_`/`.` part: `seerr-cache`, `build_tmp`). Such
/// volumes are rebuilt by their application; rules report them as notes, not warnings, since the
/// owner most likely decided already (say so with `drlint.io/backup: "none: <reason>"`).
pub fn disposable_by_name(store: &Store) -> Option<&'static str> {
    if store.kind == StoreKind::Cnpg {
        return None;
    }
    let last = store.name.rsplit(['-', '_', '.']).next().unwrap_or(&store.name).to_ascii_lowercase();
    ["cache", "tmp", "temp", "scratch"].into_iter().find(|w| *w == last)
}

/// `none` followed by a reason (`none: scratch data`, `none -- cache`, `none (rebuilt from git)`).
fn none_reason(text: &str) -> Option<Option<&str>> {
    let t = text.trim();
    let rest = t.strip_prefix("none").or_else(|| t.strip_prefix("None")).or_else(|| t.strip_prefix("NONE"))?;
    if !rest.is_empty() && rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    let reason = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '(' | ',' | ';' | '—')).trim_end_matches(')').trim();
    Some((!reason.is_empty()).then_some(reason))
}

/// Coverage of every store, asking every provider of the registry.
pub fn coverage<'a>(index: &'a Index, config: &'a CoverageSettings) -> Vec<Coverage<'a>> {
    coverage_of(index, config, stores(index))
}

/// `coverage` of stores already found (`stores(index)`, which the views also keep).
pub fn coverage_of<'a>(index: &'a Index, config: &'a CoverageSettings, stores: Vec<Store<'a>>) -> Vec<Coverage<'a>> {
    use rayon::prelude::*;
    let cx = Cx::new(index, config);
    // Stores whose name or namespace still holds a Flux `${VAR}` are judged once rendered. Each
    // store's coverage is its own question: asked on every core, kept in the stores' order.
    let stores: Vec<Store> = stores.into_iter().filter(|s| !s.name.contains("${") && !s.namespace.contains("${")).collect();
    stores.into_par_iter().map(|store| store_coverage(&cx, config, store)).collect()
}

/// What covers one store, asking every provider of the registry.
fn store_coverage<'a>(cx: &Cx<'a>, config: &'a CoverageSettings, store: Store<'a>) -> Coverage<'a> {
    let mut c = Coverage { store, covers: Vec::new(), broken: Vec::new(), excluded: Vec::new(), stated_none: None, bad_annotation: None, missing_claims: Vec::new() };
    if let Some(a) = c.store.annotation {
        let text = a.as_text().unwrap_or("").trim();
        match none_reason(text) {
            Some(Some(_)) => c.stated_none = Some(text.to_string()),
            Some(None) => c.bad_annotation = Some(a),
            None if !text.is_empty() => {
                let mut cover = Cover::new("stated", c.store.owner, format!("stated: {text}"));
                (cover.scheduled, cover.location) = (false, providers::Location::Unknown);
                c.covers.push(cover);
            }
            None => c.bad_annotation = Some(a),
        }
    }
    if c.stated_none.is_none() {
        if let Some(rule) = config.none.iter().find(|n| n.matches(&c.store)) {
            c.stated_none = Some(format!("none: {} (coverage.none in .drlint.yaml)", rule.reason));
        }
    }
    let mut missing: Vec<String> = Vec::new();
    let mut native: Option<&'static str> = None;
    for p in providers::all() {
        let mut outcomes = Vec::new();
        p.cover(cx, &c.store, &mut outcomes);
        for o in outcomes {
            match o {
                Outcome::Covers(cover) => {
                    if p.native(&c.store) {
                        native = Some(cover.provider);
                    }
                    c.covers.push(cover)
                }
                Outcome::Broken { object, why, span } => c.broken.push((p.name(), object, why, span)),
                Outcome::Partial { missing: m, .. } => missing.extend(m),
                Outcome::Excluded { object, why, span } => c.excluded.push((object, why, span)),
            }
        }
    }
    if let Some(n) = native {
        // The store's own backup (a CNPG Cluster's) is what counts for it.
        c.covers.retain(|cv| cv.provider == n || cv.provider == "stated");
        c.broken.clear();
        c.excluded.clear();
    }
    if c.covers.is_empty() {
        missing.sort();
        missing.dedup();
        c.missing_claims = missing;
    }
    c
}

/// The worst-case RPO of a store in seconds, with the node that sets it and how it was computed.
#[derive(Clone, Debug)]
pub struct Rpo<'a> {
    pub secs: i64,
    /// The node to point at: a schedule, the `archive_timeout` parameter, ...
    pub node_span: Span,
    pub at: &'a Resource,
    pub how: String,
}

/// Longest gap between consecutive firings of several schedules together, firings `a` in
/// `[from, from + 365 days)`. `@every d` fires at `from + k·d`. `None` when nothing fires or the
/// union fires too often to walk (more than two million times a year: minutes at most anyway).
pub fn union_max_gap(scheds: &[&crate::cron::Schedule], from: i64) -> Option<i64> {
    use crate::cron::ScheduleKind;
    let end = from + 365 * 86_400;
    let next = |s: &crate::cron::Schedule, t: i64| -> Option<i64> {
        match &s.kind {
            ScheduleKind::Every(d) => {
                let d = (d.as_secs() as i64).max(1);
                Some(from + ((t - from).div_euclid(d) + 1) * d)
            }
            ScheduleKind::Spec(_) => s.next_after(t),
        }
    };
    let first = |t: i64| scheds.iter().filter_map(|s| next(s, t)).min();
    let mut t = first(from - 1)?;
    let mut best = 0;
    let mut steps = 0u32;
    while t < end {
        let n = first(t)?;
        best = best.max(n - t);
        t = n;
        steps += 1;
        if steps > 2_000_000 {
            return None;
        }
    }
    Some(best)
}

/// Worst-case RPO of a set of covers. Continuous protection counts as its bound; otherwise every
/// schedule of every cover counts together (a weekday schedule and a weekend one make a daily
/// recovery point). Schedules drlint cannot read are left out.
pub fn rpo_of<'a, 'b>(covers: impl IntoIterator<Item = &'b Cover<'a>>) -> Option<Rpo<'a>>
where
    'a: 'b,
{
    let covers: Vec<&Cover<'a>> = covers.into_iter().collect();
    let continuous = covers.iter().filter_map(|c| c.continuous.as_ref()).min_by_key(|c| c.secs);
    if let Some(c) = continuous {
        return Some(Rpo { secs: c.secs, node_span: c.span, at: c.at, how: c.how.clone() });
    }
    let scheduled: Vec<&providers::Sched<'a>> = covers.iter().flat_map(|c| c.schedules.iter()).filter(|s| s.cron.is_some()).collect();
    let from = crate::cron::DEFAULT_GAP_FROM;
    let gaps: Vec<(usize, i64)> = scheduled.iter().enumerate().filter_map(|(i, s)| Some((i, s.cron.as_ref()?.max_gap_over_year(from)?))).collect();
    let &(best_i, best_gap) = gaps.iter().min_by_key(|(i, g)| (*g, *i))?;
    let best = scheduled[best_i];
    let mut rpo = Rpo { secs: best_gap, node_span: best.span, at: best.at, how: best.how.clone() };
    if gaps.len() > 1 {
        let all: Vec<&crate::cron::Schedule> = gaps.iter().filter_map(|(i, _)| scheduled[*i].cron.as_ref()).collect();
        if let Some(u) = union_max_gap(&all, from).filter(|u| *u < best_gap) {
            rpo.secs = u;
            rpo.how = format!("{} together", gaps.iter().map(|(i, _)| scheduled[*i].how.clone()).collect::<Vec<_>>().join(" and "));
        }
    }
    Some(rpo)
}

/// Worst-case RPO of a covered store after the loss of its storage: only copies that leave it (or
/// may: unknown) count.
pub fn rpo<'a>(cov: &Coverage<'a>) -> Option<Rpo<'a>> {
    rpo_of(cov.covers.iter().filter(|c| c.location.leaves_storage() != Some(false)))
}

/// Worst-case RPO of a store while its storage lives: every recovery point counts, local
/// snapshots included.
pub fn rpo_any<'a>(cov: &Coverage<'a>) -> Option<Rpo<'a>> {
    rpo_of(cov.covers.iter())
}

/// Whether a store's RPO is unbounded: it is covered by something meant to run on a schedule that
/// has none (nor continuous archiving). Unknown schedules do not count as none.
pub fn unbounded(cov: &Coverage) -> bool {
    let offsite: Vec<&Cover> = cov.offsite_covers().collect();
    !offsite.is_empty() && offsite.iter().all(|c| c.scheduled && c.schedules.is_empty() && c.continuous.is_none())
}

/// Covered only by copies that stay on the storage they protect (local snapshots).
pub fn local_only(cov: &Coverage) -> bool {
    cov.snapshot_only().is_some()
}

/// The annotation on a Namespace that sets its RPO target (`drlint.io/rpo: 1h`).
pub const RPO_ANNOTATION: &str = "drlint.io/rpo";

/// The target for a store's namespace: `rpo.namespaces.<ns>` in `.drlint.yaml`, else the
/// Namespace's `drlint.io/rpo` annotation, else `rpo.default`.
pub fn rpo_target(index: &Index, targets: &crate::settings::RpoTargets, owner: &Resource, ns: &str) -> Option<(i64, String)> {
    if let Some(t) = targets.namespaces.get(ns) {
        return Some((*t, format!("rpo.namespaces.{ns} in .drlint.yaml")));
    }
    let annotated = index
        .get(owner.cluster.as_deref(), None, "", "Namespace", ns)
        .into_iter()
        .find_map(|n| n.annotation(RPO_ANNOTATION).and_then(|a| a.as_text()).and_then(crate::settings::parse_duration));
    if let Some(t) = annotated {
        return Some((t, format!("{RPO_ANNOTATION} on Namespace {ns}")));
    }
    targets.default.map(|t| (t, "rpo.default in .drlint.yaml".to_string()))
}

/// `45s`, `5m`, `1h30m`, `24h`, `72h`: hours for anything of a day or more (a weekend reads as 72h).
pub fn format_secs(secs: i64) -> String {
    if secs >= 3600 {
        return format_hours(secs);
    }
    let (m, s) = (secs / 60, secs % 60);
    match (m, s) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

fn format_hours(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = format!("{h}h");
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn union_of_schedules() {
        let p = |t: &str| crate::cron::parse(t, crate::cron::Dialect::Velero).unwrap();
        let (weekdays, weekends) = (p("0 2 * * 1-5"), p("0 2 * * 0,6"));
        let from = crate::cron::DEFAULT_GAP_FROM;
        assert_eq!(weekdays.max_gap_over_year(from), Some(72 * 3600));
        assert_eq!(union_max_gap(&[&weekdays, &weekends], from), Some(24 * 3600));
        assert_eq!(union_max_gap(&[&p("0 2 * * *"), &p("0 14 * * *")], from), Some(12 * 3600));
        assert_eq!(union_max_gap(&[&p("@every 6h"), &p("0 2 * * 1-5")], from), Some(6 * 3600));
    }

    #[test]
    fn durations() {
        assert_eq!(format_secs(300), "5m");
        assert_eq!(format_secs(72 * 3600), "72h");
        assert_eq!(format_secs(86400 + 1800), "24h30m");
        assert_eq!(none_reason("none: cache"), Some(Some("cache")));
        assert_eq!(none_reason("none"), Some(None));
        assert_eq!(none_reason("nonexistent"), None);
        assert_eq!(none_reason("restic to b2"), None);
    }
}
