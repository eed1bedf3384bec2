//! The stepper line in every stage of a release, derived from the state alone: deploying,
//! deployed, smoked, checklist, ready to switch, switched (by cutover or by someone else
//! with kubectl), monitoring with its countdown, the window passed, decommissioned, and a
//! router that names no single color.

use chrono::Duration;

use super::lifecycle::{ask_deploy, deployed, green_down, with_checklist};
use super::{ch, exit_after_record, fresh, press, router, smoke_entry, starts};
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::state::State;
use crate::app::update::update;
use crate::model::{Color, RouterTarget};

fn line(s: &State) -> String {
    s.standing.stepper.line(&s.keymap)
}

/// GREEN's Deployment and pods now run `version` (as the watches report after a rollout).
fn green_runs(s: &mut State, version: &str) {
    let mut d = s
        .color(Color::Green)
        .deployment
        .clone()
        .expect("green Deployment");
    d.version = version.into();
    d.image = format!("fittrack/api:{version}");
    let mut pods = s.color(Color::Green).pods.clone();
    for p in &mut pods {
        for c in &mut p.containers {
            c.image = format!("fittrack/api:{version}");
        }
    }
    update(
        s,
        Msg::Deployment {
            color: Color::Green,
            deployment: Some(d),
        },
    );
    update(
        s,
        Msg::Pods {
            color: Color::Green,
            pods,
        },
    );
}

#[test]
fn the_stepper_follows_a_release_from_deploy_to_switch() {
    let mut s = with_checklist();
    ask_deploy(&mut s, "v2.0.1");
    let (id, _) = starts(&press(&mut s, [ch('y')]))[0].clone();
    assert!(
        line(&s).starts_with("release v2.0.1 → GREEN: ▶ deploying"),
        "{}",
        line(&s)
    );
    let done = deployed(&mut s, id, true);
    exit_after_record(&mut s, &done);
    green_runs(&mut s, "v2.0.1");
    assert_eq!(
        line(&s),
        "release v2.0.1 → GREEN: ✔ deployed · ▶ smoke (s) · ✖ checklist 1/3 (c) · switch · \
         monitor · decommission"
    );
    let mut smoked = smoke_entry(Color::Green, "v2.0.1", true);
    smoked.at = sample::now() + Duration::seconds(1);
    update(&mut s, Msg::Tick(smoked.at));
    update(&mut s, Msg::History(vec![smoked]));
    assert!(
        line(&s).contains("✔ deployed · ✔ smoke · ▶ checklist 2/3 (c)"),
        "{}",
        line(&s)
    );
    press(&mut s, [ch('c'), ch(' ')]);
    assert!(
        line(&s).contains("✔ smoke · ✔ checklist 3/3 · ▶ switch (t) · monitor"),
        "{}",
        line(&s)
    );
}

#[test]
fn a_failed_deploy_is_marked_and_offers_the_deploy_key_again() {
    let mut s = with_checklist();
    ask_deploy(&mut s, "v2.0.1");
    let (id, _) = starts(&press(&mut s, [ch('y')]))[0].clone();
    let done = deployed(&mut s, id, false);
    exit_after_record(&mut s, &done);
    assert!(line(&s).contains("✖ deploy failed (p)"), "{}", line(&s));
}

#[test]
fn after_a_switch_the_stepper_counts_the_window_down_then_offers_decommission() {
    let mut s = fresh();
    assert_eq!(
        line(&s),
        "release v1.9.3 → BLUE: ✔ switched 3m ago · ▶ monitoring 11:48 left · \
         decommission GREEN after (d)"
    );
    update(&mut s, Msg::Tick(sample::now() + Duration::seconds(60)));
    assert!(line(&s).contains("monitoring 10:48 left"), "{}", line(&s));
    update(&mut s, Msg::Tick(sample::now() + Duration::minutes(15)));
    assert_eq!(
        line(&s),
        "release v1.9.3 → BLUE: ✔ switched 18m ago · ✔ monitored 15 min · ▶ decommission GREEN (d)"
    );
    green_down(&mut s);
    assert_eq!(
        line(&s),
        "release v1.9.3 → BLUE: ✔ switched 18m ago · ✔ monitored 15 min · ✔ GREEN \
         decommissioned · ▶ next release: deploy to GREEN (p)"
    );
}

#[test]
fn a_router_switched_by_someone_else_moves_the_stepper() {
    let mut s = fresh();
    update(&mut s, router(RouterTarget::Color(Color::Green)));
    assert_eq!(
        line(&s),
        "release v2.0.0 → GREEN: ✔ switched 0s ago · ▶ monitoring 15:00 left · \
         decommission BLUE after (d)"
    );
    update(
        &mut s,
        router(RouterTarget::Split {
            blue: 90,
            green: 10,
        }),
    );
    assert!(
        line(&s).starts_with("release: ✖ the router says SPLIT"),
        "{}",
        line(&s)
    );
    assert!(line(&s).ends_with("▶ roll back to the color you trust (r)"));
}

/// After a rollback the release did not happen: the stepper says what was rolled back from
/// and offers a fix, not the decommission of the color rolled back from as if it were old.
#[test]
fn after_a_rollback_the_stepper_says_what_failed_and_offers_a_fix() {
    let mut s = fresh();
    let mut back = super::smoke_entry(Color::Blue, "v1.9.3", true);
    back.id = "rollback-1".into();
    back.kind = crate::app::action::journal::EntryKind::Rollback;
    back.from = Some("green".into());
    back.at = sample::now();
    update(&mut s, Msg::History(vec![back]));
    let text = line(&s);
    assert!(text.starts_with("rolled back to BLUE v1.9.3: "), "{text}");
    assert!(text.contains("✖ GREEN v2.0.0 rolled back from"), "{text}");
    assert!(text.contains("deploy a fix to GREEN (p)"), "{text}");
    assert!(!text.contains("decommission"), "{text}");
    let m = s.standing.monitor.as_ref().expect("a monitoring window");
    assert!(m.rolled_back);
}
