//! `/version`, health endpoints, and the simulator's own `/sim/v1/faults` and `/sim/v1/requests`.

use super::error::ApiError;
use super::handlers::json_response;
use super::ServerCtx;
use crate::apps::parse_app_fault;
use crate::faults::ApiFaultRequest;
use crate::{discovery, openapi};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

/// The routes of this module (state: [`ServerCtx`]).
pub fn routes() -> Router<ServerCtx> {
    Router::new()
        .route(
            "/version",
            get(|| async { json_response(StatusCode::OK, &discovery::version()) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(|| async { "ok" }))
        .route("/livez", get(|| async { "ok" }))
        .route(
            "/openapi/v3",
            get(|| async { json_response(StatusCode::OK, &openapi::root()) }),
        )
        .route("/openapi/v3/{*gv}", get(openapi_gv))
        .route("/sim/v1/faults", post(post_faults))
        .route("/sim/v1/tuning", post(post_tuning))
        .route("/sim/v1/requests", get(get_requests))
}

async fn openapi_gv(Path(gv): Path<String>) -> Response {
    match openapi::group_version(&gv) {
        Some(doc) => json_response(StatusCode::OK, &doc),
        None => ApiError::no_route(&format!("/openapi/v3/{gv}")).into_response(),
    }
}

async fn get_requests(State(ctx): State<ServerCtx>) -> Response {
    json_response(StatusCode::OK, &json!(ctx.state.requests.snapshot()))
}

/// What `POST /sim/v1/tuning` may change while the simulator runs.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TuningRequest {
    /// App log lines per second per container (0 to 100 000).
    log_rate: Option<f64>,
}

/// Run-time tuning (`{"log_rate": 250}`); the gate lets only the admin through.
async fn post_tuning(State(ctx): State<ServerCtx>, body: Bytes) -> Response {
    let req: TuningRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return ApiError::bad_request(format!("invalid tuning: {e}")).into_response(),
    };
    if let Some(rate) = req.log_rate {
        if !(0.0..=100_000.0).contains(&rate) {
            let msg = format!("log_rate must be between 0 and 100000 lines per second, got {rate}");
            return ApiError::bad_request(msg).into_response();
        }
        ctx.state.apps.set_log_rate(rate);
    }
    let applied = json!({"log_rate": ctx.state.apps.log_rate()});
    json_response(StatusCode::OK, &json!({"applied": applied}))
}

/// API faults (fail_next, latency_ms, drop_watches, down_ms, compact), or an app fault when
/// the body has a `"target"`. The gate lets only the admin through (see `sim_access`).
async fn post_faults(State(ctx): State<ServerCtx>, body: Bytes) -> Response {
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return ApiError::bad_request(format!("invalid JSON body: {e}")).into_response(),
    };
    if v.get("target").is_some() {
        return match parse_app_fault(&v) {
            Ok((target, fault)) => {
                ctx.state.apps.set_fault(target, fault);
                json_response(StatusCode::OK, &json!({"applied": v}))
            }
            Err(e) => ApiError::bad_request(e.to_string()).into_response(),
        };
    }
    let req: ApiFaultRequest = match serde_json::from_value(v.clone()) {
        Ok(r) => r,
        Err(e) => return ApiError::bad_request(format!("invalid fault: {e}")).into_response(),
    };
    if req.compact {
        ctx.state.store.compact();
    }
    ctx.state.faults.apply(&req);
    json_response(StatusCode::OK, &json!({"applied": v}))
}
