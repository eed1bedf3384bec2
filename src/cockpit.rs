//! The cockpit: the driver's terminal face. Terminal events become `Msg`s beside the
//! driver's own (bus, clock, signals); the screen is drawn only when state changed, at
//! most [`FRAME_GAP`] apart.

use std::time::Duration;

use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use futures::StreamExt;
use tokio::time::{sleep_until, Instant};

use crate::app::msg::{Face, Msg};
use crate::bus::FeedSet;
use crate::driver::{Driver, Launch};
use crate::{term, ui};

/// Shortest time between two frames (about 30 frames a second).
pub const FRAME_GAP: Duration = Duration::from_millis(33);
/// Most bus messages folded into state before the next frame, so keys stay responsive.
const DRAIN_LIMIT: usize = 2_000;

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
    let result = match term::enter(launch.config.ui.mouse) {
        Ok(mut tui) => event_loop(&mut driver, &mut tui).await,
        Err(e) => Err(e.into()),
    };
    // Every way out of the loop, errors included, gives the terminal back.
    driver.shutdown();
    term::restore();
    result
}

async fn event_loop(driver: &mut Driver, tui: &mut term::Tui) -> color_eyre::Result<i32> {
    let size = tui.size()?;
    driver.dispatch(Msg::Resize(size.width, size.height));
    let mut events = EventStream::new();
    let mut last_draw = Instant::now() - FRAME_GAP;
    let mut pending = true;

    loop {
        let draw_at = last_draw + FRAME_GAP;
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(event)) => to_msg(event),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(0),
            },
            msg = driver.next() => Some(msg),
            _ = sleep_until(draw_at), if pending => None,
        };
        if let Some(msg) = msg {
            if let Some(code) = carry_out(driver, msg, tui)? {
                return Ok(code);
            }
        }
        // Fold whatever else is queued into state before drawing: many lines, one frame.
        for _ in 0..DRAIN_LIMIT {
            let Some(msg) = driver.try_next() else { break };
            if let Some(code) = carry_out(driver, msg, tui)? {
                return Ok(code);
            }
        }
        pending |= driver.state.take_dirty();
        if pending && Instant::now() >= draw_at {
            let mut drawn = driver.state.viewport;
            tui.draw(|frame| drawn = ui::view(frame, &driver.state))?;
            last_draw = Instant::now();
            pending = false;
            if drawn != driver.state.viewport {
                driver.dispatch(Msg::Viewport(drawn));
            }
        }
    }
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
