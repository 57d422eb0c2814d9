//! A Secret committed with clear `data` or `stringData` is readable by everyone with access to
//! the repository and its history, forever. What matters is what the values are
//! (`model::secret_values`): credentials (keys named like one, URLs with a password, PEM private
//! keys, configuration that sets a password or token, long random strings) are an error, since
//! they must be rotated; placeholders (`CHANGE_ME`, `<password>`, `${VAR}`, empty) and other
//! plaintext data (configuration, certificates, public parameters, a time zone) leak nothing and
//! are notes. SOPS-encrypted Secrets (a top-level `sops:` mapping, values `ENC[...]`),
//! SealedSecrets and ExternalSecrets keep values out of Git. Messages name keys only, never
//! values.

use crate::diag::Severity;
use crate::model::secret_values::{ValueClass, classify};
use crate::model::secrets::{is_secret, is_sops, is_sops_value};
use crate::model::Resource;
use crate::rules::{Context, Rule};
use crate::source::yaml::Node;

crate::declare_rule!(
    SecretPlaintext,
    "secret-plaintext",
    Error,
    "a Secret committed with unencrypted credentials (placeholders and non-credential data: note)"
);

/// One key of the Secret, as reported: `` `data.password` `` and its node.
type Entry<'a> = (String, &'a Node);

impl Rule for SecretPlaintext {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        if !is_secret(object) || is_sops(&object.node) {
            return;
        }
        let argocd = object.node.str_at(&["metadata", "labels", "argocd.argoproj.io/secret-type"]).is_some();
        let mut credentials: Vec<(Entry, &'static str)> = Vec::new();
        let mut placeholders: Vec<Entry> = Vec::new();
        let mut other: Vec<Entry> = Vec::new();
        let mut substitution_keys: Vec<String> = Vec::new();
        for block in ["data", "stringData"] {
            for (key, knode, value) in object.node.get(block).into_iter().flat_map(|m| m.entries()) {
                let Some(raw) = value.as_str() else { continue };
                if is_sops_value(raw) || (argocd && ARGOCD_PLAIN_KEYS.contains(&key)) {
                    continue;
                }
                let (text, binary) = if value.is_null() {
                    (String::new(), false)
                } else if block == "data" {
                    match base64_decode(raw).map(String::from_utf8) {
                        Some(Ok(s)) => (s, false),
                        Some(Err(_)) => (String::new(), true),
                        // Not base64: the API server would reject it; judge the text as written.
                        None => (raw.to_string(), false),
                    }
                } else {
                    (raw.to_string(), false)
                };
                let entry = (format!("`{block}.{key}`"), knode);
                if text.contains("${") {
                    substitution_keys.push(entry.0.clone());
                }
                match classify(key, &text, binary) {
                    ValueClass::Credential(why) => credentials.push((entry, why)),
                    ValueClass::Placeholder => placeholders.push(entry),
                    ValueClass::Other => other.push(entry),
                }
            }
        }
        let names = |v: &[Entry]| v.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ");
        if let Some(((_, first), _)) = credentials.first() {
            let listed: Vec<String> = credentials.iter().map(|((k, _), why)| format!("{k} ({why})")).collect();
            cx.report_on(object, first.span, format!("Secret `{}` holds credentials in plaintext: {}", object.name(), listed.join(", ")))
                .help("encrypt it with SOPS (`sops --encrypt --encrypted-regex '^(data|stringData)$'`), or replace it by a SealedSecret or an ExternalSecret; rotate the values, they stay in Git history");
        } else if let (Some((_, first)), true) = (other.first(), placeholders.is_empty()) {
            // Nothing to rotate, but a Secret says "secret": a reader, a scanner and RBAC all
            // treat it as one, and the next person adds a password to it in clear. (With a
            // placeholder next to it, the Secret is meant to hold a credential: that note says it.)
            let d = cx.report_on(object, first.span, format!("Secret `{}` holds no credential but is committed in plaintext: {}", object.name(), names(&other)));
            d.severity = d.severity.min(Severity::Note);
            d.help("data that is not secret belongs in a ConfigMap (readable without Secret RBAC, diffable, not flagged by scanners); if it must stay a Secret, encrypt it like one so a credential added later is not committed in clear");
        }
        if let Some((_, first)) = placeholders.first() {
            let d = cx.report_on(object, first.span, format!("Secret `{}` holds placeholder values: {}", object.name(), names(&placeholders)));
            d.severity = d.severity.min(Severity::Note);
            let substituted = placeholders.iter().all(|(k, _)| substitution_keys.contains(k));
            if substituted {
                d.help("`${VAR}` values are filled in at apply time (Flux postBuild substitution): make sure every variable comes from `substituteFrom` a Secret, not a ConfigMap or `substitute`, or provide this Secret with SOPS, a SealedSecret or an ExternalSecret");
                return;
            }
            d.help("applying this Secret from Git after a restore replaces the real values with the placeholders: provide it with SOPS, a SealedSecret or an ExternalSecret, or keep it out of the repository and declare it under `provided-secrets` in .drlint.yaml");
        }
    }
}

/// Keys of Argo CD repository and cluster Secrets (label `argocd.argoproj.io/secret-type`) that
/// hold configuration, not credentials.
const ARGOCD_PLAIN_KEYS: &[&str] = &[
    "type", "url", "name", "project", "enableOCI", "enableLfs", "insecure", "insecureIgnoreHostKey", "proxy", "noProxy",
    "forceHttpBasicAuth", "githubAppID", "githubAppInstallationID", "githubAppEnterpriseBaseUrl", "username", "server",
    "namespaces", "clusterResources", "useAzureWorkloadIdentity",
];

pub use crate::model::secret_values::is_placeholder;
pub use crate::util::base64_decode;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn base64() {
        assert_eq!(base64_decode("Y2hhbmdlbWU=").unwrap(), b"changeme");
        assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
        assert!(base64_decode("not base64!").is_none());
        assert!(is_placeholder("changeme"));
    }
}
