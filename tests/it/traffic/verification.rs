//! Verification's loud endings: a load balancer that keeps serving the old version is a
//! `TimedOut` naming what it still serves (never a silent success), and a rollback
//! pre-empts a switch's verification in flight (`Cancelled`).

use cutover::app::action::{Outcome, Phase, Request, Step, Verification};
use cutover::model::{Color, RouterTarget};

use super::rig::{self, Rig, BLUE_VERSION};

/// A "load balancer" that answers everything from `version`, whatever the router says.
async fn stale_lb(version: &'static str) -> String {
    let app = axum::Router::new()
        .fallback(move || async move { ([("X-App-Version", version)], "stale") });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

#[tokio::test]
async fn an_lb_still_serving_the_old_version_is_a_loud_timeout() {
    let sim = rig::sim("fittrack", false);
    let mut config = rig::config(&sim, "fittrack");
    config.router.lb_url = Some(stale_lb(BLUE_VERSION).await);
    config.release.verify_timeout_secs = 1.0;
    let mut rig = Rig::start(sim, config).await;

    let run = rig.act(Request::Switch { to: Color::Green }).await;
    let Some(Outcome::Switched { verification, .. }) = &run.outcome else {
        panic!("not switched: {run:?}");
    };
    assert_eq!(
        *verification,
        Verification::TimedOut(format!("LB still serves {BLUE_VERSION} after 1 s"))
    );
    // The router did move, and the endpoints converged; only the LB phase is missing.
    let phases: Vec<Phase> = run.phases().iter().map(|p| p.phase).collect();
    assert!(phases.contains(&Phase::EndpointsReady), "{phases:?}");
    assert!(!phases.contains(&Phase::LbVerified), "{phases:?}");
    let entry = rig.journal_lines().pop().expect("journal written");
    let summary = entry["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("NOT VERIFIED: LB still serves v1.9.3"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_rollback_cancels_a_switch_still_verifying() {
    let sim = rig::sim("fittrack", false);
    let mut config = rig::config(&sim, "fittrack");
    // The switch's LB verification cannot finish on its own within the test.
    config.release.verify_lb_requests = 1_000_000;
    config.release.verify_timeout_secs = 60.0;
    let mut rig = Rig::start(sim, config).await;

    rig.request(Request::Switch { to: Color::Green });
    rig.pump_until("the switch's patch accepted and seen", |r| {
        let accepted = r
            .seen
            .steps
            .iter()
            .any(|(_, s)| matches!(s, Step::Phase(p) if p.phase == Phase::PatchAccepted));
        accepted
            && r.state.router.as_ref().map(|x| &x.target)
                == Some(&RouterTarget::Color(Color::Green))
    })
    .await;
    assert!(rig.seen.outcomes.is_empty(), "{:?}", rig.seen);
    rig.state.release.verify_lb_requests = 5;
    rig.request(Request::Rollback { to: None });
    rig.pump_until("both outcomes and exits", |r| {
        r.seen.outcomes.len() == 2 && r.seen.exits.len() == 2
    })
    .await;
    let (switch_id, switch) = &rig.seen.outcomes[0];
    let Outcome::Switched { verification, .. } = switch else {
        panic!("switch: {switch:?}");
    };
    assert_eq!(*verification, Verification::Cancelled);
    let (rollback_id, rollback) = &rig.seen.outcomes[1];
    assert_ne!(switch_id, rollback_id);
    let Outcome::Switched { verification, .. } = rollback else {
        panic!("rollback: {rollback:?}");
    };
    assert_eq!(*verification, Verification::Verified);
    assert_eq!(rig.seen.exits, vec![0, 0]);
    assert_eq!(rig.router().await.target, RouterTarget::Color(Color::Blue));
}
