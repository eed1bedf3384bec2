//! Whether each color's namespace exists. An empty pod list reads the same whether the
//! selector matches nothing or the namespace is gone (listing pods of a missing namespace
//! is not an error in Kubernetes), so while a color has no pods its namespace is looked up.

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use tokio::task::JoinSet;

use super::{Ctx, Shared};
use crate::app::msg::Msg;
use crate::model::Color;

/// How often a color without pods has its namespace looked up again.
pub const RECHECK: Duration = Duration::from_secs(10);

/// Starts one presence check per color.
pub fn spawn_all(ctx: &Ctx, shared: &Shared, tasks: &mut JoinSet<()>) {
    for color in Color::BOTH {
        tasks.spawn(namespace_check(ctx.clone(), shared.clone(), color));
    }
}

async fn namespace_check(ctx: Ctx, shared: Shared, color: Color) {
    let namespace = ctx.config.colors.of(color).namespace.clone();
    let api: Api<Namespace> = Api::all(ctx.client.clone());
    let mut pods = shared.pods[color as usize].subscribe();
    let mut told: Option<bool> = None;
    let mut tick = tokio::time::interval(RECHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = pods.changed() => if changed.is_err() { return },
        }
        let has_pods = !pods.borrow_and_update().is_empty();
        let exists = if has_pods {
            Some(true)
        } else {
            // Not allowed to read namespaces, or no answer: say nothing rather than guess.
            match api.get_opt(&namespace).await {
                Ok(found) => Some(found.is_some()),
                Err(_) => None,
            }
        };
        let Some(exists) = exists else { continue };
        if told != Some(exists) {
            told = Some(exists);
            if ctx.tx.send(Msg::Namespace { color, exists }).is_err() {
                return;
            }
        }
    }
}
