//! Velero validates `Schedule.spec.schedule` with robfig/cron v3 `ParseStandard`: exactly five
//! fields (no seconds), a descriptor, or a `CRON_TZ=` prefix. Anything else is accepted by
//! `kubectl apply` and then sits in `status.phase: FailedValidation`, taking no backup at all.
//! The classic mistake is a six-field CNPG-style value copied from a ScheduledBackup.

use super::{first_field, six_to_five_tz, value_span};
use crate::cron::{self, Dialect};
use crate::model::velero::{Schedule, GROUP};
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    VeleroScheduleCronInvalid,
    "velero-schedule-cron-invalid",
    Error,
    "a Velero Schedule whose cron expression Velero rejects, so it never takes a backup"
);

impl Rule for VeleroScheduleCronInvalid {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        if !object.is(GROUP, "Schedule") {
            return;
        }
        let sched = Schedule(object);
        let Some(node) = sched.schedule() else {
            let span = object.node.key("spec").map(|k| k.span).unwrap_or(object.span());
            cx.report_on(object, span, format!("Schedule `{}` has no `spec.schedule`: the API server rejects it", object.name()))
                .help("set spec.schedule to a 5-field cron expression, e.g. `\"0 2 * * *\"` (daily at 02:00)");
            return;
        };
        let spec = node.as_text().unwrap_or("");
        // A Flux `${VAR}` is judged once substituted.
        if spec.contains("${") {
            return;
        }
        let Some(status) = cron::velero_status_error(spec) else { return };
        let fields = spec.split_whitespace().filter(|f| !f.starts_with("TZ=") && !f.starts_with("CRON_TZ=")).count();
        if fields == 6 && !spec.trim_start().starts_with('@') {
            let (s, e) = first_field(spec);
            let d = cx.report_on(
                object,
                value_span(node, s, e),
                format!("Schedule `{}` has a 6-field schedule `{spec}`: Velero takes 5 fields with no seconds and marks the Schedule FailedValidation ({status})", object.name()),
            );
            match six_to_five_tz(spec) {
                Some(five) => {
                    let words = cron::parse(&five, Dialect::Velero).map(|p| format!(" to fire {}", p.describe())).unwrap_or_default();
                    d.help(format!("drop the seconds field: `\"{five}\"`{words}"))
                }
                None => d.help("drop the seconds field: Velero schedules are `minute hour day-of-month month day-of-week`"),
            };
            return;
        }
        let span = match cron::parse(spec, Dialect::Velero) {
            Err(e) if !spec.is_empty() && e.end > e.start => value_span(node, e.start, e.end),
            _ => node.span,
        };
        cx.report_on(object, span, format!("Velero rejects the schedule `{spec}` of Schedule `{}` and marks it FailedValidation: {status}", object.name()))
            .help("write a 5-field cron expression (`minute hour day-of-month month day-of-week`, e.g. `\"0 2 * * *\"`), a descriptor such as `@daily`, optionally after `CRON_TZ=<zone> `");
    }
}
