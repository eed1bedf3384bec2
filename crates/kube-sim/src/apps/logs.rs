//! One container's log: a bounded, time-ordered history filled lazily when read.
//!
//! App lines (JSON) are generated only when somebody reads the log ("catch up to now"),
//! so an unread pod costs nothing; access-log lines are pushed as requests are served.
//! Generated lines never go back in time: they start after the newest line held, so
//! timestamps are monotonic and a follower never misses a line inserted behind it.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::collections::VecDeque;

/// Lines kept per container (older ones are dropped).
pub const HISTORY: usize = 2000;

/// One log line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// When the container wrote it.
    pub ts: DateTime<Utc>,
    /// The text, without newline.
    pub text: String,
}

/// What a `pods/log` request selects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    /// Only the last N lines (of those passing `since`).
    pub tail: Option<usize>,
    /// Only lines at or after this time (already truncated to the second by the caller).
    pub since: Option<DateTime<Utc>>,
    /// Prefix every line with its RFC3339Nano time and a space.
    pub timestamps: bool,
}

/// A container's log history.
#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    /// Sequence number of `lines[0]`; sequence numbers never repeat.
    first_seq: u64,
    cap: usize,
    /// Generated app lines exist up to this time.
    generated_until: DateTime<Utc>,
    /// App lines per second.
    rate: f64,
    version: String,
}

const APP_MESSAGES: [(&str, &str); 8] = [
    ("info", "cache warm"),
    ("info", "workout synced"),
    ("debug", "db pool checkout"),
    ("info", "user session refreshed"),
    ("info", "metrics flushed"),
    ("warn", "slow query on workouts_by_user"),
    ("info", "background job finished"),
    ("debug", "redis ping ok"),
];

impl LogBuffer {
    /// A new log for a container started at `start`, producing `rate` app lines per second.
    pub fn new(start: DateTime<Utc>, rate: f64, version: &str) -> Self {
        Self {
            lines: VecDeque::new(),
            first_seq: 0,
            cap: HISTORY,
            generated_until: start,
            rate: if rate.is_finite() { rate.max(0.0) } else { 0.0 },
            version: version.to_string(),
        }
    }

    /// From `now` on, produce `rate` app lines per second (the lines due until now keep the
    /// old rate).
    pub fn set_rate(&mut self, now: DateTime<Utc>, rate: f64) {
        self.catch_up(now);
        self.rate = if rate.is_finite() { rate.max(0.0) } else { 0.0 };
        self.generated_until = self.generated_until.max(now);
    }

    /// Append a line at `ts` (clamped so times never go backwards); returns its sequence number.
    pub fn push(&mut self, ts: DateTime<Utc>, text: String) -> u64 {
        let ts = match self.lines.back() {
            Some(last) if last.ts > ts => last.ts,
            _ => ts,
        };
        self.lines.push_back(LogLine { ts, text });
        if self.lines.len() > self.cap {
            self.lines.pop_front();
            self.first_seq += 1;
        }
        self.next_seq() - 1
    }

    /// Sequence number the next appended line will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.lines.len() as u64
    }

    /// Generate the app lines due up to `now` (never before the newest line held).
    pub fn catch_up(&mut self, now: DateTime<Utc>) {
        if self.rate <= 0.0 {
            self.generated_until = now;
            return;
        }
        let step = Duration::nanoseconds((1e9 / self.rate) as i64).max(Duration::nanoseconds(1));
        let mut t = self.generated_until;
        if let Some(last) = self.lines.back() {
            t = t.max(last.ts);
        }
        // Never generate more than the history holds.
        // (Checked: a tiny rate makes the window too large to represent; then no cap applies.)
        let window = step.checked_mul(self.cap as i32);
        if let Some(earliest) = window.and_then(|w| now.checked_sub_signed(w)) {
            t = t.max(earliest);
        }
        loop {
            let next = t + step;
            if next > now {
                break;
            }
            t = next;
            let seq = self.next_seq();
            let text = self.app_line(seq, t);
            self.push(t, text);
        }
        self.generated_until = t;
    }

    fn app_line(&self, seq: u64, ts: DateTime<Utc>) -> String {
        let (level, msg) = APP_MESSAGES[(seq.wrapping_mul(2_654_435_761) % 8) as usize];
        format!(
            "{{\"time\":\"{}\",\"level\":\"{level}\",\"logger\":\"fittrack.api\",\"msg\":\"{msg}\",\"version\":\"{}\",\"seq\":{seq}}}",
            ts.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.version
        )
    }

    /// The lines a query selects, formatted with newlines, and the sequence to follow from.
    pub fn select(&self, q: &LogQuery) -> (Vec<String>, u64) {
        let start = match q.since {
            Some(since) => self.lines.partition_point(|l| l.ts < since),
            None => 0,
        };
        let start = match q.tail {
            Some(n) => start.max(self.lines.len().saturating_sub(n)),
            None => start,
        };
        let out = self
            .lines
            .range(start..)
            .map(|l| format_line(l, q.timestamps))
            .collect();
        (out, self.next_seq())
    }

    /// Formatted lines with sequence number `>= from` (a follower's next chunk).
    pub fn since_seq(&self, from: u64, timestamps: bool) -> (Vec<String>, u64) {
        let skip = from.saturating_sub(self.first_seq) as usize;
        let out = self.lines.range(skip.min(self.lines.len())..);
        (
            out.map(|l| format_line(l, timestamps)).collect(),
            self.next_seq(),
        )
    }

    /// Number of lines held.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when no line is held.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A line as `pods/log` sends it (with the timestamp prefix when asked).
pub fn format_line(l: &LogLine, timestamps: bool) -> String {
    if timestamps {
        format!("{} {}\n", rfc3339_nano(l.ts), l.text)
    } else {
        format!("{}\n", l.text)
    }
}

/// Go's RFC3339Nano: nanoseconds with trailing zeros trimmed, `Z` for UTC.
pub fn rfc3339_nano(ts: DateTime<Utc>) -> String {
    let full = ts.to_rfc3339_opts(SecondsFormat::Nanos, true);
    // full = "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"
    let body = &full[..full.len() - 1];
    let trimmed = body.trim_end_matches('0').trim_end_matches('.');
    format!("{trimmed}Z")
}

/// An access-log line for a served request.
pub fn access_line(client: &str, method: &str, path: &str, code: u16, secs: f64) -> String {
    format!(
        "{client} - \"{method} {path} HTTP/1.1\" {code} {}ms",
        (secs * 1000.0).round() as u64
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
    }

    #[test]
    fn go_style_nano_timestamps() {
        assert_eq!(rfc3339_nano(t0()), "2026-01-02T03:04:05Z");
        let t = t0() + Duration::nanoseconds(120_000_000);
        assert_eq!(rfc3339_nano(t), "2026-01-02T03:04:05.12Z");
        let t = t0() + Duration::nanoseconds(1);
        assert_eq!(rfc3339_nano(t), "2026-01-02T03:04:05.000000001Z");
    }

    #[test]
    fn catch_up_generates_at_rate_and_never_goes_back() {
        let mut b = LogBuffer::new(t0(), 10.0, "v1");
        b.catch_up(t0() + Duration::seconds(2));
        assert_eq!(b.len(), 20);
        b.push(t0() + Duration::seconds(3), "access".into());
        // A push in the past is clamped to the newest time.
        b.push(t0(), "late".into());
        b.catch_up(t0() + Duration::seconds(4));
        let times: Vec<_> = b.lines.iter().map(|l| l.ts).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(b.len(), 20 + 2 + 10);
        let (lines, _) = b.select(&LogQuery::default());
        assert!(lines[0].starts_with("{\"time\":") && lines[0].ends_with("}\n"));
    }

    #[test]
    fn a_new_rate_applies_from_now_on() {
        let mut b = LogBuffer::new(t0(), 0.0, "v1");
        b.set_rate(t0() + Duration::seconds(10), 100.0);
        assert_eq!(b.len(), 0, "nothing for the time at rate 0");
        b.set_rate(t0() + Duration::seconds(11), 5.0);
        assert_eq!(b.len(), 100);
        b.catch_up(t0() + Duration::seconds(13));
        assert_eq!(b.len(), 110);
    }

    #[test]
    fn tiny_and_odd_rates_do_not_panic() {
        for rate in [1e-12, f64::NAN, f64::INFINITY, -3.0] {
            let mut b = LogBuffer::new(t0(), rate, "v1");
            b.catch_up(t0() + Duration::days(3650));
            assert!(b.len() <= HISTORY);
        }
    }

    #[test]
    fn catch_up_is_bounded_by_history() {
        let mut b = LogBuffer::new(t0(), 1000.0, "v1");
        b.catch_up(t0() + Duration::hours(10));
        assert_eq!(b.len(), HISTORY);
        assert_eq!(b.next_seq(), HISTORY as u64);
    }

    #[test]
    fn tail_since_and_follow_sequences() {
        let mut b = LogBuffer::new(t0(), 0.0, "v1");
        for i in 0..10 {
            b.push(t0() + Duration::milliseconds(500 * i), format!("l{i}"));
        }
        let q = LogQuery {
            tail: Some(3),
            ..Default::default()
        };
        assert_eq!(b.select(&q).0, vec!["l7\n", "l8\n", "l9\n"]);
        let q = LogQuery {
            since: Some(t0() + Duration::seconds(3)),
            ..Default::default()
        };
        assert_eq!(b.select(&q).0.len(), 4);
        let q = LogQuery {
            since: Some(t0() + Duration::seconds(3)),
            tail: Some(10),
            timestamps: true,
        };
        let (lines, next) = b.select(&q);
        assert_eq!(lines[0], "2026-01-02T03:04:08Z l6\n");
        assert_eq!(next, 10);
        b.push(t0() + Duration::seconds(9), "new".into());
        assert_eq!(b.since_seq(next, false).0, vec!["new\n"]);
        assert_eq!(b.since_seq(0, false).0.len(), 11);
    }

    proptest::proptest! {
        /// Any mix of pushes (also out of order) and catch-ups keeps the history bounded,
        /// time-ordered, and followers see every line after their sequence exactly once.
        #[test]
        fn history_invariants(ops in proptest::collection::vec((0u8..3, 0i64..5_000), 1..200)) {
            let mut b = LogBuffer::new(t0(), 50.0, "v");
            let mut now = t0();
            let mut follower = 0u64;
            let mut seen = 0u64;
            for (op, ms) in ops {
                match op {
                    0 => { b.push(t0() + Duration::milliseconds(ms), "x".into()); }
                    1 => { now += Duration::milliseconds(ms); b.catch_up(now); }
                    _ => {
                        let (lines, next) = b.since_seq(follower, false);
                        let expected = next - follower.max(b.first_seq);
                        proptest::prop_assert_eq!(lines.len() as u64, expected);
                        seen += lines.len() as u64;
                        follower = next;
                    }
                }
                proptest::prop_assert!(b.len() <= HISTORY);
                proptest::prop_assert!(b.lines.iter().zip(b.lines.iter().skip(1)).all(|(a, c)| a.ts <= c.ts));
            }
            proptest::prop_assert!(seen <= b.next_seq());
        }
    }
}
