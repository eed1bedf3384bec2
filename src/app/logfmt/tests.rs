//! Parsing tests: JSON (nested values, escapes, not-quite-JSON, cut lines), logfmt
//! (quoted values), plain lines (level words, 5xx codes, klog) and levels.

use super::*;
use crate::sanitize::is_forbidden;

fn structured(text: &str) -> (Option<Level>, Structured) {
    let p = parse(text);
    match p.shape {
        Shape::Structured(s) => (p.level, s),
        Shape::Plain(_) => panic!("not structured: {text}"),
    }
}

fn marks(text: &str) -> Vec<(&str, MarkKind)> {
    match parse(text).shape {
        Shape::Plain(m) => m
            .iter()
            .map(|m| (&text[m.start as usize..m.end as usize], m.kind))
            .collect(),
        Shape::Structured(_) => panic!("structured: {text}"),
    }
}

#[test]
fn json_becomes_level_message_and_fields_in_order() {
    let line = r#"{"time":"2026-12-01T20:35:06.177Z","level":"info","logger":"fittrack.api","msg":"workout synced","version":"v2.0.0","seq":42}"#;
    let (level, s) = structured(line);
    assert_eq!(level, Some(Level::Info));
    assert_eq!(s.msg(), "workout synced");
    assert_eq!(
        s.fields(false),
        "logger=fittrack.api version=v2.0.0 seq=42 time=2026-12-01T20:35:06.177Z"
    );
    assert_eq!(s.fields(true), "logger=fittrack.api version=v2.0.0 seq=42");
}

#[test]
fn json_nested_values_are_kept_as_written() {
    let (level, s) = structured(
        r#"{"level":"error","message":"boom","err":{"code":5,"tags":["a","b}"]},"ids":[1,2],"ok":false,"n":null,"f":-1.5e3}"#,
    );
    assert_eq!(level, Some(Level::Error));
    assert_eq!(s.msg(), "boom");
    assert_eq!(
        s.fields(true),
        r#"err={"code":5,"tags":["a","b}"]} ids=[1,2] ok=false n=null f=-1.5e3"#
    );
}

#[test]
fn json_values_with_spaces_are_quoted_and_newlines_shown() {
    let (_, s) = structured(r#"{"msg":"multi\nline","user":"Ann Lee","q":"a\"b","e":""}"#);
    assert_eq!(s.msg(), "multi ⏎ line");
    assert_eq!(s.fields(false), r#"user="Ann Lee" q="a\"b" e="""#);
}

#[test]
fn json_escapes_never_reach_the_terminal() {
    let line = r#"{"level":"warn","msg":"\u001b[2J\u001b]0;pwned\u0007hi\u009b31m","\u001b[1mkey":"\u001b[31mred\u202e","x":"\ud83d\ude00"}"#;
    let (level, s) = structured(line);
    assert_eq!(level, Some(Level::Warn));
    for text in [s.msg(), s.fields(false)] {
        assert!(!text.chars().any(is_forbidden), "{text:?}");
    }
    assert_eq!(s.msg(), "hi");
    assert_eq!(s.fields(false), "key=red x=😀");
}

#[test]
fn numeric_levels_and_level_keys() {
    assert_eq!(parse(r#"{"level":50,"msg":"x"}"#).level, Some(Level::Error));
    assert_eq!(
        parse(r#"{"severity":"WARNING","message":"x"}"#).level,
        Some(Level::Warn)
    );
    assert_eq!(
        parse(r#"{"log.level":"debug","event":"x"}"#).level,
        Some(Level::Debug)
    );
    // An unknown level stays a field.
    let (level, s) = structured(r#"{"level":"chatty","msg":"x"}"#);
    assert_eq!(level, None);
    assert_eq!(s.fields(false), "level=chatty");
}

#[test]
fn not_quite_json_stays_plain() {
    for line in [
        r#"{"level":"info","msg":"x"} trailing"#,
        r#"{"level":"info", msg}"#,
        r#"{"level":"info","msg":"x""#,
        r#"{level: info}"#,
        r#"{"a":tru}"#,
        r#"{"a":"bad \q escape"}"#,
        "{}",
        "{ not json at all",
    ] {
        let p = parse(line);
        assert!(!p.is_structured(), "{line}");
    }
    // The plain reading still finds the level word.
    assert_eq!(parse(r#"{"level":"info", msg}"#).level, Some(Level::Info));
}

#[test]
fn a_cut_json_line_keeps_its_whole_pairs() {
    let mut line = r#"{"level":"error","msg":"db pool exhausted","query":""#.to_string();
    line.push_str(&"x".repeat(5_000));
    line.push(crate::sanitize::CUT_MARKER);
    let (level, s) = structured(&line);
    assert_eq!(level, Some(Level::Error));
    assert_eq!(s.msg(), "db pool exhausted");
    assert_eq!(s.fields(false), "…");
    let (_, s) = structured(&format!(
        r#"{{"ts":"10:00","msg":"m","q":"{}…"#,
        "x".repeat(50)
    ));
    assert_eq!((s.fields(false), s.fields(true)), ("… ts=10:00", "…"));
}

#[test]
fn huge_lines_parse_without_trouble() {
    let big = "y".repeat(100_000);
    let (_, s) = structured(&format!(
        r#"{{"msg":"{big}","depth":{}{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    ));
    assert_eq!(s.msg().len(), 100_000);
    let plain = parse(&"ERROR ".repeat(20_000));
    assert_eq!(plain.level, Some(Level::Error));
    assert!(matches!(plain.shape, Shape::Plain(m) if m.len() <= 8));
}

#[test]
fn logfmt_with_quoted_values() {
    let (level, s) = structured(
        r#"ts=2026-12-01T20:35:06Z level=warn msg="slow query on workouts" ms=812 sql="select \"x\"" empty="#,
    );
    assert_eq!(level, Some(Level::Warn));
    assert_eq!(s.msg(), "slow query on workouts");
    assert_eq!(
        s.fields(false),
        r#"ms=812 sql="select \"x\"" empty="" ts=2026-12-01T20:35:06Z"#
    );
    assert_eq!(s.fields(true), r#"ms=812 sql="select \"x\"" empty="""#);
}

#[test]
fn logfmt_escapes_are_sanitized() {
    let (_, s) = structured(r#"level=info msg="a\x1b[31mb\u001bc" k="\x9b2J""#);
    assert_eq!(s.msg(), "ab");
    assert!(!s.fields(false).chars().any(is_forbidden));
}

#[test]
fn prose_with_an_equals_sign_stays_plain() {
    for line in [
        "retrying in 5s attempt=3",
        "x=1",
        "a=b c",
        r#"level=info msg="unterminated"#,
        "sum: a+b=c",
    ] {
        assert!(!parse(line).is_structured(), "{line}");
    }
}

#[test]
fn plain_lines_mark_level_words_as_words() {
    assert_eq!(
        marks("2026-12-01 ERROR retry after warn; info_only errors Debug"),
        [
            ("ERROR", MarkKind::Level(Level::Error)),
            ("warn", MarkKind::Level(Level::Warn)),
            ("Debug", MarkKind::Level(Level::Debug)),
        ]
    );
    assert_eq!(parse("[WARNING] disk 91%").level, Some(Level::Warn));
    assert_eq!(parse("all good").level, None);
    assert_eq!(
        parse("E1201 20:35:06.177 1 reflector.go:1] x").level,
        Some(Level::Error)
    );
}

#[test]
fn access_lines_mark_5xx_only() {
    assert_eq!(
        marks("GET /api/workouts 500 8ms"),
        [("500", MarkKind::ServerError)]
    );
    assert_eq!(parse("GET /api/workouts 500 8ms").level, Some(Level::Error));
    let combined = r#"10.0.0.7 - - [01/Dec/2026] "POST /api/500 HTTP/1.1" 503 512 12ms"#;
    assert_eq!(marks(combined), [("503", MarkKind::ServerError)]);
    // The status is the first code after the method: a 5xx-sized body is not a status.
    assert!(marks("GET /x HTTP/1.1 200 503 12ms").is_empty());
    assert_eq!(parse("GET /x 404 3ms").level, None);
    // No method: a number is just a number.
    assert!(marks("retried 500 times").is_empty());
}

#[test]
fn levels_order_and_words() {
    assert!(Level::Fatal > Level::Error && Level::Error > Level::Warn);
    assert!(Level::Warn > Level::Info && Level::Debug > Level::Trace);
    for l in Level::ALL {
        assert_eq!(Level::from_word(l.word()), Some(l));
        assert_eq!(l.tag().len(), 3);
    }
    assert_eq!(Level::from_word("Critical"), Some(Level::Fatal));
    assert_eq!(Level::from_word("warnings"), None);
}

proptest::proptest! {
    #[test]
    fn parsing_never_panics_and_shows_nothing_forbidden(text in ".{0,200}") {
        let p = parse(&text);
        match p.shape {
            Shape::Structured(s) => {
                proptest::prop_assert!(!s.msg().chars().any(is_forbidden));
                proptest::prop_assert!(!s.fields(false).chars().any(is_forbidden));
                proptest::prop_assert!(s.fields(false).starts_with(s.fields(true)));
            }
            Shape::Plain(marks) => {
                for m in marks.iter() {
                    proptest::prop_assert!(text.get(m.start as usize..m.end as usize).is_some());
                }
            }
        }
    }

    #[test]
    fn json_shaped_input_never_panics(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("{".to_string()), proptest::strategy::Just("}".to_string()),
                proptest::strategy::Just("\"".to_string()), proptest::strategy::Just(":".to_string()),
                proptest::strategy::Just(",".to_string()), proptest::strategy::Just("\\u".to_string()),
                proptest::strategy::Just("\\".to_string()), proptest::strategy::Just("[".to_string()),
                "[a-z0-9d]{0,4}",
            ], 0..40),
    ) {
        let _ = parse(&format!("{{{}", parts.concat()));
        let _ = parse(&format!("a={} b=\"{}", parts.concat(), parts.concat()));
    }
}
