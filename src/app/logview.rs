//! How the log panes are viewed, beyond the `/` filter: a level filter, structured or raw
//! lines, a search (highlights, never hides), one pod only, and one color zoomed.

use regex::Regex;

use super::logfmt::Level;
use crate::model::Color;

/// Which levels the panes show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LevelFilter {
    /// Every line.
    #[default]
    All,
    /// Warnings, errors and worse.
    Warnings,
    /// Errors and worse.
    Errors,
}

impl LevelFilter {
    /// The next setting: all → warnings and errors → errors only → all.
    pub fn next(self) -> LevelFilter {
        match self {
            LevelFilter::All => LevelFilter::Warnings,
            LevelFilter::Warnings => LevelFilter::Errors,
            LevelFilter::Errors => LevelFilter::All,
        }
    }

    /// The least level shown (None: all lines, with or without a level).
    pub fn min_level(self) -> Option<Level> {
        match self {
            LevelFilter::All => None,
            LevelFilter::Warnings => Some(Level::Warn),
            LevelFilter::Errors => Some(Level::Error),
        }
    }

    /// In words, for the pane title and the footer.
    pub fn words(self) -> &'static str {
        match self {
            LevelFilter::All => "all levels",
            LevelFilter::Warnings => "warnings and errors",
            LevelFilter::Errors => "errors only",
        }
    }
}

/// The log panes' viewing options.
#[derive(Debug, Clone, Default)]
pub struct LogView {
    /// Level filter (both colors).
    pub level: LevelFilter,
    /// Show structured lines as received.
    pub raw: bool,
    /// The applied search.
    pub search: Option<Regex>,
    /// Text being typed into the search, while typing.
    pub search_input: Option<String>,
    /// Why the typed search is invalid.
    pub search_error: Option<String>,
    /// Per color (blue, green): show only the selected pod's lines.
    pub pod_only: [bool; 2],
    /// The color whose logs fill the screen.
    pub zoom: Option<Color>,
}

/// Compile a typed regex; a bad one says why in one line ("bad regex: unclosed group").
pub fn compile(input: &str) -> Result<Regex, String> {
    Regex::new(input).map_err(|e| {
        // regex errors are multi-line with a caret diagram; keep the last line.
        let msg = e.to_string();
        let last = msg
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid");
        format!("bad regex: {}", last.trim_start_matches("error: "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_filter_cycles_through_three_settings() {
        let mut f = LevelFilter::default();
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push((f, f.min_level()));
            f = f.next();
        }
        assert_eq!(f, LevelFilter::All);
        assert_eq!(
            seen,
            [
                (LevelFilter::All, None),
                (LevelFilter::Warnings, Some(Level::Warn)),
                (LevelFilter::Errors, Some(Level::Error)),
            ]
        );
    }

    #[test]
    fn bad_regexes_say_why_in_one_line() {
        let err = compile("(oops").unwrap_err();
        assert!(
            err.starts_with("bad regex: ") && !err.contains('\n'),
            "{err}"
        );
        assert!(compile("err(or)?").is_ok());
    }
}
