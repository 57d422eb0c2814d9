//! Fields: robfig/cron's field grammar (lists, ranges, steps, names, `*`/`?`, the star
//! bit), Go `strconv.Atoi` with its error text, and the fixed descriptors.

use super::*;
use std::time::Duration;

pub(super) struct Bounds {
    pub(super) min: u64,
    pub(super) max: u64,
    pub(super) names: &'static [&'static str],
    /// Value of `names[0]`.
    pub(super) names_base: u64,
}

pub(super) const SECONDS: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
    names_base: 0,
};
pub(super) const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
    names_base: 0,
};
pub(super) const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
    names_base: 0,
};
pub(super) const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
    names_base: 0,
};
pub(super) const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
    names_base: 1,
};
pub(super) const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    names_base: 0,
};


pub(super) fn range_bits(min: u64, max: u64) -> u64 {
    (min..=max).fold(0, |acc, v| acc | (1 << v))
}


/// Byte range of the whitespace-delimited token containing byte `pos`.
pub(super) fn token_around(s: &str, pos: usize) -> (usize, usize) {
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
pub(super) fn field_spans(s: &str, from: usize) -> Vec<(usize, usize)> {
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
pub(super) fn word(msg: String, dialect: Dialect) -> String {
    if !dialect.is_v1() {
        return msg;
    }
    let mut chars = msg.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => msg,
    }
}

/// Parses 5 or 6 field spans (6 = seconds first; 5 = CNPG without dow, or the
/// v3 standard minute-first layout).
pub(super) fn parse_fields(spec: &str, spans: &[(usize, usize)], d: Dialect) -> Result<SpecFields, CronError> {
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
pub(super) fn parse_field(field: &str, b: &Bounds, d: Dialect) -> Result<(u64, bool), String> {
    let mut bits = 0;
    let mut star = false;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        let (eb, es) = parse_range(expr, b, d)?;
        bits |= eb;
        star |= es;
    }
    Ok((bits, star))
}

pub(super) fn parse_range(expr: &str, b: &Bounds, d: Dialect) -> Result<(u64, bool), String> {
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

pub(super) fn parse_int_or_name(expr: &str, b: &Bounds, d: Dialect) -> Result<u64, String> {
    let lower = expr.to_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == lower) {
        return Ok(b.names_base + i as u64);
    }
    must_parse_int(expr, d)
}

pub(super) fn must_parse_int(expr: &str, d: Dialect) -> Result<u64, String> {
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
pub(super) fn go_atoi(s: &str) -> Result<i64, String> {
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
pub(super) fn go_strconv_quote(s: &str) -> String {
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

/// Fixed descriptors and `@every`. `text` is the whole descriptor string.
pub(super) fn parse_descriptor(text: &str, d: Dialect) -> Result<ScheduleKind, String> {
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
