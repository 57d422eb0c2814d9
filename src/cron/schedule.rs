//! Schedule iteration: next fire and the worst-case gap between fires.

use super::*;

/// Lowest set bit of `bits` in `from..=max`.
pub(super) fn next_bit(bits: u64, from: u32, max: u32) -> Option<u32> {
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

pub(super) fn bit_list(bits: u64, min: u32, max: u32) -> Vec<u32> {
    (min..=max).filter(|v| bits & (1 << v) != 0).collect()
}

impl SpecFields {
    pub(super) fn has(bits: u64, v: u32) -> bool {
        bits & (1u64 << v) != 0
    }

    pub(super) fn day_matches(&self, day: i64) -> bool {
        let (_, m, d) = civil_from_days(day);
        Self::has(self.month, m) && self.dom_dow_match(d, weekday(day))
    }

    pub(super) fn dom_dow_match(&self, d: u32, wd: u32) -> bool {
        let dom = Self::has(self.dom, d);
        let dow = Self::has(self.dow, wd);
        if self.dom_star || self.dow_star {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// Smallest firing offset within a day (seconds since midnight) >= `off`.
    pub(super) fn next_offset_ge(&self, off: u32) -> Option<u32> {
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

    pub(super) fn last_offset(&self) -> Option<u32> {
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
    pub(super) fn max_intra_day_gap(&self) -> Option<i64> {
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
        // Beyond the calendar's range (year 9999) nothing is evaluated.
        if start.div_euclid(SECS_PER_DAY) > LAST_DAY - 6 * 366 {
            return None;
        }
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
        if !self.hashed.is_empty() {
            return self.max_gap_over_hashes(from);
        }
        self.max_gap_resolved(from).map(|g| g + self.jitter as i64)
    }

    /// The worst case over every value the hashed fields can take. Minute and hour move every
    /// fire by the same amount, so only day, month and weekday values are tried (at most
    /// 28 x 12 x 7 schedules, in practice one field of up to 28 values).
    fn max_gap_over_hashes(&self, from: i64) -> Option<i64> {
        let ScheduleKind::Spec(base) = &self.kind else { return self.max_gap_resolved(from) };
        let mut combos: Vec<SpecFields> = vec![*base];
        for h in self.hashed.iter().filter(|h| h.field >= 3) {
            let mut next = Vec::new();
            for c in &combos {
                for v in h.min..=h.max {
                    let mut f = *c;
                    let bit = 1u64 << v;
                    match h.field {
                        3 => f.dom = bit,
                        4 => f.month = bit,
                        _ => f.dow = bit,
                    }
                    next.push(f);
                }
            }
            combos = next;
        }
        let mut worst: Option<i64> = None;
        for f in combos {
            let one = Schedule { kind: ScheduleKind::Spec(f), hashed: Vec::new(), ..self.clone() };
            let g = one.max_gap_resolved(from)?;
            worst = Some(worst.map_or(g, |w| w.max(g)));
        }
        worst.map(|g| g + self.jitter as i64)
    }

    fn max_gap_resolved(&self, from: i64) -> Option<i64> {
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

    /// The schedule with a random delay of up to `secs` added to each fire (kopiur
    /// `spec.schedule.jitter`): the worst-case gap grows by that much.
    pub fn with_jitter(mut self, secs: u64) -> Schedule {
        self.jitter = secs;
        self
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
            ScheduleKind::Spec(f) if !self.hashed.is_empty() => f.describe_hashed(&self.hashed),
            ScheduleKind::Spec(f) => f.describe(self.dialect == Dialect::Cnpg),
        };
        if let Some(tz) = &self.tz {
            out.push_str(&format!(" ({tz} time)"));
        }
        if self.jitter > 0 {
            out.push_str(&format!(", each fire delayed by up to {}", describe_every(self.jitter).trim_start_matches("every ")));
        }
        out
    }
}
