//! Messages into `update` and commands out of it.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::model::{
    Color, DeploymentSummary, Feed, FeedStatus, KubeEvent, LbObservation, LogLine, PodSummary,
    ProbeResult, RouterReading,
};

/// Everything that can happen to the cockpit.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal was resized (columns, rows).
    Resize(u16, u16),
    /// The sizes the view drew (after a frame whose sizes changed).
    Viewport(super::state::Viewport),
    /// Time advanced (timers, ages, staleness).
    Tick(DateTime<Utc>),
    /// The full current set of a color's pods (after every change the watch saw).
    Pods {
        /// Which color.
        color: Color,
        /// All its pods, sorted by name.
        pods: Vec<PodSummary>,
    },
    /// A color's Deployment changed (None: it does not exist).
    Deployment {
        /// Which color.
        color: Color,
        /// The Deployment.
        deployment: Option<DeploymentSummary>,
    },
    /// Ready/total endpoints of a color's Service.
    Endpoints {
        /// Which color.
        color: Color,
        /// Ready endpoints.
        ready: u32,
        /// All endpoints.
        total: u32,
    },
    /// The router was read (watch event or heartbeat).
    Router(RouterReading),
    /// Kubernetes Events, new or updated (merged by uid).
    Events(Vec<KubeEvent>),
    /// A batch of log lines (already sanitized and de-duplicated).
    LogLines(Vec<LogLine>),
    /// How many pods' logs a color follows out of how many match.
    LogStreams {
        /// Which color.
        color: Color,
        /// Streams open.
        following: usize,
        /// Pods matching the selector.
        total: usize,
    },
    /// A probe finished.
    Probe(ProbeResult),
    /// The public entry point was probed.
    Lb(LbObservation),
    /// A feed connected, failed or recovered.
    Feed(Feed, FeedStatus),
    /// A notification of cutover's own for the timeline (sanitized).
    Notice {
        /// When.
        at: DateTime<Utc>,
        /// What.
        text: String,
        /// Is it a warning?
        warning: bool,
    },
    /// The terminal came back from a suspend (Ctrl-Z).
    Resumed,
    /// A color's log lines were written to a file ([`Cmd::SaveLogs`]), or not.
    LogsSaved {
        /// Which color.
        color: Color,
        /// Lines written.
        lines: usize,
        /// The file written (sanitized), or why it could not be.
        result: Result<String, String>,
    },
}

/// Work `update` asks the bus to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Leave the program.
    Quit,
    /// Suspend the process (Ctrl-Z): restore the terminal, stop, re-init on resume.
    Suspend,
    /// Cancel the running cancellable action.
    CancelAction,
    /// Redraw everything from scratch (after resume).
    ClearScreen,
    /// Write a color's log lines to a new private file named `file_name` in cutover's
    /// state directory (`$XDG_STATE_HOME/cutover/logs/`); answered by [`Msg::LogsSaved`].
    SaveLogs {
        /// Which color.
        color: Color,
        /// "green-20261126T104500Z.log".
        file_name: String,
        /// The lines, one per entry, without newlines.
        lines: Vec<String>,
    },
}
