//! The apps' entry points for the simulator: API routes, load balancer, traffic.

use super::{log_route, portforward, proxy, Apps, Ctx};
use crate::sim::store::Store;
use axum::routing::{any, get};
use axum::Router;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

impl Ctx {
    /// Bundle what the routes need; starts nothing.
    pub fn new(store: Arc<Store>, apps: Arc<Apps>, shutdown: CancellationToken) -> Self {
        Self {
            store,
            apps,
            shutdown,
            http: super::listener::http_client(),
        }
    }
}

/// `pods/log`, `pods/proxy`, `services/proxy` and `pods/portforward` under `/api/v1`,
/// for merging into the API router (any router state type).
pub fn routes<S: Clone + Send + Sync + 'static>(ctx: Ctx) -> Router<S> {
    let pods = "/api/v1/namespaces/{ns}/pods/{name}";
    let svcs = "/api/v1/namespaces/{ns}/services/{name}";
    Router::new()
        .route(&format!("{pods}/log"), get(log_route::pod_log))
        .route(
            &format!("{pods}/portforward"),
            get(portforward::pod_portforward),
        )
        .route(&format!("{pods}/proxy"), any(proxy::pod_proxy_root))
        .route(&format!("{pods}/proxy/"), any(proxy::pod_proxy_root))
        .route(
            &format!("{pods}/proxy/{{*rest}}"),
            any(proxy::pod_proxy_path),
        )
        .route(&format!("{svcs}/proxy"), any(proxy::service_proxy_root))
        .route(&format!("{svcs}/proxy/"), any(proxy::service_proxy_root))
        .route(
            &format!("{svcs}/proxy/{{*rest}}"),
            any(proxy::service_proxy_path),
        )
        .with_state(ctx)
}
