//! Small text helpers shared by the widgets: ages, truncation, pod short names.

use chrono::{DateTime, Utc};

use crate::sanitize::display_width;

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
    if display_width(s) <= max || max == 0 {
        return if max == 0 {
            String::new()
        } else {
            s.to_string()
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(max - 1)..]
        .iter()
        .collect();
    format!("…{tail}")
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
    fn fitting() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit_end("fittrack-7c9d-abcde", 8), "…d-abcde");
        assert_eq!(fit_end("short", 8), "short");
        assert_eq!(pod_short("fittrack-7c9d-abcde"), "abcde");
    }
}
