//! Fields fixed per object by a hash: kopiur's Jenkins-style `H` and K8up's `@daily-random`
//! family. From Git the hash input is often unknown (kopiur hashes the object's UID, which the
//! API server assigns), so such a field is "some fixed value in a range": the schedule keeps
//! the lowest value as a representative and lists the field in [`Schedule::hashed`], and the
//! worst-case gap is taken over every value it can have.

use super::*;
use sha1::{Digest, Sha1};

/// A field whose value is fixed per object by a hash drlint cannot compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashedField {
    /// 0 second, 1 minute, 2 hour, 3 day of month, 4 month, 5 day of week.
    pub field: u8,
    /// The lowest and highest value the hash can give.
    pub min: u32,
    pub max: u32,
}

// ---------------------------------------------------------------------------
// kopiur
// ---------------------------------------------------------------------------

/// kopiur's `H` ranges per field of a 5-field cron (minute, hour, day of month 1-28 so that it
/// exists in every month, month, weekday).
const KOPIUR_RANGES: [(u32, u32); 5] = [(0, 59), (0, 23), (1, 28), (1, 12), (0, 6)];

/// FNV-1a 64 of the SnapshotSchedule's UID followed by eight zero bytes (slot 0), which kopiur
/// rotates per field to place each `H`.
pub fn kopiur_seed(uid: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for b in uid.bytes().chain([0u8; 8]) {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// kopiur `spec.schedule.cron`: croner with seconds and years disallowed (exactly 5 fields, or
/// `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@hourly`), each field that is exactly
/// `H` replaced by a hashed value. Errors use robfig's wording for the shared grammar; what
/// croner accepts beyond it (`L`, `W`, `#`) is reported as not evaluated, not as invalid.
pub(super) fn parse_kopiur(spec: &str, seed: Option<u64>) -> Result<Schedule, CronError> {
    let d = Dialect::Kopiur { seed };
    let whole = |m: String| CronError::new(m, 0, spec.len());
    let t = spec.trim();
    if t.is_empty() {
        return Err(whole("empty cron expression".into()));
    }
    if t.starts_with('@') {
        if !matches!(t, "@yearly" | "@annually" | "@monthly" | "@weekly" | "@daily" | "@hourly") {
            return Err(whole(format!("unrecognized descriptor: {t}")));
        }
        return parse_v3(t, d);
    }
    let fields: Vec<&str> = t.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(whole(format!("expected exactly 5 fields, found {}: [{}]", fields.len(), fields.join(" "))));
    }
    let mut hashed = Vec::new();
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let (lo, hi) = KOPIUR_RANGES[i];
        if *f == "H" {
            let v = match seed {
                Some(base) => lo + (base.rotate_left((i as u32 + 1) * 7) % u64::from(hi - lo + 1)) as u32,
                None => {
                    hashed.push(HashedField { field: i as u8 + 1, min: lo, max: hi });
                    lo
                }
            };
            out.push(v.to_string());
            continue;
        }
        let letters = without_names(f, i);
        if letters.contains('h') {
            return Err(whole(format!("`{f}`: kopiur replaces `H` only as a whole field (Jenkins' `H/15` and `H(0-29)` are not accepted)")));
        }
        if letters.contains(['l', 'w', '#']) {
            return Err(whole(format!("`{f}`: drlint does not evaluate croner's `L`, `W` and `#`")));
        }
        // croner reads weekday 7 as Sunday.
        out.push(if i == 4 { f.split(',').map(|p| if p == "7" { "0" } else { p }).collect::<Vec<_>>().join(",") } else { f.to_string() });
    }
    let mut s = parse_v3(&out.join(" "), d).map_err(|e| whole(e.message))?;
    s.fields = 5;
    s.hashed = hashed;
    Ok(s)
}

/// A field lower-cased without its month or weekday names (`MON-FRI` -> `-`), to find the
/// letters that are syntax.
fn without_names(f: &str, i: usize) -> String {
    let names: &[&str] = match i {
        3 => MONTHS.names,
        4 => DOW.names,
        _ => &[],
    };
    let mut rest = f.to_ascii_lowercase();
    for n in names {
        rest = rest.replace(n, "");
    }
    rest
}

// ---------------------------------------------------------------------------
// K8up
// ---------------------------------------------------------------------------

/// The seed K8up hashes for a Schedule's job: SHA-1 of `<namespace>/<name>@<jobType>`
/// (`backup`, `check`, `prune`, `archive`, `restore`).
pub fn k8up_seed(namespace: &str, name: &str, job_type: &str) -> [u8; 20] {
    Sha1::digest(format!("{namespace}/{name}@{job_type}").as_bytes()).into()
}

/// The SHA-1 digest as a big integer, modulo `m`.
fn digest_mod(seed: &[u8; 20], m: u32) -> u32 {
    seed.iter().fold(0u32, |r, &b| ((r << 8) | u32::from(b)) % m)
}

/// The random fields of each K8up descriptor (minute, hour, day 1-27, month, weekday 0-5: K8up
/// takes the weekday modulo 6, so Saturday never comes up).
fn k8up_fields(spec: &str) -> Option<&'static [u8]> {
    Some(match spec {
        "@hourly-random" => &[1],
        "@daily-random" => &[1, 2],
        "@weekly-random" => &[1, 2, 5],
        "@monthly-random" => &[1, 2, 3],
        "@yearly-random" | "@annually-random" => &[1, 2, 3, 4],
        _ => return None,
    })
}

fn k8up_range(field: u8) -> (u32, u32) {
    match field {
        1 => (0, 59),
        2 => (0, 23),
        3 => (1, 27),
        4 => (1, 12),
        _ => (0, 5),
    }
}

/// The 5-field schedule K8up generates for a `@*-random` descriptor (`None` for anything
/// else), e.g. `52 4 * * *` for `@daily-random`.
pub fn k8up_randomize(spec: &str, seed: &[u8; 20]) -> Option<String> {
    let random = k8up_fields(spec)?;
    let mut f = ["*"; 5].map(str::to_string);
    for &field in random {
        let (lo, hi) = k8up_range(field);
        let v = lo + digest_mod(seed, hi - lo + 1);
        f[field as usize - 1] = v.to_string();
    }
    Some(f.join(" "))
}

/// K8up: the `@*-random` descriptors, else robfig v3's standard parser.
pub(super) fn parse_k8up(spec: &str, seed: Option<[u8; 20]>) -> Result<Schedule, CronError> {
    let d = Dialect::K8up { seed };
    let Some(random) = k8up_fields(spec) else { return parse_v3(spec, d) };
    let (generated, hashed) = match &seed {
        Some(s) => (k8up_randomize(spec, s).unwrap_or_default(), Vec::new()),
        None => {
            let mut f = ["*"; 5].map(str::to_string);
            let mut hashed = Vec::new();
            for &field in random {
                let (min, max) = k8up_range(field);
                f[field as usize - 1] = min.to_string();
                hashed.push(HashedField { field, min, max });
            }
            (f.join(" "), hashed)
        }
    };
    let mut s = parse_v3(&generated, d).map_err(|e| CronError::new(e.message, 0, spec.len()))?;
    s.fields = 1;
    s.hashed = hashed;
    Ok(s)
}
