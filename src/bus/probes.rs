//! Health probes of each color (through the API server's proxy or a port-forward) and
//! the probe of the public entry point (`router.lb_url`, in `lb`).
//!
//! A probe learns two things, kept apart: whether the way to the app worked (a slow or
//! broken API server, a Service that does not exist, no ready endpoints — the app was not
//! reached, so nothing is known about it) and, only when it did, what the app answered.

mod lb;
pub use lb::{lb_get, lb_probe_url};

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
use crate::cluster::errors::{explain, status};
use crate::config::schema::{ProbeTransport, VersionSource};
use crate::model::{Color, PodSummary, ProbeKind, ProbeResult};

/// A plain HTTP answer, whichever way it travelled.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
    /// Round trip of the request itself, in milliseconds (a port-forward's setup not
    /// counted).
    pub latency_ms: u64,
}

/// Starts one probe loop per color and, with `lb_url`, the LB probe.
pub fn spawn_all(ctx: &Ctx, shared: &Shared, tasks: &mut JoinSet<()>) {
    for color in Color::BOTH {
        tasks.spawn(probe_loop(ctx.clone(), shared.clone(), color));
    }
    if let Some(url) = ctx.config.router.lb_url.clone() {
        tasks.spawn(lb::lb_loop(ctx.clone(), url));
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

/// How a probe's request went.
#[derive(Debug)]
pub enum Fetched {
    /// The app answered (any status).
    Answer(Answer),
    /// The app's pod was reached but gave no HTTP answer (nothing listens, closed).
    NoAnswer(String),
    /// The way to the app failed: it was not reached.
    PathFailed(String),
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
    // A timeout cannot tell a slow app from a slow way there: it is told as the way's.
    let fetched = outcome.unwrap_or_else(|_| {
        Fetched::PathFailed(format!(
            "{} timed out after {} s",
            way(ctx),
            probes.timeout_secs
        ))
    });
    let (ok, detail, path_error, version) = match fetched {
        Fetched::Answer(a) => (
            a.status.is_success(),
            status_text(a.status),
            None,
            version_of(&a, version_source),
        ),
        Fetched::NoAnswer(why) => (false, clean(&why), None, None),
        Fetched::PathFailed(why) => (false, String::new(), Some(clean(&why)), None),
    };
    ProbeResult {
        color,
        kind,
        ok,
        latency_ms,
        detail,
        path_error,
        version,
        at: Utc::now(),
    }
}

/// The way probes travel, as told in a failure: "via API proxy", "via port-forward".
fn way(ctx: &Ctx) -> &'static str {
    match ctx.config.probes.transport {
        ProbeTransport::Proxy => "via API proxy:",
        ProbeTransport::PortForward => "via port-forward:",
    }
}

pub(crate) fn status_text(s: StatusCode) -> String {
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

async fn fetch(ctx: &Ctx, color: Color, path: &str, pods: &[PodSummary]) -> Fetched {
    let cc = ctx.config.colors.of(color);
    let port = cc.port;
    let ns = &cc.namespace;
    // Through a Service its endpoints decide; otherwise one pod of ours is probed.
    let pod = pick_pod(pods).map(|p| p.name.as_str());
    match (ctx.config.probes.transport, &cc.service, pod) {
        (ProbeTransport::Proxy, Some(svc), _) => {
            let url = format!("/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy{path}");
            via_api_proxy(&ctx.client, Method::GET, &url).await
        }
        (_, _, None) => Fetched::PathFailed("no pod to probe".into()),
        (_, _, Some(pod)) => pod_request(ctx, color, pod, Method::GET, path).await,
    }
}

/// One request (any method, empty body) to one pod of a color through the configured
/// transport: the API server's pod proxy, or a fresh port-forward.
async fn pod_request(ctx: &Ctx, color: Color, pod: &str, method: Method, path: &str) -> Fetched {
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

/// Like the probes' own requests, for smoke checks and metric scrapes: the app's answer,
/// or why it could not be had (the way there failed, or the pod gave no HTTP answer).
pub async fn to_pod(
    ctx: &Ctx,
    color: Color,
    pod: &str,
    method: Method,
    path: &str,
) -> Result<Answer, String> {
    match pod_request(ctx, color, pod, method, path).await {
        Fetched::Answer(a) => Ok(a),
        Fetched::NoAnswer(why) | Fetched::PathFailed(why) => Err(why),
    }
}

async fn via_api_proxy(client: &kube::Client, method: Method, url: &str) -> Fetched {
    let failed = |why: String| Fetched::PathFailed(format!("via API proxy: {why}"));
    let req = match hyper::Request::builder()
        .method(method)
        .uri(url)
        .body(Body::empty())
    {
        Ok(req) => req,
        Err(e) => return failed(explain(&e)),
    };
    let started = Instant::now();
    let resp = match client.send(req).await {
        Ok(resp) => resp,
        Err(e) => return failed(explain(&e)),
    };
    let (parts, body) = resp.into_parts();
    let body = match body.collect_bytes().await {
        Ok(body) => body,
        Err(e) => return failed(explain(&e)),
    };
    let answer = Answer {
        status: parts.status,
        headers: parts.headers,
        body,
        latency_ms: started.elapsed().as_millis() as u64,
    };
    proxy_answer(answer)
}

/// An answer through the API server's proxy: the app's own, or the API server's `Status`
/// saying why it could not pass the request on (then the app was not reached — except when
/// the pod itself refused the connection: nothing listens on the port).
pub fn proxy_answer(answer: Answer) -> Fetched {
    if answer.status.is_success() {
        return Fetched::Answer(answer);
    }
    let Ok(st) = serde_json::from_slice::<kube::core::Status>(&answer.body) else {
        return Fetched::Answer(answer);
    };
    let is_status = serde_json::from_slice::<serde_json::Value>(&answer.body)
        .is_ok_and(|v| v["kind"] == "Status" && v["apiVersion"] == "v1");
    if !is_status {
        return Fetched::Answer(answer);
    }
    if st.message.contains("connection refused") {
        return Fetched::NoAnswer("nothing listens on the port (connection refused)".into());
    }
    Fetched::PathFailed(format!("via API proxy: {}", status(&st)))
}

/// One HTTP/1.1 request through a fresh port-forward to the pod.
async fn via_port_forward(
    api: &Api<Pod>,
    pod: &str,
    port: u16,
    method: Method,
    path: &str,
) -> Fetched {
    let failed = |why: String| Fetched::PathFailed(format!("via port-forward: {why}"));
    let mut pf = match api.portforward(pod, &[port]).await {
        Ok(pf) => pf,
        Err(e) => return failed(explain(&e)),
    };
    let Some(stream) = pf.take_stream(port) else {
        return failed("no stream for the port".into());
    };
    // The tunnel is up: from here on a failure is the pod not answering HTTP.
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut sender, conn) = match hyper::client::conn::http1::handshake(io).await {
        Ok(pair) => pair,
        Err(e) => return Fetched::NoAnswer(explain(&e)),
    };
    let conn = tokio::spawn(conn);
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .body(http_body_util::Empty::<Bytes>::new());
    let result = async {
        let req = req.map_err(|e| explain(&e))?;
        let started = Instant::now();
        let resp = sender.send_request(req).await.map_err(|e| explain(&e))?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(|e| explain(&e))?.to_bytes();
        Ok::<_, String>(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
            latency_ms: started.elapsed().as_millis() as u64,
        })
    }
    .await;
    conn.abort();
    pf.abort();
    match result {
        Ok(a) => Fetched::Answer(a),
        Err(why) => Fetched::NoAnswer(why),
    }
}

#[cfg(test)]
mod tests;
