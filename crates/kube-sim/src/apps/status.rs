//! Kubernetes `Status` error responses for the apps' API routes.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A `Status` failure with the reason kube-rs and kubectl decide by.
pub fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code,
    });
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// 400 BadRequest.
pub fn bad_request(message: &str) -> Response {
    status(400, "BadRequest", message)
}

/// 404 NotFound for `resource "name"`.
pub fn not_found(resource: &str, name: &str) -> Response {
    status(404, "NotFound", &format!("{resource} \"{name}\" not found"))
}

/// 503 ServiceUnavailable.
pub fn unavailable(message: &str) -> Response {
    status(503, "ServiceUnavailable", message)
}
