//! The demo end to end in tmux, as an on-call engineer drives it: `s` smoke-tests green,
//! `c` ticks the checklist, `t` and `y` switch to it, `r` and `y` roll back to blue, and the any-mode chord (Ctrl-R
//! from inside the filter prompt) rolls back again; kubectl confirms the router after each step and
//! the local journal holds every outcome.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::e2e::{find_kubeconfig, kubectl, Pane};

/// The HTTPRoute's blue weight as kubectl reads it.
fn blue_weight(kc: &Path) -> String {
    kubectl(
        kc,
        &[
            "-n",
            "fittrack",
            "get",
            "httproute",
            "fittrack",
            "-o",
            "jsonpath={.spec.rules[0].backendRefs[0].weight}",
        ],
    )
    .unwrap_or_default()
    .trim()
    .to_string()
}

fn live_is(screen: &str, color: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains("traffic →") && l.contains(&format!(" {color} LIVE ")))
}

#[test]
fn smoke_switch_rollback_and_the_chord_in_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(pane) = Pane::start(160, 48, tmp.path()) else {
        return;
    };
    pane.type_line(&format!("{} demo", env!("CARGO_BIN_EXE_cutover")));
    pane.wait_for("the demo, blue live", Duration::from_secs(60), |s| {
        live_is(s, "BLUE") && s.matches("Running").count() >= 6
    });
    let Some(kc) = find_kubeconfig(tmp.path()) else {
        panic!("the demo's kubeconfig");
    };
    if kubectl(&kc, &["version", "--client"]).is_none() {
        eprintln!("notice: kubectl not found; skipping the demo's traffic test");
        return;
    }
    assert_eq!(blue_weight(&kc), "100");

    pane.key("s");
    pane.wait_for("green smoke-tested", Duration::from_secs(120), |s| {
        s.contains("passed")
    });
    pane.tick_the_demo_checklist();
    pane.key("t");
    pane.wait_for("the switch's confirmation", Duration::from_secs(20), |s| {
        s.contains("SWITCH traffic to GREEN?")
    });
    pane.key("y");
    pane.wait_for("green live", Duration::from_secs(30), |s| {
        live_is(s, "GREEN")
    });
    assert_eq!(blue_weight(&kc), "0", "the router sends traffic to green");

    pane.key("r");
    pane.wait_for(
        "the rollback's confirmation",
        Duration::from_secs(20),
        |s| s.contains("ROLL BACK traffic to BLUE?"),
    );
    pane.key("y");
    pane.wait_for("blue live again, verified", Duration::from_secs(30), |s| {
        live_is(s, "BLUE") && s.contains("rolled back: BLUE live")
    });
    assert_eq!(blue_weight(&kc), "100", "rolled back to blue");

    // The chord works from any screen: help is open when it is pressed.
    pane.key("?");
    pane.wait_for("help", Duration::from_secs(10), |s| {
        s.contains("cockpit mode")
    });
    pane.key("C-r");
    pane.wait_for("the chord's confirmation", Duration::from_secs(20), |s| {
        s.contains("ROLL BACK traffic to GREEN?")
    });
    pane.key("y");
    pane.wait_for(
        "the chord's rollback verified",
        Duration::from_secs(30),
        |s| live_is(s, "GREEN") && s.contains("rolled back: GREEN live"),
    );
    assert_eq!(blue_weight(&kc), "0", "the chord rolled back to green");

    pane.key("q");
    pane.wait_prompt();
    let journal = tmp.path().join("state/cutover/journal.jsonl");
    let text = std::fs::read_to_string(&journal).expect("the journal");
    let outcomes: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "outcome")
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_string(),
                e["result"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let ok = |kind: &str| {
        outcomes
            .iter()
            .filter(|(k, r)| k == kind && r == "succeeded")
            .count()
    };
    assert!(ok("smoke") >= 1, "{outcomes:?}");
    assert_eq!(ok("switch"), 1, "{outcomes:?}");
    assert_eq!(ok("rollback"), 2, "{outcomes:?}");
}
