//! Text → `Config`: TOML syntax, then shape (serde), then meaning (`validate`).

use std::path::Path;

use toml::de::DeTable;

use super::error::{shown, tidy, ConfigError, Diagnostic};
use super::schema::Config;
use super::spans::SpanIndex;
use super::validate;

/// Parse and validate a configuration; `origin` names the file in error messages.
pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
    let invalid = |problems| ConfigError::Invalid {
        origin: origin.to_path_buf(),
        problems,
    };
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let index = SpanIndex::new(text, root.get_ref());
    if !syntax_errors.is_empty() {
        let located = |e: &toml::de::Error| {
            let mut d = from_toml(&index, e);
            // A broken line is not in the (recovered) table; read its key from the text.
            if let (true, Some(p)) = (d.key.is_empty(), d.position) {
                d.key = index.key_on_line(p.line);
            }
            d
        };
        return Err(invalid(syntax_errors.iter().map(located).collect()));
    }
    let config: Config = toml::from_str(text).map_err(|e| invalid(vec![from_toml(&index, &e)]))?;
    let mut problems: Vec<Diagnostic> = validate::check(&config)
        .into_iter()
        .map(|p| Diagnostic {
            position: index.locate(&p.key),
            key: shown(&p.key),
            message: tidy(&p.message),
        })
        .collect();
    // Read top to bottom like the file; problems without a place go last.
    problems.sort_by_key(|d| d.position.map_or((usize::MAX, 0), |p| (p.line, p.column)));
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(invalid(problems))
    }
}

/// A toml error with its key path recovered from the span index.
fn from_toml(index: &SpanIndex, err: &toml::de::Error) -> Diagnostic {
    let message = tidy(&err.message().trim().replace('\n', "; "));
    let Some(span) = err.span() else {
        return Diagnostic {
            key: String::new(),
            position: None,
            message,
        };
    };
    let mut key = index.path_at(span.start);
    // serde reports a missing field at its table; name the field itself.
    if let Some(field) = quoted_after(&message, "missing field ") {
        key = if key.is_empty() {
            field.to_owned()
        } else {
            format!("{key}.{field}")
        };
    }
    Diagnostic {
        key: shown(&key),
        position: Some(index.position(span.start)),
        message,
    }
}

/// `missing field `x`` → `x`.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXAMPLE: &str = include_str!("../../config.example.toml");

    /// Every truncation of the example either parses or yields located problems: no panics,
    /// and every problem of a cut-off file points inside it.
    #[test]
    fn truncated_example_never_panics() {
        let lines = EXAMPLE.lines().count();
        for cut in EXAMPLE.char_indices().map(|(i, _)| i).step_by(7) {
            let text = &EXAMPLE[..cut];
            if let Err(e) = parse(text, Path::new("cut.toml")) {
                for p in e.problems() {
                    let line = p.position.map_or(1, |p| p.line);
                    assert!(line <= lines + 1, "{cut}: {p:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text, Path::new("any.toml"));
        }

        #[test]
        fn arbitrary_line_edits_never_panic(line in 0usize..200, junk in "[ -~\\n\\[\\]\"=]{0,40}") {
            let mut lines: Vec<&str> = EXAMPLE.lines().collect();
            let at = line % lines.len();
            lines[at] = &junk;
            let _ = parse(&lines.join("\n"), Path::new("edit.toml"));
        }
    }
}
