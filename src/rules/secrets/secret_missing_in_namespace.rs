//! A pod, a CNPG Cluster, an ObjectStore or a Velero location that names a Secret nothing
//! provides in its namespace does not start: the pod stays in `CreateContainerConfigError`, the
//! Cluster never bootstraps, barman cannot reach the bucket. After a restore from Git the gap is
//! discovered at the worst moment. Secrets are namespaced: one in another namespace does not count.

use crate::model::secrets::{declared_namespace, references};
use crate::model::Index;
use crate::rules::{Context, Rule};
use std::collections::BTreeSet;

crate::declare_rule!(
    SecretMissingInNamespace,
    "secret-missing-in-namespace",
    Error,
    "a referenced Secret that nothing in the repository provides in the referencing object's namespace"
);

impl Rule for SecretMissingInNamespace {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let providers = super::providers(index, cx);
        for r in &index.resources {
            let refs = references(r);
            let mut reported = BTreeSet::new();
            for reference in &refs {
                if reference.optional || !providers.visible_from(r, reference.name).is_empty() {
                    continue;
                }
                let name = reference.name;
                // One finding per object and Secret, at its first reference.
                if !reported.insert(name) {
                    continue;
                }
                let more = refs.iter().filter(|o| o.name == name && !o.optional).count() - 1;
                let field = match more {
                    0 => reference.field.clone(),
                    1 => format!("{} and 1 other reference", reference.field),
                    n => format!("{} and {n} other references", reference.field),
                };
                let (message, elsewhere) = match declared_namespace(r) {
                    Some(ns) => {
                        let others: BTreeSet<&str> = providers
                            .named(name)
                            .iter()
                            .filter(|p| p.span.is_some() && p.cluster == r.cluster)
                            .filter_map(|p| p.namespace.as_deref())
                            .collect();
                        (format!("Secret `{name}` is not provided in namespace `{ns}` (read by {field})"), others)
                    }
                    None => (
                        format!("Secret `{name}` is not provided anywhere in the repository (read by {field})"),
                        BTreeSet::new(),
                    ),
                };
                let help = if elsewhere.is_empty() {
                    format!(
                        "add Secret `{name}` next to {} (SOPS-encrypted, a SealedSecret or an ExternalSecret); if it is made outside \
                         the repository, declare it in .drlint.yaml: `provided-secrets: [{{name: {name}{}}}]`",
                        r.kind(),
                        declared_namespace(r).map(|ns| format!(", namespace: {ns}")).unwrap_or_default()
                    )
                } else {
                    let list: Vec<String> = elsewhere.iter().map(|n| format!("`{n}`")).collect();
                    format!("Secret `{name}` is provided in namespace {} only: Secrets are not shared across namespaces, provide it here too", list.join(", "))
                };
                cx.report_on(r, reference.name_span, message).help(help);
            }
        }
    }
}
