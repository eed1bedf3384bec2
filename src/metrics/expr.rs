//! Expressions over scraped series, for custom signals of the scrape source:
//! `db_pool_connections_active / db_pool_connections_max`,
//! `rate(cache_hits_total) / (rate(cache_hits_total) + rate(cache_misses_total))`.
//!
//! A selector (`name` or `name{label="v", other=~"re"}`) is the sum of the matching series'
//! current values over the color's pods; `rate(selector)` the sum of their increases per
//! second over the interval. `+ - * /`, parentheses and numbers combine them. A selector
//! that matches nothing, or a division by zero, is no data.

use regex::Regex;

use super::rates::{Round, Series};

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A number.
    Number(f64),
    /// Sum of current values.
    Value(Selector),
    /// Sum of increases per second.
    Rate(Selector),
    /// Increase over the interval.
    Increase(Selector),
    /// `-x`.
    Neg(Box<Expr>),
    /// A binary operation.
    Op(Box<Expr>, char, Box<Expr>),
}

/// A metric name with label matchers.
#[derive(Debug, Clone)]
pub struct Selector {
    /// Metric name.
    pub name: String,
    /// Label matchers.
    pub matchers: Vec<Matcher>,
}

/// One label matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Label name.
    pub label: String,
    /// `=`, `!=`, `=~`, `!~`.
    pub op: &'static str,
    /// The value (or pattern).
    pub value: String,
    regex: Option<Regex>,
}

impl Matcher {
    fn matches(&self, s: &Series) -> bool {
        let v = s.label(&self.label).unwrap_or("");
        match (self.op, &self.regex) {
            ("=", _) => v == self.value,
            ("!=", _) => v != self.value,
            ("=~", Some(re)) => re.is_match(v),
            ("!~", Some(re)) => !re.is_match(v),
            _ => false,
        }
    }
}

impl Selector {
    /// Whether a series matches.
    pub fn matches(&self, s: &Series) -> bool {
        s.name == self.name && self.matchers.iter().all(|m| m.matches(s))
    }

    /// Matching series of a round.
    pub fn select<'a>(&'a self, round: &'a Round) -> impl Iterator<Item = &'a Series> + 'a {
        round.series.values().filter(move |s| self.matches(s))
    }
}

impl Expr {
    /// Evaluate over a round; None is no data.
    pub fn eval(&self, round: &Round) -> Option<f64> {
        let sum = |sel: &Selector, f: fn(&Series) -> Option<f64>| {
            let mut any = false;
            let mut total = 0.0;
            for s in sel.select(round) {
                if let Some(v) = f(s) {
                    any = true;
                    total += v;
                }
            }
            any.then_some(total)
        };
        let v = match self {
            Expr::Number(n) => *n,
            Expr::Value(sel) => sum(sel, |s| Some(s.value))?,
            Expr::Rate(sel) => sum(sel, |s| (s.pods_with_delta > 0).then_some(s.rate))?,
            Expr::Increase(sel) => sum(sel, |s| (s.pods_with_delta > 0).then_some(s.delta))?,
            Expr::Neg(e) => -e.eval(round)?,
            Expr::Op(a, op, b) => {
                let (a, b) = (a.eval(round)?, b.eval(round)?);
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    _ if b == 0.0 => return None,
                    _ => a / b,
                }
            }
        };
        v.is_finite().then_some(v)
    }
}

/// Compile an expression; the error says where and what.
pub fn compile(text: &str) -> Result<Expr, String> {
    let tokens = lex(text)?;
    let mut p = Parser { tokens, at: 0 };
    let e = p.sum()?;
    match p.tokens.get(p.at) {
        None => Ok(e),
        Some(t) => Err(format!("unexpected {} after the expression", t.words())),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Ident(String),
    Str(String),
    Sym(&'static str),
}

impl Token {
    fn words(&self) -> String {
        match self {
            Token::Num(n) => format!("number {n}"),
            Token::Ident(i) => format!("`{i}`"),
            Token::Str(s) => format!("string {s:?}"),
            Token::Sym(s) => format!("`{s}`"),
        }
    }
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    const SYMS: [&str; 12] = [
        "=~", "!~", "!=", "=", "(", ")", "{", "}", ",", "+", "-", "*",
    ];
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        if let Some(s) = SYMS.iter().chain(&["/"]).find(|s| rest.starts_with(**s)) {
            out.push(Token::Sym(s));
            rest = &rest[s.len()..];
        } else if let Some(body) = rest.strip_prefix('"') {
            let end = body.find('"').ok_or("unterminated string")?;
            out.push(Token::Str(body[..end].to_string()));
            rest = &body[end + 1..];
        } else if rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E'))
                .unwrap_or(rest.len());
            let n = rest[..end]
                .parse()
                .map_err(|_| format!("invalid number `{}`", &rest[..end]))?;
            out.push(Token::Num(n));
            rest = &rest[end..];
        } else if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == ':') {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            out.push(Token::Ident(rest[..end].to_string()));
            rest = &rest[end..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            return Err(format!("unexpected character {c:?}"));
        }
        rest = rest.trim_start();
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn eat(&mut self, sym: &str) -> bool {
        if self.tokens.get(self.at) == Some(&Token::Sym(leak(sym))) {
            self.at += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, sym: &'static str) -> Result<(), String> {
        match self.next() {
            Some(Token::Sym(s)) if s == sym => Ok(()),
            Some(t) => Err(format!("expected `{sym}`, found {}", t.words())),
            None => Err(format!("expected `{sym}` at the end")),
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat("+") {
                '+'
            } else if self.eat("-") {
                '-'
            } else {
                return Ok(left);
            };
            left = Expr::Op(Box::new(left), op, Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat("*") {
                '*'
            } else if self.eat("/") {
                '/'
            } else {
                return Ok(left);
            };
            left = Expr::Op(Box::new(left), op, Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        match self.next() {
            Some(Token::Num(n)) => Ok(Expr::Number(n)),
            Some(Token::Sym("(")) => {
                let e = self.sum()?;
                self.expect(")")?;
                Ok(e)
            }
            Some(Token::Ident(f)) if (f == "rate" || f == "increase") && self.eat("(") => {
                let name = match self.next() {
                    Some(Token::Ident(n)) => n,
                    Some(t) => return Err(format!("{f}() takes a metric, found {}", t.words())),
                    None => return Err(format!("{f}() takes a metric")),
                };
                let sel = self.selector(name)?;
                self.expect(")")?;
                Ok(if f == "rate" {
                    Expr::Rate(sel)
                } else {
                    Expr::Increase(sel)
                })
            }
            Some(Token::Ident(name)) => Ok(Expr::Value(self.selector(name)?)),
            Some(t) => Err(format!("unexpected {}", t.words())),
            None => Err("the expression ends too early".into()),
        }
    }

    fn selector(&mut self, name: String) -> Result<Selector, String> {
        let mut matchers = Vec::new();
        if self.eat("{") {
            while !self.eat("}") {
                let label = match self.next() {
                    Some(Token::Ident(l)) => l,
                    Some(t) => return Err(format!("expected a label name, found {}", t.words())),
                    None => return Err("unterminated `{`".into()),
                };
                let op = match self.next() {
                    Some(Token::Sym(s @ ("=" | "!=" | "=~" | "!~"))) => s,
                    _ => return Err(format!("expected =, !=, =~ or !~ after `{label}`")),
                };
                let Some(Token::Str(value)) = self.next() else {
                    return Err(format!("expected a quoted value after `{label}{op}`"));
                };
                let regex = match op {
                    "=~" | "!~" => Some(
                        Regex::new(&format!("^(?:{value})$"))
                            .map_err(|e| format!("bad regex {value:?}: {e}"))?,
                    ),
                    _ => None,
                };
                matchers.push(Matcher {
                    label,
                    op,
                    value,
                    regex,
                });
                if !self.eat(",") && self.tokens.get(self.at) != Some(&Token::Sym("}")) {
                    return Err("expected `,` or `}` in the label matchers".into());
                }
            }
        }
        Ok(Selector { name, matchers })
    }
}

/// The lexer's symbols are `'static`; look one up by text.
fn leak(sym: &str) -> &'static str {
    [
        "=~", "!~", "!=", "=", "(", ")", "{", "}", ",", "+", "-", "*", "/",
    ]
    .into_iter()
    .find(|s| *s == sym)
    .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::parse::parse;
    use crate::metrics::rates::Tracker;
    use chrono::{Duration, TimeZone, Utc};

    fn round() -> Round {
        let at = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let body = |hits: u64, misses: u64, active: u64| {
            parse(&format!(
                "# TYPE cache_hits_total counter\ncache_hits_total {hits}\n\
                 # TYPE cache_misses_total counter\ncache_misses_total {misses}\n\
                 # TYPE db_pool_connections_active gauge\ndb_pool_connections_active {active}\n\
                 # TYPE db_pool_connections_max gauge\ndb_pool_connections_max 20\n\
                 # TYPE http_requests_total counter\n\
                 http_requests_total{{code=\"503\",path=\"/a\"}} {misses}\n\
                 http_requests_total{{code=\"200\",path=\"/a\"}} {hits}\n"
            ))
            .unwrap()
        };
        let mut tr = Tracker::new();
        tr.observe("a", at, &body(0, 0, 1));
        tr.observe("b", at, &body(0, 0, 1));
        tr.finish(["a", "b"]);
        tr.observe("a", at + Duration::seconds(10), &body(90, 10, 5));
        tr.observe("b", at + Duration::seconds(10), &body(80, 20, 3));
        tr.finish(["a", "b"])
    }

    fn eval(text: &str) -> Option<f64> {
        compile(text).unwrap().eval(&round())
    }

    #[test]
    fn the_guides_signals() {
        // (5 + 3) / (20 + 20)
        assert_eq!(
            eval("db_pool_connections_active / db_pool_connections_max"),
            Some(0.2)
        );
        // 170 hits of 200 lookups.
        assert_eq!(
            eval("rate(cache_hits_total) / (rate(cache_hits_total) + rate(cache_misses_total))"),
            Some(0.85)
        );
        assert_eq!(eval("rate(cache_hits_total)"), Some(17.0));
        assert_eq!(eval("increase(cache_misses_total)"), Some(30.0));
    }

    #[test]
    fn matchers_and_arithmetic() {
        assert_eq!(
            eval("increase(http_requests_total{code=~\"5..\"})"),
            Some(30.0)
        );
        assert_eq!(
            eval("increase(http_requests_total{code!=\"503\",path=\"/a\"})"),
            Some(170.0)
        );
        assert_eq!(
            eval("increase(http_requests_total{code!~\"2..\"})"),
            Some(30.0)
        );
        assert_eq!(eval("-2 * (1 + 3) / 4"), Some(-2.0));
        assert_eq!(eval("2 - 1 - 1"), Some(0.0));
    }

    #[test]
    fn no_match_and_division_by_zero_are_no_data() {
        assert_eq!(eval("nothing_here"), None);
        assert_eq!(eval("rate(nothing_total) + 1"), None);
        assert_eq!(eval("1 / (db_pool_connections_max - 40)"), None);
    }

    #[test]
    fn compile_errors_say_what() {
        for (text, what) in [
            ("", "ends too early"),
            ("a /", "ends too early"),
            ("rate(1)", "takes a metric"),
            ("a{b=c}", "quoted value"),
            ("a{b~\"c\"}", "unexpected character '~'"),
            ("a{b<\"c\"}", "unexpected character"),
            ("a{b+\"c\"}", "expected =, !=, =~ or !~"),
            ("a{b=~\"(\"}", "bad regex"),
            ("(a", "expected `)`"),
            ("a b", "unexpected `b`"),
            ("a # b", "unexpected character"),
            ("a{b=\"c", "unterminated string"),
            ("a{b=\"c\" d=\"e\"}", "expected `,`"),
        ] {
            let e = compile(text).expect_err(text);
            assert!(e.contains(what), "{text}: {e}");
        }
    }
}
