//! The cockpit: the driver's terminal face. Terminal events become `Msg`s beside the
//! driver's own (bus, clock, signals); the screen is drawn only when state changed, when
//! [`frames::next_frame`] says: keys at once, data at most ~30 times a second, new log
//! lines alone at `[ui] log_fps`.

pub mod frames;

use std::io;
use std::time::Duration;

use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

use crate::app::msg::{Face, Msg};
use crate::bus::FeedSet;
use crate::driver::{Driver, Launch};
use crate::{term, ui};
use frames::{next_frame, Decision, Pace, Pending};

/// Longest the loop folds queued bus messages before it looks at the keyboard again.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);

/// How the cockpit looks, beyond its configuration.
pub struct Look {
    /// Monochrome (NO_COLOR set or theme = mono).
    pub no_color: bool,
    /// Where stderr goes while the screen is ours.
    pub stderr_log: std::path::PathBuf,
}

/// Run the cockpit until the user quits or a signal ends it; returns the exit code.
pub async fn run(launch: Launch, look: Look) -> color_eyre::Result<i32> {
    // Before the bus starts: a credential plugin it spawns inherits stderr as it is then,
    // and may write after the screen is ours.
    term::redirect_stderr(&look.stderr_log)?;
    let mut driver = Driver::start(&launch, FeedSet::cockpit())?;
    driver.state.set_no_color(look.no_color);
    driver.state.peers.announce = true;
    if let Some(why) = &launch.connected.unreachable {
        let text = format!(
            "the API server did not answer at start ({why}); showing what arrives as it retries"
        );
        let at = driver.state.now;
        driver.dispatch(Msg::Notice {
            at,
            text,
            warning: true,
        });
    }
    let pace = Pace::new(launch.config.ui.log_fps);
    let result = match term::enter(launch.config.ui.mouse) {
        Ok(mut tui) => event_loop(&mut driver, &mut tui, pace).await,
        Err(e) => Err(e.into()),
    };
    // Every way out of the loop, errors included, gives the terminal back (before the
    // lease's release, which may wait for the API server).
    term::restore();
    driver.shutdown().await;
    result
}

/// Terminal events, read by their own task so the loop can see a waiting key between
/// two bus messages without polling the terminal.
fn spawn_input() -> (
    mpsc::UnboundedReceiver<io::Result<Event>>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(event) = events.next().await {
            if tx.send(event).is_err() {
                return;
            }
        }
    });
    (rx, task)
}

async fn event_loop(
    driver: &mut Driver,
    tui: &mut term::Tui,
    pace: Pace,
) -> color_eyre::Result<i32> {
    let (mut input, input_task) = spawn_input();
    let result = run_loop(driver, tui, pace, &mut input).await;
    input_task.abort();
    result
}

async fn run_loop(
    driver: &mut Driver,
    tui: &mut term::Tui,
    pace: Pace,
    input: &mut mpsc::UnboundedReceiver<io::Result<Event>>,
) -> color_eyre::Result<i32> {
    let size = tui.size()?;
    driver.dispatch(Msg::Resize(size.width, size.height));
    let mut last_draw = Instant::now() - pace.logs;
    let mut pending = Pending::default();
    pending.add(driver.state.take_changes());

    loop {
        let draw_at = match next_frame(Instant::now(), last_draw, pending, pace) {
            Decision::Draw => {
                let mut drawn = driver.state.viewport;
                tui.draw(|frame| drawn = ui::view(frame, &driver.state))?;
                last_draw = Instant::now();
                pending = Pending::default();
                if drawn != driver.state.viewport {
                    driver.dispatch(Msg::Viewport(drawn));
                }
                continue;
            }
            Decision::DrawAt(at) => Some(at),
            Decision::Idle => None,
        };
        // Input first, then a frame that is due, then data.
        tokio::select! {
            biased;
            event = input.recv() => {
                let Some(event) = event else { return Ok(0) };
                if let Some(code) = take_input(driver, tui, event?, &mut pending)? {
                    return Ok(code);
                }
                // Keys typed together (a paste, key repeat) make one frame.
                while let Ok(event) = input.try_recv() {
                    if let Some(code) = take_input(driver, tui, event?, &mut pending)? {
                        return Ok(code);
                    }
                }
            }
            _ = sleep_until(draw_at.unwrap_or_else(Instant::now)), if draw_at.is_some() => {}
            msg = driver.next() => {
                if let Some(code) = carry_out(driver, msg, tui)? {
                    return Ok(code);
                }
                // Fold whatever else is queued into state: many lines, one frame; but
                // stop as soon as a key waits, so it is drawn before the rest.
                let started = Instant::now();
                while input.is_empty() && started.elapsed() < DRAIN_BUDGET {
                    let Some(msg) = driver.try_next() else { break };
                    if let Some(code) = carry_out(driver, msg, tui)? {
                        return Ok(code);
                    }
                }
                pending.add(driver.state.take_changes());
            }
        }
    }
}

/// Fold one terminal event; a visible change makes a frame due at once.
fn take_input(
    driver: &mut Driver,
    tui: &mut term::Tui,
    event: Event,
    pending: &mut Pending,
) -> color_eyre::Result<Option<i32>> {
    let Some(msg) = to_msg(event) else {
        return Ok(None);
    };
    let code = carry_out(driver, msg, tui)?;
    let changes = driver.state.take_changes();
    pending.key |= !changes.is_empty();
    pending.add(changes);
    Ok(code)
}

/// Dispatch one message and carry out the face effects; `Some(code)` ends the cockpit.
fn carry_out(
    driver: &mut Driver,
    msg: Msg,
    tui: &mut term::Tui,
) -> color_eyre::Result<Option<i32>> {
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for face in driver.dispatch(msg) {
            match face {
                Face::Exit(code) => return Ok(Some(code)),
                Face::Suspend => {
                    term::suspend(tui)?;
                    queue.push(Msg::Resumed);
                }
                Face::ClearScreen => tui.clear()?,
                // Headless effects: the cockpit shows the same things on screen.
                Face::Ask { .. } | Face::Print(_) | Face::Warn(_) => {}
            }
        }
    }
    Ok(None)
}

/// A terminal event as a message: key presses, resizes, and (with `[ui] mouse`) the wheel
/// as ↑/↓, so it scrolls whatever the arrow keys scroll.
fn to_msg(event: Event) -> Option<Msg> {
    let arrow = |code| Some(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollUp => arrow(KeyCode::Up),
            MouseEventKind::ScrollDown => arrow(KeyCode::Down),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{MouseEvent, MouseEventKind};

    fn mouse(kind: MouseEventKind) -> Event {
        Event::Mouse(MouseEvent {
            kind,
            column: 3,
            row: 4,
            modifiers: KeyModifiers::NONE,
        })
    }

    fn code(msg: Option<Msg>) -> Option<KeyCode> {
        match msg {
            Some(Msg::Key(k)) => Some(k.code),
            _ => None,
        }
    }

    #[test]
    fn the_wheel_scrolls_like_the_arrows_and_releases_are_ignored() {
        assert_eq!(
            code(to_msg(mouse(MouseEventKind::ScrollUp))),
            Some(KeyCode::Up)
        );
        assert_eq!(
            code(to_msg(mouse(MouseEventKind::ScrollDown))),
            Some(KeyCode::Down)
        );
        assert!(to_msg(mouse(MouseEventKind::Moved)).is_none());
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert!(to_msg(Event::Key(release)).is_none());
        assert!(matches!(
            to_msg(Event::Resize(80, 24)),
            Some(Msg::Resize(80, 24))
        ));
    }
}
