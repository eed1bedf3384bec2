//! Where cutover keeps its own files, per user and private: the state directory
//! (`$XDG_STATE_HOME/cutover/`, else `~/.local/state/cutover/`) and, when that cannot be
//! had, the runtime directory (`$XDG_RUNTIME_DIR/cutover/`).
//!
//! Shared hosts (bastions) are the case to design for: a fixed name in `/tmp` lets the first
//! user lock everyone else out, and a symlink planted there makes cutover write to someone
//! else's file. So directories are created 0700 and checked (ours, a real directory, not a
//! symlink), files are created 0600 with `O_CREAT|O_EXCL|O_NOFOLLOW` under a name unique to
//! the process, and every error names the path it is about.

use std::ffi::OsString;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The directory name under the XDG base directories.
const APP_DIR: &str = "cutover";

/// How many stderr logs are kept (the newest; the one being created counts).
pub const STDERR_LOGS_KEPT: usize = 5;

/// Why a private directory or file could not be had. Every case names the path.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// No environment variable says where the user's files go.
    #[error("cannot tell where to keep cutover's files: none of $XDG_STATE_HOME, $HOME and $XDG_RUNTIME_DIR is set")]
    NoBase,
    /// The path exists but is not safe to use (a symlink, not ours, not a directory...).
    #[error("{}: {why}", path.display())]
    Unsafe {
        /// The offending path.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// An I/O operation on the path failed.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What was attempted ("create the directory", "create the file").
        action: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Neither the state nor the runtime directory could be used.
    #[error("{first}; and {second}")]
    Both {
        /// Why the state directory failed.
        first: Box<PathError>,
        /// Why the runtime directory failed.
        second: Box<PathError>,
    },
}

/// Environment lookups, as a function so tests need not change the process environment.
type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// An absolute path from an environment variable (the XDG spec ignores relative ones).
fn absolute_var(env: Env<'_>, name: &str) -> Option<PathBuf> {
    env(name).map(PathBuf::from).filter(|p| p.is_absolute())
}

/// cutover's private state directory, created (0700) when missing and checked when present.
pub fn state_dir() -> Result<PathBuf, PathError> {
    state_dir_with(&process_env)
}

/// [`state_dir`] with the environment given.
pub fn state_dir_with(env: Env<'_>) -> Result<PathBuf, PathError> {
    let base = absolute_var(env, "XDG_STATE_HOME")
        .or_else(|| absolute_var(env, "HOME").map(|h| h.join(".local").join("state")))
        .ok_or(PathError::NoBase)?;
    let dir = base.join(APP_DIR);
    private_dir(&dir)?;
    Ok(dir)
}

/// cutover's private directory under `$XDG_RUNTIME_DIR` (cleared at logout), created 0700.
pub fn runtime_dir_with(env: Env<'_>) -> Result<PathBuf, PathError> {
    let dir = absolute_var(env, "XDG_RUNTIME_DIR")
        .ok_or(PathError::NoBase)?
        .join(APP_DIR);
    private_dir(&dir)?;
    Ok(dir)
}

/// Make sure `dir` is a private directory of ours: create it 0700 (parents too) when
/// missing; refuse a symlink, a non-directory or someone else's directory; tighten the
/// mode of our own directory when others could read it.
pub fn private_dir(dir: &Path) -> Result<(), PathError> {
    let io_err = |action, source| PathError::Io {
        path: dir.to_path_buf(),
        action,
        source,
    };
    match DirBuilder::new().recursive(true).mode(0o700).create(dir) {
        Ok(()) => {}
        // A dangling symlink makes create fail; the check below names it.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_err("create the directory", e)),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| io_err("inspect the directory", e))?;
    let unsafe_because = |why: String| PathError::Unsafe {
        path: dir.to_path_buf(),
        why,
    };
    if meta.file_type().is_symlink() {
        return Err(unsafe_because(
            "is a symbolic link; refusing to follow it (remove it, or set $XDG_STATE_HOME)".into(),
        ));
    }
    if !meta.is_dir() {
        return Err(unsafe_because("exists and is not a directory".into()));
    }
    let me = current_uid();
    if meta.uid() != me {
        return Err(unsafe_because(format!(
            "belongs to uid {}, not to you (uid {me}); refusing to use it",
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| io_err("make the directory private (chmod 700)", e))?;
    }
    Ok(())
}

fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Create `dir/name` for appending: 0600, only if it does not exist, never through a
/// symlink (`O_CREAT|O_EXCL|O_NOFOLLOW`).
pub fn create_private_file(dir: &Path, name: &str) -> Result<(PathBuf, File), PathError> {
    let path = dir.join(name);
    let file = OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&path)
        .map_err(|source| PathError::Io {
            path: path.clone(),
            action: "create the file",
            source,
        })?;
    Ok((path, file))
}

/// A file name unique to this process and moment: `{prefix}-{pid}-{unix nanos}-{n}.log`.
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{nanos}-{n}.log", std::process::id())
}

/// Delete all but the newest `keep` of our regular files `{prefix}-*.log` in `dir`
/// (by modification time). Best effort: a file that cannot be removed is left.
pub fn prune(dir: &Path, prefix: &str, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = current_uid();
    let start = format!("{prefix}-");
    let mut logs: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(&start) && name.ends_with(".log")
        })
        .filter_map(|e| {
            // symlink_metadata: a symlink is never followed, nor removed as if it were a log.
            let meta = std::fs::symlink_metadata(e.path()).ok()?;
            let ours = meta.is_file() && meta.uid() == me;
            ours.then_some((meta.modified().ok()?, e.path()))
        })
        .collect();
    logs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    for (_, path) in logs.into_iter().skip(keep) {
        let _ = std::fs::remove_file(path);
    }
}

/// A fresh private file for stderr while the cockpit owns the screen, in the state directory
/// (else the runtime directory); the older ones beyond [`STDERR_LOGS_KEPT`] are removed.
pub fn new_stderr_log() -> Result<PathBuf, PathError> {
    new_stderr_log_with(&process_env)
}

/// [`new_stderr_log`] with the environment given.
pub fn new_stderr_log_with(env: Env<'_>) -> Result<PathBuf, PathError> {
    let in_dir = |dir: PathBuf| -> Result<PathBuf, PathError> {
        prune(&dir, "stderr", STDERR_LOGS_KEPT.saturating_sub(1));
        create_private_file(&dir, &unique_name("stderr")).map(|(path, _)| path)
    };
    match state_dir_with(env).and_then(in_dir) {
        Ok(path) => Ok(path),
        Err(first) => match runtime_dir_with(env).and_then(in_dir) {
            Ok(path) => Ok(path),
            Err(PathError::NoBase) => Err(first),
            Err(second) => Err(PathError::Both {
                first: Box::new(first),
                second: Box::new(second),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::io::Write;

    fn env_of(pairs: &[(&str, &Path)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_os_str().to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().mode() & 0o777
    }

    #[test]
    fn state_dir_is_created_private_under_xdg_state_home_else_home() {
        let tmp = tempfile::tempdir().unwrap();
        let xdg = tmp.path().join("xdg");
        let dir = state_dir_with(&env_of(&[("XDG_STATE_HOME", &xdg)])).unwrap();
        assert_eq!(dir, xdg.join("cutover"));
        assert_eq!(mode(&dir), 0o700);
        let home = tmp.path().join("home");
        let dir = state_dir_with(&env_of(&[("HOME", &home)])).unwrap();
        assert_eq!(dir, home.join(".local/state/cutover"));
        assert_eq!(mode(&dir), 0o700);
        // An existing directory of ours that others could read is made private.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        state_dir_with(&env_of(&[("HOME", &home)])).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert!(matches!(
            state_dir_with(&env_of(&[])),
            Err(PathError::NoBase)
        ));
    }

    #[test]
    fn a_planted_symlink_is_refused_and_named() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("victim");
        std::fs::create_dir(&elsewhere).unwrap();
        let xdg = tmp.path().join("xdg");
        std::fs::create_dir(&xdg).unwrap();
        std::os::unix::fs::symlink(&elsewhere, xdg.join("cutover")).unwrap();
        let err = state_dir_with(&env_of(&[("XDG_STATE_HOME", &xdg)])).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&xdg.join("cutover").display().to_string()),
            "{text}"
        );
        assert!(text.contains("symbolic link"), "{text}");

        // A symlink at a file's name: neither followed nor appended to.
        let dir = tmp.path().join("own");
        private_dir(&dir).unwrap();
        let target = tmp.path().join("target.txt");
        std::fs::write(&target, "theirs").unwrap();
        std::os::unix::fs::symlink(&target, dir.join("stderr-1.log")).unwrap();
        let err = create_private_file(&dir, "stderr-1.log").unwrap_err();
        assert!(err.to_string().contains("stderr-1.log"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs");
        // A dangling one is not created through either.
        std::os::unix::fs::symlink(tmp.path().join("new.txt"), dir.join("stderr-2.log")).unwrap();
        assert!(create_private_file(&dir, "stderr-2.log").is_err());
        assert!(!tmp.path().join("new.txt").exists());
    }

    #[test]
    fn stderr_logs_are_private_unique_and_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let xdg = tmp.path().join("xdg");
        let env = env_of(&[("XDG_STATE_HOME", &xdg)]);
        let first = new_stderr_log_with(&env).unwrap();
        let second = new_stderr_log_with(&env).unwrap();
        assert_ne!(
            first, second,
            "two processes (or starts) never share a file"
        );
        assert_eq!(first.parent(), Some(xdg.join("cutover").as_path()));
        assert_eq!(mode(&first), 0o600);
        assert_eq!(mode(first.parent().unwrap()), 0o700);
        let name = first.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(&format!("stderr-{}-", std::process::id())),
            "{name}"
        );
        // Old logs are pruned: the newest few stay, whatever else is in the directory.
        let other = xdg.join("cutover/journal.log");
        std::fs::File::create(&other)
            .unwrap()
            .write_all(b"x")
            .unwrap();
        for _ in 0..10 {
            new_stderr_log_with(&env).unwrap();
        }
        let logs = std::fs::read_dir(xdg.join("cutover"))
            .unwrap()
            .filter(|e| {
                let n = e.as_ref().unwrap().file_name();
                n.to_string_lossy().starts_with("stderr-")
            })
            .count();
        assert_eq!(logs, STDERR_LOGS_KEPT);
        assert!(other.exists());
    }

    #[test]
    fn the_runtime_dir_is_the_fallback_and_both_failures_are_told() {
        let tmp = tempfile::tempdir().unwrap();
        let blocked = tmp.path().join("blocked");
        std::fs::write(&blocked, "a file where a directory should be").unwrap();
        let run = tmp.path().join("run");
        let path = new_stderr_log_with(&env_of(&[
            ("XDG_STATE_HOME", &blocked),
            ("XDG_RUNTIME_DIR", &run),
        ]))
        .unwrap();
        assert_eq!(path.parent(), Some(run.join("cutover").as_path()));
        let err = new_stderr_log_with(&env_of(&[
            ("XDG_STATE_HOME", &blocked),
            ("XDG_RUNTIME_DIR", &blocked),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            err.matches(&blocked.join("cutover").display().to_string())
                .count()
                == 2,
            "{err}"
        );
    }
}
