//! Typed views over CloudNativePG objects (`postgresql.cnpg.io/v1`) and the barman-cloud plugin's
//! `ObjectStore` (`barmancloud.cnpg.io/v1`).

use super::Resource;
use crate::source::yaml::Node;

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

    pub fn is_replica(&self) -> bool {
        self.0.node.at(&["spec", "replica", "enabled"]).and_then(Node::as_bool) == Some(true)
    }
}

/// The `barmanObjectName` parameter of a plugin entry (`spec.plugins[]` or
/// `externalClusters[].plugin`).
pub fn barman_object_name(plugin: &Node) -> Option<&Node> {
    plugin.at(&["parameters", "barmanObjectName"]).filter(|n| n.as_text().is_some())
}
