//! `update`'s side of the signals: judge each sample, open a monitoring window when the live
//! color changes, spend its budget, and — when armed — roll back through exactly the path
//! of the `r` key, at most once per switch, never while another traffic action is in
//! flight, never onto a color that is not ready (alarm instead), never read-only. Also the
//! decisions of `cutover watch`: when it ends, and with which exit code.

use chrono::{DateTime, Duration, Utc};

use crate::app::action::journal::{Recorded, Stage};
use crate::app::action::{GateState, Op, Request, RequestOptions, SwitchKind};
use crate::app::msg::{Cmd, Face};
use crate::app::release::{self as flow, exit, plan};
use crate::app::signals::{judge, Judged, Opened, Verdict, Watch, Window};
use crate::app::state::State;
use crate::metrics::Sample;
use crate::model::Color;

/// Exit code of `cutover watch` when the live color breached.
pub const EXIT_BREACHED: i32 = 4;

/// A color's sample arrived from the bus.
pub fn sample(state: &mut State, color: Color, sample: Sample) -> Vec<Cmd> {
    let verdict = judge(&state.signals, &sample);
    let now = state.now;
    let mut cmds = Vec::new();
    let judging = state
        .signals
        .window
        .as_ref()
        .is_some_and(|w| w.color == color && w.open(now));
    let mut exhausted = false;
    if judging {
        let mut w = state.signals.window.take().expect("an open window");
        exhausted = w.count(&state.signals, &sample, &verdict);
        state.signals.window = Some(w);
    }
    if state.signals.watch.is_some() && state.live_color() == Some(color) {
        cmds.push(Cmd::Face(Face::Warn(watch_line(
            state, color, &sample, &verdict,
        ))));
    }
    state.signals.push(color, Judged { sample, verdict });
    state.mark_dirty();
    if exhausted {
        let (c, reason) = {
            let w = state.signals.window.as_ref().expect("window");
            (w.color, w.exhausted.clone().unwrap_or_default())
        };
        state
            .timeline
            .notice(now, format!("{} breached: {reason}", c.word()), true);
    }
    cmds.extend(decide(state));
    cmds.extend(watch_exit(state));
    cmds
}

/// Earlier samples (a Prometheus backfill), judged for the sparkline; they never count
/// toward a window's budget.
pub fn backfill(state: &mut State, color: Color, samples: Vec<Sample>) {
    for sample in samples {
        let verdict = judge(&state.signals, &sample);
        state.signals.push(color, Judged { sample, verdict });
    }
    state.mark_dirty();
}

/// The router was read: a change of the live color opens a monitoring window.
pub fn router_read(state: &mut State, before: Option<Color>) {
    let Some(live) = state.live_color() else {
        return;
    };
    if let Some(watch) = state.signals.watch {
        if state.signals.window.is_none() {
            let armed = watch.auto_rollback && !state.session.read_only;
            open(
                state,
                "watch".into(),
                live,
                Opened::Watch,
                watch.until,
                armed,
            );
        }
        return;
    }
    if before.is_none_or(|b| b == live) {
        return;
    }
    let stamp = state
        .router
        .as_ref()
        .and_then(|r| r.stamp.as_ref())
        .map(|s| s.id.clone());
    // This cockpit's own switch is one of its running actions (its verification is still
    // running when the router's new value arrives).
    let own = state.actions.running.values().find_map(|a| match &a.op {
        Op::Switch(p)
            if p.to == live
                && (stamp.as_deref() == Some(p.switch_id.as_str()) || stamp.is_none()) =>
        {
            Some(p.clone())
        }
        _ => None,
    });
    let until = state.now + minutes(state.signals.analysis.window(state.release.monitor_minutes));
    let (key, opened) = match own {
        Some(p) if p.kind == SwitchKind::Switch => (p.switch_id, Opened::OwnSwitch),
        Some(p) => (p.switch_id, Opened::Other),
        None => (
            stamp.unwrap_or_else(|| "router change".into()),
            Opened::Other,
        ),
    };
    let armed = opened == Opened::OwnSwitch && state.auto_rollback_armed();
    open(state, key, live, opened, until, armed);
}

fn minutes(m: f64) -> Duration {
    Duration::milliseconds((m * 60_000.0) as i64)
}

fn open(
    state: &mut State,
    key: String,
    color: Color,
    opened_by: Opened,
    until: DateTime<Utc>,
    armed: bool,
) {
    let now = state.now;
    if matches!(opened_by, Opened::OwnSwitch | Opened::Watch) {
        state.signals.banner = None;
    }
    state.signals.previous = state.signals.window.take();
    state.signals.window = Some(Window {
        key,
        color,
        opened_by,
        opened: now,
        until,
        armed,
        counted: 0,
        failures: 0,
        streak: 0,
        not_counted: 0,
        // Only samples taken after the switch count.
        last_at: Some(now),
        exhausted: None,
        exhausted_at: None,
        rollback: None,
        alarm: None,
    });
    state.mark_dirty();
}

/// `cutover watch`: judge the live color until `until`.
pub fn watch(state: &mut State, until: DateTime<Utc>, auto_rollback: bool) -> Vec<Cmd> {
    state.signals.watch = Some(Watch {
        until,
        auto_rollback,
    });
    state.signals.window = None;
    router_read(state, None);
    Vec::new()
}

/// Time passed: windows close, a deferred automatic rollback may go, a watch may end.
pub fn tick(state: &mut State) -> Vec<Cmd> {
    let mut cmds = decide(state);
    cmds.extend(watch_exit(state));
    cmds
}

/// A journal write finished: the automatic rollback of a watch ends it.
pub fn recorded(state: &mut State, rec: &Recorded) -> Vec<Cmd> {
    let Some(w) = &state.signals.window else {
        return Vec::new();
    };
    if rec.stage != Stage::Outcome || w.rollback.as_deref() != Some(rec.id.as_str()) {
        return Vec::new();
    }
    if state.signals.watch.take().is_none() {
        return Vec::new();
    }
    let reason = w.exhausted.clone().unwrap_or_default();
    vec![
        Cmd::Face(Face::Warn(format!(
            "{} breached ({reason}); rolled back automatically",
            w.color.word()
        ))),
        Cmd::Face(Face::Exit(EXIT_BREACHED)),
    ]
}

/// An exhausted budget: roll back when armed and possible, else say why not (once).
pub fn decide(state: &mut State) -> Vec<Cmd> {
    let Some(w) = state.signals.window.clone() else {
        return Vec::new();
    };
    let Some(reason) = w.exhausted.clone() else {
        return Vec::new();
    };
    if w.rollback.is_some() || w.alarm.is_some() {
        return Vec::new();
    }
    let to = w.color.other();
    let why_not = if !w.armed {
        Some(if state.session.read_only {
            "read-only session: no automatic rollback".to_string()
        } else if w.opened_by == Opened::OwnSwitch || w.opened_by == Opened::Watch {
            "automatic rollback is not armed".to_string()
        } else {
            "not this cockpit's switch: no automatic rollback".to_string()
        })
    } else if state.live_color() != Some(w.color) {
        Some(format!(
            "the router no longer sends traffic to {}",
            w.color.word()
        ))
    } else {
        None
    };
    if let Some(why) = why_not {
        return alarm(state, &reason, &why);
    }
    // Wait for a traffic action in flight (or the facts a request needs): never on top of it.
    if state.actions.traffic().is_some() || !state.facts_ready() {
        return Vec::new();
    }
    let ready = plan::rollback_ready(state, to);
    if ready.state != GateState::Pass {
        return alarm(
            state,
            &reason,
            &format!("NOT rolled back: {}", ready.detail),
        );
    }
    let options = RequestOptions {
        yes: true,
        reason: Some(format!("auto: {reason}")),
        headless: false,
    };
    let cmds = flow::request(state, Request::Rollback { to: None }, options);
    let started = cmds.iter().find_map(|c| match c {
        Cmd::Start {
            op: Op::Switch(p), ..
        } => Some(p.switch_id.clone()),
        _ => None,
    });
    let now = state.now;
    match started {
        Some(id) => {
            if let Some(w) = state.signals.window.as_mut() {
                w.rollback = Some(id);
            }
            let text = format!("AUTO-ROLLBACK {} → {}: {reason}", w.color.word(), to.word());
            state.timeline.notice(now, text.clone(), true);
            state.flash(text.clone());
            state.signals.banner = Some(format!("⟲ {text}"));
            cmds
        }
        None => {
            let why = state
                .flash
                .as_ref()
                .map(|(t, _)| t.clone())
                .unwrap_or_else(|| "refused".into());
            let mut out = cmds;
            out.extend(alarm(
                state,
                &reason,
                &format!("automatic rollback refused: {why}"),
            ));
            out
        }
    }
}

/// Say loudly, once, that the budget is exhausted and nothing was rolled back.
fn alarm(state: &mut State, reason: &str, why: &str) -> Vec<Cmd> {
    let now = state.now;
    let Some(w) = state.signals.window.as_mut() else {
        return Vec::new();
    };
    w.alarm = Some(why.to_string());
    let text = format!("{} BREACHED: {reason} — {why}", w.color.word());
    state.timeline.notice(now, text.clone(), true);
    state.flash(text.clone());
    state.signals.banner = Some(format!("⚠ {text}"));
    state.mark_dirty();
    Vec::new()
}

/// A watch ends: 4 when the live color breached (after its rollback, when asked), 0 when it
/// stayed healthy to the end, 1 when nothing could be judged.
fn watch_exit(state: &mut State) -> Vec<Cmd> {
    let Some(watch) = state.signals.watch else {
        return Vec::new();
    };
    let window = state.signals.window.clone();
    let done = |state: &mut State, line: Face, code: i32| {
        state.signals.watch = None;
        vec![Cmd::Face(line), Cmd::Face(Face::Exit(code))]
    };
    if let Some(w) = &window {
        if let Some(reason) = &w.exhausted {
            let text = format!("{} breached: {reason}", w.color.word());
            if !watch.auto_rollback {
                return done(state, Face::Warn(text), EXIT_BREACHED);
            }
            if let Some(why) = &w.alarm {
                return done(state, Face::Warn(format!("{text} — {why}")), EXIT_BREACHED);
            }
            // Waiting for the rollback to be recorded (`recorded`).
            return Vec::new();
        }
    }
    if state.now < watch.until {
        return Vec::new();
    }
    match window {
        Some(w) if w.counted > 0 => done(
            state,
            Face::Print(format!(
                "{} healthy: {} samples judged, {} breaching, none {} in a row",
                w.color.word(),
                w.counted,
                w.failures,
                state.signals.analysis.failures_allowed + 1
            )),
            exit::OK,
        ),
        Some(w) => done(
            state,
            Face::Warn(format!(
                "{} could not be judged: no sample had ≥ {} requests ({} without data)",
                w.color.word(),
                state.signals.analysis.min_requests,
                w.not_counted
            )),
            exit::ERROR,
        ),
        None => done(
            state,
            Face::Warn("could not judge: the router never named one live color".into()),
            exit::ERROR,
        ),
    }
}

/// One line per judged sample of a watch (stderr).
fn watch_line(state: &State, color: Color, s: &Sample, v: &Verdict) -> String {
    use crate::app::signals::judge::show;
    let n = s
        .requests
        .map(|r| format!("{r:.0}"))
        .unwrap_or_else(|| "?".into());
    let rate = s
        .error_rate
        .map(|r| show(r, "%"))
        .unwrap_or_else(|| "–".into());
    let verdict = match v {
        Verdict::NoData(why) => format!("no data ({why})"),
        Verdict::TooSmall { .. } => format!(
            "not counted (< {} requests)",
            state.signals.analysis.min_requests
        ),
        Verdict::Healthy => "healthy".into(),
        Verdict::Breach(b) => format!("BREACH {}", b[0].words),
    };
    format!("{} 5xx {rate} of {n} requests: {verdict}", color.word())
}

#[cfg(test)]
mod tests;
