//! The one HTTP listener all simulated pods share.
//!
//! URL scheme: `http://<addr>/pods/<namespace>/<pod>/<path>` is `<path>` served by that pod.
//! Every response carries `X-App-Version`. A request for a pod that is not running gets no
//! response at all (the connection is dropped), which proxies see as a dead backend.

use super::Apps;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Header naming the app version on every app response.
pub const VERSION_HEADER: &str = "X-App-Version";

/// Why a request got no answer (hyper then closes the connection).
#[derive(Debug, thiserror::Error)]
#[error("pod {0} is not running")]
pub struct NotRunning(String);

/// Bind the shared app listener on 127.0.0.1 and serve until `shutdown`.
pub async fn serve(apps: Arc<Apps>, shutdown: CancellationToken) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    serve_std(apps, listener, shutdown)
}

/// Serve on an already bound (non-blocking) listener; needs a tokio runtime.
pub fn serve_std(
    apps: Arc<Apps>,
    listener: std::net::TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::from_std(listener)?;
    let addr = listener.local_addr()?;
    apps.set_addr(addr);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                a = listener.accept() => a,
            };
            let Ok((stream, peer)) = accepted else {
                // Out of file descriptors or similar: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let apps = apps.clone();
            tokio::spawn(serve_connection(apps, None, stream, peer.ip().to_string()));
        }
    });
    Ok(addr)
}

/// Serve HTTP/1.1 on one connection; `bound` fixes the pod (port-forward), otherwise the
/// pod comes from the `/pods/NS/NAME` path prefix.
pub async fn serve_connection<IO>(
    apps: Arc<Apps>,
    bound: Option<(String, String)>,
    io: IO,
    peer: String,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: Request<Incoming>| {
        let apps = apps.clone();
        let bound = bound.clone();
        let peer = peer.clone();
        async move { handle(&apps, bound, req, &peer).await }
    });
    // Errors here are client disconnects or deliberately dropped requests.
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// Split `/pods/NS/NAME/rest?q` into (ns, name, `/rest?q`).
pub fn split_pod_path(path_and_query: &str) -> Option<(String, String, String)> {
    let rest = path_and_query.strip_prefix("/pods/")?;
    let (ns, rest) = rest.split_once('/')?;
    let (pod, rest) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if ns.is_empty() || pod.is_empty() {
        return None;
    }
    let rest = if rest.starts_with('/') {
        rest.to_string()
    } else {
        format!("/{rest}")
    };
    Some((ns.to_string(), pod.to_string(), rest))
}

async fn handle(
    apps: &Apps,
    bound: Option<(String, String)>,
    req: Request<Incoming>,
    peer: &str,
) -> Result<Response<Full<Bytes>>, NotRunning> {
    let pq = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let (ns, pod, path) = match bound {
        Some((ns, pod)) => (ns, pod, pq),
        None => match split_pod_path(&pq) {
            Some(parts) => parts,
            None => return Ok(plain(404, "no pod in path; use /pods/NAMESPACE/POD/PATH\n")),
        },
    };
    // The original client, when a proxy or the load balancer forwarded the request.
    let client = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| peer.to_string());
    let method = req.method().as_str().to_string();
    let answer = apps
        .serve(&ns, &pod, &method, &path, &client)
        .ok_or_else(|| NotRunning(format!("{ns}/{pod}")))?;
    tokio::time::sleep(Duration::from_secs_f64(answer.secs.min(30.0))).await;
    let version = apps
        .instance(&ns, &pod)
        .map(|i| i.info.version.clone())
        .unwrap_or_default();
    let resp = Response::builder()
        .status(answer.status)
        .header("content-type", answer.content_type)
        .header(VERSION_HEADER, version)
        .body(Full::new(Bytes::from(answer.body)))
        .unwrap_or_else(|_| plain(500, "bad response\n"));
    Ok(resp)
}

fn plain(status: u16, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::NOT_FOUND);
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pod_paths() {
        let s = |p: &str| split_pod_path(p);
        assert_eq!(
            s("/pods/a/b/health/ready"),
            Some(("a".into(), "b".into(), "/health/ready".into()))
        );
        assert_eq!(s("/pods/a/b"), Some(("a".into(), "b".into(), "/".into())));
        assert_eq!(
            s("/pods/a/b?x=1"),
            Some(("a".into(), "b".into(), "/?x=1".into()))
        );
        assert_eq!(
            s("/pods/a/b/m?x=1"),
            Some(("a".into(), "b".into(), "/m?x=1".into()))
        );
        assert_eq!(s("/pods/a"), None);
        assert_eq!(s("/pods//b/x"), None);
        assert_eq!(s("/other"), None);
    }
}

/// A plain-HTTP client for talking to the app listener (no proxies, ring provider installed).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_default()
}

#[cfg(test)]
mod http_tests {
    use super::*;
    use crate::cluster::Tuning;
    use std::collections::BTreeMap;

    #[tokio::test]
    async fn serves_pods_by_path_and_drops_stopped_ones() {
        let apps = Arc::new(Apps::new(&Tuning::default(), "fittrack"));
        let addr = serve(apps.clone(), CancellationToken::new()).await.unwrap();
        apps.start_pod("ns", "p", "fittrack/api:v9", &BTreeMap::new());
        let http = http_client();
        let r = http
            .get(super::super::pod_url(addr, "ns", "p", "/health/ready"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()[VERSION_HEADER], "v9");
        assert!(r.text().await.unwrap().contains("\"version\":\"v9\""));
        let m = http
            .get(super::super::pod_url(addr, "ns", "p", "/metrics"))
            .send()
            .await
            .unwrap();
        let text = m.text().await.unwrap();
        assert!(text.contains("path=\"/health/ready\"} 1"), "{text}");
        apps.stop_pod("ns", "p");
        let dead = http
            .get(super::super::pod_url(addr, "ns", "p", "/health/live"))
            .send()
            .await;
        assert!(dead.is_err(), "a stopped pod must not answer");
        let none = http
            .get(format!("http://{addr}/nothing"))
            .send()
            .await
            .unwrap();
        assert_eq!(none.status(), 404);
    }
}
