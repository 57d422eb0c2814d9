//! Schedules in words.

use super::*;

pub(super) const MONTH_NAMES: [&str; 12] = [
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
pub(super) const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];


// ---------------------------------------------------------------------------
// describe()
// ---------------------------------------------------------------------------

pub(super) fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("every {unit}")
    } else {
        format!("every {n} {unit}s")
    }
}

pub(super) fn describe_every(secs: u64) -> String {
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
pub(super) fn runs(v: &[u32]) -> Vec<(u32, u32)> {
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
pub(super) fn num_list(v: &[u32]) -> String {
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
pub(super) fn name_list(v: &[u32], names: &[&str], base: u32) -> String {
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
pub(super) fn uniform_step(v: &[u32], modulus: u32) -> Option<u32> {
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
    pub(super) fn describe(&self, show_secs: bool) -> String {
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

    pub(super) fn periodic(secs: &[u32], mins: &[u32], hours: &[u32], show_secs: bool) -> String {
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

    pub(super) fn dom_phrase(dom: &[u32]) -> String {
        match dom.len() {
            0 => "no day of the month".to_string(),
            1 => format!("day {} of the month", dom[0]),
            _ => format!("days {} of the month", num_list(dom)),
        }
    }

    pub(super) fn day_phrase(&self) -> Option<String> {
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

    pub(super) fn month_phrase(&self) -> Option<String> {
        let months = bit_list(self.month, 1, 12);
        (months.len() != 12).then(|| format!("in {}", name_list(&months, &MONTH_NAMES, 1)))
    }
}

impl SpecFields {
    /// Words for a schedule with fields fixed by an unknown hash: the known fields as usual,
    /// the hashed ones as "a fixed minute", "a fixed day of the month (1-28)".
    pub(super) fn describe_hashed(&self, hashed: &[HashedField]) -> String {
        let is = |field: u8| hashed.iter().find(|h| h.field == field);
        let mins = bit_list(self.minute, 0, 59);
        let hours = bit_list(self.hour, 0, 23);
        let minute = match is(1) {
            Some(_) => "a fixed minute".to_string(),
            None if mins.len() == 1 => format!("minute {:02}", mins[0]),
            None => format!("minutes {}", num_list(&mins)),
        };
        let time = match (is(2), hours.len()) {
            (Some(_), _) => format!("{minute} of a fixed hour"),
            (None, 24) => format!("every hour at {minute}"),
            (None, 1) => format!("{minute} of hour {:02}", hours[0]),
            (None, _) => format!("{minute} of hours {}", num_list(&hours)),
        };
        let mut days = Vec::new();
        if let Some(h) = is(3) {
            days.push(format!("on a fixed day of the month ({}-{})", h.min, h.max));
        }
        if let Some(h) = is(5) {
            days.push(format!("on a fixed weekday ({}-{})", DAY_NAMES[h.min as usize], DAY_NAMES[h.max as usize]));
        }
        if let Some(h) = is(4) {
            days.push(format!("in a fixed month ({}-{})", MONTH_NAMES[h.min as usize - 1], MONTH_NAMES[h.max as usize - 1]));
        }
        if is(3).is_none() && is(5).is_none() {
            days.extend(self.day_phrase());
        }
        if is(4).is_none() {
            days.extend(self.month_phrase());
        }
        let prefix = if days.is_empty() && is(2).is_some() || (days.is_empty() && hours.len() == 1) { "every day at " } else if time.starts_with("every") { "" } else { "at " };
        let mut out = format!("{prefix}{time}");
        for d in days {
            out.push(' ');
            out.push_str(&d);
        }
        out.push_str(" (fixed per object by a hash)");
        out
    }
}
