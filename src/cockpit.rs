//! The cockpit's event loop: terminal events, bus messages, ticks and signals become `Msg`s;
//! `update` decides; the bus acts; the screen is drawn only when state changed, at most
//! [`FRAME_GAP`] apart.

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use futures::StreamExt;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::mpsc;
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};

use crate::app::msg::{Cmd, Msg};
use crate::app::state::{Session, State};
use crate::app::update::update;
use crate::bus::Bus;
use crate::cluster::Connected;
use crate::config::schema::Config;
use crate::{term, ui};

/// Shortest time between two frames (about 30 frames a second).
pub const FRAME_GAP: Duration = Duration::from_millis(33);
/// Most bus messages folded into state before the next frame, so keys stay responsive.
const DRAIN_LIMIT: usize = 2_000;

/// Everything the cockpit needs to start.
pub struct Launch {
    /// The validated configuration.
    pub config: Config,
    /// An authenticated cluster connection.
    pub connected: Connected,
    /// Refuse traffic and workload commands.
    pub read_only: bool,
    /// Monochrome (NO_COLOR set or theme = mono).
    pub no_color: bool,
    /// Where stderr goes while the screen is ours.
    pub stderr_log: std::path::PathBuf,
}

/// What the loop does after a message.
#[derive(PartialEq)]
enum Flow {
    Continue,
    Quit,
}

/// Run the cockpit until the user quits or a terminating signal arrives.
pub async fn run(launch: Launch) -> color_eyre::Result<()> {
    let signals = Signals::new()?;
    // Before the bus starts: a credential plugin it spawns inherits stderr as it is then,
    // and may write after the screen is ours.
    term::redirect_stderr(&launch.stderr_log)?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let bus = Bus::start(
        launch.connected.client.clone(),
        launch.config.clone(),
        tx.clone(),
    );
    let ctx = Session {
        context_name: launch.connected.context_name.clone(),
        cluster_url: launch.connected.cluster_url.clone(),
        read_only: launch.read_only,
        user: launch.connected.user.clone(),
    };
    let mut state = State::new(&launch.config, ctx, Utc::now());
    state.set_no_color(launch.no_color);

    let result = match term::enter(launch.config.ui.mouse) {
        Ok(mut tui) => event_loop(&mut state, &bus, &mut tui, &mut rx, signals).await,
        Err(e) => Err(e.into()),
    };
    // Every way out of the loop, errors included, gives the terminal back.
    bus.shutdown();
    term::restore();
    result
}

/// The signals that end the cockpit (the terminal is restored on the way out).
struct Signals {
    term: Signal,
    hup: Signal,
    int: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }
}

async fn event_loop(
    state: &mut State,
    bus: &Bus,
    tui: &mut term::Tui,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    mut signals: Signals,
) -> color_eyre::Result<()> {
    let size = tui.size()?;
    update(state, Msg::Resize(size.width, size.height));
    let mut events = EventStream::new();
    let mut tick = interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_draw = Instant::now() - FRAME_GAP;
    let mut pending = true;

    loop {
        let draw_at = last_draw + FRAME_GAP;
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(event)) => to_msg(event),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = tick.tick() => Some(Msg::Tick(Utc::now())),
            _ = signals.term.recv() => return Ok(()),
            _ = signals.hup.recv() => return Ok(()),
            _ = signals.int.recv() => return Ok(()),
            _ = sleep_until(draw_at), if pending => None,
        };
        let mut flow = match msg {
            Some(msg) => dispatch(state, msg, bus, tui)?,
            None => Flow::Continue,
        };
        // Fold whatever else is queued into state before drawing: many lines, one frame.
        for _ in 0..DRAIN_LIMIT {
            if flow == Flow::Quit {
                break;
            }
            match rx.try_recv() {
                Ok(msg) => flow = dispatch(state, msg, bus, tui)?,
                Err(_) => break,
            }
        }
        if flow == Flow::Quit {
            return Ok(());
        }
        pending |= state.take_dirty();
        if pending && Instant::now() >= draw_at {
            let mut drawn = state.viewport;
            tui.draw(|frame| drawn = ui::view(frame, state))?;
            last_draw = Instant::now();
            pending = false;
            if drawn != state.viewport {
                dispatch(state, Msg::Viewport(drawn), bus, tui)?;
            }
        }
    }
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

/// Feed one message to `update` and carry out the commands that belong to the terminal;
/// the rest go to the bus.
fn dispatch(
    state: &mut State,
    msg: Msg,
    bus: &Bus,
    tui: &mut term::Tui,
) -> color_eyre::Result<Flow> {
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for cmd in update(state, msg) {
            match cmd {
                Cmd::Quit => return Ok(Flow::Quit),
                Cmd::Suspend => {
                    term::suspend(tui)?;
                    queue.push(Msg::Resumed);
                }
                Cmd::ClearScreen => tui.clear()?,
                other => bus.execute(other),
            }
        }
    }
    Ok(Flow::Continue)
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
