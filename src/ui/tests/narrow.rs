//! Narrow and tiny terminals: the traffic verdict is the last thing to lose space, cut text
//! ends in "…", and below the minimum size the screen says how large it needs to be.

use super::{buffer, row, screen_text};
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::update::update;
use crate::model::Color;

#[test]
fn a_tiny_terminal_says_how_large_it_needs_to_be_and_still_where_traffic_goes() {
    let s = sample::state(3, 10);
    for (w, h) in [(30, 8), (59, 30), (100, 15)] {
        let text = screen_text(&buffer(&s, w, h));
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!(
                "cutover needs at least 60×16; this terminal is {w}×{h}"
            )),
            "{w}x{h}:\n{text}"
        );
        assert!(
            text.lines().next().unwrap().contains(" BLUE LIVE "),
            "{text}"
        );
    }
    let text = screen_text(&buffer(&s, 60, 16));
    assert!(!text.contains("needs at least"), "{text}");
}

#[test]
fn the_verdict_and_a_disagreeing_lb_outlast_everything_else() {
    let mut s = sample::state(3, 10);
    update(&mut s, sample::lb("v2.0.0", Some(Color::Green)));
    for w in 60..=200 {
        let traffic = row(&buffer(&s, w, 24), 1);
        assert!(traffic.contains(" BLUE LIVE "), "{w}: {traffic}");
        assert!(
            traffic.contains("LB serves v2.0.0 = GREEN ≠ router"),
            "{w}: {traffic}"
        );
        for partial in ["LB se ", "= BLU ", "= GRE "] {
            assert!(!traffic.contains(partial), "{w}: {traffic}");
        }
    }
    // An agreeing LB gives way to the verdict; nothing is left half a word.
    let s = sample::state(3, 10);
    for w in 60..=200 {
        let traffic = row(&buffer(&s, w, 24), 1);
        assert!(traffic.contains(" BLUE LIVE "), "{w}: {traffic}");
        let lb = traffic.find("LB").map(|i| &traffic[i..]);
        assert!(
            lb.is_none_or(|t| t.starts_with("LB serves v1.9.3 = BLUE")),
            "{w}: {traffic}"
        );
    }
}

#[test]
fn cut_lines_end_in_an_ellipsis() {
    let mut s = sample::state(3, 10);
    update(
        &mut s,
        Msg::Notice {
            at: sample::now(),
            text: "a notice much longer than any timeline row could ever hold, ".repeat(5),
            warning: false,
        },
    );
    for w in [60, 80, 100] {
        let buf = buffer(&s, w, 24);
        let text = screen_text(&buf);
        let notice = text.lines().find(|l| l.contains("a notice much")).unwrap();
        assert!(notice.ends_with("…│"), "{w}: {notice}");
        // The green pane's title is cut before its corner, with a marker.
        let titles = row(&buf, 3);
        assert!(
            titles.ends_with("…┐") || titles.contains("fittrack-green ─"),
            "{w}: {titles}"
        );
    }
}
