//! One cockpit of several on one simulator: its own identity (kubeconfig context), state,
//! bus and journal, folded the way the driver does it.

use std::time::Duration;

use cutover::app::action::{Request, RequestOptions};
use cutover::app::msg::{Cmd, Face, Msg};
use cutover::app::release::plan::ready_pods;
use cutover::app::state::{Session, State};
use cutover::app::update::update;
use cutover::bus::{Bus, FeedSet};
use cutover::config::schema::Config;
use cutover::model::Color;
use kube_sim::SimHandle;
use tokio::sync::mpsc::UnboundedReceiver;

/// How long any wait may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(60);

/// A `fittrack` simulator with alice's (`alice@laptop`) and bob's (`bob@desk`) cockpits.
pub async fn pair() -> (SimHandle, Config, Cockpit, Cockpit) {
    let sim = crate::traffic::rig::sim("fittrack", false);
    let config = crate::traffic::rig::config(&sim, "fittrack");
    let alice = Cockpit::start(&sim, &config, "alice", "laptop").await;
    let bob = Cockpit::start(&sim, &config, "bob", "desk").await;
    (sim, config, alice, bob)
}

/// A cockpit: `user@host` on its context.
pub struct Cockpit {
    pub state: State,
    /// Exit codes of headless requests, in order.
    pub exits: Vec<i32>,
    bus: Option<Bus>,
    rx: UnboundedReceiver<Msg>,
    _dir: tempfile::TempDir,
}

impl Cockpit {
    /// Starts a cockpit as `user` (context `sim-<user>`) on host `host`; returns once it
    /// has read the facts and 3 ready pods per color.
    pub async fn start(sim: &SimHandle, config: &Config, user: &str, host: &str) -> Cockpit {
        let context = format!("sim-{user}");
        let client = sim.client(&context).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let session = Session {
            context_name: context,
            cluster_url: sim.api_url.clone(),
            read_only: false,
            user: Some(user.into()),
            kube_user: None,
        };
        let mut state = State::new(config, session, chrono::Utc::now());
        state.peers.host = host.into();
        let bus = Bus::start(
            client,
            config.clone(),
            tx,
            FeedSet::headless(),
            dir.path().join("journal.jsonl"),
        );
        let mut c = Cockpit {
            state,
            exits: Vec::new(),
            bus: Some(bus),
            rx,
            _dir: dir,
        };
        c.until("the facts and 3 ready pods per color", |s| {
            let ready = |c| ready_pods(s, c).0 >= 3;
            s.facts_ready() && ready(Color::Blue) && ready(Color::Green)
        })
        .await;
        c
    }

    /// One message through `update`, as the driver folds it.
    pub fn dispatch(&mut self, msg: Msg) {
        for cmd in update(&mut self.state, msg) {
            match cmd {
                Cmd::Face(Face::Exit(code)) => self.exits.push(code),
                Cmd::Face(_) => {}
                other => self.bus.as_mut().expect("bus running").execute(other),
            }
        }
    }

    /// Folds the bus's messages (and a tick each time) until `done` holds.
    pub async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !done(&self.state) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "{}: timed out waiting for {what}; flash {:?}",
                        self.state.who(),
                        self.state.flash
                    )
                })
                .expect("bus running");
            self.dispatch(Msg::Tick(chrono::Utc::now()));
            self.dispatch(msg);
        }
    }

    /// A headless request (`--yes`), folded to its exit code.
    pub async fn act(&mut self, request: Request) -> i32 {
        let before = self.exits.len();
        self.dispatch(Msg::Tick(chrono::Utc::now()));
        let options = RequestOptions {
            yes: true,
            reason: Some("pairing test".into()),
            headless: true,
        };
        self.dispatch(Msg::Request(request, options));
        let mut n = self.exits.len();
        while n == before {
            let msg = tokio::time::timeout(DEADLINE, self.rx.recv())
                .await
                .expect("an exit code in time")
                .expect("bus running");
            self.dispatch(msg);
            n = self.exits.len();
        }
        self.exits[before]
    }

    /// What quitting writes: the driver lease's release, when this cockpit holds it.
    pub fn release_lease(&mut self) {
        let write = cutover::app::release::lease::release(&self.state).expect("we drive");
        self.bus
            .as_mut()
            .expect("bus running")
            .execute(Cmd::Lease(write));
    }

    /// Quit as the driver does: release the lease when held, delete the session.
    pub async fn quit(mut self) {
        let bus = self.bus.take().expect("bus running");
        if let Some(write) = cutover::app::release::lease::release(&self.state) {
            bus.release_lease(write).await;
        }
        bus.end_session().await;
        bus.shutdown();
    }

    /// The newest entry of this cockpit's history (its own outcomes and the shared ones).
    pub fn last_entry(&self) -> cutover::app::action::journal::Entry {
        self.state
            .actions
            .history
            .last()
            .expect("an entry in the history")
            .clone()
    }

    /// The footer's message now.
    pub fn flash(&self) -> String {
        self.state
            .flash
            .as_ref()
            .map(|(t, _)| t.clone())
            .unwrap_or_default()
    }

    /// Whether a timeline notice contains `text`.
    pub fn told(&self, text: &str) -> bool {
        use cutover::app::timeline::TimelineItem;
        // A notice, or a journal entry (a change outside cutover is journaled).
        self.state.timeline.items().iter().any(|i| match i {
            TimelineItem::Notice { text: t, .. } => t.contains(text),
            TimelineItem::Entry(e) => e.summary.contains(text),
            TimelineItem::Event(_) => false,
        })
    }
}

impl Drop for Cockpit {
    fn drop(&mut self) {
        if let Some(bus) = self.bus.take() {
            bus.shutdown();
        }
    }
}
