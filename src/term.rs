//! The terminal's lifecycle: enter the cockpit screen, and always give the terminal back —
//! on quit, on panic, on SIGTERM/SIGHUP, and around Ctrl-Z.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use crossterm::{cursor, event, execute, terminal};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// The ratatui terminal the cockpit draws on.
pub type Tui = Terminal<CrosstermBackend<io::Stdout>>;

/// Whether the cockpit screen is currently set up (so restore is idempotent).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether mouse capture was enabled.
static MOUSE: AtomicBool = AtomicBool::new(false);
/// The real stderr, saved while stderr goes to a file (-1: not redirected).
static SAVED_STDERR: AtomicI32 = AtomicI32::new(-1);

/// Install the color-eyre report and panic hooks; the panic hook restores the terminal
/// before printing, so a panic never leaves the shell in raw mode on the alternate screen.
/// Call this before `enter`.
pub fn install_hooks() -> color_eyre::Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .into_hooks();
    eyre_hook.install()?;
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic on the UI thread ends the program: give the terminal back, then report.
        // Elsewhere (a bus task, the in-process simulator) it ends only that task, and the
        // screen stays ours, so it goes to cutover's own log instead of over the screen.
        if std::thread::current().name() == Some("main") || !ACTIVE.load(Ordering::SeqCst) {
            restore();
            panic_hook(info);
        } else {
            tracing::error!(target: "cutover::panic", "a background task panicked: {info}");
        }
    }));
    Ok(())
}

/// Send everything written to stderr (exec credential plugins, stray library output) to
/// `path` while the cockpit owns the screen; `restore` puts the real stderr back.
///
/// The file must exist (`crate::paths::new_stderr_log` creates it private); it is opened
/// for appending without following a symlink, and an error names it.
pub fn redirect_stderr(path: &std::path::Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .append(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("{}: cannot send stderr there: {e}", path.display()),
            )
        })?;
    // SAFETY: dup/dup2 on valid descriptors; the saved copy is only closed in `restore`.
    unsafe {
        let saved = libc::dup(2);
        if saved < 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::dup2(file.as_raw_fd(), 2) < 0 {
            libc::close(saved);
            return Err(io::Error::last_os_error());
        }
        SAVED_STDERR.store(saved, Ordering::SeqCst);
    }
    Ok(())
}

fn restore_stderr() {
    let saved = SAVED_STDERR.swap(-1, Ordering::SeqCst);
    if saved >= 0 {
        // SAFETY: `saved` came from dup() above and is closed exactly once.
        unsafe {
            libc::dup2(saved, 2);
            libc::close(saved);
        }
    }
}

/// Enter raw mode and the alternate screen; returns the terminal to draw on.
pub fn enter(mouse: bool) -> io::Result<Tui> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    MOUSE.store(mouse, Ordering::SeqCst);
    let mut out = io::stdout();
    execute!(out, terminal::EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        execute!(out, event::EnableMouseCapture)?;
    }
    let mut tui = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    tui.clear()?;
    Ok(tui)
}

/// Give the terminal back: leave the alternate screen, show the cursor, cooked mode, real
/// stderr. Safe to call any number of times, from any thread (panic hook, signal path).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        if MOUSE.swap(false, Ordering::SeqCst) {
            let _ = execute!(out, event::DisableMouseCapture);
        }
        let _ = execute!(out, terminal::LeaveAlternateScreen, cursor::Show);
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
    restore_stderr();
}

/// Ctrl-Z: give the terminal back, stop the process, and take the screen again on resume.
pub fn suspend(tui: &mut Tui) -> io::Result<()> {
    let mouse = MOUSE.load(Ordering::SeqCst);
    restore_screen_only();
    // SAFETY: raising SIGTSTP with its default action stops the process until SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    MOUSE.store(mouse, Ordering::SeqCst);
    execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        execute!(io::stdout(), event::EnableMouseCapture)?;
    }
    tui.clear()
}

fn restore_screen_only() {
    let saved = SAVED_STDERR.load(Ordering::SeqCst);
    SAVED_STDERR.store(-1, Ordering::SeqCst);
    restore();
    SAVED_STDERR.store(saved, Ordering::SeqCst);
}
