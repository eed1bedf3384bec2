//! A plain line: level words (`ERROR`, `warn`, ... case-insensitively, as whole words) and,
//! in an access-log line, a 5xx status code are marked. The line's level is its first
//! level word; failing that, an access line answering 5xx counts as an error.
//! Kubernetes' own klog header (`E1201 20:35:06.177 ...`) names the level too.

use super::{Level, Mark, MarkKind, Parsed, Shape};

/// Most marks kept per line (a line of level words should not grow the buffer much).
const MAX_MARKS: usize = 8;

/// HTTP methods that make a line an access-log line.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Read a plain line.
pub fn parse(text: &str) -> Parsed {
    let b = text.as_bytes();
    let mut marks = Vec::new();
    let mut level = klog(b);
    if let Some(l) = level {
        marks.push(mark(0, 1, MarkKind::Level(l)));
    }
    let mut method_end = None;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_word(b[i]) {
            i += 1;
        }
        if start > 0 && is_word(b[start - 1]) {
            continue;
        }
        let word = &text[start..i];
        if let Some(l) = Level::from_word(word) {
            level.get_or_insert(l);
            if marks.len() < MAX_MARKS {
                marks.push(mark(start, i, MarkKind::Level(l)));
            }
        } else if method_end.is_none() && METHODS.contains(&word) {
            method_end = Some(i);
        }
    }
    if let Some((start, code)) = method_end.and_then(|from| status(b, from)) {
        if code >= 500 {
            level.get_or_insert(Level::Error);
            if marks.len() < MAX_MARKS {
                marks.push(mark(start, start + 3, MarkKind::ServerError));
                marks.sort_by_key(|m| m.start);
            }
        }
    }
    Parsed {
        level,
        shape: Shape::Plain(marks.into_boxed_slice()),
    }
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn mark(start: usize, end: usize, kind: MarkKind) -> Mark {
    Mark {
        start: start as u32,
        end: end as u32,
        kind,
    }
}

/// `I1201 `, `W1201 `, `E1201 `, `F1201 ` at the start.
fn klog(b: &[u8]) -> Option<Level> {
    let head = b.get(..6)?;
    if !head[1..5].iter().all(u8::is_ascii_digit) || head[5] != b' ' {
        return None;
    }
    Some(match head[0] {
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' => Level::Fatal,
        _ => return None,
    })
}

/// The first stand-alone three-digit status (100–599) after byte `from`: its start and value.
fn status(b: &[u8], from: usize) -> Option<(usize, u16)> {
    let sep = |c: Option<&u8>| matches!(c, None | Some(b' ' | b'"' | b',' | b'\t'));
    let mut i = from;
    while i + 3 <= b.len() {
        let digits = &b[i..i + 3];
        if digits.iter().all(u8::is_ascii_digit)
            && sep(b.get(i.wrapping_sub(1)))
            && sep(b.get(i + 3))
        {
            let code = digits
                .iter()
                .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
            if (100..600).contains(&code) {
                return Some((i, code));
            }
        }
        i += 1;
    }
    None
}
