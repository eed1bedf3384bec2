//! Deploy: patch the color's Deployment to the new image (image mode; a Deployment scaled
//! to 0 gets its replicas back) or run the deploy command (command mode), then follow the
//! rollout until it completes or fails.

use std::time::Instant;

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Patch, PatchParams};
use kube::Api;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::process::{self, Spawn};
use super::rollout::{self, Follow, RolloutEnd};
use super::Progress;
use crate::app::action::lifecycle::{CommandSpec, DeployHow, DeployPlan, WorkReport};
use crate::app::action::{Outcome, Phase, PhaseTime};
use crate::bus::Ctx;
use crate::cluster::clean;

/// The field manager cutover's own writes carry.
pub const FIELD_MANAGER: &str = "cutover";

/// Run a deploy to its end and say how it ended.
pub async fn run(
    ctx: &Ctx,
    plan: DeployPlan,
    progress: &Progress,
    cancel: CancellationToken,
) -> Outcome {
    let started = Instant::now();
    // Deploying is driving: a lost claim (someone took the lease meanwhile) writes nothing.
    if let Err(e) = crate::bus::lease::take(ctx, plan.lease.as_ref()).await {
        return Outcome::Failed(e);
    }
    let mut phases = Vec::new();
    let changed = match &plan.how {
        DeployHow::Image {
            image,
            container,
            restore_replicas,
        } => {
            let patched = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Outcome::Cancelled,
                r = patch_image(ctx, &plan, image.as_deref(), container.as_deref(), *restore_replicas, progress) => r,
            };
            match patched {
                Ok(line) => {
                    progress.output(format!("✔ {line}"));
                    phases.push(progress.phase(Phase::Patched));
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
        DeployHow::Command(spec) => match command(spec, "deploy", progress, &cancel).await {
            Ok(()) => {
                phases.push(progress.phase(Phase::Command));
                Ok(())
            }
            Err(e) if cancel.is_cancelled() => {
                let why = format!(
                    "{e}: killed on request — check `{} status`; an interrupted upgrade may \
                     need a rollback of its release",
                    spec.program()
                );
                return failed(&plan, &why, phases);
            }
            Err(e) => Err(e),
        },
    };
    if let Err(e) = changed {
        return failed(&plan, &e, phases);
    }
    let Some(deployment) = plan.deployment.as_deref() else {
        let summary = format!(
            "{} deployed {} in {} (no Deployment configured: the command's exit is the result)",
            plan.color.word(),
            plan.version,
            secs(started)
        );
        return done(summary, phases);
    };
    let image_mode = matches!(plan.how, DeployHow::Image { .. });
    let follow = Follow {
        color: plan.color,
        namespace: &plan.namespace,
        deployment,
        version: image_mode.then_some(plan.version.as_str()),
        timeout_secs: plan.rollout_timeout_secs,
    };
    match rollout::follow(ctx, &follow, progress, &cancel).await {
        RolloutEnd::Complete(counts) => {
            phases.push(progress.phase(Phase::RolledOut));
            let summary = format!(
                "{} rolled out {} ({}) in {}",
                plan.color.word(),
                plan.version,
                counts,
                secs(started)
            );
            done(summary, phases)
        }
        RolloutEnd::Failed(why) => failed(&plan, &why, phases),
        RolloutEnd::Cancelled => Outcome::Work(WorkReport {
            ok: false,
            summary: format!(
                "deploy of {} to {}: stopped following after it was applied; the rollout goes on in the cluster",
                plan.version,
                plan.color.word()
            ),
            phases,
        }),
    }
}

fn secs(started: Instant) -> String {
    format!("{:.1} s", started.elapsed().as_secs_f64())
}

fn done(summary: String, phases: Vec<PhaseTime>) -> Outcome {
    Outcome::Work(WorkReport {
        ok: true,
        summary,
        phases,
    })
}

fn failed(plan: &DeployPlan, why: &str, phases: Vec<PhaseTime>) -> Outcome {
    Outcome::Work(WorkReport {
        ok: false,
        summary: format!(
            "deploy of {} to {} FAILED: {why}",
            plan.version,
            plan.color.word()
        ),
        phases,
    })
}

/// Run an external command to exit 0, or say why not (its last output line included).
pub async fn command(
    spec: &CommandSpec,
    label: &str,
    progress: &Progress,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let spawn = Spawn {
        label,
        argv: &spec.argv,
        env: process::command_environment(&spec.env),
        workdir: spec.workdir.as_deref(),
        timeout_secs: spec.timeout_secs,
        note: None,
    };
    let end = process::run(&spawn, progress, cancel).await;
    if end.succeeded() {
        return Ok(());
    }
    let last = end
        .lines
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| format!(": {l}"))
        .unwrap_or_default();
    Err(format!("`{}` {}{last}", spec.program(), end.words()))
}

/// Patch the container image (and replicas when scaled to 0); returns what was done.
async fn patch_image(
    ctx: &Ctx,
    plan: &DeployPlan,
    image: Option<&str>,
    container: Option<&str>,
    restore_replicas: u32,
    progress: &Progress,
) -> Result<String, String> {
    let name = plan
        .deployment
        .as_deref()
        .ok_or_else(|| format!("{} has no Deployment configured", plan.color.word()))?;
    let api: Api<Deployment> = Api::namespaced(ctx.client.clone(), &plan.namespace);
    progress.waiting(format!("reading Deployment {name} in {}", plan.namespace));
    let d = api.get(name).await.map_err(|e| {
        clean(&format!(
            "reading Deployment {name} in {}: {e}",
            plan.namespace
        ))
    })?;
    let spec = d.spec.clone();
    let containers = spec
        .template
        .spec
        .as_ref()
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    let names: Vec<String> = containers.iter().map(|c| clean(&c.name)).collect();
    let target = match container {
        Some(want) => containers.iter().find(|c| c.name == want).ok_or_else(|| {
            format!(
                "Deployment {name} has no container `{want}` (it has {})",
                names.join(", ")
            )
        })?,
        None if containers.len() == 1 => &containers[0],
        None => {
            return Err(format!(
                "Deployment {name} has {} containers ({}); set [deploy] container",
                containers.len(),
                names.join(", ")
            ))
        }
    };
    let current = target.image.clone().unwrap_or_default();
    let repo = image
        .map(str::to_string)
        .unwrap_or_else(|| crate::model::image_repository(&current).to_string());
    let new_image = format!("{repo}:{}", plan.version);
    let mut body = json!({"spec": {"template": {"spec": {"containers": [
        {"name": target.name, "image": new_image}
    ]}}}});
    let scaled_to_zero = spec.replicas == Some(0);
    if scaled_to_zero {
        body["spec"]["replicas"] = json!(restore_replicas);
    }
    progress.waiting(format!("patching Deployment {name}"));
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    api.patch(name, &params, &Patch::Strategic(&body))
        .await
        .map_err(|e| {
            clean(&format!(
                "patching Deployment {name} in {}: {e}",
                plan.namespace
            ))
        })?;
    let mut line = clean(&format!(
        "Deployment {name}: {} {current} → {new_image}",
        target.name
    ));
    if scaled_to_zero {
        line.push_str(&format!(" (replicas 0 → {restore_replicas})"));
    }
    Ok(line)
}
