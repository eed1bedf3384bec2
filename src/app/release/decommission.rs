//! Taking the old color down after the monitoring window (`d`), and scaling a
//! decommissioned color back up when a rollback needs it.

use super::lifecycle::{command_for, is_down, monitor};
use super::record::refuse;
use super::request::{busy, confirm_or_start};
use super::{deploy, exit, plan};
use crate::app::action::journal::EntryKind;
use crate::app::action::lifecycle::{DecommissionHow, DecommissionPlan, ScalePlan};
use crate::app::action::{Gate, GateState, Op, Request, RequestOptions, SwitchKind};
use crate::app::msg::Cmd;
use crate::app::state::State;
use crate::model::Color;

/// A decommission request from `d` or `cutover decommission`.
pub fn decommission(state: &mut State, color: Option<Color>, options: RequestOptions) -> Vec<Cmd> {
    let kind = EntryKind::Decommission;
    if state.session.read_only {
        let why = "read-only session: workload actions are refused";
        return refuse(state, kind, color, &[], &options, why, exit::ERROR);
    }
    let Some(live) = state.live_color() else {
        let why = format!(
            "the router says {}: either color may serve, so neither is taken down",
            state
                .router
                .as_ref()
                .map(|r| plan::target_words(&r.target))
                .unwrap_or_else(|| "nothing yet".into())
        );
        return refuse(state, kind, color, &[], &options, &why, exit::GATE);
    };
    let target = color.unwrap_or(live.other());
    if target == live {
        let why = format!(
            "{} is LIVE: taking it down would take traffic down",
            target.word()
        );
        return refuse(state, kind, Some(target), &[], &options, &why, exit::GATE);
    }
    if is_down(state, target) {
        let why = format!("{} is already down (0 replicas)", target.word());
        return refuse(state, kind, Some(target), &[], &options, &why, exit::GATE);
    }
    if let Some(why) = busy(state, None) {
        return refuse(state, kind, Some(target), &[], &options, &why, exit::ERROR);
    }
    let cs = state.color(target);
    let lc = &state.lifecycle_config.decommission;
    let how = if !lc.command.is_empty() {
        DecommissionHow::Command(command_for(
            &lc.command,
            &lc.env,
            &lc.workdir,
            lc.timeout_secs,
            &[("color", target.name()), ("namespace", &cs.namespace)],
        ))
    } else if let Some(d) = &cs.deployment {
        DecommissionHow::Scale {
            deployment: d.name.clone(),
        }
    } else {
        let why = format!(
            "{} has no Deployment configured to scale and there is no [decommission] command",
            target.word()
        );
        return refuse(state, kind, Some(target), &[], &options, &why, exit::ERROR);
    };
    let plan = DecommissionPlan {
        color: target,
        namespace: cs.namespace.clone(),
        how,
        replicas_before: cs.deployment.as_ref().map_or(0, |d| d.desired),
        lease: super::lease::claim(state),
    };
    let (window, early) = window_gate(state);
    let mut gates = vec![window, plan::ready_gate(state, live)];
    let (mut expect, mut warning) = match early {
        Some(why) => (Some(target.name().to_string()), Some(why)),
        None => (None, None),
    };
    let mut options = RequestOptions {
        yes: options.yes && expect.is_none(),
        ..options
    };
    // Taking a color down is driving: refused or taken over while someone else drives.
    if let Err(why) = super::lease::require(
        state,
        "decommission",
        &mut gates,
        &mut expect,
        &mut warning,
        &mut options,
    ) {
        return refuse(
            state,
            kind,
            Some(target),
            &gates,
            &options,
            &why,
            exit::ERROR,
        );
    }
    let request = Request::Decommission {
        color: Some(target),
    };
    confirm_or_start(
        state,
        request,
        Op::Decommission(plan),
        gates,
        expect,
        warning,
        options,
    )
}

/// The monitoring window as a gate, and why typing is needed when it has not passed.
fn window_gate(state: &State) -> (Gate, Option<String>) {
    let Some(m) = monitor(state) else {
        let gate = Gate::new("window", false, "no single live color".into(), None);
        return (gate, Some("the router names no single color".into()));
    };
    let old = m.live.other().word();
    match (m.since, m.passed) {
        (Some(since), true) => (
            Gate::new(
                "window",
                true,
                format!(
                    "{} live since {} {}: the monitoring window has passed",
                    m.live.word(),
                    state.zone.hms(since),
                    state.zone.label
                ),
                None,
            ),
            None,
        ),
        (Some(_), false) => {
            let left = m.left_words(state.now).unwrap_or_default();
            (
                Gate {
                    name: "window",
                    state: GateState::Warn,
                    detail: format!("{left} left in the monitoring window"),
                    fix: None,
                },
                Some(format!(
                    "the monitoring window has {left} left: {old} is kept warm for a rollback"
                )),
            )
        }
        (None, _) => (
            Gate {
                name: "window",
                state: GateState::Warn,
                detail: format!(
                    "when traffic moved to {} is not known (before anyone watched)",
                    m.live.word()
                ),
                fix: None,
            },
            Some(format!(
                "cutover cannot tell that the monitoring window has passed: {old} may be \
                 needed for a rollback"
            )),
        ),
    }
}

/// What a decommission's confirmation shows.
pub fn situation(state: &State, p: &DecommissionPlan) -> Vec<String> {
    let mut out = match &p.how {
        DecommissionHow::Scale { deployment } => vec![format!(
            "scale {} Deployment {deployment} ({}) from {} to 0 replicas",
            p.color.word(),
            p.namespace,
            p.replicas_before
        )],
        DecommissionHow::Command(spec) => vec![format!(
            "run (no shell): {} — takes {} ({}) down",
            spec.words(),
            p.color.word(),
            p.namespace
        )],
    };
    let live = p.color.other();
    let (ready, desired) = plan::ready_pods(state, live);
    out.push(format!(
        "  {} keeps serving ({ready}/{desired} ready)",
        live.word()
    ));
    out.push(format!(
        "  a rollback to {} afterwards must scale it up first",
        p.color.word()
    ));
    out
}

/// A rollback to a color that is down: offer to scale it back up first and roll back once
/// it is ready (None: it has no Deployment to scale; the outage path decides).
pub fn offer_scale_up(state: &mut State, to: Color, options: RequestOptions) -> Option<Vec<Cmd>> {
    let deployment = state.color(to).deployment.as_ref()?.name.clone();
    let kind = EntryKind::Rollback;
    let replicas = deploy::restore_replicas(state, to);
    if options.headless {
        let why = format!(
            "rollback to {0} = outage: {0} is decommissioned (0 replicas) — scale it up first \
             (kubectl scale deployment/{deployment} -n {1} --replicas={replicas}) or roll back \
             from the cockpit, which offers to",
            to.word(),
            state.color(to).namespace
        );
        return Some(refuse(
            state,
            kind,
            Some(to),
            &[],
            &options,
            &why,
            exit::GATE,
        ));
    }
    let id = super::request::new_switch_id(state);
    let rollback = plan::switch_plan(state, SwitchKind::Rollback, to, id);
    let timeout_secs = state
        .lifecycle_config
        .deploy
        .as_ref()
        .map_or(900.0, |d| d.rollout_timeout_secs);
    let plan = ScalePlan {
        color: to,
        namespace: state.color(to).namespace.clone(),
        deployment,
        replicas,
        timeout_secs,
        then: Some(Box::new(rollback)),
    };
    let warning = Some(format!(
        "{} is decommissioned: rolling back now would be an outage",
        to.word()
    ));
    let options = RequestOptions {
        yes: false,
        ..options
    };
    let gates = vec![plan::rollback_ready(state, to)];
    Some(confirm_or_start(
        state,
        Request::Rollback { to: Some(to) },
        Op::ScaleUp(plan),
        gates,
        None,
        warning,
        options,
    ))
}

/// What a scale-up's confirmation shows.
pub fn scale_situation(p: &ScalePlan) -> Vec<String> {
    let mut out = vec![format!(
        "scale {} Deployment {} ({}) from 0 to {} replicas",
        p.color.word(),
        p.deployment,
        p.namespace,
        p.replicas
    )];
    out.push(format!(
        "  wait until {} are ready (up to {} s)",
        p.replicas, p.timeout_secs
    ));
    if let Some(then) = &p.then {
        out.push(format!(
            "  then roll back {} → {} (compare-and-swap on the router as it is now)",
            plan::target_words(&then.from),
            then.to.word()
        ));
    }
    out
}
