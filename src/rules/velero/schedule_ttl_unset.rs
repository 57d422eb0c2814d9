//! A Backup without `ttl` (or with a zero `ttl`) gets the Velero server's `--default-backup-ttl`,
//! 720h (30 days) unless the server was started otherwise. Retention then depends on a server flag
//! nobody reads in review: backups vanish sooner than the team believes, or pile up.

use crate::model::velero::GROUP;
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    VeleroScheduleTtlUnset,
    "velero-schedule-ttl-unset",
    Warning,
    "a Velero Schedule template or Backup without ttl, so the server's 720h default decides retention"
);

impl Rule for VeleroScheduleTtlUnset {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let (spec, key, field) = match object.kind() {
            "Schedule" if object.group() == GROUP => (object.node.at(&["spec", "template"]), object.node.get("spec").and_then(|s| s.key("template")), "spec.template.ttl"),
            "Backup" if object.group() == GROUP => (object.spec(), object.node.key("spec"), "spec.ttl"),
            _ => return,
        };
        let (span, what) = match spec.and_then(|s| s.get("ttl")).filter(|n| !n.is_null()) {
            Some(ttl) => {
                let text = ttl.as_text().unwrap_or("");
                match crate::cron::parse_go_duration(text) {
                    Ok(0) => (ttl.span, format!("`ttl: {text}`, which Velero treats as unset")),
                    _ => return,
                }
            }
            None => (key.map(|k| k.span).unwrap_or(object.span()), format!("no `{field}`")),
        };
        cx.report_on(
            object,
            span,
            format!("{} `{}` has {what}: its backups expire after the Velero server's default (720h, 30 days)", object.kind(), object.name()),
        )
        .help(format!("set {field} to the retention you decided on, e.g. `ttl: 720h0m0s` (30 days) or `ttl: 2160h0m0s` (90 days)"));
    }
}
