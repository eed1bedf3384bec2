//! What is on screen besides the cockpit's facts: focus, the open modal, the full-screen
//! view, and the sizes the view last drew.

use super::super::action::confirm::Confirm;
use super::super::action::{ActionId, RequestOptions};
use crate::model::Color;

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// A color column.
    Color(Color),
    /// The timeline.
    Timeline,
}

/// An open modal.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// Why a color's signals stand as they do: queries, samples, budget, source health.
    Explain {
        /// Its color.
        color: Color,
        /// Scroll offset in rows.
        scroll: usize,
    },
    /// Detail of one pod.
    PodDetail {
        /// Its color.
        color: Color,
        /// Its name.
        pod: String,
        /// Scroll offset in rows.
        scroll: usize,
    },
    /// "Quit?"
    ConfirmQuit,
    /// The confirmation of an action; it carries the action it confirms.
    Confirm(Box<Confirm>),
    /// The router says neither color: which one to roll back to?
    ChooseRollback {
        /// How the rollback was asked.
        options: RequestOptions,
    },
    /// The version to deploy, being typed.
    VersionPrompt(Prompt),
    /// The release's checklist, with the selected row.
    Checklist {
        /// Selected item.
        selected: usize,
    },
    /// Ctrl-C while an external command runs: kill it?
    ConfirmCancel {
        /// The action running it.
        id: ActionId,
        /// What is asked, one line each.
        lines: Vec<String>,
    },
}

/// The version prompt of a deploy: pre-filled with the last version used; ↑/↓ walk the
/// versions used before.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prompt {
    /// Typed so far.
    pub input: String,
    /// Versions used before, newest first.
    pub history: Vec<String>,
    /// Which of them is shown (None: what was typed).
    pub at: Option<usize>,
    /// The color deployed to, as it stood when the prompt opened.
    pub color: Option<Color>,
}

/// A full-screen view replacing the cockpit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The cockpit.
    Cockpit,
    /// Help, scrolled by this many rows.
    Help(usize),
    /// cutover's own log.
    AppLog,
}

/// Sizes the view last drew, reported back to `update` (`Msg::Viewport`) so the core
/// never copies the UI's layout to clamp scrolling or size a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewport {
    /// Rows of a color's log pane (what PgUp/PgDn move).
    pub log_rows: usize,
    /// Rows of the timeline pane.
    pub timeline_rows: usize,
    /// Lines of the help screen, when it is open.
    pub help_lines: usize,
    /// Lines of the pod detail (or the signals' explanation), when it is open.
    pub detail_lines: usize,
}
