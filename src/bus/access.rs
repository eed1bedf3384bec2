//! SelfSubjectAccessReviews at start: one per permission cutover's actions need, answered
//! as `Msg::Access`. A review that fails counts as allowed (the API server still decides
//! each write) and is logged.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use tokio::task::JoinSet;

use super::Ctx;
use crate::app::access::{Answer, Need};
use crate::app::msg::Msg;
use crate::cluster::router;

/// Review every permission once and report.
pub fn spawn(ctx: &Ctx, tasks: &mut JoinSet<()>) {
    let ctx = ctx.clone();
    tasks.spawn(async move {
        let mut answers = Vec::new();
        for need in Need::ALL {
            let attrs = attributes(&ctx, need);
            let allowed = match review(&ctx, attrs.clone()).await {
                Ok(allowed) => allowed,
                Err(e) => {
                    tracing::warn!("permission review of {} failed: {e}", words(&attrs));
                    true
                }
            };
            answers.push(Answer {
                need,
                words: words(&attrs),
                allowed,
            });
        }
        let _ = ctx.tx.send(Msg::Access(answers));
    });
}

/// What the API server is asked for `need`.
pub fn attributes(ctx: &Ctx, need: Need) -> ResourceAttributes {
    let ns = ctx.config.router.namespace.clone();
    let (verb, group, resource, name) = match need {
        Need::PatchRouter => {
            let ar = router::api_resource(ctx.config.router.kind);
            (
                "patch",
                ar.group,
                ar.plural,
                Some(ctx.config.router.name.clone()),
            )
        }
        Need::CreateEvents => ("create", "events.k8s.io".into(), "events".into(), None),
        Need::CreateLeases => (
            "create",
            "coordination.k8s.io".into(),
            "leases".into(),
            None,
        ),
        Need::UpdateLeases => (
            "update",
            "coordination.k8s.io".into(),
            "leases".into(),
            None,
        ),
        Need::UpdateHistory => (
            "update",
            String::new(),
            "configmaps".into(),
            Some(super::journal::HISTORY.to_string()),
        ),
    };
    ResourceAttributes {
        verb: Some(verb.into()),
        group: Some(group),
        resource: Some(resource),
        name,
        namespace: Some(ns),
        ..ResourceAttributes::default()
    }
}

/// "patch httproutes.gateway.networking.k8s.io fittrack/fittrack".
fn words(a: &ResourceAttributes) -> String {
    let resource = match a.group.as_deref() {
        Some("") | None => a.resource.clone().unwrap_or_default(),
        Some(g) => format!("{}.{g}", a.resource.clone().unwrap_or_default()),
    };
    let ns = a.namespace.clone().unwrap_or_default();
    let target = match &a.name {
        Some(name) => format!("{ns}/{name}"),
        None => format!("in {ns}"),
    };
    format!("{} {resource} {target}", a.verb.clone().unwrap_or_default())
}

async fn review(ctx: &Ctx, attrs: ResourceAttributes) -> Result<bool, String> {
    let api: Api<SelfSubjectAccessReview> = Api::all(ctx.client.clone());
    let ssar = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(attrs),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let pp = PostParams::default();
    let asked = api.create(&pp, &ssar);
    match tokio::time::timeout(std::time::Duration::from_secs(5), asked).await {
        Ok(Ok(r)) => Ok(r.status.is_some_and(|s| s.allowed)),
        Ok(Err(e)) => Err(crate::cluster::clean(&crate::cluster::errors::explain(&e))),
        Err(_) => Err("no answer within 5 s".into()),
    }
}
