//! The simulated apps: per-pod HTTP, metrics, logs, proxy, port-forward, load balancer, traffic.
//!
//! Every running pod container is an [`instance::Instance`] in the [`Apps`] registry. Real HTTP
//! reaches them through ONE listener ([`listener`]) that dispatches by path prefix:
//! `http://<apps addr>/pods/<namespace>/<pod>/<path>` serves `<path>` as that pod (see
//! [`pod_url`]). A stopped pod's requests are dropped at the connection level, like a dead pod.

pub mod faults;
pub mod instance;
pub mod lb;
pub mod listener;
pub mod log_params;
pub mod log_route;
pub mod logs;
pub mod metrics;
pub mod portforward;
pub mod proxy;
pub mod routes;
pub mod routing;
mod snapshot;
pub mod status;
pub mod traffic;
pub mod version;

pub use faults::{parse_app_fault, AppFault, FaultError, FaultTarget};
pub use routes::{api_routes, start_lb, start_traffic};

use crate::cluster::Tuning;
use faults::FaultTable;
use instance::{Answer, Conditions, Instance};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use version::BAD_ERROR_RATE;

/// What the apps' API routes need from the simulator state.
#[derive(Clone)]
pub struct Ctx {
    /// The object store (pods, services, EndpointSlices, routes).
    pub store: Arc<crate::store::Store>,
    /// The app registry.
    pub apps: Arc<Apps>,
    /// Cancelled when the simulator stops (ends log follows and streams).
    pub shutdown: tokio_util::sync::CancellationToken,
    /// HTTP client onto the app listener.
    pub http: reqwest::Client,
    /// Changes on every `drop_watches`/`down_ms` API fault: open log follows end then,
    /// like every other stream (None outside a full simulator).
    pub stream_cut: Option<tokio::sync::watch::Receiver<u64>>,
}

/// App log lines per second per container in the `load` scenario.
pub const LOAD_LOG_RATE: f64 = 250.0;
/// App log lines per second per container in the other scenarios.
pub const DEFAULT_LOG_RATE: f64 = 2.0;

/// A pod's current container and the one before it (for `previous=true` logs).
#[derive(Debug)]
struct PodSlot {
    current: Arc<Instance>,
    previous: Option<Arc<Instance>>,
}

/// Registry of the simulated app instances, one per running pod container.
pub struct Apps {
    bad_after: Duration,
    baseline_error_rate: f64,
    /// App log lines per second per container, as f64 bits (changed at run time).
    log_rate: AtomicU64,
    pods: Mutex<HashMap<(String, String), PodSlot>>,
    faults: Mutex<FaultTable>,
    /// When each version first served app traffic (a `-bad` version goes bad `bad_after` later).
    first_traffic: Mutex<HashMap<String, Instant>>,
    addr: OnceLock<SocketAddr>,
    /// The load balancer's routing table and counts.
    pub lb: lb::LbState,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Apps {
    /// An empty registry with the tuning's error behaviour and the scenario's log rate.
    pub fn new(tuning: &Tuning, scenario: &str) -> Self {
        let log_rate = tuning.log_rate.unwrap_or(if scenario == "load" {
            LOAD_LOG_RATE
        } else {
            DEFAULT_LOG_RATE
        });
        Self {
            bad_after: Duration::from_secs_f64(tuning.bad_after_secs.max(0.0)),
            baseline_error_rate: tuning.baseline_error_rate.clamp(0.0, 1.0),
            log_rate: AtomicU64::new(log_rate.to_bits()),
            pods: Mutex::new(HashMap::new()),
            faults: Mutex::new(FaultTable::default()),
            first_traffic: Mutex::new(HashMap::new()),
            addr: OnceLock::new(),
            lb: lb::LbState::default(),
        }
    }

    /// A pod's container started: it answers HTTP from now on.
    pub fn start_pod(&self, ns: &str, pod: &str, image: &str, labels: &BTreeMap<String, String>) {
        let color = labels.get("deployment").map(String::as_str).unwrap_or("");
        let inst = Arc::new(Instance::new(ns, pod, image, color, self.log_rate()));
        let mut pods = lock(&self.pods);
        let key = (ns.to_string(), pod.to_string());
        let previous = pods.remove(&key).map(|old| {
            old.current.stop();
            old.current
        });
        pods.insert(
            key,
            PodSlot {
                current: inst,
                previous,
            },
        );
    }

    /// App log lines per second per container.
    pub fn log_rate(&self) -> f64 {
        f64::from_bits(self.log_rate.load(Ordering::Relaxed))
    }

    /// Every container (running now or started later) logs `rate` app lines per second
    /// from now on.
    pub fn set_log_rate(&self, rate: f64) {
        self.log_rate.store(rate.to_bits(), Ordering::Relaxed);
        let now = chrono::Utc::now();
        for slot in lock(&self.pods).values() {
            slot.current.data().log.set_rate(now, rate);
        }
    }

    /// The container stopped (pod deleted or container crashed).
    pub fn stop_pod(&self, ns: &str, pod: &str) {
        if let Some(slot) = lock(&self.pods).get(&(ns.to_string(), pod.to_string())) {
            slot.current.stop();
        }
    }

    /// Forget a pod entirely (it was deleted from the store): its logs go too.
    pub fn remove_pod(&self, ns: &str, pod: &str) {
        if let Some(slot) = lock(&self.pods).remove(&(ns.to_string(), pod.to_string())) {
            slot.current.stop();
        }
    }

    /// The pod's current container, running or stopped.
    pub fn instance(&self, ns: &str, pod: &str) -> Option<Arc<Instance>> {
        let pods = lock(&self.pods);
        pods.get(&(ns.to_string(), pod.to_string()))
            .map(|s| s.current.clone())
    }

    /// The pod's container before the last restart.
    pub fn previous_instance(&self, ns: &str, pod: &str) -> Option<Arc<Instance>> {
        let pods = lock(&self.pods);
        pods.get(&(ns.to_string(), pod.to_string()))
            .and_then(|s| s.previous.clone())
    }

    /// The pod's container if it is running.
    pub fn running(&self, ns: &str, pod: &str) -> Option<Arc<Instance>> {
        self.instance(ns, pod).filter(|i| i.is_running())
    }

    /// What the kubelet's probe sees: Some(status) or None when the app does not answer.
    pub async fn probe(&self, ns: &str, pod: &str, path: &str) -> Option<u16> {
        let inst = self.running(ns, pod)?;
        let fault = self.fault_for(&inst);
        if let Some(ms) = fault.latency_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let path = path.split('?').next().unwrap_or(path);
        Some(inst.health(path, &fault).map_or(404, |a| a.status))
    }

    /// An app fault (POST /sim/v1/faults with a "target"); invalid ones are ignored
    /// (callers validate with [`parse_app_fault`] / [`faults::validate`] first).
    pub fn set_fault(&self, target: FaultTarget, fault: AppFault) {
        if faults::validate(&target, &fault).is_ok() {
            lock(&self.faults).set(target, fault);
        }
    }

    /// The kubelet asks whether the container should die now (crash fault).
    pub fn should_crash(&self, ns: &str, pod: &str) -> bool {
        self.running(ns, pod)
            .is_some_and(|i| self.fault_for(&i).crash == Some(true))
    }

    fn fault_for(&self, inst: &Instance) -> AppFault {
        lock(&self.faults).effective(&inst.ns, &inst.pod, &inst.info.version)
    }

    /// Fault and error rate for one request to `inst` (marks app traffic for `-bad` versions).
    fn conditions(&self, inst: &Instance, path: &str) -> Conditions {
        let fault = self.fault_for(inst);
        let is_app = instance::route_label(path).is_some_and(|l| l.starts_with("/api"));
        let mut error_rate = self.baseline_error_rate;
        if inst.info.bad && is_app {
            let now = Instant::now();
            let first = *lock(&self.first_traffic)
                .entry(inst.info.version.clone())
                .or_insert(now);
            if now.duration_since(first) >= self.bad_after {
                error_rate = BAD_ERROR_RATE;
            }
        }
        if let Some(r) = fault.error_rate {
            error_rate = r;
        }
        Conditions { fault, error_rate }
    }

    /// Serve one request as pod `ns/pod` (None when it is not running). Real HTTP and the
    /// synthetic traffic both come through here, so they count and log the same way.
    pub fn serve(
        &self,
        ns: &str,
        pod: &str,
        method: &str,
        path: &str,
        client: &str,
    ) -> Option<Answer> {
        let inst = self.running(ns, pod)?;
        let bare = path.split('?').next().unwrap_or(path);
        let c = self.conditions(&inst, bare);
        Some(inst.serve(method, path, client, &c))
    }

    /// Record the app listener's address (set once by [`listener::serve`]).
    pub fn set_addr(&self, addr: SocketAddr) {
        let _ = self.addr.set(addr);
    }

    /// The app listener's address, once it listens.
    pub fn addr(&self) -> Option<SocketAddr> {
        self.addr.get().copied()
    }
}

/// Path on the app listener that serves `path` as pod `ns/pod` (e.g. for `__metrics_path__`).
pub fn pod_path(ns: &str, pod: &str, path: &str) -> String {
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("/pods/{ns}/{pod}/{path}")
}

/// Full URL on the app listener at `addr` for pod `ns/pod` and `path`.
pub fn pod_url(addr: SocketAddr, ns: &str, pod: &str, path: &str) -> String {
    format!("http://{addr}{}", pod_path(ns, pod, path))
}

#[cfg(test)]
mod tests;
