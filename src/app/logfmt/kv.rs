//! A logfmt line (`level=warn msg="slow query" ms=812`): only when every word is a
//! `key=value` pair and there are at least two, so prose with one `=` stays plain.

use std::borrow::Cow;

use super::build::{Builder, Value};
use super::Parsed;

/// Parse `t`; `cut` says the line was cut short (an open quote at the end is then kept).
pub fn parse(t: &str, cut: bool) -> Option<Parsed> {
    let b = t.as_bytes();
    let mut out = Builder::new(t.len());
    let mut pairs = 0;
    let mut i = 0;
    loop {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        while b.get(i).is_some_and(|c| key_byte(*c)) {
            i += 1;
        }
        if i == start || b.get(i) != Some(&b'=') {
            return None;
        }
        let key = &t[start..i];
        i += 1;
        let value = if b.get(i) == Some(&b'"') {
            match quoted(t, i + 1) {
                Some((text, end)) => {
                    i = end;
                    text
                }
                None if cut && pairs >= 1 => return out.finish(true),
                None => return None,
            }
        } else {
            let from = i;
            while b.get(i).is_some_and(|c| *c != b' ') {
                i += 1;
            }
            Cow::Borrowed(&t[from..i])
        };
        if !matches!(b.get(i), None | Some(b' ')) {
            return None;
        }
        out.add(Cow::Borrowed(key), Value::Text(value));
        pairs += 1;
    }
    (pairs >= 2).then(|| out.finish(false)).flatten()
}

/// Bytes a logfmt key may have.
fn key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'@' | b'/' | b':')
}

/// The quoted value starting at byte `from` (just after the opening quote), unescaped
/// like Go's `strconv.Quote` output, and the index after its closing quote.
fn quoted(t: &str, from: usize) -> Option<(Cow<'_, str>, usize)> {
    let b = t.as_bytes();
    let mut i = from;
    let mut escaped = false;
    loop {
        match *b.get(i)? {
            b'"' => break,
            b'\\' => {
                escaped = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
    let body = t.get(from..i)?;
    let text = if escaped {
        Cow::Owned(unescape(body))
    } else {
        Cow::Borrowed(body)
    };
    Some((text, i + 1))
}

/// `\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`, `\uXXXX` decoded; any other escape kept as written.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let esc = &rest[at + 1..];
        let (decoded, used) = match esc.as_bytes().first() {
            Some(b'"') => (Some('"'), 1),
            Some(b'\\') => (Some('\\'), 1),
            Some(b'n') => (Some('\n'), 1),
            Some(b't') => (Some('\t'), 1),
            Some(b'r') => (Some('\r'), 1),
            Some(b'x') => (code(esc.get(1..3)), 3),
            Some(b'u') => (code(esc.get(1..5)), 5),
            _ => (None, 0),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &esc[used..];
            }
            None => {
                out.push('\\');
                rest = esc;
            }
        }
    }
    out.push_str(rest);
    out
}

fn code(hex: Option<&str>) -> Option<char> {
    let hex = hex?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}
