//! A strict parser of the Prometheus text exposition format (version 0.0.4).
//!
//! Why our own: of the crates evaluated, `prometheus-parse` splits label pairs on `,` and `=`
//! (an escaped `\"` or a comma inside a label value corrupts the labels) and silently skips
//! lines it cannot read; `openmetrics-parser` rejects the unsigned `Inf` Go writes and is
//! LGPL-3.0 (with pest). This one reads histograms, escaped label values, `NaN`/`±Inf`
//! and timestamps, and every malformed line is an error naming the line — never a panic.

use std::collections::BTreeMap;

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name (`http_request_duration_seconds_bucket`).
    pub name: String,
    /// Label pairs in the order written (values unescaped).
    pub labels: Vec<(String, String)>,
    /// The value (`NaN` and `±Inf` included).
    pub value: f64,
    /// Milliseconds since the epoch, when the line carries a timestamp.
    pub timestamp_ms: Option<i64>,
}

impl Sample {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A metric family's declared type (`# TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (resets to 0 when the process restarts).
    Counter,
    /// Any value.
    Gauge,
    /// Cumulative buckets, `_sum` and `_count`.
    Histogram,
    /// Quantiles, `_sum` and `_count`.
    Summary,
    /// Not declared.
    Untyped,
}

/// A parsed exposition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposition {
    /// Every sample, in file order.
    pub samples: Vec<Sample>,
    /// Declared types by family name.
    pub kinds: BTreeMap<String, Kind>,
}

/// Why an exposition could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parse a whole exposition; the first malformed line is the error.
pub fn parse(text: &str) -> Result<Exposition, ParseError> {
    let mut out = Exposition::default();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let fail = |message: String| ParseError {
            line: i + 1,
            message,
        };
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() {
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            if let Some((name, kind)) = type_line(comment).map_err(fail)? {
                if out.kinds.insert(name.clone(), kind).is_some() {
                    return Err(fail(format!("second TYPE line for {name}")));
                }
            }
            continue;
        }
        out.samples.push(sample(trimmed).map_err(fail)?);
    }
    Ok(out)
}

/// `# TYPE name kind` → Some; HELP and other comments → None.
fn type_line(comment: &str) -> Result<Option<(String, Kind)>, String> {
    let mut words = comment.split_whitespace();
    match words.next() {
        Some("TYPE") => {}
        Some("HELP") => {
            let name = words.next().ok_or("HELP without a metric name")?;
            check_metric_name(name)?;
            return Ok(None);
        }
        _ => return Ok(None),
    }
    let name = words.next().ok_or("TYPE without a metric name")?;
    check_metric_name(name)?;
    let kind = match words.next() {
        Some("counter") => Kind::Counter,
        Some("gauge") => Kind::Gauge,
        Some("histogram") => Kind::Histogram,
        Some("summary") => Kind::Summary,
        Some("untyped") => Kind::Untyped,
        Some(other) => return Err(format!("unknown metric type {other:?}")),
        None => return Err(format!("TYPE {name} without a type")),
    };
    if let Some(extra) = words.next() {
        return Err(format!("unexpected {extra:?} after the TYPE line"));
    }
    Ok(Some((name.to_string(), kind)))
}

fn check_metric_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("invalid metric name {name:?}"))
    }
}

/// A cursor over one line.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn skip_blanks(&mut self) -> bool {
        let start = self.at;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.at += 1;
        }
        self.at > start
    }

    fn take_while(&mut self, ok: impl Fn(char) -> bool) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(&ok) {
            self.bump();
        }
        &self.text[start..self.at]
    }

    fn expect(&mut self, want: char, what: &str) -> Result<(), String> {
        match self.bump() {
            Some(c) if c == want => Ok(()),
            Some(c) => Err(format!("expected {what}, found {c:?}")),
            None => Err(format!("expected {what}, found the end of the line")),
        }
    }
}

fn sample(line: &str) -> Result<Sample, String> {
    let mut c = Cursor { text: line, at: 0 };
    let name = c.take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == ':');
    check_metric_name(name)?;
    let mut blank = c.skip_blanks();
    let labels = if c.peek() == Some('{') {
        c.bump();
        let l = labels(&mut c)?;
        blank = c.skip_blanks();
        l
    } else {
        Vec::new()
    };
    if !blank {
        return Err(match c.peek() {
            Some(ch) => format!("expected a blank before the value, found {ch:?}"),
            None => format!("{name} has no value"),
        });
    }
    let value_text = c.take_while(|ch| ch != ' ' && ch != '\t');
    let value = parse_value(value_text)?;
    c.skip_blanks();
    let timestamp_ms = match c.take_while(|ch| ch != ' ' && ch != '\t') {
        "" => None,
        ts => Some(
            ts.parse::<i64>()
                .map_err(|_| format!("invalid timestamp {ts:?} (milliseconds expected)"))?,
        ),
    };
    c.skip_blanks();
    if let Some(extra) = c.peek() {
        return Err(format!("unexpected {extra:?} after the sample"));
    }
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
        timestamp_ms,
    })
}

/// Label pairs after `{`, through the closing `}`.
fn labels(c: &mut Cursor) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    loop {
        c.skip_blanks();
        if c.peek() == Some('}') {
            c.bump();
            return Ok(out);
        }
        let name = c.take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_');
        if name.is_empty() || name.starts_with(|ch: char| ch.is_ascii_digit()) {
            return Err(match c.peek() {
                Some(ch) => format!("expected a label name, found {ch:?}"),
                None => "unterminated label set".into(),
            });
        }
        c.skip_blanks();
        c.expect('=', "'=' after the label name")?;
        c.skip_blanks();
        c.expect('"', "'\"' to open the label value")?;
        let value = label_value(c)?;
        if out.iter().any(|(k, _)| k == name) {
            return Err(format!("label {name} given twice"));
        }
        out.push((name.to_string(), value));
        c.skip_blanks();
        match c.bump() {
            Some(',') => {}
            Some('}') => return Ok(out),
            Some(ch) => return Err(format!("expected ',' or '}}' after a label, found {ch:?}")),
            None => return Err("unterminated label set".into()),
        }
    }
}

/// A label value after its opening quote, through the closing one; `\\`, `\"` and `\n`
/// are the only escapes.
fn label_value(c: &mut Cursor) -> Result<String, String> {
    let mut value = String::new();
    loop {
        match c.bump() {
            None => return Err("unterminated label value".into()),
            Some('"') => return Ok(value),
            Some('\\') => match c.bump() {
                Some('\\') => value.push('\\'),
                Some('"') => value.push('"'),
                Some('n') => value.push('\n'),
                Some(other) => return Err(format!("invalid escape \\{other} in a label value")),
                None => return Err("unterminated label value".into()),
            },
            Some(ch) => value.push(ch),
        }
    }
}

/// A Go float: decimal or exponent notation, `NaN`, `Inf`, `+Inf`, `-Inf`.
fn parse_value(text: &str) -> Result<f64, String> {
    let body = text.trim_start_matches(['+', '-']);
    let special = ["nan", "inf", "infinity"]
        .iter()
        .any(|s| body.eq_ignore_ascii_case(s));
    let plain = !body.is_empty()
        && body
            .chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | 'e' | 'E' | '+' | '-'))
        && body.starts_with(|ch: char| ch.is_ascii_digit() || ch == '.');
    if text.len() - body.len() > 1 || !(special || plain) {
        return Err(format!("invalid value {text:?}"));
    }
    text.parse::<f64>()
        .map_err(|_| format!("invalid value {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIM: &str = "# HELP http_requests_total Total HTTP requests.
# TYPE http_requests_total counter
http_requests_total{code=\"200\",method=\"GET\",path=\"/api/workouts\"} 1027
http_requests_total{code=\"500\",method=\"GET\",path=\"/api/workouts\"} 3
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{method=\"GET\",path=\"/a\",le=\"0.005\"} 1
http_request_duration_seconds_bucket{method=\"GET\",path=\"/a\",le=\"+Inf\"} 3
http_request_duration_seconds_sum{method=\"GET\",path=\"/a\"} 20.034
http_request_duration_seconds_count{method=\"GET\",path=\"/a\"} 3
# TYPE db_pool_connections_active gauge
db_pool_connections_active 7
";

    #[test]
    fn reads_counters_histograms_and_types() {
        let e = parse(SIM).unwrap();
        assert_eq!(e.samples.len(), 7);
        assert_eq!(e.kinds["http_requests_total"], Kind::Counter);
        assert_eq!(e.kinds["http_request_duration_seconds"], Kind::Histogram);
        assert_eq!(e.samples[1].label("code"), Some("500"));
        assert_eq!(e.samples[1].value, 3.0);
        assert_eq!(e.samples[3].label("le"), Some("+Inf"));
        assert_eq!(e.samples[6].labels, vec![]);
        assert_eq!(e.samples[6].value, 7.0);
    }

    #[test]
    fn unescapes_label_values_with_commas_quotes_and_newlines() {
        let e = parse("m{path=\"/a,b=\\\"c\\\"\",x=\"1\\\\2\\n\"} 1\n").unwrap();
        assert_eq!(
            e.samples[0].labels,
            vec![
                ("path".to_string(), "/a,b=\"c\"".to_string()),
                ("x".to_string(), "1\\2\n".to_string()),
            ]
        );
    }

    #[test]
    fn reads_nan_infinities_and_timestamps() {
        let e = parse("a NaN\nb +Inf 1700000000000\nc -Inf\nd Inf\ne 1.5e3 -12\nf{} .5\n").unwrap();
        let v: Vec<f64> = e.samples.iter().map(|s| s.value).collect();
        assert!(v[0].is_nan());
        assert_eq!(
            &v[1..],
            &[f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, 1500.0, 0.5]
        );
        assert_eq!(e.samples[1].timestamp_ms, Some(1_700_000_000_000));
        assert_eq!(e.samples[4].timestamp_ms, Some(-12));
        assert_eq!(e.samples[0].timestamp_ms, None);
    }

    #[test]
    fn tolerates_blank_lines_crlf_spaces_and_a_trailing_comma() {
        let e = parse("\r\n  m { a = \"1\" , } 2 \r\n\n# a comment\n").unwrap();
        assert_eq!(e.samples[0].label("a"), Some("1"));
        assert_eq!(e.samples[0].value, 2.0);
    }

    #[test]
    fn malformed_lines_are_errors_naming_the_line() {
        for (text, line, what) in [
            ("ok 1\nm{a=\"x} 1\n", 2, "unterminated"),
            ("m{a=\"x\" 1\n", 1, "expected ','"),
            ("m 1 2 3\n", 1, "unexpected"),
            ("m\n", 1, "no value"),
            ("m abc\n", 1, "invalid value"),
            ("m 1 1.5\n", 1, "invalid timestamp"),
            ("m{a=\"\\t\"} 1\n", 1, "invalid escape"),
            ("m{a=\"1\",a=\"2\"} 1\n", 1, "twice"),
            ("9m 1\n", 1, "invalid metric name"),
            ("m{1a=\"x\"} 1\n", 1, "label name"),
            ("# TYPE m histo\n", 1, "unknown metric type"),
            ("# TYPE m counter\n# TYPE m counter\n", 2, "second TYPE"),
            ("m{a=x} 1\n", 1, "'\"'"),
            ("m --1\n", 1, "invalid value"),
            ("m{a=\"1\"}1\n", 1, "blank"),
        ] {
            let e = parse(text).expect_err(text);
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.message.contains(what), "{text:?}: {e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn arbitrary_sample_like_lines_never_panic(
            text in "[a-z_]{1,4}(\\{[a-z]{1,3}=\"[^\"\\n]{0,5}(\\\\.)?\"[,}]{0,2})? [-+0-9.eEinfaN]{0,6}( [0-9-]{0,4})?"
        ) {
            let _ = parse(&text);
        }
    }
}
