//! A color's log buffer: bounded by lines and bytes, with follow mode, scrolling that
//! stays put while new lines arrive, and a stable color slot per pod.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use regex::Regex;

/// One kept log line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Monotonic sequence number within the buffer.
    pub seq: u64,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// API server timestamp.
    pub ts: Option<DateTime<Utc>>,
    /// Sanitized text.
    pub text: String,
    /// The pod's color slot (index into the theme's pod palette).
    pub slot: u8,
}

impl LogEntry {
    fn bytes(&self) -> usize {
        // Strings plus a fixed overhead, so the byte bound also limits tiny lines.
        self.pod.len() + self.container.len() + self.text.len() + 64
    }

    /// Does the entry match the filter (pod name or text)?
    pub fn matches(&self, filter: Option<&Regex>) -> bool {
        filter.is_none_or(|re| re.is_match(&self.text) || re.is_match(&self.pod))
    }
}

/// Number of distinct pod color slots.
pub const POD_SLOTS: u8 = 6;

/// Bounded log lines of one color plus the viewing position.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    entries: VecDeque<LogEntry>,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
    next_seq: u64,
    /// `None` while following; else the seq of the bottom line on screen.
    anchor: Option<u64>,
    slots: HashMap<String, u8>,
    /// Lines dropped to stay within the bounds.
    pub evicted: u64,
}

impl LogBuffer {
    /// An empty buffer holding at most `max_lines` lines and about `max_bytes` bytes.
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        LogBuffer {
            entries: VecDeque::new(),
            bytes: 0,
            max_lines: max_lines.max(1),
            max_bytes: max_bytes.max(1),
            next_seq: 0,
            anchor: None,
            slots: HashMap::new(),
            evicted: 0,
        }
    }

    /// Append a line, evicting the oldest lines beyond the bounds.
    pub fn push(
        &mut self,
        pod: String,
        container: String,
        ts: Option<DateTime<Utc>>,
        text: String,
    ) {
        let next_slot = (self.slots.len() % POD_SLOTS as usize) as u8;
        let slot = match self.slots.get(&pod) {
            Some(s) => *s,
            None => *self.slots.entry(pod.clone()).or_insert(next_slot),
        };
        let entry = LogEntry {
            seq: self.next_seq,
            pod,
            container,
            ts,
            text,
            slot,
        };
        self.next_seq += 1;
        self.bytes += entry.bytes();
        self.entries.push_back(entry);
        while self.entries.len() > self.max_lines
            || (self.bytes > self.max_bytes && self.entries.len() > 1)
        {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.bytes();
                self.evicted += 1;
            }
        }
    }

    /// Lines kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No lines kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Approximate bytes kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// True while the view follows new lines.
    pub fn following(&self) -> bool {
        self.anchor.is_none()
    }

    /// Resume following (G / End).
    pub fn follow(&mut self) {
        self.anchor = None;
    }

    /// Index of the bottom line on screen.
    fn bottom_index(&self) -> Option<usize> {
        let last = self.entries.len().checked_sub(1)?;
        let front = self.entries.front()?.seq;
        Some(match self.anchor {
            None => last,
            Some(seq) => (seq.saturating_sub(front) as usize).min(last),
        })
    }

    /// Move the view up by `n` matching lines; pauses following.
    pub fn scroll_up(&mut self, n: usize, filter: Option<&Regex>) {
        let Some(bottom) = self.bottom_index() else {
            return;
        };
        let mut idx = self
            .last_match_at_or_before(bottom, filter)
            .unwrap_or(bottom);
        for _ in 0..n {
            match (0..idx).rev().find(|i| self.entries[*i].matches(filter)) {
                Some(prev) => idx = prev,
                None => break,
            }
        }
        self.anchor = Some(self.entries[idx].seq);
    }

    /// Move the view down by `n` matching lines; stays paused (G / End resume).
    pub fn scroll_down(&mut self, n: usize, filter: Option<&Regex>) {
        let (Some(bottom), Some(_)) = (self.bottom_index(), self.anchor) else {
            return;
        };
        let mut idx = bottom;
        for _ in 0..n {
            match (idx + 1..self.entries.len()).find(|i| self.entries[*i].matches(filter)) {
                Some(next) => idx = next,
                None => break,
            }
        }
        self.anchor = Some(self.entries[idx].seq);
    }

    /// Jump to the oldest kept line (pauses following).
    pub fn oldest(&mut self, rows: usize, filter: Option<&Regex>) {
        let first = self
            .entries
            .iter()
            .filter(|e| e.matches(filter))
            .take(rows.max(1))
            .last();
        if let Some(e) = first {
            self.anchor = Some(e.seq);
        }
    }

    fn last_match_at_or_before(&self, idx: usize, filter: Option<&Regex>) -> Option<usize> {
        (0..=idx).rev().find(|i| self.entries[*i].matches(filter))
    }

    /// Matching lines from the bottom of the view upwards (newest first).
    pub fn iter_visible<'a>(
        &'a self,
        filter: Option<&'a Regex>,
    ) -> impl Iterator<Item = &'a LogEntry> + 'a {
        let end = self.bottom_index().map_or(0, |b| b + 1);
        self.entries
            .range(..end)
            .rev()
            .filter(move |e| e.matches(filter))
    }

    /// Matching lines below the view (new lines waiting while paused).
    pub fn below_view(&self, filter: Option<&Regex>) -> usize {
        match (self.anchor, self.bottom_index()) {
            (Some(_), Some(b)) => self
                .entries
                .range(b + 1..)
                .filter(|e| e.matches(filter))
                .count(),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(n: usize) -> LogBuffer {
        let mut b = LogBuffer::new(1000, 1 << 20);
        for i in 0..n {
            b.push(
                format!("pod-{}", i % 3),
                "app".into(),
                None,
                format!("line {i}"),
            );
        }
        b
    }

    fn visible(b: &LogBuffer, rows: usize, f: Option<&Regex>) -> Vec<String> {
        let mut v: Vec<_> = b
            .iter_visible(f)
            .take(rows)
            .map(|e| e.text.clone())
            .collect();
        v.reverse();
        v
    }

    #[test]
    fn bounded_by_lines_and_bytes() {
        let mut b = LogBuffer::new(5, 1 << 20);
        for i in 0..8 {
            b.push("p".into(), "c".into(), None, format!("{i}"));
        }
        assert_eq!(b.len(), 5);
        assert_eq!(b.evicted, 3);
        assert_eq!(visible(&b, 1, None), ["7"]);

        let mut b = LogBuffer::new(1000, 1000);
        for _ in 0..100 {
            b.push("p".into(), "c".into(), None, "x".repeat(100));
        }
        assert!(b.bytes() <= 1000, "{}", b.bytes());
        assert!(b.len() < 10 && !b.is_empty());
    }

    #[test]
    fn scrolling_up_pauses_and_new_lines_do_not_move_the_view() {
        let mut b = filled(20);
        assert!(b.following());
        b.scroll_up(5, None);
        assert!(!b.following());
        assert_eq!(visible(&b, 2, None), ["line 13", "line 14"]);
        b.push("pod-0".into(), "app".into(), None, "new".into());
        assert_eq!(visible(&b, 2, None), ["line 13", "line 14"]);
        assert_eq!(b.below_view(None), 6);
        b.scroll_down(2, None);
        assert_eq!(visible(&b, 1, None), ["line 16"]);
        assert!(!b.following(), "scrolling down stays paused");
        b.follow();
        assert_eq!(visible(&b, 1, None), ["new"]);
        assert_eq!(b.below_view(None), 0);
    }

    #[test]
    fn filter_counts_only_matching_lines() {
        let mut b = filled(30);
        let re = Regex::new("line 1[0-9]$").unwrap();
        assert_eq!(visible(&b, 3, Some(&re)), ["line 17", "line 18", "line 19"]);
        b.scroll_up(2, Some(&re));
        assert_eq!(visible(&b, 2, Some(&re)), ["line 16", "line 17"]);
        b.oldest(3, Some(&re));
        assert_eq!(visible(&b, 3, Some(&re)), ["line 10", "line 11", "line 12"]);
    }

    #[test]
    fn anchor_evicted_clamps_to_oldest() {
        let mut b = LogBuffer::new(5, 1 << 20);
        for i in 0..5 {
            b.push("p".into(), "c".into(), None, format!("{i}"));
        }
        b.scroll_up(4, None);
        for i in 5..9 {
            b.push("p".into(), "c".into(), None, format!("{i}"));
        }
        assert_eq!(visible(&b, 5, None), ["4"]);
    }

    proptest::proptest! {
        #[test]
        fn bounds_hold_and_scrolling_never_panics(
            ops in proptest::collection::vec((0u8..5, 0usize..40, ".{0,30}"), 0..200),
            max_lines in 1usize..50,
            max_bytes in 1usize..4000,
        ) {
            let mut b = LogBuffer::new(max_lines, max_bytes);
            let re = Regex::new("a").unwrap();
            for (op, n, text) in ops {
                match op {
                    0 | 1 => b.push(format!("p{n}"), "c".into(), None, text),
                    2 => b.scroll_up(n, if n % 2 == 0 { Some(&re) } else { None }),
                    3 => b.scroll_down(n, Some(&re)),
                    _ => b.oldest(n, None),
                }
                proptest::prop_assert!(b.len() <= max_lines);
                proptest::prop_assert!(b.bytes() <= max_bytes || b.len() == 1);
                let _ = b.iter_visible(Some(&re)).take(5).count();
                let _ = b.below_view(None);
            }
        }
    }

    #[test]
    fn pods_get_stable_distinct_slots() {
        let b = filled(9);
        let slot = |p: &str| b.iter_visible(None).find(|e| e.pod == p).unwrap().slot;
        assert_ne!(slot("pod-0"), slot("pod-1"));
        assert_ne!(slot("pod-1"), slot("pod-2"));
        assert!(b
            .iter_visible(None)
            .filter(|e| e.pod == "pod-0")
            .all(|e| e.slot == slot("pod-0")));
    }
}
