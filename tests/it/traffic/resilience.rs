//! The write when the API misbehaves: an answer lost after the write landed is recognised
//! as our own write (not a conflict), and a rollback on a slow API completes, says what it
//! waits for, and reports its time.

use cutover::app::action::{Outcome, Phase, Request, Step, Verification};
use cutover::model::{Color, RouterTarget};
use serde_json::json;

use super::lossy::Lossy;
use super::rig::{self, Rig, GREEN_VERSION};

fn waited(steps: &[Step], text: &str) -> bool {
    steps
        .iter()
        .any(|s| matches!(s, Step::Waiting(w) if w.contains(text)))
}

#[tokio::test]
async fn a_lost_answer_to_a_landed_patch_is_our_own_write() {
    let sim = rig::sim("fittrack", true);
    let config = rig::config(&sim, "fittrack");
    let proxy = Lossy::start(&sim.api_url, "/httproutes/fittrack", 1).await;
    let mut rig = Rig::start_via(sim, proxy.client(), config).await;

    let run = rig.act(Request::Switch { to: Color::Green }).await;
    assert_eq!(run.code, 0, "{run:?}");
    match &run.outcome {
        Some(Outcome::Switched {
            attempts,
            verification,
            ..
        }) => {
            // The first attempt landed unheard; the retry's `test` failed; the re-read
            // found our switch id.
            assert_eq!(*attempts, 2, "{run:?}");
            assert_eq!(*verification, Verification::Verified);
        }
        other => panic!("not switched: {other:?}"),
    }
    assert_eq!(proxy.patches(), 2);
    assert!(
        waited(
            &run.steps,
            "retrying the router patch (attempt 2, last error:"
        ),
        "{:?}",
        run.steps
    );
    let now = rig.router().await;
    assert_eq!(now.target, RouterTarget::Color(Color::Green));
    let entry = rig.journal_lines().pop().expect("journal written");
    assert_eq!(now.stamp.expect("stamped").id, entry["id"]);
    assert_eq!(entry["result"], "succeeded");
    assert_eq!(rig.lb_version().await.as_deref(), Some(GREEN_VERSION));
}

#[tokio::test]
async fn rollback_on_a_slow_api_completes_and_reports_its_time() {
    let sim = rig::sim("fittrack", false);
    let config = rig::config(&sim, "fittrack");
    let mut rig = Rig::start(sim, config).await;
    crate::support::fault(&rig.sim, json!({"latency_ms": 2000})).await;

    let run = rig.act(Request::Rollback { to: None }).await;
    assert_eq!(run.code, 0, "{run:?}");
    // Every API request takes 2 s, so the patch cannot have been accepted sooner.
    let patch = run.at(Phase::PatchAccepted);
    assert!(patch >= 2000, "{:?}", run.phases());
    assert!(patch <= run.at(Phase::EndpointsReady));
    assert!(patch <= run.at(Phase::LbVerified));
    assert!(
        waited(&run.steps, "API slow: no answer to the router patch"),
        "{:?}",
        run.steps
    );
    // The time is on record.
    let entry = rig.journal_lines().pop().expect("journal written");
    let phases = entry["phases"].as_array().cloned().unwrap_or_default();
    assert!(
        phases
            .iter()
            .any(|p| p["phase"] == "patch-accepted" && p["ms"].as_u64() == Some(patch)),
        "{entry}"
    );
    assert!(
        entry["summary"]
            .as_str()
            .is_some_and(|s| s.contains("rolled back: GREEN live")),
        "{entry}"
    );
    crate::support::fault(&rig.sim, json!({"latency_ms": 0})).await;
    assert_eq!(rig.router().await.target, RouterTarget::Color(Color::Green));
}
