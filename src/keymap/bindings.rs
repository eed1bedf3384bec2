//! The default bindings of each mode.

use super::intent::Intent;
use super::mode::KeyMode;

/// A table of default bindings: (key text, intent).
type Table = [(&'static str, Intent)];

/// The default keys of the intents bound in every mode ([`super::intent::EVERYWHERE`]).
const EVERYWHERE: [(&str, Intent); 4] = [
    ("ctrl-r", Intent::RollbackChord),
    ("ctrl-c", Intent::Interrupt),
    ("ctrl-z", Intent::Suspend),
    ("ctrl-l", Intent::Redraw),
];

/// Scrolling inside a modal or screen.
const SCROLL: [(&str, Intent); 6] = [
    ("j", Intent::Down),
    ("down", Intent::Down),
    ("k", Intent::Up),
    ("up", Intent::Up),
    ("pgdn", Intent::PageDown),
    ("pgup", Intent::PageUp),
];

/// The cockpit's release keys and focus, listed before its scrolling keys.
const NORMAL_FIRST: [(&str, Intent); 8] = [
    ("r", Intent::Rollback),
    ("s", Intent::Smoke),
    ("t", Intent::Switch),
    ("p", Intent::Deploy),
    ("d", Intent::Decommission),
    ("c", Intent::Checklist),
    ("tab", Intent::FocusNext),
    ("backtab", Intent::FocusPrev),
];

/// The cockpit's keys after its scrolling keys.
const NORMAL_THEN: [(&str, Intent); 16] = [
    ("G", Intent::Follow),
    ("end", Intent::Follow),
    ("g", Intent::Oldest),
    ("home", Intent::Oldest),
    ("enter", Intent::Open),
    ("e", Intent::Explain),
    ("/", Intent::Filter),
    ("esc", Intent::ClearFilter),
    ("w", Intent::ToggleWrap),
    ("T", Intent::ToggleTimestamps),
    ("L", Intent::AppLog),
    ("K", Intent::Reconnect),
    ("M", Intent::Postmortem),
    ("?", Intent::Help),
    ("q", Intent::Quit),
    ("F1", Intent::Help),
];

/// The log panes' keys, after the cockpit's others.
const LOGS: [(&str, Intent); 8] = [
    ("l", Intent::LevelFilter),
    ("f", Intent::Search),
    ("n", Intent::NextMatch),
    ("N", Intent::PrevMatch),
    ("v", Intent::ToggleRaw),
    ("o", Intent::PodOnly),
    ("z", Intent::Zoom),
    ("ctrl-s", Intent::SaveLogs),
];

const SEARCH: [(&str, Intent); 3] = [
    ("enter", Intent::SearchApply),
    ("esc", Intent::SearchCancel),
    ("backspace", Intent::SearchBackspace),
];

const FILTER: [(&str, Intent); 4] = [
    ("enter", Intent::FilterApply),
    ("esc", Intent::FilterCancel),
    ("backspace", Intent::FilterBackspace),
    ("ctrl-u", Intent::FilterClearInput),
];

const CONFIRM: [(&str, Intent); 4] = [
    ("y", Intent::ConfirmQuit),
    ("enter", Intent::ConfirmQuit),
    ("n", Intent::CancelQuit),
    ("esc", Intent::CancelQuit),
];

/// The default bindings of a mode, as (key text, action); keys parse with `parse_key`.
pub fn default_bindings(mode: KeyMode) -> Vec<(&'static str, Intent)> {
    let first: &Table = match mode {
        KeyMode::Normal => &NORMAL_FIRST,
        _ => &[],
    };
    let specific: &Table = match mode {
        KeyMode::Normal => &NORMAL_THEN,
        KeyMode::FilterInput => &FILTER,
        KeyMode::SearchInput => &SEARCH,
        KeyMode::ConfirmQuit => &CONFIRM,
        KeyMode::PodDetail => &[("esc", Intent::Close), ("q", Intent::Close)],
        KeyMode::Explain => &[
            ("esc", Intent::Close),
            ("q", Intent::Close),
            ("e", Intent::Close),
        ],
        KeyMode::Help => &[
            ("esc", Intent::Close),
            ("q", Intent::Close),
            ("?", Intent::Close),
        ],
        KeyMode::Confirm => &[
            ("enter", Intent::Accept),
            ("esc", Intent::Dismiss),
            ("tab", Intent::NextField),
            ("backspace", Intent::Erase),
        ],
        KeyMode::ChooseColor => &[
            ("b", Intent::ChooseBlue),
            ("g", Intent::ChooseGreen),
            ("esc", Intent::Dismiss),
        ],
        KeyMode::AppLog => &[
            ("esc", Intent::Close),
            ("q", Intent::Close),
            ("L", Intent::Close),
        ],
        KeyMode::VersionInput => &[
            ("enter", Intent::Accept),
            ("esc", Intent::Dismiss),
            ("backspace", Intent::Erase),
            ("up", Intent::Up),
            ("down", Intent::Down),
        ],
        KeyMode::Checklist => &[
            ("space", Intent::Tick),
            ("x", Intent::RunChecks),
            ("esc", Intent::Close),
            ("q", Intent::Close),
            ("c", Intent::Close),
        ],
        KeyMode::ConfirmCancel => &[
            ("y", Intent::Accept),
            ("enter", Intent::Accept),
            ("n", Intent::Dismiss),
            ("esc", Intent::Dismiss),
        ],
    };
    let scroll: &Table = match mode {
        KeyMode::Normal
        | KeyMode::PodDetail
        | KeyMode::Explain
        | KeyMode::Help
        | KeyMode::Checklist => &SCROLL,
        _ => &[],
    };
    // Normal mode lists its scrolling keys between its release keys and its view keys.
    let (before, after): (&Table, &Table) = match mode {
        KeyMode::Normal => (scroll, specific),
        _ => (specific, scroll),
    };
    let logs: &Table = match mode {
        KeyMode::Normal => &LOGS,
        _ => &[],
    };
    EVERYWHERE
        .iter()
        .chain(first)
        .chain(before)
        .chain(after)
        .chain(logs)
        .copied()
        .collect()
}
