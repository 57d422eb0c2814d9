//! Time-zone names as Go's `time.LoadLocation` and the API server's CronJob validation
//! judge them.

use super::*;

/// Go `time.LoadLocation` as far as validity goes: `Ok(())` or Go's error text
/// (`time: invalid location name`, `unknown time zone <name>`).
///
/// Zones come from the IANA database bundled in the `jiff` crate (`tzdb-bundle-always`), not
/// from the machine's `/usr/share/zoneinfo`: the same names are valid on every machine and in
/// CI, offline, as they are for a Kubernetes API server, which embeds Go's `time/tzdata`. The
/// lookup is case-sensitive like Go's (jiff's is not, so the canonical name must match).
/// Names that are files of a zoneinfo directory but not zones (`zone.tab`, `Europe`) are
/// unknown, as they are to Go.
pub fn go_load_location(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "UTC" || name == "Local" {
        return Ok(());
    }
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".to_string());
    }
    match jiff::tz::db().get(name) {
        Ok(tz) if tz.iana_name() == Some(name) => Ok(()),
        _ => Err(format!("unknown time zone {name}")),
    }
}

/// `^[A-Za-z\.\-_0-9+]{1,14}$`
pub(super) fn valid_tz_part(p: &str) -> bool {
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
