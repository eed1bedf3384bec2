//! The command bus: the only place that talks to the world. It owns every long-lived
//! feed (watches, log streams, probes, router heartbeat, LB probe) and reports all it
//! learns as `Msg`s; `shutdown` (or dropping the bus) stops all of it.

pub mod feeds;
pub mod logs;
pub mod probes;
pub mod save;
pub mod watch;

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use crate::app::msg::{Cmd, Msg};
use crate::config::schema::Config;
use crate::model::PodSummary;

/// What every bus task needs.
#[derive(Clone)]
pub struct Ctx {
    /// The authenticated client.
    pub client: kube::Client,
    /// The configuration.
    pub config: Arc<Config>,
    /// Where messages go.
    pub tx: UnboundedSender<Msg>,
}

/// A pod as the bus's own tasks need it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodFacts {
    /// The pod as the cockpit shows it.
    pub summary: PodSummary,
    /// The container whose log to follow: the `kubectl.kubernetes.io/default-container`
    /// annotation, else the first container.
    pub log_container: String,
}

/// Facts one feed publishes for other bus tasks (latest value wins).
#[derive(Clone)]
pub struct Shared {
    /// Each color's pods, blue first (from the pod watches; read by logs and probes).
    pub pods: [tokio::sync::watch::Sender<Vec<PodFacts>>; 2],
    /// Each color's Deployment version (image tag), blue first (read by the LB probe).
    pub versions: tokio::sync::watch::Sender<[Option<String>; 2]>,
}

impl Shared {
    fn new() -> Self {
        Self {
            pods: [
                tokio::sync::watch::Sender::new(vec![]),
                tokio::sync::watch::Sender::new(vec![]),
            ],
            versions: tokio::sync::watch::Sender::new([None, None]),
        }
    }
}

/// The running command bus.
pub struct Bus {
    tasks: JoinSet<()>,
    /// Where one-off commands report back.
    tx: UnboundedSender<Msg>,
}

impl Bus {
    /// Starts all long-lived feeds on the current tokio runtime.
    pub fn start(client: kube::Client, config: Config, tx: UnboundedSender<Msg>) -> Bus {
        let ctx = Ctx {
            client,
            config: Arc::new(config),
            tx: tx.clone(),
        };
        let shared = Shared::new();
        let mut tasks = JoinSet::new();
        feeds::spawn_all(&ctx, &shared, &mut tasks);
        logs::spawn_all(&ctx, &shared, &mut tasks);
        probes::spawn_all(&ctx, &shared, &mut tasks);
        Bus { tasks, tx }
    }

    /// Executes a command from `update`. Quit and Suspend belong to the run loop;
    /// there is no cancellable action yet, so CancelAction does nothing.
    pub fn execute(&self, cmd: Cmd) {
        match cmd {
            Cmd::SaveLogs {
                color,
                file_name,
                lines,
            } => save::spawn(self.tx.clone(), color, file_name, lines),
            cmd => tracing::debug!(?cmd, "bus: nothing to execute yet"),
        }
    }

    /// Stops every feed (tasks are aborted; their streams and connections close).
    pub fn shutdown(mut self) {
        self.tasks.abort_all();
    }
}
