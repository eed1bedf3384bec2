//! Running actions: start (attempt recorded, pre-emption), progress, outcome, the journal's
//! answer, the shared history, and ending the program gracefully.

use super::exit;
use super::plan;
use super::record::{entry_kind, new_entry};
use super::request::retry_pending;
use super::words::{secs, smoke_words, switched_words};
use crate::app::action::journal::{Entry, EntryKind, Recorded, Result as R, Stage};
use crate::app::action::tracker::{RunningAction, SwitchSummary};
use crate::app::action::{
    ActionClass, ActionId, Gate, Op, Outcome, Phase, PhaseTime, RequestOptions, Step, Verification,
};
use crate::app::msg::{Cmd, Face, Signal};
use crate::app::state::{Modal, State};

/// Start an action: write its attempt to the journal, pre-empt what a rollback pre-empts,
/// and hand it to the bus.
pub(super) fn start(
    state: &mut State,
    op: Op,
    gates: Vec<Gate>,
    options: RequestOptions,
) -> Vec<Cmd> {
    let (kind, class, name) = describe(&op);
    let to = op.color();
    let mut cmds = Vec::new();
    if kind == EntryKind::Rollback {
        // Checks and verifications give way; workload changes run to their end.
        for a in state.actions.running.values_mut() {
            let preemptible = matches!(a.op, Op::Smoke(_) | Op::Switch(_) | Op::Checklist(_));
            if preemptible && a.cancellable() && !a.cancelling {
                a.cancelling = true;
                cmds.push(Cmd::Cancel(a.id));
            }
        }
    }
    let mut attempt = new_entry(state, kind, Some(to), &gates, &options, Stage::Attempt);
    match &op {
        Op::Switch(p) => {
            attempt.id = p.switch_id.clone();
            state.peers.mark_own(&p.switch_id);
        }
        // The version the action concerns: the one deployed, not the one replaced.
        Op::Deploy(p) => attempt.version = Some(p.version.clone()),
        Op::Checklist(p) => attempt.version = p.version.clone(),
        _ => {}
    }
    attempt.summary = format!("{name} started");
    let id = state.actions.next_id();
    if options.headless {
        // The outcome entry takes the attempt's id; its recording ends the command.
        state.actions.exits.insert(attempt.id.clone(), exit::ERROR);
    }
    state.actions.running.insert(
        id,
        RunningAction {
            id,
            name,
            class,
            op: op.clone(),
            started: state.now,
            phases: Vec::new(),
            waiting: None,
            output: Vec::new(),
            cancelling: false,
            attempt: attempt.clone(),
            finished: false,
        },
    );
    state.mark_dirty();
    cmds.push(super::record::journal(state, attempt));
    cmds.push(Cmd::Start { id, op });
    cmds
}

/// An op's journal kind, class and name ("deploy v2.0.1 to GREEN").
fn describe(op: &Op) -> (EntryKind, ActionClass, String) {
    match op {
        Op::Switch(p) => (
            entry_kind(p.kind),
            ActionClass::Traffic,
            format!("{} to {}", p.kind.word(), p.to.word()),
        ),
        Op::Smoke(p) => (
            EntryKind::Smoke,
            ActionClass::Check,
            format!(
                "smoke {} {}",
                p.color.word(),
                p.version.as_deref().unwrap_or("?")
            ),
        ),
        Op::Deploy(p) => (
            EntryKind::Deploy,
            ActionClass::Workload,
            format!("deploy {} to {}", p.version, p.color.word()),
        ),
        Op::Decommission(p) => (
            EntryKind::Decommission,
            ActionClass::Workload,
            format!("decommission {}", p.color.word()),
        ),
        Op::ScaleUp(p) => (
            EntryKind::ScaleUp,
            ActionClass::Workload,
            format!("scale up {} to {}", p.color.word(), p.replicas),
        ),
        Op::Checklist(p) => (
            EntryKind::ChecklistRun,
            ActionClass::Check,
            format!(
                "checks of {} {}",
                p.color.word(),
                p.version.as_deref().unwrap_or("?")
            ),
        ),
    }
}

/// Progress of a running action.
pub fn step(state: &mut State, id: ActionId, step: Step) -> Vec<Cmd> {
    let headless = state
        .actions
        .running
        .get(&id)
        .is_some_and(|a| state.actions.exits.contains_key(&a.attempt.id));
    let Some(a) = state.actions.running.get_mut(&id) else {
        return Vec::new();
    };
    let line = match step {
        Step::Phase(p) => {
            a.phases.push(p);
            a.waiting = None;
            format!("{}: {} after {}", a.name, p.phase.words(), secs(p.ms))
        }
        Step::Waiting(w) => {
            a.waiting = Some(w.clone());
            format!("{}: {w}", a.name)
        }
        Step::Output(o) => {
            a.push_output(o.clone());
            format!("{}: {o}", a.name)
        }
    };
    state.mark_dirty();
    if headless {
        vec![Cmd::Face(Face::Warn(line))]
    } else {
        Vec::new()
    }
}

/// An action finished: build its outcome entry and record it.
pub fn done(state: &mut State, id: ActionId, outcome: Outcome) -> Vec<Cmd> {
    let Some(a) = state.actions.running.get_mut(&id) else {
        return Vec::new();
    };
    a.finished = true;
    a.waiting = None;
    let a = a.clone();
    let mut entry = a.attempt.clone();
    entry.stage = Stage::Outcome;
    entry.at = state.now;
    let (result, summary, code) = judge(state, &a, &outcome);
    entry.result = Some(result);
    entry.summary = summary.clone();
    if let Outcome::Switched { phases, .. } = &outcome {
        entry.phases = phases.clone();
    }
    if let Outcome::Smoke(r) = &outcome {
        entry.phases = vec![PhaseTime {
            phase: Phase::Checks,
            ms: r.ms,
        }];
    }
    match &outcome {
        Outcome::Work(r) => entry.phases = r.phases.clone(),
        Outcome::Checklist(results) => super::checklist::record_run(&mut entry, results),
        _ => {}
    }
    if result != R::Succeeded {
        entry.error = Some(summary.clone());
    }
    let warning = result != R::Succeeded
        || matches!(
            outcome,
            Outcome::Switched {
                verification: Verification::TimedOut(_),
                ..
            }
        );
    state.flash(summary.clone());
    if let Some(code_slot) = state.actions.exits.get_mut(&entry.id) {
        *code_slot = code;
    }
    state.actions.remember(entry.clone());
    state.timeline.entry(entry.clone(), state.now);
    state.mark_dirty();
    if matches!(a.op, Op::Checklist(_)) {
        // `cutover checklist` ends with the state of every item, not just its commands'.
        let code = super::checklist::exit_code(state);
        if let Some(slot) = state.actions.exits.get_mut(&entry.id) {
            *slot = code;
        }
    }
    let mut cmds = vec![super::record::journal(state, entry)];
    if warning && state.actions.exits.contains_key(&a.attempt.id) {
        cmds.insert(0, Cmd::Face(Face::Warn(summary)));
    }
    // A scale-up asked for by a rollback: roll back now that the color is ready.
    if let (Op::ScaleUp(p), Outcome::Work(r)) = (&a.op, &outcome) {
        if let (true, Some(then)) = (r.ok, &p.then) {
            let options = RequestOptions {
                reason: a.attempt.reason.clone(),
                ..RequestOptions::default()
            };
            let gates = vec![plan::rollback_ready(state, p.color)];
            cmds.extend(start(state, Op::Switch((**then).clone()), gates, options));
        }
    }
    cmds
}

/// The result, the one-line summary and the headless exit code of an outcome.
fn judge(state: &mut State, a: &RunningAction, outcome: &Outcome) -> (R, String, i32) {
    match (outcome, &a.op) {
        (
            Outcome::Switched {
                phases,
                verification,
                attempts,
            },
            Op::Switch(p),
        ) => {
            state.actions.last_switch = Some(SwitchSummary {
                kind: p.kind,
                to: p.to,
                phases: phases.clone(),
                verification: verification.clone(),
                at: state.now,
            });
            (
                R::Succeeded,
                switched_words(p, phases, verification, *attempts),
                exit::OK,
            )
        }
        (Outcome::Conflict { now }, Op::Switch(p)) => {
            let holds = now
                .as_ref()
                .map(|r| plan::target_words(&r.target))
                .unwrap_or_else(|| "something unreadable".into());
            let by = match now.as_ref().and_then(|r| r.stamp.as_ref()) {
                Some(s) if !s.by.is_empty() => format!("set by {} at {}", s.by, s.at),
                _ => "changed outside cutover".into(),
            };
            let text = format!(
                "{} to {} refused: the router changed under us — it now says {holds} ({by}); nothing was written",
                p.kind.word(),
                p.to.word()
            );
            (R::Conflict, text, exit::CONFLICT)
        }
        (Outcome::Smoke(r), Op::Smoke(p)) => {
            let text = smoke_words(p.color, p.version.as_deref(), r);
            let result = if r.passed { R::Succeeded } else { R::Failed };
            let code = if r.passed { exit::OK } else { exit::ERROR };
            (result, text, code)
        }
        (Outcome::Work(r), _) => {
            let (result, code) = if r.ok {
                (R::Succeeded, exit::OK)
            } else {
                (R::Failed, exit::ERROR)
            };
            (result, r.summary.clone(), code)
        }
        (Outcome::Checklist(results), Op::Checklist(p)) => {
            let text = super::checklist::run_words(p.color, p.version.as_deref(), results);
            let ok = results.iter().all(|r| r.ok);
            let result = if ok { R::Succeeded } else { R::Failed };
            (result, text, if ok { exit::OK } else { exit::GATE })
        }
        (Outcome::Cancelled, _) => (R::Cancelled, format!("{} cancelled", a.name), exit::ERROR),
        (Outcome::Failed(e), _) => (R::Failed, format!("{} failed: {e}", a.name), exit::ERROR),
        (other, _) => (
            R::Failed,
            format!("{}: unexpected outcome {other:?}", a.name),
            exit::ERROR,
        ),
    }
}

/// A journal write finished: show trouble; end a headless command; finish a shutdown.
pub fn recorded(state: &mut State, rec: Recorded) -> Vec<Cmd> {
    state.actions.journal_problem = rec.local.clone().err();
    if rec.stage == Stage::Outcome {
        state.actions.publish_problem = rec.cluster.clone().err();
    }
    let mut cmds = Vec::new();
    if let Err(e) = &rec.local {
        state
            .timeline
            .notice(state.now, format!("journal NOT written: {e}"), true);
        cmds.push(Cmd::Face(Face::Warn(format!("journal NOT written: {e}"))));
    }
    if let Err(e) = &rec.cluster {
        state.timeline.notice(
            state.now,
            format!("not published to the cluster: {e}"),
            true,
        );
    }
    if rec.stage == Stage::Outcome {
        state
            .actions
            .running
            .retain(|_, a| !(a.finished && a.attempt.id == rec.id));
        if let Some(code) = state.actions.exits.remove(&rec.id) {
            let code = if rec.local.is_err() && code == exit::OK {
                exit::ERROR
            } else {
                code
            };
            cmds.push(Cmd::Face(Face::Exit(code)));
        }
    }
    if let Some(code) = state.actions.quitting {
        if state.actions.running.is_empty() {
            cmds.push(Cmd::Face(Face::Exit(code)));
        }
    }
    state.mark_dirty();
    cmds
}

/// The shared history was read.
pub fn history(state: &mut State, entries: Vec<Entry>) -> Vec<Cmd> {
    for e in &entries {
        state.timeline.entry(e.clone(), state.now);
    }
    state.actions.take_history(entries);
    state.mark_dirty();
    retry_pending(state)
}

/// A signal asks to end: at once when nothing runs; else cancel what may be cut and end
/// once every action is recorded (a router write is never cut between write and record).
/// A second signal ends at once.
pub fn signal(state: &mut State, sig: Signal) -> Vec<Cmd> {
    end(state, sig.exit_code())
}

/// End the program with `code`: at once when nothing runs (or when asked a second time);
/// else cancel what may be cut and end once every action is recorded.
pub fn end(state: &mut State, code: i32) -> Vec<Cmd> {
    state.modal = None;
    if state.actions.running.is_empty() || state.actions.quitting.is_some() {
        return vec![Cmd::Face(Face::Exit(code))];
    }
    state.actions.quitting = Some(code);
    let mut cmds = Vec::new();
    for a in state.actions.running.values_mut() {
        if a.cancellable() && !a.cancelling {
            a.cancelling = true;
            cmds.push(Cmd::Cancel(a.id));
        }
    }
    let names: Vec<String> = state
        .actions
        .running
        .values()
        .map(|a| a.name.clone())
        .collect();
    let mut text = format!(
        "ending after {} is recorded (ask again to end at once)",
        names.join(", ")
    );
    if state.actions.running.values().any(|a| a.runs_command()) {
        text.push_str(&format!(" — {INTERRUPTED}"));
    }
    state.timeline.notice(state.now, text.clone(), true);
    state.flash(text);
    cmds
}

/// What interrupting an external command may leave behind.
pub const INTERRUPTED: &str =
    "an interrupted `helm upgrade` leaves its release stuck (pending-upgrade: `helm rollback` it)";

/// Ctrl-C: cancel the newest cancellable action; an external command is only killed after
/// asking. Returns None when none can be cancelled.
pub fn cancel_newest(state: &mut State) -> Option<Vec<Cmd>> {
    let a = state
        .actions
        .running
        .values_mut()
        .rev()
        .find(|a| (a.cancellable() || a.runs_command()) && !a.cancelling)?;
    if a.runs_command() {
        let program = match &a.op {
            Op::Deploy(p) => match &p.how {
                crate::app::action::lifecycle::DeployHow::Command(c) => c.program().to_string(),
                _ => String::new(),
            },
            Op::Decommission(p) => match &p.how {
                crate::app::action::lifecycle::DecommissionHow::Command(c) => {
                    c.program().to_string()
                }
                _ => String::new(),
            },
            _ => String::new(),
        };
        let lines = vec![
            format!("{} is running `{program}`.", a.name),
            format!("Kill it (its whole process group)? {INTERRUPTED}."),
            "y kills it · n or Esc lets it run".to_string(),
        ];
        let id = a.id;
        state.modal = Some(Modal::ConfirmCancel { id, lines });
        state.mark_dirty();
        return Some(Vec::new());
    }
    a.cancelling = true;
    let (id, name) = (a.id, a.name.clone());
    state.flash(format!("cancelling {name}"));
    Some(vec![Cmd::Cancel(id)])
}

/// The kill of an external command was confirmed.
pub fn cancel_confirmed(state: &mut State) -> Vec<Cmd> {
    let Some(Modal::ConfirmCancel { id, .. }) = state.modal.take() else {
        return Vec::new();
    };
    let Some(a) = state.actions.running.get_mut(&id).filter(|a| !a.finished) else {
        return Vec::new();
    };
    a.cancelling = true;
    let name = a.name.clone();
    state.flash(format!("killing {name}"));
    vec![Cmd::Cancel(id)]
}
