//! The API server validates a CronJob's `spec.schedule` with robfig/cron v3 `ParseStandard`
//! (exactly five fields) and refuses a `TZ=`/`CRON_TZ=` prefix (time zones go in
//! `spec.timeZone`, which must name a zone in the IANA database). An invalid CronJob is rejected at
//! apply time: a backup job or a restore drill that never exists.

use crate::cron::{self, Dialect};
use crate::model::Resource;
use crate::rules::velero::{first_field, six_to_five_tz, value_span};
use crate::rules::{Context, Rule};

crate::declare_rule!(
    CronjobScheduleInvalid,
    "cronjob-schedule-invalid",
    Error,
    "a CronJob schedule or timeZone that the API server rejects"
);

impl Rule for CronjobScheduleInvalid {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        if !(object.group() == "batch" && object.kind() == "CronJob") {
            return;
        }
        let name = object.name();
        match object.node.at(&["spec", "schedule"]) {
            None => {
                let span = object.node.key("spec").map(|k| k.span).unwrap_or(object.span());
                cx.report_on(object, span, format!("CronJob `{name}` has no `spec.schedule`: the API server rejects it (Required value)"))
                    .help("set spec.schedule to a 5-field cron expression, e.g. `\"0 2 * * *\"`");
            }
            Some(node) if node.as_text().is_some_and(|t| t.contains("${")) => {}
            Some(node) => {
                let spec = node.as_text().unwrap_or("");
                let fields = spec.split_whitespace().filter(|f| !f.starts_with("TZ=") && !f.starts_with("CRON_TZ=")).count();
                for e in cron::cronjob_schedule_errors(spec) {
                    if e.message == cron::CRONJOB_TZ_IN_SCHEDULE {
                        let zone = spec.split_whitespace().next().and_then(|t| t.split_once('=')).map(|(_, z)| z).unwrap_or("");
                        let rest = spec.split_once(char::is_whitespace).map(|(_, r)| r.trim()).unwrap_or("");
                        cx.report_on(object, value_span(node, e.start, e.end), format!("CronJob `{name}` schedule `{spec}` is rejected by the API server: {}", e.message))
                            .help(format!("write `schedule: \"{rest}\"` and `timeZone: {zone}`"));
                    } else if fields == 6 && !spec.trim_start().starts_with('@') {
                        let (s, en) = first_field(spec);
                        let d = cx.report_on(
                            object,
                            value_span(node, s, en),
                            format!("CronJob `{name}` has a 6-field schedule `{spec}`: CronJob schedules have 5 fields with no seconds, and the API server rejects it ({})", e.message),
                        );
                        if let Some(five) = six_to_five_tz(spec).filter(|f| !f.contains("TZ=")) {
                            let words = cron::parse(&five, Dialect::CronJob).map(|p| format!(" to fire {}", p.describe())).unwrap_or_default();
                            d.help(format!("drop the seconds field: `\"{five}\"`{words}"));
                        }
                    } else {
                        let span = if e.end > e.start { value_span(node, e.start, e.end) } else { node.span };
                        cx.report_on(object, span, format!("CronJob `{name}` schedule `{spec}` is rejected by the API server: {}", e.message))
                            .help("write a 5-field cron expression (`minute hour day-of-month month day-of-week`) or a descriptor such as `@daily`");
                    }
                }
            }
        }
        if let Some(tz) = object.node.at(&["spec", "timeZone"]).filter(|n| !n.is_null()) {
            let zone = tz.as_text().unwrap_or("");
            if zone.contains("${") {
                return;
            }
            for e in cron::cronjob_time_zone_errors(zone) {
                cx.report_on(object, tz.span, format!("CronJob `{name}` timeZone `{zone}` is rejected by the API server: {e}"))
                    .help("name a zone from the IANA time zone database, e.g. `Europe/Rome` or `Etc/UTC`");
            }
        }
    }
}
