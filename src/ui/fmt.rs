//! Small text helpers shared by the widgets: ages, truncation, pod short names.

use chrono::{DateTime, Utc};

use crate::sanitize::display_width;

/// "45s", "14m", "2h", "3d" — like kubectl's AGE column.
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let s = (now - then).num_seconds().max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// "12 s", "3 min 12 s", "2 h 5 min" — a duration for prose ("updated 12 s ago").
pub fn duration(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let s = (now - then).num_seconds().max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// "45s", "3m12s", "2h05m" — a precise duration in few columns.
pub fn compact(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let s = (now - then).num_seconds().max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
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

    #[test]
    fn ages_and_durations() {
        let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let at = |s| t0 + chrono::Duration::seconds(s);
        assert_eq!(age(at(45), t0), "45s");
        assert_eq!(age(at(14 * 60), t0), "14m");
        assert_eq!(age(at(3 * 3600), t0), "3h");
        assert_eq!(age(at(3 * 86400), t0), "3d");
        assert_eq!(age(t0, at(5)), "0s");
        assert_eq!(duration(at(192), t0), "3 min 12 s");
        assert_eq!(compact(at(192), t0), "3m12s");
        assert_eq!(compact(at(7500), t0), "2h05m");
    }

    #[test]
    fn fitting() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit_end("fittrack-7c9d-abcde", 8), "…d-abcde");
        assert_eq!(fit_end("short", 8), "short");
        assert_eq!(pod_short("fittrack-7c9d-abcde"), "abcde");
    }
}
