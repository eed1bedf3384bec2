//! A simulator, a bus with no feeds, and one smoke test run through it to its outcome.

use std::path::Path;
use std::time::Duration;

use cutover::app::action::{Outcome, SmokePlan, SmokeReport, Step};
use cutover::app::msg::{Cmd, Msg};
use cutover::bus::{Bus, FeedSet};
use cutover::config::demo_config;
use cutover::config::schema::Config;
use cutover::model::Color;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube_sim::SimHandle;

use crate::support;

/// How long one smoke test may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(60);

/// How a run ended and every output line it showed.
#[derive(Debug)]
pub struct Run {
    pub outcome: Outcome,
    pub lines: Vec<String>,
}

impl Run {
    /// The report of a smoke test that ran (panics on any other outcome).
    pub fn report(&self) -> &SmokeReport {
        match &self.outcome {
            Outcome::Smoke(r) => r,
            other => panic!("expected a smoke report, got {other:?}\n{:#?}", self.lines),
        }
    }

    /// Whether some output line contains `text`.
    pub fn said(&self, text: &str) -> bool {
        self.lines.iter().any(|l| l.contains(text))
    }
}

/// The `fittrack` simulator, once GREEN's three pods are ready.
pub async fn sim() -> SimHandle {
    let sim = support::sim();
    let client = sim.client("sim").await;
    let pods: Api<Pod> = Api::namespaced(client, "fittrack-green");
    support::eventually("3 ready GREEN pods", DEADLINE, || {
        let pods = pods.clone();
        async move {
            let list = pods.list(&ListParams::default()).await.ok()?;
            let ready = list
                .items
                .iter()
                .map(cutover::cluster::convert::pod_summary)
                .filter(|p| p.is_ready())
                .count();
            (ready == 3).then_some(())
        }
    })
    .await;
    sim
}

/// A client as cutover connects (not the simulator's own test client).
async fn connect(sim: &SimHandle) -> kube::Client {
    let kubeconfig = Some(sim.kubeconfig_path.clone());
    cutover::cluster::connect(kubeconfig, Some("sim".into()))
        .await
        .expect("cutover connects to the simulator")
        .client
}

/// The demo configuration for the simulator (its checks, no suite).
pub fn config() -> Config {
    demo_config("fittrack", None)
}

/// The plan `update` would make for GREEN with this configuration.
pub fn plan(config: &Config) -> SmokePlan {
    SmokePlan {
        color: Color::Green,
        version: Some("v2.0.0".into()),
        checks: config.smoke.checks.clone(),
        suite: !config.smoke.command.is_empty(),
    }
}

/// Runs a smoke test of GREEN through the bus; with `cancel_on`, cancels it once an output
/// line contains that text.
pub async fn smoke(sim: &SimHandle, config: Config, cancel_on: Option<&str>) -> Run {
    let client = connect(sim).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let plan = plan(&config);
    let feeds = FeedSet::none();
    let journal = sim.kubeconfig_path.with_file_name("smoke-journal.jsonl");
    let mut bus = Bus::start(client, config, tx, feeds, journal);
    let id = 7;
    bus.execute(Cmd::Start {
        id,
        op: cutover::app::action::Op::Smoke(plan),
    });
    let mut lines = Vec::new();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let outcome = loop {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no outcome in time; output so far: {lines:#?}"))
            .expect("the bus is running");
        match msg {
            Msg::ActionStep {
                id: got,
                step: Step::Output(line),
            } if got == id => {
                if cancel_on.is_some_and(|t| line.contains(t)) {
                    bus.execute(Cmd::Cancel(id));
                }
                lines.push(line);
            }
            Msg::ActionDone { id: got, outcome } if got == id => break outcome,
            _ => {}
        }
    };
    bus.shutdown();
    Run { outcome, lines }
}

/// Runs GREEN's smoke test with the suite `python3 SCRIPT` (`text` written to a fresh
/// directory; no built-in checks), after `tweak` (given that directory) adjusts the
/// configuration. The directory lives as long as the returned handle.
pub async fn run_script(
    text: &str,
    timeout_secs: f64,
    cancel_on: Option<&str>,
    tweak: impl FnOnce(&mut Config, &Path),
) -> (Run, tempfile::TempDir) {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let script = dir.path().join("suite.py");
    std::fs::write(&script, text).expect("script written");
    let mut config = config();
    config.smoke.checks.clear();
    config.smoke.command = vec!["python3".into(), script.display().to_string()];
    config.smoke.timeout_secs = timeout_secs;
    tweak(&mut config, dir.path());
    (smoke(&sim, config, cancel_on).await, dir)
}

/// The real interpreter behind `python3` (a version manager's shim on PATH would add
/// variables of its own to the suite's environment).
pub fn python_executable() -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A process no longer runs (gone, or a zombie waiting for its new parent to reap it).
pub fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

/// The pids a script wrote, one per line, into `file`.
pub fn pids(file: &Path) -> Vec<u32> {
    std::fs::read_to_string(file)
        .expect("the script wrote its pids")
        .split_whitespace()
        .map(|p| p.parse().expect("a pid"))
        .collect()
}
