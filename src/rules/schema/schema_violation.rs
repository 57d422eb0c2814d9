//! Validate every applied object whose kind and API version drlint has a schema for (Kubernetes
//! v1.37 built-ins, the bundled operator CRDs, the repository's own CRDs) and report each error
//! at the key or value that causes it. A misspelt field is pruned or rejected by the API server:
//! either way the setting it carries does not exist.

use crate::model::Index;
use crate::rules::{Context, Rule};
use crate::schema;

crate::declare_rule!(
    SchemaViolation,
    "schema-violation",
    Error,
    "a field or value the API server rejects: unknown field, wrong type, value outside its enum or pattern, missing required field"
);

impl Rule for SchemaViolation {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        // The engine always provides the run's shared views.
        let Some(views) = cx.views else { return };
        let schemas = views.schemas();
        // Objects are validated on every core; findings are reported in index order.
        let objects: Vec<&crate::model::Resource> = index.resources.iter().filter(|o| schema::validated(o)).collect();
        let results = schemas.validate_all(&objects);
        for (object, violations) in objects.into_iter().zip(results) {
            let Some(violations) = violations else { continue };
            for v in violations {
                let what = format!("{} `{}`", object.kind(), object.qualified_name());
                let d = cx.report_on(object, v.span, format!("{what}: {}", v.message));
                if let Some(h) = v.help {
                    d.help(h);
                }
            }
        }
    }
}
