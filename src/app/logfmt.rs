//! Reading a log line once, when it arrives: a JSON object or logfmt becomes a level, a
//! message and the remaining fields; a plain line gets its level words and an access log's
//! 5xx status marked. The log panes draw from this form, so no frame parses a line.
//!
//! Field text is sanitized again after unescaping: `\u001b` inside a JSON string (or
//! `\x1b` in a logfmt value) is harmless text in the raw line and an escape once decoded.

mod build;
mod json;
mod kv;
mod plain;

use crate::sanitize::CUT_MARKER;

/// How severe a line is, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// TRACE.
    Trace,
    /// DEBUG.
    Debug,
    /// INFO (also NOTICE).
    Info,
    /// WARN / WARNING.
    Warn,
    /// ERROR / ERR / SEVERE.
    Error,
    /// FATAL / CRITICAL / PANIC.
    Fatal,
}

impl Level {
    /// Every level, least severe first.
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    /// The level a word names, case-insensitively ("warn", "WARNING", "Err", ...).
    pub fn from_word(word: &str) -> Option<Level> {
        if word.len() > 8 {
            return None;
        }
        let mut buf = [0u8; 8];
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        Some(match &*lower {
            b"trace" => Level::Trace,
            b"debug" => Level::Debug,
            b"info" | b"notice" => Level::Info,
            b"warn" | b"warning" => Level::Warn,
            b"error" | b"err" | b"severe" => Level::Error,
            b"fatal" | b"critical" | b"crit" | b"panic" | b"alert" | b"emerg" => Level::Fatal,
            _ => return None,
        })
    }

    /// The level of a numeric value as pino and bunyan write it (10 trace … 60 fatal).
    pub fn from_number(n: &str) -> Option<Level> {
        Some(match n {
            "10" => Level::Trace,
            "20" => Level::Debug,
            "30" => Level::Info,
            "40" => Level::Warn,
            "50" => Level::Error,
            "60" => Level::Fatal,
            _ => return None,
        })
    }

    /// The level in words: "ERROR".
    pub fn word(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }

    /// The level in three letters, for a coloured badge: "ERR".
    pub fn tag(self) -> &'static str {
        match self {
            Level::Trace => "TRC",
            Level::Debug => "DBG",
            Level::Info => "INF",
            Level::Warn => "WRN",
            Level::Error => "ERR",
            Level::Fatal => "FTL",
        }
    }
}

/// What a marked range of a plain line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A level word ("ERROR", "warn").
    Level(Level),
    /// A 5xx status code in an access-log line.
    ServerError,
}

/// A marked byte range of a plain line's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// What it is.
    pub kind: MarkKind,
}

/// A structured line as it is shown: message, then the other fields as `key=value`.
/// One string holds it all (one allocation per line): the fields, the timestamp field last
/// among them, then the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structured {
    text: Box<str>,
    /// End of the fields without the timestamp field.
    rest_end: u32,
    /// End of the fields with it; the message starts here.
    fields_end: u32,
}

impl Structured {
    /// The message (`msg`, `message`, `event`, `log`), sanitized; may be empty.
    pub fn msg(&self) -> &str {
        &self.text[self.fields_end as usize..]
    }

    /// The other fields, sanitized, in the order written; without the timestamp field
    /// when `drop_time` (the stream's own timestamp is shown).
    pub fn fields(&self, drop_time: bool) -> &str {
        let end = if drop_time {
            self.rest_end
        } else {
            self.fields_end
        };
        &self.text[..end as usize]
    }

    /// Heap bytes held.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }
}

/// How a line is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Plain text with marked ranges (level words, 5xx codes).
    Plain(Box<[Mark]>),
    /// A JSON object or logfmt line.
    Structured(Structured),
}

/// A line read once at ingestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Its level, when it says one.
    pub level: Option<Level>,
    /// How it is shown.
    pub shape: Shape,
}

impl Parsed {
    /// Heap bytes held (for the buffer's byte bound).
    pub fn bytes(&self) -> usize {
        match &self.shape {
            Shape::Plain(marks) => marks.len() * std::mem::size_of::<Mark>(),
            Shape::Structured(s) => s.bytes(),
        }
    }

    /// A JSON or logfmt line.
    pub fn is_structured(&self) -> bool {
        matches!(self.shape, Shape::Structured(_))
    }
}

/// Read a sanitized line: JSON object, logfmt, else plain.
pub fn parse(text: &str) -> Parsed {
    let t = text.trim_start();
    let structured = if t.starts_with('{') {
        json::parse(t, text.ends_with(CUT_MARKER))
    } else if t.as_bytes().contains(&b'=') {
        kv::parse(t, text.ends_with(CUT_MARKER))
    } else {
        None
    };
    structured.unwrap_or_else(|| plain::parse(text))
}

#[cfg(test)]
mod tests;
