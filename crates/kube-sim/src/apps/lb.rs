//! The simulated load balancer: a real HTTP listener routing like the scenario's entry point.
//!
//! A router task resolves the store into an [`LbTable`] on every relevant change and
//! publishes it `propagation_ms` later, like a real load balancer picking up a route change.
//! The listener and the synthetic traffic both route with the published table.

use super::proxy::{forward, Outbound};
use super::routing::{affects_routing, build_table, Choice, LbTable};
use super::Ctx;
use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// What the load balancer knows and has done (lives in `Apps`).
#[derive(Debug)]
pub struct LbState {
    table: RwLock<Arc<LbTable>>,
    published: AtomicU64,
    router_started: AtomicBool,
    /// Requests answered per app version (real and synthetic).
    served: Mutex<BTreeMap<String, u64>>,
    /// Requests the LB itself failed, per status.
    failed: Mutex<BTreeMap<u16, u64>>,
    last_version: Mutex<Option<String>>,
}

impl Default for LbState {
    fn default() -> Self {
        Self {
            table: RwLock::new(Arc::new(LbTable::empty())),
            published: AtomicU64::new(0),
            router_started: AtomicBool::new(false),
            served: Mutex::new(BTreeMap::new()),
            failed: Mutex::new(BTreeMap::new()),
            last_version: Mutex::new(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl LbState {
    /// The table requests are routed with now.
    pub fn table(&self) -> Arc<LbTable> {
        self.table.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Publish `table` computed as change number `seq` (older ones never overwrite newer).
    fn publish(&self, seq: u64, table: LbTable) {
        let mut slot = self.table.write().unwrap_or_else(|e| e.into_inner());
        if seq >= self.published.load(Ordering::SeqCst) {
            self.published.store(seq, Ordering::SeqCst);
            *slot = Arc::new(table);
        }
    }

    /// Count an answered request.
    pub fn record_served(&self, version: &str) {
        *lock(&self.served).entry(version.to_string()).or_default() += 1;
        *lock(&self.last_version) = Some(version.to_string());
    }

    /// Count a request the LB could not route.
    pub fn record_failed(&self, status: u16) {
        *lock(&self.failed).entry(status).or_default() += 1;
    }

    /// For the state snapshot: entry, backends with weights, counts.
    pub fn snapshot(&self) -> Value {
        let table = self.table();
        json!({
            "table": &*table,
            "served": &*lock(&self.served),
            "failed": lock(&self.failed).iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>(),
            "last_version": &*lock(&self.last_version),
        })
    }
}

/// Start the router task once (later calls do nothing): publish the current table at once,
/// then every change after `propagation`.
pub fn ensure_router(ctx: &Ctx, propagation: Duration) {
    let lb = &ctx.apps.lb;
    if lb.router_started.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut rx = ctx.store.subscribe();
    lb.publish(1, build_table(&ctx.store));
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let mut seq = 1u64;
        loop {
            let relevant = tokio::select! {
                _ = ctx.shutdown.cancelled() => return,
                r = rx.recv() => match r {
                    Ok(change) => affects_routing(&change.resource),
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return,
                },
            };
            if !relevant {
                continue;
            }
            // Coalesce a burst of changes into one resolution.
            while let Ok(_) | Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) =
                rx.try_recv()
            {}
            seq += 1;
            let table = build_table(&ctx.store);
            let apps = ctx.apps.clone();
            let my_seq = seq;
            tokio::spawn(async move {
                tokio::time::sleep(propagation).await;
                apps.lb.publish(my_seq, table);
            });
        }
    });
}

fn text(status: u16, body: &'static str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    (code, [("content-type", "text/plain")], body).into_response()
}

async fn handle(
    State(ctx): State<Ctx>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let choice = ctx
        .apps
        .lb
        .table()
        .choose(&path, rand::random(), rand::random());
    let (ns, pod) = match choice {
        Choice::Pod { namespace, pod } => (namespace, pod),
        Choice::Fail(code) => {
            ctx.apps.lb.record_failed(code);
            return match code {
                404 => text(404, "route not found\n"),
                503 => text(503, "no healthy upstream\n"),
                _ => text(code, "no valid backend for route\n"),
            };
        }
    };
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, 4 * 1024 * 1024).await else {
        return text(413, "request body too large\n");
    };
    let client = peer.ip().to_string();
    let out = Outbound {
        method: parts.method,
        path_and_query: &path,
        headers: &parts.headers,
        body,
        client: &client,
    };
    match forward(&ctx, &ns, &pod, out).await {
        Ok(resp) => {
            match resp
                .headers()
                .get(super::listener::VERSION_HEADER)
                .and_then(|v| v.to_str().ok())
            {
                Some(v) => ctx.apps.lb.record_served(v),
                None => ctx.apps.lb.record_failed(resp.status().as_u16()),
            }
            resp
        }
        Err(_) => {
            ctx.apps.lb.record_failed(502);
            text(
                502,
                "upstream connect error or disconnect/reset before headers\n",
            )
        }
    }
}

/// Bind the load balancer on 127.0.0.1 and serve until shutdown.
pub async fn start(ctx: Ctx, propagation: Duration) -> std::io::Result<SocketAddr> {
    ensure_router(&ctx, propagation);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let shutdown = ctx.shutdown.clone();
    let app = axum::Router::new().fallback(handle).with_state(ctx);
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, service)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
    });
    Ok(addr)
}
