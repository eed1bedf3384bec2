//! Health probes of each color (through the API server's proxy or a port-forward) and
//! the probe of the public entry point (`router.lb_url`).

use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::Utc;
use http_body_util::BodyExt;
use hyper::header::HeaderMap;
use hyper::{Method, StatusCode};
use k8s_openapi::api::core::v1::Pod;
use kube::client::Body;
use kube::Api;
use tokio::task::JoinSet;

use super::{Ctx, Shared};
use crate::app::msg::Msg;
use crate::cluster::clean;
use crate::config::schema::{ProbeTransport, VersionSource};
use crate::model::{Color, LbObservation, PodSummary, ProbeKind, ProbeResult};

/// A plain HTTP answer, whichever way it travelled.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
    /// Milliseconds from sending the request to the whole body (a port-forward's setup
    /// excluded).
    pub latency_ms: u64,
}

/// Starts one probe loop per color and, with `lb_url`, the LB probe.
pub fn spawn_all(ctx: &Ctx, shared: &Shared, tasks: &mut JoinSet<()>) {
    for color in Color::BOTH {
        tasks.spawn(probe_loop(ctx.clone(), shared.clone(), color));
    }
    if let Some(url) = ctx.config.router.lb_url.clone() {
        tasks.spawn(lb_loop(ctx.clone(), url));
    }
}

fn interval(secs: f64) -> tokio::time::Interval {
    let mut tick = tokio::time::interval(Duration::from_secs_f64(secs.max(0.1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick
}

async fn probe_loop(ctx: Ctx, shared: Shared, color: Color) {
    let mut tick = interval(ctx.config.probes.interval_secs);
    loop {
        tick.tick().await;
        let pods: Vec<PodSummary> = shared.pods[color as usize]
            .borrow()
            .iter()
            .map(|f| f.summary.clone())
            .collect();
        let (live, ready) = tokio::join!(
            probe(&ctx, color, ProbeKind::Live, &pods),
            probe(&ctx, color, ProbeKind::Ready, &pods)
        );
        for r in [live, ready] {
            if ctx.tx.send(Msg::Probe(r)).is_err() {
                return;
            }
        }
    }
}

/// The pod to probe when there is no Service (or for port-forward): a ready one first.
pub fn pick_pod(pods: &[PodSummary]) -> Option<&PodSummary> {
    let ready =
        |p: &&PodSummary| !p.terminating && p.containers_total > 0 && p.ready == p.containers_total;
    pods.iter()
        .find(ready)
        .or_else(|| pods.iter().find(|p| !p.terminating))
}

/// Probes one endpoint of one color once.
pub async fn probe(ctx: &Ctx, color: Color, kind: ProbeKind, pods: &[PodSummary]) -> ProbeResult {
    let probes = &ctx.config.probes;
    let path = match kind {
        ProbeKind::Live => &probes.live,
        ProbeKind::Ready => &probes.ready,
    };
    let timeout = Duration::from_secs_f64(probes.timeout_secs.max(0.01));
    let started = Instant::now();
    let outcome = tokio::time::timeout(timeout, fetch(ctx, color, path, pods)).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let version_source = ctx.config.router.lb_version.as_ref();
    let (ok, detail, version) = match outcome {
        Ok(Ok(a)) => (
            a.status.is_success(),
            status_text(a.status),
            version_of(&a, version_source),
        ),
        Ok(Err(e)) => (false, clean(&e), None),
        Err(_) => (
            false,
            format!("timeout after {} s", probes.timeout_secs),
            None,
        ),
    };
    ProbeResult {
        color,
        kind,
        ok,
        latency_ms,
        detail,
        version,
        at: Utc::now(),
    }
}

fn status_text(s: StatusCode) -> String {
    format!("{} {}", s.as_u16(), s.canonical_reason().unwrap_or(""))
        .trim_end()
        .to_string()
}

/// The version an answer reports: the configured header or JSON field, else a JSON
/// `version` field.
pub fn version_of(a: &Answer, source: Option<&VersionSource>) -> Option<String> {
    let field = |name: &str| {
        let v: serde_json::Value = serde_json::from_slice(&a.body).ok()?;
        v.get(name)?.as_str().map(clean)
    };
    match source {
        Some(VersionSource::Header(h)) => a.headers.get(h)?.to_str().ok().map(clean),
        Some(VersionSource::JsonField(f)) => field(f),
        None => field("version"),
    }
}

async fn fetch(ctx: &Ctx, color: Color, path: &str, pods: &[PodSummary]) -> Result<Answer, String> {
    let cc = ctx.config.colors.of(color);
    if let (ProbeTransport::Proxy, Some(svc)) = (ctx.config.probes.transport, &cc.service) {
        let (ns, port) = (&cc.namespace, cc.port);
        let url = format!("/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy{path}");
        return via_api_proxy(&ctx.client, Method::GET, &url).await;
    }
    let pod = pick_pod(pods).ok_or_else(|| "no pods".to_string())?;
    to_pod(ctx, color, &pod.name, Method::GET, path).await
}

/// One request (any method, empty body) to one pod of a color through the configured
/// transport: the API server's pod proxy, or a fresh port-forward.
pub async fn to_pod(
    ctx: &Ctx,
    color: Color,
    pod: &str,
    method: Method,
    path: &str,
) -> Result<Answer, String> {
    let cc = ctx.config.colors.of(color);
    let (ns, port) = (&cc.namespace, cc.port);
    match ctx.config.probes.transport {
        ProbeTransport::Proxy => {
            let url = format!("/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy{path}");
            via_api_proxy(&ctx.client, method, &url).await
        }
        ProbeTransport::PortForward => {
            let api: Api<Pod> = Api::namespaced(ctx.client.clone(), ns);
            via_port_forward(&api, pod, port, method, path).await
        }
    }
}

/// One request through the API server's proxy (`url` is the proxy path).
pub async fn via_api_proxy(
    client: &kube::Client,
    method: Method,
    url: &str,
) -> Result<Answer, String> {
    let req = hyper::Request::builder()
        .method(method)
        .uri(url)
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let resp = client.send(req).await.map_err(|e| e.to_string())?;
    let (parts, body) = resp.into_parts();
    let body = body.collect_bytes().await.map_err(|e| e.to_string())?;
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
        latency_ms: started.elapsed().as_millis() as u64,
    })
}

/// One HTTP/1.1 request through a fresh port-forward to the pod.
pub async fn via_port_forward(
    api: &Api<Pod>,
    pod: &str,
    port: u16,
    method: Method,
    path: &str,
) -> Result<Answer, String> {
    let mut pf = api
        .portforward(pod, &[port])
        .await
        .map_err(|e| e.to_string())?;
    let stream = pf.take_stream(port).ok_or("port-forward gave no stream")?;
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    let conn = tokio::spawn(conn);
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .body(http_body_util::Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let result = async {
        let started = Instant::now();
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
            latency_ms: started.elapsed().as_millis() as u64,
        })
    }
    .await;
    conn.abort();
    pf.abort();
    result
}

async fn lb_loop(ctx: Ctx, url: String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let probes = &ctx.config.probes;
    let timeout = Duration::from_secs_f64(probes.timeout_secs.max(0.01));
    let client = match reqwest::Client::builder().timeout(timeout).build() {
        Ok(c) => c,
        Err(e) => {
            let error = Some(clean(&format!("LB client: {e}")));
            let _ = ctx.tx.send(Msg::Lb(LbObservation {
                version: None,
                color: None,
                error,
                at: Utc::now(),
            }));
            return;
        }
    };
    let source = ctx.config.router.lb_version.clone();
    // A JSON field is read from the ready endpoint's body; a header from any answer.
    let url = match source {
        Some(VersionSource::JsonField(_)) => {
            format!("{}{}", url.trim_end_matches('/'), probes.ready)
        }
        _ => url,
    };
    let mut tick = interval(probes.interval_secs);
    loop {
        tick.tick().await;
        let obs = match lb_get(&client, &url).await {
            Ok(a) => {
                // Which color that version is, is decided in `update`.
                LbObservation {
                    color: None,
                    version: version_of(&a, source.as_ref()),
                    error: (!a.status.is_success()).then(|| status_text(a.status)),
                    at: Utc::now(),
                }
            }
            Err(e) => LbObservation {
                version: None,
                color: None,
                error: Some(clean(&e)),
                at: Utc::now(),
            },
        };
        if ctx.tx.send(Msg::Lb(obs)).is_err() {
            return;
        }
    }
}

async fn lb_get(client: &reqwest::Client, url: &str) -> Result<Answer, String> {
    let started = Instant::now();
    let resp = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = StatusCode::from_u16(resp.status().as_u16()).map_err(|e| e.to_string())?;
    let mut headers = HeaderMap::new();
    for (k, v) in resp.headers() {
        if let (Ok(k), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(k.as_str().as_bytes()),
            hyper::header::HeaderValue::from_bytes(v.as_bytes()),
        ) {
            headers.append(k, v);
        }
    }
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    Ok(Answer {
        status,
        headers,
        body,
        latency_ms: started.elapsed().as_millis() as u64,
    })
}

#[cfg(test)]
mod tests;
