//! Tests for drlint::cron against the facts in validations.md ("Cron dialects").

use drlint::cron::{
    self, CNPG_FIELD_COUNT_WARNING, CRONJOB_TZ_IN_SCHEDULE, CronError, DEFAULT_GAP_FROM, Dialect,
    Schedule, ScheduleKind, SpecFields, VELERO_EMPTY_SCHEDULE, cronjob_schedule_errors,
    cronjob_time_zone_errors, five_to_six, parse, six_to_five, unix_time,
    validate_cronjob_time_zone, velero_status_error,
};
use std::path::Path;
use std::time::{Duration, Instant};

const ALL: [Dialect; 3] = [Dialect::Cnpg, Dialect::Velero, Dialect::CronJob];
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

fn ok(spec: &str, d: Dialect) -> Schedule {
    parse(spec, d).unwrap_or_else(|e| panic!("{spec:?} as {d:?} should parse, got {e:?}"))
}

fn err(spec: &str, d: Dialect) -> CronError {
    match parse(spec, d) {
        Ok(s) => panic!("{spec:?} as {d:?} should fail, got {s:?}"),
        Err(e) => e,
    }
}

fn err_msg(spec: &str, d: Dialect) -> String {
    err(spec, d).message
}

fn zoneinfo_present() -> bool {
    Path::new("/usr/share/zoneinfo").is_dir()
}

/// Next `n` firings after `t`, as `YYYY-MM-DDTHH:MM:SSZ`.
fn nexts(s: &Schedule, mut t: i64, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        t = s.next_after(t).expect("fires");
        out.push(cron::format_utc(t));
    }
    out
}

fn t(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    unix_time(y, mo, d, h, mi, s)
}

const SIX_FIELDS_000: &str = "expected exactly 5 fields, found 6: [0 0 0 * * *]";

// ---------------------------------------------------------------------------
// The "Examples" table, row by row, for all three dialects.
// ---------------------------------------------------------------------------

#[test]
fn example_0_0_0_daily_six_fields() {
    let s = ok("0 0 0 * * *", Dialect::Cnpg);
    assert_eq!(s.describe(), "every day at 00:00:00");
    assert_eq!(s.cnpg_warning(), None);
    assert_eq!(err_msg("0 0 0 * * *", Dialect::Velero), SIX_FIELDS_000);
    assert_eq!(
        velero_status_error("0 0 0 * * *").as_deref(),
        Some("invalid schedule: expected exactly 5 fields, found 6: [0 0 0 * * *]")
    );
    assert_eq!(err_msg("0 0 0 * * *", Dialect::CronJob), SIX_FIELDS_000);
}

#[test]
fn example_0_30_2_six_fields() {
    let s = ok("0 30 2 * * *", Dialect::Cnpg);
    assert_eq!(s.describe(), "every day at 02:30:00");
    assert_eq!(
        s.next_after(t(2026, 3, 1, 0, 0, 0)),
        Some(t(2026, 3, 1, 2, 30, 0))
    );
    for d in [Dialect::Velero, Dialect::CronJob] {
        assert_eq!(
            err_msg("0 30 2 * * *", d),
            "expected exactly 5 fields, found 6: [0 30 2 * * *]"
        );
    }
}

#[test]
fn example_0_2_five_fields_hourly_for_cnpg() {
    let c = ok("0 2 * * *", Dialect::Cnpg);
    assert_eq!(c.cnpg_warning(), Some(CNPG_FIELD_COUNT_WARNING));
    assert_eq!(c.fields, 5);
    assert_eq!(
        nexts(&c, t(2026, 1, 1, 0, 0, 0), 3),
        [
            "2026-01-01T00:02:00Z",
            "2026-01-01T01:02:00Z",
            "2026-01-01T02:02:00Z"
        ]
    );
    for d in [Dialect::Velero, Dialect::CronJob] {
        let s = ok("0 2 * * *", d);
        assert_eq!(s.cnpg_warning(), None);
        assert_eq!(
            nexts(&s, t(2026, 1, 1, 0, 0, 0), 2),
            ["2026-01-01T02:00:00Z", "2026-01-02T02:00:00Z"]
        );
        assert_eq!(s.describe(), "every day at 02:00");
    }
}

#[test]
fn example_0_0_five_fields_hourly_not_daily_for_cnpg() {
    let c = ok("0 0 * * *", Dialect::Cnpg);
    assert!(c.cnpg_warning().is_some());
    assert_eq!(c.max_gap_over_year(DEFAULT_GAP_FROM), Some(HOUR));
    assert_eq!(c.describe(), "every hour at minute 00 (second 00)");
    for d in [Dialect::Velero, Dialect::CronJob] {
        let s = ok("0 0 * * *", d);
        assert_eq!(s.max_gap_over_year(DEFAULT_GAP_FROM), Some(DAY));
        assert_eq!(s.describe(), "every day at 00:00");
    }
}

#[test]
fn example_0_2_sunday_zero() {
    let e = err("0 2 * * 0", Dialect::Cnpg);
    assert_eq!(e.message, "Beginning of range (0) below minimum (1): 0");
    assert_eq!((e.start, e.end), (8, 9), "points at the 5th (month) field");
    for d in [Dialect::Velero, Dialect::CronJob] {
        let s = ok("0 2 * * 0", d);
        // 2026-11-22 is a Sunday.
        assert_eq!(
            s.next_after(t(2026, 11, 18, 0, 0, 0)),
            Some(t(2026, 11, 22, 2, 0, 0))
        );
        assert_eq!(s.describe(), "at 02:00 on Sunday");
    }
}

#[test]
fn example_0_2_monday_one() {
    let c = ok("0 2 * * 1", Dialect::Cnpg);
    assert!(c.cnpg_warning().is_some());
    // Every hour at HH:02:00 in January only.
    assert_eq!(
        c.next_after(t(2026, 1, 31, 23, 2, 0)),
        Some(t(2027, 1, 1, 0, 2, 0))
    );
    assert_eq!(
        c.describe(),
        "every hour at minute 02 (second 00) in January"
    );
    for d in [Dialect::Velero, Dialect::CronJob] {
        let s = ok("0 2 * * 1", d);
        assert_eq!(
            s.next_after(t(2026, 11, 18, 0, 0, 0)),
            Some(t(2026, 11, 23, 2, 0, 0))
        );
        assert_eq!(s.describe(), "at 02:00 on Monday");
    }
}

#[test]
fn example_0_0_2_sunday_six_fields() {
    let c = ok("0 0 2 * * 0", Dialect::Cnpg);
    assert_eq!(
        c.next_after(t(2026, 11, 18, 0, 0, 0)),
        Some(t(2026, 11, 22, 2, 0, 0))
    );
    assert_eq!(c.describe(), "at 02:00:00 on Sunday");
    for d in [Dialect::Velero, Dialect::CronJob] {
        assert_eq!(
            err_msg("0 0 2 * * 0", d),
            "expected exactly 5 fields, found 6: [0 0 2 * * 0]"
        );
    }
}

#[test]
fn example_0_0_2_dow_seven_rejected() {
    let e = err("0 0 2 * * 7", Dialect::Cnpg);
    assert_eq!(e.message, "End of range (7) above maximum (6): 7");
    assert_eq!((e.start, e.end), (10, 11));
    assert_eq!(&"0 0 2 * * 7"[e.start..e.end], "7");
    for d in [Dialect::Velero, Dialect::CronJob] {
        let e = err("0 0 2 * * 7", d);
        assert_eq!(
            e.message,
            "expected exactly 5 fields, found 6: [0 0 2 * * 7]"
        );
        assert_eq!((e.start, e.end), (0, 11));
    }
}

#[test]
fn example_0_2_month_seven() {
    let c = ok("0 2 * * 7", Dialect::Cnpg);
    assert!(c.cnpg_warning().is_some());
    assert_eq!(
        c.next_after(t(2026, 1, 1, 0, 0, 0)),
        Some(t(2026, 7, 1, 0, 2, 0))
    );
    assert_eq!(c.describe(), "every hour at minute 02 (second 00) in July");
    let e = err("0 2 * * 7", Dialect::Velero);
    assert_eq!(e.message, "end of range (7) above maximum (6): 7");
    assert_eq!((e.start, e.end), (8, 9));
    assert_eq!(
        velero_status_error("0 2 * * 7").as_deref(),
        Some("invalid schedule: end of range (7) above maximum (6): 7")
    );
    assert_eq!(
        err_msg("0 2 * * 7", Dialect::CronJob),
        "end of range (7) above maximum (6): 7"
    );
}

#[test]
fn example_question_mark_mon_fri_six_fields() {
    let c = ok("0 0 2 ? * MON-FRI", Dialect::Cnpg);
    assert_eq!(c.describe(), "at 02:00:00 on Monday through Friday");
    // Friday 2026-11-27 -> Monday 2026-11-30.
    assert_eq!(
        c.next_after(t(2026, 11, 27, 2, 0, 0)),
        Some(t(2026, 11, 30, 2, 0, 0))
    );
    for d in [Dialect::Velero, Dialect::CronJob] {
        assert_eq!(
            err_msg("0 0 2 ? * MON-FRI", d),
            "expected exactly 5 fields, found 6: [0 0 2 ? * MON-FRI]"
        );
    }
}

#[test]
fn example_mon_fri_in_cnpg_month_field() {
    let e = err("0 2 * * MON-FRI", Dialect::Cnpg);
    assert_eq!(
        e.message,
        "Failed to parse int from MON: strconv.Atoi: parsing \"MON\": invalid syntax"
    );
    assert!(e.message.starts_with("Failed to parse int from MON: "));
    assert_eq!(&"0 2 * * MON-FRI"[e.start..e.end], "MON-FRI");
    for d in [Dialect::Velero, Dialect::CronJob] {
        let s = ok("0 2 * * MON-FRI", d);
        assert_eq!(s.describe(), "at 02:00 on Monday through Friday");
    }
}

#[test]
fn example_daily_midnight_descriptors() {
    for spec in ["@daily", "@midnight"] {
        let c = ok(spec, Dialect::Cnpg);
        assert_eq!(c.cnpg_warning(), Some(CNPG_FIELD_COUNT_WARNING));
        assert_eq!(c.describe(), "every day at 00:00:00");
        assert_eq!(
            c.next_after(t(2026, 5, 5, 12, 0, 0)),
            Some(t(2026, 5, 6, 0, 0, 0))
        );
        for d in [Dialect::Velero, Dialect::CronJob] {
            let s = ok(spec, d);
            assert_eq!(s.describe(), "every day at 00:00");
            assert_eq!(s.max_gap_over_year(DEFAULT_GAP_FROM), Some(DAY));
        }
    }
}

#[test]
fn example_every_6h() {
    for d in ALL {
        let s = ok("@every 6h", d);
        assert_eq!(s.kind, ScheduleKind::Every(Duration::from_secs(6 * 3600)));
        assert_eq!(s.fields, 2);
        assert_eq!(s.cnpg_warning().is_some(), d == Dialect::Cnpg);
        assert_eq!(s.describe(), "every 6 hours");
    }
}

#[test]
fn example_reboot() {
    assert_eq!(
        err_msg("@reboot", Dialect::Cnpg),
        "Unrecognized descriptor: @reboot"
    );
    assert_eq!(
        err_msg("@reboot", Dialect::Velero),
        "unrecognized descriptor: @reboot"
    );
    assert_eq!(
        velero_status_error("@reboot").as_deref(),
        Some("invalid schedule: unrecognized descriptor: @reboot")
    );
    assert_eq!(
        err_msg("@reboot", Dialect::CronJob),
        "unrecognized descriptor: @reboot"
    );
}

#[test]
fn example_cron_tz_rome_five_fields() {
    let spec = "CRON_TZ=Europe/Rome 0 2 * * *";
    let e = err(spec, Dialect::Cnpg);
    assert_eq!(
        e.message,
        "Failed to parse int from CRON_TZ=Europe: strconv.Atoi: parsing \"CRON_TZ=Europe\": invalid syntax"
    );
    assert_eq!(&spec[e.start..e.end], "CRON_TZ=Europe/Rome");

    let v = ok(spec, Dialect::Velero);
    assert_eq!(v.tz.as_deref(), Some("Europe/Rome"));
    assert_eq!(v.describe(), "every day at 02:00 (Europe/Rome time)");
    assert_eq!(velero_status_error(spec), None);

    let e = err(spec, Dialect::CronJob);
    assert_eq!(e.message, CRONJOB_TZ_IN_SCHEDULE);
    assert_eq!(&spec[e.start..e.end], "CRON_TZ=Europe/Rome");
    assert_eq!(cronjob_schedule_errors(spec), vec![e]);
}

#[test]
fn example_cron_tz_rome_six_fields() {
    let spec = "CRON_TZ=Europe/Rome 0 0 2 * * *";
    assert_eq!(
        err_msg(spec, Dialect::Cnpg),
        format!("Expected 5 to 6 fields, found 7: {spec}")
    );
    assert_eq!(
        err_msg(spec, Dialect::Velero),
        "expected exactly 5 fields, found 6: [0 0 2 * * *]"
    );
    assert_eq!(err_msg(spec, Dialect::CronJob), CRONJOB_TZ_IN_SCHEDULE);
    let all: Vec<String> = cronjob_schedule_errors(spec)
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(
        all,
        [
            "expected exactly 5 fields, found 6: [0 0 2 * * *]",
            CRONJOB_TZ_IN_SCHEDULE
        ]
    );
}

#[test]
fn example_cron_tz_mars_base() {
    let spec = "CRON_TZ=Mars/Base 0 2 * * *";
    assert!(parse(spec, Dialect::Cnpg).is_err());
    if !zoneinfo_present() {
        eprintln!("no /usr/share/zoneinfo: Mars/Base is accepted syntactically");
        return;
    }
    let e = err(spec, Dialect::Velero);
    assert_eq!(
        e.message,
        "provided bad location Mars/Base: unknown time zone Mars/Base"
    );
    assert_eq!(&spec[e.start..e.end], "Mars/Base");
    assert_eq!(
        velero_status_error(spec).as_deref(),
        Some("invalid schedule: provided bad location Mars/Base: unknown time zone Mars/Base")
    );
    let all: Vec<String> = cronjob_schedule_errors(spec)
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(
        all,
        [
            "provided bad location Mars/Base: unknown time zone Mars/Base",
            CRONJOB_TZ_IN_SCHEDULE
        ]
    );
    assert!(parse(spec, Dialect::CronJob).is_err());
}

#[test]
fn example_l_rejected() {
    let msg = "Failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax";
    for spec in ["0 2 L * *", "0 0 2 L * *"] {
        let e = err(spec, Dialect::Cnpg);
        assert_eq!(e.message, msg, "{spec}");
        assert_eq!(&spec[e.start..e.end], "L");
    }
    let e = err("0 2 L * *", Dialect::Velero);
    assert_eq!(
        e.message,
        "failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax"
    );
    assert_eq!((e.start, e.end), (4, 5));
    assert!(
        velero_status_error("0 2 L * *")
            .unwrap()
            .starts_with("invalid schedule: failed to parse int from L: ")
    );
    assert!(err_msg("0 2 L * *", Dialect::CronJob).starts_with("failed to parse int from L: "));
}

#[test]
fn example_every_15() {
    let c = ok("*/15 * * * *", Dialect::Cnpg);
    assert!(c.cnpg_warning().is_some());
    assert_eq!(c.describe(), "every 15 seconds");
    assert_eq!(c.max_gap_over_year(DEFAULT_GAP_FROM), Some(15));
    for d in [Dialect::Velero, Dialect::CronJob] {
        let s = ok("*/15 * * * *", d);
        assert_eq!(s.describe(), "every 15 minutes");
        assert_eq!(s.max_gap_over_year(DEFAULT_GAP_FROM), Some(15 * 60));
    }
}

#[test]
fn example_empty() {
    assert_eq!(
        err("", Dialect::Cnpg),
        CronError {
            message: "Empty spec string".into(),
            start: 0,
            end: 0
        }
    );
    // The v3 parser's own text; the controller says something else.
    assert_eq!(err_msg("", Dialect::Velero), "empty spec string");
    assert_eq!(
        velero_status_error("").as_deref(),
        Some(VELERO_EMPTY_SCHEDULE)
    );
    assert_eq!(err_msg("", Dialect::CronJob), "Required value");
}

#[test]
fn example_cronjob_time_zone_field() {
    let s = ok("0 2 * * *", Dialect::CronJob);
    assert_eq!(s.describe(), "every day at 02:00");
    assert_eq!(validate_cronjob_time_zone("Europe/Rome"), Ok(()));
}

// ---------------------------------------------------------------------------
// CronJob spec.timeZone
// ---------------------------------------------------------------------------

#[test]
fn cronjob_time_zone_rules() {
    assert_eq!(
        validate_cronjob_time_zone(""),
        Err("timeZone must be nil or non-empty string".into())
    );
    let local =
        "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones";
    assert_eq!(validate_cronjob_time_zone("Local"), Err(local.into()));
    assert_eq!(cronjob_time_zone_errors("Local"), [local]);
    assert_eq!(validate_cronjob_time_zone("LOCAL"), Err(local.into()));
    for bad in [
        "../etc/passwd",
        "./UTC",
        "-UTC",
        "Europe//Rome",
        "Europe/Rome Paris",
        "Averyveryverylongname/X",
    ] {
        assert_eq!(
            validate_cronjob_time_zone(bad),
            Err(format!("unknown time zone {bad}")),
            "{bad}"
        );
    }
    assert_eq!(validate_cronjob_time_zone("UTC"), Ok(()));
    assert_eq!(validate_cronjob_time_zone("Etc/GMT+5"), Ok(()));
    if zoneinfo_present() {
        assert_eq!(
            validate_cronjob_time_zone("Europe/Pariss"),
            Err("unknown time zone Europe/Pariss".into())
        );
        // lower-case local: both the Local rule and the lookup fail.
        assert_eq!(
            cronjob_time_zone_errors("local"),
            [local.to_string(), "unknown time zone local".into()]
        );
        // A file in zoneinfo that is not a TZif zone.
        assert_eq!(
            validate_cronjob_time_zone("zone.tab"),
            Err("unknown time zone zone.tab".into())
        );
        // A directory, not a zone.
        assert_eq!(
            validate_cronjob_time_zone("Europe"),
            Err("unknown time zone Europe".into())
        );
        assert_eq!(
            validate_cronjob_time_zone("America/Argentina/Buenos_Aires"),
            Ok(())
        );
    }
}

// ---------------------------------------------------------------------------
// Syntax details shared by the dialects
// ---------------------------------------------------------------------------

#[test]
fn day_of_week_numbering() {
    // 2026-11-23 is a Monday, 2026-11-22 a Sunday.
    let mon = ok("0 0 2 * * 1", Dialect::Cnpg);
    assert_eq!(
        mon.next_after(t(2026, 11, 21, 12, 0, 0)),
        Some(t(2026, 11, 23, 2, 0, 0))
    );
    assert_eq!(
        mon.next_after(t(2026, 11, 23, 2, 0, 0)),
        Some(t(2026, 11, 30, 2, 0, 0))
    );
    let sun = ok("0 0 2 * * 0", Dialect::Cnpg);
    assert_eq!(
        sun.next_after(t(2026, 11, 21, 12, 0, 0)),
        Some(t(2026, 11, 22, 2, 0, 0))
    );
    let sat = ok("0 0 2 * * 6", Dialect::Cnpg);
    assert_eq!(
        sat.next_after(t(2026, 11, 22, 0, 0, 0)),
        Some(t(2026, 11, 28, 2, 0, 0))
    );
    let sun_name = ok("0 2 * * sun", Dialect::Velero);
    assert_eq!(
        sun_name.next_after(t(2026, 11, 21, 12, 0, 0)),
        Some(t(2026, 11, 22, 2, 0, 0))
    );
}

#[test]
fn star_and_question_mark_are_equal() {
    for d in [Dialect::Velero, Dialect::CronJob] {
        assert_eq!(ok("0 2 ? * *", d).kind, ok("0 2 * * *", d).kind);
        assert_eq!(ok("0 2 * * ?", d).kind, ok("0 2 * * *", d).kind);
    }
    assert_eq!(
        ok("0 0 2 ? * ?", Dialect::Cnpg).kind,
        ok("0 0 2 * * *", Dialect::Cnpg).kind
    );
}

#[test]
fn names_are_case_insensitive_and_field_bound() {
    let a = ok("0 2 * JAN,feb Sun-tUE", Dialect::Velero);
    let b = ok("0 2 * 1,2 0-2", Dialect::Velero);
    assert_eq!(a.kind, b.kind);
    // Weekday names are not known in the month field and vice versa.
    assert!(err_msg("0 2 * MON *", Dialect::Velero).starts_with("failed to parse int from MON: "));
    assert!(err_msg("0 2 * * JAN", Dialect::Velero).starts_with("failed to parse int from JAN: "));
    // Only the three-letter names.
    assert!(
        err_msg("0 2 * * monday", Dialect::Velero).starts_with("failed to parse int from monday: ")
    );
    // CNPG 5 fields: the 5th field is the month, so month names work there.
    let c = ok("0 2 * * jul", Dialect::Cnpg);
    assert_eq!(c.kind, ok("0 2 * * 7", Dialect::Cnpg).kind);
}

#[test]
fn ranges_steps_and_lists() {
    let s = ok("5/20 * * * *", Dialect::Velero);
    assert_eq!(
        nexts(&s, t(2026, 1, 1, 0, 0, 0), 4),
        [
            "2026-01-01T00:05:00Z",
            "2026-01-01T00:25:00Z",
            "2026-01-01T00:45:00Z",
            "2026-01-01T01:05:00Z"
        ]
    );
    // Step larger than the range keeps only the start.
    let s = ok("*/61 * * * *", Dialect::Velero);
    assert_eq!(s.describe(), "every hour at minute 00");
    let s = ok("10-20/100 * * * *", Dialect::Velero);
    assert_eq!(
        nexts(&s, t(2026, 1, 1, 0, 0, 0), 2),
        ["2026-01-01T00:10:00Z", "2026-01-01T01:10:00Z"]
    );
    // Lists, with empty elements skipped as Go's FieldsFunc does.
    let s = ok("0,,30 1-3/2 * * *", Dialect::Velero);
    assert_eq!(s.describe(), "every day at 01:00, 01:30, 03:00 and 03:30");
    // "+5" is a valid Go Atoi input.
    assert_eq!(
        ok("+5 * * * *", Dialect::Velero).kind,
        ok("5 * * * *", Dialect::Velero).kind
    );
}

#[test]
fn field_errors_per_dialect() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (5-field spec, v3 message, CNPG message for "0 " + spec, offending field)
        (
            "*/0 * * * *",
            "step of range should be a positive number: */0",
            "Step of range should be a positive number: */0",
            "*/0",
        ),
        (
            "*/-1 * * * *",
            "negative number (-1) not allowed: -1",
            "Negative number (-1) not allowed: -1",
            "*/-1",
        ),
        (
            "1-2-3 * * * *",
            "too many hyphens: 1-2-3",
            "Too many hyphens: 1-2-3",
            "1-2-3",
        ),
        (
            "*/2/3 * * * *",
            "too many slashes: */2/3",
            "Too many slashes: */2/3",
            "*/2/3",
        ),
        (
            "5-1 * * * *",
            "beginning of range (5) beyond end of range (1): 5-1",
            "Beginning of range (5) beyond end of range (1): 5-1",
            "5-1",
        ),
        (
            "61 * * * *",
            "end of range (61) above maximum (59): 61",
            "End of range (61) above maximum (59): 61",
            "61",
        ),
        (
            "0 24 * * *",
            "end of range (24) above maximum (23): 24",
            "End of range (24) above maximum (23): 24",
            "24",
        ),
        (
            "0 0 0 * *",
            "beginning of range (0) below minimum (1): 0",
            "Beginning of range (0) below minimum (1): 0",
            "0",
        ),
        (
            "0 0 32 * *",
            "end of range (32) above maximum (31): 32",
            "End of range (32) above maximum (31): 32",
            "32",
        ),
        (
            "0 0 * 13 *",
            "end of range (13) above maximum (12): 13",
            "End of range (13) above maximum (12): 13",
            "13",
        ),
        (
            "0 0 * * 1-7",
            "end of range (7) above maximum (6): 1-7",
            "End of range (7) above maximum (6): 1-7",
            "1-7",
        ),
        (
            "0 0 * 1- *",
            "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax",
            "Failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax",
            "1-",
        ),
    ];
    for &(five, v3, v1, field) in cases {
        for d in [Dialect::Velero, Dialect::CronJob] {
            let e = err(five, d);
            assert_eq!(e.message, v3, "{five} {d:?}");
            assert_eq!(&five[e.start..e.end], field, "{five} {d:?}");
        }
        let six = five_to_six(five).unwrap();
        let e = err(&six, Dialect::Cnpg);
        assert_eq!(e.message, v1, "{six}");
        assert_eq!(&six[e.start..e.end], field, "{six}");
    }
}

#[test]
fn first_bad_field_wins() {
    let e = err("0 99 99 * * *", Dialect::Cnpg);
    assert_eq!(e.message, "End of range (99) above maximum (59): 99");
    assert_eq!((e.start, e.end), (2, 4));
}

#[test]
fn field_count_errors() {
    assert_eq!(
        err_msg("* * * *", Dialect::Cnpg),
        "Expected 5 to 6 fields, found 4: * * * *"
    );
    assert_eq!(
        err_msg("0 0 2 * * * 2026", Dialect::Cnpg),
        "Expected 5 to 6 fields, found 7: 0 0 2 * * * 2026"
    );
    assert_eq!(
        err_msg("   ", Dialect::Cnpg),
        "Expected 5 to 6 fields, found 0:    "
    );
    assert_eq!(
        err_msg("* * * *", Dialect::Velero),
        "expected exactly 5 fields, found 4: [* * * *]"
    );
    assert_eq!(
        err_msg("   ", Dialect::Velero),
        "expected exactly 5 fields, found 0: []"
    );
    // A descriptor must start at the first character.
    assert_eq!(
        err_msg(" @daily", Dialect::Velero),
        "expected exactly 5 fields, found 1: [@daily]"
    );
    assert_eq!(
        err_msg(" @daily", Dialect::Cnpg),
        "Expected 5 to 6 fields, found 1:  @daily"
    );
    // Tabs and multiple spaces separate fields like a single space.
    assert_eq!(
        ok("0\t2  *  * *", Dialect::Velero).kind,
        ok("0 2 * * *", Dialect::Velero).kind
    );
}

#[test]
fn descriptors() {
    let y = ok("@yearly", Dialect::Velero);
    assert_eq!(ok("@annually", Dialect::Velero).kind, y.kind);
    assert_eq!(
        y.next_after(t(2026, 1, 1, 0, 0, 0)),
        Some(t(2027, 1, 1, 0, 0, 0))
    );
    let m = ok("@monthly", Dialect::Cnpg);
    assert_eq!(
        m.next_after(t(2026, 1, 1, 0, 0, 0)),
        Some(t(2026, 2, 1, 0, 0, 0))
    );
    let w = ok("@weekly", Dialect::Velero);
    assert_eq!(w.describe(), "at 00:00 on Sunday");
    assert_eq!(
        w.next_after(t(2026, 11, 23, 0, 0, 0)),
        Some(t(2026, 11, 29, 0, 0, 0))
    );
    let h = ok("@hourly", Dialect::Cnpg);
    assert_eq!(h.describe(), "every hour at minute 00 (second 00)");
    assert_eq!(
        err_msg("@daily ", Dialect::Cnpg),
        "Unrecognized descriptor: @daily "
    );
    assert_eq!(
        err_msg("@DAILY", Dialect::Velero),
        "unrecognized descriptor: @DAILY"
    );
}

#[test]
fn every_durations() {
    let secs = |spec: &str| match ok(spec, Dialect::Velero).kind {
        ScheduleKind::Every(d) => d.as_secs(),
        k => panic!("{k:?}"),
    };
    assert_eq!(secs("@every 1h30m"), 5400);
    assert_eq!(secs("@every 90s"), 90);
    assert_eq!(secs("@every 1.5h"), 5400);
    assert_eq!(secs("@every 1.5s"), 1, "rounded down to whole seconds");
    assert_eq!(secs("@every 500ms"), 1, "at least one second");
    assert_eq!(secs("@every 0"), 1);
    assert_eq!(secs("@every -5m"), 1);
    assert_eq!(secs("@every 2h0m0.5s"), 7200);
    assert_eq!(
        err_msg("@every 1d", Dialect::Cnpg),
        "Failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\""
    );
    assert_eq!(
        err_msg("@every 6h ", Dialect::Velero),
        "failed to parse duration @every 6h : time: unknown unit \"h \" in duration \"6h \""
    );
    assert_eq!(
        err_msg("@every  6h", Dialect::Velero),
        "failed to parse duration @every  6h: time: invalid duration \" 6h\""
    );
    assert_eq!(
        err_msg("@every", Dialect::Velero),
        "unrecognized descriptor: @every"
    );
    let e = ok("@every 90m", Dialect::Velero);
    assert_eq!(e.describe(), "every 90 minutes");
    assert_eq!(e.next_after(1000), Some(1000 + 5400));
    assert_eq!(ok("@every 1h", Dialect::Velero).describe(), "every hour");
    assert_eq!(
        ok("@every 3725s", Dialect::Velero).describe(),
        "every 1h2m5s"
    );
}

#[test]
fn velero_tz_prefix_details() {
    // TZ= works like CRON_TZ=.
    let s = ok("TZ=UTC 0 2 * * *", Dialect::Velero);
    assert_eq!(s.tz.as_deref(), Some("UTC"));
    assert_eq!(s.fields, 6);
    // An empty name loads UTC.
    assert_eq!(
        ok("TZ= 0 2 * * *", Dialect::Velero).tz.as_deref(),
        Some("UTC")
    );
    // Descriptors after a prefix (the remainder is trimmed).
    let d = ok("CRON_TZ=UTC @daily ", Dialect::Velero);
    assert_eq!(d.describe(), "every day at 00:00 (UTC time)");
    // No space after the zone: v3 panics, Velero recovers and reports it.
    let e = err("TZ=UTC", Dialect::Velero);
    assert_eq!(e.message, "runtime error: slice bounds out of range [:-1]");
    assert_eq!(
        velero_status_error("TZ=UTC").as_deref(),
        Some("invalid schedule: runtime error: slice bounds out of range [:-1]")
    );
    // Prefix with nothing after it.
    assert_eq!(
        err_msg("TZ=UTC ", Dialect::Velero),
        "expected exactly 5 fields, found 0: []"
    );
    // Go rejects names with "..".
    assert_eq!(
        err_msg("CRON_TZ=../x 0 2 * * *", Dialect::Velero),
        "provided bad location ../x: time: invalid location name"
    );
    // Field error spans still point into the original string.
    let spec = "CRON_TZ=UTC 0 2 * * 9";
    let e = err(spec, Dialect::Velero);
    assert_eq!(&spec[e.start..e.end], "9");
    // The prefix is case-sensitive and only recognised at the very start.
    assert!(parse("cron_tz=UTC 0 2 * * *", Dialect::Velero).is_err());
    // CNPG has no TZ support at all.
    assert!(parse("TZ=UTC 0 2 * * *", Dialect::Cnpg).is_err());
}

#[test]
fn cronjob_tz_substring() {
    for spec in ["TZ=UTC 0 2 * * *", "CRON_TZ=UTC 0 2 * * *", "TZ=UTC"] {
        let e = err(spec, Dialect::CronJob);
        assert_eq!(e.message, CRONJOB_TZ_IN_SCHEDULE, "{spec}");
        assert!(e.start < e.end);
    }
    // Velero accepts what CronJob rejects.
    assert!(parse("TZ=UTC 0 2 * * *", Dialect::Velero).is_ok());
}

// ---------------------------------------------------------------------------
// Day-of-month / day-of-week combination and the star bit
// ---------------------------------------------------------------------------

#[test]
fn dom_dow_or_when_both_restricted() {
    // 1st of the month OR Sunday.
    let s = ok("0 3 1 * 0", Dialect::Velero);
    assert_eq!(s.describe(), "at 03:00 on day 1 of the month or on Sunday");
    // 2026-11-01 is a Sunday, 2026-11-08 the next Sunday, 2026-12-01 a Tuesday.
    assert_eq!(
        nexts(&s, t(2026, 10, 31, 12, 0, 0), 6),
        [
            "2026-11-01T03:00:00Z",
            "2026-11-08T03:00:00Z",
            "2026-11-15T03:00:00Z",
            "2026-11-22T03:00:00Z",
            "2026-11-29T03:00:00Z",
            "2026-12-01T03:00:00Z"
        ]
    );
    // dom written as a full range without '*' still ORs: every day.
    assert_eq!(
        ok("0 3 1-31 * 1", Dialect::Velero).max_gap_over_year(DEFAULT_GAP_FROM),
        Some(DAY)
    );
}

#[test]
fn star_step_bit_differs_between_v1_and_v3() {
    // v3 clears the star bit for "*/2" (step > 1): odd days OR Mondays.
    let v3 = ok("0 0 */2 * 1", Dialect::Velero);
    assert_eq!(
        v3.next_after(t(2026, 11, 1, 0, 0, 0)),
        Some(t(2026, 11, 2, 0, 0, 0))
    );
    // v1.2.0 keeps it: odd days AND Mondays. 2026-11-09 is an odd Monday.
    let v1 = ok("0 0 0 */2 * 1", Dialect::Cnpg);
    assert_eq!(
        v1.next_after(t(2026, 11, 1, 0, 0, 0)),
        Some(t(2026, 11, 9, 0, 0, 0))
    );
    assert_eq!(
        v1.describe(),
        "at 00:00:00 on days 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31 of the month if it is a Monday"
    );
    // "*/1" keeps the star bit in v3 too (AND): Mondays only.
    let s = ok("0 0 */1 * 1", Dialect::Velero);
    assert_eq!(
        s.next_after(t(2026, 11, 1, 0, 0, 0)),
        Some(t(2026, 11, 2, 0, 0, 0))
    );
    assert_eq!(
        s.next_after(t(2026, 11, 2, 0, 0, 0)),
        Some(t(2026, 11, 9, 0, 0, 0))
    );
}

// ---------------------------------------------------------------------------
// next_after / max_gap_over_year
// ---------------------------------------------------------------------------

#[test]
fn impossible_dates() {
    let s = ok("0 0 30 2 *", Dialect::Velero);
    assert_eq!(s.next_after(DEFAULT_GAP_FROM), None);
    assert_eq!(s.max_gap_over_year(DEFAULT_GAP_FROM), None);
    // A list made only of commas matches nothing.
    let s = ok("0 , * * *", Dialect::Velero);
    assert_eq!(s.next_after(DEFAULT_GAP_FROM), None);
    assert_eq!(s.describe(), "never (a field matches no value)");
}

#[test]
fn max_gaps() {
    let g = |spec: &str, d: Dialect| ok(spec, d).max_gap_over_year(DEFAULT_GAP_FROM);
    assert_eq!(g("0 2 * * 1-5", Dialect::Velero), Some(259_200));
    assert_eq!(g("0 0 2 * * *", Dialect::Cnpg), Some(24 * HOUR));
    assert_eq!(g("0 2 * * *", Dialect::Cnpg), Some(HOUR));
    assert_eq!(g("@every 6h", Dialect::Velero), Some(6 * HOUR));
    assert_eq!(g("@every 6h", Dialect::Cnpg), Some(6 * HOUR));
    assert_eq!(g("0 0 1 * *", Dialect::Velero), Some(31 * DAY));
    assert_eq!(g("0 0 0 1 * *", Dialect::Cnpg), Some(31 * DAY));
    assert_eq!(g("@weekly", Dialect::CronJob), Some(7 * DAY));
    assert_eq!(g("@yearly", Dialect::Velero), Some(365 * DAY));
    assert_eq!(
        g("0 0 9-17 * * 1-5", Dialect::Cnpg),
        Some(2 * DAY + 16 * HOUR)
    );
    assert_eq!(g("*/15 * * * * *", Dialect::Cnpg), Some(15));
    assert_eq!(g("*/7 * * * * *", Dialect::Cnpg), Some(7));
    assert_eq!(
        g("*/7 * * * *", Dialect::Velero),
        Some(7 * 60),
        "*/7 minutes: 56 -> 0 is only 4 minutes"
    );
    assert_eq!(
        g("0 */7 * * *", Dialect::Velero),
        Some(7 * HOUR),
        "hours 0,7,14,21"
    );
    assert_eq!(
        g("0 0 */5 * *", Dialect::Velero),
        Some(5 * DAY),
        "31 -> 1 is 1 day, 26 -> 31 is 5"
    );
    // Leap day: nothing fires in 2026; the gap from 2028-02-29 to 2032-02-29.
    let leap = ok("0 0 29 2 *", Dialect::Velero);
    assert_eq!(
        leap.next_after(DEFAULT_GAP_FROM),
        Some(t(2028, 2, 29, 0, 0, 0))
    );
    assert_eq!(
        leap.max_gap_over_year(DEFAULT_GAP_FROM),
        Some(t(2032, 2, 29, 0, 0, 0) - t(2028, 2, 29, 0, 0, 0))
    );
    assert_eq!(leap.max_gap_over_year(DEFAULT_GAP_FROM), Some(1461 * DAY));
    assert_eq!(
        ok("0 0 0 29 2 *", Dialect::Cnpg).max_gap_over_year(DEFAULT_GAP_FROM),
        Some(1461 * DAY)
    );
}

#[test]
fn max_gap_is_fast() {
    let specs = [
        ("*/15 * * * * *", Dialect::Cnpg),
        ("* * * * * *", Dialect::Cnpg),
        ("* * * * *", Dialect::Velero),
    ];
    for (spec, d) in specs {
        let s = ok(spec, d);
        let started = Instant::now();
        let g = s.max_gap_over_year(DEFAULT_GAP_FROM);
        let took = started.elapsed();
        assert!(g.is_some());
        // A few ms even unoptimised; generous bound for a busy shared machine.
        eprintln!("max_gap_over_year({spec}) took {took:?}");
        assert!(took.as_millis() < 50, "{spec}: {took:?}");
    }
}

/// Naive check of one second against the bitsets.
fn matches(f: &SpecFields, ts: i64) -> bool {
    let day = ts.div_euclid(DAY);
    let off = ts.rem_euclid(DAY);
    let (_, mo, dom) = cron::civil_from_days(day);
    let wd = (day + 4).rem_euclid(7);
    let bit = |bits: u64, v: i64| bits & (1 << v) != 0;
    let dom_ok = bit(f.dom, i64::from(dom));
    let dow_ok = bit(f.dow, wd);
    let day_ok = if f.dom_star || f.dow_star {
        dom_ok && dow_ok
    } else {
        dom_ok || dow_ok
    };
    bit(f.second, off % 60)
        && bit(f.minute, off % 3600 / 60)
        && bit(f.hour, off / 3600)
        && bit(f.month, i64::from(mo))
        && day_ok
}

#[test]
fn next_after_agrees_with_brute_force() {
    let specs = [
        ("*/7 13 * * * *", Dialect::Cnpg),
        ("30 */20 1,3 * * *", Dialect::Cnpg),
        ("0 2 * * *", Dialect::Cnpg),
        ("0 0 23 * * sat,sun", Dialect::Cnpg),
        ("0 0 12 1 * 3", Dialect::Cnpg),
        ("15 10-12 * * *", Dialect::Velero),
        ("0 22 * * 1-5", Dialect::Velero),
        ("*/10 * * * *", Dialect::CronJob),
    ];
    let starts = [
        t(2026, 1, 1, 0, 0, 0),
        t(2026, 2, 28, 23, 59, 59),
        t(2026, 12, 31, 22, 13, 7),
        t(2028, 2, 28, 11, 0, 1),
    ];
    for (spec, d) in specs {
        let s = ok(spec, d);
        let ScheduleKind::Spec(f) = s.kind else {
            panic!()
        };
        for &from in &starts {
            let got = s.next_after(from).unwrap();
            let mut want = from + 1;
            while !matches(&f, want) {
                want += 1;
                assert!(want - from < 9 * DAY, "{spec}: brute force ran away");
            }
            assert_eq!(
                cron::format_utc(got),
                cron::format_utc(want),
                "{spec} after {}",
                cron::format_utc(from)
            );
        }
    }
}

#[test]
fn max_gap_agrees_with_iteration() {
    let specs = [
        ("0 22 * * 1-5", Dialect::Velero),
        ("0 3 1,15 * 0", Dialect::Velero),
        ("0 30 1-5/2 * * *", Dialect::Cnpg),
        ("0 0 6 * 2,4 mon", Dialect::Cnpg),
        ("0 */5 7-8 * * *", Dialect::Cnpg),
    ];
    // Also from a non-midnight start.
    for from in [DEFAULT_GAP_FROM, DEFAULT_GAP_FROM + 5 * HOUR + 17] {
        for (spec, d) in specs {
            let s = ok(spec, d);
            let mut best = 0;
            let mut a = s.next_after(from - 1).unwrap();
            while a < from + 365 * DAY {
                let b = s.next_after(a).unwrap();
                best = best.max(b - a);
                a = b;
            }
            assert_eq!(s.max_gap_over_year(from), Some(best), "{spec} from {from}");
        }
    }
}

// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

#[test]
fn five_six_conversions() {
    assert_eq!(five_to_six("0 2 * * *").as_deref(), Some("0 0 2 * * *"));
    assert_eq!(
        five_to_six("  */15   2-4 * JAN mon-FRI ").as_deref(),
        Some("0 */15 2-4 * JAN mon-FRI")
    );
    assert_eq!(five_to_six("0 0 2 * * *"), None);
    assert_eq!(five_to_six("@daily"), None);
    assert_eq!(five_to_six(""), None);
    assert_eq!(six_to_five("0 0 2 * * *").as_deref(), Some("0 2 * * *"));
    assert_eq!(
        six_to_five("0 0 2 ? * MON-FRI").as_deref(),
        Some("0 2 ? * MON-FRI")
    );
    assert_eq!(six_to_five("30 0 2 * * *").as_deref(), Some("0 2 * * *"));
    assert_eq!(six_to_five("*/15 * * * * *"), None);
    assert_eq!(six_to_five("0,30 0 2 * * *"), None);
    assert_eq!(six_to_five("60 0 2 * * *"), None);
    assert_eq!(six_to_five("0 2 * * *"), None);

    for five in [
        "0 2 * * *",
        "*/15 * * * *",
        "0 2 * * MON-FRI",
        "30 4 1,15 jan-jun 0",
        "0 0 * * 6",
    ] {
        let six = five_to_six(five).unwrap();
        assert_eq!(six_to_five(&six).as_deref(), Some(five));
        // Same firings in both dialects.
        let v = ok(five, Dialect::Velero);
        let c = ok(&six, Dialect::Cnpg);
        assert_eq!(
            nexts(&v, DEFAULT_GAP_FROM, 20),
            nexts(&c, DEFAULT_GAP_FROM, 20),
            "{five}"
        );
        assert_eq!(c.cnpg_warning(), None);
    }
    for six in ["0 0 2 * * *", "0 30 2 * * 0", "0 */5 * * * *"] {
        assert_eq!(
            five_to_six(&six_to_five(six).unwrap()).as_deref(),
            Some(six)
        );
    }
}

// ---------------------------------------------------------------------------
// describe()
// ---------------------------------------------------------------------------

#[test]
fn describe_samples() {
    let cases: &[(&str, Dialect, &str)] = &[
        ("0 0 2 * * *", Dialect::Cnpg, "every day at 02:00:00"),
        (
            "0 2 * * *",
            Dialect::Cnpg,
            "every hour at minute 02 (second 00)",
        ),
        (
            "0 2 * * 1-5",
            Dialect::Velero,
            "at 02:00 on Monday through Friday",
        ),
        ("*/15 * * * *", Dialect::Cnpg, "every 15 seconds"),
        ("* * * * * *", Dialect::Cnpg, "every second"),
        ("* * * * *", Dialect::Velero, "every minute"),
        ("30 * * * * *", Dialect::Cnpg, "every minute at second 30"),
        (
            "0 */6 * * *",
            Dialect::Velero,
            "every day at 00:00, 06:00, 12:00 and 18:00",
        ),
        ("0 */2 * * *", Dialect::Velero, "every 2 hours at minute 00"),
        (
            "0 0 */2 * * *",
            Dialect::Cnpg,
            "every 2 hours at minute 00 (second 00)",
        ),
        (
            "30 2,14 * * *",
            Dialect::CronJob,
            "every day at 02:30 and 14:30",
        ),
        (
            "0,30 9-17 * * 1-5",
            Dialect::Velero,
            "every 30 minutes during hours 9-17 on Monday through Friday",
        ),
        ("* 9 * * *", Dialect::Velero, "every minute during hour 9"),
        (
            "0,20 9-17 * * *",
            Dialect::Velero,
            "at minutes 0,20 of hours 9-17",
        ),
        (
            "*/5 9-17 * * 1-5",
            Dialect::Velero,
            "every 5 minutes during hours 9-17 on Monday through Friday",
        ),
        (
            "0 0 1 * *",
            Dialect::Velero,
            "at 00:00 on day 1 of the month",
        ),
        (
            "0 0 1,15 * *",
            Dialect::Velero,
            "at 00:00 on days 1,15 of the month",
        ),
        (
            "0 4 * * 0,6",
            Dialect::Velero,
            "at 04:00 on Sunday, Saturday",
        ),
        (
            "0 4 * 1-3 *",
            Dialect::Velero,
            "at 04:00 in January through March",
        ),
        (
            "0 4 1 1,7 *",
            Dialect::Velero,
            "at 04:00 on day 1 of the month in January, July",
        ),
        ("@every 15m", Dialect::Velero, "every 15 minutes"),
        ("@every 45s", Dialect::Cnpg, "every 45 seconds"),
        (
            "@yearly",
            Dialect::Velero,
            "at 00:00 on day 1 of the month in January",
        ),
    ];
    for &(spec, d, want) in cases {
        assert_eq!(ok(spec, d).describe(), want, "{spec} {d:?}");
    }
}

// ---------------------------------------------------------------------------
// Dialects of backup operators: kopiur, K8up, Longhorn, K10.
// ---------------------------------------------------------------------------

const KOPIUR: Dialect = Dialect::Kopiur { seed: None };
const K8UP: Dialect = Dialect::K8up { seed: None };

#[test]
fn kopiur_h_fields_without_a_uid() {
    let s = ok("H 2 * * *", KOPIUR);
    assert_eq!(s.hashed.len(), 1);
    assert_eq!(s.describe(), "every day at a fixed minute of hour 02 (fixed per object by a hash)");
    assert_eq!(s.max_gap_over_year(DEFAULT_GAP_FROM), Some(DAY));
    // A day of the month from 1 to 28: the worst month-to-month gap is 31 days.
    let m = ok("H H H * *", KOPIUR);
    assert_eq!(m.hashed.len(), 3);
    assert_eq!(m.max_gap_over_year(DEFAULT_GAP_FROM), Some(31 * DAY));
    assert_eq!(m.describe(), "every day at a fixed minute of a fixed hour on a fixed day of the month (1-28) (fixed per object by a hash)".replace("every day at ", "at "));
    // A weekly H: seven days whatever the weekday.
    assert_eq!(ok("0 3 * * H", KOPIUR).max_gap_over_year(DEFAULT_GAP_FROM), Some(7 * DAY));
    // Jitter widens the worst case.
    let j = ok("H 2 * * *", KOPIUR).with_jitter(1800);
    assert_eq!(j.max_gap_over_year(DEFAULT_GAP_FROM), Some(DAY + 1800));
    assert!(j.describe().ends_with("each fire delayed by up to 30 minutes"), "{}", j.describe());
}

#[test]
fn kopiur_with_a_uid_and_errors() {
    let seed = cron::kopiur_seed("0b7c6a54-2f0e-4a52-9d7e-5f1d1c2e3a4b");
    let s = ok("H 2 * * *", Dialect::Kopiur { seed: Some(seed) });
    assert!(s.hashed.is_empty());
    let ScheduleKind::Spec(f) = s.kind else { panic!() };
    assert_eq!(f.minute.count_ones(), 1);
    assert_eq!(f.hour, 1 << 2);
    assert_eq!(ok("0 2 * * *", KOPIUR).describe(), "every day at 02:00");
    assert_eq!(ok("@daily", KOPIUR).describe(), "every day at 00:00");
    // croner's weekday 7 is Sunday.
    assert_eq!(ok("0 2 * * 7", KOPIUR).describe(), "at 02:00 on Sunday");
    assert!(err_msg("H/15 * * * *", KOPIUR).contains("whole field"));
    assert!(err_msg("0 2 L * *", KOPIUR).contains("does not evaluate"));
    assert!(err_msg("0 0 2 * * *", KOPIUR).starts_with("expected exactly 5 fields, found 6"));
    assert!(err_msg("@every 1h", KOPIUR).starts_with("unrecognized descriptor"));
    assert_eq!(err_msg("0 25 * * *", KOPIUR), "end of range (25) above maximum (23): 25");
    assert!(ok("0 2 * * MON-FRI", KOPIUR).hashed.is_empty());
    assert!(ok("0 2 * * thu", KOPIUR).hashed.is_empty());
}

#[test]
fn k8up_random_descriptors() {
    // K8up's own test vector.
    let seed = cron::k8up_seed("k8up-system", "my-scheduled-backup", "backup");
    assert_eq!(cron::k8up_randomize("@hourly-random", &seed).as_deref(), Some("52 * * * *"));
    assert_eq!(cron::k8up_randomize("@daily-random", &seed).as_deref(), Some("52 4 * * *"));
    assert_eq!(cron::k8up_randomize("@weekly-random", &seed).as_deref(), Some("52 4 * * 4"));
    assert_eq!(cron::k8up_randomize("@monthly-random", &seed).as_deref(), Some("52 4 26 * *"));
    assert_eq!(cron::k8up_randomize("@yearly-random", &seed).as_deref(), Some("52 4 26 5 *"));
    assert_eq!(cron::k8up_randomize("@annually-random", &seed).as_deref(), Some("52 4 26 5 *"));
    assert_eq!(cron::k8up_randomize("@daily", &seed), None);
    let exact = ok("@daily-random", Dialect::K8up { seed: Some(seed) });
    assert_eq!(exact.describe(), "every day at 04:52");
    // Without the namespace and name: some fixed time, still daily.
    let s = ok("@daily-random", K8UP);
    assert_eq!(s.describe(), "every day at a fixed minute of a fixed hour (fixed per object by a hash)");
    assert_eq!(s.max_gap_over_year(DEFAULT_GAP_FROM), Some(DAY));
    assert_eq!(ok("@weekly-random", K8UP).max_gap_over_year(DEFAULT_GAP_FROM), Some(7 * DAY));
    assert_eq!(ok("@monthly-random", K8UP).max_gap_over_year(DEFAULT_GAP_FROM), Some(31 * DAY));
    assert_eq!(ok("@hourly-random", K8UP).max_gap_over_year(DEFAULT_GAP_FROM), Some(HOUR));
    // Plain schedules are robfig v3.
    assert_eq!(ok("0 */4 * * *", K8UP).describe(), "every 4 hours at minute 00");
    assert_eq!(err_msg("@fortnightly-random", K8UP), "unrecognized descriptor: @fortnightly-random");
}

#[test]
fn longhorn_recurring_job_cron() {
    let d = Dialect::Longhorn;
    assert_eq!(ok("0 */6 * * *", d).describe(), "every day at 00:00, 06:00, 12:00 and 18:00");
    assert_eq!(ok("0 */6 * * *", d).max_gap_over_year(DEFAULT_GAP_FROM), Some(6 * HOUR));
    // Longhorn runs the job as a CronJob: the API server's rules apply.
    assert_eq!(err_msg("CRON_TZ=UTC 0 2 * * *", d), CRONJOB_TZ_IN_SCHEDULE);
    assert_eq!(err_msg("0 0 2 * * *", d), SIX_FIELDS_000.replace("[0 0 0", "[0 0 2"));
    assert_eq!(ok("@daily", d).max_gap_over_year(DEFAULT_GAP_FROM), Some(DAY));
}

#[test]
fn k10_frequencies() {
    let d = Dialect::K10;
    assert_eq!(ok("@hourly", d).describe(), "every hour at minute 00");
    assert_eq!(ok("@daily", d).describe(), "every day at 00:00");
    assert_eq!(ok("@weekly", d).max_gap_over_year(DEFAULT_GAP_FROM), Some(7 * DAY));
    assert_eq!(ok("@monthly", d).max_gap_over_year(DEFAULT_GAP_FROM), Some(31 * DAY));
    assert_eq!(ok("@yearly", d).max_gap_over_year(DEFAULT_GAP_FROM), Some(365 * DAY));
    assert!(err_msg("@onDemand", d).contains("started by hand"));
    assert!(err_msg("@fortnightly", d).starts_with("unknown frequency"));
    // subFrequency: twice a day at 02:30 and 14:30.
    let sub = cron::K10SubFrequency { minutes: vec![30], hours: vec![2, 14], ..Default::default() };
    let s = cron::k10_schedule("@daily", &sub).unwrap();
    assert_eq!(s.describe(), "every day at 02:30 and 14:30");
    assert_eq!(s.max_gap_over_year(DEFAULT_GAP_FROM), Some(12 * HOUR));
    let weekly = cron::K10SubFrequency { hours: vec![3], weekdays: vec![6], ..Default::default() };
    assert_eq!(cron::k10_schedule("@weekly", &weekly).unwrap().describe(), "at 03:00 on Saturday");
    let bad = cron::K10SubFrequency { minutes: vec![60], ..Default::default() };
    assert_eq!(cron::k10_schedule("@hourly", &bad).unwrap_err().message, "subFrequency.minutes: 60 is not in 0-59");
    // A cron expression, as recent releases accept.
    assert_eq!(ok("0 1 * * *", d).describe(), "every day at 01:00");
}
