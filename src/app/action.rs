//! What a key can do: the action names (used by `[keys]` overrides), their help text,
//! why unavailable ones are unavailable, and the default bindings of each mode.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::KeyMode;

/// Why the release actions cannot run yet.
pub const RELEASE_ACTIONS_PENDING: &str = "not yet available (release actions)";

/// Everything a key can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Quit (asks first while an action is in flight).
    Quit,
    /// Ctrl-C: cancel the running action, else ask to quit.
    Interrupt,
    /// Ctrl-Z: suspend to the shell.
    Suspend,
    /// The rollback chord, reserved in every mode.
    RollbackChord,
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
    /// Start typing a log filter.
    Filter,
    /// Clear the log filter.
    ClearFilter,
    /// Toggle line wrap in the log panes.
    ToggleWrap,
    /// Toggle timestamps in the log panes.
    ToggleTimestamps,
    /// Smoke-test the standby colour.
    Smoke,
    /// Switch traffic.
    Switch,
    /// Roll back.
    Rollback,
    /// Deploy to the standby colour.
    Deploy,
    /// Decommission the old colour.
    Decommission,
    /// The pre-deployment checklist.
    Checklist,
    /// Apply the typed filter.
    FilterApply,
    /// Abandon the typed filter.
    FilterCancel,
    /// Delete the last typed character.
    FilterBackspace,
    /// Close the modal or screen.
    Close,
    /// Yes, quit.
    ConfirmQuit,
    /// No, stay.
    CancelQuit,
}

impl Action {
    /// Every action (the names `[keys]` accepts).
    pub const ALL: [Action; 31] = [
        Action::Quit,
        Action::Interrupt,
        Action::Suspend,
        Action::RollbackChord,
        Action::Help,
        Action::AppLog,
        Action::FocusNext,
        Action::FocusPrev,
        Action::Down,
        Action::Up,
        Action::PageDown,
        Action::PageUp,
        Action::Follow,
        Action::Oldest,
        Action::Open,
        Action::Filter,
        Action::ClearFilter,
        Action::ToggleWrap,
        Action::ToggleTimestamps,
        Action::Smoke,
        Action::Switch,
        Action::Rollback,
        Action::Deploy,
        Action::Decommission,
        Action::Checklist,
        Action::FilterApply,
        Action::FilterCancel,
        Action::FilterBackspace,
        Action::Close,
        Action::ConfirmQuit,
        Action::CancelQuit,
    ];

    /// The name used in `[keys]`.
    pub fn name(self) -> &'static str {
        self.info().0
    }

    /// What it does, for help.
    pub fn description(self) -> &'static str {
        self.info().1
    }

    /// The action with this `[keys]` name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// True for the actions bound in every mode, filter input included.
    pub fn is_everywhere(self) -> bool {
        EVERYWHERE.iter().any(|(_, a)| *a == self)
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

    /// Why the action cannot run, when it cannot.
    pub fn unavailable(self) -> Option<&'static str> {
        match self {
            Action::Smoke
            | Action::Switch
            | Action::Rollback
            | Action::Deploy
            | Action::Decommission
            | Action::Checklist
            | Action::RollbackChord => Some(RELEASE_ACTIONS_PENDING),
            _ => None,
        }
    }

    fn info(self) -> (&'static str, &'static str) {
        match self {
            Action::Quit => ("quit", "quit (asks first while an action runs)"),
            Action::Interrupt => ("interrupt", "cancel the running action, else ask to quit"),
            Action::Suspend => ("suspend", "suspend to the shell (fg resumes)"),
            Action::RollbackChord => ("rollback_chord", "ROLLBACK from anywhere"),
            Action::Help => ("help", "this help"),
            Action::AppLog => ("app_log", "cutover's own log"),
            Action::FocusNext => ("focus_next", "focus next pane (blue, green, timeline)"),
            Action::FocusPrev => ("focus_prev", "focus previous pane"),
            Action::Down => ("down", "next pod / scroll down"),
            Action::Up => ("up", "previous pod / scroll up"),
            Action::PageDown => ("page_down", "logs a page down"),
            Action::PageUp => ("page_up", "logs a page up (pauses following)"),
            Action::Follow => ("follow", "newest log line, resume following"),
            Action::Oldest => ("oldest", "oldest log line kept"),
            Action::Open => ("open", "pod detail: conditions, containers, events"),
            Action::Filter => ("filter", "filter logs by regex"),
            Action::ClearFilter => ("clear_filter", "clear the log filter"),
            Action::ToggleWrap => ("wrap", "toggle log line wrap"),
            Action::ToggleTimestamps => ("timestamps", "toggle log timestamps"),
            Action::Smoke => ("smoke", "smoke-test the standby colour"),
            Action::Switch => ("switch", "switch traffic to the standby colour"),
            Action::Rollback => ("rollback", "ROLLBACK traffic to the previous colour"),
            Action::Deploy => ("deploy", "deploy to the standby colour"),
            Action::Decommission => ("decommission", "scale down the old colour"),
            Action::Checklist => ("checklist", "pre-deployment checklist"),
            Action::FilterApply => ("filter_apply", "apply the filter (empty clears)"),
            Action::FilterCancel => ("filter_cancel", "cancel, keep the previous filter"),
            Action::FilterBackspace => ("filter_backspace", "delete the last character"),
            Action::Close => ("close", "close"),
            Action::ConfirmQuit => ("confirm_quit", "yes, quit"),
            Action::CancelQuit => ("cancel_quit", "no, stay"),
        }
    }
}

/// Bound in every mode: the rollback chord, Ctrl-C and Ctrl-Z.
///
/// Their keys need a Ctrl or Alt modifier or are function keys (see
/// [`Action::key_fits`]): a plain key would be taken from the filter input's typing.
const EVERYWHERE: [(&str, Action); 3] = [
    ("ctrl-r", Action::RollbackChord),
    ("ctrl-c", Action::Interrupt),
    ("ctrl-z", Action::Suspend),
];

/// Scrolling inside a modal or screen.
const SCROLL: [(&str, Action); 6] = [
    ("j", Action::Down),
    ("down", Action::Down),
    ("k", Action::Up),
    ("up", Action::Up),
    ("pgdn", Action::PageDown),
    ("pgup", Action::PageUp),
];

const NORMAL: [(&str, Action); 27] = [
    ("r", Action::Rollback),
    ("s", Action::Smoke),
    ("t", Action::Switch),
    ("p", Action::Deploy),
    ("d", Action::Decommission),
    ("c", Action::Checklist),
    ("tab", Action::FocusNext),
    ("backtab", Action::FocusPrev),
    ("j", Action::Down),
    ("down", Action::Down),
    ("k", Action::Up),
    ("up", Action::Up),
    ("pgdn", Action::PageDown),
    ("pgup", Action::PageUp),
    ("G", Action::Follow),
    ("end", Action::Follow),
    ("g", Action::Oldest),
    ("home", Action::Oldest),
    ("enter", Action::Open),
    ("/", Action::Filter),
    ("esc", Action::ClearFilter),
    ("w", Action::ToggleWrap),
    ("T", Action::ToggleTimestamps),
    ("L", Action::AppLog),
    ("?", Action::Help),
    ("q", Action::Quit),
    ("F1", Action::Help),
];

const FILTER: [(&str, Action); 3] = [
    ("enter", Action::FilterApply),
    ("esc", Action::FilterCancel),
    ("backspace", Action::FilterBackspace),
];

const CONFIRM: [(&str, Action); 4] = [
    ("y", Action::ConfirmQuit),
    ("enter", Action::ConfirmQuit),
    ("n", Action::CancelQuit),
    ("esc", Action::CancelQuit),
];

/// The default bindings of a mode, as (key text, action); keys parse with `parse_key`.
pub fn default_bindings(mode: KeyMode) -> Vec<(&'static str, Action)> {
    let specific: &[(&str, Action)] = match mode {
        KeyMode::Normal => &NORMAL,
        KeyMode::FilterInput => &FILTER,
        KeyMode::ConfirmQuit => &CONFIRM,
        KeyMode::PodDetail => &[("esc", Action::Close), ("q", Action::Close)],
        KeyMode::Help => &[
            ("esc", Action::Close),
            ("q", Action::Close),
            ("?", Action::Close),
        ],
        KeyMode::AppLog => &[
            ("esc", Action::Close),
            ("q", Action::Close),
            ("L", Action::Close),
        ],
    };
    let scroll: &[(&str, Action)] = match mode {
        KeyMode::PodDetail | KeyMode::Help => &SCROLL,
        _ => &[],
    };
    EVERYWHERE
        .iter()
        .chain(specific)
        .chain(scroll)
        .copied()
        .collect()
}
