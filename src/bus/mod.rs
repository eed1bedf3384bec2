//! The command bus: the only place that talks to the world. It owns the long-lived feeds a
//! face needs (watches, log streams, probes, router heartbeat, LB probe, namespace
//! presence, shared history, metrics), runs actions (`Cmd::Start`/`Cmd::Cancel`) and writes
//! the journal (`Cmd::Record`), and reports all it learns as `Msg`s; `shutdown` stops all
//! of it.

pub mod access;
pub mod actions;
pub mod feeds;
pub mod journal;
pub mod lease;
pub mod logs;
pub mod metrics;
pub mod presence;
pub mod probes;
pub mod save;
pub mod sessions;
pub mod watch;

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use crate::app::msg::{Cmd, Msg};
use crate::app::peers::LeaseWrite;
use crate::config::schema::Config;
use crate::model::PodSummary;
use journal::Journal;

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
}

impl Shared {
    fn new() -> Self {
        Self {
            pods: [
                tokio::sync::watch::Sender::new(vec![]),
                tokio::sync::watch::Sender::new(vec![]),
            ],
        }
    }
}

/// Which feeds a face needs: the cockpit all of them; a headless switch no log streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedSet {
    /// Pods, Deployments, EndpointSlices, the router (and its heartbeat), Events.
    pub watches: bool,
    /// Log streams.
    pub logs: bool,
    /// Health probes of each color and the LB probe.
    pub probes: bool,
    /// Each color's signals (`[metrics]`).
    pub metrics: bool,
}

impl FeedSet {
    /// No feed but the shared history (which every face reads).
    pub fn none() -> FeedSet {
        FeedSet {
            watches: false,
            logs: false,
            probes: false,
            metrics: false,
        }
    }

    /// Everything the cockpit shows.
    pub fn cockpit() -> FeedSet {
        FeedSet {
            watches: true,
            logs: true,
            probes: true,
            metrics: true,
        }
    }

    /// What a headless command needs: the facts actions depend on, no logs or probes.
    pub fn headless() -> FeedSet {
        FeedSet {
            watches: true,
            logs: false,
            probes: false,
            metrics: false,
        }
    }
}

/// Start the feeds in `feeds` (and always the shared history).
fn spawn_feeds(ctx: &Ctx, feeds: FeedSet) -> JoinSet<()> {
    let shared = Shared::new();
    let mut tasks = JoinSet::new();
    if feeds.watches {
        feeds::spawn_all(ctx, &shared, &mut tasks);
        presence::spawn_all(ctx, &shared, &mut tasks);
        // What actions depend on: who drives, and what this identity may do.
        lease::spawn(ctx, &mut tasks);
        access::spawn(ctx, &mut tasks);
    }
    feeds::spawn_history(ctx, &mut tasks);
    if feeds.logs {
        logs::spawn_all(ctx, &shared, &mut tasks);
    }
    if feeds.probes {
        probes::spawn_all(ctx, &shared, &mut tasks);
    }
    if feeds.metrics {
        metrics::spawn_all(ctx, &shared, &mut tasks);
    }
    tasks
}

/// The running command bus.
pub struct Bus {
    ctx: Ctx,
    feeds: FeedSet,
    tasks: JoinSet<()>,
    actions: actions::Table,
    journal: Journal,
    journal_task: tokio::task::JoinHandle<()>,
    /// This cockpit's session Lease, once announced.
    session: Option<String>,
    /// Who the session announces (announced again after a reconnect).
    holder: Option<String>,
}

impl Bus {
    /// Starts the feeds in `feeds` (and always the shared history) on the current tokio
    /// runtime, with the journal at `journal_path`.
    pub fn start(
        client: kube::Client,
        config: Config,
        tx: UnboundedSender<Msg>,
        feeds: FeedSet,
        journal_path: std::path::PathBuf,
    ) -> Bus {
        let ctx = Ctx {
            client,
            config: Arc::new(config),
            tx: tx.clone(),
        };
        let tasks = spawn_feeds(&ctx, feeds);
        let (journal, journal_task) = Journal::spawn(&ctx, journal_path);
        Bus {
            ctx,
            feeds,
            tasks,
            actions: actions::Table::default(),
            journal,
            journal_task,
            session: None,
            holder: None,
        }
    }

    /// Stop every feed and start them again on `client` (a reconnect). Actions are not
    /// running (`update` refuses a reconnect while one does); the journal keeps its queue
    /// and publishes through the new client.
    pub fn reconnect(&mut self, client: kube::Client) {
        self.tasks.abort_all();
        self.ctx.client = client.clone();
        self.journal.use_client(client);
        self.tasks = spawn_feeds(&self.ctx, self.feeds);
        // The session's renewal ran with the feeds: announce it again on the new client.
        if let Some(holder) = &self.holder {
            self.session = Some(sessions::announce(&self.ctx, holder, &mut self.tasks));
        }
    }

    /// Executes a command from `update` (face commands never reach the bus).
    pub fn execute(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Start { id, op } => self.actions.start(&self.ctx, id, op),
            Cmd::Cancel(id) => self.actions.cancel(id),
            Cmd::Record(entry) => self.journal.record(entry, true),
            Cmd::RecordLocal(entry) => self.journal.record(entry, false),
            Cmd::Postmortem(pm) => {
                let tx = self.ctx.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let text = crate::report::journal::markdown(&pm);
                    let written = journal::postmortem_path(pm.until)
                        .map_err(|e| e.to_string())
                        .and_then(|path| {
                            journal::write_private(&path, &text)
                                .map(|()| path.display().to_string())
                        });
                    let _ = tx.send(Msg::PostmortemWritten(written));
                });
            }
            Cmd::Lease(LeaseWrite::Announce { holder }) => {
                self.session = Some(sessions::announce(&self.ctx, &holder, &mut self.tasks));
                self.holder = Some(holder);
            }
            Cmd::Lease(LeaseWrite::Forget { name, expected }) => {
                sessions::forget(&self.ctx, name, expected)
            }
            Cmd::Lease(write) => lease::execute(&self.ctx, write),
            Cmd::SaveLogs {
                color,
                file_name,
                lines,
            } => save::spawn(self.ctx.tx.clone(), color, file_name, lines),
            Cmd::Face(face) => tracing::warn!(?face, "bus: a face command reached the bus"),
            Cmd::Reconnect => tracing::warn!("bus: a reconnect reached the bus (the driver's)"),
        }
    }

    /// Release the driver lease on the way out (bounded; a failure is only logged: the
    /// lease expires by itself).
    pub async fn release_lease(&self, write: crate::app::peers::LeaseWrite) {
        lease::release_now(&self.ctx, write).await;
    }

    /// Delete this cockpit's session on the way out (bounded, best effort).
    pub async fn end_session(&self) {
        if let Some(name) = &self.session {
            sessions::end(&self.ctx, name).await;
        }
    }

    /// Stops every feed and action (tasks are aborted; their streams and connections close).
    pub fn shutdown(mut self) {
        self.actions.abort_all();
        self.tasks.abort_all();
        self.journal_task.abort();
    }
}
