//! Text → `Config`: TOML syntax, then shape (serde), then meaning (`validate`).

use std::path::Path;

use toml::de::DeTable;

use super::error::{ConfigError, Diagnostic};
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
    let problems: Vec<Diagnostic> = validate::check(&config)
        .into_iter()
        .map(|p| Diagnostic {
            position: index.locate(&p.key),
            key: p.key,
            message: p.message,
        })
        .collect();
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(invalid(problems))
    }
}

/// A toml error with its key path recovered from the span index.
fn from_toml(index: &SpanIndex, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim().replace('\n', "; ");
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
        key,
        position: Some(index.position(span.start)),
        message,
    }
}

/// `missing field `x`` → `x`.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split('`').next()
}
