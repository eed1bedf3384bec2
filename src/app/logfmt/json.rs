//! A JSON object line read pair by pair, in the order written, borrowing what needs no
//! unescaping. Nested objects and arrays are kept as written. Anything that is not one
//! well-formed object (trailing text, a bad escape, a bare word) is not JSON: the line
//! stays plain. A line cut short by the stream's length limit keeps the pairs read whole.

use std::borrow::Cow;

use super::build::{Builder, Value};
use super::Parsed;

/// Parse `t` (starting with `{`); `cut` says the line was cut short.
pub fn parse(t: &str, cut: bool) -> Option<Parsed> {
    let mut s = Scan {
        t,
        b: t.as_bytes(),
        i: 1,
    };
    let mut out = Builder::new(t.len());
    let whole = s.pairs(&mut out).is_some() && s.at_end();
    if whole {
        out.finish(false)
    } else if cut {
        out.finish(true)
    } else {
        None
    }
}

struct Scan<'a> {
    t: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// Only whitespace after the closing brace.
    fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

    /// The pairs up to the closing brace, each handed to `out` as soon as it is whole.
    fn pairs(&mut self, out: &mut Builder<'a>) -> Option<()> {
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.eat(b':')?;
            self.ws();
            let value = self.value()?;
            out.add(key, value);
            self.ws();
            match self.b.get(self.i)? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self) -> Option<Value<'a>> {
        match self.b.get(self.i)? {
            b'"' => self.string().map(Value::Text),
            b'{' | b'[' => {
                let start = self.i;
                self.skip_nested()?;
                Some(Value::Raw(&self.t[start..self.i]))
            }
            _ => {
                let start = self.i;
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                let word = &self.t[start..self.i];
                literal(word).then_some(Value::Raw(word))
            }
        }
    }

    /// Past a nested object or array: brackets counted, strings skipped.
    fn skip_nested(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match *self.b.get(self.i)? {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                b'"' => {
                    self.string()?;
                    continue;
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// A string at `"`: borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        let start = self.i + 1;
        let mut escaped = false;
        let mut i = start;
        loop {
            match *self.b.get(i)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        self.i = i + 1;
        let body = self.t.get(start..i)?;
        if escaped {
            unescape(body).map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(body))
        }
    }
}

/// A number, `true`, `false` or `null`.
fn literal(word: &str) -> bool {
    matches!(word, "true" | "false" | "null")
        || (word.starts_with(|c: char| c == '-' || c.is_ascii_digit())
            && word
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')))
}

/// A JSON string body's escapes decoded (`\u` surrogate pairs joined; a lone surrogate
/// becomes U+FFFD). None for an escape JSON does not have.
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = hex4(&mut chars)?;
                if (0xd800..0xdc00).contains(&hi) {
                    let rest = chars.as_str();
                    match rest.strip_prefix("\\u").and_then(hex) {
                        Some(lo) => {
                            chars = rest[6..].chars();
                            char::from_u32(
                                0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff),
                            )
                            .filter(|_| (0xdc00..0xe000).contains(&lo))
                            .unwrap_or('\u{fffd}')
                        }
                        None => '\u{fffd}',
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{fffd}')
                }
            }
            _ => return None,
        });
    }
    Some(out)
}

/// The value of the four hex digits `s` starts with.
fn hex(s: &str) -> Option<u32> {
    let digits = s.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

fn hex4(chars: &mut std::str::Chars) -> Option<u32> {
    let n = hex(chars.as_str())?;
    *chars = chars.as_str()[4..].chars();
    Some(n)
}
