//! Integration tests (JOURNAL): the journal writer through the real bus against the
//! simulator — local lines, Events, the shared history ConfigMap, the history feed — and the
//! headless `cutover journal` through the real binary.

mod feed;
mod headless;
mod publish;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use cutover::app::action::journal::{Entry, EntryKind, Recorded, Result as R, Stage};
use cutover::app::action::{Phase, PhaseTime};
use cutover::app::msg::Msg;
use cutover::bus::journal::{parse_history, HISTORY, HISTORY_KEY};
use cutover::bus::{Bus, FeedSet};
use cutover::config::demo_config;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, ListParams, PostParams};
use kube_sim::SimHandle;
use tokio::sync::mpsc::UnboundedReceiver;

/// How long any write or delivery may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(40);
/// The `fittrack` router's namespace: where Events and the history live.
pub const NS: &str = "fittrack";

/// A bus of one identity with only the shared-history feed, and what it said.
pub struct Writer {
    bus: Option<Bus>,
    rx: UnboundedReceiver<Msg>,
}

impl Writer {
    /// A bus on `context` (`sim-alice`, `sim-bob`, `sim-viewer`) writing `path`.
    pub async fn start(sim: &SimHandle, context: &str, path: PathBuf) -> Writer {
        let client = sim.client(context).await;
        let config = demo_config("fittrack", None);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let feeds = FeedSet::none();
        let bus = Bus::start(client, config, tx, feeds, path);
        Writer { bus: Some(bus), rx }
    }

    /// A bus that has read the shared history once.
    pub async fn loaded(sim: &SimHandle, context: &str, path: PathBuf) -> Writer {
        let mut w = Writer::start(sim, context, path).await;
        w.history("the first history", |_| true).await;
        w
    }

    /// Hand an entry to the bus, as `update` does with `Cmd::Record`.
    pub fn record(&mut self, entry: Entry) {
        if let Some(bus) = self.bus.as_mut() {
            bus.execute(cutover::app::msg::Cmd::Record(entry));
        }
    }

    /// The next bus message, failing the test after [`DEADLINE`].
    pub async fn next(&mut self, what: &str) -> Msg {
        match tokio::time::timeout(DEADLINE, self.rx.recv()).await {
            Ok(Some(m)) => m,
            Ok(None) => panic!("bus stopped while waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }

    /// How the writing of entry `id` went.
    pub async fn recorded(&mut self, id: &str) -> Recorded {
        loop {
            if let Msg::Recorded(r) = self.next(&format!("Recorded {id}")).await {
                if r.id == id {
                    return r;
                }
            }
        }
    }

    /// Record `entry` and wait until it is written (or not).
    pub async fn write(&mut self, entry: Entry) -> Recorded {
        let id = entry.id.clone();
        self.record(entry);
        self.recorded(&id).await
    }

    /// Record `entry` and expect both the local line and the publication to succeed.
    pub async fn record_ok(&mut self, entry: Entry) -> Recorded {
        let id = entry.id.clone();
        let r = self.write(entry).await;
        assert_eq!(r.local, Ok(()), "local journal of {id}");
        assert_eq!(r.cluster, Ok(()), "publication of {id}");
        r
    }

    /// The next `Msg::History` for which `ok` holds.
    pub async fn history(&mut self, what: &str, ok: impl Fn(&[Entry]) -> bool) -> Vec<Entry> {
        loop {
            if let Msg::History(h) = self.next(what).await {
                if ok(&h) {
                    return h;
                }
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(bus) = self.bus.take() {
            bus.shutdown();
        }
    }
}

/// An outcome entry by `who`, unique and newer than every entry made before it.
pub fn outcome(who: &str, kind: EntryKind, result: R, summary: &str) -> Entry {
    at(Utc::now(), who, kind, result, summary)
}

/// An outcome entry made at `when`.
pub fn at(when: DateTime<Utc>, who: &str, kind: EntryKind, result: R, summary: &str) -> Entry {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    Entry {
        id: format!("{}-{who}-{n}", when.format("%Y%m%dT%H%M%S%.3fZ")),
        at: when,
        who: who.into(),
        context: format!("sim-{who}"),
        router: "httproute fittrack/fittrack".into(),
        kind,
        stage: Stage::Outcome,
        result: Some(result),
        from: Some("blue".into()),
        to: Some("green".into()),
        versions: [("blue".to_string(), "v1.9.3".to_string())].into(),
        phases: vec![PhaseTime {
            phase: Phase::PatchAccepted,
            ms: 21,
        }],
        gates: vec![],
        reason: None,
        summary: summary.into(),
        error: None,
        version: Some("v2.0.0".into()),
        output: Vec::new(),
        publish_error: None,
    }
}

/// The shared history as the cluster holds it (parsed like the feed parses it).
pub async fn cluster_history(client: &kube::Client) -> Vec<Entry> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    api.get_opt(HISTORY)
        .await
        .expect("read the history")
        .map(|cm| parse_history(&cm))
        .unwrap_or_default()
}

/// Write the history ConfigMap's text directly (another, possibly hostile, client).
pub async fn write_history(client: &kube::Client, text: String) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    let mut cm = api
        .get_opt(HISTORY)
        .await
        .expect("read")
        .unwrap_or_default();
    cm.metadata.name = Some(HISTORY.into());
    cm.data = Some([(HISTORY_KEY.to_string(), text)].into());
    if cm.metadata.resource_version.is_some() {
        api.replace(HISTORY, &PostParams::default(), &cm).await
    } else {
        api.create(&PostParams::default(), &cm).await
    }
    .expect("write the history");
}

/// The Events cutover published in the router's namespace (`events.k8s.io/v1`).
pub async fn cutover_events(client: &kube::Client) -> Vec<Event> {
    let api: Api<Event> = Api::namespaced(client.clone(), NS);
    let list = api.list(&ListParams::default()).await.expect("list events");
    list.items
        .into_iter()
        .filter(|e| e.reporting_controller.as_deref() == Some("cutover.dev/cutover"))
        .collect()
}

/// The local journal's lines, as entries.
pub fn local_lines(path: &Path) -> Vec<Entry> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}
