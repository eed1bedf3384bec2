//! Smoke test: built-in HTTP checks against every ready pod of the color, then (when the
//! checks pass) the external suite with `BASE_URL` forwarded to one of those pods.

use std::time::Instant;

use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::Api;
use tokio_util::sync::CancellationToken;

use super::forward::Forward;
use super::suite::{self, SuiteEnd};
use super::{checks, Progress};
use crate::app::action::{Outcome, Phase, SmokePlan, SmokeReport};
use crate::bus::Ctx;
use crate::cluster::clean;
use crate::cluster::convert::pod_summary;
use crate::model::Color;

/// Run a smoke test to the end and say how it ended.
pub async fn run(
    ctx: &Ctx,
    plan: SmokePlan,
    progress: &Progress,
    cancel: CancellationToken,
) -> Outcome {
    let started = Instant::now();
    let color = plan.color;
    progress.waiting(format!("listing {} pods", color.word()));
    let pods = tokio::select! {
        biased;
        _ = cancel.cancelled() => return Outcome::Cancelled,
        pods = ready_pods(ctx, color) => match pods {
            Ok(pods) => pods,
            Err(e) => return Outcome::Failed(e),
        },
    };
    let mut report = SmokeReport {
        passed: false,
        checks: Vec::new(),
        suite_exit: None,
        suite_error: None,
        ms: 0,
    };
    if !plan.checks.is_empty() {
        progress.waiting(format!(
            "{} checks on {} ready {} pods",
            plan.checks.len(),
            pods.len(),
            color.word()
        ));
        report.checks = checks::run(ctx, color, &pods, &plan.checks, progress, &cancel).await;
        if report.checks.is_empty() && cancel.is_cancelled() {
            return Outcome::Cancelled;
        }
        progress.phase(Phase::Checks);
    }
    let checks_ok = report.checks.iter().all(|c| c.ok);
    if plan.suite {
        let end = if cancel.is_cancelled() {
            skipped("cancelled")
        } else if !checks_ok {
            skipped("skipped: the built-in checks failed")
        } else {
            run_suite(ctx, color, &pods, progress, &cancel).await
        };
        if end.error.as_deref() == Some("cancelled") && plan.checks.is_empty() {
            return Outcome::Cancelled;
        }
        (report.suite_exit, report.suite_error) = (end.exit, end.error);
        progress.phase(Phase::Suite);
    }
    let tested = !report.checks.is_empty() || plan.suite;
    if !tested {
        progress.output("nothing to test: no [[smoke.checks]] and no suite to run");
    }
    report.passed = tested
        && checks_ok
        && !cancel.is_cancelled()
        && (!plan.suite || (report.suite_exit == Some(0) && report.suite_error.is_none()));
    report.ms = started.elapsed().as_millis() as u64;
    Outcome::Smoke(report)
}

fn skipped(why: &str) -> SuiteEnd {
    SuiteEnd {
        exit: None,
        error: Some(why.to_string()),
    }
}

/// The suite with `BASE_URL` forwarded to the first ready pod, for exactly its lifetime.
async fn run_suite(
    ctx: &Ctx,
    color: Color,
    pods: &[String],
    progress: &Progress,
    cancel: &CancellationToken,
) -> SuiteEnd {
    let Some(pod) = pods.first() else {
        let why = format!("no ready pod of {} to forward BASE_URL to", color.word());
        progress.output(format!("suite: {why}"));
        return skipped(&why);
    };
    let cc = ctx.config.colors.of(color);
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &cc.namespace);
    let forward = match Forward::start(api, pod.clone(), cc.port, progress.clone()).await {
        Ok(f) => f,
        Err(e) => {
            let why = clean(&format!("cannot listen for BASE_URL on 127.0.0.1: {e}"));
            progress.output(format!("suite: {why}"));
            return skipped(&why);
        }
    };
    progress.output(format!(
        "BASE_URL {} → {pod}:{} (port-forward)",
        forward.base_url(),
        cc.port
    ));
    let end = suite::run(&ctx.config.smoke, &forward.base_url(), progress, cancel).await;
    drop(forward);
    end
}

/// A fresh list of the color's ready pods (not terminating, every container ready), by
/// name.
async fn ready_pods(ctx: &Ctx, color: Color) -> Result<Vec<String>, String> {
    let cc = ctx.config.colors.of(color);
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &cc.namespace);
    let list = api
        .list(&ListParams::default().labels(&cc.selector))
        .await
        .map_err(|e| {
            clean(&format!(
                "listing {} pods ({}) in {}: {e}",
                color.word(),
                cc.selector,
                cc.namespace
            ))
        })?;
    let mut names: Vec<String> = list
        .items
        .iter()
        .map(pod_summary)
        .filter(|p| p.is_ready() && !p.terminating)
        .map(|p| p.name)
        .collect();
    names.sort();
    Ok(names)
}
