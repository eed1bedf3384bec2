//! A color's log buffer: bounded by lines and bytes, with follow mode, scrolling that
//! stays put while new lines arrive, and a stable color slot per pod. Each line is read
//! once when it arrives ([`logfmt::parse`]); which lines pass the pane's filter and which
//! match the search are decided then too (and again only when the filter or search
//! changes), so drawing a frame never runs a regex over the buffer.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use regex::Regex;

use super::logfmt::{self, Level, Parsed, Shape};

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
    /// The line as read at ingestion: level, and how it is shown.
    pub parsed: Parsed,
    /// Passes the buffer's filter.
    shown: bool,
    /// Matches the buffer's search.
    hit: bool,
}

impl LogEntry {
    fn bytes(&self) -> usize {
        // Strings plus a fixed overhead, so the byte bound also limits tiny lines.
        self.pod.len() + self.container.len() + self.text.len() + self.parsed.bytes() + 64
    }

    /// Does the line match the search?
    pub fn hit(&self) -> bool {
        self.hit
    }
}

/// Which lines a pane shows: the regex filter (text or pod name), a least level, and
/// one pod; all must pass.
#[derive(Debug, Clone, Default)]
pub struct LineFilter {
    /// The `/` filter.
    pub regex: Option<Regex>,
    /// Lines below this level (or without one) are hidden.
    pub min_level: Option<Level>,
    /// Only this pod's lines.
    pub pod: Option<String>,
}

impl LineFilter {
    /// Does the line pass?
    pub fn accepts(&self, e: &LogEntry) -> bool {
        self.min_level
            .is_none_or(|min| e.parsed.level.is_some_and(|l| l >= min))
            && self.pod.as_deref().is_none_or(|p| e.pod == p)
            && self
                .regex
                .as_ref()
                .is_none_or(|re| re.is_match(&e.text) || re.is_match(&e.pod))
    }

    /// The same filter as these parts (so an unchanged filter is not applied again).
    pub fn same(&self, regex: Option<&Regex>, min_level: Option<Level>, pod: Option<&str>) -> bool {
        self.regex.as_ref().map(Regex::as_str) == regex.map(Regex::as_str)
            && self.min_level == min_level
            && self.pod.as_deref() == pod
    }
}

/// Number of distinct pod color slots.
pub const POD_SLOTS: u8 = 6;

/// What the buffer remembers per pod.
#[derive(Debug, Clone, Copy)]
struct PodMark {
    slot: u8,
    /// The level of its last line, for continuation lines (an indented stack frame).
    level: Option<Level>,
}

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
    pods: HashMap<String, PodMark>,
    filter: LineFilter,
    /// Lines the filter hides.
    hidden: usize,
    search: Option<Regex>,
    /// Lines shown that match the search.
    hits: usize,
    /// The seq of the current search match.
    current: Option<u64>,
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
            pods: HashMap::new(),
            filter: LineFilter::default(),
            hidden: 0,
            search: None,
            hits: 0,
            current: None,
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
        let mut parsed = logfmt::parse(&text);
        let next_slot = (self.pods.len() % POD_SLOTS as usize) as u8;
        let mark = match self.pods.get_mut(&pod) {
            Some(m) => m,
            None => self.pods.entry(pod.clone()).or_insert(PodMark {
                slot: next_slot,
                level: None,
            }),
        };
        // An indented line without a level of its own continues the pod's previous line.
        let continues = text.starts_with(' ') && matches!(parsed.shape, Shape::Plain(_));
        if parsed.level.is_none() && continues {
            parsed.level = mark.level;
        } else {
            mark.level = parsed.level;
        }
        let mut entry = LogEntry {
            seq: self.next_seq,
            pod,
            container,
            ts,
            text,
            slot: mark.slot,
            parsed,
            shown: true,
            hit: false,
        };
        self.judge(&mut entry);
        self.next_seq += 1;
        self.bytes += entry.bytes();
        self.entries.push_back(entry);
        while self.entries.len() > self.max_lines
            || (self.bytes > self.max_bytes && self.entries.len() > 1)
        {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.bytes();
                self.hidden -= usize::from(!old.shown);
                self.hits -= usize::from(old.shown && old.hit);
                self.evicted += 1;
            }
        }
    }

    /// Decide whether a line is shown and matches the search, and count it.
    fn judge(&mut self, e: &mut LogEntry) {
        e.shown = self.filter.accepts(e);
        e.hit = self.search.as_ref().is_some_and(|re| re.is_match(&e.text));
        self.hidden += usize::from(!e.shown);
        self.hits += usize::from(e.shown && e.hit);
    }

    /// Decide every line again (after the filter or the search changed).
    fn judge_all(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        self.hidden = 0;
        self.hits = 0;
        for e in &mut entries {
            self.judge(e);
        }
        self.entries = entries;
    }

    /// The filter the buffer applies.
    pub fn filter(&self) -> &LineFilter {
        &self.filter
    }

    /// Apply a new filter to every line.
    pub fn set_filter(&mut self, filter: LineFilter) {
        self.filter = filter;
        self.judge_all();
    }

    /// The search regex.
    pub fn search(&self) -> Option<&Regex> {
        self.search.as_ref()
    }

    /// Search every line for `search` (None ends the search); forgets the current match.
    pub fn set_search(&mut self, search: Option<Regex>) {
        self.search = search;
        self.current = None;
        self.judge_all();
    }

    /// Lines the filter hides.
    pub fn hidden(&self) -> usize {
        self.hidden
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

    /// Every kept line, oldest first (filter or not).
    pub fn iter(&self) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter()
    }

    /// True while the view follows new lines.
    pub fn following(&self) -> bool {
        self.anchor.is_none()
    }

    /// Resume following (G / End).
    pub fn follow(&mut self) {
        self.anchor = None;
    }

    /// Index of the line with sequence number `seq`, if it is still kept.
    fn index_of(&self, seq: u64) -> Option<usize> {
        let i = usize::try_from(seq.checked_sub(self.entries.front()?.seq)?).ok()?;
        (i < self.entries.len()).then_some(i)
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

    /// Move the view up by `n` shown lines; pauses following.
    pub fn scroll_up(&mut self, n: usize) {
        let Some(bottom) = self.bottom_index() else {
            return;
        };
        let mut idx = (0..=bottom)
            .rev()
            .find(|i| self.entries[*i].shown)
            .unwrap_or(bottom);
        for _ in 0..n {
            match (0..idx).rev().find(|i| self.entries[*i].shown) {
                Some(prev) => idx = prev,
                None => break,
            }
        }
        self.anchor = Some(self.entries[idx].seq);
    }

    /// Move the view down by `n` shown lines; stays paused (G / End resume).
    pub fn scroll_down(&mut self, n: usize) {
        let (Some(bottom), Some(_)) = (self.bottom_index(), self.anchor) else {
            return;
        };
        let mut idx = bottom;
        for _ in 0..n {
            match (idx + 1..self.entries.len()).find(|i| self.entries[*i].shown) {
                Some(next) => idx = next,
                None => break,
            }
        }
        self.anchor = Some(self.entries[idx].seq);
    }

    /// Jump to the oldest kept line (pauses following).
    pub fn oldest(&mut self, rows: usize) {
        let first = self
            .entries
            .iter()
            .filter(|e| e.shown)
            .take(rows.max(1))
            .last();
        if let Some(e) = first {
            self.anchor = Some(e.seq);
        }
    }

    /// Shown lines from the bottom of the view upwards (newest first).
    pub fn iter_visible(&self) -> impl Iterator<Item = &LogEntry> + '_ {
        let end = self.bottom_index().map_or(0, |b| b + 1);
        self.entries.range(..end).rev().filter(|e| e.shown)
    }

    /// Shown lines below the view (new lines waiting while paused).
    pub fn below_view(&self) -> usize {
        match (self.anchor, self.bottom_index()) {
            (Some(_), Some(b)) => self.entries.range(b + 1..).filter(|e| e.shown).count(),
            _ => 0,
        }
    }
}

mod search;

pub use search::Jump;

#[cfg(test)]
mod tests;
