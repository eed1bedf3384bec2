//! An external command as cutover runs them all (the smoke suite, deploy and decommission
//! commands, checklist commands): without a shell, in its own process group, with only the
//! environment it is given; its output streamed line by line, sanitized; the whole group
//! stopped (SIGTERM, then SIGKILL after a grace period) on timeout, on cancel, and when the
//! command leaves processes behind.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::bus::logs::stream::LineSplitter;
use crate::cluster::clean;
use crate::sanitize::{sanitize_line, CUT_MARKER};

/// Time a stopped group gets between SIGTERM and SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_secs(2);

/// Most columns of one output line (the rest is cut, marked "…").
const MAX_LINE: usize = 1_000;

/// Most output lines kept for the caller (the newest).
pub const KEEP_LINES: usize = 200;

/// What to run and how.
#[derive(Debug, Clone)]
pub struct Spawn<'a> {
    /// How its lines are introduced: "suite", "deploy", "checklist `CI green`".
    pub label: &'a str,
    /// Program and arguments.
    pub argv: &'a [String],
    /// The whole environment.
    pub env: Vec<(OsString, OsString)>,
    /// Working directory (None: where cutover runs).
    pub workdir: Option<&'a Path>,
    /// Seconds before the group is stopped.
    pub timeout_secs: f64,
    /// Said after the command line when it starts ("BASE_URL=http://127.0.0.1:4000").
    pub note: Option<String>,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessEnd {
    /// Its exit code (None: it did not start, or was stopped or killed).
    pub exit: Option<i32>,
    /// Why it did not finish on its own: "timed out after 600 s", "cancelled", "cannot
    /// run `pytest`: No such file or directory".
    pub error: Option<String>,
    /// Its last output lines (sanitized), at most [`KEEP_LINES`].
    pub lines: Vec<String>,
}

impl ProcessEnd {
    /// It ran to its end and exited 0.
    pub fn succeeded(&self) -> bool {
        self.exit == Some(0) && self.error.is_none()
    }

    /// "exit 0", "exit 3", or why it did not finish.
    pub fn words(&self) -> String {
        match (&self.exit, &self.error) {
            (_, Some(e)) => e.clone(),
            (Some(code), None) => format!("exit {code}"),
            (None, None) => "ended".into(),
        }
    }
}

/// Why waiting for the command stopped.
enum Stop {
    Exited(std::io::Result<ExitStatus>),
    TimedOut,
    Cancelled,
}

/// The environment of a command: each `inherited` variable that has a value and is not
/// configured, then the `configured` ones (except the `fixed` names), then `fixed` —
/// cutover's own, always.
pub fn environment(
    inherited: Vec<(&str, Option<OsString>)>,
    configured: &BTreeMap<String, String>,
    fixed: &[(&str, &str)],
) -> Vec<(OsString, OsString)> {
    let is_fixed = |k: &str| fixed.iter().any(|(f, _)| *f == k);
    let mut env: Vec<(OsString, OsString)> = inherited
        .into_iter()
        .filter(|(k, _)| !configured.contains_key(*k) && !is_fixed(k))
        .filter_map(|(k, v)| Some((OsString::from(k), v?)))
        .collect();
    env.extend(
        configured
            .iter()
            .filter(|(k, _)| !is_fixed(k))
            .map(|(k, v)| (k.into(), v.into())),
    );
    env.extend(
        fixed
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v))),
    );
    env
}

/// `PATH`, `HOME` and `KUBECONFIG` as cutover has them (helm and kubectl reach the same
/// cluster as cutover), plus `configured`: the environment of deploy, decommission and
/// checklist commands.
pub fn command_environment(configured: &BTreeMap<String, String>) -> Vec<(OsString, OsString)> {
    let inherited = ["PATH", "HOME", "KUBECONFIG"]
        .into_iter()
        .map(|k| (k, std::env::var_os(k)))
        .collect();
    environment(inherited, configured, &[])
}

/// Run a command to its end (or its timeout, or `cancel`).
pub async fn run(spawn: &Spawn<'_>, progress: &Progress, cancel: &CancellationToken) -> ProcessEnd {
    let label = spawn.label;
    let Some(program) = spawn.argv.first() else {
        return ProcessEnd::default();
    };
    let mut cmd = Command::new(program);
    cmd.args(&spawn.argv[1..])
        .env_clear()
        .envs(spawn.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = spawn.workdir {
        cmd.current_dir(dir);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let within = match spawn.workdir {
                Some(dir) => format!(" in {}", dir.display()),
                None => String::new(),
            };
            let error = clean(&format!("cannot run `{program}`{within}: {}", os_words(&e)));
            progress.output(format!("{label}: {error}"));
            return ProcessEnd {
                error: Some(error),
                ..ProcessEnd::default()
            };
        }
    };
    // The leader's pid is the group's id (process_group(0)); a fresh child has one.
    let pgid = child.id().map_or(0, |id| id as i32);
    let mut guard = GroupGuard(Some(pgid).filter(|&g| g > 0));
    let kept = Arc::new(Mutex::new(VecDeque::new()));
    let readers = [
        child
            .stdout
            .take()
            .map(|r| pump(r, progress.clone(), kept.clone())),
        child
            .stderr
            .take()
            .map(|r| pump(r, progress.clone(), kept.clone())),
    ];
    let words = clean(&spawn.argv.join(" "));
    let note = spawn
        .note
        .as_ref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    progress.output(format!("{label}: {words}{note}"));
    progress.waiting(format!("{label} `{words}` running"));
    let limit = Duration::from_secs_f64(spawn.timeout_secs.max(0.001));
    let stop = tokio::select! {
        status = child.wait() => Stop::Exited(status),
        _ = tokio::time::sleep(limit) => Stop::TimedOut,
        _ = cancel.cancelled() => Stop::Cancelled,
    };
    let stragglers = match guard.0 {
        Some(pgid) => end_group(pgid, &mut child).await,
        None => false,
    };
    guard.0 = None;
    finish_readers(readers).await;
    let mut end = match stop {
        Stop::Exited(Ok(status)) => ProcessEnd {
            exit: status.code(),
            error: status.code().is_none().then(|| signal_words(status)),
            ..ProcessEnd::default()
        },
        Stop::Exited(Err(e)) => ProcessEnd {
            error: Some(clean(&format!("lost track of `{program}`: {e}"))),
            ..ProcessEnd::default()
        },
        Stop::TimedOut => ProcessEnd {
            error: Some(format!("timed out after {} s", spawn.timeout_secs)),
            ..ProcessEnd::default()
        },
        Stop::Cancelled => ProcessEnd {
            error: Some("cancelled".into()),
            ..ProcessEnd::default()
        },
    };
    if stragglers && end.exit.is_some() {
        progress.output(format!(
            "{label}: it left processes behind; they were stopped"
        ));
    }
    progress.output(match (&end.exit, &end.error) {
        (_, Some(e)) => format!("{label} {e}"),
        (Some(code), None) => format!("{label} exited {code}"),
        (None, None) => format!("{label} ended"),
    });
    end.lines = kept
        .lock()
        .map(|k| k.iter().cloned().collect())
        .unwrap_or_default();
    end
}

/// "No such file or directory" rather than "No such file or directory (os error 2)".
fn os_words(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn signal_words(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(sig) => format!("killed by signal {sig}"),
        None => format!("ended with {status}"),
    }
}

/// Streams one pipe as sanitized output lines (the newest also kept in `kept`); a last
/// line without newline counts too.
fn pump(
    pipe: impl AsyncRead + Unpin + Send + 'static,
    progress: Progress,
    kept: Arc<Mutex<VecDeque<String>>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut pipe = pipe;
        let mut splitter = LineSplitter::new(MAX_LINE * 4);
        let mut chunk = vec![0u8; 8192];
        let emit = |bytes: &[u8], cut: bool| {
            let mut line = sanitize_line(&String::from_utf8_lossy(bytes), MAX_LINE);
            if cut && !line.ends_with(CUT_MARKER) {
                line.push(CUT_MARKER);
            }
            if let Ok(mut k) = kept.lock() {
                if k.len() >= KEEP_LINES {
                    k.pop_front();
                }
                k.push_back(line.clone());
            }
            progress.output(line);
        };
        loop {
            match pipe.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => splitter.feed(&chunk[..n], emit),
            }
        }
        splitter.finish(emit);
    })
}

/// Readers end when every writer of their pipe is gone; a process that left the group
/// could hold one open, so they get a grace period, then are dropped.
async fn finish_readers(readers: [Option<JoinHandle<()>>; 2]) {
    let handles: Vec<JoinHandle<()>> = readers.into_iter().flatten().collect();
    let aborts: Vec<_> = handles.iter().map(JoinHandle::abort_handle).collect();
    let all = futures::future::join_all(handles);
    if tokio::time::timeout(KILL_GRACE, all).await.is_err() {
        aborts.iter().for_each(|a| a.abort());
    }
}

/// Signal every process of the group; false when none is left.
fn signal_group(pgid: i32, signal: i32) -> bool {
    // SAFETY: killpg only sends a signal; pgid is the group cutover created for the command.
    unsafe { libc::killpg(pgid, signal) == 0 }
}

/// Stop every process left in the group: SIGTERM, up to [`KILL_GRACE`] to go, then
/// SIGKILL. Reaps the leader. True when something had to be stopped.
async fn end_group(pgid: i32, child: &mut Child) -> bool {
    // A leader that exited but was not reaped yet still counts as a member.
    let _ = child.try_wait();
    if !signal_group(pgid, 0) {
        return false;
    }
    signal_group(pgid, libc::SIGTERM);
    let deadline = Instant::now() + KILL_GRACE;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let _ = child.try_wait();
        if !signal_group(pgid, 0) {
            return true;
        }
    }
    signal_group(pgid, libc::SIGKILL);
    let _ = child.wait().await;
    true
}

/// Kills the whole group when the command's task is dropped mid-run (the program is ending
/// without waiting): no command outlives cutover.
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            signal_group(pgid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_read_as_words() {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(os_words(&e), "No such file or directory");
    }

    #[test]
    fn configured_variables_win_over_inherited_and_fixed_ones_win_over_all() {
        let configured = BTreeMap::from([
            ("HOME".to_string(), "/srv".to_string()),
            ("X".to_string(), "1".to_string()),
            ("BASE_URL".to_string(), "nope".to_string()),
        ]);
        let env = environment(
            vec![
                ("PATH", Some("/bin".into())),
                ("HOME", Some("/h".into())),
                ("KUBECONFIG", None),
            ],
            &configured,
            &[("BASE_URL", "http://x")],
        );
        let pairs: Vec<(&str, &str)> = env
            .iter()
            .map(|(k, v)| (k.to_str().unwrap(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("PATH", "/bin"),
                ("HOME", "/srv"),
                ("X", "1"),
                ("BASE_URL", "http://x")
            ]
        );
    }
}
