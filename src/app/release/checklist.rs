//! The release's checklist: each item's state for the standby color's version (ticks and
//! command results from the shared history since that color's last deploy, built-ins from
//! the live facts), ticking a manual item, running the commands, and the switch's gate.

use super::exit;
use super::lifecycle::command_for;
use super::plan;
use super::record::{decline, new_entry, refuse};
use super::run::start;
use crate::app::action::journal::{Entry, EntryKind, GateRecord, Result as R, Stage};
use crate::app::action::lifecycle::{CheckCommand, ChecklistPlan, ItemResult};
use crate::app::action::standing::{Checklist, ItemState, ItemStatus};
use crate::app::action::{Gate, GateState, Op, RequestOptions};
use crate::app::msg::{Cmd, Face};
use crate::app::state::State;
use crate::config::schema::{ChecklistItem, ItemKind};
use crate::model::Color;

/// Lines of each command's output kept in the journal.
const OUTPUT_LINES: usize = 20;

/// The checklist of the release on the standby color (None: the router names no single
/// color, or there is no checklist).
pub fn checklist(state: &State) -> Option<Checklist> {
    if state.lifecycle_config.checklist.is_empty() {
        return None;
    }
    let color = state.standby_color()?;
    let version = state.color(color).version();
    let items = state
        .lifecycle_config
        .checklist
        .iter()
        .map(|item| status(state, item, color, version.as_deref()))
        .collect();
    Some(Checklist {
        color,
        version,
        items,
    })
}

/// Entries about this release since the color's last deploy, newest first.
fn release_entries<'a>(
    state: &'a State,
    kind: EntryKind,
    color: Color,
    version: Option<&'a str>,
) -> impl Iterator<Item = &'a Entry> + 'a {
    state
        .actions
        .since_deploy(color)
        .iter()
        .rev()
        .filter(move |e| {
            e.kind == kind
                && e.stage == Stage::Outcome
                && e.to.as_deref() == Some(color.name())
                && e.version.as_deref() == version
        })
}

fn status(state: &State, item: &ChecklistItem, color: Color, version: Option<&str>) -> ItemStatus {
    let name = item.label();
    let (state_, detail, output) = match item.kind {
        ItemKind::Manual => ticked(state, &name, color, version),
        ItemKind::Command | ItemKind::MigrationsApplied => ran(state, &name, color, version),
        ItemKind::StandbyReady => from_gate(plan::ready_gate(state, color)),
        ItemKind::SmokePassed => from_gate(plan::smoke_gate(state, color)),
    };
    ItemStatus {
        name,
        kind: item.kind,
        required: item.required,
        state: state_,
        detail,
        output,
    }
}

fn ticked(
    state: &State,
    name: &str,
    color: Color,
    version: Option<&str>,
) -> (ItemState, String, Vec<String>) {
    let mark = release_entries(state, EntryKind::ChecklistTick, color, version).find_map(|e| {
        let g = e.gates.iter().find(|g| g.name == name)?;
        Some((g.ok, e))
    });
    match mark {
        Some((true, e)) => (
            ItemState::Pass,
            format!("ticked by {} at {}", e.who, state.zone.hms(e.at)),
            Vec::new(),
        ),
        Some((false, e)) => (
            ItemState::Open,
            format!("unticked by {} at {}", e.who, state.zone.hms(e.at)),
            Vec::new(),
        ),
        None => (ItemState::Open, "not ticked".into(), Vec::new()),
    }
}

fn ran(
    state: &State,
    name: &str,
    color: Color,
    version: Option<&str>,
) -> (ItemState, String, Vec<String>) {
    let running = state
        .actions
        .active()
        .any(|a| matches!(&a.op, Op::Checklist(p) if p.color == color));
    let last = release_entries(state, EntryKind::ChecklistRun, color, version).find_map(|e| {
        let g = e.gates.iter().find(|g| g.name == name)?;
        Some((g, e))
    });
    let Some((g, e)) = last else {
        let detail = if running { "running…" } else { "not run yet" };
        return (ItemState::Open, detail.into(), Vec::new());
    };
    let prefix = format!("[{name}] ");
    let output = e
        .output
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix).map(str::to_string))
        .collect();
    let state_ = if g.ok {
        ItemState::Pass
    } else {
        ItemState::Fail
    };
    let detail = format!("{} (by {} at {})", g.detail, e.who, state.zone.hms(e.at));
    (state_, detail, output)
}

fn from_gate(g: Gate) -> (ItemState, String, Vec<String>) {
    let s = if g.state == GateState::Fail {
        ItemState::Fail
    } else {
        ItemState::Pass
    };
    (s, g.detail, Vec::new())
}

/// The switch's checklist gate: every required item of the release on `to` passes (None:
/// no item is required, or the checklist is about another color).
pub fn gate(state: &State, to: Color) -> Option<Gate> {
    let cl = checklist(state).filter(|c| c.color == to)?;
    let required = cl.items.iter().filter(|i| i.required).count();
    if required == 0 {
        return None;
    }
    let open = cl.open_required();
    let detail = if open.is_empty() {
        format!("{required}/{required} required items done")
    } else {
        let names: Vec<&str> = open.iter().map(|i| i.name.as_str()).collect();
        format!(
            "{} of {required} required items not done: {}",
            open.len(),
            names.join(", ")
        )
    };
    let key = |i| state.keymap.keys_for(crate::keymap::KeyMode::Normal, i);
    let fix = format!(
        "press {} for the checklist (space ticks, x runs the checks)",
        key(crate::keymap::Intent::Checklist)
    );
    Some(Gate::new("checklist", open.is_empty(), detail, Some(fix)))
}

/// Lines listing the required items of the release on `to`, for the switch's confirmation.
pub fn required_lines(state: &State, to: Color) -> Vec<String> {
    let Some(cl) = checklist(state).filter(|c| c.color == to) else {
        return Vec::new();
    };
    cl.items
        .iter()
        .filter(|i| i.required)
        .map(|i| {
            let mark = if i.state == ItemState::Pass {
                "✔"
            } else {
                "✖"
            };
            format!("  {mark} {} — {}", i.name, i.detail)
        })
        .collect()
}

/// Space on a manual item: tick it (or untick it), journaled and shared with everyone.
pub fn tick(state: &mut State, selected: usize) -> Vec<Cmd> {
    let Some(cl) = checklist(state) else {
        state.flash("checklist: the router names no standby color");
        return Vec::new();
    };
    let Some(item) = cl.items.get(selected).cloned() else {
        return Vec::new();
    };
    if item.kind != ItemKind::Manual {
        state.flash(format!(
            "“{}” is checked by cutover, not ticked ({})",
            item.name,
            match item.kind {
                ItemKind::Command | ItemKind::MigrationsApplied => "x runs the commands",
                _ => "it follows the cluster",
            }
        ));
        return Vec::new();
    }
    if state.session.read_only {
        state.flash("read-only session: ticks are not recorded");
        return Vec::new();
    }
    let ticked = item.state != ItemState::Pass;
    let options = RequestOptions::default();
    let mut entry = new_entry(
        state,
        EntryKind::ChecklistTick,
        Some(cl.color),
        &[],
        &options,
        Stage::Outcome,
    );
    let who = entry.who.clone();
    entry.result = Some(R::Succeeded);
    entry.gates = vec![GateRecord {
        name: item.name.clone(),
        ok: ticked,
        detail: format!("{} by {who}", if ticked { "ticked" } else { "unticked" }),
    }];
    // The journal, the timeline and the post-mortem name `who` beside the summary.
    entry.summary = format!(
        "{} “{}” for {} {}",
        if ticked { "ticked" } else { "unticked" },
        item.name,
        cl.color.word(),
        cl.version.as_deref().unwrap_or("?")
    );
    state.flash(entry.summary.clone());
    state.actions.remember(entry.clone());
    state.timeline.entry(entry.clone(), state.now);
    vec![super::record::journal(state, entry)]
}

/// Run the checklist's commands (command items and the migration check) for the release.
pub fn run(state: &mut State, options: RequestOptions) -> Vec<Cmd> {
    let kind = EntryKind::ChecklistRun;
    let Some(color) = state.standby_color() else {
        let why = "the router names no single color, so there is no standby release to check";
        return refuse(state, kind, None, &[], &options, why, exit::GATE);
    };
    let commands = commands(state);
    if commands.is_empty() {
        if options.headless {
            return vec![Cmd::Face(Face::Exit(exit_code(state)))];
        }
        state.flash("checklist: no command items to run");
        return Vec::new();
    }
    if state.session.read_only {
        let why = "read-only session: external commands are refused";
        return refuse(state, kind, Some(color), &[], &options, why, exit::ERROR);
    }
    if state
        .actions
        .active()
        .any(|a| matches!(a.op, Op::Checklist(_)))
    {
        return decline(
            state,
            &options,
            "checklist: its commands are already running",
        );
    }
    let plan = ChecklistPlan {
        color,
        version: state.color(color).version(),
        commands,
    };
    start(state, Op::Checklist(plan), Vec::new(), options)
}

/// The commands of the checklist, in its order.
fn commands(state: &State) -> Vec<CheckCommand> {
    let lc = &state.lifecycle_config;
    lc.checklist
        .iter()
        .filter_map(|item| match (item.kind, &lc.migrations) {
            (ItemKind::Command, _) => Some(CheckCommand {
                name: item.label(),
                spec: command_for(
                    &item.command,
                    &Default::default(),
                    &None,
                    item.timeout(),
                    &[],
                ),
                expect: None,
            }),
            (ItemKind::MigrationsApplied, Some(m)) => Some(CheckCommand {
                name: item.label(),
                spec: command_for(&m.check, &m.env, &m.workdir, m.timeout_secs, &[]),
                expect: Some(m.expect.clone()),
            }),
            _ => None,
        })
        .collect()
}

/// The journal's record of a run: each item as a gate, their output lines prefixed with
/// the item's name.
pub fn record_run(entry: &mut Entry, results: &[ItemResult]) {
    entry.gates = results
        .iter()
        .map(|r| GateRecord {
            name: r.name.clone(),
            ok: r.ok,
            detail: r.detail.clone(),
        })
        .collect();
    entry.output = results
        .iter()
        .flat_map(|r| {
            let skip = r.output.len().saturating_sub(OUTPUT_LINES);
            r.output[skip..]
                .iter()
                .map(move |l| format!("[{}] {l}", r.name))
        })
        .collect();
}

/// "checks of GREEN v2.0.1: 2/2 passed" or what failed.
pub fn run_words(color: Color, version: Option<&str>, results: &[ItemResult]) -> String {
    let passed = results.iter().filter(|r| r.ok).count();
    let mut text = format!(
        "checks of {} {}: {passed}/{} passed",
        color.word(),
        version.unwrap_or("?"),
        results.len()
    );
    for r in results.iter().filter(|r| !r.ok) {
        text.push_str(&format!("; {} FAILED ({})", r.name, r.detail));
    }
    text
}

/// A headless `cutover checklist`'s exit code: 2 when a required item does not pass.
pub fn exit_code(state: &State) -> i32 {
    match checklist(state) {
        Some(cl) if !cl.open_required().is_empty() => exit::GATE,
        _ => exit::OK,
    }
}
