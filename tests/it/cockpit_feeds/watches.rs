//! Watch feeds: pods, router, convergence after API faults, connecting.

use std::time::Duration;

use cutover::cluster::router::api_resource;
use cutover::config::schema::RouterKind;
use cutover::model::{Color, Feed, FeedStatus, RouterTarget};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::json;

use super::rig::{Rig, DEADLINE};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pod_disappears_and_its_replacement_appears() {
    let mut rig = Rig::start().await;
    let before = rig
        .until("3 running blue pods", |s| {
            (s.running(Color::Blue) == 3).then(|| s.names(Color::Blue))
        })
        .await;
    let victim = before[0].clone();
    rig.pods(Color::Blue)
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    let after = rig
        .until("victim gone and a replacement running", |s| {
            let names = s.names(Color::Blue);
            (!names.contains(&victim) && s.running(Color::Blue) == 3).then_some(names)
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
        (s.router_target() == Some(&RouterTarget::Color(Color::Blue))).then_some(())
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
    let patched = std::time::Instant::now();
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
                .filter(|r| r.target == RouterTarget::Color(Color::Green))
        })
        .await;
    eprintln!("router patch seen by the bus after {:?}", patched.elapsed());
    assert_eq!(view.raw, "fittrack-blue:0,fittrack-green:100");
    // The cockpit itself: the LIVE marker moved, "since" restarted, the change is told.
    let router = rig.state.router.clone().expect("router in state");
    assert_eq!(router.target, RouterTarget::Color(Color::Green));
    assert!(router.since.is_some(), "a change starts 'since'");
    let screen = rig.screen();
    let traffic = screen
        .lines()
        .find(|l| l.contains("traffic →"))
        .expect("traffic line");
    assert!(traffic.contains(" GREEN LIVE "), "{screen}");
    // Switched just now: BLUE is the standby, kept warm through the monitoring window (the
    // traffic line drops that note when short of room; the stepper line keeps it).
    let stepper = screen
        .lines()
        .find(|l| l.trim_start().starts_with("release"))
        .unwrap_or_default();
    assert!(
        traffic.contains("BLUE standby")
            || traffic.contains("BLUE kept warm for rollback")
            || stepper.contains("decommission BLUE after"),
        "{screen}"
    );
    assert!(
        screen.contains("BLUE → GREEN"),
        "not in the timeline:\n{screen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_converges_after_dropped_watches_downtime_and_compaction() {
    let mut rig = Rig::start().await;
    rig.until("all feeds live with 3 blue pods", |s| {
        (s.all_live() && s.running(Color::Blue) == 3).then_some(())
    })
    .await;
    rig.fault(json!({"drop_watches": true, "compact": true}))
        .await;
    let victim = rig.seen.names(Color::Blue)[0].clone();
    rig.pods(Color::Blue)
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    rig.fault(json!({"down_ms": 1500})).await;
    let down = std::time::Instant::now();
    rig.until("the blue pods feed reported reconnecting", |s| {
        s.reconnecting
            .contains(&Feed::Pods(Color::Blue))
            .then_some(())
    })
    .await;
    rig.until("all feeds live again", |s| s.all_live().then_some(()))
        .await;
    // The pod list converges on the API's own list: no ghost of the deleted pod.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let truth = rig.api_pod_names(Color::Blue).await;
        let shown = rig.seen.names(Color::Blue);
        let live = [Feed::Pods(Color::Blue), Feed::Logs(Color::Blue)]
            .iter()
            .all(|f| rig.seen.feeds.get(f) == Some(&FeedStatus::Live));
        if live && truth == shown && !shown.contains(&victim) && rig.seen.running(Color::Blue) == 3
        {
            eprintln!(
                "converged {:?} after the API went down for 1.5 s",
                down.elapsed()
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no convergence: shown {shown:?}, API {truth:?}"
        );
        if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), rig.rx.recv()).await {
            rig.apply(m);
        }
    }
    // The cockpit's stale marker clears: every feed is live again in its state and header.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while rig
        .state
        .stale_feeds()
        .any(|(_, f)| matches!(f.status, FeedStatus::Reconnecting { .. }))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still stale:\n{}",
            rig.screen()
        );
        if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), rig.rx.recv()).await {
            rig.apply(m);
        }
    }
    let screen = rig.screen();
    assert!(
        screen.lines().next().unwrap().contains("● live"),
        "{screen}"
    );
    assert!(!screen.contains("RECONNECTING"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_authenticates_with_the_chosen_context() {
    let sim = support::sim();
    let c = cutover::cluster::connect(Some(sim.kubeconfig_path.clone()), Some("sim-viewer".into()))
        .await
        .expect("connects");
    assert_eq!(c.context_name, "sim-viewer");
    // The header says who we are: the server's SelfSubjectReview answer for that token.
    assert_eq!(c.user.as_deref(), Some("viewer"));
    assert!(
        sim.api_url.starts_with(c.cluster_url.trim_end_matches('/')),
        "{} vs {}",
        c.cluster_url,
        sim.api_url
    );
    let err = cutover::cluster::connect(Some(sim.kubeconfig_path.clone()), Some("nope".into()))
        .await
        .err()
        .expect("unknown context fails");
    assert!(err.to_string().contains("nope"), "{err}");
}

/// When the API server goes away, every feed says what fails in plain words: no
/// `ServiceError: client error (Connect)` anywhere on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_api_is_told_in_plain_words() {
    let mut rig = Rig::start().await;
    rig.until("all feeds live", |s| s.all_live().then_some(()))
        .await;
    rig.fault(json!({"down_ms": 4000})).await;
    let error = rig
        .until("the blue pods feed reconnecting", |s| {
            match s.feeds.get(&Feed::Pods(Color::Blue)) {
                Some(FeedStatus::Reconnecting { error, .. }) => Some(error.clone()),
                _ => None,
            }
        })
        .await;
    assert!(
        error.contains("connection refused")
            || error.contains("connection reset")
            || error.contains("connection closed"),
        "{error}"
    );
    let screen = rig.screen();
    for raw in ["ServiceError", "HyperError", "client error", "os error"] {
        assert!(!screen.contains(raw), "{raw}:\n{screen}");
    }
}
