//! Writing a color's log lines to a file ([`Cmd::SaveLogs`](crate::app::msg::Cmd)): a new
//! private file in `$XDG_STATE_HOME/cutover/logs/` (else `~/.local/state/cutover/logs/`),
//! directories 0700, file 0600, created only if it does not exist and never through a
//! symlink; the answer comes back as [`Msg::LogsSaved`].

use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc::UnboundedSender;

use crate::app::msg::Msg;
use crate::model::Color;
use crate::paths::{self, PathError};
use crate::sanitize::sanitize_line;

/// cutover's directory for saved logs: `logs/` in its private state directory.
pub fn logs_dir() -> Result<PathBuf, String> {
    paths::state_dir()
        .map(|d| d.join("logs"))
        .map_err(|e| e.to_string())
}

/// Write `lines` to a new file named `file_name` in `dir` (created 0700 if missing). When
/// the name is taken (or a symlink sits there), "-2", "-3", ... are tried instead.
pub fn write_new(dir: &Path, file_name: &str, lines: &[String]) -> Result<PathBuf, String> {
    paths::private_dir(dir).map_err(|e| e.to_string())?;
    let (stem, ext) = file_name.rsplit_once('.').unwrap_or((file_name, "log"));
    for n in 1..=100 {
        let name = if n == 1 {
            file_name.to_string()
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let (path, file) = match paths::create_private_file(dir, &name) {
            Ok(created) => created,
            Err(PathError::Io { source, .. }) if source.kind() == ErrorKind::AlreadyExists => {
                continue
            }
            Err(e) => return Err(e.to_string()),
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
        let result = logs_dir()
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
        assert!(err.contains("plain-file"), "{err}");
    }
}
