//! De-duplication of log lines across a resumed stream.
//!
//! The log API's `sinceTime` has one-second resolution, so a resumed stream starts at the
//! last seen timestamp truncated to the second and repeats some lines. One `Dedup` per
//! (pod, container) stream counts the (timestamp, line hash) keys of every line since the
//! start of the newest second seen: exactly the lines a resume can repeat. On resume those
//! counts become the replay to drop, occurrence by occurrence, so two genuinely identical
//! lines are both kept, and nothing is dropped while a stream runs uninterrupted.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// (timestamp, hash of the line's text).
type Key = (DateTime<Utc>, u64);

/// Remembers recent lines of one (pod, container) stream.
#[derive(Debug, Default, Clone)]
pub struct Dedup {
    /// Lines at or after the start of the newest second, with how often each occurred.
    seen: BTreeMap<Key, u32>,
    newest: Option<DateTime<Utc>>,
    /// Lines the resumed stream is expected to repeat, still to be dropped.
    replay: BTreeMap<Key, u32>,
}

/// `ts` truncated to the whole second.
pub fn floor_second(ts: DateTime<Utc>) -> DateTime<Utc> {
    ts.duration_trunc(TimeDelta::seconds(1)).unwrap_or(ts)
}

fn key(ts: DateTime<Utc>, text: &str) -> Key {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    (ts, h.finish())
}

/// Removes keys older than `ts` (a time-ordered stream will not bring them again).
fn prune_before(map: &mut BTreeMap<Key, u32>, ts: DateTime<Utc>) {
    if map
        .first_key_value()
        .is_some_and(|((first, _), _)| *first < ts)
    {
        *map = map.split_off(&(ts, 0));
    }
}

impl Dedup {
    /// An empty memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when the line is new (and remembers it); false for a repeat of a resume.
    /// Lines without a timestamp cannot be placed and are always new.
    pub fn accept(&mut self, ts: Option<DateTime<Utc>>, text: &str) -> bool {
        let Some(ts) = ts else { return true };
        let k = key(ts, text);
        prune_before(&mut self.replay, ts);
        if let Some(n) = self.replay.get_mut(&k) {
            *n -= 1;
            if *n == 0 {
                self.replay.remove(&k);
            }
            return false;
        }
        *self.seen.entry(k).or_insert(0) += 1;
        if self.newest.is_none_or(|n| ts > n) {
            self.newest = Some(ts);
            prune_before(&mut self.seen, floor_second(ts));
        }
        true
    }

    /// The stream is about to be reopened: returns its `sinceTime` (the newest timestamp
    /// seen, truncated to the second; None when nothing was seen) and arms the replay.
    pub fn resume(&mut self) -> Option<DateTime<Utc>> {
        self.replay = self.seen.clone();
        self.newest.map(floor_second)
    }

    /// How many distinct lines are remembered (bounded by one second of output).
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
        assert_eq!(d.resume(), t("2026-01-02T10:00:01Z"));
        // The resumed stream repeats everything from 10:00:01.000.
        assert!(!d.accept(t("2026-01-02T10:00:01.200Z"), "b"));
        assert!(!d.accept(t("2026-01-02T10:00:01.700Z"), "c"));
        assert!(d.accept(t("2026-01-02T10:00:01.900Z"), "d"));
        assert!(d.accept(t("2026-01-02T10:00:02.000Z"), "e"));
    }

    #[test]
    fn a_line_lost_in_the_cut_is_recovered() {
        let mut d = Dedup::new();
        assert!(d.accept(t("2026-01-02T10:00:05.1Z"), "a"));
        // "b" at 05.2 was lost when the stream broke.
        d.resume();
        assert!(!d.accept(t("2026-01-02T10:00:05.1Z"), "a"));
        assert!(d.accept(t("2026-01-02T10:00:05.2Z"), "b"));
    }

    #[test]
    fn identical_lines_are_all_kept() {
        let mut d = Dedup::new();
        let ts = t("2026-01-02T10:00:00.5Z");
        // Two identical lines at the same instant are both real...
        assert!(d.accept(ts, "GET /a"));
        assert!(d.accept(ts, "GET /a"));
        assert!(d.accept(ts, "GET /b"));
        // ...and a resume repeats both: each is dropped once.
        d.resume();
        assert!(!d.accept(ts, "GET /a"));
        assert!(!d.accept(ts, "GET /a"));
        assert!(!d.accept(ts, "GET /b"));
        // A third occurrence after the replay is new.
        assert!(d.accept(ts, "GET /a"));
    }

    #[test]
    fn nothing_is_dropped_without_a_resume() {
        let mut d = Dedup::new();
        let ts = t("2026-01-02T10:00:00.5Z");
        for _ in 0..3 {
            assert!(d.accept(ts, "same"));
        }
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
        assert_eq!(d.resume(), None);
    }
}
