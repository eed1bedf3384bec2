//! A viewer (`sim-viewer`, read-only RBAC): switch and rollback are disabled with the
//! missing permission, refused without an attempt, and the simulator's request log holds
//! no write from that identity (permission reviews aside).

use cutover::app::action::Request;
use cutover::keymap::Intent;

use super::rig::Cockpit;
use crate::support;
use crate::traffic::rig;

#[tokio::test]
async fn a_viewer_never_writes() {
    let sim = rig::sim("fittrack", false);
    let config = rig::config(&sim, "fittrack");
    let mut viewer = Cockpit::start(&sim, &config, "viewer", "kiosk").await;
    viewer.state.peers.announce = true;
    let want = "missing permission: patch httproutes.gateway.networking.k8s.io fittrack/fittrack";
    assert_eq!(
        viewer.state.unavailable(Intent::Switch).as_deref(),
        Some(want)
    );
    assert_eq!(
        viewer.state.unavailable(Intent::Rollback).as_deref(),
        Some(want)
    );
    for request in [
        Request::Switch {
            to: cutover::model::Color::Green,
        },
        Request::Rollback { to: None },
    ] {
        assert_eq!(viewer.act(request).await, 1);
        let refused = viewer.last_entry();
        assert_eq!(refused.error.as_deref(), Some(want));
    }
    viewer
        .until("presence skipped", |s| s.peers.hidden.is_some())
        .await;
    let log = support::requests(&sim).await;
    assert!(
        log.iter().any(|r| r["user"] == "viewer"),
        "the log names the viewer"
    );
    let writes: Vec<_> = log
        .into_iter()
        .filter(|r| {
            r["user"] == "viewer"
                && !matches!(r["method"].as_str(), Some("GET" | "HEAD"))
                && !r["path"]
                    .as_str()
                    .is_some_and(|p| p.contains("selfsubject"))
        })
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}
