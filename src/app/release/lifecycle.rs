//! Facts of the release's lifecycle shared by its decisions: whether a color is down, when
//! traffic moved to the live color, the monitoring window, and commands with their
//! placeholders filled in.

use chrono::{DateTime, Duration, Utc};

use crate::app::action::journal::{EntryKind, Result as R};
use crate::app::action::lifecycle::CommandSpec;
use crate::app::action::standing::Monitor;
use crate::app::state::State;
use crate::model::Color;

/// A color is down: its Deployment is scaled to 0 or gone (when one is configured), or it
/// has no pod left that is not terminating (when none is).
pub fn is_down(state: &State, c: Color) -> bool {
    let cs = state.color(c);
    if state.colors_with_deployment[c as usize] {
        return cs.deployment.as_ref().is_none_or(|d| d.desired == 0);
    }
    cs.pods.iter().all(|p| p.terminating)
}

/// When traffic moved to `live`: seen by this cockpit (the router's `since`), else the
/// newest switch, rollback or outside change to it in the shared history. None when no one
/// knows (it was so before anyone watched).
pub fn switched_at(state: &State, live: Color) -> Option<DateTime<Utc>> {
    let router = state.router.as_ref()?;
    if let Some(since) = router.since {
        return Some(since);
    }
    last_move_to(state, live).map(|e| e.at)
}

/// The newest journaled move of traffic to `color` (switch, rollback, or a change outside
/// cutover) that succeeded.
fn last_move_to(state: &State, color: Color) -> Option<&crate::app::action::journal::Entry> {
    state.actions.history.iter().rev().find(|e| {
        matches!(
            e.kind,
            EntryKind::Switch | EntryKind::Rollback | EntryKind::RouterChange
        ) && e.result == Some(R::Succeeded)
            && e.to.as_deref() == Some(color.name())
    })
}

/// The monitoring window after traffic moved to the live color (None: the router names no
/// single color).
pub fn monitor(state: &State) -> Option<Monitor> {
    let live = state.live_color()?;
    let since = switched_at(state, live);
    let minutes = state.release.monitor_minutes.max(0.0);
    let window = Duration::milliseconds((minutes * 60_000.0) as i64);
    let ends = since.map(|t| t + window);
    Some(Monitor {
        live,
        since,
        ends,
        passed: ends.is_some_and(|e| state.now >= e),
        old_down: is_down(state, live.other()),
        rolled_back: last_move_to(state, live).is_some_and(|e| e.kind == EntryKind::Rollback),
    })
}

/// `argv` with each `{name}` of `vars` replaced (no shell: every argument stays one
/// argument, whatever it contains).
pub fn fill(argv: &[String], vars: &[(&str, &str)]) -> Vec<String> {
    argv.iter()
        .map(|arg| {
            vars.iter().fold(arg.clone(), |a, (name, value)| {
                a.replace(&format!("{{{name}}}"), value)
            })
        })
        .collect()
}

/// A configured command for `color`, its placeholders filled in.
pub fn command_for(
    argv: &[String],
    env: &std::collections::BTreeMap<String, String>,
    workdir: &Option<std::path::PathBuf>,
    timeout_secs: f64,
    vars: &[(&str, &str)],
) -> CommandSpec {
    CommandSpec {
        argv: fill(argv, vars),
        env: env.clone(),
        workdir: workdir.clone(),
        timeout_secs,
    }
}

/// "4m ago", "1h 02m ago" — how long since `t`.
pub fn ago(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let secs = (now.timestamp() - t.timestamp()).max(0);
    match secs {
        0..=59 => format!("{secs}s ago"),
        60..=3599 => format!("{}m ago", secs / 60),
        _ => format!("{}h {:02}m ago", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_each_argument_as_one_argument() {
        let argv: Vec<String> = ["helm", "--set", "image.tag={version}", "fittrack-{color}"]
            .map(String::from)
            .into();
        let out = fill(&argv, &[("version", "v2; rm -rf /"), ("color", "green")]);
        assert_eq!(
            out,
            ["helm", "--set", "image.tag=v2; rm -rf /", "fittrack-green"]
        );
    }

    #[test]
    fn ago_reads_like_a_person() {
        let t = Utc::now();
        assert_eq!(ago(t, t - Duration::seconds(5)), "5s ago");
        assert_eq!(ago(t, t - Duration::seconds(250)), "4m ago");
        assert_eq!(ago(t, t - Duration::seconds(3720)), "1h 02m ago");
    }
}
