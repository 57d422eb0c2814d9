//! One cron engine, seven dialects.
//!
//! drlint judges schedules written for many consumers that each read cron their own way:
//!
//! | dialect | upstream | fields |
//! |---|---|---|
//! | [`Dialect::Cnpg`] (ScheduledBackup) | robfig/cron **v1.2.0** `cron.Parse` | 6 (`sec min hour dom month dow`), 5 accepted with `dow` omitted |
//! | [`Dialect::Velero`] (Schedule) | robfig/cron **v3.0.1** `cron.ParseStandard` | exactly 5, `CRON_TZ=`/`TZ=` prefix allowed |
//! | [`Dialect::CronJob`] (batch/v1) | v3 `ParseStandard` + API server checks | exactly 5, any `TZ` substring rejected |
//! | [`Dialect::Longhorn`] (RecurringJob `spec.cron`) | v3 `ParseStandard` (webhook), then run as a CronJob | as CronJob |
//! | [`Dialect::K8up`] (Schedule `*.schedule`) | v3 standard parser + `@hourly-random` ... `@yearly-random` | exactly 5 or a descriptor |
//! | [`Dialect::Kopiur`] (SnapshotSchedule `spec.schedule.cron`) | croner, 5 fields, seconds and year disallowed, Jenkins-style `H` fields | exactly 5 or a descriptor |
//! | [`Dialect::K10`] (Policy `spec.frequency`) | `@hourly` `@daily` `@weekly` `@monthly` `@yearly`, placed by `subFrequency` ([`k10_schedule`]) | descriptor |
//!
//! Entry points, for rules and for `src/providers`:
//! * [`parse`]`(spec, dialect)` for every dialect: a [`Schedule`] or the error the consumer
//!   reports ([`CronError::message`]), then [`Schedule::describe`] (words),
//!   [`Schedule::next_after`] and [`Schedule::max_gap_over_year`] (worst-case gap, the RPO).
//! * kopiur: `parse(cron, Dialect::Kopiur { seed: None })`. kopiur replaces each field that is
//!   exactly `H` by a value hashed from the SnapshotSchedule's UID (FNV-1a 64, one rotation per
//!   field; minute 0-59, hour 0-23, day 1-28, month 1-12, weekday 0-6). The UID is assigned by
//!   the API server, so from Git an `H` is "some fixed value in range": [`Schedule::hashed`] lists
//!   those fields and the worst-case gap is taken over every value they can have. With a known
//!   UID, pass `seed: Some(kopiur_seed(uid))` for the exact schedule. Add `spec.schedule.jitter`
//!   with [`Schedule::with_jitter`].
//! * K8up: `parse(spec, Dialect::K8up { seed: Some(k8up_seed(namespace, name, job_type)) })`
//!   resolves `@daily-random` and friends exactly as the operator does (SHA-1 of
//!   `<namespace>/<name>@<jobType>` as a big integer, modulo 60, 24, 27 (+1), 12 (+1), 6);
//!   with `seed: None` the random fields are listed in [`Schedule::hashed`] like kopiur's `H`.
//!   [`k8up_randomize`] gives the generated 5-field schedule.
//! * Longhorn: `parse(spec, Dialect::Longhorn)`.
//! * K10: `parse(frequency, Dialect::K10)` for a Policy without `subFrequency`,
//!   [`k10_schedule`] with it.
//!
//! The engine is written from the documented behaviour of those parsers (see
//! `validations.md`, "Cron dialects", and each operator's source); only the error *texts* are
//! taken verbatim, so that a linter can quote what the cluster would say.
//!
//! Behaviour reproduced on purpose:
//! * `*` and `?` are the same; lists, ranges, `*/n`, `a-b/n`, `a/n` (= `a-max/n`);
//!   a step larger than the range keeps only the start; step 0 is rejected.
//! * Month names `jan`..`dec` only in the month field, weekday names `sun`..`sat`
//!   only in the day-of-week field (case-insensitive, exactly three letters).
//! * Day of week is `0..=6`, 0 = Sunday; 7 is rejected (kopiur's croner accepts 7 = Sunday).
//! * Day matching: if the day-of-month *or* the day-of-week field carries the
//!   "star bit" the two are AND-ed, otherwise a day matches when either matches.
//!   The star bit is set by any list element that starts with `*` or `?`; in
//!   v3 (Velero, CronJob) an element with a step greater than 1 (`*/2`) clears
//!   it again, in v1.2.0 (CNPG) it does not.
//! * Descriptors `@yearly @annually @monthly @weekly @daily @midnight @hourly`
//!   and `@every <Go duration>` (rounded down to whole seconds, minimum 1 s).
//!
//! Layout: [`fields`](self) grammar in `fields.rs`, dialect rules in `dialect.rs`, hashed and
//! random fields (kopiur, K8up) in `hashed.rs`, K10 in `k10.rs`, iteration and gaps in
//! `schedule.rs`, words in `describe.rs`, Go durations in `duration.rs`, time zones in `tz.rs`,
//! calendar arithmetic in `calendar.rs`.
//!
//! Time zones: all evaluation ([`Schedule::next_after`],
//! [`Schedule::max_gap_over_year`]) is done in UTC on Unix seconds. A Velero
//! `CRON_TZ=` zone is validated and kept in [`Schedule::tz`] but its offset
//! and DST transitions are *not* applied (gaps across DST changes can be an
//! hour off in real life). Zone names are looked up in the IANA database that the `jiff`
//! crate bundles, and dates come from `jiff`'s civil calendar (see `tz.rs` for why).

mod calendar;
mod describe;
mod dialect;
mod duration;
mod fields;
mod hashed;
mod k10;
mod schedule;
#[cfg(test)]
mod tests;
mod tz;

pub use calendar::{civil_from_days, days_from_civil, format_utc, unix_time};
pub use dialect::{cronjob_schedule_errors, five_to_six, six_to_five, velero_status_error};
pub use duration::parse_go_duration;
pub use hashed::{k8up_randomize, k8up_seed, kopiur_seed, HashedField};
pub use k10::{k10_schedule, K10SubFrequency, K10_ON_DEMAND};
pub use tz::{cronjob_time_zone_errors, go_load_location, validate_cronjob_time_zone};

use calendar::*;
use describe::*;
use dialect::*;
use fields::*;
use schedule::*;
use std::fmt;
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
    /// Longhorn `RecurringJob.spec.cron`: the webhook checks it with v3 `ParseStandard` and
    /// Longhorn runs the job as a CronJob with this schedule, so the CronJob rules apply.
    Longhorn,
    /// K8up `Schedule` `backup`/`check`/`prune`/`archive`/`restore` `.schedule`: v3 standard
    /// syntax plus `@hourly-random`, `@daily-random`, `@weekly-random`, `@monthly-random`,
    /// `@yearly-random`, `@annually-random`. `seed`: [`k8up_seed`] of the Schedule and job
    /// type, `None` when the namespace or name is not known.
    K8up { seed: Option<[u8; 20]> },
    /// kopiur `SnapshotSchedule.spec.schedule.cron`: 5 fields (croner, no seconds, no year) or
    /// a descriptor, with whole `H` fields. `seed`: [`kopiur_seed`] of the object's UID, which Git
    /// never knows (`None`).
    Kopiur { seed: Option<u64> },
    /// Kasten K10 `Policy.spec.frequency`: `@hourly` `@daily` `@weekly` `@monthly` `@yearly`
    /// (or a 5-field cron expression); see [`k10_schedule`] for `subFrequency`.
    K10,
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
    /// What the schedule fires on. Fields in [`Schedule::hashed`] hold a representative value
    /// (the lowest the field can take).
    pub kind: ScheduleKind,
    /// Fields fixed per object by a hash that is not known here (kopiur `H` without a UID,
    /// K8up `@*-random` without a namespace and name); empty for every other schedule.
    pub hashed: Vec<HashedField>,
    /// A random delay added to each fire (kopiur `spec.schedule.jitter`), seconds.
    pub jitter: u64,
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
        Dialect::CronJob | Dialect::Longhorn => {
            let mut errs = cronjob_schedule_errors(spec);
            if errs.is_empty() {
                parse_v3(spec, dialect)
            } else {
                // Prefer the TZ message: it is the actionable one.
                let idx = errs
                    .iter()
                    .position(|e| e.message == CRONJOB_TZ_IN_SCHEDULE)
                    .unwrap_or(0);
                Err(errs.swap_remove(idx))
            }
        }
        Dialect::K8up { seed } => hashed::parse_k8up(spec, seed),
        Dialect::Kopiur { seed } => hashed::parse_kopiur(spec, seed),
        Dialect::K10 => k10::parse_k10(spec),
    }
}
