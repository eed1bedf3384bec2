//! Outcomes in words, for the footer, the timeline, the journal and headless output.

use crate::app::action::{Phase, PhaseTime, SmokeReport, SwitchKind, SwitchPlan, Verification};
use crate::model::Color;

/// "0.41 s".
pub fn secs(ms: u64) -> String {
    format!("{:.2} s", ms as f64 / 1000.0)
}

/// "GREEN live — traffic verified at the LB in 0.41 s (patch 0.02 s)".
pub fn switched_words(
    p: &SwitchPlan,
    phases: &[PhaseTime],
    verification: &Verification,
    attempts: u32,
) -> String {
    let at = |phase| phases.iter().find(|t| t.phase == phase).map(|t| secs(t.ms));
    let patch = at(Phase::PatchAccepted).unwrap_or_else(|| "?".into());
    let retried = if attempts > 1 {
        format!(", {attempts} attempts")
    } else {
        String::new()
    };
    let head = match p.kind {
        SwitchKind::Rollback => format!("rolled back: {} live", p.to.word()),
        SwitchKind::Switch => format!("{} live", p.to.word()),
    };
    match verification {
        Verification::Verified => match (at(Phase::LbVerified), at(Phase::EndpointsReady)) {
            (Some(lb), _) => format!("{head} — traffic verified at the LB in {lb} (patch {patch}{retried})"),
            (None, Some(ep)) => format!("{head} — endpoints verified in {ep} (patch {patch}{retried}; no lb_url to verify traffic)"),
            (None, None) => format!("{head} — patch accepted in {patch}{retried}"),
        },
        Verification::TimedOut(what) => format!(
            "{head} — NOT VERIFIED: {what} (patch {patch}{retried}); check the load balancer"
        ),
        Verification::Cancelled => format!("{head} — verification cancelled (patch {patch}{retried})"),
    }
}

/// "smoke GREEN v2.0.0 passed (6/6 checks, suite exit 0, 3.20 s)".
pub fn smoke_words(color: Color, version: Option<&str>, r: &SmokeReport) -> String {
    let mut parts = vec![format!("{}/{} checks", r.checks_passed(), r.checks.len())];
    match (r.suite_exit, &r.suite_error) {
        (_, Some(e)) => parts.push(format!("suite: {e}")),
        (Some(code), None) => parts.push(format!("suite exit {code}")),
        (None, None) => {}
    }
    parts.push(secs(r.ms));
    let verdict = if r.passed { "passed" } else { "FAILED" };
    let mut text = format!(
        "smoke {} {} {verdict} ({})",
        color.word(),
        version.unwrap_or("?"),
        parts.join(", ")
    );
    if let Some(first) = r.checks.iter().find(|c| !c.ok) {
        text.push_str(&format!(": {} → {}", first.name, first.detail));
    }
    text
}
