//! The smoke test's external suite (`[smoke] command`): run without a shell, in its own
//! process group, with a cleared environment plus the configured `env`, `PATH`, `HOME`
//! and `BASE_URL`; its output streamed line by line, sanitized; the whole group stopped
//! (SIGTERM, then SIGKILL after a grace period) on timeout, on cancel, and when the suite
//! leaves processes behind.

use std::ffi::OsString;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::AsyncRead;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio_util::compat::TokioAsyncReadCompatExt;
use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::bus::logs::stream::read_line_bounded;
use crate::cluster::clean;
use crate::config::schema::SmokeConfig;
use crate::sanitize::{sanitize_line, CUT_MARKER};

/// Time a stopped group gets between SIGTERM and SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_secs(2);

/// Most columns of one output line (the rest is cut, marked "…").
const MAX_LINE: usize = 1_000;

/// How the suite ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SuiteEnd {
    /// Its exit code (None: it did not start, or was stopped or killed).
    pub exit: Option<i32>,
    /// Why it did not finish on its own: "timed out after 600 s", "cancelled", "cannot
    /// run `pytest`: No such file or directory".
    pub error: Option<String>,
}

/// Why waiting for the suite stopped.
enum Stop {
    Exited(std::io::Result<ExitStatus>),
    TimedOut,
    Cancelled,
}

/// The suite's whole environment: `PATH` and `HOME` as cutover has them, the configured
/// `env` (which may override those two), and `BASE_URL` last (cutover's, always).
pub fn environment(
    config: &SmokeConfig,
    base_url: &str,
    path: Option<OsString>,
    home: Option<OsString>,
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = [("PATH", path), ("HOME", home)]
        .into_iter()
        .filter_map(|(k, v)| Some((OsString::from(k), v?)))
        .filter(|(k, _)| !config.env.contains_key(k.to_str().unwrap_or_default()))
        .collect();
    env.extend(
        config
            .env
            .iter()
            .filter(|(k, _)| k.as_str() != "BASE_URL")
            .map(|(k, v)| (k.into(), v.into())),
    );
    env.push(("BASE_URL".into(), base_url.into()));
    env
}

/// Run the suite to its end (or its timeout, or `cancel`) with `BASE_URL = base_url`.
pub async fn run(
    config: &SmokeConfig,
    base_url: &str,
    progress: &Progress,
    cancel: &CancellationToken,
) -> SuiteEnd {
    let Some(program) = config.command.first() else {
        return SuiteEnd::default();
    };
    let mut cmd = Command::new(program);
    cmd.args(&config.command[1..])
        .env_clear()
        .envs(environment(
            config,
            base_url,
            std::env::var_os("PATH"),
            std::env::var_os("HOME"),
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = &config.workdir {
        cmd.current_dir(dir);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let within = match &config.workdir {
                Some(dir) => format!(" in {}", dir.display()),
                None => String::new(),
            };
            let error = clean(&format!("cannot run `{program}`{within}: {}", os_words(&e)));
            progress.output(format!("suite: {error}"));
            return SuiteEnd {
                exit: None,
                error: Some(error),
            };
        }
    };
    // The leader's pid is the group's id (process_group(0)); a fresh child has one.
    let pgid = child.id().map_or(0, |id| id as i32);
    let mut guard = GroupGuard(Some(pgid).filter(|&g| g > 0));
    let readers = [
        child.stdout.take().map(|r| pump(r, progress.clone())),
        child.stderr.take().map(|r| pump(r, progress.clone())),
    ];
    let words = clean(&config.command.join(" "));
    progress.output(format!("suite: {words} (BASE_URL={base_url})"));
    progress.waiting(format!("suite `{words}` running"));
    let limit = Duration::from_secs_f64(config.timeout_secs.max(0.001));
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
    let end = match stop {
        Stop::Exited(Ok(status)) => SuiteEnd {
            exit: status.code(),
            error: status.code().is_none().then(|| signal_words(status)),
        },
        Stop::Exited(Err(e)) => SuiteEnd {
            exit: None,
            error: Some(clean(&format!("lost track of the suite: {e}"))),
        },
        Stop::TimedOut => SuiteEnd {
            exit: None,
            error: Some(format!("timed out after {} s", config.timeout_secs)),
        },
        Stop::Cancelled => SuiteEnd {
            exit: None,
            error: Some("cancelled".into()),
        },
    };
    if stragglers && end.exit.is_some() {
        progress.output("suite: it left processes behind; they were stopped");
    }
    progress.output(match (&end.exit, &end.error) {
        (_, Some(e)) => format!("suite {e}"),
        (Some(code), None) => format!("suite exited {code}"),
        (None, None) => "suite ended".to_string(),
    });
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

/// Streams one pipe as sanitized output lines; a last line without newline counts too.
fn pump(pipe: impl AsyncRead + Unpin + Send + 'static, progress: Progress) -> JoinHandle<()> {
    tokio::spawn(async move {
        // The log streams' bounded reader speaks futures-io.
        let mut reader = futures::io::BufReader::new(pipe.compat());
        let mut buf = Vec::new();
        loop {
            let (cut, last) = match read_line_bounded(&mut reader, &mut buf, MAX_LINE * 4).await {
                Ok(Some(cut)) => (cut, false),
                Ok(None) if !buf.is_empty() => (false, true),
                Ok(None) | Err(_) => return,
            };
            let mut line = sanitize_line(&String::from_utf8_lossy(&buf), MAX_LINE);
            if cut && !line.ends_with(CUT_MARKER) {
                line.push(CUT_MARKER);
            }
            progress.output(line);
            if last {
                return;
            }
        }
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
    // SAFETY: killpg only sends a signal; pgid is the group cutover created for the suite.
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

/// Kills the whole group when the suite's task is dropped mid-run (the program is ending
/// without waiting): no suite outlives cutover.
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
    fn environment_is_path_home_config_and_base_url_only() {
        let mut config = SmokeConfig::default();
        config.env.insert("APP_ENV".into(), "testing".into());
        config.env.insert("HOME".into(), "/srv/suite".into());
        let env = environment(
            &config,
            "http://127.0.0.1:4000",
            Some("/usr/bin".into()),
            Some("/home/op".into()),
        );
        let pairs: Vec<(&str, &str)> = env
            .iter()
            .map(|(k, v)| (k.to_str().unwrap(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("PATH", "/usr/bin"),
                ("APP_ENV", "testing"),
                ("HOME", "/srv/suite"),
                ("BASE_URL", "http://127.0.0.1:4000"),
            ]
        );
    }

    #[test]
    fn base_url_cannot_be_overridden_and_missing_path_is_not_invented() {
        let mut config = SmokeConfig::default();
        config
            .env
            .insert("BASE_URL".into(), "http://elsewhere".into());
        let env = environment(&config, "http://127.0.0.1:1", None, None);
        assert_eq!(env, [("BASE_URL".into(), "http://127.0.0.1:1".into())]);
    }

    #[test]
    fn os_errors_read_as_words() {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(os_words(&e), "No such file or directory");
    }
}
