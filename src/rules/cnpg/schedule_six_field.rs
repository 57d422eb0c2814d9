//! CNPG reads `ScheduledBackup.spec.schedule` with robfig/cron v1 (`cron.Parse`): six fields,
//! seconds first. A five-field value is accepted with only an admission warning, and read as
//! `sec min hour dom month`, so `0 2 * * *` fires every hour at minute 2, not daily at 02:00.

use crate::cron::{self, Dialect};
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    ScheduleSixField,
    "cnpg-schedule-six-field",
    Error,
    "a ScheduledBackup schedule written as 5-field cron, which CNPG reads seconds-first"
);

/// Whether this rule owns the schedule: five whitespace-separated fields and not a descriptor
/// (`cnpg-schedule-invalid` owns every other schedule CNPG rejects).
pub fn is_five_field(spec: &str) -> bool {
    !spec.trim_start().starts_with('@') && spec.split_whitespace().count() == 5
}

impl Rule for ScheduleSixField {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some((node, spec)) = crate::model::cnpg::scheduled_backup_schedule(object) else { return };
        // Descriptors (`@daily`) mean what they say in every dialect; only field counts matter here.
        if !is_five_field(spec) {
            return;
        }
        let meaning = match cron::parse(spec, Dialect::Cnpg) {
            Ok(schedule) => format!("CNPG reads it seconds-first and fires {}", schedule.describe()),
            Err(e) => format!("CNPG reads it seconds-first and rejects it ({})", e.message),
        };
        let intended = cron::parse(spec, Dialect::CronJob).map(|s| s.describe()).ok();
        let d = cx.report_on(object, node.span, format!("5-field schedule `{spec}`: {meaning}"));
        if let Some(six) = cron::five_to_six(spec) {
            match intended {
                Some(words) => d.help(format!("write `\"{six}\"` (seconds first) to fire {words}")),
                None => d.help(format!("CNPG schedules have six fields, seconds first: `\"{six}\"`")),
            };
        }
    }
}
