//! The journal writer: one task appends every entry to the local JSON-lines journal (file
//! mode 0600, fsynced before the entry is reported written) and publishes outcomes to the
//! cluster (an Event in the router's namespace, and the shared history ConfigMap), each
//! cluster request bounded by a timeout. Local lines are written in order as entries arrive;
//! outcomes publish in order, one at a time. A failed publish is recorded locally: a second
//! line for the same id, the whole entry again with `publish_error` set (the later line
//! supersedes).

pub mod event;
pub use event::REPORTING_CONTROLLER;
pub mod history;

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::Ctx;
use crate::app::action::journal::{Entry, Recorded, Stage};
use crate::app::msg::Msg;

/// The shared history's ConfigMap, in the router's namespace.
pub const HISTORY: &str = "cutover-history";
/// The ConfigMap key holding the history: one JSON entry per line, oldest first.
pub const HISTORY_KEY: &str = "history.jsonl";
/// Most entries the shared history keeps.
pub const HISTORY_MAX: usize = 100;
/// Longest one cluster request of a publish may take: a dead API must not hold the writer
/// (and a headless command waiting for its record) for long.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest the whole shared-history append may take, conflict retries included.
pub const HISTORY_TIMEOUT: Duration = Duration::from_secs(10);

/// The entries of the shared history ConfigMap, oldest first. Lines that are not entries
/// are skipped; every text field is sanitized (anyone with write access wrote it).
pub fn parse_history(cm: &k8s_openapi::api::core::v1::ConfigMap) -> Vec<Entry> {
    let Some(text) = cm.data.as_ref().and_then(|d| d.get(HISTORY_KEY)) else {
        return Vec::new();
    };
    let mut entries: Vec<Entry> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Entry>(line).ok())
        .map(sanitized)
        .collect();
    entries.sort_by_key(|e| e.at);
    entries
}

/// An entry read from the cluster, with every text field cleaned for the screen.
fn sanitized(mut e: Entry) -> Entry {
    let c = |s: &str| crate::cluster::clean(s);
    e.id = c(&e.id);
    e.who = c(&e.who);
    e.context = c(&e.context);
    e.router = c(&e.router);
    e.summary = c(&e.summary);
    e.from = e.from.as_deref().map(c);
    e.to = e.to.as_deref().map(c);
    e.reason = e.reason.as_deref().map(c);
    e.error = e.error.as_deref().map(c);
    e.publish_error = e.publish_error.as_deref().map(c);
    e.version = e.version.as_deref().map(c);
    e.versions = e.versions.iter().map(|(k, v)| (c(k), c(v))).collect();
    for g in &mut e.gates {
        g.name = c(&g.name);
        g.detail = c(&g.detail);
    }
    e
}

/// Hands entries to the writer task.
#[derive(Clone)]
pub struct Journal {
    tx: mpsc::UnboundedSender<(Entry, bool)>,
    client: tokio::sync::watch::Sender<kube::Client>,
}

impl Journal {
    /// Start the writer task for the journal at `path`.
    pub fn spawn(ctx: &Ctx, path: PathBuf) -> (Journal, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel::<(Entry, bool)>();
        let (client, clients) = tokio::sync::watch::channel(ctx.client.clone());
        let task = tokio::spawn(run(ctx.clone(), clients, path, rx));
        (Journal { tx, client }, task)
    }

    /// Publish later outcomes through `client` (after a reconnect); queued entries keep
    /// their place.
    pub fn use_client(&self, client: kube::Client) {
        self.client.send_replace(client);
    }

    /// Queue an entry (outcomes also published to the cluster when `publish`);
    /// `Msg::Recorded` says how its writing went.
    pub fn record(&self, entry: Entry, publish: bool) {
        let _ = self.tx.send((entry, publish));
    }
}

/// The writer: local lines in order as entries arrive, never queued behind a publish (a
/// switch's attempt must be on disk before its patch, even while the API is slow);
/// outcomes then publish one at a time, in order, each reported once published.
async fn run(
    ctx: Ctx,
    clients: tokio::sync::watch::Receiver<kube::Client>,
    path: PathBuf,
    mut rx: mpsc::UnboundedReceiver<(Entry, bool)>,
) {
    let file = LocalFile {
        path,
        lock: Arc::new(std::sync::Mutex::new(())),
    };
    let (to_publish, mut published) = mpsc::unbounded_channel::<(Entry, Result<(), String>)>();
    let (ctx, file) = (&ctx, &file);
    let writer = async move {
        while let Some((entry, publish_it)) = rx.recv().await {
            let local = file.append(&entry).await;
            let sent = match entry.stage {
                Stage::Outcome if publish_it => to_publish.send((entry, local)).is_ok(),
                // Attempts, and outcomes of a session that writes nothing to the cluster.
                _ => ctx
                    .tx
                    .send(Msg::Recorded(Recorded {
                        id: entry.id.clone(),
                        stage: entry.stage,
                        local,
                        cluster: Ok(()),
                    }))
                    .is_ok(),
            };
            if !sent {
                return;
            }
        }
    };
    let publisher = async move {
        while let Some((entry, local)) = published.recv().await {
            let now = Ctx {
                client: clients.borrow().clone(),
                ..ctx.clone()
            };
            let cluster = publish(&now, &entry).await;
            let local = match (local, &cluster) {
                (Ok(()), Err(e)) => {
                    let failed = Entry {
                        publish_error: Some(e.clone()),
                        ..entry.clone()
                    };
                    file.append(&failed)
                        .await
                        .map_err(|w| format!("{w} (the publish failure is not in the journal)"))
                }
                (local, _) => local,
            };
            let rec = Recorded {
                id: entry.id,
                stage: entry.stage,
                local,
                cluster,
            };
            if ctx.tx.send(Msg::Recorded(rec)).is_err() {
                return;
            }
        }
    };
    tokio::join!(writer, publisher);
}

/// The local journal file, appended from both halves of the writer one line at a time.
struct LocalFile {
    path: PathBuf,
    lock: Arc<std::sync::Mutex<()>>,
}

impl LocalFile {
    /// Append off the async threads (fsync blocks), one writer at a time.
    async fn append(&self, entry: &Entry) -> Result<(), String> {
        let (path, entry, lock) = (self.path.clone(), entry.clone(), self.lock.clone());
        tokio::task::spawn_blocking(move || {
            let _one_at_a_time = lock.lock().unwrap_or_else(|e| e.into_inner());
            append(&path, &entry)
        })
        .await
        .unwrap_or_else(|e| Err(format!("journal writer: {e}")))
    }
}

/// Where the local journal lives: `journal.jsonl` in cutover's private state directory
/// (`$XDG_STATE_HOME/cutover/`, else `~/.local/state/cutover/`; see `paths`).
pub fn default_path() -> Result<PathBuf, crate::paths::PathError> {
    crate::paths::state_dir().map(|dir| dir.join("journal.jsonl"))
}

/// Where the cockpit writes a post-mortem: beside the journal, named by its time.
pub fn postmortem_path(
    at: chrono::DateTime<chrono::Utc>,
) -> Result<PathBuf, crate::paths::PathError> {
    crate::paths::state_dir()
        .map(|dir| dir.join(format!("postmortem-{}.md", at.format("%Y%m%dT%H%M%SZ"))))
}

/// Write a private file (0600, in a 0700 directory; never through a symlink) with `text`.
pub fn write_private(path: &Path, text: &str) -> Result<(), String> {
    write_synced(path, text.as_bytes(), false)
}

/// Append one entry as a JSON line and fsync; the file is created 0600, the directory 0700.
pub fn append(path: &Path, entry: &Entry) -> Result<(), String> {
    let mut line = serde_json::to_string(entry).map_err(|e| format!("{}: {e}", path.display()))?;
    line.push('\n');
    write_synced(path, line.as_bytes(), true)
}

/// Append to (or replace) a private file and fsync it.
fn write_synced(path: &Path, bytes: &[u8], append: bool) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let shown = path.display();
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(!append)
        .truncate(!append)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| format!("{shown}: {e}"))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_data())
        .map_err(|e| format!("{shown}: {e}"))
}

/// Publish an outcome to the cluster: an Event and the shared history, side by side.
/// `Err` names each write that failed and what the server said ("event: 403 Forbidden: …;
/// history: …"); `Ok` only when both landed.
pub async fn publish(ctx: &Ctx, entry: &Entry) -> Result<(), String> {
    let history = async {
        tokio::time::timeout(HISTORY_TIMEOUT, history::append(ctx, entry))
            .await
            .unwrap_or(Err(WriteError::Timeout(HISTORY_TIMEOUT)))
    };
    let (event, history) = tokio::join!(event::create(ctx, entry), history);
    let failed: Vec<String> = [("event", event), ("history", history)]
        .into_iter()
        .filter_map(|(what, r)| r.err().map(|e| format!("{what}: {e}")))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

/// A cluster write that did not go through.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The server did not answer in time.
    #[error("no answer within {} s", .0.as_secs())]
    Timeout(Duration),
    /// The server (or the connection) said no.
    #[error("{}", server_said(.0))]
    Kube(kube::Error),
    /// The entry could not be encoded.
    #[error("cannot encode the entry: {0}")]
    Encode(String),
    /// The shared history kept changing under us.
    #[error("gave up after {tries} conflicting writes (last: {last})")]
    GaveUp {
        /// Rounds tried.
        tries: u32,
        /// The last refusal.
        last: String,
    },
}

impl WriteError {
    /// The API's reason ("Conflict", "AlreadyExists", "Forbidden"), when the server answered.
    pub fn reason(&self) -> Option<&str> {
        match self {
            WriteError::Kube(kube::Error::Api(s)) => Some(s.reason.as_str()),
            _ => None,
        }
    }
}

/// What the server said: "403 Forbidden: <message>", or the transport error.
fn server_said(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => {
            crate::cluster::clean(&format!("{} {}: {}", s.code, s.reason, s.message))
        }
        other => crate::cluster::clean(&other.to_string()),
    }
}

/// One cluster request, given at most [`WRITE_TIMEOUT`].
async fn within<T>(request: impl Future<Output = kube::Result<T>>) -> Result<T, WriteError> {
    match tokio::time::timeout(WRITE_TIMEOUT, request).await {
        Ok(r) => r.map_err(WriteError::Kube),
        Err(_) => Err(WriteError::Timeout(WRITE_TIMEOUT)),
    }
}
