//! Messages into `update` and commands out of it.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::action::journal::{Entry, Postmortem, Recorded};
use super::action::{ActionId, Op, Outcome, Request, RequestOptions, Step};
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
        /// All its pods, in any order (`update` puts those needing attention first).
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
    /// Whether a color's namespace exists (looked up while the color has no pods).
    Namespace {
        /// Which color.
        color: Color,
        /// It exists.
        exists: bool,
    },
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
    /// A signal asks the program to end.
    Signal(Signal),
    /// A request from a headless command: the same path a confirmed key takes.
    Request(Request, RequestOptions),
    /// A headless command's answer to a question (`Face::Ask`).
    Answer(String),
    /// A running action made progress.
    ActionStep {
        /// Which action.
        id: ActionId,
        /// What happened.
        step: Step,
    },
    /// A running action finished.
    ActionDone {
        /// Which action.
        id: ActionId,
        /// How it ended.
        outcome: Outcome,
    },
    /// A journal entry was written (or could not be).
    Recorded(Recorded),
    /// The shared history (ConfigMap `cutover-history`) as last read: every cockpit's and
    /// pipeline's outcomes, oldest first.
    History(Vec<Entry>),
    /// The post-mortem was written (where) or could not be (why).
    PostmortemWritten(Result<String, String>),
    /// The permission reviews answered.
    Access(Vec<super::access::Answer>),
    /// The driver lease was read or written.
    Lease(super::peers::LeaseEvent),
    /// One interval's signals of a color.
    Signals {
        /// Which color.
        color: Color,
        /// What was measured.
        sample: Box<crate::metrics::Sample>,
    },
    /// Earlier samples of a color (a Prometheus source's backfill at start), oldest first.
    SignalHistory {
        /// Which color.
        color: Color,
        /// The samples.
        samples: Vec<crate::metrics::Sample>,
    },
    /// `cutover watch`: judge the live color until `until`, rolling back when asked.
    Watch {
        /// When the watch ends healthy.
        until: DateTime<Utc>,
        /// Roll back when the budget is exhausted.
        auto_rollback: bool,
    },
    /// The driver's answer to [`Cmd::Reconnect`]: the new connection, or why there is none.
    Reconnected(Result<Reconnection, String>),
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

/// A new connection's facts, as the header shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconnection {
    /// The kubeconfig context.
    pub context_name: String,
    /// The API server's URL.
    pub cluster_url: String,
    /// Who the cluster says we are, when it says.
    pub user: Option<String>,
}

/// A terminating signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM.
    Terminate,
    /// SIGHUP.
    Hangup,
    /// SIGINT.
    Interrupt,
}

impl Signal {
    /// The exit code a program killed by this signal reports (128 + signal number).
    pub fn exit_code(self) -> i32 {
        128 + match self {
            Signal::Hangup => 1,
            Signal::Interrupt => 2,
            Signal::Terminate => 15,
        }
    }
}

/// What `update` asks for: terminal or process effects for the face that runs the driver
/// (the TUI or a headless command), and work for the bus.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// For the face.
    Face(Face),
    /// Start an action on the bus.
    Start {
        /// Its id.
        id: ActionId,
        /// What to do.
        op: Op,
    },
    /// Cancel a running action (what can no longer be cut — a router write in flight — still
    /// finishes and is reported).
    Cancel(ActionId),
    /// Write a journal entry: the local file (fsynced), then, for outcomes, an Event and the
    /// shared history. Answered by `Msg::Recorded`.
    Record(Entry),
    /// Write a journal entry to the local file only (a read-only session writes nothing to
    /// the cluster). Answered by `Msg::Recorded`.
    RecordLocal(Entry),
    /// Re-read the kubeconfig, connect again (same context) and restart every feed on the
    /// new connection; the driver answers with [`Msg::Reconnected`].
    Reconnect,
    /// Write the post-mortem (markdown) to a file of its own. Answered by
    /// `Msg::PostmortemWritten`.
    Postmortem(Box<Postmortem>),
    /// Write the driver lease (renew, release).
    Lease(super::peers::LeaseWrite),
    /// Write a color's log lines to a new private file named `file_name` in cutover's
    /// private state directory (`logs/` under `paths::state_dir`); answered by [`Msg::LogsSaved`].
    SaveLogs {
        /// Which color.
        color: Color,
        /// "green-20261126T104500Z.log".
        file_name: String,
        /// The lines, one per entry, without newlines.
        lines: Vec<String>,
    },
}

/// Effects on the terminal or the process.
#[derive(Debug, Clone, PartialEq)]
pub enum Face {
    /// End the program with this exit code.
    Exit(i32),
    /// Suspend the process (Ctrl-Z): restore the terminal, stop, re-init on resume.
    Suspend,
    /// Redraw everything from scratch (after resume, or Ctrl-L).
    ClearScreen,
    /// A headless command asks the operator (answered by `Msg::Answer`); the text is the
    /// confirmation, `expect` what must be typed (`y`, or a color's name).
    Ask {
        /// The question, several lines.
        text: String,
        /// The answer that confirms.
        expect: String,
    },
    /// A headless command prints a line to stdout.
    Print(String),
    /// A headless command prints a line to stderr.
    Warn(String),
}
