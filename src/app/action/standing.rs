//! Where the release stands: the stepper line, the checklist's items, and the monitoring
//! window. Computed by `update` from the state after every message (router, versions,
//! smoke results, checklist, journal) — facts derived afresh, never kept as a separate
//! truth that could drift.

use chrono::{DateTime, Utc};

use crate::config::schema::ItemKind;
use crate::keymap::{Intent, KeyMode, Keymap};
use crate::model::Color;

/// How a step of the release stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Done: ✔.
    Done,
    /// The next thing to do: ▶.
    Now,
    /// Later.
    Todo,
    /// Failed or blocked: ✖.
    Failed,
}

/// One step of the stepper line.
#[derive(Debug, Clone, PartialEq)]
pub struct StepMark {
    /// How it stands.
    pub mark: Mark,
    /// "smoke", "checklist 5/5", "monitoring 11:02 left".
    pub text: String,
    /// The key that takes it (shown as "(t)").
    pub key: Option<Intent>,
}

impl StepMark {
    /// A step.
    pub fn new(mark: Mark, text: impl Into<String>, key: Option<Intent>) -> StepMark {
        StepMark {
            mark,
            text: text.into(),
            key,
        }
    }
}

/// The release's steps in one line: "release v2.0.0 → GREEN: ✔ deployed · ▶ smoke (s) · …".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stepper {
    /// "release v2.0.0 → GREEN".
    pub head: String,
    /// The steps, in order.
    pub steps: Vec<StepMark>,
}

impl Stepper {
    /// The line as shown, with each step's key from `keymap`.
    pub fn line(&self, keymap: &Keymap) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| {
                let mark = match s.mark {
                    Mark::Done => "✔ ",
                    Mark::Now => "▶ ",
                    Mark::Failed => "✖ ",
                    Mark::Todo => "",
                };
                let key = s
                    .key
                    .map(|i| keymap.keys_for(KeyMode::Normal, i))
                    .and_then(|k| k.split(' ').next().map(str::to_string))
                    .filter(|k| !k.is_empty())
                    .map(|k| format!(" ({k})"))
                    .unwrap_or_default();
                format!("{mark}{}{key}", s.text)
            })
            .collect();
        format!("{}: {}", self.head, steps.join(" · "))
    }
}

/// How a checklist item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    /// Ticked, or checked and passed.
    Pass,
    /// Checked and failed.
    Fail,
    /// Not ticked or not checked yet.
    Open,
}

/// One checklist item for the release, as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStatus {
    /// Its name.
    pub name: String,
    /// How it is decided.
    pub kind: ItemKind,
    /// It gates the switch.
    pub required: bool,
    /// How it stands.
    pub state: ItemState,
    /// "ticked by alice at 10:42:07", "exit 0 in 0.31 s", "GREEN 3/3 ready".
    pub detail: String,
    /// The last lines of its command's output.
    pub output: Vec<String>,
}

/// The checklist of one release: the standby color and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    /// The release's color.
    pub color: Color,
    /// Its version.
    pub version: Option<String>,
    /// The items, in configuration order.
    pub items: Vec<ItemStatus>,
}

impl Checklist {
    /// Items that pass.
    pub fn done(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.state == ItemState::Pass)
            .count()
    }

    /// Required items that do not pass.
    pub fn open_required(&self) -> Vec<&ItemStatus> {
        self.items
            .iter()
            .filter(|i| i.required && i.state != ItemState::Pass)
            .collect()
    }
}

/// The monitoring window after a switch: the old color is kept warm for a rollback.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitor {
    /// The color serving.
    pub live: Color,
    /// When traffic moved to it (None: not known — before cutover watched, no record).
    pub since: Option<DateTime<Utc>>,
    /// When the window ends (None when `since` is unknown).
    pub ends: Option<DateTime<Utc>>,
    /// The window has passed (false when unknown: the safe side).
    pub passed: bool,
    /// The old color is already down (scaled to 0, or gone).
    pub old_down: bool,
    /// Traffic came back to the live color by a rollback: the other color is what was
    /// rolled back from, not a color to roll back to.
    pub rolled_back: bool,
}

impl Monitor {
    /// Seconds left in the window (0 once passed; None when unknown).
    pub fn left_secs(&self, now: DateTime<Utc>) -> Option<i64> {
        // Whole seconds of the clock, so the countdown ticks with the shown clock.
        self.ends.map(|e| (e.timestamp() - now.timestamp()).max(0))
    }

    /// "12:31" (minutes:seconds) left, when known.
    pub fn left_words(&self, now: DateTime<Utc>) -> Option<String> {
        self.left_secs(now)
            .map(|s| format!("{}:{:02}", s / 60, s % 60))
    }
}

/// Everything about where the release stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Standing {
    /// The stepper line.
    pub stepper: Stepper,
    /// The checklist of the release on the standby color (None: no standby color).
    pub checklist: Option<Checklist>,
    /// The monitoring window (None: the router names no single color).
    pub monitor: Option<Monitor>,
}
