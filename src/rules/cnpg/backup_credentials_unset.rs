//! barman-cloud needs to authenticate to the object store: exactly one of `s3Credentials`,
//! `azureCredentials`, `googleCredentials`, each with either a Secret reference or an
//! inherit-from-identity setting. The CNPG webhook applies barman-cloud's
//! `ValidateBackupConfiguration` to `spec.backup.barmanObjectStore` and rejects the Cluster; the
//! plugin's `ObjectStore` has no such webhook, so the same mistake is accepted and every WAL
//! upload fails at run time.

use crate::model::cnpg::{Cluster, ObjectStore, StoreConfig};
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    BackupCredentialsUnset,
    "cnpg-backup-credentials-unset",
    Error,
    "an object store configuration without usable s3/azure/google credentials or an inherit-from-identity setting"
);

const HELP: &str = "give exactly one of: s3Credentials {accessKeyId + secretAccessKey Secret references, or inheritFromIAMRole: true}, \
azureCredentials {connectionString alone, or storageAccount + storageKey/storageSasToken, or inheritFromAzureAD: true, or useDefaultAzureCredentials: true}, \
googleCredentials {applicationCredentials Secret reference, or gkeEnvironment: true}";

impl Rule for BackupCredentialsUnset {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let (cfg, key_span, consequence) = if let Some(cluster) = Cluster::from(object) {
            let Some(store) = cluster.barman_object_store() else { return };
            let key = cluster.backup().and_then(|b| b.key("barmanObjectStore")).map(|k| k.span).unwrap_or(store.span);
            (StoreConfig(store), key, "the webhook rejects the Cluster")
        } else if let Some(os) = ObjectStore::from(object) {
            let Some(cfg) = os.configuration() else { return };
            let key = object.node.at(&["spec"]).and_then(|s| s.key("configuration")).map(|k| k.span).unwrap_or(cfg.0.span);
            (cfg, key, "the plugin cannot upload WAL or backups")
        } else {
            return;
        };
        // Credential keys written beside the credentials block instead of inside it.
        let stray: Vec<&str> = ["accessKeyId", "secretAccessKey", "inheritFromIAMRole", "storageAccount", "storageKey", "connectionString", "applicationCredentials"]
            .into_iter()
            .filter(|k| cfg.0.get(k).is_some())
            .collect();
        for (span, what) in cfg.credential_errors() {
            // A whole-stanza finding points at the stanza's key, not at its first line.
            let span = if span == cfg.0.span { key_span } else { span };
            let help = if stray.is_empty() {
                HELP.to_string()
            } else {
                format!("{} sit beside the credentials block, not inside it: indent them one level deeper", stray.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" and "))
            };
            cx.report_on(object, span, format!("{} `{}`: {what}: {consequence}", object.kind(), object.qualified_name())).help(help);
        }
    }
}
