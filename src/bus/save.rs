//! Writing a color's log lines to a file ([`Cmd::SaveLogs`](crate::app::msg::Cmd)): a new
//! private file in `$XDG_STATE_HOME/cutover/logs/` (else `~/.local/state/cutover/logs/`),
//! directories 0700, file 0600, created only if it does not exist and never through a
//! symlink; the answer comes back as [`Msg::LogsSaved`].

use std::ffi::OsString;
use std::fs::{DirBuilder, OpenOptions};
use std::io::{BufWriter, ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc::UnboundedSender;

use crate::app::msg::Msg;
use crate::model::Color;
use crate::sanitize::sanitize_line;

/// cutover's directory for saved logs: `$XDG_STATE_HOME/cutover/logs` when that is an
/// absolute path (the XDG spec ignores relative ones), else `$HOME/.local/state/cutover/logs`.
pub fn logs_dir(
    xdg_state_home: Option<OsString>,
    home: Option<OsString>,
) -> Result<PathBuf, String> {
    let base = match xdg_state_home.map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        _ => match home.map(PathBuf::from) {
            Some(h) if h.is_absolute() => h.join(".local/state"),
            _ => return Err("neither XDG_STATE_HOME nor HOME is set to an absolute path".into()),
        },
    };
    Ok(base.join("cutover").join("logs"))
}

/// Write `lines` to a new file named `file_name` in `dir` (created 0700 if missing). When
/// the name is taken (or a symlink sits there), "-2", "-3", ... are tried instead.
pub fn write_new(dir: &Path, file_name: &str, lines: &[String]) -> Result<PathBuf, String> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (stem, ext) = file_name.rsplit_once('.').unwrap_or((file_name, "log"));
    for n in 1..=100 {
        let name = if n == 1 {
            file_name.to_string()
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path);
        let file = match file {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        };
        let mut out = BufWriter::new(file);
        let written = lines
            .iter()
            .try_for_each(|l| writeln!(out, "{l}"))
            .and_then(|()| out.flush());
        return match written {
            Ok(()) => Ok(path),
            Err(e) => Err(format!("cannot write {}: {e}", path.display())),
        };
    }
    Err(format!(
        "{file_name} and 99 variants exist in {}",
        dir.display()
    ))
}

/// Save on a blocking thread and report the outcome.
pub fn spawn(tx: UnboundedSender<Msg>, color: Color, file_name: String, lines: Vec<String>) {
    tokio::task::spawn_blocking(move || {
        let env = |k| std::env::var_os(k).filter(|v| !v.is_empty());
        let result = logs_dir(env("XDG_STATE_HOME"), env("HOME"))
            .and_then(|dir| write_new(&dir, &file_name, &lines))
            .map(|path| path.display().to_string());
        // Paths come from the environment: shown on screen, so sanitized like any text.
        let result = match result {
            Ok(p) => Ok(sanitize_line(&p, 500)),
            Err(e) => Err(sanitize_line(&e, 500)),
        };
        let _ = tx.send(Msg::LogsSaved {
            color,
            lines: lines.len(),
            result,
        });
    });
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_directory_follows_xdg_then_home() {
        let os = |s: &str| Some(OsString::from(s));
        assert_eq!(
            logs_dir(os("/x/state"), os("/home/a")).unwrap(),
            Path::new("/x/state/cutover/logs")
        );
        assert_eq!(
            logs_dir(os("relative"), os("/home/a")).unwrap(),
            Path::new("/home/a/.local/state/cutover/logs")
        );
        assert_eq!(
            logs_dir(None, os("/home/a")).unwrap(),
            Path::new("/home/a/.local/state/cutover/logs")
        );
        assert!(logs_dir(None, None).unwrap_err().contains("HOME"));
    }

    #[test]
    fn writes_a_private_new_file_and_never_follows_a_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state/cutover/logs");
        let lines = vec!["a".to_string(), "b".to_string()];
        let first = write_new(&dir, "green-x.log", &lines).unwrap();
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "a\nb\n");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&first), 0o600);
        assert_eq!(mode(&dir), 0o700);
        // The same name again: a new file beside it, the first untouched.
        let second = write_new(&dir, "green-x.log", &["c".to_string()]).unwrap();
        assert_eq!(second, dir.join("green-x-2.log"));
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "a\nb\n");
        // A planted symlink is neither followed nor overwritten.
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("blue-y.log")).unwrap();
        let third = write_new(&dir, "blue-y.log", &lines).unwrap();
        assert_eq!(third, dir.join("blue-y-2.log"));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    }

    #[test]
    fn an_unwritable_place_says_which() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("plain-file");
        std::fs::write(&file, "").unwrap();
        let err = write_new(&file.join("logs"), "g.log", &[]).unwrap_err();
        assert!(
            err.contains("cannot create") && err.contains("plain-file"),
            "{err}"
        );
    }
}
