//! Turning key/value pairs into a [`Parsed`] line: which key is the level, the message and
//! the timestamp, and the rest as sanitized `key=value` text in the order written.

use std::borrow::Cow;

use super::{Level, Parsed, Shape, Structured};
use crate::sanitize::{sanitize_oneline, CUT_MARKER};

/// A value as read.
pub enum Value<'a> {
    /// A string, unescaped (not yet sanitized).
    Text(Cow<'a, str>),
    /// Written as is: a number, `true`/`false`/`null`, or a nested object or array.
    Raw(&'a str),
}

/// Keys naming the level (compared without case).
const LEVEL_KEYS: [&str; 6] = [
    "level",
    "lvl",
    "severity",
    "loglevel",
    "log.level",
    "levelname",
];
/// Keys naming the message, first one present wins.
const MSG_KEYS: [&str; 4] = ["msg", "message", "event", "log"];
/// Keys naming the line's own timestamp.
const TIME_KEYS: [&str; 4] = ["time", "ts", "timestamp", "@timestamp"];

fn is_one_of(key: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Untrusted text made safe to show: printable ASCII as is, the rest through the sanitizer
/// (escapes and controls removed, embedded newlines shown as ⏎).
fn clean(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Cow::Borrowed(s)
    } else {
        // Wide enough never to cut: a tab is the widest expansion of one byte.
        Cow::Owned(sanitize_oneline(s, s.len() * 8 + 8))
    }
}

fn push_value(out: &mut String, value: &Value) {
    match value {
        Value::Raw(raw) => out.push_str(&clean(raw)),
        Value::Text(text) => {
            let text = clean(text);
            if text.is_empty() || text.contains([' ', '"', '=']) {
                out.push('"');
                out.push_str(&text.replace('"', "\\\""));
                out.push('"');
            } else {
                out.push_str(&text);
            }
        }
    }
}

fn push_field(out: &mut String, key: &str, value: &Value) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(&clean(key));
    out.push('=');
    push_value(out, value);
}

/// Collects the pairs of one structured line, writing the fields straight into the
/// string the line keeps; the timestamp field and the message are added at the end.
pub struct Builder<'a> {
    level: Option<Level>,
    msg: Option<Cow<'a, str>>,
    time: Option<(Cow<'a, str>, Value<'a>)>,
    text: String,
    /// The line's length: room for the fields, taken when the first one is written.
    len: usize,
    pairs: usize,
}

impl<'a> Builder<'a> {
    /// A builder for a line of `len` bytes (the fields rarely need more).
    pub fn new(len: usize) -> Self {
        Builder {
            level: None,
            msg: None,
            time: None,
            text: String::new(),
            len,
            pairs: 0,
        }
    }

    /// The string the line keeps, sized once (nothing is taken for a line that turns out
    /// not to be structured).
    fn text(&mut self) -> &mut String {
        if self.text.capacity() == 0 {
            self.text.reserve(self.len + 8);
        }
        &mut self.text
    }

    /// Take one pair, in the order written.
    pub fn add(&mut self, key: Cow<'a, str>, value: Value<'a>) {
        self.pairs += 1;
        if self.level.is_none() && is_one_of(&key, &LEVEL_KEYS) {
            let level = match &value {
                Value::Text(t) => Level::from_word(t.trim()),
                Value::Raw(n) => Level::from_number(n),
            };
            if level.is_some() {
                self.level = level;
                return;
            }
        }
        let nested = matches!(value, Value::Raw(r) if r.starts_with(['{', '[']));
        if self.msg.is_none() && !nested && is_one_of(&key, &MSG_KEYS) {
            self.msg = Some(match value {
                Value::Text(Cow::Borrowed(t)) => clean(t),
                Value::Text(Cow::Owned(t)) => Cow::Owned(clean(&t).into_owned()),
                raw => {
                    let mut msg = String::new();
                    push_value(&mut msg, &raw);
                    Cow::Owned(msg)
                }
            });
            return;
        }
        if self.time.is_none() && is_one_of(&key, &TIME_KEYS) {
            self.time = Some((key, value));
            return;
        }
        push_field(self.text(), &key, &value);
    }

    /// The line, if any pair was read; `cut` says the line was cut short (shown as "…").
    pub fn finish(mut self, cut: bool) -> Option<Parsed> {
        if self.pairs == 0 {
            return None;
        }
        self.text();
        let mut text = self.text;
        if cut {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push(CUT_MARKER);
        }
        let rest_end = text.len() as u32;
        if let Some((key, value)) = &self.time {
            push_field(&mut text, key, value);
        }
        let fields_end = text.len() as u32;
        if let Some(msg) = &self.msg {
            text.push_str(msg);
        }
        Some(Parsed {
            level: self.level,
            shape: Shape::Structured(Structured {
                text: text.into_boxed_str(),
                rest_end,
                fields_end,
            }),
        })
    }
}
