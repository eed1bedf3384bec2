//! Where the release stands, derived afresh from the state after every message: the
//! stepper line (deploy → smoke → checklist → switch → monitor → decommission, the next
//! step with its key), the checklist and the monitoring window. Nothing here is kept
//! between messages, so a router switched with kubectl moves the stepper like a switch
//! made here.

use super::checklist::checklist;
use super::lifecycle::{ago, is_down, monitor};
use super::plan;
use crate::app::action::journal::{Entry, EntryKind, Result as R};
use crate::app::action::standing::{
    Checklist, ItemState, Mark, Monitor, Standing, StepMark, Stepper,
};
use crate::app::action::{GateState, Op};
use crate::app::state::State;
use crate::keymap::Intent;
use crate::model::Color;

/// Recompute where the release stands; a change is a change on screen.
pub fn refresh(state: &mut State) {
    let checklist = checklist(state);
    let monitor = monitor(state);
    let stepper = stepper(state, checklist.as_ref(), monitor.as_ref());
    let standing = Standing {
        stepper,
        checklist,
        monitor,
    };
    if standing != state.standing {
        state.standing = standing;
        state.mark_dirty();
    }
}

/// The stepper line's content.
pub fn stepper(state: &State, checklist: Option<&Checklist>, monitor: Option<&Monitor>) -> Stepper {
    let Some(router) = &state.router else {
        return Stepper {
            head: "release".into(),
            steps: vec![StepMark::new(Mark::Todo, "waiting for the router", None)],
        };
    };
    let (Some(m), Some(live)) = (monitor, state.live_color()) else {
        return Stepper {
            head: "release".into(),
            steps: vec![
                StepMark::new(
                    Mark::Failed,
                    format!("the router says {}", plan::target_words(&router.target)),
                    None,
                ),
                StepMark::new(
                    Mark::Now,
                    "roll back to the color you trust",
                    Some(Intent::Rollback),
                ),
            ],
        };
    };
    let standby = live.other();
    let deploying = state.actions.active().find_map(|a| match &a.op {
        Op::Deploy(p) if p.color == standby => Some(p.version.clone()),
        _ => None,
    });
    let last_deploy = last_deploy(state, standby);
    let fresh = last_deploy.is_some_and(|e| m.since.is_none_or(|t| e.at >= t));
    let live_v = state.color(live).version();
    let standby_v = state.color(standby).version();
    let standby_up = !is_down(state, standby);
    let candidate = m.since.is_none() && standby_up && standby_v != live_v;
    if deploying.is_some() || fresh || candidate {
        // A failed deploy leaves the old pods running: the release is the version it tried.
        let failed = last_deploy
            .filter(|e| fresh && e.result == Some(R::Failed))
            .and_then(|e| e.version.clone());
        let version = deploying
            .clone()
            .or(failed)
            .or(standby_v)
            .unwrap_or_else(|| "?".into());
        return before_switch(
            state,
            standby,
            version,
            deploying.is_some(),
            last_deploy,
            checklist,
        );
    }
    if m.rolled_back {
        return after_rollback(state, m, live, standby_up);
    }
    let head = format!(
        "release {} → {}",
        live_v.as_deref().unwrap_or("?"),
        live.word()
    );
    let mut steps = Vec::new();
    let switched = m.since.map(|t| format!("switched {}", ago(state.now, t)));
    match (&switched, m.passed) {
        (Some(s), false) => {
            steps.push(StepMark::new(Mark::Done, s.clone(), None));
            let left = m.left_words(state.now).unwrap_or_default();
            steps.push(StepMark::new(
                Mark::Now,
                format!("monitoring {left} left"),
                None,
            ));
            if standby_up {
                let text = format!("decommission {} after", standby.word());
                steps.push(StepMark::new(Mark::Todo, text, Some(Intent::Decommission)));
                return Stepper { head, steps };
            }
        }
        (Some(s), true) => {
            steps.push(StepMark::new(Mark::Done, s.clone(), None));
            let minutes = state.release.monitor_minutes;
            steps.push(StepMark::new(
                Mark::Done,
                format!("monitored {minutes} min"),
                None,
            ));
        }
        (None, _) => {
            let text = format!("{} live (since before cutover watched)", live.word());
            steps.push(StepMark::new(Mark::Done, text, None));
        }
    }
    if standby_up {
        let text = if standby_v == live_v {
            format!(
                "{} runs the same version: deploy the next one",
                standby.word()
            )
        } else {
            format!("decommission {}", standby.word())
        };
        let key = if standby_v == live_v {
            Intent::Deploy
        } else {
            Intent::Decommission
        };
        steps.push(StepMark::new(Mark::Now, text, Some(key)));
    } else {
        let text = format!("{} decommissioned", standby.word());
        steps.push(StepMark::new(Mark::Done, text, None));
        if m.passed || m.since.is_none() {
            let text = format!("next release: deploy to {}", standby.word());
            steps.push(StepMark::new(Mark::Now, text, Some(Intent::Deploy)));
        }
    }
    Stepper { head, steps }
}

/// After a rollback the release did not happen: the color rolled back from needs a fix
/// (or to be taken down), not a decommission of the color that serves.
fn after_rollback(state: &State, m: &Monitor, live: Color, standby_up: bool) -> Stepper {
    let from = live.other();
    let head = format!(
        "rolled back to {} {}",
        live.word(),
        state.color(live).version().as_deref().unwrap_or("?")
    );
    let mut steps = Vec::new();
    if let Some(t) = m.since {
        steps.push(StepMark::new(
            Mark::Done,
            format!("rolled back {}", ago(state.now, t)),
            None,
        ));
    }
    if let (Some(left), false) = (m.left_words(state.now), m.passed) {
        steps.push(StepMark::new(
            Mark::Now,
            format!("monitoring {left} left"),
            None,
        ));
    }
    let bad = state.color(from).version().unwrap_or_else(|| "?".into());
    steps.push(StepMark::new(
        Mark::Failed,
        format!("{} {bad} rolled back from", from.word()),
        None,
    ));
    let mark = if steps.iter().any(|s| s.mark == Mark::Now) {
        Mark::Todo
    } else {
        Mark::Now
    };
    let next = if standby_up {
        format!("deploy a fix to {}", from.word())
    } else {
        format!("{} is down: deploy a fix to it", from.word())
    };
    steps.push(StepMark::new(mark, next, Some(Intent::Deploy)));
    Stepper { head, steps }
}

/// The newest deploy outcome (done or failed) to `color`.
fn last_deploy(state: &State, color: Color) -> Option<&Entry> {
    state.actions.history.iter().rev().find(|e| {
        e.kind == EntryKind::Deploy
            && e.to.as_deref() == Some(color.name())
            && matches!(e.result, Some(R::Succeeded) | Some(R::Failed))
    })
}

/// The steps before a switch: deployed, smoke, checklist, switch, then monitor and
/// decommission; the first one not done is marked ▶ with its key.
fn before_switch(
    state: &State,
    color: Color,
    version: String,
    deploying: bool,
    last_deploy: Option<&Entry>,
    checklist: Option<&Checklist>,
) -> Stepper {
    let mut steps = Vec::new();
    let deployment = state.color(color).deployment.as_ref();
    let rolling = deployment.is_some_and(|d| d.updated < d.desired || d.ready < d.desired);
    let failed = last_deploy.is_some_and(|e| {
        e.result == Some(R::Failed) && e.version.as_deref() == Some(version.as_str())
    });
    steps.push(if deploying || rolling {
        let (ready, desired) = deployment.map_or((0, 0), |d| (d.ready.min(d.updated), d.desired));
        StepMark::new(
            Mark::Now,
            format!("deploying ({ready}/{desired} ready)"),
            None,
        )
    } else if failed {
        StepMark::new(Mark::Failed, "deploy failed", Some(Intent::Deploy))
    } else {
        StepMark::new(Mark::Done, "deployed", None)
    });
    let smoke = plan::smoke_gate(state, color);
    let smoke_failed = state.actions.smoke[color as usize]
        .as_ref()
        .is_some_and(|r| !r.passed && r.version.as_deref() == Some(version.as_str()));
    steps.push(match (smoke.state, smoke_failed) {
        (GateState::Fail, true) => StepMark::new(Mark::Failed, "smoke", Some(Intent::Smoke)),
        (GateState::Fail, false) => StepMark::new(Mark::Todo, "smoke", Some(Intent::Smoke)),
        _ => StepMark::new(Mark::Done, "smoke", None),
    });
    if let Some(cl) = checklist.filter(|c| c.color == color) {
        let text = format!("checklist {}/{}", cl.done(), cl.items.len());
        let open = cl.open_required();
        let mark = if open.is_empty() {
            Mark::Done
        } else if open.iter().any(|i| i.state == ItemState::Fail) {
            Mark::Failed
        } else {
            Mark::Todo
        };
        steps.push(StepMark::new(mark, text, Some(Intent::Checklist)));
    }
    steps.push(StepMark::new(Mark::Todo, "switch", Some(Intent::Switch)));
    steps.push(StepMark::new(Mark::Todo, "monitor", None));
    steps.push(StepMark::new(Mark::Todo, "decommission", None));
    // The first step not done is the next one; keys show only there and on failures.
    if let Some(next) = steps.iter_mut().find(|s| s.mark != Mark::Done) {
        if next.mark == Mark::Todo {
            next.mark = Mark::Now;
        }
    }
    for s in &mut steps {
        if s.mark == Mark::Todo || s.mark == Mark::Done {
            s.key = None;
        }
    }
    Stepper {
        head: format!("release {version} → {}", color.word()),
        steps,
    }
}
