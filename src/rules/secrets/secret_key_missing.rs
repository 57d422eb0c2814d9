//! A reference to a key the Secret does not hold fails like a missing Secret: the container does
//! not start (`couldn't find key`), CNPG cannot read the credentials. Key names drift between
//! sources (`ACCESS_KEY_ID` in one place, `S3_ACCESS_KEY_ID` in another); this rule compares the
//! key each reference names with the keys its providers are known to hold.

use crate::model::secrets::{known_keys, references};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    SecretKeyMissing,
    "secret-key-missing",
    Error,
    "a reference to a Secret key that the Secret's providers do not hold"
);

impl Rule for SecretKeyMissing {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let providers = super::providers(index, cx);
        for r in &index.resources {
            for reference in references(r) {
                if reference.optional {
                    continue;
                }
                let found = providers.visible_from(r, reference.name);
                if found.is_empty() {
                    continue;
                }
                let Some(keys) = known_keys(&found) else { continue };
                let from: Vec<&str> = found.iter().map(|p| p.what.as_str()).collect();
                let has = |k: &str| keys.contains(k);
                let listed = || {
                    if keys.is_empty() {
                        "it holds no keys".to_string()
                    } else {
                        let shown: Vec<String> = keys.iter().take(8).map(|k| format!("`{k}`")).collect();
                        match keys.len().saturating_sub(8) {
                            0 => format!("it holds {}", shown.join(", ")),
                            more => format!("it holds {} and {more} more", shown.join(", ")),
                        }
                    }
                };
                if let Some((key, span)) = reference.key
                    && !has(key)
                {
                    let d = cx.report_on(
                        r,
                        span,
                        format!("Secret `{}` has no key `{key}` (read by {}): {}", reference.name, reference.field, listed()),
                    );
                    match crate::util::closest(key, keys.iter().map(String::as_str)) {
                        Some(best) => d.help(format!("did you mean `{best}`? (keys come from {})", from.join(", "))),
                        None => d.help(format!("add key `{key}` to {}, or read a key it holds", from.join(", "))),
                    };
                }
                for key in reference.implied_keys {
                    if !has(key) {
                        cx.report_on(
                            r,
                            reference.name_span,
                            format!("Secret `{}` has no key `{key}`, which {} needs: {}", reference.name, reference.field, listed()),
                        )
                        .help(format!("CNPG reads `username` and `password` from this Secret (type kubernetes.io/basic-auth); add them to {}", from.join(", ")));
                    }
                }
            }
        }
    }
}
