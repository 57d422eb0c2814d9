//! The dialect rules: robfig/cron v1.2.0 (`cron.Parse`, CNPG), v3 (`ParseStandard`, Velero,
//! K8up, Longhorn) with the `CRON_TZ=` prefix, the Kubernetes API server's CronJob checks, and
//! conversions between the 5- and 6-field layouts.

use super::*;

/// Every error the Kubernetes API server reports for `spec.schedule` on create,
/// in its order: `Required value` for an empty string, else the parser error
/// (if any) followed by the TZ message (if the string contains `TZ`).
///
/// Not modelled: the update path where an old schedule already used `TZ`.
pub fn cronjob_schedule_errors(spec: &str) -> Vec<CronError> {
    if spec.is_empty() {
        return vec![CronError::new(CRONJOB_REQUIRED, 0, 0)];
    }
    let mut errs = Vec::new();
    if let Err(e) = parse_v3(spec, Dialect::CronJob) {
        errs.push(e);
    }
    if let Some(pos) = spec.find("TZ") {
        let (start, end) = token_around(spec, pos);
        errs.push(CronError::new(CRONJOB_TZ_IN_SCHEDULE, start, end));
    }
    errs
}

/// The text Velero writes to `status.validationErrors` for this schedule, or
/// `None` when the Schedule passes validation.
pub fn velero_status_error(spec: &str) -> Option<String> {
    if spec.is_empty() {
        return Some(VELERO_EMPTY_SCHEDULE.to_string());
    }
    parse_v3(spec, Dialect::Velero)
        .err()
        .map(|e| format!("invalid schedule: {}", e.message))
}



pub(super) fn parse_v1(spec: &str) -> Result<Schedule, CronError> {
    let d = Dialect::Cnpg;
    let n_fields = field_spans(spec, 0).len();
    if spec.is_empty() {
        return Err(CronError::new("Empty spec string", 0, 0));
    }
    if spec.starts_with('@') {
        let kind = parse_descriptor(spec, d).map_err(|m| CronError::new(m, 0, spec.len()))?;
        return Ok(Schedule {
            dialect: d,
            fields: n_fields,
            tz: None,
            kind,
            hashed: Vec::new(),
            jitter: 0,
        });
    }
    let spans = field_spans(spec, 0);
    if !(5..=6).contains(&spans.len()) {
        return Err(CronError::new(
            format!("Expected 5 to 6 fields, found {}: {}", spans.len(), spec),
            0,
            spec.len(),
        ));
    }
    let fields = parse_fields(spec, &spans, d)?;
    Ok(Schedule {
        dialect: d,
        fields: n_fields,
        tz: None,
        kind: ScheduleKind::Spec(fields),
        hashed: Vec::new(),
        jitter: 0,
    })
}

pub(super) fn parse_v3(spec: &str, d: Dialect) -> Result<Schedule, CronError> {
    let n_fields = field_spans(spec, 0).len();
    if spec.is_empty() {
        return Err(CronError::new("empty spec string", 0, 0));
    }
    let mut rest_from = 0;
    let mut tz = None;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let eq = spec.find('=').unwrap_or(0);
        let Some(sp) = spec.find(' ') else {
            return Err(CronError::new(V3_TZ_PANIC, 0, spec.len()));
        };
        let name = &spec[eq + 1..sp];
        if let Err(e) = go_load_location(name) {
            return Err(CronError::new(
                format!("provided bad location {name}: {e}"),
                eq + 1,
                sp,
            ));
        }
        tz = Some(if name.is_empty() {
            "UTC".to_string()
        } else {
            name.to_string()
        });
        rest_from = sp;
    }
    // With a TZ prefix the remainder is trimmed; without it the spec is used as is.
    let (desc, desc_start, desc_end) = if tz.is_some() {
        let rest = &spec[rest_from..];
        let trimmed_start = rest.len() - rest.trim_start().len();
        let t = rest.trim();
        (
            t,
            rest_from + trimmed_start,
            rest_from + trimmed_start + t.len(),
        )
    } else {
        (spec, 0, spec.len())
    };
    if desc.starts_with('@') {
        let kind =
            parse_descriptor(desc, d).map_err(|m| CronError::new(m, desc_start, desc_end))?;
        return Ok(Schedule {
            dialect: d,
            fields: n_fields,
            tz,
            kind,
            hashed: Vec::new(),
            jitter: 0,
        });
    }
    let spans = field_spans(spec, rest_from);
    if spans.len() != 5 {
        let list: Vec<&str> = spans.iter().map(|&(a, b)| &spec[a..b]).collect();
        return Err(CronError::new(
            format!(
                "expected exactly 5 fields, found {}: [{}]",
                spans.len(),
                list.join(" ")
            ),
            0,
            spec.len(),
        ));
    }
    let fields = parse_fields(spec, &spans, d)?;
    Ok(Schedule {
        dialect: d,
        fields: n_fields,
        tz,
        kind: ScheduleKind::Spec(fields),
        hashed: Vec::new(),
        jitter: 0,
    })
}


// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

/// A 5-field spec (Velero/CronJob layout) as its 6-field CNPG equivalent:
/// prepends a `0` seconds field. Field text is kept verbatim and joined with
/// single spaces. `None` unless the string has exactly 5 fields.
///
/// Caveat: `*/n` in day-of-month/day-of-week is AND-ed with the other day
/// field by CNPG (v1.2.0) but OR-ed by v3 when the other is restricted.
pub fn five_to_six(spec: &str) -> Option<String> {
    let f: Vec<&str> = spec.split_whitespace().collect();
    if f.len() != 5 {
        return None;
    }
    Some(format!("0 {}", f.join(" ")))
}

/// A 6-field CNPG spec as a 5-field Velero/CronJob spec: drops the seconds
/// field when it is a single value 0..=59 (a non-zero second is lost: the
/// 5-field form fires at second 0). `None` otherwise.
pub fn six_to_five(spec: &str) -> Option<String> {
    let f: Vec<&str> = spec.split_whitespace().collect();
    if f.len() != 6 {
        return None;
    }
    match go_atoi(f[0]) {
        Ok(n) if (0..=59).contains(&n) => Some(f[1..].join(" ")),
        _ => None,
    }
}
