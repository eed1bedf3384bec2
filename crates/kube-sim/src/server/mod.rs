//! The API server: router, authentication/authorization/fault middleware, and the accept
//! loop (TLS or plain, with the `down_ms` fault closing and reopening the listener).

pub mod deletion;
pub mod error;
mod fresh;
pub mod handlers;
mod list;
pub mod objects;
pub mod path;
pub mod services;
mod sim_routes;
pub mod special;
pub mod validate;
mod writes;

use crate::faults::RequestRecord;
use crate::state::SimState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use error::ApiError;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use path::{ResourcePath, Target};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// What the server's handlers share: the simulator state and how it is served.
#[derive(Clone)]
pub struct ServerCtx {
    /// The shared simulator state.
    pub state: SimState,
    /// Plain HTTP: requests without a token act as `admin` (kubectl sends none over http).
    pub plain_http: bool,
    /// The listening address.
    pub addr: SocketAddr,
}

impl ServerCtx {
    /// `host:port` for discovery's serverAddressByClientCIDRs.
    pub fn server_address(&self) -> String {
        self.addr.to_string()
    }
}

/// The authenticated caller of a request (inserted by the middleware).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// User name (`admin`, `alice`, `bob`, `viewer`).
    pub user: String,
}

/// The TCP peer of a request's connection.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// The API router: discovery, resources, `/sim/v1/*`, plus `extra` routes (apps: logs,
/// proxy, port-forward; cluster: `/sim/v1/state`) under the same middleware.
pub fn router(ctx: ServerCtx, extra: Router) -> Router {
    Router::new()
        .merge(sim_routes::routes())
        .fallback(handlers::dispatch)
        .with_state(ctx.clone())
        .merge(extra)
        .layer(middleware::from_fn_with_state(ctx, gate))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(str::trim)
}

fn authenticate(ctx: &ServerCtx, headers: &HeaderMap) -> Result<String, ApiError> {
    match bearer(headers) {
        Some(t) => ctx
            .state
            .auth
            .user_for_token(t)
            .map(str::to_string)
            .ok_or_else(ApiError::unauthorized),
        None if ctx.plain_http => Ok("admin".into()),
        None => Err(ApiError::unauthorized()),
    }
}

/// The RBAC verb of a request on a resource path.
pub fn verb_for(method: &Method, rp: &ResourcePath, watch: bool) -> &'static str {
    match (method, rp.sub.as_deref()) {
        (_, Some("portforward")) => "create",
        (&Method::GET, _) if rp.name.is_some() => "get",
        (&Method::GET, _) if watch => "watch",
        (&Method::GET, _) => "list",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, _) if rp.name.is_some() => "delete",
        (&Method::DELETE, _) => "deletecollection",
        _ => "get",
    }
}

fn authorize(ctx: &ServerCtx, user: &str, req: &Request) -> Result<(), ApiError> {
    let Some(Target::Resource(rp)) = path::parse(req.uri().path()) else {
        return Ok(());
    };
    if !rp.def.is_stored() {
        return Ok(()); // reviews are open to every authenticated user
    }
    let query = req.uri().query().unwrap_or("");
    let watch = query
        .split('&')
        .any(|kv| kv == "watch=true" || kv == "watch=1");
    let verb = verb_for(req.method(), &rp, watch);
    let resource = rp.auth_resource();
    if ctx.state.auth.allowed(user, verb, &resource) {
        return Ok(());
    }
    let what = match &rp.name {
        Some(n) => format!("{} \"{n}\"", rp.def.plural),
        None => rp.def.plural.to_string(),
    };
    let scope = match &rp.namespace {
        Some(ns) => format!(" in the namespace \"{ns}\""),
        None => " at the cluster scope".into(),
    };
    Err(ApiError::forbidden(format!(
        "{what} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{}\"{scope}",
        rp.def.group
    )))
}

/// Who may use the simulator's own `/sim/v1/*` endpoints (faults, state, request log): the
/// holder of the admin token; without a token only a loopback client over plain HTTP, where
/// tokenless requests act as admin anyway. Returns the user to log and, if refused, why.
fn sim_access(
    ctx: &ServerCtx,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> (String, Option<ApiError>) {
    let admin = crate::auth::CONTEXTS[0].1;
    match bearer(headers) {
        Some(t) => match ctx.state.auth.user_for_token(t) {
            Some(u) if u == admin => (u.to_string(), None),
            Some(u) => (
                u.to_string(),
                Some(ApiError::forbidden(format!(
                    "User \"{u}\" cannot use the simulator's /sim/v1 endpoints: they need the admin token (the kubeconfig's sim context)"
                ))),
            ),
            None => ("system:anonymous".into(), Some(ApiError::unauthorized())),
        },
        None if ctx.plain_http && peer.is_some_and(|p| p.ip().is_loopback()) => {
            (admin.to_string(), None)
        }
        None => ("system:anonymous".into(), Some(ApiError::unauthorized())),
    }
}

/// Authentication, injected latency and failures, authorization, and the request log.
async fn gate(State(ctx): State<ServerCtx>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let is_sim = req.uri().path().starts_with("/sim/");
    let (user, resp) = if is_sim {
        let peer = req.extensions().get::<Peer>().map(|p| p.0);
        match sim_access(&ctx, req.headers(), peer) {
            (user, None) => {
                req.extensions_mut().insert(Caller { user: user.clone() });
                (user, next.run(req).await)
            }
            (user, Some(e)) => (user, e.into_response()),
        }
    } else {
        match authenticate(&ctx, req.headers()) {
            Err(e) => ("system:anonymous".to_string(), e.into_response()),
            Ok(user) => {
                let resp = api_request(&ctx, &user, req, next).await;
                (user, resp)
            }
        }
    };
    if !(is_sim && method == Method::GET) {
        ctx.state.requests.push(RequestRecord {
            method: method.to_string(),
            path,
            user,
            status: resp.status().as_u16(),
        });
    }
    resp
}

/// An authenticated API request: injected latency and failures, authorization, the handler.
async fn api_request(ctx: &ServerCtx, user: &str, mut req: Request, next: Next) -> Response {
    let latency = ctx.state.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if ctx.state.faults.down_for().is_some() {
        // A request that slipped in on a connection that is being closed.
        return ApiError::injected(503).into_response();
    }
    if let Some(code) = ctx.state.faults.take_failure() {
        return ApiError::injected(code).into_response();
    }
    if let Err(e) = authorize(ctx, user, &req) {
        return e.into_response();
    }
    let stores = is_store_write(&req);
    req.extensions_mut().insert(Caller {
        user: user.to_string(),
    });
    let resp = next.run(req).await;
    if stores && resp.status().is_success() {
        if let Some(code) = ctx.state.faults.take_after_write() {
            // The write is stored and its watch events are out; only the answer is lost.
            return ApiError::injected_after_write(code).into_response();
        }
    }
    resp
}

/// Whether a request writes to the store: create, update, patch or delete of a stored
/// resource (or its status/scale), not a dry run, not a proxy or port-forward.
fn is_store_write(req: &Request) -> bool {
    let m = req.method();
    if !(m == Method::POST || m == Method::PUT || m == Method::PATCH || m == Method::DELETE) {
        return false;
    }
    if req.uri().query().is_some_and(|q| q.contains("dryRun=")) {
        return false;
    }
    matches!(path::parse(req.uri().path()), Some(Target::Resource(rp))
        if rp.def.is_stored() && !matches!(rp.sub.as_deref(), Some("proxy" | "portforward" | "log")))
}

/// Serves `app` on `listener` until shutdown; TLS when `tls` is given. The `down_ms` fault
/// closes the listener (connections are refused) and reopens it on the same address.
pub async fn serve(listener: TcpListener, tls: Option<TlsAcceptor>, app: Router, state: SimState) {
    let Ok(addr) = listener.local_addr() else {
        return;
    };
    let mut listener = Some(listener);
    let mut cut = state.faults.stream_cut();
    loop {
        let Some(l) = listener.as_ref() else {
            let wait = state.faults.down_for().unwrap_or_default();
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = state.shutdown.cancelled() => return,
            }
            listener = rebind(addr, &state).await;
            if listener.is_none() {
                return;
            }
            continue;
        };
        tokio::select! {
            accepted = l.accept() => {
                if let Ok((stream, peer)) = accepted {
                    if state.faults.down_for().is_some() {
                        // Accepted in the instant before going down: refuse it too.
                        drop(stream);
                        continue;
                    }
                    let app = app.clone().layer(Extension(Peer(peer)));
                    tokio::spawn(connection(stream, tls.clone(), app, state.clone()));
                }
            }
            _ = cut.changed() => {
                if state.faults.down_for().is_some() {
                    listener = None;
                }
            }
            _ = state.shutdown.cancelled() => return,
        }
    }
}

async fn rebind(addr: SocketAddr, state: &SimState) -> Option<TcpListener> {
    for _ in 0..200 {
        if let Ok(l) = TcpListener::bind(addr).await {
            return Some(l);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(25)) => {}
            _ = state.shutdown.cancelled() => return None,
        }
    }
    tracing::error!("simulator could not listen on {addr} again");
    None
}

async fn connection(stream: TcpStream, tls: Option<TlsAcceptor>, app: Router, state: SimState) {
    let _ = stream.set_nodelay(true);
    match tls {
        Some(acceptor) => {
            if let Ok(s) = acceptor.accept(stream).await {
                drive(TokioIo::new(s), app, state).await;
            }
        }
        None => drive(TokioIo::new(stream), app, state).await,
    }
}

async fn drive<I>(io: TokioIo<I>, app: Router, state: SimState)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut cut = state.faults.stream_cut();
    if state.faults.down_for().is_some() {
        return; // went down during the TLS handshake
    }
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Many watches and log follows share one HTTP/2 connection; Kubernetes' API servers
    // allow 1000 streams per connection (hyper's default is 200).
    builder.http2().max_concurrent_streams(1000);
    let conn = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(app));
    tokio::pin!(conn);
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = cut.changed() => {
                if state.faults.down_for().is_some() {
                    break;
                }
            }
            _ = state.shutdown.cancelled() => break,
        }
    }
    // Going down: finish in-flight requests (the fault request itself), then hang up.
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(Duration::from_secs(1), conn.as_mut()).await;
}
