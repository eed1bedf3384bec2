//! `SimState`: everything the simulator's parts share (cheap to clone; all `Arc`s inside).

use crate::apps::Apps;
use crate::auth::Auth;
use crate::cluster::{Cluster, Tuning};
use crate::faults::{ApiFaults, RequestLog};
use crate::store::Store;
use std::sync::{Arc, OnceLock};
use tokio_util::sync::CancellationToken;

/// Shared simulator state: the store, API faults, request log, identities, tuning, the
/// simulated apps, and (once `sim::start` has started it) the simulated cluster.
#[derive(Clone)]
pub struct SimState {
    /// All API objects.
    pub store: Arc<Store>,
    /// API fault switches (`POST /sim/v1/faults`) and the stream-cut signal.
    pub faults: Arc<ApiFaults>,
    /// Recent requests (`GET /sim/v1/requests`).
    pub requests: Arc<RequestLog>,
    /// Users, tokens and permissions.
    pub auth: Arc<Auth>,
    /// Timings and behaviour knobs of the simulated cluster.
    pub tuning: Arc<Tuning>,
    /// The simulated app instances (created with the state).
    pub apps: Arc<Apps>,
    /// The simulated cluster, set by `sim::start` after `Cluster::start`.
    pub cluster: Arc<OnceLock<Arc<Cluster>>>,
    /// The scenario name (`fittrack`, `fittrack-single-ns`, `load`, or `empty`).
    pub scenario: Arc<str>,
    /// The API server's base URL, once it listens.
    pub api_url: Arc<OnceLock<String>>,
    /// The load balancer's base URL, once it listens.
    pub lb_url: Arc<OnceLock<String>>,
    /// Cancelled when the simulator shuts down; background tasks end on it.
    pub shutdown: CancellationToken,
}

impl SimState {
    /// A fresh state with an empty store.
    pub fn new(scenario: &str, tuning: Tuning) -> Self {
        Self {
            store: Arc::new(Store::new()),
            faults: Arc::new(ApiFaults::default()),
            requests: Arc::new(RequestLog::default()),
            auth: Arc::new(Auth::new()),
            apps: Arc::new(Apps::new(&tuning, scenario)),
            cluster: Arc::new(OnceLock::new()),
            tuning: Arc::new(tuning),
            scenario: Arc::from(scenario),
            api_url: Arc::new(OnceLock::new()),
            lb_url: Arc::new(OnceLock::new()),
            shutdown: CancellationToken::new(),
        }
    }
}
