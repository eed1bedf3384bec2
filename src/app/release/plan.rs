//! Preconditions as pure functions of the state: the gates a switch must pass, and the
//! plans `update` hands the bus. Keys (after their confirmation) and headless commands
//! both come through here.

use chrono::{DateTime, Utc};

use crate::app::action::{Gate, GateState, Op, SmokePlan, SwitchKind, SwitchPlan};
use crate::app::state::State;
use crate::model::{Color, RouterTarget};

fn gate(name: &'static str, ok: bool, detail: String, fix: Option<String>) -> Gate {
    Gate::new(name, ok, detail, fix)
}

/// The router target in words ("BLUE", "SPLIT 90/10", "UNKNOWN", "MISSING").
pub fn target_words(target: &RouterTarget) -> String {
    match target {
        RouterTarget::Color(c) => c.word().to_string(),
        RouterTarget::Split { blue, green } => format!("SPLIT blue {blue} % / green {green} %"),
        RouterTarget::Unknown(v) => format!("UNKNOWN ({v})"),
        RouterTarget::Missing => "MISSING".to_string(),
    }
}

/// Ready (and not terminating) pods of a color, and how many it should have.
pub fn ready_pods(state: &State, c: Color) -> (u32, u32) {
    let cs = state.color(c);
    let ready = cs
        .pods
        .iter()
        .filter(|p| p.is_ready() && !p.terminating)
        .count() as u32;
    let desired = cs
        .deployment
        .as_ref()
        .map(|d| d.desired)
        .unwrap_or(cs.pods.len() as u32);
    (ready, desired)
}

/// The router gate: it must say one color (not SPLIT, UNKNOWN or MISSING), and not `to`.
pub fn router_gate(state: &State, to: Color) -> Gate {
    match state.router.as_ref().map(|r| &r.target) {
        None => gate(
            "router",
            false,
            "the router has not been read yet".into(),
            Some("wait for the router feed".into()),
        ),
        Some(RouterTarget::Color(c)) if *c == to => gate(
            "router",
            false,
            format!("{} is already live", to.word()),
            None,
        ),
        Some(RouterTarget::Color(c)) => gate(
            "router",
            true,
            format!("{} → {}", c.word(), to.word()),
            None,
        ),
        Some(other) => gate(
            "router",
            false,
            format!("the router says {}", target_words(other)),
            Some(format!(
                "fix the router by hand or roll back to the color you trust ({})",
                state.session.context_name
            )),
        ),
    }
}

/// The readiness gate: the target has at least `min_ready_ratio` of the Ready pods the live
/// color serves with now (and at least one).
pub fn ready_gate(state: &State, to: Color) -> Gate {
    let (ready, desired) = ready_pods(state, to);
    let live = state.live_color().filter(|c| *c != to);
    let serving = live.map(|c| ready_pods(state, c).0).unwrap_or(0);
    let needed = ((serving as f64) * state.release.min_ready_ratio).ceil() as u32;
    let needed = needed.max(1);
    let detail = match live {
        Some(l) => format!(
            "{} {ready}/{desired} ready ({} serves with {serving})",
            to.word(),
            l.word()
        ),
        None => format!("{} {ready}/{desired} ready", to.word()),
    };
    gate(
        "ready",
        ready >= needed,
        detail,
        Some(format!("wait until {} has {needed} ready pods", to.word())),
    )
}

/// The smoke gate: a passed smoke test of the target's current version.
pub fn smoke_gate(state: &State, to: Color) -> Gate {
    let version = state.color(to).version();
    let result = state.actions.smoke[to as usize].as_ref();
    let v = version.as_deref().unwrap_or("?");
    let fix = Some(format!("press s to smoke-test {} {v}", to.word()));
    match result {
        None => gate(
            "smoke",
            false,
            format!("{} {v} not smoke-tested", to.word()),
            fix,
        ),
        Some(r) if r.version != version => gate(
            "smoke",
            false,
            format!(
                "last smoke test was of {} (now {v})",
                r.version.as_deref().unwrap_or("?")
            ),
            fix,
        ),
        Some(r) if !r.passed => gate(
            "smoke",
            false,
            format!("smoke of {v} failed ({} by {})", r.summary, r.by),
            fix,
        ),
        Some(r) => gate(
            "smoke",
            true,
            format!("{v} passed ({}, by {})", r.summary, r.by),
            None,
        ),
    }
}

/// Every gate of a switch to `to`.
pub fn switch_gates(state: &State, to: Color) -> Vec<Gate> {
    let mut gates = vec![router_gate(state, to), ready_gate(state, to)];
    if state.release.require_smoke {
        gates.push(smoke_gate(state, to));
    }
    gates.extend(super::checklist::gate(state, to));
    gates
}

/// A rollback's readiness check: a target with no ready pod is an outage (it fails, and
/// only a typed override goes on); fewer than the live color's is worth a warning.
pub fn rollback_ready(state: &State, to: Color) -> Gate {
    let (ready, desired) = ready_pods(state, to);
    if ready == 0 {
        return Gate {
            name: "ready",
            state: GateState::Fail,
            detail: format!(
                "rollback to {} = outage: {ready}/{desired} ready",
                to.word()
            ),
            fix: Some(format!("type {} to roll back anyway", to.name())),
        };
    }
    let mut gate = ready_gate(state, to);
    if gate.state == GateState::Fail {
        gate.state = GateState::Warn;
        gate.fix = None;
    }
    gate
}

/// A switch id: unique per attempt, readable, and the same in the router's annotation,
/// the journal and the Event. Built from the time, the user and a per-run counter (no
/// randomness: `update` is pure).
pub fn switch_id(at: DateTime<Utc>, who: &str, n: u64) -> String {
    let user: String = who
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    format!("{}-{user}-{n}", at.format("%Y%m%dT%H%M%S%.3fZ"))
}

/// The plan of a switch or rollback to `to`, with the router values the user sees now.
pub fn switch_plan(state: &State, kind: SwitchKind, to: Color, id: String) -> SwitchPlan {
    let router = state.router.as_ref();
    SwitchPlan {
        kind,
        from: router
            .map(|r| r.target.clone())
            .unwrap_or(RouterTarget::Missing),
        to,
        expected: router.map(|r| r.values.clone()).unwrap_or_default(),
        switch_id: id,
        by: state.who(),
        at: state.now,
        target_version: state.color(to).version(),
        lb_requests: if state.lb_configured {
            state.release.verify_lb_requests.max(1)
        } else {
            0
        },
        verify_timeout_secs: state.release.verify_timeout_secs,
        lease: None,
    }
}

/// The plan of a smoke test of `color`.
pub fn smoke_plan(state: &State, color: Color) -> SmokePlan {
    SmokePlan {
        color,
        version: state.color(color).version(),
        checks: state.smoke_config.checks.clone(),
        suite: !state.smoke_config.command.is_empty() && !state.session.read_only,
    }
}

/// The situation a confirmation shows: the router from → to, each color's version and
/// ready pods, and how the switch will be verified.
pub fn situation(state: &State, op: &Op) -> Vec<String> {
    let p = match op {
        Op::Switch(p) => p,
        Op::Deploy(p) => return super::deploy::situation(state, p),
        Op::Decommission(p) => return super::decommission::situation(state, p),
        Op::ScaleUp(p) => return super::decommission::scale_situation(p),
        Op::Smoke(_) | Op::Checklist(_) => return Vec::new(),
    };
    let mut out = vec![format!(
        "{} {}: {} → {}",
        state.router_label,
        p.kind.word(),
        target_words(&p.from),
        p.to.word()
    )];
    for c in Color::BOTH {
        let (ready, desired) = ready_pods(state, c);
        let version = state.color(c).version().unwrap_or_else(|| "?".into());
        let role = if c == p.to { "target" } else { "now" };
        out.push(format!(
            "  {:<5} {version:<12} {ready}/{desired} ready  ({role})",
            c.word()
        ));
    }
    if p.lb_requests > 0 {
        out.push(format!(
            "  verify: {} fresh LB answers from {}",
            p.lb_requests,
            p.target_version.as_deref().unwrap_or("?")
        ));
    }
    if p.kind == SwitchKind::Switch {
        let items = super::checklist::required_lines(state, p.to);
        if !items.is_empty() {
            out.push("  required checklist items:".into());
            out.extend(items);
        }
        out.extend(state.signals.detection_line());
    }
    out
}
