//! Unit tests of the private helpers.

    use super::*;

    #[test]
    fn go_duration() {
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("90s"), Ok(90_000_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("-1m"), Ok(-60_000_000_000));
        assert_eq!(parse_go_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_go_duration("2\u{b5}s"), Ok(2_000));
        assert_eq!(parse_go_duration("2\u{3bc}s"), Ok(2_000));
        assert_eq!(parse_go_duration(".5s"), Ok(500_000_000));
        assert_eq!(
            parse_go_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(
            parse_go_duration("1d"),
            Err("time: unknown unit \"d\" in duration \"1d\"".into())
        );
        assert_eq!(
            parse_go_duration(""),
            Err("time: invalid duration \"\"".into())
        );
        assert_eq!(
            parse_go_duration(".s"),
            Err("time: invalid duration \".s\"".into())
        );
        assert_eq!(
            parse_go_duration("x1h"),
            Err("time: invalid duration \"x1h\"".into())
        );
        assert_eq!(
            parse_go_duration("1\u{e9}"),
            Err("time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"".into())
        );
        assert_eq!(
            parse_go_duration("9999999999h"),
            Err("time: invalid duration \"9999999999h\"".into())
        );
    }

    #[test]
    fn atoi() {
        assert_eq!(go_atoi("+5"), Ok(5));
        assert_eq!(go_atoi("-5"), Ok(-5));
        assert_eq!(
            go_atoi("L"),
            Err("strconv.Atoi: parsing \"L\": invalid syntax".into())
        );
        assert_eq!(
            go_atoi(""),
            Err("strconv.Atoi: parsing \"\": invalid syntax".into())
        );
        assert_eq!(
            go_atoi("99999999999999999999"),
            Err("strconv.Atoi: parsing \"99999999999999999999\": value out of range".into())
        );
    }

    #[test]
    fn zones_from_the_bundled_database() {
        assert!(go_load_location("Europe/Rome").is_ok());
        assert!(go_load_location("US/Eastern").is_ok());
        assert_eq!(go_load_location("Mars/Base"), Err("unknown time zone Mars/Base".into()));
        assert_eq!(go_load_location("europe/rome"), Err("unknown time zone europe/rome".into()));
        assert_eq!(go_load_location("../etc"), Err("time: invalid location name".into()));
        assert_eq!(go_load_location("a b"), Err("unknown time zone a b".into()));
        assert_eq!(go_load_location(""), Ok(()));
    }

    #[test]
    fn calendar_round_trip() {
        for day in [-800_000i64, -1, 0, 1, 20_454, 59, 60, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(unix_time(2026, 1, 1, 0, 0, 0), DEFAULT_GAP_FROM);
        assert_eq!(weekday(days_from_civil(2026, 11, 23)), 1);
    }

    #[test]
    fn intra_day_gap() {
        let s = parse("0 0,30 9-17 * * *", Dialect::Cnpg).unwrap();
        let ScheduleKind::Spec(f) = s.kind else {
            panic!()
        };
        assert_eq!(f.max_intra_day_gap(), Some(1800));
        assert_eq!(f.last_offset(), Some(17 * 3600 + 30 * 60));
    }
