//! The Prometheus source: each signal is a PromQL template filled in for the color and read
//! through `/api/v1/query` every interval; `/api/v1/query_range` backfills the sparkline at
//! start. A bearer token file (read at every round, so rotated tokens work) and a CA file
//! are optional.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::{interval, keep_reason};
use crate::app::msg::Msg;
use crate::bus::Ctx;
use crate::cluster::clean;
use crate::config::metrics::{promql_selector, PrometheusConfig};
use crate::metrics::promql::{expand, Vars};
use crate::metrics::{Health, Sample};
use crate::model::Color;

/// The color's queries, filled in: error rate, p99 (seconds), request rate, then custom.
struct Queries {
    error_rate: String,
    p99: String,
    request_rate: String,
    custom: Vec<Option<String>>,
}

fn queries(ctx: &Ctx, p: &PrometheusConfig, color: Color) -> Queries {
    let cc = ctx.config.colors.of(color);
    let vars = Vars {
        namespace: cc.namespace.clone(),
        selector: promql_selector(&cc.selector),
        color: color.name().into(),
        window: p.window.clone(),
    };
    Queries {
        error_rate: expand(&p.error_rate, &vars),
        p99: expand(&p.p99, &vars),
        request_rate: expand(&p.request_rate, &vars),
        custom: ctx
            .config
            .metrics
            .signals
            .iter()
            .map(|s| s.query.as_ref().map(|q| expand(q, &vars)))
            .collect(),
    }
}

/// A Prometheus HTTP API client.
struct Api {
    http: reqwest::Client,
    base: String,
    token_file: Option<std::path::PathBuf>,
}

impl Api {
    fn new(p: &PrometheusConfig, timeout: Duration) -> Result<Api, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut b = reqwest::Client::builder().timeout(timeout);
        if let Some(ca) = &p.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("CA file {}: {e}", ca.display()))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| format!("CA file {}: {e}", ca.display()))?;
            b = b.add_root_certificate(cert);
        }
        Ok(Api {
            http: b.build().map_err(|e| format!("HTTP client: {e}"))?,
            base: p.url.trim_end_matches('/').to_string(),
            token_file: p.bearer_token_file.clone(),
        })
    }

    /// GET an API path; the `data` of a success, else what the server said.
    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<Value, String> {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.base), params)
            .map_err(|e| format!("{path}: {e}"))?;
        let mut req = self.http.get(url);
        if let Some(file) = &self.token_file {
            let token = std::fs::read_to_string(file)
                .map_err(|e| format!("token file {}: {e}", file.display()))?;
            req = req.bearer_auth(token.trim());
        }
        let resp = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status();
        let body: Value = resp
            .json()
            .await
            .map_err(|e| format!("{path}: HTTP {status}, not JSON: {e}"))?;
        if body["status"] == "success" {
            return Ok(body["data"].clone());
        }
        let said = body["error"].as_str().unwrap_or("no error text");
        Err(format!("{path}: HTTP {}: {said}", status.as_u16()))
    }

    /// One instant query's value (None: empty result or NaN).
    async fn instant(&self, query: &str, at: DateTime<Utc>) -> Result<Option<f64>, String> {
        let data = self
            .get(
                "/api/v1/query",
                &[("query", query.into()), ("time", secs(at))],
            )
            .await?;
        let result = data["result"].as_array().cloned().unwrap_or_default();
        match result.as_slice() {
            [] => Ok(None),
            [one] => Ok(number(&one["value"][1])),
            many => Err(format!(
                "the query returned {} series; aggregate it to one (sum, sum by ...)",
                many.len()
            )),
        }
    }

    /// A range query's points (timestamp, value), empty without data.
    async fn range(
        &self,
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: f64,
    ) -> Result<Vec<(i64, Option<f64>)>, String> {
        let data = self
            .get(
                "/api/v1/query_range",
                &[
                    ("query", query.into()),
                    ("start", secs(start)),
                    ("end", secs(end)),
                    ("step", format!("{step}")),
                ],
            )
            .await?;
        let values = data["result"][0]["values"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok(values
            .iter()
            .filter_map(|v| Some(((v[0].as_f64()? * 1000.0) as i64, number(&v[1]))))
            .collect())
    }
}

fn secs(t: DateTime<Utc>) -> String {
    format!("{:.3}", t.timestamp_millis() as f64 / 1000.0)
}

/// A Prometheus sample value ("1.5", "NaN", "+Inf") as data, NaN and infinities as none.
fn number(v: &Value) -> Option<f64> {
    v.as_str()?.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Ask Prometheus about `color` every interval until the receiver is gone.
pub async fn run(ctx: Ctx, color: Color) {
    let Some(p) = ctx.config.metrics.prometheus.clone() else {
        return;
    };
    let m = &ctx.config.metrics;
    let timeout = Duration::from_secs_f64(m.timeout_secs.max(0.1));
    let window = p.window_secs().unwrap_or(60.0);
    let q = queries(&ctx, &p, color);
    let api = match Api::new(&p, timeout) {
        Ok(api) => api,
        Err(e) => {
            // Say so every interval: the cockpit shows "no data: source down", never healthy.
            let mut tick = interval(m.interval_secs);
            loop {
                tick.tick().await;
                let sample = Sample {
                    at: Utc::now(),
                    health: Health {
                        errors: vec![clean(&e)],
                        ..Health::default()
                    },
                    custom: vec![None; q.custom.len()],
                    ..Sample::default()
                };
                let msg = Msg::Signals {
                    color,
                    sample: Box::new(sample),
                };
                if ctx.tx.send(msg).is_err() {
                    return;
                }
            }
        }
    };
    if p.backfill_minutes > 0.0 {
        let samples = backfill(&api, &q, &p, m.interval_secs, window).await;
        if !samples.is_empty() && ctx.tx.send(Msg::SignalHistory { color, samples }).is_err() {
            return;
        }
    }
    let mut tick = interval(m.interval_secs);
    loop {
        tick.tick().await;
        let sample = instant(&api, &q, Utc::now(), m.interval_secs, window).await;
        let msg = Msg::Signals {
            color,
            sample: Box::new(sample),
        };
        if ctx.tx.send(msg).is_err() {
            return;
        }
    }
}

/// One interval's sample: every query at `at`. Requests are the request rate over the
/// window (what the error ratio is computed over).
async fn instant(api: &Api, q: &Queries, at: DateTime<Utc>, interval: f64, window: f64) -> Sample {
    let mut health = Health::default();
    let rps = ask(api, &mut health, &q.request_rate, at).await;
    let error_rate = ask(api, &mut health, &q.error_rate, at).await;
    let p99 = ask(api, &mut health, &q.p99, at).await;
    let mut custom = Vec::with_capacity(q.custom.len());
    for c in &q.custom {
        custom.push(match c {
            Some(query) => ask(api, &mut health, query, at).await,
            None => None,
        });
    }
    let requests = rps.map(|r| r * window);
    Sample {
        at,
        secs: interval,
        requests,
        errors: requests.zip(error_rate).map(|(n, r)| n * r),
        error_rate: error_rate.filter(|_| requests.is_some_and(|n| n > 0.0)),
        p99_ms: p99.map(|s| s * 1000.0),
        rps,
        custom,
        health,
    }
}

/// One query, its failure kept in the health.
async fn ask(api: &Api, health: &mut Health, query: &str, at: DateTime<Utc>) -> Option<f64> {
    health.asked += 1;
    match api.instant(query, at).await {
        Ok(v) => {
            health.ok += 1;
            v
        }
        Err(e) => {
            keep_reason(&mut health.errors, clean(&e));
            None
        }
    }
}

/// The last `backfill_minutes` of the built-in signals, one sample per interval.
async fn backfill(
    api: &Api,
    q: &Queries,
    p: &PrometheusConfig,
    interval: f64,
    window: f64,
) -> Vec<Sample> {
    let end = Utc::now();
    let start = end - chrono::Duration::milliseconds((p.backfill_minutes * 60_000.0) as i64);
    let step = interval.max(1.0);
    let (Ok(rps), Ok(errs), p99) = (
        api.range(&q.request_rate, start, end, step).await,
        api.range(&q.error_rate, start, end, step).await,
        api.range(&q.p99, start, end, step).await,
    ) else {
        return Vec::new();
    };
    let p99 = p99.unwrap_or_default();
    let at = |ms: i64| Utc.timestamp_millis_opt(ms).single();
    rps.iter()
        .filter_map(|(ms, r)| {
            let find =
                |v: &[(i64, Option<f64>)]| v.iter().find(|(t, _)| t == ms).and_then(|(_, x)| *x);
            let requests = r.map(|r| r * window);
            let error_rate = find(&errs).filter(|_| requests.is_some_and(|n| n > 0.0));
            Some(Sample {
                at: at(*ms)?,
                secs: step,
                requests,
                errors: requests.zip(error_rate).map(|(n, e)| n * e),
                error_rate,
                p99_ms: find(&p99).map(|s| s * 1000.0),
                rps: *r,
                custom: vec![None; q.custom.len()],
                health: Health {
                    ok: 1,
                    asked: 1,
                    ..Health::default()
                },
            })
        })
        .collect()
}
