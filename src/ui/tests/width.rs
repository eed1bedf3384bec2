//! Text whose width terminals and layouts disagree on stays inside its pane or overlay.

use chrono::Duration;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::{buffer, find, screen_text};
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::state::{Modal, Screen};
use crate::app::update::update;
use crate::model::Color;
use crate::ui::view;

/// Text that terminals and layouts measure differently, as it arrives from the cluster.
fn hostile(text: &str) -> String {
    crate::cluster::clean(text)
}

const WIDE_TROUBLE: &str =
    "🇺🇸🇺🇸🇺🇸🇺🇸 👨\u{200d}👩\u{200d}👧 ❤\u{fe0f} 1\u{fe0f}\u{20e3} 👍\u{1f3fd} \
     日本語のテキスト日本語のテキスト ｶ\u{ff9e} e\u{301} 🇩🇪🇫🇷🇯🇵🇺🇸🇬🇧🇨🇦🇮🇹🇪🇸🇧🇷🇲🇽 end";

/// Every cell is as wide for a terminal counting characters as for the layout counting
/// graphemes, and no flag (whose width terminals disagree on) is drawn.
fn widths_agree(buf: &Buffer) {
    use ratatui::buffer::CellWidth;
    for cell in buf.content() {
        let sym = cell.symbol();
        assert_eq!(
            usize::from(sym.cell_width()),
            crate::sanitize::display_width(sym),
            "cell {sym:?}"
        );
        assert!(
            !sym.chars()
                .any(|c| ('\u{1f1e6}'..='\u{1f1ff}').contains(&c)),
            "a flag is drawn: {sym:?}"
        );
    }
}

/// Cells that differ between two renders of the same size.
fn changed(a: &Buffer, b: &Buffer) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for y in 0..a.area.height {
        for x in 0..a.area.width {
            if a[(x, y)] != b[(x, y)] {
                out.push((x, y));
            }
        }
    }
    out
}

#[test]
fn width_troubles_stay_inside_their_pane_and_overlay() {
    let with_event = |message: &str| {
        let mut s = sample::state(3, 40);
        let mut pods: Vec<_> = (0..3).map(|i| sample::pod(Color::Blue, i)).collect();
        pods[2].status = hostile(message);
        update(
            &mut s,
            Msg::Pods {
                color: Color::Blue,
                pods,
            },
        );
        update(
            &mut s,
            Msg::Events(vec![crate::model::KubeEvent {
                uid: "wide".into(),
                time: sample::now() - Duration::seconds(1),
                namespace: "fittrack-blue".into(),
                object: format!("Pod/{}", sample::pod(Color::Blue, 0).name),
                reason: "Flags".into(),
                message: hostile(message),
                kind: crate::model::EventKind::Normal,
                count: 1,
            }]),
        );
        s
    };
    for (w, h) in [(120, 40), (80, 24), (67, 20)] {
        let plain = with_event("plain");
        let wide = with_event(WIDE_TROUBLE);
        let mut drawn = Default::default();
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| drawn = view(f, &wide)).unwrap();
        let (a, b) = (buffer(&plain, w, h), t.backend().buffer().clone());
        widths_agree(&b);
        let drawn: crate::app::state::Viewport = drawn;
        // The timeline's inner rows and the blue pane's inside, nothing else.
        let (_, top) = find(&b, " timeline (")[0];
        let timeline = (top + 1)..=(top + drawn.timeline_rows as u16);
        let blue_pane = |x: u16, y: u16| x >= 1 && x < w / 2 - 1 && y >= 3 && y < top - 1;
        for (x, y) in changed(&a, &b) {
            let in_timeline = timeline.contains(&y) && x >= 1 && x < w - 1;
            assert!(
                in_timeline || blue_pane(x, y),
                "{w}x{h}: cell {x},{y} changed outside the timeline and the blue pane:\n{}",
                screen_text(&b)
            );
        }
        // The pod detail lists the Event and the status: drawn inside its box only.
        let pod = sample::pod(Color::Blue, 0).name;
        let mut open = wide.clone();
        open.modal = Some(Modal::PodDetail {
            color: Color::Blue,
            pod,
            scroll: 0,
        });
        let with_modal = buffer(&open, w, h);
        widths_agree(&with_modal);
        let rect = crate::ui::detail::centered(
            Rect::new(0, 0, w, h),
            w.saturating_sub(8).max(40),
            h.saturating_sub(4).max(10),
        );
        for (x, y) in changed(&b, &with_modal) {
            assert!(
                rect.contains(ratatui::layout::Position { x, y }),
                "{w}x{h}: cell {x},{y} changed outside the pod detail {rect:?}:\n{}",
                screen_text(&with_modal)
            );
        }
    }
}

#[test]
fn an_empty_app_log_says_how_to_get_more() {
    let mut s = sample::state(3, 40);
    s.screen = Screen::AppLog;
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(
        text.contains("cutover's own log is empty; CUTOVER_LOG=debug shows more"),
        "{text}"
    );
}
