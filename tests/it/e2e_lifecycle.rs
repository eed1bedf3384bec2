//! End to end (LIFECYCLE): a whole release in the cockpit against `cutover demo` in tmux —
//! deploy v2.0.1 to green (prompt, confirmation, rollout on screen), smoke, the checklist's
//! manual items ticked, switch, the stepper monitoring, decommission asking for typing, and
//! the post-mortem listing all of it in order.

use std::time::Duration;

use crate::e2e::Pane;

const LONG: Duration = Duration::from_secs(90);
const SHORT: Duration = Duration::from_secs(20);

/// The stepper line (the header's third line).
fn stepper(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.trim_start().starts_with("release"))
        .unwrap_or_default()
        .to_string()
}

/// Answer the open confirmation: type the color when it asks for typing, else `y`.
fn confirm(pane: &Pane, color: &str) {
    let screen = pane.wait_for("a confirmation", SHORT, |s| {
        s.contains("to confirm") || s.contains("y confirms") || s.contains("Enter")
    });
    if screen.contains(&format!("type {color}")) {
        pane.type_line(color);
    } else {
        pane.key("y");
    }
}

#[test]
fn a_whole_release_in_the_cockpit() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(pane) = Pane::start(140, 45, tmp.path()) else {
        return;
    };
    pane.type_line(&format!("{} demo", env!("CARGO_BIN_EXE_cutover")));
    pane.wait_for("blue live and the stepper", LONG, |s| {
        s.contains(" BLUE LIVE ") && stepper(s).contains("release") && s.contains("3/3")
    });

    // p, the version, Enter: the confirmation says what it will do; green rolls to v2.0.1.
    pane.key("p");
    pane.wait_for("the version prompt", SHORT, |s| {
        s.contains("Version to deploy")
    });
    pane.type_line("v2.0.1");
    pane.wait_for("the deploy's confirmation", SHORT, |s| {
        s.contains("DEPLOY v2.0.1 to GREEN?")
    });
    confirm(&pane, "green");
    pane.wait_for("green on v2.0.1", LONG, |s| {
        s.lines()
            .any(|l| l.contains("GREEN standby · v2.0.1 · 3/3"))
            && stepper(s).contains("✔ deployed")
    });

    // s: smoke-test green.
    pane.key("s");
    confirm_if_asked(&pane, "green");
    pane.wait_for("smoke passed", LONG, |s| stepper(s).contains("✔ smoke"));

    // c: tick the six manual items.
    pane.key("c");
    pane.wait_for("the checklist", SHORT, |s| {
        s.contains("All tests passing in CI")
    });
    for _ in 0..6 {
        pane.key("Space");
        pane.key("j");
    }
    pane.key("Escape");
    // The next key waits until Esc has closed the checklist (ESC then a byte at once is how
    // a terminal spells Alt+key).
    pane.wait_for("checklist done and closed", SHORT, |s| {
        stepper(s).contains("✔ checklist") && !s.contains("space ticks")
    });

    // t: switch; the stepper then counts the monitoring window down.
    pane.key("t");
    confirm(&pane, "green");
    pane.wait_for("green live, monitoring", LONG, |s| {
        s.contains(" GREEN LIVE ")
            && s.contains("GREEN live — traffic verified")
            && stepper(s).contains("monitoring")
    });

    // d: before the window has passed, decommission asks for typing.
    pane.key("d");
    pane.wait_for("typing asked", SHORT, |s| s.contains("type blue"));
    pane.key("Escape");
    pane.wait_for("the confirmation closed", SHORT, |s| {
        !s.contains("type blue")
    });

    // M: the post-mortem, written beside the journal, lists it all in order.
    pane.key("M");
    pane.wait_for("post-mortem written", SHORT, |s| {
        s.contains("post-mortem written to")
    });
    let dir = tmp.path().join("state/cutover");
    let file = std::fs::read_dir(&dir)
        .expect("state dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("postmortem-"))
        .expect("a post-mortem file");
    let md = std::fs::read_to_string(&file).unwrap();
    let at = |what: &str| {
        md.find(what)
            .unwrap_or_else(|| panic!("no {what:?} in:\n{md}"))
    };
    assert!(
        at("| deploy | succeeded") < at("| smoke | succeeded"),
        "{md}"
    );
    assert!(
        at("| smoke | succeeded") < at("| checklist | succeeded | ticked"),
        "{md}"
    );
    assert!(
        at("| checklist | succeeded | ticked") < at("| switch | succeeded"),
        "{md}"
    );

    pane.key("q");
    pane.wait_prompt();
}

/// Answer a confirmation if one opens within a moment (smoke may start at once).
fn confirm_if_asked(pane: &Pane, color: &str) {
    std::thread::sleep(Duration::from_millis(500));
    let screen = pane.screen();
    if screen.contains(&format!("type {color}")) {
        pane.type_line(color);
    } else if screen.contains("y confirms") || screen.contains("Smoke-test") {
        pane.key("y");
    }
}
