//! Per router kind: a switch and a rollback through `update` and the bus move the router
//! (stamped with the switch's annotations) and the load balancer's answers, verified.

use cutover::app::action::{Outcome, Phase, Request, Step, Verification};
use cutover::model::{Color, RouterTarget};

use super::rig::{self, Rig, Run, BLUE_VERSION, GREEN_VERSION};

/// A verified switch: exit 0, one attempt, every phase in order, the router on `to`
/// carrying this switch's id, and the LB answering `version` right now.
async fn assert_switched(rig: &mut Rig, run: &Run, to: Color, version: &str) {
    assert_eq!(run.code, 0, "{run:?}");
    match &run.outcome {
        Some(Outcome::Switched {
            verification,
            attempts,
            ..
        }) => {
            assert_eq!(*verification, Verification::Verified, "{run:?}");
            assert_eq!(*attempts, 1);
        }
        other => panic!("not switched: {other:?}"),
    }
    let patch = run.at(Phase::PatchAccepted);
    assert!(patch <= run.at(Phase::EndpointsReady), "{:?}", run.phases());
    assert!(patch <= run.at(Phase::LbVerified), "{:?}", run.phases());
    // Progress told the phases as they happened, the patch first.
    let told: Vec<Phase> = run
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Phase(p) => Some(p.phase),
            _ => None,
        })
        .collect();
    assert_eq!(told.first(), Some(&Phase::PatchAccepted), "{told:?}");
    assert_eq!(told.len(), 3, "{told:?}");

    let now = rig.router().await;
    assert_eq!(now.target, RouterTarget::Color(to));
    let stamp = now.stamp.expect("switch annotations on the router");
    assert_eq!(stamp.by, "tester");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&stamp.at).is_ok(),
        "{stamp:?}"
    );
    // The same id is in the journal's outcome entry.
    let outcome = rig.journal_lines().pop().expect("journal written");
    assert_eq!(outcome["id"], stamp.id);
    assert_eq!(outcome["result"], "succeeded");
    // Verified means the LB serves the target now, not eventually.
    assert_eq!(rig.lb_version().await.as_deref(), Some(version));
    rig.until_router(RouterTarget::Color(to)).await;
}

#[tokio::test]
async fn httproute_switch_and_rollback() {
    let sim = rig::sim("fittrack", false);
    let config = rig::config(&sim, "fittrack");
    let mut rig = Rig::start(sim, config).await;
    assert_eq!(rig.router().await.target, RouterTarget::Color(Color::Blue));

    let run = rig.act(Request::Switch { to: Color::Green }).await;
    assert_switched(&mut rig, &run, Color::Green, GREEN_VERSION).await;
    let obj = rig.router_object().await;
    let refs = &obj["spec"]["rules"][0]["backendRefs"];
    assert_eq!(
        (&refs[0]["weight"], &refs[1]["weight"]),
        (&0.into(), &100.into())
    );
    assert_eq!(refs[1]["name"], "fittrack-green");

    let run = rig.act(Request::Rollback { to: None }).await;
    assert_switched(&mut rig, &run, Color::Blue, BLUE_VERSION).await;
    let obj = rig.router_object().await;
    let refs = &obj["spec"]["rules"][0]["backendRefs"];
    assert_eq!(
        (&refs[0]["weight"], &refs[1]["weight"]),
        (&100.into(), &0.into())
    );
}

#[tokio::test]
async fn service_selector_switch_and_rollback() {
    let sim = rig::sim("fittrack-single-ns", false);
    let config = rig::config(&sim, "fittrack-single-ns");
    let mut rig = Rig::start(sim, config).await;
    assert_eq!(rig.router().await.target, RouterTarget::Color(Color::Blue));

    let run = rig.act(Request::Switch { to: Color::Green }).await;
    assert_switched(&mut rig, &run, Color::Green, GREEN_VERSION).await;
    let obj = rig.router_object().await;
    assert_eq!(obj["spec"]["selector"]["deployment"], "green");
    assert_eq!(obj["spec"]["selector"]["app"], "fittrack");

    let run = rig.act(Request::Rollback { to: None }).await;
    assert_switched(&mut rig, &run, Color::Blue, BLUE_VERSION).await;
    let obj = rig.router_object().await;
    assert_eq!(obj["spec"]["selector"]["deployment"], "blue");
}

#[tokio::test]
async fn ingress_backend_rollback_from_unknown_then_switch() {
    let sim = rig::sim("fittrack-single-ns", false);
    let config = rig::ingress_config(&sim);
    let mut rig = Rig::start(sim, config).await;
    // The scenario's Ingress sends to the `fittrack-lb` Service: no color of cutover's.
    assert_eq!(
        rig.router().await.target,
        RouterTarget::Unknown("fittrack-lb".into())
    );

    let run = rig
        .act(Request::Rollback {
            to: Some(Color::Green),
        })
        .await;
    assert_switched(&mut rig, &run, Color::Green, GREEN_VERSION).await;
    let obj = rig.router_object().await;
    let path = &obj["spec"]["rules"][0]["http"]["paths"][0];
    assert_eq!(path["backend"]["service"]["name"], "fittrack-green");
    assert_eq!(path["backend"]["service"]["port"]["number"], 8000);

    let run = rig.act(Request::Switch { to: Color::Blue }).await;
    assert_switched(&mut rig, &run, Color::Blue, BLUE_VERSION).await;
}
