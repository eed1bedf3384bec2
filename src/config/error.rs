//! Configuration errors: every problem names the file, line, column and key path.

use std::fmt;
use std::path::PathBuf;

use super::spans::Position;

/// Most columns of a configured value echoed in an error.
pub const SHOWN_MAX: usize = 60;

/// A configured value as an error quotes it: sanitized and cut to [`SHOWN_MAX`] columns
/// with "…", so a 100 KB value never floods the terminal.
pub fn shown(value: &str) -> String {
    crate::sanitize::sanitize_oneline(value, SHOWN_MAX)
}

/// Most columns of one problem's message.
pub const MESSAGE_MAX: usize = 800;

/// A problem's message made safe to print: control characters gone, every word longer than
/// [`SHOWN_MAX`] cut with "…" (a quoted 100 KB value, a 309-digit number), and the whole cut
/// to [`MESSAGE_MAX`]. Applied to every message, from serde, toml or our own checks.
pub fn tidy(message: &str) -> String {
    let words: Vec<String> = message
        .split(' ')
        .map(|w| {
            if w.chars().count() > SHOWN_MAX {
                crate::sanitize::sanitize_oneline(w, SHOWN_MAX)
            } else {
                w.to_string()
            }
        })
        .collect();
    crate::sanitize::sanitize_oneline(&words.join(" "), MESSAGE_MAX)
}

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Dotted key path (`router.kind`, `colors.green.namespace`); empty for the whole file.
    pub key: String,
    /// Where in the file, when the key (or its table) is written there.
    pub position: Option<Position>,
    /// What is wrong, and what to do about it.
    pub message: String,
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read configuration: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No configuration file was found anywhere in the search order.
    #[error("no configuration file found; looked in:\n{}", searched.iter().map(|s| format!("  - {s}")).collect::<Vec<_>>().join("\n"))]
    NotFound {
        /// Each place looked at, with why it did not count ("not set", "does not exist").
        searched: Vec<String>,
    },
    /// The file was read but is not a valid configuration.
    #[error("{}", render(origin, problems))]
    Invalid {
        /// The file (or a `<demo:...>` pseudo-path).
        origin: PathBuf,
        /// Every problem found, in file order where known.
        problems: Vec<Diagnostic>,
    },
}

impl ConfigError {
    /// The individual problems (empty for read and not-found errors).
    pub fn problems(&self) -> &[Diagnostic] {
        match self {
            ConfigError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// `origin:line:column: key: message`, one problem a line, like a compiler.
fn render(origin: &std::path::Path, problems: &[Diagnostic]) -> String {
    problems
        .iter()
        .map(|p| format!("{}", Located { origin, problem: p }))
        .collect::<Vec<_>>()
        .join("\n")
}

struct Located<'a> {
    origin: &'a std::path::Path,
    problem: &'a Diagnostic,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin.display())?;
        if let Some(p) = self.problem.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        if !self.problem.key.is_empty() {
            write!(f, ": `{}`", self.problem.key)?;
        }
        write!(f, ": {}", self.problem.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_file_line_column_and_key() {
        let err = ConfigError::Invalid {
            origin: PathBuf::from("/etc/cutover.toml"),
            problems: vec![
                Diagnostic {
                    key: "router.kind".into(),
                    position: Some(Position { line: 3, column: 8 }),
                    message: "bad".into(),
                },
                Diagnostic {
                    key: String::new(),
                    position: None,
                    message: "worse".into(),
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "/etc/cutover.toml:3:8: `router.kind`: bad\n/etc/cutover.toml: worse"
        );
        assert_eq!(err.problems().len(), 2);
    }

    #[test]
    fn not_found_lists_every_place() {
        let err = ConfigError::NotFound {
            searched: vec!["--config: not given".into(), "/x: does not exist".into()],
        };
        let text = err.to_string();
        assert!(
            text.contains("  - --config: not given\n  - /x: does not exist"),
            "{text}"
        );
    }
}
