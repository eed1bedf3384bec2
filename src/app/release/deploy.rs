//! Deploying a version to a color: the version prompt (pre-filled, ↑/↓ walk the versions
//! used before), the request's refusals, the plan (image patch or command), what the
//! confirmation shows, and a LIVE target that needs typing.

use super::lifecycle::{command_for, is_down};
use super::record::{decline, refuse};
use super::request::{busy, confirm_or_start};
use super::{exit, plan};
use crate::app::action::journal::{EntryKind, Result as R};
use crate::app::action::lifecycle::{DeployHow, DeployPlan};
use crate::app::action::{Gate, GateState, Op, Request, RequestOptions};
use crate::app::msg::Cmd;
use crate::app::state::{Modal, Prompt, State};
use crate::config::schema::{DeployConfig, DeployMode};
use crate::model::Color;

/// Most versions the prompt's history holds.
const HISTORY_MAX: usize = 20;

/// Versions used before, newest first: typed in this session, then deployed by anyone
/// (the shared history).
pub fn versions_used(state: &State) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let deployed = state.actions.history.iter().rev().filter_map(|e| {
        (e.kind == EntryKind::Deploy && e.result == Some(R::Succeeded))
            .then(|| e.version.clone())
            .flatten()
    });
    for v in state.versions_typed.iter().cloned().chain(deployed) {
        if !out.contains(&v) && out.len() < HISTORY_MAX {
            out.push(v);
        }
    }
    out
}

/// `p`: ask for the version, pre-filled with the last one used.
pub fn open_prompt(state: &mut State) -> Vec<Cmd> {
    let options = RequestOptions::default();
    if state.lifecycle_config.deploy.is_none() {
        return decline(
            state,
            &options,
            "deploy: no [deploy] section in the configuration",
        );
    }
    if state.session.read_only {
        let why = "read-only session: workload actions are refused";
        return refuse(
            state,
            EntryKind::Deploy,
            None,
            &[],
            &options,
            why,
            exit::ERROR,
        );
    }
    let history = versions_used(state);
    state.modal = Some(Modal::VersionPrompt(Prompt {
        input: history.first().cloned().unwrap_or_default(),
        at: (!history.is_empty()).then_some(0),
        history,
        color: state.standby_color(),
    }));
    state.mark_dirty();
    Vec::new()
}

/// ↑ (older) or ↓ (newer) in the prompt's history; below the newest is an empty line.
pub fn walk(prompt: &mut Prompt, older: bool) {
    let last = prompt.history.len().checked_sub(1);
    prompt.at = match (prompt.at, older, last) {
        (_, _, None) => None,
        (None, true, Some(_)) => Some(0),
        (Some(i), true, Some(last)) => Some((i + 1).min(last)),
        (Some(0), false, _) | (None, false, _) => None,
        (Some(i), false, _) => Some(i - 1),
    };
    prompt.input = prompt
        .at
        .and_then(|i| prompt.history.get(i).cloned())
        .unwrap_or_default();
}

/// Enter in the prompt: deploy what was typed.
pub fn submit(state: &mut State) -> Vec<Cmd> {
    let Some(Modal::VersionPrompt(prompt)) = state.modal.take() else {
        return Vec::new();
    };
    let version = prompt.input.trim().to_string();
    if version.is_empty() {
        state.modal = Some(Modal::VersionPrompt(prompt));
        state.flash("type the version to deploy (↑/↓: versions used before)");
        return Vec::new();
    }
    state.versions_typed.retain(|v| *v != version);
    state.versions_typed.insert(0, version.clone());
    let request = Request::Deploy {
        version,
        color: prompt.color,
    };
    super::request(state, request, RequestOptions::default())
}

/// A deploy request from the prompt or `cutover deploy`.
pub fn deploy(
    state: &mut State,
    version: String,
    color: Option<Color>,
    options: RequestOptions,
) -> Vec<Cmd> {
    let kind = EntryKind::Deploy;
    let Some(cfg) = state.lifecycle_config.deploy.clone() else {
        return decline(
            state,
            &options,
            "deploy: no [deploy] section in the configuration",
        );
    };
    if state.session.read_only {
        let why = "read-only session: workload actions are refused";
        return refuse(state, kind, color, &[], &options, why, exit::ERROR);
    }
    let Some(color) = color.or_else(|| state.standby_color()) else {
        let why = format!(
            "the router says {}, so there is no standby color: say which color (--color)",
            state
                .router
                .as_ref()
                .map(|r| plan::target_words(&r.target))
                .unwrap_or_else(|| "nothing yet".into())
        );
        return refuse(state, kind, None, &[], &options, &why, exit::GATE);
    };
    if let Err(why) = check_version(&version, cfg.mode) {
        return decline(state, &options, &format!("deploy {version:?}: {why}"));
    }
    if let Some(why) = busy(state, None) {
        return refuse(state, kind, Some(color), &[], &options, &why, exit::ERROR);
    }
    let live = state.live_color() == Some(color);
    let plan = deploy_plan(state, &cfg, color, version.clone());
    let mut gates = vec![target_gate(state, color)];
    if state.color(color).version().as_deref() == Some(version.as_str()) {
        gates.push(Gate {
            name: "version",
            state: GateState::Warn,
            detail: format!("{} already runs {version}", color.word()),
            fix: None,
        });
    }
    let (expect, warning) = if live {
        (
            Some(color.name().to_string()),
            Some(format!(
                "{} is LIVE: this changes the color serving traffic",
                color.word()
            )),
        )
    } else {
        (None, None)
    };
    let (mut expect, mut warning) = (expect, warning);
    let mut options = RequestOptions {
        yes: options.yes && !live,
        ..options
    };
    // Deploying is driving: while someone else drives it is refused or taken over.
    if let Err(why) = super::lease::require(
        state,
        "deploy",
        &mut gates,
        &mut expect,
        &mut warning,
        &mut options,
    ) {
        return refuse(
            state,
            kind,
            Some(color),
            &gates,
            &options,
            &why,
            exit::ERROR,
        );
    }
    let request = Request::Deploy {
        version,
        color: Some(color),
    };
    confirm_or_start(
        state,
        request,
        Op::Deploy(plan),
        gates,
        expect,
        warning,
        options,
    )
}

/// The version must be usable: not empty, no control characters or spaces; in image mode
/// a valid image tag.
fn check_version(version: &str, mode: DeployMode) -> Result<(), String> {
    if version.is_empty() {
        return Err("no version given".into());
    }
    if version.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("a version has no spaces or control characters".into());
    }
    if mode == DeployMode::Image {
        let mut chars = version.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !first_ok || !rest_ok || version.len() > 128 {
            return Err(
                "not an image tag (letters, digits, _ . -; at most 128; not starting with . or -)"
                    .into(),
            );
        }
    }
    Ok(())
}

/// "GREEN is standby (BLUE serves)" or a warning that it is LIVE.
fn target_gate(state: &State, color: Color) -> Gate {
    match state.live_color() {
        Some(l) if l == color => Gate {
            name: "target",
            state: GateState::Warn,
            detail: format!("{} is LIVE", color.word()),
            fix: None,
        },
        Some(l) => Gate::new(
            "target",
            true,
            format!("{} is standby ({} serves)", color.word(), l.word()),
            None,
        ),
        None => Gate {
            name: "target",
            state: GateState::Warn,
            detail: format!(
                "the router names no single color; {} may take traffic",
                color.word()
            ),
            fix: None,
        },
    }
}

/// The plan of a deploy of `version` to `color`.
fn deploy_plan(state: &State, cfg: &DeployConfig, color: Color, version: String) -> DeployPlan {
    let namespace = state.color(color).namespace.clone();
    let how = match cfg.mode {
        DeployMode::Image => DeployHow::Image {
            image: cfg.image.clone(),
            container: cfg.container.clone(),
            restore_replicas: restore_replicas(state, color),
        },
        DeployMode::Command => DeployHow::Command(command_for(
            &cfg.command,
            &cfg.env,
            &cfg.workdir,
            cfg.timeout_secs,
            &[
                ("version", &version),
                ("color", color.name()),
                ("namespace", &namespace),
            ],
        )),
    };
    DeployPlan {
        color,
        deployment: state
            .color(color)
            .deployment
            .as_ref()
            .map(|d| d.name.clone()),
        namespace,
        from_version: state.color(color).version(),
        version,
        how,
        rollout_timeout_secs: cfg.rollout_timeout_secs,
        lease: super::lease::claim(state),
    }
}

/// Replicas a color scaled to 0 gets back: the other color's count (the one serving), else 1.
pub fn restore_replicas(state: &State, color: Color) -> u32 {
    let other = state.color(color.other()).deployment.as_ref();
    other.map(|d| d.desired).filter(|n| *n > 0).unwrap_or(1)
}

/// What a deploy's confirmation shows.
pub fn situation(state: &State, p: &DeployPlan) -> Vec<String> {
    let from = p.from_version.as_deref().unwrap_or("?");
    let mut out = vec![format!(
        "deploy {} to {} ({}), now {from}",
        p.version,
        p.color.word(),
        p.namespace
    )];
    match &p.how {
        DeployHow::Image {
            image,
            container,
            restore_replicas,
        } => {
            let d = state.color(p.color).deployment.as_ref();
            let repo = image.clone().unwrap_or_else(|| {
                d.map(|d| crate::model::image_repository(&d.image).to_string())
                    .unwrap_or_else(|| "(current image)".into())
            });
            let deployment = p.deployment.as_deref().unwrap_or("?");
            let container = container.as_deref().unwrap_or("its only container");
            out.push(format!(
                "  patch Deployment {deployment} ({container}) to image {repo}:{}",
                p.version
            ));
            if is_down(state, p.color) {
                out.push(format!(
                    "  {} is scaled to 0: restore {restore_replicas} replicas (as {} has)",
                    p.color.word(),
                    p.color.other().word()
                ));
            }
        }
        DeployHow::Command(spec) => {
            out.push(format!("  run (no shell): {}", spec.words()));
            out.push(format!(
                "  killed after {} s; Ctrl-C asks before interrupting it",
                spec.timeout_secs
            ));
        }
    }
    if let Some(d) = &p.deployment {
        out.push(format!(
            "  then follow the rollout of {d} (up to {} s)",
            p.rollout_timeout_secs
        ));
    }
    out.push(format!(
        "  {}'s smoke result and checklist start over for {}",
        p.color.word(),
        p.version
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_checked_as_image_tags_only_in_image_mode() {
        assert!(check_version("v2.0.1", DeployMode::Image).is_ok());
        assert!(check_version("v2;ls", DeployMode::Image).is_err());
        assert!(check_version("v2;ls", DeployMode::Command).is_ok());
        assert!(check_version("v 2", DeployMode::Command).is_err());
        assert!(check_version("-v2", DeployMode::Image).is_err());
    }

    #[test]
    fn the_prompt_history_walks_older_and_back() {
        let mut p = Prompt {
            input: "v3".into(),
            history: vec!["v3".into(), "v2".into()],
            at: Some(0),
            color: None,
        };
        walk(&mut p, true);
        assert_eq!(p.input, "v2");
        walk(&mut p, true);
        assert_eq!(p.input, "v2", "stops at the oldest");
        walk(&mut p, false);
        assert_eq!(p.input, "v3");
        walk(&mut p, false);
        assert_eq!(p.input, "", "below the newest: an empty line");
    }
}
