//! The simulated cluster: Deployment/ReplicaSet controllers, the kubelet (pod lifecycle,
//! probes, crash loops), EndpointSlices, Events, and the ready-made scenarios.
//!
//! Everything works on the shared store like real controllers on the API: level-triggered,
//! never "fixing" what a client wrote.

mod controllers;
mod deployments;
pub mod events;
pub mod gateway;
mod kubelet;
pub mod meta;
pub mod names;
pub mod podstatus;
pub mod prom_sd;
mod replicasets;
pub mod rollout;
pub mod runtime;
pub mod scenario;
pub mod slices;
pub mod status;
pub mod summary;
mod tuning;
mod worker;

pub use runtime::{ContainerRuntime, StandIn};
pub use scenario::UnknownScenario;
pub use summary::routes;
pub use tuning::Tuning;

use crate::state::SimState;
use crate::store::Store;
use events::Recorder;
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// What the controllers and the kubelet share.
pub(crate) struct Ctx {
    store: Arc<Store>,
    tuning: Arc<Tuning>,
    events: Recorder,
    runtime: Arc<dyn ContainerRuntime>,
    ips: AtomicU32,
}

impl Ctx {
    /// A fresh pod IP from 10.244.0.0/16 (never reused while the simulator runs).
    fn next_ip(&self) -> String {
        let n = self.ips.fetch_add(1, Ordering::Relaxed);
        format!("10.244.{}.{}", (n / 250) % 256, n % 250 + 2)
    }
}

/// The running simulated cluster (controllers and kubelet tasks on the sim's runtime).
pub struct Cluster {
    ctx: Arc<Ctx>,
}

impl Cluster {
    /// Seeds `state.scenario` into the store and starts the controllers and the kubelet on
    /// the current tokio runtime; they stop when `state.shutdown` is cancelled.
    /// Containers run as `state.apps`.
    pub fn start(state: SimState) -> Arc<Self> {
        let apps = state.apps.clone();
        Self::start_with(&state, apps)
    }

    /// Like [`Cluster::start`], with an explicit container runtime.
    pub fn start_with(state: &SimState, runtime: Arc<dyn ContainerRuntime>) -> Arc<Self> {
        let ctx = Arc::new(Ctx {
            store: state.store.clone(),
            tuning: state.tuning.clone(),
            events: Recorder::new(state.store.clone()),
            runtime,
            ips: AtomicU32::new(0),
        });
        if let Err(e) = seed(&state.store, &state.scenario) {
            tracing::warn!("{e}");
        }
        tokio::spawn(controllers::run(ctx.clone(), state.shutdown.clone()));
        tokio::spawn(kubelet::Kubelet::new(ctx.clone()).run(state.shutdown.clone()));
        Arc::new(Self { ctx })
    }

    /// The tuning the cluster runs with.
    pub fn tuning(&self) -> &Tuning {
        &self.ctx.tuning
    }
}

/// The store's resource plural for a scenario object's kind.
fn plural(kind: &str) -> String {
    match kind {
        "Ingress" => "ingresses".into(),
        other => format!("{}s", other.to_lowercase()),
    }
}

/// Creates the objects of `scenario` in `store` (`empty`: nothing). Objects that already
/// exist are left as they are.
pub fn seed(store: &Store, scenario: &str) -> Result<(), UnknownScenario> {
    if scenario == "empty" {
        return Ok(());
    }
    let mut next_cluster_ip = 10;
    for mut obj in scenario::objects(scenario)? {
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if kind == "Service" {
            let ip = format!("10.96.0.{next_cluster_ip}");
            next_cluster_ip += 1;
            obj["spec"]["clusterIP"] = json!(ip);
            obj["spec"]["clusterIPs"] = json!([ip]);
            crate::server::services::apply_defaults(&mut obj);
        }
        let _ = store.create(&plural(&kind), &ns, obj);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
