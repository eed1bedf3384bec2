//! The demo end to end (NEEDS-SWITCH and NEEDS-SMOKE: the switch and smoke executors must
//! have landed): deploy v2.0.1-bad to green with kubectl, smoke, switch, watch the
//! sparkline climb and the automatic rollback fire; the router is back on blue (kubectl)
//! and the screen says why.

use std::time::Duration;

use crate::e2e::{find_kubeconfig, kubectl, Pane};

#[test]
fn the_demo_rolls_a_bad_version_back_on_its_own_and_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(pane) = Pane::start(160, 48, tmp.path()) else {
        return;
    };
    pane.type_line(&format!("{} demo", env!("CARGO_BIN_EXE_cutover")));
    pane.wait_for("the demo, blue live", Duration::from_secs(60), |s| {
        s.contains("auto-rollback armed (this cockpit)") && s.matches("Running").count() >= 6
    });
    let Some(kc) = find_kubeconfig(tmp.path()) else {
        panic!("the demo's kubeconfig");
    };
    let set = kubectl(
        &kc,
        &[
            "-n",
            "fittrack-green",
            "set",
            "image",
            "deployment/fittrack",
            "api=fittrack/api:v2.0.1-bad",
        ],
    );
    let Some(_) = set else {
        eprintln!("notice: kubectl not found; skipping the demo's rollback test");
        return;
    };
    pane.wait_for("green runs v2.0.1-bad", Duration::from_secs(90), |s| {
        s.contains("v2.0.1-bad · 3/3 ready")
    });
    // Smoke green (Tab focuses blue then green; s tests the standby anyway), then switch.
    pane.key("s");
    pane.wait_for("green smoke-tested", Duration::from_secs(120), |s| {
        s.contains("passed")
    });
    pane.tick_the_demo_checklist();
    pane.key("t");
    pane.wait_for(
        "the switch's confirmation with its detection delay",
        Duration::from_secs(20),
        |s| s.contains("detection delay"),
    );
    pane.key("y");
    pane.wait_for("green live", Duration::from_secs(30), |s| {
        s.lines()
            .any(|l| l.contains("traffic →") && l.contains(" GREEN LIVE "))
    });
    // The demo's bad version fails after serving 20 s; 3 breaching 5 s samples later it is
    // rolled back.
    let screen = pane.wait_for("the automatic rollback", Duration::from_secs(150), |s| {
        s.contains("AUTO-ROLLBACK GREEN → BLUE")
            && s.lines()
                .any(|l| l.contains("traffic →") && l.contains(" BLUE LIVE "))
    });
    assert!(screen.contains("5xx"), "{screen}");
    assert!(
        screen.contains("consecutive samples"),
        "the screen says why:\n{screen}"
    );
    let route = kubectl(
        &kc,
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
    .unwrap_or_default();
    assert_eq!(route.trim(), "100", "blue's weight after the rollback");
    pane.key("q");
}
