//! Calendar arithmetic (proleptic Gregorian, UTC), from `jiff`'s civil dates rather than
//! hand-rolled day-number formulas: the schedule code works on days since 1970-01-01 (so a
//! year of gaps is one pass over 365 integers) and converts at the edges.

use jiff::civil::Date;
use jiff::{SignedDuration, Span};

pub(super) const SECS_PER_DAY: i64 = 86_400;
pub(super) const YEAR_SECS: i64 = 365 * SECS_PER_DAY;

const EPOCH: Date = Date::constant(1970, 1, 1);

/// Days since 1970-01-01 of the last date the calendar knows (9999-12-31); days outside
/// jiff's range (years -9999 to 9999) are clamped to it.
pub(super) const LAST_DAY: i64 = 2_932_896;

fn date(day: i64) -> Date {
    let clamped = if day < 0 { Date::MIN } else { Date::MAX };
    Span::new().try_days(day).ok().and_then(|s| EPOCH.checked_add(s).ok()).unwrap_or(clamped)
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let d = date(z);
    (i64::from(d.year()), d.month() as u32, d.day() as u32)
}

/// (year, month 1..=12, day 1..=31) to days since 1970-01-01 (a day past the end of the month
/// rolls over, as the day-number formula it replaces did).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let year = y.clamp(-9999, 9999) as i16;
    let first = Date::new(year, m.clamp(1, 12) as i8, 1).unwrap_or(EPOCH);
    EPOCH.duration_until(first).as_secs() / SECS_PER_DAY + i64::from(d) - 1
}

/// Unix seconds for a UTC civil date and time.
pub fn unix_time(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * SECS_PER_DAY + i64::from(h * 3600 + mi * 60 + s)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds.
pub fn format_utc(t: i64) -> String {
    let d = date(t.div_euclid(SECS_PER_DAY));
    let o = SignedDuration::from_secs(t.rem_euclid(SECS_PER_DAY));
    let secs = o.as_secs();
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", d.year(), d.month(), d.day(), secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Day of the week, 0 = Sunday.
pub(super) fn weekday(day: i64) -> u32 {
    date(day).weekday().to_sunday_zero_offset() as u32
}
