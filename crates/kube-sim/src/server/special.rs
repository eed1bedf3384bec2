//! The non-stored resources (SelfSubjectAccessReview, SelfSubjectReview) and namespace cleanup.

use super::error::{ApiError, ApiResult};
use super::handlers::json_response;
use super::path::ResourcePath;
use super::{Caller, ServerCtx};
use crate::proto;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

/// POST of a review object: answers 201 with the decision; other verbs are not allowed.
pub fn review(
    ctx: &ServerCtx,
    caller: &Caller,
    method: &Method,
    rp: &ResourcePath,
    content_type: &str,
    body: &[u8],
) -> ApiResult<Response> {
    if method != Method::POST || rp.name.is_some() {
        return Err(ApiError::method_not_allowed(format!(
            "{} only supports create",
            rp.def.plural
        )));
    }
    let mut sent: Value = match (content_type.starts_with(proto::PROTOBUF), rp.def.kind) {
        (true, "SelfSubjectAccessReview") => proto::self_subject_access_review(body)
            .map_err(|e| ApiError::bad_request(e.to_string()))?,
        // A SelfSubjectReview carries nothing the answer needs.
        (true, _) => json!({}),
        (false, _) => serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?,
    };
    if !sent.is_object() {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    }
    sent["apiVersion"] = json!(rp.def.api_version());
    sent["kind"] = json!(rp.def.kind);
    match rp.def.kind {
        "SelfSubjectAccessReview" => {
            check_review_spec(&sent)?;
            let allowed = decide(ctx, &caller.user, &sent);
            sent["status"] = json!({"allowed": allowed});
        }
        _ => {
            sent["status"] = json!({"userInfo": {
                "username": caller.user,
                "groups": ["system:authenticated"],
            }});
        }
    }
    Ok(json_response(StatusCode::CREATED, &sent))
}

/// A SelfSubjectAccessReview asks about exactly one of resource or non-resource attributes
/// (422 Invalid otherwise, with the real server's message).
fn check_review_spec(review: &Value) -> ApiResult<()> {
    let has = |k: &str| {
        review
            .pointer(&format!("/spec/{k}"))
            .is_some_and(|v| !v.is_null())
    };
    let why = match (has("resourceAttributes"), has("nonResourceAttributes")) {
        (true, true) => "spec.nonResourceAttributes: Invalid value: \"object\": cannot be specified in combination with resourceAttributes",
        (false, false) => "spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
        _ => return Ok(()),
    };
    let mut e = ApiError::invalid(format!(
        "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: {why}"
    ));
    e.details = Some(json!({"group": "authorization.k8s.io", "kind": "SelfSubjectAccessReview"}));
    Err(e)
}

fn decide(ctx: &ServerCtx, user: &str, review: &Value) -> bool {
    let Some(attrs) = review.pointer("/spec/resourceAttributes") else {
        // Non-resource URLs (/healthz, /version) are open to every authenticated user.
        return true;
    };
    let get = |k: &str| attrs.get(k).and_then(Value::as_str).unwrap_or("");
    let resource = match get("subresource") {
        "" => get("resource").to_string(),
        sub => format!("{}/{sub}", get("resource")),
    };
    ctx.state.auth.allowed(user, get("verb"), &resource)
}
