//! De-duplication of log lines across a resumed stream.
//!
//! The log API's `sinceTime` has one-second resolution, so a resumed stream starts at the
//! last seen timestamp truncated to the second and repeats some lines. One `Dedup` per
//! (pod, container) stream remembers the (timestamp, line hash) of every line since the
//! start of the newest second seen; exactly those are the lines a resume can repeat.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Remembers recent lines of one (pod, container) stream.
#[derive(Debug, Default, Clone)]
pub struct Dedup {
    seen: BTreeSet<(DateTime<Utc>, u64)>,
    newest: Option<DateTime<Utc>>,
}

/// `ts` truncated to the whole second.
pub fn floor_second(ts: DateTime<Utc>) -> DateTime<Utc> {
    ts.duration_trunc(TimeDelta::seconds(1)).unwrap_or(ts)
}

fn line_hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl Dedup {
    /// An empty memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when the line is new (and remembers it); false for a repeat.
    /// Lines without a timestamp cannot repeat by resume and are always new.
    pub fn accept(&mut self, ts: Option<DateTime<Utc>>, text: &str) -> bool {
        let Some(ts) = ts else { return true };
        if !self.seen.insert((ts, line_hash(text))) {
            return false;
        }
        if self.newest.is_none_or(|n| ts > n) {
            self.newest = Some(ts);
            let horizon = floor_second(ts);
            if self.seen.first().is_some_and(|(first, _)| *first < horizon) {
                self.seen = self.seen.split_off(&(horizon, 0));
            }
        }
        true
    }

    /// Where a resumed stream must start (`sinceTime`): the newest timestamp seen,
    /// truncated to the second. None when nothing was seen yet.
    pub fn resume_from(&self) -> Option<DateTime<Utc>> {
        self.newest.map(floor_second)
    }

    /// How many lines are remembered (bounded by one second of output).
    pub fn remembered(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<DateTime<Utc>> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn overlap_after_resume_is_dropped_and_new_lines_kept() {
        let mut d = Dedup::new();
        assert!(d.accept(t("2026-01-02T10:00:00.100Z"), "a"));
        assert!(d.accept(t("2026-01-02T10:00:01.200Z"), "b"));
        assert!(d.accept(t("2026-01-02T10:00:01.700Z"), "c"));
        assert_eq!(d.resume_from(), t("2026-01-02T10:00:01Z"));
        // The resumed stream repeats everything from 10:00:01.000.
        assert!(!d.accept(t("2026-01-02T10:00:01.200Z"), "b"));
        assert!(!d.accept(t("2026-01-02T10:00:01.700Z"), "c"));
        assert!(d.accept(t("2026-01-02T10:00:01.900Z"), "d"));
        assert!(d.accept(t("2026-01-02T10:00:02.000Z"), "e"));
    }

    #[test]
    fn same_time_different_text_is_new() {
        let mut d = Dedup::new();
        assert!(d.accept(t("2026-01-02T10:00:00.5Z"), "GET /a"));
        assert!(d.accept(t("2026-01-02T10:00:00.5Z"), "GET /b"));
        assert!(!d.accept(t("2026-01-02T10:00:00.5Z"), "GET /a"));
    }

    #[test]
    fn memory_is_bounded_to_the_newest_second() {
        let mut d = Dedup::new();
        let base: DateTime<Utc> = "2026-01-02T10:00:00Z".parse().unwrap();
        for i in 0..10_000 {
            let ts = base + TimeDelta::milliseconds(i);
            assert!(d.accept(Some(ts), &format!("line {i}")));
        }
        assert!(d.remembered() <= 1000, "{}", d.remembered());
    }

    #[test]
    fn untimed_lines_always_pass() {
        let mut d = Dedup::new();
        assert!(d.accept(None, "x"));
        assert!(d.accept(None, "x"));
        assert_eq!(d.resume_from(), None);
    }
}
