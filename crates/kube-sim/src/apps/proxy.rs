//! API server proxy: `/api/v1/namespaces/NS/{services,pods}/NAME[:PORT]/proxy/PATH`.
//!
//! A real reverse proxy onto the app listener: any method, the backend's raw response.
//! A Service proxy picks a random ready endpoint from the Service's EndpointSlices.

use super::routing::ready_pods;
use super::status::{not_found, unavailable};
use super::{pod_url, Ctx};
use axum::body::{to_bytes, Body};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Largest request body forwarded.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Headers that belong to one hop (or to the API server's own auth) and are not forwarded.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "authorization"
            | "content-length"
    )
}

/// `[scheme:]name[:port]` → (name, port).
pub fn split_name_port(s: &str) -> (&str, Option<&str>) {
    let parts: Vec<&str> = s.split(':').collect();
    let (name, port) = match parts.as_slice() {
        [name] => (*name, None),
        [name, port] => (*name, Some(*port)),
        [_, name, port, ..] => (*name, Some(*port)),
        [] => ("", None),
    };
    (name, port.filter(|p| !p.is_empty()))
}

/// Does the Service expose `port` (number or port name; None = its first port)?
pub fn service_has_port(svc: &Value, port: Option<&str>) -> bool {
    let Some(port) = port else { return true };
    svc.pointer("/spec/ports")
        .and_then(Value::as_array)
        .is_some_and(|ports| {
            ports.iter().any(|p| {
                p["name"].as_str() == Some(port)
                    || p["port"].as_u64().map(|n| n.to_string()).as_deref() == Some(port)
            })
        })
}

/// A request to pass on to a pod.
#[derive(Debug)]
pub struct Outbound<'a> {
    /// HTTP method.
    pub method: Method,
    /// Path and query as the app sees them.
    pub path_and_query: &'a str,
    /// Incoming headers (hop-by-hop ones are dropped).
    pub headers: &'a HeaderMap,
    /// Request body.
    pub body: bytes::Bytes,
    /// The original client address (sent as X-Forwarded-For).
    pub client: &'a str,
}

/// Forward a request to pod `ns/pod` on the app listener; the caller maps errors.
pub async fn forward(
    ctx: &Ctx,
    ns: &str,
    pod: &str,
    out: Outbound<'_>,
) -> Result<Response, String> {
    let addr = ctx.apps.addr().ok_or("the app listener is not running")?;
    let url = pod_url(addr, ns, pod, out.path_and_query);
    let mut req = ctx
        .http
        .request(out.method, url)
        .body(out.body)
        .header("x-forwarded-for", out.client);
    for (k, v) in out.headers {
        if !hop_by_hop(k) {
            req = req.header(k, v);
        }
    }
    let resp = req
        .send()
        .await
        .map_err(|e| format!("error trying to reach pod {pod}: {e}"))?;
    let status = resp.status().as_u16();
    let mut out_headers = HeaderMap::new();
    for (k, v) in resp.headers() {
        if !hop_by_hop(k) {
            out_headers.append(k.clone(), v.clone());
        }
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| format!("error reading from pod {pod}: {e}"))?;
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    *r.headers_mut() = out_headers;
    Ok(r)
}

/// The path after `/proxy` plus the original query.
fn target_path(rest: Option<&str>, req: &Request) -> String {
    let mut p = format!("/{}", rest.unwrap_or(""));
    if let Some(q) = req.uri().query() {
        p.push('?');
        p.push_str(q);
    }
    p
}

async fn proxy_to(ctx: &Ctx, ns: &str, pod: &str, rest: Option<&str>, req: Request) -> Response {
    let path = target_path(rest, &req);
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return super::status::status(413, "RequestEntityTooLarge", "request body too large");
    };
    let out = Outbound {
        method: parts.method,
        path_and_query: &path,
        headers: &parts.headers,
        body,
        client: "127.0.0.1",
    };
    match forward(ctx, ns, pod, out).await {
        Ok(r) => r,
        Err(e) => unavailable(&e),
    }
}

async fn pod_proxy(
    ctx: Ctx,
    ns: String,
    name: String,
    rest: Option<String>,
    req: Request,
) -> Response {
    let (pod, _port) = split_name_port(&name);
    if ctx.store.get("pods", &ns, pod).is_none() {
        return not_found("pods", pod);
    }
    if ctx.apps.running(&ns, pod).is_none() {
        return unavailable(&format!(
            "error trying to reach pod {pod}: container is not running"
        ));
    }
    proxy_to(&ctx, &ns, pod, rest.as_deref(), req).await
}

async fn service_proxy(
    ctx: Ctx,
    ns: String,
    name: String,
    rest: Option<String>,
    req: Request,
) -> Response {
    let (svc_name, port) = split_name_port(&name);
    let Some(svc) = ctx.store.get("services", &ns, svc_name) else {
        return not_found("services", svc_name);
    };
    if !service_has_port(&svc, port) {
        return unavailable(&format!(
            "no service port {:?} found for service {svc_name:?}",
            port.unwrap_or("")
        ));
    }
    let ready: Vec<String> = ready_pods(&ctx.store, &ns, svc_name)
        .into_iter()
        .filter(|p| ctx.apps.running(&ns, p).is_some())
        .collect();
    if ready.is_empty() {
        return unavailable(&format!(
            "no endpoints available for service \"{svc_name}\""
        ));
    }
    let pod = &ready[rand::random_range(0..ready.len())];
    proxy_to(&ctx, &ns, pod, rest.as_deref(), req).await
}

/// `.../pods/NAME/proxy/PATH`.
pub async fn pod_proxy_path(
    State(ctx): State<Ctx>,
    Path((ns, name, rest)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    pod_proxy(ctx, ns, name, Some(rest), req).await
}

/// `.../pods/NAME/proxy`.
pub async fn pod_proxy_root(
    State(ctx): State<Ctx>,
    Path((ns, name)): Path<(String, String)>,
    req: Request,
) -> Response {
    pod_proxy(ctx, ns, name, None, req).await
}

/// `.../services/NAME/proxy/PATH`.
pub async fn service_proxy_path(
    State(ctx): State<Ctx>,
    Path((ns, name, rest)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    service_proxy(ctx, ns, name, Some(rest), req).await
}

/// `.../services/NAME/proxy`.
pub async fn service_proxy_root(
    State(ctx): State<Ctx>,
    Path((ns, name)): Path<(String, String)>,
    req: Request,
) -> Response {
    service_proxy(ctx, ns, name, None, req)
        .await
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn name_and_port() {
        assert_eq!(split_name_port("svc"), ("svc", None));
        assert_eq!(split_name_port("svc:8000"), ("svc", Some("8000")));
        assert_eq!(split_name_port("https:svc:443"), ("svc", Some("443")));
        assert_eq!(split_name_port("svc:"), ("svc", None));
    }

    #[test]
    fn service_ports() {
        let svc = json!({"spec": {"ports": [{"name": "http", "port": 8000}]}});
        assert!(service_has_port(&svc, None));
        assert!(service_has_port(&svc, Some("8000")));
        assert!(service_has_port(&svc, Some("http")));
        assert!(!service_has_port(&svc, Some("9000")));
    }
}
