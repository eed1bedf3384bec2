//! Buffer tests: bounds, scrolling and following, the combined filter (regex, level, pod),
//! search jumps (n/N, wrap-around, "k of n"), and levels carried by continuation lines.

use super::*;

fn filled(n: usize) -> LogBuffer {
    let mut b = LogBuffer::new(1000, 1 << 20);
    for i in 0..n {
        b.push(
            format!("pod-{}", i % 3),
            "app".into(),
            None,
            format!("line {i}"),
        );
    }
    b
}

fn visible(b: &LogBuffer, rows: usize) -> Vec<String> {
    let mut v: Vec<_> = b
        .iter_visible()
        .take(rows)
        .map(|e| e.text.clone())
        .collect();
    v.reverse();
    v
}

fn regex(re: &str) -> LineFilter {
    LineFilter {
        regex: Some(Regex::new(re).unwrap()),
        ..LineFilter::default()
    }
}

#[test]
fn bounded_by_lines_and_bytes() {
    let mut b = LogBuffer::new(5, 1 << 20);
    for i in 0..8 {
        b.push("p".into(), "c".into(), None, format!("{i}"));
    }
    assert_eq!(b.len(), 5);
    assert_eq!(b.evicted, 3);
    assert_eq!(visible(&b, 1), ["7"]);

    let mut b = LogBuffer::new(1000, 1000);
    for _ in 0..100 {
        b.push("p".into(), "c".into(), None, "x".repeat(100));
    }
    assert!(b.bytes() <= 1000, "{}", b.bytes());
    assert!(b.len() < 10 && !b.is_empty());
}

#[test]
fn the_parsed_form_counts_against_the_byte_bound() {
    let json = format!(
        r#"{{"level":"info","msg":"{}","k":"{}"}}"#,
        "m".repeat(200),
        "v".repeat(200)
    );
    let mut plain = LogBuffer::new(1000, 1 << 20);
    let mut structured = LogBuffer::new(1000, 1 << 20);
    plain.push("p".into(), "c".into(), None, "x".repeat(json.len()));
    structured.push("p".into(), "c".into(), None, json);
    assert!(structured.bytes() >= plain.bytes() + 400);
}

#[test]
fn scrolling_up_pauses_and_new_lines_do_not_move_the_view() {
    let mut b = filled(20);
    assert!(b.following());
    b.scroll_up(5);
    assert!(!b.following());
    assert_eq!(visible(&b, 2), ["line 13", "line 14"]);
    b.push("pod-0".into(), "app".into(), None, "new".into());
    assert_eq!(visible(&b, 2), ["line 13", "line 14"]);
    assert_eq!(b.below_view(), 6);
    b.scroll_down(2);
    assert_eq!(visible(&b, 1), ["line 16"]);
    assert!(!b.following(), "scrolling down stays paused");
    b.follow();
    assert_eq!(visible(&b, 1), ["new"]);
    assert_eq!(b.below_view(), 0);
}

#[test]
fn filter_counts_only_matching_lines() {
    let mut b = filled(30);
    b.set_filter(regex("line 1[0-9]$"));
    assert_eq!(visible(&b, 3), ["line 17", "line 18", "line 19"]);
    assert_eq!(b.hidden(), 20);
    b.scroll_up(2);
    assert_eq!(visible(&b, 2), ["line 16", "line 17"]);
    b.oldest(3);
    assert_eq!(visible(&b, 3), ["line 10", "line 11", "line 12"]);
    // New lines are judged as they arrive.
    b.push("pod-0".into(), "app".into(), None, "other".into());
    assert_eq!(b.hidden(), 21);
}

/// Plain, JSON and logfmt lines of three levels from two pods.
fn leveled() -> LogBuffer {
    let mut b = LogBuffer::new(1000, 1 << 20);
    for (pod, text) in [
        ("a", "INFO started"),
        ("b", r#"{"level":"warn","msg":"slow query"}"#),
        ("a", "level=error msg=\"db down\""),
        ("b", "GET /api/workouts 500 8ms"),
        ("a", "no level here"),
        ("b", r#"{"level":"debug","msg":"cache"}"#),
        ("a", "ERROR timeout talking to db"),
    ] {
        b.push(pod.into(), "c".into(), None, text.into());
    }
    b
}

#[test]
fn level_filter_combines_with_the_regex_and_the_pod() {
    let mut b = leveled();
    let warn = Some(Level::Warn);
    b.set_filter(LineFilter {
        min_level: warn,
        ..LineFilter::default()
    });
    assert_eq!(
        visible(&b, 10),
        [
            r#"{"level":"warn","msg":"slow query"}"#,
            "level=error msg=\"db down\"",
            "GET /api/workouts 500 8ms",
            "ERROR timeout talking to db"
        ]
    );
    assert_eq!(b.hidden(), 3);
    b.set_filter(LineFilter {
        regex: Some(Regex::new("db").unwrap()),
        min_level: warn,
        pod: None,
    });
    assert_eq!(
        visible(&b, 10),
        ["level=error msg=\"db down\"", "ERROR timeout talking to db"]
    );
    b.set_filter(LineFilter {
        regex: Some(Regex::new("db").unwrap()),
        min_level: Some(Level::Error),
        pod: Some("a".into()),
    });
    assert_eq!(b.hidden(), 5);
    b.set_filter(LineFilter {
        pod: Some("b".into()),
        min_level: Some(Level::Error),
        ..LineFilter::default()
    });
    assert_eq!(visible(&b, 10), ["GET /api/workouts 500 8ms"]);
    assert!(b.filter().same(None, Some(Level::Error), Some("b")));
    assert!(!b.filter().same(None, Some(Level::Warn), Some("b")));
}

#[test]
fn indented_continuation_lines_carry_the_level_of_their_pod() {
    let mut b = LogBuffer::new(100, 1 << 20);
    for (pod, text) in [
        ("a", "ERROR request failed"),
        ("b", "INFO unrelated"),
        ("a", "    at com.fittrack.Db.query(Db.java:42)"),
        ("a", "plain again"),
        ("a", "    indented but after a plain line"),
    ] {
        b.push(pod.into(), "c".into(), None, text.into());
    }
    let levels: Vec<_> = b.iter().map(|e| e.parsed.level).collect();
    assert_eq!(
        levels,
        [
            Some(Level::Error),
            Some(Level::Info),
            Some(Level::Error),
            None,
            None
        ]
    );
}

#[test]
fn search_jumps_wrap_around_and_count() {
    let mut b = filled(30);
    b.set_search(Some(Regex::new("line [12]5$").unwrap()));
    assert_eq!(b.matches(), 2);
    assert_eq!(b.match_position(), None, "no current match yet");
    // From the bottom, older first: the newest match, then the one before, then wrap.
    assert_eq!(b.jump(Jump::Older, 0), Some((2, 2)));
    assert_eq!(visible(&b, 1), ["line 25"]);
    assert!(!b.following(), "a jump pauses following");
    assert_eq!(b.jump(Jump::Older, 0), Some((1, 2)));
    assert_eq!(visible(&b, 1), ["line 15"]);
    assert_eq!(b.jump(Jump::Older, 0), Some((2, 2)), "wraps to the newest");
    assert_eq!(b.jump(Jump::Newer, 0), Some((1, 2)), "wraps to the oldest");
    assert_eq!(b.jump(Jump::Newer, 3), Some((2, 2)));
    // With context, the match sits above the bottom of the view.
    assert_eq!(visible(&b, 4), ["line 25", "line 26", "line 27", "line 28"]);
    let current = b.current_match().unwrap();
    assert!(b.iter().any(|e| e.seq == current && e.hit()));
    // Other lines stay visible: search never hides.
    assert_eq!(b.hidden(), 0);
}

#[test]
fn search_counts_only_shown_lines_and_follows_evictions() {
    let mut b = LogBuffer::new(10, 1 << 20);
    for i in 0..10 {
        b.push("p".into(), "c".into(), None, format!("hit {i}"));
    }
    b.set_search(Some(Regex::new("hit").unwrap()));
    b.set_filter(regex("[02468]$"));
    assert_eq!(b.matches(), 5);
    assert_eq!(
        b.jump(Jump::Newer, 0),
        Some((1, 5)),
        "from the bottom, wraps to the oldest"
    );
    assert_eq!(visible(&b, 1), ["hit 0"]);
    for i in 10..12 {
        b.push("p".into(), "c".into(), None, format!("hit {i}"));
    }
    // "hit 0" was evicted, "hit 10" arrived: still five, and the current match is gone.
    assert_eq!(b.matches(), 5);
    assert_eq!(b.match_position(), None);
    assert_eq!(b.jump(Jump::Newer, 0), Some((1, 5)));
    b.set_search(None);
    assert_eq!((b.matches(), b.jump(Jump::Newer, 0)), (0, None));
}

#[test]
fn anchor_evicted_clamps_to_oldest() {
    let mut b = LogBuffer::new(5, 1 << 20);
    for i in 0..5 {
        b.push("p".into(), "c".into(), None, format!("{i}"));
    }
    b.scroll_up(4);
    for i in 5..9 {
        b.push("p".into(), "c".into(), None, format!("{i}"));
    }
    assert_eq!(visible(&b, 5), ["4"]);
}

proptest::proptest! {
    #[test]
    fn bounds_and_counts_hold_and_scrolling_never_panics(
        ops in proptest::collection::vec((0u8..8, 0usize..40, ".{0,30}"), 0..200),
        max_lines in 1usize..50,
        max_bytes in 1usize..4000,
    ) {
        let mut b = LogBuffer::new(max_lines, max_bytes);
        let vowels = Regex::new("[aeiou]").unwrap();
        for (op, n, text) in ops {
            match op {
                0 | 1 => b.push(format!("p{}", n % 4), "c".into(), None, text),
                2 => b.scroll_up(n),
                3 => b.scroll_down(n),
                4 => b.oldest(n),
                5 => b.set_filter(if n % 2 == 0 { regex("a") } else { LineFilter::default() }),
                6 => b.set_search(Some(vowels.clone())),
                _ => {
                    let _ = b.jump(if n % 2 == 0 { Jump::Newer } else { Jump::Older }, n);
                }
            }
            proptest::prop_assert!(b.len() <= max_lines);
            proptest::prop_assert!(b.bytes() <= max_bytes || b.len() == 1);
            let hidden = b.iter().filter(|e| !b.filter().accepts(e)).count();
            proptest::prop_assert_eq!(b.hidden(), hidden);
            let hits = b.iter().filter(|e| b.filter().accepts(e) && e.hit()).count();
            proptest::prop_assert_eq!(b.matches(), hits);
            let _ = b.iter_visible().take(5).count();
            let _ = b.below_view();
            let _ = b.match_position();
        }
    }
}

#[test]
fn pods_get_stable_distinct_slots() {
    let b = filled(9);
    let slot = |p: &str| b.iter_visible().find(|e| e.pod == p).unwrap().slot;
    assert_ne!(slot("pod-0"), slot("pod-1"));
    assert_ne!(slot("pod-1"), slot("pod-2"));
    assert!(b
        .iter_visible()
        .filter(|e| e.pod == "pod-0")
        .all(|e| e.slot == slot("pod-0")));
}
