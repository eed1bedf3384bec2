//! Requests — keys after their confirmation, and headless commands — become actions here,
//! or refusals: read-only mode, another traffic action running, failed gates; and the
//! confirmation that carries the action it confirms.

use super::lease::{self, Standing};
use super::plan;
use super::record::{entry_kind, refuse};
use super::run::start;
use super::{exit, PENDING_SECS};
use crate::app::action::confirm::{Confirm, Field};
use crate::app::action::journal::EntryKind;
use crate::app::action::tracker::Pending;
use crate::app::action::{ActionClass, Gate, GateState, Op, Request, RequestOptions, SwitchKind};
use crate::app::msg::{Cmd, Face};
use crate::app::state::{Modal, State};
use crate::keymap::Intent;
use crate::model::Color;

/// A request from a key or a headless command.
pub fn request(state: &mut State, request: Request, options: RequestOptions) -> Vec<Cmd> {
    if !state.facts_ready() {
        if options.headless {
            state.actions.pending = Some(Pending {
                request,
                options,
                since: state.now,
            });
            return Vec::new();
        }
        return refuse_quietly(state, &request, "the cluster has not been read yet");
    }
    match request {
        Request::Smoke { color } => smoke(state, color, options),
        Request::Switch { to } => switch(state, to, options),
        Request::Rollback { to } => rollback(state, to, options),
        Request::Deploy { version, color } => super::deploy::deploy(state, version, color, options),
        Request::Decommission { color } => super::decommission::decommission(state, color, options),
        Request::Checklist => super::checklist::run(state, options),
    }
}

/// A headless request whose facts have arrived, or that waited too long.
pub fn retry_pending(state: &mut State) -> Vec<Cmd> {
    let Some(p) = state.actions.pending.clone() else {
        return Vec::new();
    };
    if state.facts_ready() {
        state.actions.pending = None;
        return request(state, p.request, p.options);
    }
    if (state.now - p.since).num_seconds() < PENDING_SECS {
        return Vec::new();
    }
    state.actions.pending = None;
    let missing = state.missing_facts().join(", ");
    vec![
        Cmd::Face(Face::Warn(format!(
            "{}: gave up after {PENDING_SECS} s waiting for {missing}",
            p.request.words()
        ))),
        Cmd::Face(Face::Exit(exit::ERROR)),
    ]
}

/// Refuse without recording (nothing was attempted, e.g. a key before the first reading).
fn refuse_quietly(state: &mut State, request: &Request, why: &str) -> Vec<Cmd> {
    state.flash(format!("{}: {why}", request.words()));
    Vec::new()
}

fn smoke(state: &mut State, color: Option<Color>, options: RequestOptions) -> Vec<Cmd> {
    let color = color.unwrap_or_else(|| state.smoke_target());
    let running = state
        .actions
        .active()
        .find(|a| matches!(&a.op, Op::Smoke(p) if p.color == color))
        .map(|a| a.name.clone());
    if let Some(name) = running {
        let why = format!("{name} is already running");
        return refuse(
            state,
            EntryKind::Smoke,
            Some(color),
            &[],
            &options,
            &why,
            exit::ERROR,
        );
    }
    let (ready, _) = plan::ready_pods(state, color);
    if ready == 0 {
        let why = format!("{} has no ready pod to test", color.word());
        return refuse(
            state,
            EntryKind::Smoke,
            Some(color),
            &[],
            &options,
            &why,
            exit::GATE,
        );
    }
    let plan = plan::smoke_plan(state, color);
    if state.session.read_only && !state.smoke_config.command.is_empty() {
        state.flash("read-only: built-in checks only (the suite is an external command)");
    }
    start(state, Op::Smoke(plan), Vec::new(), options)
}

fn switch(state: &mut State, to: Color, options: RequestOptions) -> Vec<Cmd> {
    let kind = EntryKind::Switch;
    if let Some(why) = state.unavailable(Intent::Switch) {
        return refuse(state, kind, Some(to), &[], &options, &why, exit::ERROR);
    }
    if let Some(why) = busy(state, None) {
        return refuse(state, kind, Some(to), &[], &options, &why, exit::ERROR);
    }
    let gates = plan::switch_gates(state, to);
    // Every failed gate at once: an engineer fixes them all before trying again.
    let failed: Vec<String> = gates
        .iter()
        .filter(|g| !g.passed())
        .map(|g| match &g.fix {
            Some(fix) => format!("{}: {} — {fix}", g.name, g.detail),
            None => format!("{}: {}", g.name, g.detail),
        })
        .collect();
    if !failed.is_empty() {
        let why = failed.join("; ");
        return refuse(state, kind, Some(to), &gates, &options, &why, exit::GATE);
    }
    let mut gates = gates;
    let id = new_switch_id(state);
    let mut plan = plan::switch_plan(state, SwitchKind::Switch, to, id);
    plan.lease = lease::claim(state);
    let mut expect = (state.release.confirm == crate::config::schema::ConfirmStyle::Typed)
        .then(|| to.name().to_string());
    let mut warning = None;
    let mut options = options;
    // Someone else drives: refused, naming them; the cockpit may take over by typing.
    if let Err(why) = super::lease::require(
        state,
        "switch",
        &mut gates,
        &mut expect,
        &mut warning,
        &mut options,
    ) {
        return refuse(state, kind, Some(to), &gates, &options, &why, exit::ERROR);
    }
    confirm_or_start(
        state,
        Request::Switch { to },
        Op::Switch(plan),
        gates,
        expect,
        warning,
        options,
    )
}

fn rollback(state: &mut State, to: Option<Color>, options: RequestOptions) -> Vec<Cmd> {
    let kind = EntryKind::Rollback;
    let live = state.live_color();
    let Some(to) = to.or(live.map(Color::other)) else {
        let why = format!(
            "the router says {}: choose the color to roll back to",
            state
                .router
                .as_ref()
                .map(|r| plan::target_words(&r.target))
                .unwrap_or_else(|| "nothing yet".into())
        );
        if options.headless {
            let why = format!("{why} (`cutover switch --to COLOR`)");
            return refuse(state, kind, None, &[], &options, &why, exit::GATE);
        }
        state.modal = Some(Modal::ChooseRollback { options });
        state.flash(why);
        return Vec::new();
    };
    if let Some(why) = state.unavailable(Intent::Switch) {
        return refuse(state, kind, Some(to), &[], &options, &why, exit::ERROR);
    }
    if live == Some(to) {
        let why = format!("{} is already live", to.word());
        return refuse(state, kind, Some(to), &[], &options, &why, exit::GATE);
    }
    if let Some(why) = busy(state, Some(kind)).or_else(|| changing(state, to)) {
        return refuse(state, kind, Some(to), &[], &options, &why, exit::ERROR);
    }
    if super::lifecycle::is_down(state, to) {
        if let Some(cmds) = super::decommission::offer_scale_up(state, to, options.clone()) {
            return cmds;
        }
    }
    let ready = plan::rollback_ready(state, to);
    let outage = ready.state == GateState::Fail;
    if outage && options.headless {
        let why = format!(
            "{} — roll back from the cockpit (typed override) or scale {} up first",
            ready.detail,
            to.word()
        );
        return refuse(state, kind, Some(to), &[ready], &options, &why, exit::GATE);
    }
    let mut gates = vec![ready];
    // The lease never blocks a rollback; the journal says who was driving.
    if let Standing::Held(words) = lease::standing(state) {
        gates.push(lease::driver_gate(&words, "rollback is never blocked"));
    }
    let id = new_switch_id(state);
    let op = Op::Switch(plan::switch_plan(state, SwitchKind::Rollback, to, id));
    let request = Request::Rollback { to: Some(to) };
    if outage {
        let warning = Some(format!("{} has no ready pod: this is an outage", to.word()));
        let expect = Some(to.name().to_string());
        let options = RequestOptions {
            yes: false,
            ..options
        };
        return confirm_or_start(state, request, op, gates, expect, warning, options);
    }
    let options = RequestOptions {
        yes: options.yes || !state.release.rollback_confirm,
        ..options
    };
    confirm_or_start(state, request, op, gates, None, None, options)
}

/// A workload action changing `to` right now (a rollback waits for it).
fn changing(state: &State, to: Color) -> Option<String> {
    let a = state
        .actions
        .active()
        .find(|a| a.class == ActionClass::Workload && a.op.color() == to)?;
    Some(format!(
        "{} is running on {} (Ctrl-C cancels it)",
        a.name,
        to.word()
    ))
}

/// Why another traffic or workload action cannot start now. A rollback pre-empts smoke
/// tests and verifications (they are cancelled when it starts), but not a router write in
/// flight.
pub(super) fn busy(state: &State, kind: Option<EntryKind>) -> Option<String> {
    let rollback = kind == Some(EntryKind::Rollback);
    let blocking = state.actions.active().find(|a| match a.class {
        ActionClass::Traffic if rollback => a.writing_router(),
        ActionClass::Traffic | ActionClass::Workload => !rollback,
        ActionClass::Check => false,
    })?;
    Some(if blocking.writing_router() {
        format!(
            "{} is writing the router; try again in a moment",
            blocking.name
        )
    } else {
        format!("{} is still running (Ctrl-C cancels it)", blocking.name)
    })
}

pub(super) fn new_switch_id(state: &mut State) -> String {
    state.actions.entries_made += 1;
    plan::switch_id(state.now, &state.who(), state.actions.entries_made)
}

pub(super) fn confirm_or_start(
    state: &mut State,
    request: Request,
    op: Op,
    gates: Vec<Gate>,
    expect: Option<String>,
    warning: Option<String>,
    options: RequestOptions,
) -> Vec<Cmd> {
    if options.yes && expect.is_none() {
        return start(state, op, gates, options);
    }
    let confirm = Confirm {
        situation: plan::situation(state, &op),
        request,
        options,
        op,
        gates,
        expect,
        warning,
        input: String::new(),
        reason: String::new(),
        field: Field::Answer,
    };
    let ask = confirm.options.headless.then(|| Face::Ask {
        text: format!("{}\n{}", confirm.title(), confirm.lines().join("\n")),
        expect: confirm.expect.clone().unwrap_or_else(|| "y".into()),
    });
    state.modal = Some(Modal::Confirm(Box::new(confirm)));
    state.mark_dirty();
    ask.map(|a| vec![Cmd::Face(a)]).unwrap_or_default()
}

/// The open confirmation was accepted (Enter, `y`, or the typed word).
pub fn accept(state: &mut State) -> Vec<Cmd> {
    let Some(Modal::Confirm(confirm)) = state.modal.take() else {
        return Vec::new();
    };
    if !confirm.answered() {
        let word = confirm.expect.clone().unwrap_or_default();
        state.modal = Some(Modal::Confirm(confirm));
        state.flash(format!("type {word} to confirm"));
        return Vec::new();
    }
    let mut options = confirm.options.clone();
    let reason = confirm.reason.trim();
    if !reason.is_empty() {
        options.reason = Some(crate::sanitize::sanitize_oneline(reason, 300));
    }
    // A traffic action that became impossible while the dialog was open is refused now
    // (the compare-and-swap protects the router itself).
    let kind = match &confirm.op {
        Op::Switch(p) => Some(entry_kind(p.kind)),
        Op::Deploy(_) => Some(EntryKind::Deploy),
        Op::Decommission(_) => Some(EntryKind::Decommission),
        Op::ScaleUp(_) => Some(EntryKind::ScaleUp),
        Op::Smoke(_) | Op::Checklist(_) => None,
    };
    if let Some(kind) = kind {
        if let Some(why) = busy(state, Some(kind)) {
            let to = Some(confirm.op.color());
            return refuse(state, kind, to, &confirm.gates, &options, &why, exit::ERROR);
        }
    }
    start(state, confirm.op, confirm.gates, options)
}

/// The open confirmation was dismissed (Esc, `n`, or a headless "no").
pub fn dismiss(state: &mut State) -> Vec<Cmd> {
    let Some(Modal::Confirm(confirm)) = state.modal.take() else {
        state.modal = None;
        return Vec::new();
    };
    state.mark_dirty();
    if confirm.options.headless {
        let why = "not confirmed";
        let kind = match &confirm.op {
            Op::Switch(p) => entry_kind(p.kind),
            Op::Smoke(_) => EntryKind::Smoke,
            Op::Deploy(_) => EntryKind::Deploy,
            Op::Decommission(_) => EntryKind::Decommission,
            Op::ScaleUp(_) => EntryKind::Rollback,
            Op::Checklist(_) => EntryKind::ChecklistRun,
        };
        let to = Some(confirm.op.color());
        return refuse(
            state,
            kind,
            to,
            &confirm.gates,
            &confirm.options,
            why,
            exit::ERROR,
        );
    }
    state.flash(format!("{} cancelled", confirm.request.words()));
    Vec::new()
}

/// A headless command's answer to the confirmation.
pub fn answer(state: &mut State, text: String) -> Vec<Cmd> {
    let expect = match &state.modal {
        Some(Modal::Confirm(c)) => c.expect.clone(),
        _ => return Vec::new(),
    };
    let yes = match expect {
        Some(word) => text.trim().eq_ignore_ascii_case(&word),
        None => matches!(text.trim(), "y" | "Y" | "yes" | "YES" | "Yes"),
    };
    if yes {
        if let Some(Modal::Confirm(c)) = &mut state.modal {
            c.input = c.expect.clone().unwrap_or_default();
        }
        accept(state)
    } else {
        dismiss(state)
    }
}
