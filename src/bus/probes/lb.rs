//! The probe of the public entry point (`router.lb_url`): which version it serves.

use chrono::Utc;
use hyper::header::HeaderMap;
use hyper::StatusCode;

use super::{interval, status_text, version_of, Answer};
use crate::app::msg::Msg;
use crate::bus::Ctx;
use crate::cluster::clean;
use crate::cluster::errors::explain;
use crate::config::schema::{Config, VersionSource};
use crate::model::LbObservation;

/// Probes the LB every probe interval until the receiver is gone.
pub(super) async fn lb_loop(ctx: Ctx, url: String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let probes = &ctx.config.probes;
    let timeout = std::time::Duration::from_secs_f64(probes.timeout_secs.max(0.01));
    let client = match reqwest::Client::builder().timeout(timeout).build() {
        Ok(c) => c,
        Err(e) => {
            let error = Some(clean(&format!("LB client: {}", explain(&e))));
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
    let url = lb_probe_url(&ctx.config, &url);
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

/// The URL the LB is asked which version serves: a JSON field is read from the ready
/// endpoint's body; a header from any answer (`lb_url` itself).
pub fn lb_probe_url(config: &Config, lb_url: &str) -> String {
    match config.router.lb_version {
        Some(VersionSource::JsonField(_)) => {
            format!("{}{}", lb_url.trim_end_matches('/'), config.probes.ready)
        }
        _ => lb_url.to_string(),
    }
}

/// One GET of the load balancer, read whole.
pub async fn lb_get(client: &reqwest::Client, url: &str) -> Result<Answer, String> {
    let started = std::time::Instant::now();
    let resp = client.get(url).send().await.map_err(|e| explain(&e))?;
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
    let body = resp.bytes().await.map_err(|e| explain(&e))?;
    Ok(Answer {
        status,
        headers,
        body,
        latency_ms: started.elapsed().as_millis() as u64,
    })
}
