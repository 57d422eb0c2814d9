//! Two objects that provide the same Secret in one namespace fight over it: the last one applied
//! wins (or the ExternalSecret refuses a Secret it does not own), and which keys exist depends on
//! the order of reconciliation. After a restore, a different order gives a different Secret.

use crate::model::secrets::Provider;
use crate::model::Index;
use crate::rules::{Context, Rule};
use std::collections::BTreeMap;

crate::declare_rule!(
    SecretDuplicateProvider,
    "secret-duplicate-provider",
    Warning,
    "two objects provide the same Secret in one namespace with different keys"
);

impl Rule for SecretDuplicateProvider {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        // Declared providers have no place and are skipped below.
        let providers = super::providers(index, cx);
        let mut groups: BTreeMap<(Option<&str>, &str, &str), Vec<&Provider>> = BTreeMap::new();
        for p in providers.all() {
            // Operator-made Secrets yield to user-provided ones; unknown namespaces cannot be compared.
            let (Some(ns), Some(_)) = (&p.namespace, p.span) else { continue };
            if p.generated || p.merges {
                continue;
            }
            groups.entry((p.cluster.as_deref(), ns.as_str(), p.name.as_str())).or_default().push(p);
        }
        for ((_, ns, name), mut group) in groups {
            group.sort_by_key(|p| p.span);
            let Some(first) = group.first().copied() else { continue };
            let Some(first_keys) = &first.keys else { continue };
            for other in &group[1..] {
                let Some(keys) = &other.keys else { continue };
                if keys == first_keys {
                    continue;
                }
                let list = |k: &std::collections::BTreeSet<String>| {
                    if k.is_empty() { "no keys".to_string() } else { k.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ") }
                };
                let span = other.span.unwrap();
                let object = other.resource.map(|i| &index.resources[i]);
                let message = format!(
                    "Secret `{name}` in namespace `{ns}` is also provided by {} with different keys: {} here, {} there",
                    first.what,
                    list(keys),
                    list(first_keys)
                );
                let d = match object {
                    Some(o) => cx.report_on(o, span, message),
                    None => cx.report(span, message),
                };
                d.label(first.span.unwrap(), format!("{} provides it here", first.what))
                    .help("keep one provider per Secret and namespace; merge the keys into it");
            }
        }
    }
}
