//! The apps' entry points for the simulator: API routes, load balancer, traffic.

use super::{log_route, portforward, proxy, Apps, Ctx};
use crate::state::SimState;
use crate::store::Store;
use axum::routing::{any, get};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

impl Ctx {
    /// Bundle what the routes need; starts nothing.
    pub fn new(store: Arc<Store>, apps: Arc<Apps>, shutdown: CancellationToken) -> Self {
        Self {
            store,
            apps,
            shutdown,
            http: super::listener::http_client(),
            stream_cut: None,
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

impl Ctx {
    /// The context for a simulator state.
    pub fn from_state(state: &SimState) -> Self {
        Self {
            stream_cut: Some(state.faults.stream_cut()),
            ..Self::new(
                state.store.clone(),
                state.apps.clone(),
                state.shutdown.clone(),
            )
        }
    }
}

/// Routes for pods/log, pods/proxy, services/proxy, pods/portforward (merged into the API
/// router). Also starts the shared app listener if it is not running yet.
pub fn api_routes<S: Clone + Send + Sync + 'static>(state: SimState) -> Router<S> {
    ensure_listener(&state);
    routes(Ctx::from_state(&state))
}

/// Start the app listener once (the proxy, port-forward and LB forward to it). The bind is
/// synchronous so the address is known as soon as this returns.
pub fn ensure_listener(state: &SimState) {
    if state.apps.addr().is_some() {
        return;
    }
    if tokio::runtime::Handle::try_current().is_err() {
        tracing::error!(
            "app listener not started: no tokio runtime (call from the simulator's runtime)"
        );
        return;
    }
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| {
        l.set_nonblocking(true)?;
        Ok(l)
    }) {
        Ok(l) => {
            if let Err(e) =
                super::listener::serve_std(state.apps.clone(), l, state.shutdown.clone())
            {
                tracing::error!("app listener: {e}");
            }
        }
        Err(e) => tracing::error!("app listener: {e}"),
    }
}

/// Start the load balancer (and the app listener it forwards to); returns its address.
pub async fn start_lb(state: SimState) -> std::io::Result<SocketAddr> {
    ensure_listener(&state);
    let propagation = Duration::from_millis(state.tuning.propagation_ms);
    let addr = super::lb::start(Ctx::from_state(&state), propagation).await?;
    let _ = state.lb_url.set(format!("http://{addr}"));
    Ok(addr)
}

/// Start the synthetic traffic at `Tuning::traffic_rps` along the LB's routing.
pub fn start_traffic(state: SimState) {
    let propagation = Duration::from_millis(state.tuning.propagation_ms);
    super::traffic::start(
        Ctx::from_state(&state),
        state.tuning.traffic_rps,
        propagation,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Tuning;

    #[test]
    fn api_routes_outside_a_runtime_does_not_panic() {
        let state = SimState::new("empty", Tuning::fast());
        let _router: Router = api_routes(state.clone());
        assert!(state.apps.addr().is_none());
    }

    #[tokio::test]
    async fn entry_points_start_listener_and_lb() {
        let state = SimState::new("empty", Tuning::fast());
        let _router: Router = api_routes(state.clone());
        assert!(state.apps.addr().is_some());
        let lb = start_lb(state.clone()).await.unwrap();
        assert_eq!(state.lb_url.get(), Some(&format!("http://{lb}")));
        start_traffic(state.clone());
        // Nothing routes in an empty cluster: the LB says so with a 404.
        let r = super::super::listener::http_client()
            .get(format!("http://{lb}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        state.shutdown.cancel();
    }
}
