//! One cron engine, three dialects.
//!
//! drlint has to judge schedules written for three consumers that all use a
//! flavour of `github.com/robfig/cron`, but not the same one:
//!
//! | dialect | upstream | fields |
//! |---|---|---|
//! | [`Dialect::Cnpg`] (ScheduledBackup) | robfig/cron **v1.2.0** `cron.Parse` | 6 (`sec min hour dom month dow`), 5 accepted with `dow` omitted |
//! | [`Dialect::Velero`] (Schedule) | robfig/cron **v3.0.1** `cron.ParseStandard` | exactly 5, `CRON_TZ=`/`TZ=` prefix allowed |
//! | [`Dialect::CronJob`] (batch/v1) | v3 `ParseStandard` + API server checks | exactly 5, any `TZ` substring rejected |
//!
//! The engine is written from the documented behaviour of those parsers (see
//! `validations.md`, "Cron dialects"); only the error *texts* are taken
//! verbatim, so that a linter can quote what the cluster would say.
//!
//! Behaviour reproduced on purpose:
//! * `*` and `?` are the same; lists, ranges, `*/n`, `a-b/n`, `a/n` (= `a-max/n`);
//!   a step larger than the range keeps only the start; step 0 is rejected.
//! * Month names `jan`..`dec` only in the month field, weekday names `sun`..`sat`
//!   only in the day-of-week field (case-insensitive, exactly three letters).
//! * Day of week is `0..=6`, 0 = Sunday; 7 is rejected.
//! * Day matching: if the day-of-month *or* the day-of-week field carries the
//!   "star bit" the two are AND-ed, otherwise a day matches when either matches.
//!   The star bit is set by any list element that starts with `*` or `?`; in
//!   v3 (Velero, CronJob) an element with a step greater than 1 (`*/2`) clears
//!   it again, in v1.2.0 (CNPG) it does not.
//! * Descriptors `@yearly @annually @monthly @weekly @daily @midnight @hourly`
//!   and `@every <Go duration>` (rounded down to whole seconds, minimum 1 s).
//!
//! Time zones: all evaluation ([`Schedule::next_after`],
//! [`Schedule::max_gap_over_year`]) is done in UTC on Unix seconds. A Velero
//! `CRON_TZ=` zone is validated and kept in [`Schedule::tz`] but its offset
//! and DST transitions are *not* applied (gaps across DST changes can be an
//! hour off in real life).

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// Which consumer reads the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// CloudNativePG `ScheduledBackup.spec.schedule` (robfig/cron v1.2.0 `cron.Parse`).
    Cnpg,
    /// Velero `Schedule.spec.schedule` (robfig/cron v3.0.1 `cron.ParseStandard`).
    Velero,
    /// Kubernetes `CronJob.spec.schedule` (v3 `ParseStandard` plus API-server rules).
    CronJob,
}

impl Dialect {
    /// True for the robfig/cron v1.2.0 based dialect (capitalised messages,
    /// seconds field, no time zone prefix).
    fn is_v1(self) -> bool {
        matches!(self, Dialect::Cnpg)
    }
}

/// A schedule rejected by the dialect's validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError {
    /// The upstream error text, worded as that dialect's upstream code words it
    /// (CNPG capitalised, v3 lower case, CronJob API-server messages).
    pub message: String,
    /// Byte offset (in the schedule string) where the offending part starts.
    pub start: usize,
    /// Byte offset one past the offending part. For errors about the whole
    /// string (field count, descriptors, empty spec) this is the string length.
    pub end: usize,
}

impl CronError {
    fn new(message: impl Into<String>, start: usize, end: usize) -> Self {
        CronError {
            message: message.into(),
            start,
            end,
        }
    }
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CronError {}

/// Velero controller message for an empty `spec.schedule` (status.validationErrors).
pub const VELERO_EMPTY_SCHEDULE: &str = "Schedule must be a non-empty valid Cron expression";
/// CNPG admission warning for a schedule that parses but does not have 6 fields.
pub const CNPG_FIELD_COUNT_WARNING: &str = "Schedule parameter may not have the right number of arguments (usually six arguments are needed)";
/// Kubernetes CronJob error when the schedule contains `TZ`.
pub const CRONJOB_TZ_IN_SCHEDULE: &str =
    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";
/// Kubernetes `field.Required` detail used for an empty CronJob schedule.
pub const CRONJOB_REQUIRED: &str = "Required value";
/// Kubernetes CronJob error for `spec.timeZone: ""`.
pub const CRONJOB_TZ_EMPTY: &str = "timeZone must be nil or non-empty string";
/// Kubernetes CronJob error for `spec.timeZone: Local` (any case).
pub const CRONJOB_TZ_LOCAL: &str =
    "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones";
/// 2026-01-01T00:00:00Z, the default start for [`Schedule::max_gap_over_year`].
pub const DEFAULT_GAP_FROM: i64 = 1_767_225_600;

/// What v3 panics with when a `TZ=`/`CRON_TZ=` prefix is not followed by a
/// space (it slices the spec up to the first space, index -1).
const V3_TZ_PANIC: &str = "runtime error: slice bounds out of range [:-1]";

const SECS_PER_DAY: i64 = 86_400;
const YEAR_SECS: i64 = 365 * SECS_PER_DAY;

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Dialect it was parsed with.
    pub dialect: Dialect,
    /// Number of whitespace-separated fields of the original string (the
    /// CNPG webhook warns when this is not 6; descriptors count their words,
    /// a Velero `CRON_TZ=` prefix counts as one).
    pub fields: usize,
    /// Velero `CRON_TZ=`/`TZ=` zone name (an empty name is stored as `UTC`,
    /// as Go loads it). Always `None` for CNPG and CronJob.
    pub tz: Option<String>,
    /// What the schedule fires on.
    pub kind: ScheduleKind,
}

/// Parsed form of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleKind {
    /// Field-based schedule (also what the fixed descriptors expand to).
    Spec(SpecFields),
    /// `@every <duration>`: a fixed delay counted from whenever the controller
    /// (re)loaded the schedule; already rounded as robfig does (whole seconds,
    /// at least one second).
    Every(Duration),
}

/// Bitsets of a field-based schedule: bit `n` set means value `n` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecFields {
    /// Seconds 0..=59 (CNPG; always `{0}` for the 5-field dialects).
    pub second: u64,
    /// Minutes 0..=59.
    pub minute: u64,
    /// Hours 0..=23.
    pub hour: u64,
    /// Day of month 1..=31.
    pub dom: u64,
    /// Month 1..=12.
    pub month: u64,
    /// Day of week 0..=6, 0 = Sunday.
    pub dow: u64,
    /// Day-of-month field carries robfig's star bit.
    pub dom_star: bool,
    /// Day-of-week field carries robfig's star bit.
    pub dow_star: bool,
}

struct Bounds {
    min: u64,
    max: u64,
    names: &'static [&'static str],
    /// Value of `names[0]`.
    names_base: u64,
}

const SECONDS: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
    names_base: 0,
};
const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
    names_base: 0,
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
    names_base: 0,
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
    names_base: 0,
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
    names_base: 1,
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    names_base: 0,
};

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn range_bits(min: u64, max: u64) -> u64 {
    (min..=max).fold(0, |acc, v| acc | (1 << v))
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// Parses `spec` as `dialect` would, or returns the error it would report.
///
/// * CNPG: the `cron.Parse` error text (`Empty spec string`, `Expected 5 to 6
///   fields, found 7: <spec>`, ...).
/// * Velero: the `ParseStandard` error text, without the controller's
///   `invalid schedule: ` prefix (see [`velero_status_error`] for the exact
///   status wording, including the empty-string case).
/// * CronJob: `Required value` for an empty string; the TZ message whenever the
///   string contains `TZ` (reported in preference to a parse error: both are
///   returned by [`cronjob_schedule_errors`]); otherwise the parser error.
pub fn parse(spec: &str, dialect: Dialect) -> Result<Schedule, CronError> {
    match dialect {
        Dialect::Cnpg => parse_v1(spec),
        Dialect::Velero => parse_v3(spec, Dialect::Velero),
        Dialect::CronJob => {
            let mut errs = cronjob_schedule_errors(spec);
            if errs.is_empty() {
                parse_v3(spec, Dialect::CronJob)
            } else {
                // Prefer the TZ message: it is the actionable one.
                let idx = errs
                    .iter()
                    .position(|e| e.message == CRONJOB_TZ_IN_SCHEDULE)
                    .unwrap_or(0);
                Err(errs.swap_remove(idx))
            }
        }
    }
}

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

/// Byte range of the whitespace-delimited token containing byte `pos`.
fn token_around(s: &str, pos: usize) -> (usize, usize) {
    let start = s[..pos]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let end = s[pos..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| pos + i)
        .unwrap_or(s.len());
    (start, end)
}

/// Go `strings.Fields` with byte ranges, starting at byte `from`.
fn field_spans(s: &str, from: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s[from..].char_indices() {
        let i = i + from;
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push((st, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// Upper-cases the first letter for the v1 (CNPG) wording.
fn word(msg: String, dialect: Dialect) -> String {
    if !dialect.is_v1() {
        return msg;
    }
    let mut chars = msg.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => msg,
    }
}

fn parse_v1(spec: &str) -> Result<Schedule, CronError> {
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
    })
}

fn parse_v3(spec: &str, d: Dialect) -> Result<Schedule, CronError> {
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
    })
}

/// Parses 5 or 6 field spans (6 = seconds first; 5 = CNPG without dow, or the
/// v3 standard minute-first layout).
fn parse_fields(spec: &str, spans: &[(usize, usize)], d: Dialect) -> Result<SpecFields, CronError> {
    // (text, span) for sec, min, hour, dom, month, dow; None = upstream default.
    let layout: [Option<(usize, usize)>; 6] = if d.is_v1() {
        [
            Some(spans[0]),
            Some(spans[1]),
            Some(spans[2]),
            Some(spans[3]),
            Some(spans[4]),
            spans.get(5).copied(),
        ]
    } else {
        [
            None,
            Some(spans[0]),
            Some(spans[1]),
            Some(spans[2]),
            Some(spans[3]),
            Some(spans[4]),
        ]
    };
    let bounds = [&SECONDS, &MINUTES, &HOURS, &DOM, &MONTHS, &DOW];
    let defaults = ["0", "*", "*", "*", "*", "*"];
    let mut bits = [0u64; 6];
    let mut stars = [false; 6];
    for i in 0..6 {
        let (text, span) = match layout[i] {
            Some((a, b)) => (&spec[a..b], (a, b)),
            None => (defaults[i], (0, 0)),
        };
        let (b, s) =
            parse_field(text, bounds[i], d).map_err(|m| CronError::new(m, span.0, span.1))?;
        bits[i] = b;
        stars[i] = s;
    }
    Ok(SpecFields {
        second: bits[0],
        minute: bits[1],
        hour: bits[2],
        dom: bits[3],
        month: bits[4],
        dow: bits[5],
        dom_star: stars[3],
        dow_star: stars[5],
    })
}

/// A comma-separated list of ranges (empty elements are skipped, as Go's
/// `strings.FieldsFunc` does). Returns the bits and whether the star bit is set.
fn parse_field(field: &str, b: &Bounds, d: Dialect) -> Result<(u64, bool), String> {
    let mut bits = 0;
    let mut star = false;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        let (eb, es) = parse_range(expr, b, d)?;
        bits |= eb;
        star |= es;
    }
    Ok((bits, star))
}

fn parse_range(expr: &str, b: &Bounds, d: Dialect) -> Result<(u64, bool), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_high.len() == 1;
    let (start, mut end, mut star);
    if low_high[0] == "*" || low_high[0] == "?" {
        // Anything after `*-` is ignored upstream.
        start = b.min;
        end = b.max;
        star = true;
    } else {
        start = parse_int_or_name(low_high[0], b, d)?;
        end = match low_high.len() {
            1 => start,
            2 => parse_int_or_name(low_high[1], b, d)?,
            _ => return Err(word(format!("too many hyphens: {expr}"), d)),
        };
        star = false;
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1], d)?;
            if single {
                end = b.max;
            }
            if !d.is_v1() && step > 1 {
                star = false;
            }
            step
        }
        _ => return Err(word(format!("too many slashes: {expr}"), d)),
    };
    if start < b.min {
        return Err(word(
            format!(
                "beginning of range ({start}) below minimum ({}): {expr}",
                b.min
            ),
            d,
        ));
    }
    if end > b.max {
        return Err(word(
            format!("end of range ({end}) above maximum ({}): {expr}", b.max),
            d,
        ));
    }
    if start > end {
        return Err(word(
            format!("beginning of range ({start}) beyond end of range ({end}): {expr}"),
            d,
        ));
    }
    if step == 0 {
        return Err(word(
            format!("step of range should be a positive number: {expr}"),
            d,
        ));
    }
    let mut bits = 0u64;
    let mut v = start;
    while v <= end {
        bits |= 1 << v;
        match v.checked_add(step) {
            Some(n) => v = n,
            None => break,
        }
    }
    Ok((bits, star))
}

fn parse_int_or_name(expr: &str, b: &Bounds, d: Dialect) -> Result<u64, String> {
    let lower = expr.to_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == lower) {
        return Ok(b.names_base + i as u64);
    }
    must_parse_int(expr, d)
}

fn must_parse_int(expr: &str, d: Dialect) -> Result<u64, String> {
    match go_atoi(expr) {
        Ok(n) if n < 0 => Err(word(
            format!("negative number ({n}) not allowed: {expr}"),
            d,
        )),
        Ok(n) => Ok(n as u64),
        Err(e) => Err(word(format!("failed to parse int from {expr}: {e}"), d)),
    }
}

/// Go `strconv.Atoi` on a 64-bit platform, with its error text.
fn go_atoi(s: &str) -> Result<i64, String> {
    let err = |what: &str| format!("strconv.Atoi: parsing {}: {what}", go_strconv_quote(s));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(err("invalid syntax"));
    }
    let mut mag: u64 = 0;
    let mut overflow = false;
    for c in digits.bytes() {
        match mag
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(c - b'0')))
        {
            Some(m) => mag = m,
            None => {
                overflow = true;
                break;
            }
        }
    }
    let limit = if neg { 1u64 << 63 } else { (1u64 << 63) - 1 };
    if overflow || mag > limit {
        return Err(err("value out of range"));
    }
    Ok(if neg {
        (mag as i64).wrapping_neg()
    } else {
        mag as i64
    })
}

/// Approximation of Go `strconv.Quote` (printable non-ASCII is kept as is;
/// Go escapes a few more non-printable code points).
fn go_strconv_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go `time`'s own quoting (non-ASCII and control bytes as `\xNN`).
fn go_time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Fixed descriptors and `@every`. `text` is the whole descriptor string.
fn parse_descriptor(text: &str, d: Dialect) -> Result<ScheduleKind, String> {
    let all_dom = range_bits(1, 31);
    let all_month = range_bits(1, 12);
    let all_dow = range_bits(0, 6);
    let base = SpecFields {
        second: 1,
        minute: 1,
        hour: 1,
        dom: all_dom,
        month: all_month,
        dow: all_dow,
        dom_star: true,
        dow_star: true,
    };
    let f = match text {
        "@yearly" | "@annually" => SpecFields {
            dom: 1 << 1,
            month: 1 << 1,
            dom_star: false,
            ..base
        },
        "@monthly" => SpecFields {
            dom: 1 << 1,
            dom_star: false,
            ..base
        },
        "@weekly" => SpecFields {
            dow: 1,
            dow_star: false,
            ..base
        },
        "@daily" | "@midnight" => base,
        "@hourly" => SpecFields {
            hour: range_bits(0, 23),
            ..base
        },
        _ => {
            if let Some(dur) = text.strip_prefix("@every ") {
                let ns = parse_go_duration(dur)
                    .map_err(|e| word(format!("failed to parse duration {text}: {e}"), d))?;
                let ns = ns.max(1_000_000_000);
                return Ok(ScheduleKind::Every(Duration::from_secs(
                    (ns / 1_000_000_000) as u64,
                )));
            }
            return Err(word(format!("unrecognized descriptor: {text}"), d));
        }
    };
    Ok(ScheduleKind::Spec(f))
}

/// Go `time.ParseDuration`: returns nanoseconds or Go's error text.
///
/// Grammar `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units `ns us µs μs ms s m h`;
/// a bare `0` is allowed.
pub fn parse_go_duration(s: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_time_quote(s));
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&c) = bytes.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        i = 1;
    }
    if &s[i..] == "0" {
        return Ok(0);
    }
    if i == bytes.len() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if !(c == b'.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        // Integer part.
        let int_start = i;
        let mut v: u64 = 0;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(bytes[i] - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
            i += 1;
        }
        let pre = i > int_start;
        // Fraction.
        let mut frac: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let frac_start = i;
            let mut overflow = false;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                if !overflow {
                    if frac > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = frac * 10 + u64::from(bytes[i] - b'0');
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            frac = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            post = i > frac_start;
        }
        if !pre && !post {
            return Err(invalid());
        }
        // Unit: everything up to the next '.' or digit.
        let unit_start = i;
        while i < bytes.len() && !(bytes[i] == b'.' || bytes[i].is_ascii_digit()) {
            i += 1;
        }
        if i == unit_start {
            return Err(format!(
                "time: missing unit in duration {}",
                go_time_quote(s)
            ));
        }
        let unit_str = &s[unit_start..i];
        let unit: u64 = match unit_str {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3_600 * 1_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_time_quote(unit_str),
                    go_time_quote(s)
                ));
            }
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if frac > 0 {
            v += (frac as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((total as i64).wrapping_neg());
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(total as i64)
}

// ---------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------

const ZONEINFO_DIR: &str = "/usr/share/zoneinfo";

/// Go `time.LoadLocation` as far as validity goes: `Ok(())` or Go's error text
/// (`time: invalid location name`, `unknown time zone <name>`).
///
/// Zones are looked up in `/usr/share/zoneinfo` (the file must be a TZif
/// file). When that directory does not exist, any syntactically plausible
/// name (each `/` part 1-14 chars of `A-Za-z0-9._+-`, not starting with `-`)
/// is accepted. Go's `$ZONEINFO` and embedded tzdata are not modelled.
pub fn go_load_location(name: &str) -> Result<(), String> {
    let dir = Path::new(ZONEINFO_DIR);
    load_location_in(name, if dir.is_dir() { Some(dir) } else { None })
}

fn load_location_in(name: &str, zoneinfo: Option<&Path>) -> Result<(), String> {
    if name.is_empty() || name == "UTC" || name == "Local" {
        return Ok(());
    }
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".to_string());
    }
    let unknown = || Err(format!("unknown time zone {name}"));
    match zoneinfo {
        Some(dir) => {
            let mut magic = [0u8; 4];
            let ok = std::fs::File::open(dir.join(name))
                .and_then(|mut f| f.read_exact(&mut magic))
                .map(|_| &magic == b"TZif")
                .unwrap_or(false);
            if ok { Ok(()) } else { unknown() }
        }
        None => {
            if name
                .split('/')
                .all(|p| valid_tz_part(p) && !p.starts_with('-'))
            {
                Ok(())
            } else {
                unknown()
            }
        }
    }
}

/// `^[A-Za-z\.\-_0-9+]{1,14}$`
fn valid_tz_part(p: &str) -> bool {
    (1..=14).contains(&p.len())
        && p.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'+'))
}

/// Kubernetes CronJob `spec.timeZone` validation; the first error only (see
/// [`cronjob_time_zone_errors`] for all of them).
pub fn validate_cronjob_time_zone(tz: &str) -> Result<(), String> {
    match cronjob_time_zone_errors(tz).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every error the API server reports for `spec.timeZone`, in its order.
pub fn cronjob_time_zone_errors(tz: &str) -> Vec<String> {
    if tz.is_empty() {
        return vec![CRONJOB_TZ_EMPTY.to_string()];
    }
    for part in tz.split('/') {
        if part == "." || part == ".." || part.starts_with('-') || !valid_tz_part(part) {
            return vec![format!("unknown time zone {tz}")];
        }
    }
    let mut errs = Vec::new();
    if tz.eq_ignore_ascii_case("Local") {
        errs.push(CRONJOB_TZ_LOCAL.to_string());
    }
    if let Err(e) = go_load_location(tz) {
        errs.push(e);
    }
    errs
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

// ---------------------------------------------------------------------------
// Calendar (proleptic Gregorian, UTC)
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month 1..=12, day 1..=31) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds for a UTC civil date and time.
pub fn unix_time(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * SECS_PER_DAY + i64::from(h * 3600 + mi * 60 + s)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds.
pub fn format_utc(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(SECS_PER_DAY));
    let o = t.rem_euclid(SECS_PER_DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        o / 3600,
        o % 3600 / 60,
        o % 60
    )
}

/// 0 = Sunday.
fn weekday(day: i64) -> u32 {
    (day + 4).rem_euclid(7) as u32
}

/// Lowest set bit of `bits` in `from..=max`.
fn next_bit(bits: u64, from: u32, max: u32) -> Option<u32> {
    if from > max {
        return None;
    }
    let mask = (u64::MAX << from) & (u64::MAX >> (63 - max));
    let m = bits & mask;
    if m == 0 {
        None
    } else {
        Some(m.trailing_zeros())
    }
}

fn bit_list(bits: u64, min: u32, max: u32) -> Vec<u32> {
    (min..=max).filter(|v| bits & (1 << v) != 0).collect()
}

impl SpecFields {
    fn has(bits: u64, v: u32) -> bool {
        bits & (1u64 << v) != 0
    }

    fn day_matches(&self, day: i64) -> bool {
        let (_, m, d) = civil_from_days(day);
        Self::has(self.month, m) && self.dom_dow_match(d, weekday(day))
    }

    fn dom_dow_match(&self, d: u32, wd: u32) -> bool {
        let dom = Self::has(self.dom, d);
        let dow = Self::has(self.dow, wd);
        if self.dom_star || self.dow_star {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// Smallest firing offset within a day (seconds since midnight) >= `off`.
    fn next_offset_ge(&self, off: u32) -> Option<u32> {
        if off >= SECS_PER_DAY as u32 {
            return None;
        }
        let (h, m, s) = (off / 3600, off % 3600 / 60, off % 60);
        if Self::has(self.hour, h) {
            if Self::has(self.minute, m)
                && let Some(s2) = next_bit(self.second, s, 59)
            {
                return Some(h * 3600 + m * 60 + s2);
            }
            if let (Some(m2), Some(s0)) = (
                next_bit(self.minute, m + 1, 59),
                next_bit(self.second, 0, 59),
            ) {
                return Some(h * 3600 + m2 * 60 + s0);
            }
        }
        let h2 = next_bit(self.hour, h + 1, 23)?;
        let m0 = next_bit(self.minute, 0, 59)?;
        let s0 = next_bit(self.second, 0, 59)?;
        Some(h2 * 3600 + m0 * 60 + s0)
    }

    fn last_offset(&self) -> Option<u32> {
        let top = |bits: u64, max: u32| {
            let m = bits & (u64::MAX >> (63 - max));
            if m == 0 {
                None
            } else {
                Some(63 - m.leading_zeros())
            }
        };
        Some(top(self.hour, 23)? * 3600 + top(self.minute, 59)? * 60 + top(self.second, 59)?)
    }

    /// Longest gap between consecutive firings inside one day (None if a day
    /// has fewer than two firings).
    fn max_intra_day_gap(&self) -> Option<i64> {
        let s = bit_list(self.second, 0, 59);
        let m = bit_list(self.minute, 0, 59);
        let h = bit_list(self.hour, 0, 23);
        if s.is_empty() || m.is_empty() || h.is_empty() {
            return None;
        }
        let (sf, sl) = (i64::from(s[0]), i64::from(*s.last()?));
        let (mf, ml) = (i64::from(m[0]), i64::from(*m.last()?));
        let mut best: Option<i64> = None;
        let mut upd = |g: i64| best = Some(best.map_or(g, |b: i64| b.max(g)));
        for w in s.windows(2) {
            upd(i64::from(w[1] - w[0]));
        }
        for w in m.windows(2) {
            upd(i64::from(w[1] - w[0]) * 60 + sf - sl);
        }
        for w in h.windows(2) {
            upd(i64::from(w[1] - w[0]) * 3600 + (mf - ml) * 60 + sf - sl);
        }
        best
    }
}

impl Schedule {
    /// Next firing strictly after `t` (Unix seconds, evaluated in UTC: a
    /// `CRON_TZ` offset is ignored), or `None` if nothing matches within the
    /// 5 calendar years robfig searches (e.g. `0 0 30 2 *`).
    ///
    /// For `@every d` this is `t + d` (robfig counts from the previous run).
    pub fn next_after(&self, t: i64) -> Option<i64> {
        let f = match &self.kind {
            ScheduleKind::Every(d) => return t.checked_add(d.as_secs() as i64),
            ScheduleKind::Spec(f) => f,
        };
        let start = t.checked_add(1)?;
        let first_off = f.next_offset_ge(0)?;
        let mut day = start.div_euclid(SECS_PER_DAY);
        let off = start.rem_euclid(SECS_PER_DAY) as u32;
        let limit_year = civil_from_days(day).0 + 5;
        if f.day_matches(day)
            && let Some(o) = f.next_offset_ge(off)
        {
            return (day * SECS_PER_DAY).checked_add(i64::from(o));
        }
        day += 1;
        loop {
            let (y, m, d) = civil_from_days(day);
            if y > limit_year {
                return None;
            }
            if !SpecFields::has(f.month, m) {
                day = if m == 12 {
                    days_from_civil(y + 1, 1, 1)
                } else {
                    days_from_civil(y, m + 1, 1)
                };
                continue;
            }
            if f.dom_dow_match(d, weekday(day)) {
                return (day * SECS_PER_DAY).checked_add(i64::from(first_off));
            }
            day += 1;
        }
    }

    /// Longest gap in seconds between two consecutive firings `a < b` with
    /// `a` in `[from, from + 365 days)` (UTC). The last pair may end after the
    /// window. If nothing fires inside the window, the gap between the first
    /// firing after it and the one following (e.g. 4 years for `0 0 29 2 *`).
    /// `None` if no such pair exists within robfig's 5-year search horizon.
    /// `@every d` returns `d`. Runs in O(days), not O(firings).
    pub fn max_gap_over_year(&self, from: i64) -> Option<i64> {
        let f = match &self.kind {
            ScheduleKind::Every(d) => return Some(d.as_secs() as i64),
            ScheduleKind::Spec(f) => f,
        };
        let end = from.checked_add(YEAR_SECS)?;
        let first = self.next_after(from.checked_sub(1)?)?;
        if first >= end {
            return self.next_after(first).map(|n| n - first);
        }
        let first_off = i64::from(f.next_offset_ge(0)?);
        let last_off = i64::from(f.last_offset()?);
        let intra = f.max_intra_day_gap();
        let mut best: Option<i64> = None;
        let upd = |g: i64, best: &mut Option<i64>| *best = Some(best.map_or(g, |b| b.max(g)));
        let mut prev: Option<i64> = None;
        let mut day = first.div_euclid(SECS_PER_DAY);
        let limit_day = end.div_euclid(SECS_PER_DAY) + 5 * 366 + 1;
        while day <= limit_day {
            if !f.day_matches(day) {
                day += 1;
                continue;
            }
            let ds = day * SECS_PER_DAY;
            let fd = if ds >= from {
                ds + first_off
            } else {
                match f.next_offset_ge((from - ds) as u32) {
                    Some(o) => ds + i64::from(o),
                    None => {
                        day += 1;
                        continue;
                    }
                }
            };
            if let Some(p) = prev {
                upd(fd - p, &mut best);
            }
            if fd >= end {
                break;
            }
            if ds >= from && ds + last_off < end {
                if let Some(g) = intra {
                    upd(g, &mut best);
                }
                prev = Some(ds + last_off);
            } else {
                // Partial day at a window edge: walk its firings.
                let mut a = fd;
                while let Some(o) = f.next_offset_ge((a - ds + 1) as u32) {
                    let b = ds + i64::from(o);
                    upd(b - a, &mut best);
                    a = b;
                    if a >= end {
                        break;
                    }
                }
                if a >= end {
                    break;
                }
                prev = Some(a);
            }
            day += 1;
        }
        best
    }

    /// The CNPG admission warning, when this is a CNPG schedule that does not
    /// have exactly 6 fields (5-field specs and every descriptor).
    pub fn cnpg_warning(&self) -> Option<&'static str> {
        (self.dialect == Dialect::Cnpg && self.fields != 6).then_some(CNPG_FIELD_COUNT_WARNING)
    }

    /// Plain-English summary, deterministic, e.g. `every day at 02:00:00`,
    /// `every hour at minute 02 (second 00)`, `at 02:00 on Monday through
    /// Friday`, `every 15 seconds`. CNPG times show seconds, the 5-field
    /// dialects do not. A Velero zone is appended as ` (Europe/Rome time)`.
    pub fn describe(&self) -> String {
        let mut out = match &self.kind {
            ScheduleKind::Every(d) => describe_every(d.as_secs()),
            ScheduleKind::Spec(f) => f.describe(self.dialect == Dialect::Cnpg),
        };
        if let Some(tz) = &self.tz {
            out.push_str(&format!(" ({tz} time)"));
        }
        out
    }
}

// ---------------------------------------------------------------------------
// describe()
// ---------------------------------------------------------------------------

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("every {unit}")
    } else {
        format!("every {n} {unit}s")
    }
}

fn describe_every(secs: u64) -> String {
    if secs.is_multiple_of(3600) {
        plural(secs / 3600, "hour")
    } else if secs.is_multiple_of(60) {
        plural(secs / 60, "minute")
    } else if secs < 60 {
        plural(secs, "second")
    } else {
        let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
        let mut t = String::new();
        if h > 0 {
            t.push_str(&format!("{h}h"));
        }
        if m > 0 {
            t.push_str(&format!("{m}m"));
        }
        t.push_str(&format!("{s}s"));
        format!("every {t}")
    }
}

/// Consecutive runs of values: `[(first, last)]`.
fn runs(v: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &x in v {
        match out.last_mut() {
            Some((_, last)) if *last + 1 == x => *last = x,
            _ => out.push((x, x)),
        }
    }
    out
}

/// `0,15,30,45`, `9-17`, `1,3-5`: runs of three or more become ranges.
fn num_list(v: &[u32]) -> String {
    let mut parts = Vec::new();
    for (a, b) in runs(v) {
        if b >= a + 2 {
            parts.push(format!("{a}-{b}"));
        } else {
            parts.extend((a..=b).map(|x| x.to_string()));
        }
    }
    parts.join(",")
}

/// Named runs: `Monday through Friday`, `Sunday, Saturday`.
fn name_list(v: &[u32], names: &[&str], base: u32) -> String {
    let mut parts = Vec::new();
    for (a, b) in runs(v) {
        if b >= a + 2 {
            parts.push(format!(
                "{} through {}",
                names[(a - base) as usize],
                names[(b - base) as usize]
            ));
        } else {
            parts.extend((a..=b).map(|x| names[(x - base) as usize].to_string()));
        }
    }
    parts.join(", ")
}

/// `n` if `v` is `0, n, 2n, ...` covering the whole `0..modulus` cycle.
fn uniform_step(v: &[u32], modulus: u32) -> Option<u32> {
    if v.len() < 2 || v[0] != 0 {
        return None;
    }
    let n = v[1];
    (n > 1
        && modulus.is_multiple_of(n)
        && v.len() as u32 == modulus / n
        && v.windows(2).all(|w| w[1] - w[0] == n))
    .then_some(n)
}

impl SpecFields {
    fn describe(&self, show_secs: bool) -> String {
        let secs = bit_list(self.second, 0, 59);
        let mins = bit_list(self.minute, 0, 59);
        let hours = bit_list(self.hour, 0, 23);
        if secs.is_empty()
            || mins.is_empty()
            || hours.is_empty()
            || bit_list(self.month, 1, 12).is_empty()
        {
            return "never (a field matches no value)".to_string();
        }
        let days = self.day_phrase();
        let months = self.month_phrase();
        let count = secs.len() * mins.len() * hours.len();
        let clock = |h: u32, m: u32, s: u32| {
            if show_secs {
                format!("{h:02}:{m:02}:{s:02}")
            } else {
                format!("{h:02}:{m:02}")
            }
        };
        let mut out;
        if count <= 4 {
            let mut times = Vec::new();
            for &h in &hours {
                for &m in &mins {
                    for &s in &secs {
                        times.push(clock(h, m, s));
                    }
                }
            }
            let at = match times.len() {
                1 => times[0].clone(),
                n => format!("{} and {}", times[..n - 1].join(", "), times[n - 1]),
            };
            out = if days.is_none() && months.is_none() {
                format!("every day at {at}")
            } else {
                format!("at {at}")
            };
        } else {
            out = Self::periodic(&secs, &mins, &hours, show_secs);
        }
        if let Some(d) = days {
            out.push(' ');
            out.push_str(&d);
        }
        if let Some(m) = months {
            out.push(' ');
            out.push_str(&m);
        }
        out
    }

    fn periodic(secs: &[u32], mins: &[u32], hours: &[u32], show_secs: bool) -> String {
        let full_s = secs.len() == 60;
        let full_m = mins.len() == 60;
        let full_h = hours.len() == 24;
        let sec_suffix = if !show_secs {
            String::new()
        } else if secs.len() == 1 {
            format!(" (second {:02})", secs[0])
        } else if full_s {
            ", every second".to_string()
        } else if let Some(n) = uniform_step(secs, 60) {
            format!(", every {n} seconds")
        } else {
            format!(", at seconds {}", num_list(secs))
        };
        let every_minute = || {
            if full_s && show_secs {
                "every second".to_string()
            } else if let (Some(n), true) = (uniform_step(secs, 60), show_secs) {
                format!("every {n} seconds")
            } else if secs.len() == 1 {
                if show_secs {
                    format!("every minute at second {:02}", secs[0])
                } else {
                    "every minute".to_string()
                }
            } else {
                format!("every minute at seconds {}", num_list(secs))
            }
        };
        let hour_word = if hours.len() == 1 { "hour" } else { "hours" };
        if full_m {
            let base = every_minute();
            return if full_h {
                base
            } else {
                format!("{base} during {hour_word} {}", num_list(hours))
            };
        }
        let minute_part = if mins.len() == 1 {
            format!("minute {:02}", mins[0])
        } else {
            format!("minutes {}", num_list(mins))
        };
        if full_h {
            if let Some(n) = uniform_step(mins, 60) {
                return format!("every {n} minutes{sec_suffix}");
            }
            return format!("every hour at {minute_part}{sec_suffix}");
        }
        if let Some(n) = uniform_step(mins, 60) {
            return format!(
                "every {n} minutes{sec_suffix} during {hour_word} {}",
                num_list(hours)
            );
        }
        if let (Some(n), 1) = (uniform_step(hours, 24), mins.len()) {
            return format!("every {n} hours at {minute_part}{sec_suffix}");
        }
        format!(
            "at {minute_part}{sec_suffix} of {hour_word} {}",
            num_list(hours)
        )
    }

    fn dom_phrase(dom: &[u32]) -> String {
        match dom.len() {
            0 => "no day of the month".to_string(),
            1 => format!("day {} of the month", dom[0]),
            _ => format!("days {} of the month", num_list(dom)),
        }
    }

    fn day_phrase(&self) -> Option<String> {
        let dom = bit_list(self.dom, 1, 31);
        let dow = bit_list(self.dow, 0, 6);
        let dom_all = dom.len() == 31;
        let dow_all = dow.len() == 7;
        let dow_names = if dow.is_empty() {
            "no weekday".to_string()
        } else {
            name_list(&dow, &DAY_NAMES, 0)
        };
        if self.dom_star || self.dow_star {
            match (dom_all, dow_all) {
                (true, true) => None,
                (true, false) => Some(format!("on {dow_names}")),
                (false, true) => Some(format!("on {}", Self::dom_phrase(&dom))),
                (false, false) => Some(format!(
                    "on {} if it is a {dow_names}",
                    Self::dom_phrase(&dom)
                )),
            }
        } else if dom_all || dow_all {
            None
        } else {
            Some(format!("on {} or on {dow_names}", Self::dom_phrase(&dom)))
        }
    }

    fn month_phrase(&self) -> Option<String> {
        let months = bit_list(self.month, 1, 12);
        (months.len() != 12).then(|| format!("in {}", name_list(&months, &MONTH_NAMES, 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_duration() {
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("90s"), Ok(90_000_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("-1m"), Ok(-60_000_000_000));
        assert_eq!(parse_go_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_go_duration("2\u{b5}s"), Ok(2_000));
        assert_eq!(parse_go_duration("2\u{3bc}s"), Ok(2_000));
        assert_eq!(parse_go_duration(".5s"), Ok(500_000_000));
        assert_eq!(
            parse_go_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(
            parse_go_duration("1d"),
            Err("time: unknown unit \"d\" in duration \"1d\"".into())
        );
        assert_eq!(
            parse_go_duration(""),
            Err("time: invalid duration \"\"".into())
        );
        assert_eq!(
            parse_go_duration(".s"),
            Err("time: invalid duration \".s\"".into())
        );
        assert_eq!(
            parse_go_duration("x1h"),
            Err("time: invalid duration \"x1h\"".into())
        );
        assert_eq!(
            parse_go_duration("1\u{e9}"),
            Err("time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"".into())
        );
        assert_eq!(
            parse_go_duration("9999999999h"),
            Err("time: invalid duration \"9999999999h\"".into())
        );
    }

    #[test]
    fn atoi() {
        assert_eq!(go_atoi("+5"), Ok(5));
        assert_eq!(go_atoi("-5"), Ok(-5));
        assert_eq!(
            go_atoi("L"),
            Err("strconv.Atoi: parsing \"L\": invalid syntax".into())
        );
        assert_eq!(
            go_atoi(""),
            Err("strconv.Atoi: parsing \"\": invalid syntax".into())
        );
        assert_eq!(
            go_atoi("99999999999999999999"),
            Err("strconv.Atoi: parsing \"99999999999999999999\": value out of range".into())
        );
    }

    #[test]
    fn zone_fallback_without_zoneinfo() {
        assert!(load_location_in("Europe/Rome", None).is_ok());
        assert!(load_location_in("Mars/Base", None).is_ok());
        assert_eq!(
            load_location_in("../etc", None),
            Err("time: invalid location name".into())
        );
        assert_eq!(
            load_location_in("a b", None),
            Err("unknown time zone a b".into())
        );
        assert_eq!(load_location_in("", None), Ok(()));
    }

    #[test]
    fn calendar_round_trip() {
        for day in [-800_000i64, -1, 0, 1, 20_454, 59, 60, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(unix_time(2026, 1, 1, 0, 0, 0), DEFAULT_GAP_FROM);
        assert_eq!(weekday(days_from_civil(2026, 11, 23)), 1);
    }

    #[test]
    fn intra_day_gap() {
        let s = parse("0 0,30 9-17 * * *", Dialect::Cnpg).unwrap();
        let ScheduleKind::Spec(f) = s.kind else {
            panic!()
        };
        assert_eq!(f.max_intra_day_gap(), Some(1800));
        assert_eq!(f.last_offset(), Some(17 * 3600 + 30 * 60));
    }
}
