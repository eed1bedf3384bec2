//! The test rig: a simulator, a bus driven by a real configuration, and a fold of
//! everything the bus said.

use std::collections::BTreeMap;
use std::time::Duration;

use cutover::app::msg::Msg;
use cutover::app::state::{Session, State};
use cutover::app::update::update;
use cutover::bus::{Bus, FeedSet};
use cutover::config::demo_config;
use cutover::config::schema::Config;
use cutover::model::{Color, Feed, FeedStatus, LogLine, PodSummary, RouterReading, RouterTarget};
use cutover::model::{KubeEvent, LbObservation, ProbeKind, ProbeResult};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube_sim::cluster::Tuning;
use kube_sim::{SimHandle, SimOptions};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support;

/// How long any convergence may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(40);

/// What the bus has said so far, folded like `update` would.
#[derive(Default, Debug)]
pub struct Seen {
    pub pods: [Vec<PodSummary>; 2],
    pub router: Option<RouterReading>,
    pub feeds: BTreeMap<Feed, FeedStatus>,
    pub reconnecting: Vec<Feed>,
    pub lines: Vec<LogLine>,
    pub streams: [Option<(usize, usize)>; 2],
    /// Latest probe per (color, kind).
    pub probes: BTreeMap<(Color, bool), ProbeResult>,
    pub lb: Option<LbObservation>,
    /// Latest (ready, total) endpoints per color.
    pub endpoints: [Option<(u32, u32)>; 2],
    /// Latest Deployment version per color.
    pub versions: [Option<String>; 2],
    pub events: Vec<KubeEvent>,
}

impl Seen {
    pub fn apply(&mut self, m: Msg) {
        match m {
            Msg::Pods { color, pods } => self.pods[color as usize] = pods,
            Msg::Router(r) => self.router = Some(r),
            Msg::Feed(feed, status) => {
                if matches!(status, FeedStatus::Reconnecting { .. }) {
                    self.reconnecting.push(feed.clone());
                }
                self.feeds.insert(feed, status);
            }
            Msg::LogLines(lines) => self.lines.extend(lines),
            Msg::LogStreams {
                color,
                following,
                total,
            } => self.streams[color as usize] = Some((following, total)),
            Msg::Probe(p) => {
                self.probes.insert((p.color, p.kind == ProbeKind::Ready), p);
            }
            Msg::Lb(o) => self.lb = Some(o),
            Msg::Endpoints {
                color,
                ready,
                total,
            } => self.endpoints[color as usize] = Some((ready, total)),
            Msg::Deployment { color, deployment } => {
                self.versions[color as usize] = deployment.map(|d| d.version)
            }
            Msg::Events(events) => self.events.extend(events),
            _ => {}
        }
    }

    pub fn names(&self, c: Color) -> Vec<String> {
        self.pods[c as usize]
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    pub fn running(&self, c: Color) -> usize {
        self.pods[c as usize]
            .iter()
            .filter(|p| p.status == "Running" && !p.terminating)
            .count()
    }

    pub fn router_target(&self) -> Option<&RouterTarget> {
        self.router.as_ref().map(|r| &r.target)
    }

    /// The latest probe of a color's endpoint.
    pub fn probe(&self, c: Color, kind: ProbeKind) -> Option<&ProbeResult> {
        self.probes.get(&(c, kind == ProbeKind::Ready))
    }

    pub fn all_live(&self) -> bool {
        !self.feeds.is_empty() && self.feeds.values().all(|s| *s == FeedStatus::Live)
    }
}

/// A simulator, a bus on it, and what the bus said.
pub struct Rig {
    pub sim: SimHandle,
    pub client: kube::Client,
    pub bus: Option<Bus>,
    pub rx: UnboundedReceiver<Msg>,
    pub seen: Seen,
    /// The cockpit's real state, fed every message through the real `update`.
    pub state: State,
}

impl Rig {
    /// The `fittrack` scenario with its demo configuration.
    pub async fn start() -> Rig {
        Rig::start_with("fittrack", |_| {}).await
    }

    /// A scenario with its demo configuration, changed by `tweak`.
    pub async fn start_with(scenario: &str, tweak: impl FnOnce(&mut Config)) -> Rig {
        let sim = support::sim_with(SimOptions {
            scenario: scenario.into(),
            tuning: Tuning::fast(),
            ..SimOptions::default()
        });
        let client = sim.client("sim").await;
        let mut config = demo_config(scenario, Some(&sim.lb_url));
        config.probes.interval_secs = 0.2;
        tweak(&mut config);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let ctx = Session {
            context_name: "sim".into(),
            cluster_url: sim.api_url.clone(),
            read_only: false,
            user: None,
            kube_user: None,
        };
        let state = State::new(&config, ctx, chrono::Utc::now());
        let journal = sim.kubeconfig_path.with_file_name("journal.jsonl");
        let bus = Bus::start(client.clone(), config, tx, FeedSet::cockpit(), journal);
        Rig {
            sim,
            client,
            bus: Some(bus),
            rx,
            seen: Seen::default(),
            state,
        }
    }

    /// One message from the bus, into both the fold and the cockpit's state.
    pub fn apply(&mut self, m: Msg) {
        update(&mut self.state, m.clone());
        self.seen.apply(m);
    }

    /// The cockpit's screen for the current state, as text (120×40).
    pub fn screen(&self) -> String {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40))
            .expect("test terminal");
        t.draw(|f| {
            cutover::ui::view(f, &self.state);
        })
        .expect("draw");
        let buf = t.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    /// Folds messages until `f` says yes, or fails after the deadline.
    pub async fn until<T>(&mut self, what: &str, mut f: impl FnMut(&Seen) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(t) = f(&self.seen) {
                return t;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) => self.apply(m),
                Ok(None) => panic!("bus stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; pods {:?} {:?}, router {:?}, feeds {:?}",
                    self.seen.names(Color::Blue),
                    self.seen.names(Color::Green),
                    self.seen.router,
                    self.seen.feeds
                ),
            }
        }
    }

    pub fn pods(&self, c: Color) -> Api<Pod> {
        Api::namespaced(
            self.client.clone(),
            &format!("fittrack-{}", c.word().to_lowercase()),
        )
    }

    pub async fn fault(&self, body: serde_json::Value) {
        support::fault(&self.sim, body).await;
    }

    pub async fn api_pod_names(&self, c: Color) -> Vec<String> {
        let list = self
            .pods(c)
            .list(&ListParams::default().labels("app=fittrack"))
            .await
            .unwrap();
        let mut names: Vec<_> = list
            .items
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        if let Some(bus) = self.bus.take() {
            bus.shutdown();
        }
    }
}
