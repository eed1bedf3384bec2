//! Searching a buffer: which shown lines match, the current match ("3 of 17"), and
//! jumping between matches with wrap-around.

use super::LogBuffer;

/// Which way a search jump goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jump {
    /// Down, towards newer lines (`n`).
    Newer,
    /// Up, towards older lines (`N`).
    Older,
}

impl LogBuffer {
    /// The current search match's seq.
    pub fn current_match(&self) -> Option<u64> {
        self.current
    }

    /// Shown lines matching the search.
    pub fn matches(&self) -> usize {
        self.hits
    }

    /// "k of n": the current match's place among the shown matching lines, oldest first.
    pub fn match_position(&self) -> Option<(usize, usize)> {
        let at = self.index_of(self.current?)?;
        let e = &self.entries[at];
        if !(e.shown && e.hit) {
            return None;
        }
        let k = self
            .entries
            .range(..=at)
            .filter(|e| e.shown && e.hit)
            .count();
        Some((k, self.hits))
    }

    /// Make the next (or previous) shown match the current one, wrapping around, and
    /// scroll so it shows with up to `context` lines below it (pauses following). Without
    /// a current match, the search starts from the bottom of the view.
    pub fn jump(&mut self, dir: Jump, context: usize) -> Option<(usize, usize)> {
        let bottom = self.bottom_index()?;
        let is_match = |i: &usize| self.entries[*i].shown && self.entries[*i].hit;
        let current = self.current.and_then(|seq| self.index_of(seq));
        let len = self.entries.len();
        let found = match dir {
            Jump::Newer => {
                let from = current.map_or(bottom, |c| c + 1);
                (from..len)
                    .find(is_match)
                    .or_else(|| (0..len).find(is_match))
            }
            Jump::Older => {
                let until = current.unwrap_or(bottom + 1);
                (0..until)
                    .rev()
                    .find(is_match)
                    .or_else(|| (0..len).rev().find(is_match))
            }
        }?;
        self.current = Some(self.entries[found].seq);
        let below = (found + 1..len)
            .filter(|i| self.entries[*i].shown)
            .take(context)
            .last()
            .unwrap_or(found);
        self.anchor = Some(self.entries[below].seq);
        self.match_position()
    }
}
