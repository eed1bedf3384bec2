//! The journal writer: one task appends every entry to the local JSON-lines journal (file
//! mode 0600, fsynced before the entry is reported written) and publishes outcomes to the
//! cluster (an Event in the router's namespace, and the shared history ConfigMap). Writes
//! happen in order, one at a time.

use std::io::Write;
use std::path::{Path, PathBuf};

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
}

impl Journal {
    /// Start the writer task for the journal at `path`.
    pub fn spawn(ctx: &Ctx, path: PathBuf) -> (Journal, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<(Entry, bool)>();
        let ctx = ctx.clone();
        let task = tokio::spawn(async move {
            while let Some((entry, publish_it)) = rx.recv().await {
                let local = {
                    let (path, entry) = (path.clone(), entry.clone());
                    tokio::task::spawn_blocking(move || append(&path, &entry))
                        .await
                        .unwrap_or_else(|e| Err(format!("journal writer: {e}")))
                };
                let cluster = match entry.stage {
                    Stage::Outcome if publish_it => publish(&ctx, &entry).await,
                    _ => Ok(()),
                };
                let rec = Recorded {
                    id: entry.id.clone(),
                    stage: entry.stage,
                    local,
                    cluster,
                };
                if ctx.tx.send(Msg::Recorded(rec)).is_err() {
                    return;
                }
            }
        });
        (Journal { tx }, task)
    }

    /// Queue an entry (outcomes also published to the cluster when `publish`);
    /// `Msg::Recorded` says how its writing went.
    pub fn record(&self, entry: Entry, publish: bool) {
        let _ = self.tx.send((entry, publish));
    }
}

/// Where the local journal lives: `$XDG_STATE_HOME/cutover/journal.jsonl`, else
/// `~/.local/state/cutover/journal.jsonl`.
pub fn default_path() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("cutover").join("journal.jsonl")
}

/// Append one entry as a JSON line and fsync; the file is created 0600, the directory 0700.
pub fn append(path: &Path, entry: &Entry) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let shown = path.display();
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut line = serde_json::to_string(entry).map_err(|e| format!("{shown}: {e}"))?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| format!("{shown}: {e}"))?;
    file.write_all(line.as_bytes())
        .and_then(|_| file.sync_data())
        .map_err(|e| format!("{shown}: {e}"))
}

/// Publish an outcome to the cluster: an Event, and the shared history.
async fn publish(_ctx: &Ctx, _entry: &Entry) -> Result<(), String> {
    Err("publishing to the cluster is not built yet".into())
}
