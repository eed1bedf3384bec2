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
    /// Typing a log search.
    SearchInput,
    /// The "quit?" confirmation modal.
    ConfirmQuit,
    /// The help screen.
    Help,
    /// cutover's own log.
    AppLog,
}

impl KeyMode {
    /// Every mode, in help order.
    pub const ALL: [KeyMode; 7] = [
        KeyMode::Normal,
        KeyMode::FilterInput,
        KeyMode::SearchInput,
        KeyMode::PodDetail,
        KeyMode::ConfirmQuit,
        KeyMode::Help,
        KeyMode::AppLog,
    ];

    /// Human name for help.
    pub fn title(self) -> &'static str {
        match self {
            KeyMode::Normal => "cockpit",
            KeyMode::FilterInput => "filter input",
            KeyMode::SearchInput => "search input",
            KeyMode::PodDetail => "pod detail",
            KeyMode::ConfirmQuit => "confirm quit",
            KeyMode::Help => "help",
            KeyMode::AppLog => "cutover log",
        }
    }
}
