//! `bootstrap.recovery.recoveryTarget` picks where point-in-time recovery stops. The CNPG webhook
//! rejects more than one target (`Recovery target options are mutually exclusive`), a targetTime
//! `ParseTargetTime` cannot read (`The format of TargetTime is invalid`), a malformed targetLSN,
//! targetXID, targetName or targetTLI, and a targetName/targetXID/targetImmediate without backupID.
//! The recovery Cluster is never created, at the moment a restore is needed.

use crate::model::cnpg::Cluster;
use crate::model::Resource;
use crate::rules::{Context, Rule};
use crate::source::yaml::Node;

crate::declare_rule!(
    RecoveryTargetInvalid,
    "cnpg-recovery-target-invalid",
    Error,
    "a recoveryTarget with more than one target, or a targetTime, LSN, XID, name or timeline CNPG rejects"
);

const TARGETS: [&str; 5] = ["targetTime", "targetXID", "targetName", "targetLSN", "targetImmediate"];

fn set(n: &Node) -> bool {
    !(n.is_null() || n.is_string() && n.as_str() == Some(""))
}

impl Rule for RecoveryTargetInvalid {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some(cluster) = Cluster::from(object) else { return };
        let Some(recovery) = cluster.recovery() else { return };
        let Some(target) = recovery.get("recoveryTarget").filter(|n| n.is_map()) else { return };
        let name = object.name();
        // targetImmediate counts whenever it is set at all (even `false`: a non-nil pointer).
        let present: Vec<(&str, &Node)> = target.entries().filter(|(k, _, v)| TARGETS.contains(k) && set(v)).map(|(k, key, _)| (k, key)).collect();
        if present.len() > 1 {
            let names: Vec<String> = present.iter().map(|(k, _)| format!("`{k}`")).collect();
            let d = cx.report_on(object, present[1].1.span, format!("Cluster `{name}` recoveryTarget sets {}: the targets are mutually exclusive", names.join(" and ")));
            d.label(present[0].1.span, "first target");
            d.help("keep exactly one of targetTime, targetXID, targetName, targetLSN, targetImmediate");
        }
        let value = |k: &str| target.get(k).filter(|n| set(n) && n.is_scalar());
        if let Some(n) = value("targetTime") {
            let t = n.as_str().unwrap_or("");
            if !crate::model::cnpg::has_variable(t) && !parse_target_time(t) {
                cx.report_on(object, n.span, format!("Cluster `{name}` targetTime `{t}` is not a time CNPG can parse"))
                    .help("write `YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM]]` or RFC 3339 (`2023-08-11T11:14:21Z`, `2023-08-11T11:14:21+02:00`); `2023-08-11T11:14:21` without a zone is UTC");
            }
        }
        if let Some(n) = value("targetLSN") {
            let v = n.as_str().unwrap_or("");
            let ok = v.split('/').count() == 2 && v.split('/').all(|p| !p.is_empty() && i64::from_str_radix(p, 16).is_ok());
            if !ok && !crate::model::cnpg::has_variable(v) {
                cx.report_on(object, n.span, format!("Cluster `{name}` targetLSN `{v}` is not an LSN"))
                    .help("an LSN is two hexadecimal numbers separated by a slash, e.g. `0/3000060`");
            }
        }
        if let Some(n) = value("targetXID") {
            let v = n.as_str().unwrap_or("");
            if v.parse::<u32>().is_err() && !crate::model::cnpg::has_variable(v) {
                cx.report_on(object, n.span, format!("Cluster `{name}` targetXID `{v}` is not a non-negative 32-bit integer"))
                    .help("write a transaction id such as `\"1234567\"`");
            }
        }
        if let Some(n) = value("targetName") {
            let v = n.as_str().unwrap_or("");
            if v.len() >= 64 {
                cx.report_on(object, n.span, format!("Cluster `{name}` targetName is {} bytes long; PostgreSQL restore points are shorter than 64", v.len()))
                    .help("use the restore point name given to pg_create_restore_point()");
            } else if v.chars().any(|c| (c as u32) < 0x20 || c as u32 == 0x7f) {
                cx.report_on(object, n.span, format!("Cluster `{name}` targetName contains ASCII control characters"))
                    .help("use the restore point name given to pg_create_restore_point()");
            }
        }
        if let Some(n) = value("targetTLI") {
            let v = n.as_str().unwrap_or("");
            let ok = v == "latest" || v.parse::<i64>().is_ok_and(|i| i >= 1);
            if !ok && !crate::model::cnpg::has_variable(v) {
                cx.report_on(object, n.span, format!("Cluster `{name}` targetTLI `{v}` is neither `latest` nor a positive integer"))
                    .help("write `latest` or a timeline number such as `\"2\"`");
            }
        }
        let snapshot = recovery.get("volumeSnapshots").is_some_and(|n| !n.is_null());
        let needs_id: Vec<&str> = ["targetName", "targetXID", "targetImmediate"].into_iter().filter(|k| target.get(k).is_some_and(set)).collect();
        if !snapshot && !needs_id.is_empty() && !target.get("backupID").is_some_and(set) {
            let key = target.key(needs_id[0]).map(|k| k.span).unwrap_or(target.span);
            cx.report_on(object, key, format!("Cluster `{name}` recoveryTarget uses `{}` without backupID: the webhook requires it", needs_id[0]))
                .help("set recoveryTarget.backupID to the base backup to start from (status.backupId of a completed Backup)");
        }
    }
}

// ---------------------------------------------------------------------------
// CNPG `types.ParseTargetTime` (cloudnative-pg/machinery pkg/types/time.go): lib/pq
// `ParseTimestamp`, then Go `time.Parse` with `2006-01-02T15:04:05.000000Z07:00`, RFC 3339, and
// `2006-01-02T15:04:05` (no zone: UTC).
// ---------------------------------------------------------------------------

pub fn parse_target_time(s: &str) -> bool {
    pq_parse_timestamp(s) || go_parse(s, true) || go_parse(s, false)
}

/// Go `strconv.Atoi` on `s[begin..end]` with lib/pq's bounds check.
fn atoi(s: &str, begin: isize, end: isize) -> Option<i64> {
    if begin < 0 || end < begin || end as usize > s.len() {
        return None;
    }
    let t = s.get(begin as usize..end as usize)?;
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn byte_at(s: &str, i: isize) -> Option<u8> {
    if i < 0 { None } else { s.as_bytes().get(i as usize).copied() }
}

/// lib/pq `ParseTimestamp`. Out-of-range fields are normalised by Go's `time.Date`, not rejected.
fn pq_parse_timestamp(s: &str) -> bool {
    let Some(mon_sep) = s.find('-').map(|i| i as isize) else { return false };
    atoi(s, 0, mon_sep).is_some() && pq_rest(s, mon_sep).is_some()
}

fn pq_rest(s: &str, mon_sep: isize) -> Option<()> {
    let len = s.len() as isize;
    let day_sep = mon_sep + 3;
    atoi(s, mon_sep + 1, day_sep)?;
    (byte_at(s, day_sep)? == b'-').then_some(())?;
    let time_sep = day_sep + 3;
    atoi(s, day_sep + 1, time_sep)?;
    let is_bc = s.ends_with(" BC");
    let mut min_len = mon_sep + "01-01".len() as isize + 1;
    if is_bc {
        min_len += 3;
    }
    if len > min_len {
        (byte_at(s, time_sep)? == b' ').then_some(())?;
        let min_sep = time_sep + 3;
        (byte_at(s, min_sep)? == b':').then_some(())?;
        atoi(s, time_sep + 1, min_sep)?;
        let sec_sep = min_sep + 3;
        (byte_at(s, sec_sep)? == b':').then_some(())?;
        atoi(s, min_sep + 1, sec_sep)?;
        atoi(s, sec_sep + 1, sec_sep + 3)?;
    }
    let mut rem = mon_sep + "01-01 00:00:00".len() as isize + 1;
    if rem < len && byte_at(s, rem) == Some(b'.') {
        let frac_start = rem + 1;
        let frac_off = s.get(frac_start as usize..).and_then(|t| t.find(['-', '+', 'Z', ' '])).map(|i| i as isize).unwrap_or(len - frac_start);
        atoi(s, frac_start, frac_start + frac_off)?;
        rem += frac_off + 1;
    }
    if rem < len && matches!(byte_at(s, rem), Some(b'-') | Some(b'+')) {
        atoi(s, rem + 1, rem + 3)?;
        rem += 3;
        for _ in 0..2 {
            if rem < len && byte_at(s, rem) == Some(b':') {
                atoi(s, rem + 1, rem + 3)?;
                rem += 3;
            }
        }
    } else if rem < len && byte_at(s, rem) == Some(b'Z') {
        rem += 1;
    }
    if is_bc {
        rem += 3;
    }
    (rem >= len).then_some(())
}

/// Go `time.Parse` with `2006-01-02T15:04:05` followed by `Z07:00` (`zone`) or nothing. Go
/// accepts a fractional second after the seconds even when the layout has none, and checks
/// ranges (month 1-12, day within the month, hour < 24, minute and second < 60).
fn go_parse(s: &str, zone: bool) -> bool {
    let b = s.as_bytes();
    let num = |from: usize, n: usize| -> Option<u32> {
        let t = s.get(from..from + n)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok()).flatten()
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)) else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d < 1 || d > days[mo as usize - 1] || h > 23 || mi > 59 || sec > 59 {
        return false;
    }
    let mut i = 19;
    if matches!(b.get(i), Some(b'.') | Some(b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let rest = &s[i..];
    if !zone {
        return rest.is_empty();
    }
    if rest == "Z" {
        return true;
    }
    let r = rest.as_bytes();
    r.len() == 6
        && matches!(r[0], b'+' | b'-')
        && r[3] == b':'
        && rest[1..3].bytes().all(|c| c.is_ascii_digit())
        && rest[4..6].bytes().all(|c| c.is_ascii_digit())
        && rest[1..3].parse::<u32>().is_ok_and(|h| h < 24)
        && rest[4..6].parse::<u32>().is_ok_and(|m| m < 60)
}

#[cfg(test)]
mod tests {
    use super::parse_target_time;
    #[test]
    fn target_times() {
        for ok in [
            "2023-08-11 11:14:21",
            "2023-08-11 11:14:21.00000+02",
            "2023-08-11 11:14:21.123456+02:00",
            "2023-08-11 11:14:21+02",
            "2023-08-11",
            "2023-08-11T11:14:21Z",
            "2023-08-11T11:14:21+02:00",
            "2023-08-11T11:14:21.123456Z",
            "2023-08-11T11:14:21",
        ] {
            assert!(parse_target_time(ok), "{ok}");
        }
        for bad in ["11/08/2023 11:14", "2023-08-11T11:14", "2023-08-11 11:14", "yesterday", "", "2023-13-11T11:14:21Z", "2023-08-11T11:14:21 UTC"] {
            assert!(!parse_target_time(bad), "{bad}");
        }
    }
}
