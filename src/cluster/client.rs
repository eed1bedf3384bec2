//! The API client: kube-rs's request stack (base URI, authentication, extra headers) over
//! our own hyper clients, so watches and reads can share one HTTP/2 connection and every
//! connection uses TCP keep-alive.
//!
//! kube-rs's own client speaks HTTP/1.1 only: one TLS connection per open watch. Here the
//! watches, GETs and probes share one HTTP/2 connection (when the server offers h2, as
//! real API servers do), kept honest by HTTP/2 pings and the router heartbeat that rides
//! it. Log follows and WebSocket upgrades (port-forward) stay on HTTP/1.1 (see
//! `needs_http1`). TCP keep-alive finds a half-open connection in about 35 s, so
//! watches can stay open for minutes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use kube::client::{Body, ConfigExt};
use tower::{Service, ServiceBuilder};

/// Idle time before TCP keep-alive probes start, the gap between probes, and how many
/// unanswered probes close the connection (20 + 3 × 5 s).
const KEEPALIVE: (Duration, Duration, u32) = (Duration::from_secs(20), Duration::from_secs(5), 3);

/// Which HTTP versions the API connection offers in ALPN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/1.1 only: one connection per open stream (kube-rs's default).
    Http1,
    /// HTTP/2 when the server offers it (real API servers do), else HTTP/1.1, for
    /// everything but port-forwards and log follows.
    Http2,
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;
type Hyper = HyperClient<Https, Body>;

fn connector(config: &kube::Config, protocol: Protocol) -> Result<Https, kube::Error> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(config.connect_timeout);
    let (idle, interval, retries) = KEEPALIVE;
    http.set_keepalive(Some(idle));
    http.set_keepalive_interval(Some(interval));
    http.set_keepalive_retries(Some(retries));
    let tls = config.rustls_client_config()?;
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let builder = match &config.tls_server_name {
        Some(name) => {
            let name = rustls::pki_types::ServerName::try_from(name.clone())
                .map_err(|e| kube::Error::Service(Box::new(e)))?;
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
        }
        None => builder,
    };
    Ok(match protocol {
        Protocol::Http1 => builder.enable_http1().wrap_connector(http),
        Protocol::Http2 => builder.enable_http1().enable_http2().wrap_connector(http),
    })
}

/// Sends WebSocket upgrades and log follows over HTTP/1.1, everything else over `main`.
#[derive(Clone)]
struct Split {
    main: Hyper,
    http1: Hyper,
}

/// An upgrade (port-forward) cannot ride HTTP/2; a followed log is a stream that never
/// ends, and API servers allow only 100 concurrent streams per HTTP/2 connection, beyond
/// which hyper queues new streams on that connection instead of opening another.
fn needs_http1(req: &http::Request<Body>) -> bool {
    if req.headers().contains_key(http::header::UPGRADE) {
        return true;
    }
    let uri = req.uri();
    let follows_log = uri.path().ends_with("/log")
        && uri
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv == "follow=true"));
    follows_log
}

impl Service<http::Request<Body>> for Split {
    type Response = http::Response<Incoming>;
    type Error = tower::BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Both hyper clients are always ready (they queue internally).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let client = if needs_http1(&req) {
            &self.http1
        } else {
            &self.main
        };
        let response = client.request(req);
        Box::pin(async move { Ok(response.await?) })
    }
}

/// A kube client for `config` speaking `protocol`.
pub fn build(config: &kube::Config, protocol: Protocol) -> Result<kube::Client, kube::Error> {
    let main = {
        let mut b = HyperClient::builder(TokioExecutor::new());
        if protocol == Protocol::Http2 {
            // Pings prove the one shared connection alive even while every stream is idle.
            b.timer(TokioTimer::new())
                .http2_keep_alive_interval(Duration::from_secs(20))
                .http2_keep_alive_timeout(Duration::from_secs(10))
                .http2_keep_alive_while_idle(true)
                .http2_adaptive_window(true);
        }
        b.build(connector(config, protocol)?)
    };
    let http1 =
        HyperClient::builder(TokioExecutor::new()).build(connector(config, Protocol::Http1)?);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .service(Split { main, http1 });
    Ok(kube::Client::new(service, config.default_namespace.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(uri: &str) -> http::Request<Body> {
        http::Request::get(uri).body(Body::empty()).unwrap()
    }

    #[test]
    fn log_follows_and_upgrades_stay_on_http1() {
        let follow = get("/api/v1/namespaces/a/pods/p/log?container=c&follow=true&tailLines=50");
        assert!(needs_http1(&follow));
        let mut ws = get("/api/v1/namespaces/a/pods/p/portforward?ports=8000");
        ws.headers_mut()
            .insert(http::header::UPGRADE, "websocket".parse().unwrap());
        assert!(needs_http1(&ws));
        for shared in [
            "/api/v1/namespaces/a/pods?watch=true&timeoutSeconds=290&allowWatchBookmarks=true",
            "/api/v1/namespaces/a/pods/p/log?container=c&tailLines=5",
            "/api/v1/namespaces/a/services/s:8000/proxy/health/ready",
        ] {
            assert!(!needs_http1(&get(shared)), "{shared}");
        }
    }
}
