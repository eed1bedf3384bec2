//! The key modes: which set of bindings is active.

/// Which set of bindings is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyMode {
    /// The cockpit itself.
    Normal,
    /// Typing a `/` log filter.
    FilterInput,
    /// The pod detail modal.
    PodDetail,
    /// The explanation of a color's signals.
    Explain,
    /// Typing a log search.
    SearchInput,
    /// The "quit?" confirmation modal.
    ConfirmQuit,
    /// The help screen.
    Help,
    /// cutover's own log.
    AppLog,
    /// The confirmation of an action (typing goes to its answer or reason).
    Confirm,
    /// Choosing a color (rollback when the router says neither).
    ChooseColor,
    /// Typing the version to deploy (↑/↓ walk the versions used before).
    VersionInput,
    /// The release's checklist.
    Checklist,
    /// "Kill the running command?" (an interrupted `helm upgrade` leaves a release stuck).
    ConfirmCancel,
}

impl KeyMode {
    /// Every mode, in help order.
    pub const ALL: &'static [KeyMode] = &[
        KeyMode::Normal,
        KeyMode::FilterInput,
        KeyMode::SearchInput,
        KeyMode::PodDetail,
        KeyMode::Explain,
        KeyMode::ConfirmQuit,
        KeyMode::Help,
        KeyMode::AppLog,
        KeyMode::Confirm,
        KeyMode::ChooseColor,
        KeyMode::VersionInput,
        KeyMode::Checklist,
        KeyMode::ConfirmCancel,
    ];

    /// Human name for help.
    pub fn title(self) -> &'static str {
        match self {
            KeyMode::Normal => "cockpit",
            KeyMode::FilterInput => "filter input",
            KeyMode::SearchInput => "search input",
            KeyMode::PodDetail => "pod detail",
            KeyMode::Explain => "signals explained",
            KeyMode::ConfirmQuit => "confirm quit",
            KeyMode::Help => "help",
            KeyMode::AppLog => "cutover log",
            KeyMode::Confirm => "confirm action",
            KeyMode::ChooseColor => "choose color",
            KeyMode::VersionInput => "version to deploy",
            KeyMode::Checklist => "checklist",
            KeyMode::ConfirmCancel => "confirm cancel",
        }
    }
}
