//! CNPG validates `ScheduledBackup.spec.schedule` with robfig/cron v1.2.0 `cron.Parse` in its
//! admission webhook: a schedule the parser rejects makes `kubectl apply` (and the Flux or Argo CD
//! sync) fail, so the ScheduledBackup never exists. Five-field schedules belong to
//! `cnpg-schedule-six-field`, which explains them; this rule reports every other rejection.

use crate::cron::{self, Dialect};
use super::schedule_six_field::is_five_field;
use crate::model::Resource;
use crate::rules::{Context, Rule};
use crate::source::yaml::{Node, Style};
use crate::source::Span;

crate::declare_rule!(
    ScheduleInvalid,
    "cnpg-schedule-invalid",
    Error,
    "a ScheduledBackup schedule that CNPG's cron parser rejects, so the webhook refuses the object"
);

/// The source span of bytes `start..end` of a scalar's value, when the value is written
/// verbatim on one line (plain, or quoted without escapes); else the whole scalar.
pub fn value_span(node: &Node, start: usize, end: usize) -> Span {
    let Some(value) = node.as_str() else { return node.span };
    let open = match node.style() {
        Some(Style::Plain) => 0,
        Some(Style::SingleQuoted) | Some(Style::DoubleQuoted) => 1,
        _ => return node.span,
    };
    // Verbatim iff the raw text between the quotes is as long as the value and on one line.
    if node.span.len() != value.len() + 2 * open || value.contains('\n') || start >= end || end > value.len() {
        return node.span;
    }
    let s = node.span.start as usize + open;
    Span::new(node.span.file, s + start, s + end)
}

fn hint(spec: &str, message: &str) -> String {
    let fields = spec.split_whitespace().count();
    if spec.contains("TZ=") {
        return "CNPG schedules take no time zone prefix: the operator evaluates them in its own time zone (usually UTC); \
                convert the time and drop the prefix"
            .into();
    }
    if message.contains("above maximum (6)") {
        return "day-of-week runs 0-6 in CNPG (0 = Sunday); write 0 for Sunday".into();
    }
    if message.starts_with("Unrecognized descriptor") {
        return "CNPG knows @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and @every <duration>".into();
    }
    if message.starts_with("Expected 5 to 6 fields") && fields == 7 {
        return "CNPG has no year field: six fields, `sec min hour day-of-month month day-of-week`".into();
    }
    if message.starts_with("Empty spec") {
        return "write a six-field schedule, e.g. `\"0 0 2 * * *\"` (daily at 02:00:00)".into();
    }
    "CNPG schedules have six fields, seconds first: `sec min hour day-of-month month day-of-week`, e.g. `\"0 0 2 * * *\"`; \
     no L, W, # or H"
        .into()
}

impl Rule for ScheduleInvalid {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some((node, spec)) = crate::model::cnpg::scheduled_backup_schedule(object) else { return };
        if is_five_field(spec) || crate::model::cnpg::has_variable(spec) {
            return;
        }
        let Err(e) = cron::parse(spec, Dialect::Cnpg) else { return };
        let span = value_span(node, e.start, e.end);
        let d = cx.report_on(object, span, format!("CNPG rejects schedule `{spec}`: {}", e.message));
        d.help(hint(spec, &e.message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml::Value;
    use crate::source::FileId;

    fn node(value: &str, style: Style, raw_len: usize) -> Node {
        Node { value: Value::Scalar(value.into(), style), span: Span::new(FileId(0), 100, 100 + raw_len), tag: None }
    }

    #[test]
    fn error_offsets_map_into_the_scalar() {
        // `"0 0 2 * * 7"`: the 7 is at byte 10 of the value, byte 11 of the source.
        let n = node("0 0 2 * * 7", Style::DoubleQuoted, 13);
        assert_eq!(value_span(&n, 10, 11), Span::new(FileId(0), 111, 112));
        let n = node("0 61 2 * * *", Style::Plain, 12);
        assert_eq!(value_span(&n, 2, 4), Span::new(FileId(0), 102, 104));
        // An escape makes source and value differ: the whole scalar.
        let n = node("0 0 2 * * 7", Style::DoubleQuoted, 18);
        assert_eq!(value_span(&n, 10, 11), n.span);
        // Block scalars and empty ranges: the whole scalar.
        let n = node("0 0 2 * * 7\n", Style::Literal, 20);
        assert_eq!(value_span(&n, 10, 11), n.span);
        let n = node("", Style::DoubleQuoted, 2);
        assert_eq!(value_span(&n, 0, 0), n.span);
    }

    #[test]
    fn five_fields_belong_to_the_six_field_rule() {
        assert!(is_five_field("0 2 * * *"));
        assert!(is_five_field(" 0 2 * * 0 "));
        assert!(!is_five_field("@every 1h 2m 3s 4 5"));
        assert!(!is_five_field("0 0 2 * * *"));
        assert!(!is_five_field("CRON_TZ=UTC 0 2 * * *"));
    }
}
