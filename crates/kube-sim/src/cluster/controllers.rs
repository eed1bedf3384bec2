//! The controller manager: follows store changes, marks namespaces dirty, and runs the
//! Deployment, ReplicaSet and EndpointSlice controllers on them — level-triggered, batched
//! (all pending changes are drained before a pass), with a periodic full resync for
//! time-based conditions like the progress deadline.

use super::{deployments, gateway, replicasets, slices, Ctx};
use crate::store::Change;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::TryRecvError};
use tokio_util::sync::CancellationToken;

/// How long a change waits for the rest of its burst before a pass runs.
const BATCH: Duration = Duration::from_millis(5);

/// Which controllers a change concerns.
#[derive(Default)]
struct Dirty {
    workloads: BTreeSet<String>,
    endpoints: BTreeSet<String>,
    gateways: bool,
    everything: bool,
}

impl Dirty {
    fn note(&mut self, c: &Change) {
        match c.resource.as_str() {
            "deployments" | "replicasets" => {
                self.workloads.insert(c.namespace.clone());
            }
            "pods" => {
                self.workloads.insert(c.namespace.clone());
                self.endpoints.insert(c.namespace.clone());
            }
            "services" => {
                self.endpoints.insert(c.namespace.clone());
                self.gateways = true;
            }
            "endpointslices" => {
                self.endpoints.insert(c.namespace.clone());
            }
            "httproutes" | "gateways" | "referencegrants" | "ingresses" => self.gateways = true,
            _ => {}
        }
    }

    fn is_empty(&self) -> bool {
        !self.everything && !self.gateways && self.workloads.is_empty() && self.endpoints.is_empty()
    }
}

/// Runs the controllers until `shutdown`.
pub(crate) async fn run(ctx: Arc<Ctx>, shutdown: CancellationToken) {
    let mut rx = ctx.store.subscribe();
    let mut resync = tokio::time::interval(Duration::from_millis(ctx.tuning.resync_ms.max(10)));
    resync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let mut dirty = Dirty::default();
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = resync.tick() => dirty.everything = true,
            change = rx.recv() => match change {
                Ok(c) => dirty.note(&c),
                Err(broadcast::error::RecvError::Lagged(_)) => dirty.everything = true,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
        if !dirty.is_empty() {
            // Changes come in bursts (a rollout, a kubelet round): gather them into one pass.
            tokio::time::sleep(BATCH).await;
        }
        loop {
            match rx.try_recv() {
                Ok(c) => dirty.note(&c),
                Err(TryRecvError::Lagged(_)) => dirty.everything = true,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        if !dirty.is_empty() {
            // A malformed object must not stop the cluster: log and keep going.
            let run = std::panic::AssertUnwindSafe(|| pass(&ctx, dirty));
            if std::panic::catch_unwind(run).is_err() {
                tracing::error!("a controller pass panicked; continuing with the next change");
            }
            // Let the kubelet's workers and the API server run between passes.
            tokio::task::yield_now().await;
        }
    }
}

/// One reconciliation pass over the dirty namespaces.
fn pass(ctx: &Ctx, mut dirty: Dirty) {
    if dirty.everything {
        let (namespaces, _) = ctx.store.list("namespaces", None, None);
        let mut all: BTreeSet<String> = namespaces
            .iter()
            .filter_map(|n| n.pointer("/metadata/name")?.as_str().map(String::from))
            .collect();
        for resource in ["deployments", "replicasets", "pods", "services"] {
            let (items, _) = ctx.store.list(resource, None, None);
            all.extend(
                items
                    .iter()
                    .filter_map(|o| o.pointer("/metadata/namespace")?.as_str().map(String::from)),
            );
        }
        dirty.workloads.extend(all.iter().cloned());
        dirty.endpoints.extend(all);
    }
    for ns in &dirty.workloads {
        let (deploys, _) = ctx.store.list("deployments", Some(ns), None);
        let steps = deployments::sync_namespace(ctx, ns, &deploys);
        replicasets::sync_namespace(ctx, ns);
        for (name, step) in steps {
            deployments::update_status(ctx, ns, &name, step);
        }
    }
    for ns in &dirty.endpoints {
        slices::sync_namespace(ctx, ns);
    }
    if dirty.gateways || dirty.everything {
        gateway::sync(ctx);
    }
}
