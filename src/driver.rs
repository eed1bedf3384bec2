//! One driver, two faces: the state, the bus, the message channel, the clock and the
//! signals, with `dispatch` folding every message through `update`. The cockpit wraps it
//! with terminal input and drawing; each headless command wraps it with one request and an
//! exit code — a pipeline and a person take the same path through `update`.

use std::time::Duration;

use chrono::Utc;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{interval, Interval, MissedTickBehavior};

use crate::app::msg::{Cmd, Face, Msg, Reconnection, Signal};
use crate::app::state::{Session, State};
use crate::app::update::update;
use crate::bus::{Bus, FeedSet};
use crate::cluster::{ConnectError, Connected};
use crate::config::schema::Config;

/// Everything a face needs to start the driver.
pub struct Launch {
    /// The validated configuration.
    pub config: Config,
    /// An authenticated cluster connection.
    pub connected: Connected,
    /// Refuse traffic and workload commands.
    pub read_only: bool,
    /// Where the local journal lives.
    pub journal: std::path::PathBuf,
    /// The kubeconfig file given (`None`: `$KUBECONFIG`, then `~/.kube/config`), re-read
    /// by a reconnect.
    pub kubeconfig: Option<std::path::PathBuf>,
}

/// The signals that end cutover, as messages.
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

/// The driver: state + bus + channel + clock + signals.
pub struct Driver {
    /// The state (read by the face to draw or report; changed only through `dispatch`).
    pub state: State,
    bus: Bus,
    rx: mpsc::UnboundedReceiver<Msg>,
    tick: Interval,
    signals: Signals,
    kubeconfig: Option<std::path::PathBuf>,
    /// A reconnect under way (`Cmd::Reconnect`).
    reconnect: Option<JoinHandle<Result<Connected, ConnectError>>>,
}

impl Driver {
    /// Start the bus with `feeds` and a fresh state (on the current tokio runtime).
    pub fn start(launch: &Launch, feeds: FeedSet) -> std::io::Result<Driver> {
        let signals = Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let bus = Bus::start(
            launch.connected.client.clone(),
            launch.config.clone(),
            tx,
            feeds,
            launch.journal.clone(),
        );
        let session = Session {
            context_name: launch.connected.context_name.clone(),
            cluster_url: launch.connected.cluster_url.clone(),
            read_only: launch.read_only,
            user: launch.connected.user.clone(),
            kube_user: launch.connected.kube_user.clone(),
        };
        let mut tick = interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut state = State::new(&launch.config, session, Utc::now());
        state.peers.host = host_name();
        Ok(Driver {
            state,
            bus,
            rx,
            tick,
            signals,
            kubeconfig: launch.kubeconfig.clone(),
            reconnect: None,
        })
    }

    /// The next message from the bus, the clock, a signal or a finished reconnect.
    pub async fn next(&mut self) -> Msg {
        let reconnecting = self.reconnect.is_some();
        let pending = &mut self.reconnect;
        let connected = tokio::select! {
            Some(msg) = self.rx.recv() => return msg,
            _ = self.tick.tick() => return Msg::Tick(Utc::now()),
            _ = self.signals.term.recv() => return Msg::Signal(Signal::Terminate),
            _ = self.signals.hup.recv() => return Msg::Signal(Signal::Hangup),
            _ = self.signals.int.recv() => return Msg::Signal(Signal::Interrupt),
            joined = async { pending.as_mut().expect("guarded by the condition").await },
                if reconnecting => joined,
        };
        self.reconnect = None;
        Msg::Reconnected(match connected {
            Ok(Ok(c)) => {
                // The feeds restart on the new client; the old ones end with their tasks.
                self.bus.reconnect(c.client.clone());
                Ok(Reconnection {
                    context_name: c.context_name,
                    cluster_url: c.cluster_url,
                    user: c.user,
                })
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(format!("the reconnect task failed: {e}")),
        })
    }

    /// Connect again in the background: the kubeconfig is re-read, the context stays the
    /// one in use (a reconnect never moves to another cluster's context on its own).
    fn start_reconnect(&mut self) {
        if self.reconnect.is_some() {
            return;
        }
        let kubeconfig = self.kubeconfig.clone();
        let context = Some(self.state.session.context_name.clone());
        self.reconnect = Some(tokio::spawn(async move {
            crate::cluster::connect(kubeconfig, context).await
        }));
    }

    /// A queued bus message, if one is waiting (to fold many into one frame).
    pub fn try_next(&mut self) -> Option<Msg> {
        self.rx.try_recv().ok()
    }

    /// Fold one message through `update`: bus work goes to the bus, face effects are
    /// returned for the face to carry out.
    pub fn dispatch(&mut self, msg: Msg) -> Vec<Face> {
        let mut faces = Vec::new();
        for cmd in update(&mut self.state, msg) {
            match cmd {
                Cmd::Face(face) => faces.push(face),
                Cmd::Reconnect => self.start_reconnect(),
                other => self.bus.execute(other),
            }
        }
        faces
    }

    /// Stop the bus: feeds and any action still running are aborted. The driver lease,
    /// when this cockpit holds it, is released first.
    pub async fn shutdown(self) {
        if let Some(write) = crate::app::release::lease::release(&self.state) {
            self.bus.release_lease(write).await;
        }
        self.bus.end_session().await;
        self.bus.shutdown();
    }
}

/// This machine's name, for the lease holder `user@host` (empty when unknown).
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| crate::sanitize::sanitize_oneline(h.trim(), 64))
        .unwrap_or_default()
}
