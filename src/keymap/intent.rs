//! What a key can mean (an [`Intent`]): the names `[keys]` overrides use, their help
//! text, and why unavailable ones are unavailable.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::mode::KeyMode;

/// Everything a key can mean. (A release *action* is what runs; an intent is what a key asks.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Quit (asks first while an action is in flight).
    Quit,
    /// Ctrl-C: cancel the running action, else ask to quit.
    Interrupt,
    /// Ctrl-Z: suspend to the shell.
    Suspend,
    /// The rollback chord, reserved in every mode.
    RollbackChord,
    /// Ctrl-L: redraw the whole screen from scratch.
    Redraw,
    /// Open help.
    Help,
    /// Open cutover's own log.
    AppLog,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Select the next row / scroll down.
    Down,
    /// Select the previous row / scroll up.
    Up,
    /// Scroll logs (or the timeline) a page down.
    PageDown,
    /// Scroll logs (or the timeline) a page up; pauses following.
    PageUp,
    /// Jump to the newest log line and resume following.
    Follow,
    /// Jump to the oldest log line kept.
    Oldest,
    /// Open the selected pod's detail.
    Open,
    /// Explain the focused color's signals: queries, samples, budget, source health.
    Explain,
    /// Start typing a log filter.
    Filter,
    /// Clear the log filter.
    ClearFilter,
    /// Toggle line wrap in the log panes.
    ToggleWrap,
    /// Toggle timestamps in the log panes.
    ToggleTimestamps,
    /// Smoke-test the standby color.
    Smoke,
    /// Switch traffic.
    Switch,
    /// Roll back.
    Rollback,
    /// Deploy to the standby color.
    Deploy,
    /// Decommission the old color.
    Decommission,
    /// The pre-deployment checklist.
    Checklist,
    /// Apply the typed filter.
    FilterApply,
    /// Abandon the typed filter.
    FilterCancel,
    /// Delete the last typed character.
    FilterBackspace,
    /// Clear the typed text (Ctrl-U, as in a shell).
    FilterClearInput,
    /// Close the modal or screen.
    Close,
    /// Yes, quit.
    ConfirmQuit,
    /// No, stay.
    CancelQuit,
    /// Confirm the action shown.
    Accept,
    /// Cancel the action shown.
    Dismiss,
    /// Move between the confirmation's answer and its reason.
    NextField,
    /// Delete the last typed character of a dialog.
    Erase,
    /// Choose blue.
    ChooseBlue,
    /// Choose green.
    ChooseGreen,
    /// Tick (or untick) the selected checklist item.
    Tick,
    /// Run the checklist's commands (and the migration check).
    RunChecks,
    /// Write the release's post-mortem (markdown) to a file.
    Postmortem,
    /// Cycle the log level filter: all, warnings and errors, errors only.
    LevelFilter,
    /// Start typing a log search.
    Search,
    /// Apply the typed search.
    SearchApply,
    /// Abandon the typed search.
    SearchCancel,
    /// Delete the last typed character of the search.
    SearchBackspace,
    /// The next (newer) search match.
    NextMatch,
    /// The previous (older) search match.
    PrevMatch,
    /// Toggle structured or raw log lines.
    ToggleRaw,
    /// Toggle showing only the selected pod's lines.
    PodOnly,
    /// Toggle one color's logs on the full screen.
    Zoom,
    /// Write a color's buffered lines to a file.
    SaveLogs,
    /// Re-read the kubeconfig and start every feed again on the new connection.
    Reconnect,
}

impl Intent {
    /// Every action (the names `[keys]` accepts).
    pub const ALL: &'static [Intent] = &[
        Intent::Quit,
        Intent::Interrupt,
        Intent::Suspend,
        Intent::RollbackChord,
        Intent::Redraw,
        Intent::Help,
        Intent::AppLog,
        Intent::FocusNext,
        Intent::FocusPrev,
        Intent::Down,
        Intent::Up,
        Intent::PageDown,
        Intent::PageUp,
        Intent::Follow,
        Intent::Oldest,
        Intent::Open,
        Intent::Explain,
        Intent::Filter,
        Intent::ClearFilter,
        Intent::ToggleWrap,
        Intent::ToggleTimestamps,
        Intent::Smoke,
        Intent::Switch,
        Intent::Rollback,
        Intent::Deploy,
        Intent::Decommission,
        Intent::Checklist,
        Intent::FilterApply,
        Intent::FilterCancel,
        Intent::FilterBackspace,
        Intent::FilterClearInput,
        Intent::Close,
        Intent::ConfirmQuit,
        Intent::CancelQuit,
        Intent::Accept,
        Intent::Dismiss,
        Intent::NextField,
        Intent::Erase,
        Intent::ChooseBlue,
        Intent::ChooseGreen,
        Intent::Tick,
        Intent::RunChecks,
        Intent::Postmortem,
        Intent::LevelFilter,
        Intent::Search,
        Intent::SearchApply,
        Intent::SearchCancel,
        Intent::SearchBackspace,
        Intent::NextMatch,
        Intent::PrevMatch,
        Intent::ToggleRaw,
        Intent::PodOnly,
        Intent::Zoom,
        Intent::SaveLogs,
        Intent::Reconnect,
    ];

    /// The name used in `[keys]`.
    pub fn name(self) -> &'static str {
        self.info().0
    }

    /// What it does, for help.
    pub fn description(self) -> &'static str {
        self.info().1
    }

    /// What it does in `mode`: scrolling keys scroll the screen or dialog they are in there,
    /// not the logs.
    pub fn description_in(self, mode: KeyMode) -> &'static str {
        match (mode, self) {
            (KeyMode::Normal, _) => self.description(),
            (_, Intent::Down) => "scroll down",
            (_, Intent::Up) => "scroll up",
            (_, Intent::PageDown) => "scroll a page down",
            (_, Intent::PageUp) => "scroll a page up",
            _ => self.description(),
        }
    }

    /// The action with this `[keys]` name.
    pub fn from_name(name: &str) -> Option<Intent> {
        Intent::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// True for the actions bound in every mode, filter input included.
    pub fn is_everywhere(self) -> bool {
        EVERYWHERE.contains(&self)
    }

    /// Whether `key` may trigger this action. An action bound in every mode needs a Ctrl
    /// or Alt modifier or a function key: a plain key (`x`, `enter`, `esc`...) is typed or
    /// used in filter input. Returns why not, when not.
    pub fn key_fits(self, key: &KeyEvent) -> Result<(), String> {
        let modified = key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if !self.is_everywhere() || modified || matches!(key.code, KeyCode::F(_)) {
            return Ok(());
        }
        Err(format!(
            "`{}` is bound in every mode, filter input included, so its key needs a Ctrl \
             or Alt modifier or is a function key (e.g. \"ctrl-r\", \"alt-r\", \"F9\")",
            self.name()
        ))
    }

    fn info(self) -> (&'static str, &'static str) {
        match self {
            Intent::Quit => ("quit", "quit (asks first while an action runs)"),
            Intent::Interrupt => ("interrupt", "cancel the running action, else ask to quit"),
            Intent::Suspend => ("suspend", "suspend to the shell (fg resumes)"),
            Intent::RollbackChord => ("rollback_chord", "ROLLBACK from anywhere"),
            Intent::Redraw => ("redraw", "redraw the screen from scratch"),
            Intent::Help => ("help", "this help"),
            Intent::AppLog => ("app_log", "cutover's own log"),
            Intent::FocusNext => ("focus_next", "focus next pane (blue, green, timeline)"),
            Intent::FocusPrev => ("focus_prev", "focus previous pane"),
            Intent::Down => ("down", "next pod / scroll down"),
            Intent::Up => ("up", "previous pod / scroll up"),
            Intent::PageDown => ("page_down", "logs (or the timeline) a page down"),
            Intent::PageUp => (
                "page_up",
                "logs (or the timeline) a page up (pauses following)",
            ),
            Intent::Follow => (
                "follow",
                "newest log line, resume following (timeline: its bottom, the oldest)",
            ),
            Intent::Oldest => (
                "oldest",
                "oldest log line kept (timeline: its top, the newest)",
            ),
            Intent::Open => ("open", "pod detail: conditions, containers, events"),
            Intent::Explain => ("explain", "explain the signals: queries, samples, budget"),
            Intent::Filter => ("filter", "filter logs by regex"),
            Intent::ClearFilter => (
                "clear_filter",
                "leave the zoom, else clear the log filter and search",
            ),
            Intent::ToggleWrap => ("wrap", "toggle log line wrap"),
            Intent::ToggleTimestamps => ("timestamps", "toggle log timestamps"),
            Intent::Smoke => ("smoke", "smoke-test the standby color"),
            Intent::Switch => ("switch", "switch traffic to the standby color"),
            Intent::Rollback => ("rollback", "ROLLBACK traffic to the previous color"),
            Intent::Deploy => ("deploy", "deploy a version to the standby color"),
            Intent::Decommission => (
                "decommission",
                "take the old color down (scale to 0) after monitoring",
            ),
            Intent::Checklist => ("checklist", "the release's pre-deployment checklist"),
            Intent::FilterApply => ("filter_apply", "apply the filter (empty clears)"),
            Intent::FilterCancel => ("filter_cancel", "cancel, keep the previous filter"),
            Intent::FilterBackspace => ("filter_backspace", "delete the last character"),
            Intent::FilterClearInput => ("filter_clear_input", "clear what was typed"),
            Intent::Close => ("close", "close"),
            Intent::ConfirmQuit => ("confirm_quit", "yes, quit"),
            Intent::CancelQuit => ("cancel_quit", "no, stay"),
            Intent::Accept => ("accept", "confirm (when typing is asked, after typing it)"),
            Intent::Dismiss => ("dismiss", "cancel, nothing is done"),
            Intent::NextField => ("next_field", "move between the answer and the reason"),
            Intent::Erase => ("erase", "delete the last typed character"),
            Intent::ChooseBlue => ("choose_blue", "choose BLUE"),
            Intent::ChooseGreen => ("choose_green", "choose GREEN"),
            Intent::Tick => ("tick", "tick or untick the selected manual item"),
            Intent::RunChecks => ("run_checks", "run the checklist's commands now"),
            Intent::Postmortem => (
                "postmortem",
                "write the release's post-mortem (markdown) to a file",
            ),
            Intent::LevelFilter => (
                "level_filter",
                "log levels: all → warnings and errors → errors only",
            ),
            Intent::Search => ("search", "search logs (highlights, hides nothing)"),
            Intent::SearchApply => ("search_apply", "search and jump to the nearest match"),
            Intent::SearchCancel => ("search_cancel", "cancel, keep the previous search"),
            Intent::SearchBackspace => ("search_backspace", "delete the last character"),
            Intent::NextMatch => ("next_match", "next (newer) search match"),
            Intent::PrevMatch => ("prev_match", "previous (older) search match"),
            Intent::ToggleRaw => ("raw", "toggle structured / raw log lines"),
            Intent::PodOnly => ("pod_only", "toggle: only the selected pod's log lines"),
            Intent::Zoom => ("zoom", "toggle: the focused color's logs full screen"),
            Intent::Reconnect => (
                "reconnect",
                "reconnect: re-read the kubeconfig (same context) and restart every feed",
            ),
            Intent::SaveLogs => (
                "save_logs",
                "write the focused color's log lines to a file (the footer says where)",
            ),
        }
    }
}

/// Bound in every mode, text input included: the rollback chord, Ctrl-C, Ctrl-Z and Ctrl-L.
///
/// Their keys need a Ctrl or Alt modifier or are function keys (see [`Intent::key_fits`]):
/// a plain key would be taken from the filter input's typing.
pub const EVERYWHERE: [Intent; 4] = [
    Intent::RollbackChord,
    Intent::Interrupt,
    Intent::Suspend,
    Intent::Redraw,
];
