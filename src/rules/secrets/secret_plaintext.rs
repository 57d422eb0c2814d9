//! A Secret committed with clear `data` or `stringData` is readable by everyone with access to
//! the repository and its history, forever: the credentials must be rotated. SOPS-encrypted
//! Secrets (a top-level `sops:` mapping, values `ENC[...]`), SealedSecrets and ExternalSecrets
//! keep values out of Git. Placeholders (`CHANGE_ME`, `<password>`, `${VAR}`, empty) leak nothing
//! but are reported as a warning: applying the repository after a restore overwrites the real
//! value with the placeholder. Messages name keys only, never values.

use crate::diag::Severity;
use crate::model::secrets::{is_secret, is_sops, is_sops_value};
use crate::model::Resource;
use crate::rules::{Context, Rule};
use crate::source::yaml::Node;

crate::declare_rule!(
    SecretPlaintext,
    "secret-plaintext",
    Error,
    "a Secret committed with unencrypted data or stringData values (placeholders: warning)"
);

impl Rule for SecretPlaintext {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        if !is_secret(object) || is_sops(&object.node) {
            return;
        }
        let argocd = object.node.str_at(&["metadata", "labels", "argocd.argoproj.io/secret-type"]).is_some();
        let mut real: Vec<(String, &Node)> = Vec::new();
        let mut placeholders: Vec<(String, &Node)> = Vec::new();
        let mut substitution_keys: Vec<String> = Vec::new();
        for block in ["data", "stringData"] {
            for (key, knode, value) in object.node.get(block).into_iter().flat_map(|m| m.entries()) {
                let Some(raw) = value.as_str() else { continue };
                if is_sops_value(raw) || (argocd && ARGOCD_PLAIN_KEYS.contains(&key)) {
                    continue;
                }
                let text = if value.is_null() {
                    String::new()
                } else if block == "data" {
                    base64_decode(raw).and_then(|b| String::from_utf8(b).ok()).unwrap_or_else(|| raw.to_string())
                } else {
                    raw.to_string()
                };
                let entry = (format!("`{block}.{key}`"), knode);
                if text.contains("${") {
                    substitution_keys.push(entry.0.clone());
                }
                if is_placeholder(&text) { placeholders.push(entry) } else { real.push(entry) }
            }
        }
        let names = |v: &[(String, &Node)]| v.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ");
        if let Some((_, first)) = real.first() {
            cx.report_on(object, first.span, format!("Secret `{}` is committed unencrypted: {}", object.name(), names(&real)))
                .help("encrypt it with SOPS (`sops --encrypt --encrypted-regex '^(data|stringData)$'`), or replace it by a SealedSecret or an ExternalSecret; rotate the values, they stay in Git history");
        }
        if let Some((_, first)) = placeholders.first() {
            let d = cx.report_on(object, first.span, format!("Secret `{}` holds placeholder values: {}", object.name(), names(&placeholders)));
            d.severity = d.severity.min(Severity::Warning);
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

/// A value that stands for "fill me in": empty, `CHANGE_ME`, `<password>`, `${VAR}`, `{{ .x }}`.
pub fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    if t.is_empty() {
        return true;
    }
    if (t.starts_with('<') && t.ends_with('>')) || t.contains("${") || (t.starts_with("{{") && t.ends_with("}}")) {
        return true;
    }
    let norm: String = t.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    if norm.len() >= 3 && norm.chars().all(|c| c == 'x') {
        return true;
    }
    if t.chars().all(|c| c == '*' || c == '.') {
        return true;
    }
    matches!(
        norm.as_str(),
        "changeme" | "changemeplease" | "changethis" | "replaceme" | "replacethis" | "placeholder" | "fixme" | "todo" | "tbd" | "redacted" | "notset" | "setme"
    ) || norm.starts_with("changeme")
        || norm.starts_with("replaceme")
        || norm.starts_with("yourpassword")
}

pub use crate::util::base64_decode;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn placeholders_and_base64() {
        for p in ["", "CHANGE_ME", "changeme", "REPLACE_ME", "<your-password>", "${DB_PASSWORD}", "xxxx", "{{ .pw }}"] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in ["hunter2", "s3cr3t-Value", "postgres://u:p@h/db"] {
            assert!(!is_placeholder(v), "{v}");
        }
        assert_eq!(base64_decode("Y2hhbmdlbWU=").unwrap(), b"changeme");
        assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
        assert!(base64_decode("not base64!").is_none());
    }
}
