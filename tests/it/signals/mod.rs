//! Signals (issue 11): the scrape and Prometheus sources against the simulator, the
//! judgement and the automatic rollback through the real `update` and bus, and the demo
//! end to end. Tests marked NEEDS-SWITCH only pass once the switch executor
//! (`bus/actions/switch.rs`) has landed: the automatic rollback goes through it.

mod cockpit;
mod prometheus;
mod scrape;

use std::path::PathBuf;
use std::time::Duration;

use cutover::app::msg::{Cmd, Msg};
use cutover::app::state::{Session, State};
use cutover::app::update::update;
use cutover::bus::{Bus, FeedSet};
use cutover::config::demo_config;
use cutover::config::schema::Config;
use cutover::model::{Color, RouterTarget};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube_sim::cluster::Tuning;
use kube_sim::{SimHandle, SimOptions};
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support;

/// How long any convergence may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// A simulator, a bus, and the real core: every message goes through `update`, and every
/// command `update` makes goes to the bus — the cockpit's loop without a terminal.
pub struct Loop {
    /// Kept alive for the test.
    pub _sim: SimHandle,
    pub client: kube::Client,
    pub bus: Option<Bus>,
    pub rx: UnboundedReceiver<Msg>,
    pub state: State,
    pub journal: PathBuf,
    _dir: tempfile::TempDir,
}

/// Fast signals: 1 s samples, 20 requests count, 3 breaches in a row exhaust the budget.
pub fn fast(config: &mut Config) {
    config.metrics.interval_secs = 1.0;
    config.metrics.timeout_secs = 1.0;
    config.analysis.min_requests = 20;
    config.analysis.failures_allowed = 2;
    config.analysis.window_minutes = Some(10.0);
    config.probes.interval_secs = 0.5;
    config.release.require_smoke = false;
    // The demo's required checklist items would gate the switch.
    config.checklist.clear();
    config.release.rollback_confirm = false;
    config.release.verify_timeout_secs = 10.0;
}

impl Loop {
    /// The `fittrack` scenario (fast tunings, `sim_opts` changed by `tweak_sim`) with its demo
    /// configuration changed by `tweak`.
    pub async fn start(
        tweak_sim: impl FnOnce(&mut SimOptions),
        tweak: impl FnOnce(&mut Config),
    ) -> Loop {
        let mut opts = SimOptions {
            tuning: Tuning::fast(),
            ..SimOptions::default()
        };
        tweak_sim(&mut opts);
        let sim = support::sim_with(opts);
        let client = sim.client("sim").await;
        let mut config = demo_config("fittrack", Some(&sim.lb_url));
        fast(&mut config);
        tweak(&mut config);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let session = Session {
            context_name: "sim".into(),
            cluster_url: sim.api_url.clone(),
            read_only: false,
            user: Some("tester".into()),
            kube_user: None,
        };
        let state = State::new(&config, session, chrono::Utc::now());
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.jsonl");
        let feeds = FeedSet {
            logs: false,
            ..FeedSet::cockpit()
        };
        let bus = Bus::start(client.clone(), config, tx, feeds, journal.clone());
        Loop {
            _sim: sim,
            client,
            bus: Some(bus),
            rx,
            state,
            journal,
            _dir: dir,
        }
    }

    /// One message through `update`; its bus commands to the bus.
    pub fn dispatch(&mut self, msg: Msg) {
        for cmd in update(&mut self.state, msg) {
            match cmd {
                Cmd::Face(_) => {}
                other => self.bus.as_mut().expect("bus").execute(other),
            }
        }
    }

    /// Fold messages (and a tick per message, the clock being real) until `f` says yes.
    pub async fn until<T>(&mut self, what: &str, mut f: impl FnMut(&State) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(t) = f(&self.state) {
                return t;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) => {
                    self.dispatch(Msg::Tick(chrono::Utc::now()));
                    self.dispatch(m);
                }
                Ok(None) => panic!("bus stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; router {:?}, window {:?}, flash {:?}",
                    self.state.router.as_ref().map(|r| &r.target),
                    self.state.signals.window,
                    self.state.flash
                ),
            }
        }
    }

    /// Until every fact a request needs has been read and green serves 3 ready pods of
    /// `green_version`.
    pub async fn ready(&mut self, green_version: &str) {
        let v = green_version.to_string();
        self.until("facts read, green ready", move |s| {
            let green = s.color(Color::Green);
            let ready = green
                .pods
                .iter()
                .filter(|p| p.is_ready() && !p.terminating)
                .count();
            let all_new = green
                .pods
                .iter()
                .all(|p| p.containers.first().is_some_and(|c| c.image.ends_with(&v)));
            (s.facts_ready() && ready == 3 && green.pods.len() == 3 && all_new).then_some(())
        })
        .await;
    }

    /// Fold messages until the journal holds an entry `pred` accepts; that entry.
    pub async fn until_journal(
        &mut self,
        what: &str,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(e) = self.journal().into_iter().find(|e| pred(e)) {
                return e;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {:#?}",
                self.journal()
            );
            let wait = tokio::time::Instant::now() + Duration::from_millis(200);
            if let Ok(Some(m)) = tokio::time::timeout_at(wait, self.rx.recv()).await {
                self.dispatch(Msg::Tick(chrono::Utc::now()));
                self.dispatch(m);
            }
        }
    }

    /// The journal's entries so far.
    pub fn journal(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.journal)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        if let Some(bus) = self.bus.take() {
            bus.shutdown();
        }
    }
}

/// Deploy `image` to green's Deployment (the release lifecycle's deploy key is not built
/// yet: a strategic merge patch of the container's image, as `kubectl set image` does).
pub async fn deploy_green(client: &kube::Client, image: &str) {
    let api: Api<Deployment> = Api::namespaced(client.clone(), "fittrack-green");
    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": image}]}}}});
    api.patch(
        "fittrack",
        &PatchParams::default(),
        &Patch::Strategic(patch),
    )
    .await
    .expect("patch green's image");
}

/// Send all traffic to `to` by writing the HTTPRoute's weights directly (someone else's
/// switch, as far as cutover can tell).
pub async fn route_to(client: &kube::Client, to: Color) {
    let (blue, green) = if to == Color::Blue {
        (100, 0)
    } else {
        (0, 100)
    };
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", "HTTPRoute");
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "fittrack", &ApiResource::from_gvk(&gvk));
    let patch = json!([
        {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": blue},
        {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": green},
    ]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    api.patch(
        "fittrack",
        &PatchParams::default(),
        &Patch::Json::<()>(patch),
    )
    .await
    .expect("patch the route");
}

/// The router says `c`.
pub fn routed_to(s: &State, c: Color) -> bool {
    s.router.as_ref().map(|r| &r.target) == Some(&RouterTarget::Color(c))
}
