//! Rollback latency against the simulator with its default tunings (LB propagation 200 ms):
//! the real switch executor run through the bus (`Cmd::Start`, as `update` issues it after
//! the key), alternating colors, timed per phase from the key — patch accepted, endpoints,
//! LB verified (5 fresh answers) — next to one API round trip (GET of the router) and the
//! wall time of one `kubectl patch` process doing the same switch on the same machine.
//!
//! `cargo bench --bench rollback` (criterion times "key → LB verified"; the per-phase
//! summary of every rollback run is printed at the end). Targets: patch accepted within
//! one API round trip + 5 ms of the key; LB-verified within 1 s.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use cutover::app::action::{Op, Outcome, Phase, PhaseTime, SwitchKind, SwitchPlan, Verification};
use cutover::app::msg::{Cmd, Msg};
use cutover::bus::{Bus, FeedSet};
use cutover::cluster::router;
use cutover::cluster::switch_patch::switch_ops;
use cutover::config::demo_config;
use cutover::config::schema::Config;
use cutover::model::{RouterReading, RouterTarget, SwitchStamp};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject};
use kube_sim::{SimHandle, SimOptions};
use tokio::runtime::Runtime;
use tokio::sync::mpsc::UnboundedReceiver;

const VERSIONS: [&str; 2] = ["v1.9.3", "v2.0.0"];

struct Rig {
    rt: Runtime,
    sim: SimHandle,
    client: kube::Client,
    api: Api<DynamicObject>,
    config: Config,
    bus: Bus,
    rx: UnboundedReceiver<Msg>,
    n: u64,
    /// Phase times of every rollback run.
    runs: Vec<Vec<PhaseTime>>,
    _dir: tempfile::TempDir,
}

impl Rig {
    fn new() -> Rig {
        let _ = rustls::crypto::ring::default_provider().install_default();
        for v in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] {
            std::env::remove_var(v);
        }
        let sim = kube_sim::start(SimOptions::default()).expect("simulator starts");
        let rt = Runtime::new().expect("runtime");
        let _guard = rt.enter();
        let client = rt.block_on(sim.client("sim"));
        let config = demo_config("fittrack", Some(&sim.lb_url));
        let ar = router::api_resource(config.router.kind);
        let api = Api::namespaced_with(client.clone(), "fittrack", &ar);
        let dir = tempfile::tempdir().expect("temp dir");
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let feeds = FeedSet {
            watches: false,
            logs: false,
            probes: false,
            metrics: false,
        };
        let journal: PathBuf = dir.path().join("journal.jsonl");
        let bus = Bus::start(client.clone(), config.clone(), tx, feeds, journal);
        let mut rig = Rig {
            rt,
            sim,
            client,
            api,
            config,
            bus,
            rx,
            n: 0,
            runs: Vec::new(),
            _dir: dir,
        };
        // Both colors serve before the first measurement: a warm-up switch there and back.
        rig.wait_ready();
        for _ in 0..2 {
            rig.rollback();
        }
        rig.runs.clear();
        rig
    }

    fn reading(&self) -> RouterReading {
        let obj = self.rt.block_on(self.api.get("fittrack")).expect("router");
        router::read(&self.config, Some(&serde_json::to_value(obj).unwrap()))
    }

    /// Waits until both colors have 3 ready pods.
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let ready = |ns: &str| {
            let pods: Api<Pod> = Api::namespaced(self.client.clone(), ns);
            let list = self.rt.block_on(pods.list(&Default::default()));
            list.map_or(0, |l| l.items.iter().filter(|p| pod_ready(p)).count())
        };
        while Instant::now() < deadline {
            if ready("fittrack-blue") >= 3 && ready("fittrack-green") >= 3 {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("the colors never became ready");
    }

    /// One rollback to the color that is not live, through the bus; its phase times.
    fn rollback(&mut self) -> Vec<PhaseTime> {
        let now = self.reading();
        let live = match now.target {
            RouterTarget::Color(c) => c,
            other => panic!("router says {other:?}"),
        };
        let to = live.other();
        self.n += 1;
        let plan = SwitchPlan {
            kind: SwitchKind::Rollback,
            from: now.target.clone(),
            to,
            expected: now.values,
            switch_id: format!("bench-{}-{}", std::process::id(), self.n),
            by: "bench".into(),
            at: Utc::now(),
            target_version: Some(VERSIONS[to as usize].into()),
            lb_requests: 5,
            verify_timeout_secs: 30.0,
            lease: None,
        };
        let id = self.n;
        let _guard = self.rt.enter();
        // The key: `update` hands the bus this command.
        self.bus.execute(Cmd::Start {
            id,
            op: Op::Switch(plan),
        });
        let outcome = self.rt.block_on(async {
            loop {
                match self.rx.recv().await.expect("bus running") {
                    Msg::ActionDone { id: done, outcome } if done == id => return outcome,
                    _ => {}
                }
            }
        });
        let Outcome::Switched {
            phases,
            verification: Verification::Verified,
            ..
        } = outcome
        else {
            panic!("rollback not verified: {outcome:?}");
        };
        self.runs.push(phases.clone());
        phases
    }

    /// The same switch as one `kubectl patch` process; its wall time.
    fn kubectl_patch(&mut self, home: &std::path::Path) -> Duration {
        let now = self.reading();
        let live = match now.target {
            RouterTarget::Color(c) => c,
            other => panic!("router says {other:?}"),
        };
        self.n += 1;
        let stamp = SwitchStamp {
            id: format!("kubectl-{}", self.n),
            by: "bench".into(),
            at: Utc::now().to_rfc3339(),
        };
        let ops = switch_ops(&self.config, live.other(), &now.values, &stamp).expect("ops");
        let ops = serde_json::to_string(&ops).unwrap();
        let started = Instant::now();
        let out = std::process::Command::new("kubectl")
            .env("HOME", home)
            .env("KUBECONFIG", &self.sim.kubeconfig_path)
            .args([
                "--context",
                "sim",
                "-n",
                "fittrack",
                "patch",
                "httproute",
                "fittrack",
            ])
            .args(["--type=json", "-p", &ops])
            .output()
            .expect("kubectl runs");
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }
}

fn pod_ready(p: &Pod) -> bool {
    let conditions = p.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions.is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn ms(runs: &[Vec<PhaseTime>], phase: Phase) -> Vec<u64> {
    let mut v: Vec<u64> = runs
        .iter()
        .filter_map(|r| r.iter().find(|p| p.phase == phase).map(|p| p.ms))
        .collect();
    v.sort_unstable();
    v
}

fn summary(runs: &[Vec<PhaseTime>]) {
    println!(
        "\nrollback phases over {} runs (ms from the key):",
        runs.len()
    );
    println!(
        "  {:<16} {:>6} {:>6} {:>6} {:>6}",
        "phase", "min", "median", "p90", "max"
    );
    for phase in [
        Phase::PatchAccepted,
        Phase::EndpointsReady,
        Phase::LbVerified,
    ] {
        let v = ms(runs, phase);
        if v.is_empty() {
            continue;
        }
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        println!(
            "  {:<16} {:>6} {:>6} {:>6} {:>6}",
            phase.words(),
            v[0],
            at(0.5),
            at(0.9),
            v[v.len() - 1]
        );
    }
}

fn rollback(c: &mut Criterion) {
    let mut rig = Rig::new();
    let mut group = c.benchmark_group("rollback");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group.bench_function("key to LB verified (sim, propagation 200 ms)", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let phases = rig.rollback();
                    let lb = phases.iter().find(|p| p.phase == Phase::LbVerified);
                    Duration::from_millis(lb.expect("LB verified").ms)
                })
                .sum()
        })
    });
    let get = rig.api.clone();
    let rt = &rig.rt;
    group.bench_function("API round trip (GET the router)", |b| {
        b.iter(|| rt.block_on(get.get("fittrack")).expect("router"))
    });
    let kubectl = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if kubectl {
        let home = tempfile::tempdir().expect("kubectl HOME");
        group.bench_function("one kubectl patch process (same switch)", |b| {
            b.iter_custom(|iters| (0..iters).map(|_| rig.kubectl_patch(home.path())).sum())
        });
    } else {
        println!("kubectl not on PATH: no kubectl comparison");
    }
    group.finish();
    summary(&rig.runs);
}

criterion_group!(benches, rollback);
criterion_main!(benches);
