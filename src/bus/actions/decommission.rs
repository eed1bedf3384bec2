//! Decommission (scale the old color's Deployment to 0, or run `[decommission] command`),
//! and its way back: scale a decommissioned color up and wait until it is ready.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Patch, PatchParams};
use kube::Api;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::deploy::{command, FIELD_MANAGER};
use super::rollout::{self, Follow, Reading, RolloutEnd};
use super::Progress;
use crate::app::action::lifecycle::{DecommissionHow, DecommissionPlan, ScalePlan, WorkReport};
use crate::app::action::{Outcome, Phase, PhaseTime};
use crate::bus::Ctx;
use crate::cluster::clean;

/// How long a decommission waits for the old pods to stop before it says they still are.
const STOP_WAIT: Duration = Duration::from_secs(60);

/// Take the color down and say how it went.
pub async fn run(
    ctx: &Ctx,
    plan: DecommissionPlan,
    progress: &Progress,
    cancel: CancellationToken,
) -> Outcome {
    let started = Instant::now();
    // Taking a color down is driving: a lost claim writes nothing.
    if let Err(e) = crate::bus::lease::take(ctx, plan.lease.as_ref()).await {
        return Outcome::Failed(e);
    }
    let color = plan.color.word();
    match &plan.how {
        DecommissionHow::Command(spec) => {
            match command(spec, "decommission", progress, &cancel).await {
                Ok(()) => {
                    let phases = vec![progress.phase(Phase::Command)];
                    let summary = format!(
                        "{color} decommissioned: `{}` exited 0 in {:.1} s",
                        spec.program(),
                        started.elapsed().as_secs_f64()
                    );
                    work(true, summary, phases)
                }
                Err(e) => work(
                    false,
                    format!("decommission of {color} FAILED: {e}"),
                    vec![],
                ),
            }
        }
        DecommissionHow::Scale { deployment } => {
            let api: Api<Deployment> = Api::namespaced(ctx.client.clone(), &plan.namespace);
            if let Err(e) = scale(&api, deployment, 0, progress).await {
                return work(
                    false,
                    format!("decommission of {color} FAILED: {e}"),
                    vec![],
                );
            }
            let phases = vec![progress.phase(Phase::Patched)];
            progress.output(format!(
                "✔ Deployment {deployment} scaled {} → 0",
                plan.replicas_before
            ));
            let stopped = wait_stopped(&api, deployment, progress, &cancel).await;
            let summary = format!(
                "{color} decommissioned: Deployment {deployment} scaled {} → 0 ({stopped}) in {:.1} s",
                plan.replicas_before,
                started.elapsed().as_secs_f64()
            );
            work(true, summary, phases)
        }
    }
}

/// Scale a decommissioned color up; ready when every replica is.
pub async fn scale_up(
    ctx: &Ctx,
    plan: ScalePlan,
    progress: &Progress,
    cancel: CancellationToken,
) -> Outcome {
    let started = Instant::now();
    let api: Api<Deployment> = Api::namespaced(ctx.client.clone(), &plan.namespace);
    let scaled = tokio::select! {
        biased;
        _ = cancel.cancelled() => return Outcome::Cancelled,
        r = scale(&api, &plan.deployment, plan.replicas, progress) => r,
    };
    let color = plan.color.word();
    if let Err(e) = scaled {
        return work(false, format!("scale-up of {color} FAILED: {e}"), vec![]);
    }
    let mut phases = vec![progress.phase(Phase::Patched)];
    progress.output(format!(
        "✔ Deployment {} scaled 0 → {}",
        plan.deployment, plan.replicas
    ));
    let follow = Follow {
        color: plan.color,
        namespace: &plan.namespace,
        deployment: &plan.deployment,
        version: None,
        timeout_secs: plan.timeout_secs,
    };
    match rollout::follow(ctx, &follow, progress, &cancel).await {
        RolloutEnd::Complete(counts) => {
            phases.push(progress.phase(Phase::RolledOut));
            let summary = format!(
                "{color} scaled up to {} ({counts}) in {:.1} s",
                plan.replicas,
                started.elapsed().as_secs_f64()
            );
            work(true, summary, phases)
        }
        RolloutEnd::Failed(why) => {
            work(false, format!("scale-up of {color} FAILED: {why}"), phases)
        }
        RolloutEnd::Cancelled => work(
            false,
            format!("scale-up of {color}: stopped waiting; it goes on in the cluster"),
            phases,
        ),
    }
}

fn work(ok: bool, summary: String, phases: Vec<PhaseTime>) -> Outcome {
    Outcome::Work(WorkReport {
        ok,
        summary,
        phases,
    })
}

/// Set a Deployment's replicas through its scale subresource.
async fn scale(
    api: &Api<Deployment>,
    name: &str,
    replicas: u32,
    progress: &Progress,
) -> Result<(), String> {
    progress.waiting(format!("scaling Deployment {name} to {replicas}"));
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    let body = json!({"spec": {"replicas": replicas}});
    api.patch_scale(name, &params, &Patch::Merge(&body))
        .await
        .map(|_| ())
        .map_err(|e| clean(&format!("scaling Deployment {name} to {replicas}: {e}")))
}

/// Wait (a while) until the Deployment has no pod left; says how it ended.
async fn wait_stopped(
    api: &Api<Deployment>,
    name: &str,
    progress: &Progress,
    cancel: &CancellationToken,
) -> String {
    let deadline = Instant::now() + STOP_WAIT;
    loop {
        if let Ok(d) = api.get(name).await {
            let r = Reading::of(&d);
            if r.replicas == 0 {
                return "every pod stopped".into();
            }
            progress.waiting(format!("{} pods still stopping", r.replicas));
        }
        if Instant::now() >= deadline || cancel.is_cancelled() {
            return "pods still stopping".into();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
