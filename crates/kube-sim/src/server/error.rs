//! API errors, always answered as a `Status` object with the reason clients decide by.

use crate::store::StoreError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error answer: HTTP code, Status `reason` and message (plus optional details).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// Status reason (`NotFound`, `Conflict`, ...).
    pub reason: &'static str,
    /// Human-readable message.
    pub message: String,
    /// `details` (name, kind) when known.
    pub details: Option<Value>,
    /// `metadata.continue` (a 410 for an expired continue token carries a fresh one).
    pub list_continue: Option<String>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
            list_continue: None,
        }
    }

    /// 410 Expired.
    pub fn new_expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 401 Unauthorized.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 403 Forbidden.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    /// 404 NotFound for a resource name.
    pub fn not_found(resource: &str, name: &str) -> Self {
        let mut e = Self::new(404, "NotFound", format!("{resource} \"{name}\" not found"));
        e.details = Some(json!({"name": name, "kind": resource}));
        e
    }

    /// 404 NotFound for a path the simulator does not serve.
    pub fn no_route(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    /// 415 UnsupportedMediaType.
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {content_type:?})"))
    }

    /// 415 UnsupportedMediaType for a create/replace body.
    pub fn unsupported_body_type(content_type: &str) -> Self {
        Self::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {content_type:?})"))
    }

    /// 422 Invalid.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(422, "Invalid", message)
    }

    /// 500 InternalError.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// An injected failure (`fail_next`) with the given code.
    pub fn injected(code: u16) -> Self {
        let reason = match code {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            409 => "Conflict",
            410 => "Expired",
            422 => "Invalid",
            429 => "TooManyRequests",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "InternalError",
        };
        Self::new(code, reason, format!("injected failure ({code})"))
    }

    /// A failure answered after the write was stored (`fail_after_write`): a lost response.
    pub fn injected_after_write(code: u16) -> Self {
        let mut e = Self::injected(code);
        e.message = format!("injected failure after the write was stored ({code})");
        e
    }

    /// The Status object body.
    pub fn status_body(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            v["details"] = d.clone();
        }
        if let Some(c) = &self.list_continue {
            v["metadata"]["continue"] = json!(c);
        }
        v
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let msg = e.to_string();
        match e {
            StoreError::NotFound { resource, name } => ApiError::not_found(&resource, &name),
            StoreError::AlreadyExists { resource, name } => {
                let mut a = ApiError::new(409, "AlreadyExists", msg);
                a.details = Some(json!({"name": name, "kind": resource}));
                a
            }
            StoreError::Conflict { resource, name } => {
                let mut a = ApiError::new(409, "Conflict", msg);
                a.details = Some(json!({"name": name, "kind": resource}));
                a
            }
            StoreError::Invalid(m) => ApiError::invalid(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = crate::wire::to_vec(&self.status_body());
        (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_reasons() {
        let cases = [
            (
                StoreError::NotFound {
                    resource: "pods".into(),
                    name: "a".into(),
                },
                404,
                "NotFound",
            ),
            (
                StoreError::AlreadyExists {
                    resource: "pods".into(),
                    name: "a".into(),
                },
                409,
                "AlreadyExists",
            ),
            (
                StoreError::Conflict {
                    resource: "pods".into(),
                    name: "a".into(),
                },
                409,
                "Conflict",
            ),
            (StoreError::Invalid("x".into()), 422, "Invalid"),
        ];
        for (e, code, reason) in cases {
            let a = ApiError::from(e);
            assert_eq!((a.code, a.reason), (code, reason));
            let body = a.status_body();
            assert_eq!(body["kind"], "Status");
            assert_eq!(body["code"], code);
            assert_eq!(body["reason"], reason);
        }
        assert_eq!(ApiError::injected(503).reason, "ServiceUnavailable");
    }
}
