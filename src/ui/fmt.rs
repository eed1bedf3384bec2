//! Small text helpers shared by the widgets: ages, truncation, pod short names.

use chrono::{DateTime, Utc};

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::sanitize::{display_width, CUT_MARKER};

/// How long ago `then` was, in the one style of [`crate::model::age_text`]: "2m10s".
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    crate::model::age_text((now - then).num_seconds())
}

/// Cut `s` to `max` columns, keeping its start and marking the cut with "…".
pub fn fit(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_string();
    }
    crate::sanitize::sanitize_line(s, max)
}

/// Cut `s` to `max` columns, keeping its end (pod names differ at the end).
pub fn fit_end(s: &str, max: usize) -> String {
    use ratatui::buffer::CellWidth;
    use unicode_segmentation::UnicodeSegmentation;
    if display_width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut tail: Vec<&str> = Vec::new();
    let mut used = 1;
    for g in s.graphemes(true).rev() {
        let w = usize::from(g.cell_width());
        if used + w > max {
            break;
        }
        tail.push(g);
        used += w;
    }
    tail.reverse();
    format!("{CUT_MARKER}{}", tail.concat())
}

/// `line` cut to `width` columns; a cut line ends in "…" (styled like the text it cuts).
pub fn fit_line(line: Line<'_>, width: usize) -> Line<'_> {
    use ratatui::buffer::CellWidth;
    use unicode_segmentation::UnicodeSegmentation;
    if line.width() <= width {
        return line;
    }
    let Line {
        spans,
        style,
        alignment,
        ..
    } = line;
    let room = width.saturating_sub(1);
    let mut out: Vec<Span> = Vec::new();
    let mut used = 0;
    let mut last_style = Style::default();
    'spans: for span in spans {
        let mut kept = String::new();
        for g in span.content.graphemes(true) {
            let w = usize::from(g.cell_width());
            if used + w > room {
                if !kept.is_empty() {
                    out.push(Span::styled(kept, span.style));
                }
                last_style = span.style;
                break 'spans;
            }
            kept.push_str(g);
            used += w;
        }
        last_style = span.style;
        out.push(Span::styled(kept, span.style));
    }
    if width > 0 {
        out.push(Span::styled(CUT_MARKER.to_string(), last_style));
    }
    let mut cut = Line::from(out).style(style);
    cut.alignment = alignment;
    cut
}

/// A line made of parts that can be left out, least important first, to fit a width.
#[derive(Default)]
pub struct Parts<'a> {
    parts: Vec<(u8, Vec<Span<'a>>)>,
}

impl<'a> Parts<'a> {
    /// Never left out (still cut with "…" when even it does not fit).
    pub const KEEP: u8 = u8::MAX;

    /// Add a part with its importance (higher stays longer).
    pub fn push(&mut self, importance: u8, spans: impl IntoIterator<Item = Span<'a>>) {
        self.parts.push((importance, spans.into_iter().collect()));
    }

    /// The line in `width` columns: the least important parts left out until it fits,
    /// then cut with "…" if it still does not.
    pub fn fit(mut self, width: usize) -> Line<'a> {
        let total = |parts: &[(u8, Vec<Span>)]| -> usize {
            parts.iter().flat_map(|(_, s)| s).map(Span::width).sum()
        };
        while total(&self.parts) > width {
            let droppable = self
                .parts
                .iter()
                .enumerate()
                .filter(|(_, (imp, _))| *imp < Self::KEEP)
                .min_by_key(|(i, (imp, _))| (*imp, usize::MAX - i));
            // A line with nothing kept is not emptied: its last, most important part is
            // cut instead (a long "RECONNECTING …" must not leave a blank header line).
            let kept_width: usize = self
                .parts
                .iter()
                .filter(|(imp, _)| *imp == Self::KEEP)
                .flat_map(|(_, s)| s)
                .map(Span::width)
                .sum();
            let left = self
                .parts
                .iter()
                .filter(|(imp, s)| *imp < Self::KEEP && s.iter().any(|s| s.width() > 0))
                .count();
            match droppable {
                Some(_) if kept_width == 0 && left <= 1 => break,
                Some((i, _)) => {
                    self.parts.remove(i);
                }
                None => break,
            }
        }
        let spans: Vec<Span> = self.parts.into_iter().flat_map(|(_, s)| s).collect();
        fit_line(Line::from(spans), width)
    }
}

/// Split sanitized text into rows of at most `width` columns, between graphemes.
pub fn wrap_columns(text: &str, width: usize) -> Vec<String> {
    use ratatui::buffer::CellWidth;
    use unicode_segmentation::UnicodeSegmentation;
    let width = width.max(1);
    let mut rows = vec![String::new()];
    let mut col = 0;
    for g in text.graphemes(true) {
        let w = usize::from(g.cell_width());
        if col + w > width && col > 0 {
            rows.push(String::new());
            col = 0;
        }
        rows.last_mut().expect("a row").push_str(g);
        col += w;
    }
    rows
}

/// The distinguishing end of a pod name: "fittrack-7c9d-abcde" → "abcde".
pub fn pod_short(name: &str) -> &str {
    name.rsplit('-').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// One style for every age, never wider than 6 columns (below 100 days).
    #[test]
    fn ages_have_one_style() {
        let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let at = |s| t0 + chrono::Duration::seconds(s);
        assert_eq!(age(at(45), t0), "45s");
        assert_eq!(age(at(118), t0), "1m58s");
        assert_eq!(age(at(120), t0), "2m");
        assert_eq!(age(at(130), t0), "2m10s");
        assert_eq!(age(at(14 * 60), t0), "14m");
        assert_eq!(age(at(3 * 3600), t0), "3h");
        assert_eq!(age(at(7500), t0), "2h5m");
        assert_eq!(age(at(3 * 86400 + 4 * 3600), t0), "3d4h");
        assert_eq!(age(t0, at(5)), "0s");
        for secs in (0..100 * 86_400).step_by(997) {
            assert!(age(at(secs), t0).len() <= 6, "{secs}");
        }
    }

    #[test]
    fn cut_lines_end_in_the_marker_and_keep_styles() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let line = Line::from(vec![
            Span::raw("traffic → "),
            Span::styled("BLUE LIVE", bold),
        ]);
        let cut = fit_line(line.clone(), 15);
        assert_eq!(cut.to_string(), "traffic → BLUE…");
        assert_eq!(cut.spans.last().unwrap().style, bold);
        assert_eq!(fit_line(line.clone(), 40), line);
        assert_eq!(
            fit_line(Line::from("日本語テキスト"), 6).to_string(),
            "日本…"
        );
        assert!(fit_line(Line::from("日本語テキスト"), 6).width() <= 6);
    }

    #[test]
    fn parts_leave_out_the_least_important_first() {
        let mut parts = Parts::default();
        parts.push(3, [Span::raw("traffic → ")]);
        parts.push(Parts::KEEP, [Span::raw("BLUE LIVE")]);
        parts.push(1, [Span::raw(" since 10:41")]);
        parts.push(7, [Span::raw(" · LB = GREEN ≠ router")]);
        parts.push(0, [Span::raw(" · GREEN standby")]);
        assert_eq!(parts.fit(40).to_string(), "BLUE LIVE · LB = GREEN ≠ router");
        let mut parts = Parts::default();
        parts.push(3, [Span::raw("traffic → ")]);
        parts.push(Parts::KEEP, [Span::raw("BLUE LIVE")]);
        parts.push(0, [Span::raw(" · GREEN standby")]);
        assert_eq!(parts.fit(12).to_string(), "BLUE LIVE");
        let mut parts = Parts::default();
        parts.push(Parts::KEEP, [Span::raw("BLUE LIVE")]);
        assert_eq!(parts.fit(5).to_string(), "BLUE…");
    }

    #[test]
    fn a_line_with_nothing_kept_cuts_its_most_important_part_instead_of_emptying() {
        let mut parts = Parts::default();
        parts.push(5, [Span::raw(" cutover")]);
        parts.push(Parts::KEEP, Vec::<Span>::new());
        parts.push(
            8,
            [Span::raw(
                " · ⚠ RECONNECTING (6 feeds) · connection refused",
            )],
        );
        parts.push(1, [Span::raw("  ? help")]);
        assert_eq!(parts.fit(24).to_string(), " · ⚠ RECONNECTING (6 fe…");
    }

    #[test]
    fn fitting() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit_end("fittrack-7c9d-abcde", 8), "…d-abcde");
        assert_eq!(fit_end("名前のポッド", 5), "…ッド");
        assert_eq!(fit_end("short", 8), "short");
        assert_eq!(pod_short("fittrack-7c9d-abcde"), "abcde");
    }
}
