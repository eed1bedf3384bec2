//! Integration tests (BUS): the command bus against the in-process simulator, driven with
//! the demo configuration and judged by the messages it sends.

use std::collections::BTreeMap;
use std::time::Duration;

use cutover::app::model::{Colour, Feed, FeedStatus, LogLine, PodView, RouterTarget, RouterView};
use cutover::app::msg::Msg;
use cutover::bus::Bus;
use cutover::config::demo_config;
use cutover::config::schema::RouterKind;
use cutover::kube::router::api_resource;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, LogParams, Patch, PatchParams};
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support;
use cutover::sim::SimHandle;

/// How long any convergence may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(40);

/// What the bus has said so far, folded like `update` would.
#[derive(Default, Debug)]
struct Seen {
    pods: [Vec<PodView>; 2],
    router: Option<RouterView>,
    feeds: BTreeMap<Feed, FeedStatus>,
    reconnecting: Vec<Feed>,
    lines: Vec<LogLine>,
    streams: [Option<(usize, usize)>; 2],
}

impl Seen {
    fn apply(&mut self, m: Msg) {
        match m {
            Msg::Pods { colour, pods } => self.pods[colour as usize] = pods,
            Msg::Router(r) => self.router = Some(r),
            Msg::Feed(feed, status) => {
                if matches!(status, FeedStatus::Reconnecting { .. }) {
                    self.reconnecting.push(feed.clone());
                }
                self.feeds.insert(feed, status);
            }
            Msg::LogLines(lines) => self.lines.extend(lines),
            Msg::LogStreams {
                colour,
                following,
                total,
            } => self.streams[colour as usize] = Some((following, total)),
            _ => {}
        }
    }

    fn names(&self, c: Colour) -> Vec<String> {
        self.pods[c as usize]
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    fn running(&self, c: Colour) -> usize {
        self.pods[c as usize]
            .iter()
            .filter(|p| p.status == "Running" && !p.terminating)
            .count()
    }

    fn router_target(&self) -> Option<&RouterTarget> {
        self.router.as_ref().map(|r| &r.target)
    }

    fn all_live(&self) -> bool {
        !self.feeds.is_empty() && self.feeds.values().all(|s| *s == FeedStatus::Live)
    }
}

/// A simulator, a bus on it, and what the bus said.
struct Rig {
    sim: SimHandle,
    client: kube::Client,
    bus: Option<Bus>,
    rx: UnboundedReceiver<Msg>,
    seen: Seen,
}

impl Rig {
    async fn start() -> Rig {
        let sim = support::sim();
        let client = sim.client("sim").await;
        let config = demo_config("fittrack", Some(&sim.lb_url));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let bus = Bus::start(client.clone(), config, tx);
        Rig {
            sim,
            client,
            bus: Some(bus),
            rx,
            seen: Seen::default(),
        }
    }

    /// Folds messages until `f` says yes, or fails after the deadline.
    async fn until<T>(&mut self, what: &str, mut f: impl FnMut(&Seen) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(t) = f(&self.seen) {
                return t;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) => self.seen.apply(m),
                Ok(None) => panic!("bus stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; pods {:?} {:?}, router {:?}, feeds {:?}",
                    self.seen.names(Colour::Blue),
                    self.seen.names(Colour::Green),
                    self.seen.router,
                    self.seen.feeds
                ),
            }
        }
    }

    fn pods(&self, c: Colour) -> Api<Pod> {
        Api::namespaced(
            self.client.clone(),
            &format!("fittrack-{}", c.word().to_lowercase()),
        )
    }

    async fn fault(&self, body: serde_json::Value) {
        support::fault(&self.sim, body).await;
    }

    async fn api_pod_names(&self, c: Colour) -> Vec<String> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pod_disappears_and_its_replacement_appears() {
    let mut rig = Rig::start().await;
    let before = rig
        .until("3 running blue pods", |s| {
            (s.running(Colour::Blue) == 3).then(|| s.names(Colour::Blue))
        })
        .await;
    let victim = before[0].clone();
    rig.pods(Colour::Blue)
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    let after = rig
        .until("victim gone and a replacement running", |s| {
            let names = s.names(Colour::Blue);
            (!names.contains(&victim) && s.running(Colour::Blue) == 3).then_some(names)
        })
        .await;
    assert!(
        after.iter().any(|n| !before.contains(n)),
        "a new pod replaced {victim}: {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_patched_by_someone_else_changes_the_router_view() {
    let mut rig = Rig::start().await;
    rig.until("router says BLUE", |s| {
        (s.router_target() == Some(&RouterTarget::Colour(Colour::Blue))).then_some(())
    })
    .await;
    let api: Api<DynamicObject> = Api::namespaced_with(
        rig.client.clone(),
        "fittrack",
        &api_resource(RouterKind::Httproute),
    );
    let patch: json_patch::Patch = serde_json::from_value(json!([
        {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 0},
        {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 100}
    ]))
    .unwrap();
    api.patch(
        "fittrack",
        &PatchParams::default(),
        &Patch::Json::<()>(patch),
    )
    .await
    .unwrap();
    let view = rig
        .until("router says GREEN", |s| {
            s.router
                .clone()
                .filter(|r| r.target == RouterTarget::Colour(Colour::Green))
        })
        .await;
    assert_eq!(view.raw, "fittrack-blue:0,fittrack-green:100");
    assert!(view.since.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_a_new_pod() {
    let mut rig = Rig::start().await;
    let before = rig
        .until("logs from 3 blue pods", |s| {
            let following = s.streams[0].is_some_and(|(f, _)| f == 3);
            let pods: std::collections::BTreeSet<_> = s
                .lines
                .iter()
                .filter(|l| l.colour == Colour::Blue)
                .map(|l| l.pod.clone())
                .collect();
            (following && pods.len() == 3).then_some(pods)
        })
        .await;
    let victim = before.iter().next().unwrap().clone();
    rig.pods(Colour::Blue)
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    let newcomer = rig
        .until("log lines from the replacement pod", |s| {
            s.lines
                .iter()
                .find(|l| l.colour == Colour::Blue && !before.contains(&l.pod))
                .map(|l| l.pod.clone())
        })
        .await;
    assert_ne!(newcomer, victim);
    rig.until("the deleted pod detached", |s| {
        (s.streams[0] == Some((3, 3)) && !s.names(Colour::Blue).contains(&victim)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_converges_after_dropped_watches_downtime_and_compaction() {
    let mut rig = Rig::start().await;
    rig.until("all feeds live with 3 blue pods", |s| {
        (s.all_live() && s.running(Colour::Blue) == 3).then_some(())
    })
    .await;
    rig.fault(json!({"drop_watches": true, "compact": true}))
        .await;
    let victim = rig.seen.names(Colour::Blue)[0].clone();
    rig.pods(Colour::Blue)
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    rig.fault(json!({"down_ms": 1500})).await;
    rig.until("a feed reported reconnecting", |s| {
        (!s.reconnecting.is_empty()).then_some(())
    })
    .await;
    rig.until("all feeds live again", |s| s.all_live().then_some(()))
        .await;
    // The pod list converges on the API's own list: no ghost of the deleted pod.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let truth = rig.api_pod_names(Colour::Blue).await;
        let shown = rig.seen.names(Colour::Blue);
        if truth == shown && !shown.contains(&victim) && rig.seen.running(Colour::Blue) == 3 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no convergence: shown {shown:?}, API {truth:?}"
        );
        if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), rig.rx.recv()).await {
            rig.seen.apply(m);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_stream_cut_midway_resumes_without_lost_or_doubled_lines() {
    let mut rig = Rig::start().await;
    let pod = rig
        .until("blue log lines", |s| {
            s.lines
                .iter()
                .find(|l| l.colour == Colour::Blue && l.ts.is_some())
                .map(|l| l.pod.clone())
        })
        .await;
    // Let it stream a moment past a second boundary, cut every connection (the simulator's
    // `drop_watches` ends watches but not log follows; going down cuts those too), stream on.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    rig.fault(json!({"down_ms": 1500})).await;
    let cut_at = chrono::Utc::now();
    rig.until("lines after the cut", |s| {
        s.lines
            .iter()
            .any(|l| {
                l.pod == pod
                    && l.ts
                        .is_some_and(|t| t > cut_at + chrono::TimeDelta::seconds(1))
            })
            .then_some(())
    })
    .await;
    let got: Vec<(chrono::DateTime<chrono::Utc>, String)> = rig
        .seen
        .lines
        .iter()
        .filter(|l| l.pod == pod)
        .filter_map(|l| Some((l.ts?, l.text.clone())))
        .collect();
    let container = rig
        .seen
        .lines
        .iter()
        .find(|l| l.pod == pod)
        .unwrap()
        .container
        .clone();
    let (first, last) = (got.first().unwrap().0, got.last().unwrap().0);
    let full = rig
        .pods(Colour::Blue)
        .logs(
            &pod,
            &LogParams {
                container: Some(container),
                timestamps: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let truth: Vec<(chrono::DateTime<chrono::Utc>, String)> = full
        .lines()
        .filter_map(|l| {
            let (ts, text) = cutover::bus::logs::stream::split_timestamp(l);
            Some((ts?, text.to_string()))
        })
        .filter(|(ts, _)| *ts >= first && *ts <= last)
        .collect();
    // The stream really was resumed from a whole second, so the overlap was de-duplicated.
    let resumed = format!("/pods/{pod}/log?");
    support::eventually("the resumed log request", DEADLINE, || async {
        let reqs = support::requests(&rig.sim).await;
        reqs.iter()
            .filter_map(|r| r["path"].as_str())
            .any(|p| p.contains(&resumed) && p.contains("sinceTime="))
            .then_some(())
    })
    .await;
    assert_eq!(got.len(), truth.len(), "lines lost or doubled");
    assert_eq!(got, truth);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_authenticates_with_the_chosen_context() {
    let sim = support::sim();
    let c = cutover::kube::connect(Some(sim.kubeconfig_path.clone()), Some("sim-viewer".into()))
        .await
        .expect("connects");
    assert_eq!(c.context_name, "sim-viewer");
    assert!(
        sim.api_url.starts_with(c.cluster_url.trim_end_matches('/')),
        "{} vs {}",
        c.cluster_url,
        sim.api_url
    );
    let err = cutover::kube::connect(Some(sim.kubeconfig_path.clone()), Some("nope".into()))
        .await
        .err()
        .expect("unknown context fails");
    assert!(err.to_string().contains("nope"), "{err}");
}
