//! The rig: a simulator, the real bus and the real `update`, folded together the way the
//! driver does it (a headless request in, an exit code out), keeping every step and outcome
//! the bus reported — with a hook to hold an action's start, so a test can change the
//! router between the plan and the patch.

use std::path::PathBuf;
use std::time::Duration;

use cutover::app::action::{ActionId, Outcome, Phase, PhaseTime, Request, RequestOptions, Step};
use cutover::app::msg::{Cmd, Face, Msg};
use cutover::app::release::plan::ready_pods;
use cutover::app::state::{Session, State};
use cutover::app::update::update;
use cutover::bus::{Bus, FeedSet};
use cutover::cluster::router;
use cutover::config::demo_config;
use cutover::config::schema::{Config, RouterKind};
use cutover::model::{Color, RouterReading, RouterTarget};
use kube::api::{Api, DynamicObject};
use kube_sim::cluster::Tuning;
use kube_sim::{SimHandle, SimOptions};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support;

/// How long any run may take before the test fails (the API may be made slow on purpose).
pub const DEADLINE: Duration = Duration::from_secs(90);
/// The simulator's versions of each color.
pub const BLUE_VERSION: &str = "v1.9.3";
pub const GREEN_VERSION: &str = "v2.0.0";

/// A simulator scenario with fast timings (HTTPS, or plain HTTP for a proxy in front).
pub fn sim(scenario: &str, http: bool) -> SimHandle {
    support::sim_with(SimOptions {
        scenario: scenario.into(),
        http,
        tuning: Tuning::fast(),
        ..SimOptions::default()
    })
}

/// The demo configuration of `scenario` for `sim`, without the smoke gate (smoke tests are
/// another executor's business; the gate itself is tested in `update`).
pub fn config(sim: &SimHandle, scenario: &str) -> Config {
    let mut c = demo_config(scenario, Some(&sim.lb_url));
    c.release.require_smoke = false;
    // The demo's required checklist items gate a switch too; not these tests' business.
    c.checklist.clear();
    c
}

/// `fittrack-single-ns` routed by its Ingress `fittrack-ingress` (which starts on the
/// `fittrack-lb` Service, UNKNOWN to cutover) to the colors' Services.
pub fn ingress_config(sim: &SimHandle) -> Config {
    let mut c = config(sim, "fittrack-single-ns");
    c.router.kind = RouterKind::IngressBackend;
    c.router.name = "fittrack-ingress".into();
    c.router.selector_key = None;
    c.colors.blue.route_value = "fittrack-blue".into();
    c.colors.green.route_value = "fittrack-green".into();
    c
}

/// What one run (a request to its exit) produced.
#[derive(Debug)]
pub struct Run {
    /// The headless exit code.
    pub code: i32,
    /// The steps reported meanwhile, in order.
    pub steps: Vec<Step>,
    /// The last outcome reported meanwhile.
    pub outcome: Option<Outcome>,
}

impl Run {
    /// Phase times of a switch outcome.
    pub fn phases(&self) -> Vec<PhaseTime> {
        match &self.outcome {
            Some(Outcome::Switched { phases, .. }) => phases.clone(),
            other => panic!("not switched: {other:?} (steps {:?})", self.steps),
        }
    }

    /// When `phase` completed, in ms after the start.
    pub fn at(&self, phase: Phase) -> u64 {
        let phases = self.phases();
        phases
            .iter()
            .find(|p| p.phase == phase)
            .unwrap_or_else(|| panic!("no {phase:?} in {phases:?}"))
            .ms
    }
}

/// What the bus reported, in order (for tests of more than one action).
#[derive(Debug, Default)]
pub struct Seen {
    pub steps: Vec<(ActionId, Step)>,
    pub outcomes: Vec<(ActionId, Outcome)>,
    pub exits: Vec<i32>,
}

/// The simulator, the bus on it, the core's state.
pub struct Rig {
    pub sim: SimHandle,
    /// A client straight to the simulator, for checks and for "another engineer".
    pub client: kube::Client,
    pub config: Config,
    pub state: State,
    pub seen: Seen,
    bus: Option<Bus>,
    rx: UnboundedReceiver<Msg>,
    /// The local journal.
    pub journal: PathBuf,
    _dir: tempfile::TempDir,
}

impl Rig {
    /// A rig whose bus talks to the simulator directly.
    pub async fn start(sim: SimHandle, config: Config) -> Rig {
        let client = sim.client("sim").await;
        Rig::start_via(sim, client.clone(), config).await
    }

    /// A rig whose bus uses `bus_client` (e.g. through a proxy in front of the simulator).
    pub async fn start_via(sim: SimHandle, bus_client: kube::Client, config: Config) -> Rig {
        let client = sim.client("sim").await;
        let dir = tempfile::tempdir().expect("temp dir");
        let journal = dir.path().join("journal.jsonl");
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let session = Session {
            context_name: "sim".into(),
            cluster_url: sim.api_url.clone(),
            read_only: false,
            user: Some("tester".into()),
            kube_user: None,
        };
        let state = State::new(&config, session, chrono::Utc::now());
        let bus = Bus::start(
            bus_client,
            config.clone(),
            tx,
            FeedSet::headless(),
            journal.clone(),
        );
        let mut rig = Rig {
            sim,
            client,
            config,
            state,
            seen: Seen::default(),
            bus: Some(bus),
            rx,
            journal,
            _dir: dir,
        };
        rig.pump_until("the facts and 3 ready pods per color", |r| {
            let ready = |c| ready_pods(&r.state, c).0 >= 3;
            r.state.facts_ready() && ready(Color::Blue) && ready(Color::Green)
        })
        .await;
        rig
    }

    fn bus(&mut self) -> &mut Bus {
        self.bus.as_mut().expect("bus running")
    }

    /// One message through `update`: bus commands go to the bus (a `Start` is kept in
    /// `held` instead when `hold`), face exits are kept in `seen`.
    fn dispatch(&mut self, msg: Msg, held: Option<&mut Vec<Cmd>>) {
        match &msg {
            Msg::ActionStep { id, step } => self.seen.steps.push((*id, step.clone())),
            Msg::ActionDone { id, outcome } => self.seen.outcomes.push((*id, outcome.clone())),
            _ => {}
        }
        let mut held = held;
        for cmd in update(&mut self.state, msg) {
            match cmd {
                Cmd::Face(Face::Exit(code)) => self.seen.exits.push(code),
                Cmd::Face(_) => {}
                Cmd::Start { id, op } if held.is_some() => {
                    if let Some(h) = held.as_mut() {
                        h.push(Cmd::Start { id, op });
                    }
                }
                other => self.bus().execute(other),
            }
        }
    }

    /// Folds the bus's messages until `done` holds (fails after [`DEADLINE`]).
    pub async fn pump_until(&mut self, what: &str, done: impl Fn(&Rig) -> bool) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !done(self) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "timed out waiting for {what}; missing {:?}, seen {:?}",
                        self.state.missing_facts(),
                        self.seen
                    )
                })
                .expect("bus running");
            self.dispatch(msg, None);
        }
    }

    /// A headless request (`--yes`) through `update`; its action's start is held back and
    /// returned (fails if nothing was started).
    pub fn request_held(&mut self, request: Request) -> Vec<Cmd> {
        let mut held = Vec::new();
        self.dispatch(Msg::Tick(chrono::Utc::now()), None);
        self.dispatch(Msg::Request(request, yes()), Some(&mut held));
        assert!(!held.is_empty(), "nothing started: {:?}", self.seen);
        held
    }

    /// Sends held commands to the bus.
    pub fn release(&mut self, held: Vec<Cmd>) {
        for cmd in held {
            self.bus().execute(cmd);
        }
    }

    /// A headless request (`--yes`) through `update`, without waiting.
    pub fn request(&mut self, request: Request) {
        self.dispatch(Msg::Tick(chrono::Utc::now()), None);
        self.dispatch(Msg::Request(request, yes()), None);
    }

    /// Folds until the next exit code; what the bus reported meanwhile.
    pub async fn run_to_exit(&mut self) -> Run {
        let (steps, outcomes, exits) = (
            self.seen.steps.len(),
            self.seen.outcomes.len(),
            self.seen.exits.len(),
        );
        self.pump_until("an exit code", |r| r.seen.exits.len() > exits)
            .await;
        Run {
            code: self.seen.exits[exits],
            steps: self.seen.steps[steps..]
                .iter()
                .map(|(_, s)| s.clone())
                .collect(),
            outcome: self.seen.outcomes[outcomes..]
                .last()
                .map(|(_, o)| o.clone()),
        }
    }

    /// A headless request (`--yes`), run to its exit code.
    pub async fn act(&mut self, request: Request) -> Run {
        self.request(request);
        self.run_to_exit().await
    }

    /// Folds until the core's router reading says `target` (the watch saw the switch).
    pub async fn until_router(&mut self, target: RouterTarget) {
        let what = format!("the router feed to say {target:?}");
        self.pump_until(&what, |r| {
            r.state.router.as_ref().map(|x| &x.target) == Some(&target)
        })
        .await;
    }

    /// The router object as the API server holds it now.
    pub async fn router_object(&self) -> serde_json::Value {
        let r = &self.config.router;
        let ar = router::api_resource(r.kind);
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), &r.namespace, &ar);
        serde_json::to_value(api.get(&r.name).await.expect("router readable")).unwrap()
    }

    /// The router as cutover reads it now, straight from the API server.
    pub async fn router(&self) -> RouterReading {
        router::read(&self.config, Some(&self.router_object().await))
    }

    /// The version the LB answers with now.
    pub async fn lb_version(&self) -> Option<String> {
        support::lb_version(&self.sim).await
    }

    /// The local journal's lines, parsed.
    pub fn journal_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.journal)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("journal line is JSON"))
            .collect()
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        if let Some(bus) = self.bus.take() {
            bus.shutdown();
        }
    }
}

fn yes() -> RequestOptions {
    RequestOptions {
        yes: true,
        reason: Some("integration test".into()),
        headless: true,
    }
}
