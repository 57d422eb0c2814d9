//! Kasten K10 Policy frequencies: `spec.frequency` is `@hourly`, `@daily`, `@weekly`,
//! `@monthly` or `@yearly` (`@onDemand`: no schedule; recent releases also take a 5-field cron
//! expression), and `spec.subFrequency` places the fires within the period: `minutes` (0-59,
//! used by every frequency), `hours` (0-23, daily and longer), `weekdays` (0-6, 0 = Sunday,
//! weekly), `days` (1-31, monthly and yearly), `months` (1-12, yearly). A list fires once per
//! value; an absent list means the first value (minute 0, midnight, Sunday, day 1, January).
//! Lists that do not apply to the frequency are ignored here. Times are UTC.

use super::*;

/// `spec.frequency: '@onDemand'`: the policy runs only when started by hand.
pub const K10_ON_DEMAND: &str = "@onDemand";

/// `spec.subFrequency` of a K10 Policy (or PolicyPreset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct K10SubFrequency {
    pub minutes: Vec<u32>,
    pub hours: Vec<u32>,
    pub weekdays: Vec<u32>,
    pub days: Vec<u32>,
    pub months: Vec<u32>,
}

/// `spec.frequency` alone.
pub(super) fn parse_k10(frequency: &str) -> Result<Schedule, CronError> {
    k10_schedule(frequency, &K10SubFrequency::default())
}

/// The schedule of a K10 Policy: `frequency` placed by `sub`.
pub fn k10_schedule(frequency: &str, sub: &K10SubFrequency) -> Result<Schedule, CronError> {
    let d = Dialect::K10;
    let whole = |m: String| CronError::new(m, 0, frequency.len());
    // Which lists apply: minutes, hours, weekdays, days, months.
    let applies: [bool; 5] = match frequency {
        "@hourly" => [true, false, false, false, false],
        "@daily" => [true, true, false, false, false],
        "@weekly" => [true, true, true, false, false],
        "@monthly" => [true, true, false, true, false],
        "@yearly" | "@annually" => [true, true, false, true, true],
        K10_ON_DEMAND => return Err(whole("`@onDemand` has no schedule: the policy runs only when started by hand".into())),
        f if !f.starts_with('@') && f.split_whitespace().count() == 5 => return parse_v3(f, d),
        f => return Err(whole(format!("unknown frequency `{f}` (expected @hourly, @daily, @weekly, @monthly, @yearly or @onDemand)"))),
    };
    let lists: [(&str, &Vec<u32>, u32, u32, u32); 5] = [
        ("minutes", &sub.minutes, 0, 59, 0),
        ("hours", &sub.hours, 0, 23, 0),
        ("weekdays", &sub.weekdays, 0, 6, 0),
        ("days", &sub.days, 1, 31, 1),
        ("months", &sub.months, 1, 12, 1),
    ];
    let mut bits = [0u64; 5];
    for (i, (name, values, lo, hi, default)) in lists.iter().enumerate() {
        if let Some(v) = values.iter().find(|v| !(*lo..=*hi).contains(*v)) {
            return Err(whole(format!("subFrequency.{name}: {v} is not in {lo}-{hi}")));
        }
        bits[i] = if !applies[i] {
            // Not used by this frequency: every value (weekdays, days, months) or the default
            // (hours of an hourly policy: every hour).
            if i == 1 && frequency == "@hourly" { range_bits(0, 23) } else if i >= 2 { range_bits(*lo as u64, *hi as u64) } else { 1 << default }
        } else if values.is_empty() {
            1 << default
        } else {
            values.iter().fold(0, |acc, v| acc | (1u64 << v))
        };
    }
    let fields = SpecFields {
        second: 1,
        minute: bits[0],
        hour: bits[1],
        dom: bits[3],
        month: bits[4],
        dow: bits[2],
        dom_star: !applies[3],
        dow_star: !applies[2],
    };
    Ok(Schedule { dialect: d, fields: 1, tz: None, kind: ScheduleKind::Spec(fields), hashed: Vec::new(), jitter: 0 })
}
