//! Typed views over CloudNativePG objects (`postgresql.cnpg.io/v1`) and the barman-cloud plugin's
//! `ObjectStore` (`barmancloud.cnpg.io/v1`).

use super::{Index, Resource};
use crate::source::yaml::Node;
use crate::source::Span;

pub const GROUP: &str = "postgresql.cnpg.io";
pub const BARMAN_CLOUD_GROUP: &str = "barmancloud.cnpg.io";
/// The barman-cloud plugin's name in `spec.plugins[].name`.
pub const BARMAN_CLOUD_PLUGIN: &str = "barman-cloud.cloudnative-pg.io";

/// A CNPG `Cluster`.
pub struct Cluster<'a>(pub &'a Resource);

impl<'a> Cluster<'a> {
    pub fn from(r: &'a Resource) -> Option<Cluster<'a>> {
        r.is(GROUP, "Cluster").then_some(Cluster(r))
    }

    pub fn spec(&self) -> Option<&'a Node> {
        self.0.spec()
    }

    /// `spec.backup`, when it is a mapping (a null `backup:` configures nothing).
    pub fn backup(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "backup"]).filter(|n| n.is_map())
    }

    pub fn barman_object_store(&self) -> Option<&'a Node> {
        self.backup()?.get("barmanObjectStore").filter(|n| n.is_map())
    }

    pub fn volume_snapshot(&self) -> Option<&'a Node> {
        self.backup()?.get("volumeSnapshot").filter(|n| n.is_map())
    }

    /// `spec.plugins[]` entries that are enabled (absent `enabled` means true).
    pub fn plugins(&self) -> impl Iterator<Item = &'a Node> {
        self.0.node.at(&["spec", "plugins"]).into_iter().flat_map(|p| p.items()).filter(|p| p.get("enabled").and_then(Node::as_bool) != Some(false))
    }

    /// Plugins that archive WAL (`isWALArchiver: true`).
    pub fn wal_archivers(&self) -> impl Iterator<Item = &'a Node> {
        self.plugins().filter(|p| p.get("isWALArchiver").and_then(Node::as_bool) == Some(true))
    }

    /// Whether the Cluster takes backups by any method CNPG knows.
    pub fn has_backup(&self) -> bool {
        self.barman_object_store().is_some() || self.volume_snapshot().is_some() || self.wal_archivers().next().is_some()
    }
}

/// The `spec.schedule` of a ScheduledBackup, when it is a non-null scalar: the node and its text.
pub fn scheduled_backup_schedule(r: &Resource) -> Option<(&Node, &str)> {
    if !r.is(GROUP, "ScheduledBackup") {
        return None;
    }
    let node = r.node.at(&["spec", "schedule"]).filter(|n| n.is_scalar() && !n.is_null())?;
    Some((node, node.as_str().unwrap_or("")))
}

/// The `barmanObjectName` parameter of a plugin entry (`spec.plugins[]` or
/// `externalClusters[].plugin`).
pub fn barman_object_name(plugin: &Node) -> Option<&Node> {
    plugin.at(&["parameters", "barmanObjectName"]).filter(|n| n.as_text().is_some())
}

// ---------------------------------------------------------------------------
// One reading of the CRDs shared by the rules: object stores, plugins, externalClusters,
// bootstrap, ScheduledBackup/Backup, and where each Cluster's archive is.
// ---------------------------------------------------------------------------

impl<'a> Cluster<'a> {
    pub fn name(&self) -> &'a str {
        self.0.name()
    }

    /// `spec.externalClusters[]` entries.
    pub fn external_clusters(&self) -> impl Iterator<Item = ExternalCluster<'a>> {
        self.0.node.at(&["spec", "externalClusters"]).into_iter().flat_map(|p| p.items()).map(ExternalCluster)
    }

    pub fn external_cluster(&self, name: &str) -> Option<ExternalCluster<'a>> {
        self.external_clusters().find(|e| e.name() == Some(name))
    }

    /// `spec.bootstrap.recovery`, when it is a mapping.
    pub fn recovery(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "bootstrap", "recovery"]).filter(|n| n.is_map())
    }

    /// `spec.replica`, when it is a mapping.
    pub fn replica(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "replica"]).filter(|n| n.is_map())
    }

    /// CNPG's `IsReplica`: `spec.replica` absent -> no; `enabled` set -> its value; otherwise a
    /// replica unless `primary` names this Cluster (or `self`).
    pub fn is_replica(&self) -> bool {
        let Some(r) = self.replica() else { return false };
        if let Some(e) = r.get("enabled").and_then(Node::as_bool) {
            return e;
        }
        let primary = r.str_at(&["primary"]).unwrap_or("");
        let me = r.str_at(&["self"]).unwrap_or(self.name());
        primary != me
    }

    /// The externalClusters names this Cluster reads from: (field path, the name node).
    /// `bootstrap.recovery.source`, `bootstrap.pg_basebackup.source` and `replica.source`.
    pub fn source_refs(&self) -> Vec<(&'static str, &'a Node)> {
        let mut out = Vec::new();
        for (path, what) in [
            (&["spec", "bootstrap", "recovery", "source"][..], "bootstrap.recovery.source"),
            (&["spec", "bootstrap", "pg_basebackup", "source"][..], "bootstrap.pg_basebackup.source"),
            (&["spec", "replica", "source"][..], "replica.source"),
        ] {
            if let Some(n) = self.0.node.at(path).filter(|n| n.as_text().is_some_and(|s| !s.is_empty())) {
                out.push((what, n));
            }
        }
        out
    }

    /// Whether the Cluster is a fragment meant to be merged into a base (a kustomize patch
    /// linted as written): it has neither `storage`, `instances` nor `bootstrap`.
    pub fn is_fragment(&self) -> bool {
        let Some(spec) = self.spec() else { return true };
        spec.get("storage").is_none() && spec.get("instances").is_none() && spec.get("bootstrap").is_none()
    }

    /// Where this Cluster writes base backups and WAL: the in-tree `barmanObjectStore`, and
    /// every enabled plugin entry with a `barmanObjectName` whose ObjectStore is found.
    pub fn archives(&self, index: &'a Index) -> Vec<Archive<'a>> {
        let mut out = Vec::new();
        if let Some(store) = self.barman_object_store() {
            let cfg = StoreConfig(store);
            if let Some(path) = cfg.destination_path() {
                let server = store.get("serverName").filter(|n| n.as_text().is_some_and(|s| !s.is_empty()));
                out.push(Archive {
                    cluster: self.0,
                    path: path.as_str().unwrap_or("").to_string(),
                    path_span: path.span,
                    server: server.and_then(|n| n.as_text()).unwrap_or(self.name()).to_string(),
                    server_span: server.map(|n| n.span),
                    endpoint: cfg.endpoint(),
                    via: Via::InTree(store),
                });
            }
        }
        for plugin in self.plugins() {
            let Some(object_name) = barman_object_name(plugin) else { continue };
            let Some(os) = find_object_store(index, self.0, object_name.as_str().unwrap_or("")) else { continue };
            let Some(cfg) = ObjectStore(os).configuration() else { continue };
            let Some(path) = cfg.destination_path() else { continue };
            let server = plugin.at(&["parameters", "serverName"]).filter(|n| n.as_text().is_some_and(|s| !s.is_empty()));
            out.push(Archive {
                cluster: self.0,
                path: path.as_str().unwrap_or("").to_string(),
                path_span: object_name.span,
                server: server.and_then(|n| n.as_text()).unwrap_or(self.name()).to_string(),
                server_span: server.map(|n| n.span),
                endpoint: cfg.endpoint(),
                via: Via::Plugin { plugin, object_store: os },
            });
        }
        out
    }

    /// The object-store location an externalClusters entry reads from, if it is an object-store
    /// source (in-tree `barmanObjectStore`, or a plugin whose ObjectStore is found).
    pub fn source_location(&self, index: &'a Index, ext: &ExternalCluster<'a>) -> Option<Location> {
        if let Some(store) = ext.barman_object_store() {
            let path = StoreConfig(store).destination_path()?;
            // CNPG: serverName defaults to the externalClusters entry's name.
            let server = store.str_at(&["serverName"]).filter(|s| !s.is_empty()).or(ext.name())?;
            return Some(Location { path: path.as_str()?.to_string(), server: server.to_string(), span: path.span });
        }
        let plugin = ext.plugin()?;
        let object_name = barman_object_name(plugin)?;
        let os = find_object_store(index, self.0, object_name.as_str()?)?;
        let path = ObjectStore(os).configuration()?.destination_path()?;
        // plugin-barman-cloud: serverName defaults to the (new) Cluster's name.
        let server = plugin.str_at(&["parameters", "serverName"]).filter(|s| !s.is_empty()).unwrap_or(self.name());
        Some(Location { path: path.as_str()?.to_string(), server: server.to_string(), span: object_name.span })
    }
}

/// Find an ObjectStore by name next to `near` (same cluster; same namespace, or either side's
/// namespace not known yet).
pub fn find_object_store<'a>(index: &'a Index, near: &Resource, name: &str) -> Option<&'a Resource> {
    index.of_kind_near(BARMAN_CLOUD_GROUP, "ObjectStore", near).into_iter().find(|os| os.name() == name)
}

/// Whether two objects land in the same cluster and namespace. An object whose namespace is not
/// known (no `metadata.namespace` and no inherited default: a base linted as written) matches
/// any namespace, so a missing-reference rule never fires only because kustomize has not run.
pub fn same_place(a: &Resource, b: &Resource) -> bool {
    a.cluster == b.cluster && (a.namespace() == b.namespace() || !namespace_known(a) || !namespace_known(b))
}

pub fn namespace_known(r: &Resource) -> bool {
    r.node.str_at(&["metadata", "namespace"]).is_some() || r.default_namespace.is_some()
}

/// A barmanObjectStore stanza or an ObjectStore's `spec.configuration`.
#[derive(Clone, Copy)]
pub struct StoreConfig<'a>(pub &'a Node);

impl<'a> StoreConfig<'a> {
    pub fn destination_path(&self) -> Option<&'a Node> {
        self.0.get("destinationPath").filter(|n| n.as_text().is_some_and(|s| !s.is_empty()))
    }
    pub fn endpoint(&self) -> Option<String> {
        self.0.str_at(&["endpointURL"]).filter(|s| !s.is_empty()).map(|s| s.trim_end_matches('/').to_string())
    }
    /// A credentials block (`s3Credentials`, `azureCredentials`, `googleCredentials`) that is
    /// present: any non-null value (Go decodes `{}` to a non-nil pointer).
    pub fn credential(&self, key: &str) -> Option<&'a Node> {
        self.0.get(key).filter(|n| !n.is_null())
    }
    /// What the barman-cloud credential validation (`ValidateBackupConfiguration`) rejects, as
    /// (where, message). Empty when the configuration is accepted.
    pub fn credential_errors(&self) -> Vec<(Span, String)> {
        let mut out = Vec::new();
        let present: Vec<(&str, &Node)> =
            ["azureCredentials", "s3Credentials", "googleCredentials"].iter().filter_map(|k| self.credential(k).map(|n| (*k, n))).collect();
        let key_span = |k: &str| self.0.key(k).map(|n| n.span).unwrap_or(self.0.span);
        if present.is_empty() {
            // `s3Credentials:` with nothing under it (or its keys indented one level too high).
            match ["s3Credentials", "azureCredentials", "googleCredentials"].iter().find(|k| self.0.get(k).is_some()) {
                Some(k) => out.push((key_span(k), format!("`{k}` is empty, so there are no credentials"))),
                None => out.push((self.0.span, "no credentials: none of s3Credentials, azureCredentials, googleCredentials".to_string())),
            }
            return out;
        }
        if present.len() > 1 {
            let names: Vec<&str> = present.iter().map(|(k, _)| *k).collect();
            out.push((key_span(present[1].0), format!("too many credentials: {} are all set, CNPG takes exactly one", names.join(" and "))));
        }
        let set = |n: &Node, k: &str| n.get(k).is_some_and(|v| !v.is_null());
        let truthy = |n: &Node, k: &str| n.get(k).and_then(Node::as_bool) == Some(true);
        for (k, n) in &present {
            let span = key_span(k);
            match *k {
                "s3Credentials" => {
                    let (id, secret) = (set(n, "accessKeyId"), set(n, "secretAccessKey"));
                    let iam = truthy(n, "inheritFromIAMRole");
                    if id != secret {
                        let missing = if id { "secretAccessKey" } else { "accessKeyId" };
                        out.push((span, format!("s3Credentials sets only one of accessKeyId and secretAccessKey ({missing} is missing)")));
                    } else if iam && id {
                        out.push((span, "s3Credentials sets both inheritFromIAMRole and access keys: only one AWS authentication method is allowed".to_string()));
                    } else if !iam && !id {
                        out.push((span, "s3Credentials has neither access keys nor `inheritFromIAMRole: true`".to_string()));
                    }
                }
                "azureCredentials" => {
                    let methods: Vec<&str> = ["inheritFromAzureAD", "useDefaultAzureCredentials"]
                        .into_iter()
                        .filter(|m| truthy(n, m))
                        .chain(["storageKey", "storageSasToken"].into_iter().filter(|m| set(n, m)))
                        .collect();
                    if set(n, "connectionString") {
                        if !methods.is_empty() || set(n, "storageAccount") {
                            out.push((span, "azureCredentials sets connectionString together with other parameters, which must then be empty".to_string()));
                        }
                    } else if methods.len() != 1 {
                        let what = if methods.is_empty() { "none".to_string() } else { methods.join(" and ") };
                        out.push((span, format!("azureCredentials needs exactly one of storageKey, storageSasToken, inheritFromAzureAD, useDefaultAzureCredentials (found {what})")));
                    } else if (set(n, "storageKey") || set(n, "storageSasToken")) && !set(n, "storageAccount") {
                        out.push((span, "azureCredentials uses a storage key or SAS token without storageAccount".to_string()));
                    }
                }
                _ => {
                    let gke = truthy(n, "gkeEnvironment");
                    let app = set(n, "applicationCredentials");
                    if !gke && !app {
                        out.push((span, "googleCredentials has neither applicationCredentials nor `gkeEnvironment: true`".to_string()));
                    } else if gke && app {
                        out.push((span, "googleCredentials sets both gkeEnvironment and applicationCredentials".to_string()));
                    }
                }
            }
        }
        out
    }
}

/// A barman-cloud plugin `ObjectStore` (`barmancloud.cnpg.io/v1`).
pub struct ObjectStore<'a>(pub &'a Resource);

impl<'a> ObjectStore<'a> {
    pub fn from(r: &'a Resource) -> Option<ObjectStore<'a>> {
        r.is(BARMAN_CLOUD_GROUP, "ObjectStore").then_some(ObjectStore(r))
    }
    pub fn configuration(&self) -> Option<StoreConfig<'a>> {
        self.0.node.at(&["spec", "configuration"]).filter(|n| n.is_map()).map(StoreConfig)
    }
}

/// One `spec.externalClusters[]` entry.
#[derive(Clone, Copy)]
pub struct ExternalCluster<'a>(pub &'a Node);

impl<'a> ExternalCluster<'a> {
    pub fn name(&self) -> Option<&'a str> {
        self.0.str_at(&["name"])
    }
    pub fn barman_object_store(&self) -> Option<&'a Node> {
        self.0.get("barmanObjectStore").filter(|n| n.is_map())
    }
    pub fn plugin(&self) -> Option<&'a Node> {
        self.0.get("plugin").filter(|n| n.is_map())
    }
}

/// A ScheduledBackup or a Backup (same `spec.cluster`, `method`, `pluginConfiguration`).
pub struct BackupRequest<'a>(pub &'a Resource);

impl<'a> BackupRequest<'a> {
    pub fn from(r: &'a Resource) -> Option<BackupRequest<'a>> {
        (r.is(GROUP, "ScheduledBackup") || r.is(GROUP, "Backup")).then_some(BackupRequest(r))
    }
    /// `spec.cluster.name`, when it is a non-empty string.
    pub fn cluster_name(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "cluster", "name"]).filter(|n| n.as_text().is_some_and(|s| !s.is_empty()))
    }
    /// `spec.method`, defaulting to `barmanObjectStore`.
    pub fn method(&self) -> &'a str {
        self.0.node.str_at(&["spec", "method"]).unwrap_or("barmanObjectStore")
    }
    pub fn method_node(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "method"]).filter(|n| n.as_text().is_some())
    }
    pub fn plugin_name(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "pluginConfiguration", "name"]).filter(|n| n.as_text().is_some_and(|s| !s.is_empty()))
    }
    pub fn suspended(&self) -> bool {
        self.0.node.at(&["spec", "suspend"]).and_then(Node::as_bool) == Some(true)
    }
    /// The Clusters next to this object with the name `spec.cluster.name` gives (usually one;
    /// none when the reference is broken; several when a Cluster is declared twice).
    pub fn targets(&self, index: &'a Index) -> Vec<&'a Resource> {
        let Some(name) = self.cluster_name().and_then(|n| n.as_str()) else { return Vec::new() };
        index.of_kind_near(GROUP, "Cluster", self.0).into_iter().filter(|c| c.name() == name).collect()
    }
}

/// Every Backup and ScheduledBackup, with its kind.
pub fn backup_requests(index: &Index) -> impl Iterator<Item = (&'static str, BackupRequest<'_>)> {
    ["Backup", "ScheduledBackup"].into_iter().flat_map(move |kind| index.of_kind(GROUP, kind).map(move |r| (kind, BackupRequest(r))))
}

/// How a Cluster writes to an archive.
pub enum Via<'a> {
    /// `spec.backup.barmanObjectStore` (the node).
    InTree(&'a Node),
    /// A `spec.plugins[]` entry and the ObjectStore its `barmanObjectName` names.
    Plugin { plugin: &'a Node, object_store: &'a Resource },
}

/// Where a Cluster archives: `destinationPath` + `serverName` (on an endpoint).
pub struct Archive<'a> {
    pub cluster: &'a Resource,
    pub path: String,
    /// The destinationPath (in-tree) or the plugin's barmanObjectName (plugin): the line that
    /// chooses the archive in the Cluster.
    pub path_span: Span,
    pub server: String,
    /// Where serverName is set; `None` when it defaults to the Cluster's name.
    pub server_span: Option<Span>,
    pub endpoint: Option<String>,
    pub via: Via<'a>,
}

impl Archive<'_> {
    pub fn location(&self) -> Location {
        Location { path: self.path.clone(), server: self.server.clone(), span: self.path_span }
    }
}

/// An archive location: `destinationPath` + `serverName`.
#[derive(Clone, Debug)]
pub struct Location {
    pub path: String,
    pub server: String,
    pub span: Span,
}

impl Location {
    /// `s3://bucket/prefix` and `s3://bucket/prefix/` are the same place for barman.
    pub fn norm_path(&self) -> &str {
        self.path.trim_end_matches('/')
    }
    /// Still holds a `${VAR}` (Flux substitution not applied).
    pub fn unresolved(&self) -> bool {
        has_variable(&self.path) || has_variable(&self.server)
    }
    /// Exactly the same place (both resolved).
    pub fn same(&self, other: &Location) -> bool {
        !self.unresolved() && !other.unresolved() && self.norm_path() == other.norm_path() && self.server == other.server
    }
    /// Could be the same place once variables are substituted.
    pub fn may_be_same(&self, other: &Location) -> bool {
        may_match(self.norm_path(), other.norm_path()) && may_match(&self.server, &other.server)
    }
    pub fn display(&self) -> String {
        format!("{} (serverName `{}`)", self.path, self.server)
    }
}

/// Whether a value holds an unsubstituted `${VAR}` (Flux postBuild substitution).
pub fn has_variable(s: &str) -> bool {
    s.contains("${")
}

/// Equal, or compatible where a `${VAR}` could stand for anything: the literal text before the
/// first variable and after the last one must agree.
fn may_match(a: &str, b: &str) -> bool {
    if !has_variable(a) && !has_variable(b) {
        return a == b;
    }
    let prefix = |s: &str| s.find("${").map(|i| s[..i].to_string()).unwrap_or_else(|| s.to_string());
    let suffix = |s: &str| s.rfind('}').filter(|_| has_variable(s)).map(|i| s[i + 1..].to_string()).unwrap_or_else(|| s.to_string());
    let (pa, pb) = (prefix(a), prefix(b));
    let (sa, sb) = (suffix(a), suffix(b));
    let pre = pa.starts_with(&pb) || pb.starts_with(&pa);
    let suf = sa.ends_with(&sb) || sb.ends_with(&sa);
    pre && suf
}

/// The PostgreSQL major version a Cluster runs, and the line that says it:
/// `spec.imageCatalogRef.major`, else the `spec.imageName` tag (`postgresql:16.4-bookworm`,
/// `postgis:17-3.5`, `timescaledb-ha:pg16-ts2.15`). `None` when neither says (the operator's
/// default image, a digest, `latest`, a `${VAR}`).
pub fn major_version(r: &Resource) -> Option<(u32, Span)> {
    let spec = r.spec()?;
    if let Some(n) = spec.at(&["imageCatalogRef", "major"]) {
        return n.as_text().and_then(|t| t.trim().parse().ok()).filter(|m| *m >= 10).map(|m| (m, n.span));
    }
    let n = spec.get("imageName")?;
    image_major(n.as_text()?).map(|m| (m, n.span))
}

/// The major version in a PostgreSQL image reference's tag.
pub fn image_major(image: &str) -> Option<u32> {
    let image = image.split('@').next()?;
    let (repo, tag) = image.rsplit_once(':')?;
    if tag.contains('/') || repo.is_empty() || has_variable(image) {
        return None;
    }
    let tag = tag.strip_prefix("pg").unwrap_or(tag);
    let digits: String = tag.chars().take_while(|c| c.is_ascii_digit()).collect();
    // PostgreSQL 10 and later: the major is the first number (9.6 had two parts; not judged).
    digits.parse().ok().filter(|m| *m >= 10 && *m < 100)
}

#[cfg(test)]
mod tests {
    use super::{image_major, may_match};
    #[test]
    fn majors_from_image_tags() {
        assert_eq!(image_major("ghcr.io/cloudnative-pg/postgresql:16.4-bookworm"), Some(16));
        assert_eq!(image_major("ghcr.io/cloudnative-pg/postgis:17-3.5"), Some(17));
        assert_eq!(image_major("timescale/timescaledb-ha:pg16-ts2.15"), Some(16));
        assert_eq!(image_major("registry:5000/postgres"), None);
        assert_eq!(image_major("postgres:latest"), None);
        assert_eq!(image_major("postgres:9.6"), None);
        assert_eq!(image_major("postgres:${PG}"), None);
        assert_eq!(image_major("ghcr.io/x/postgresql:16@sha256:abc"), Some(16));
    }
    #[test]
    fn variables_match_loosely() {
        assert!(may_match("s3://b/${ENV}/pg", "s3://b/prod/pg"));
        assert!(!may_match("s3://b/${ENV}/pg", "s3://c/prod/pg"));
        assert!(may_match("${X}", "anything"));
        assert!(!may_match("a", "b"));
    }
}
