//! The resource handler: every verb on every served resource, dispatched from the path.

use super::deletion::{self, DeleteOptions};
use super::error::{ApiError, ApiResult};
use super::objects::{partial, present, scale_of, wants_partial};
use super::path::{self, ResourcePath, Target};
use super::{fresh, special, Caller, ServerCtx};
use crate::resources::ResourceDef;
use crate::selector::{FieldSelector, LabelSelector};
use crate::table;
use crate::watch::{self, WatchRequest};
use crate::{aggregated, discovery, field_labels, proto};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

type Params = HashMap<String, String>;

/// A JSON answer with `Content-Type: application/json`.
pub fn json_response(code: StatusCode, v: &Value) -> Response {
    let body = crate::wire::to_vec(v);
    (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// An aggregated discovery answer, with exactly the Content-Type clients negotiate.
fn aggregated_response(v: &Value) -> Response {
    let headers = [
        (header::CONTENT_TYPE, aggregated::CONTENT_TYPE),
        (header::VARY, "Accept"),
    ];
    (StatusCode::OK, headers, crate::wire::to_vec(v)).into_response()
}

/// Fallback handler for everything under `/api` and `/apis`.
pub async fn dispatch(
    State(ctx): State<ServerCtx>,
    Extension(caller): Extension<Caller>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params: Params = Query::try_from_uri(&uri).map(|q| q.0).unwrap_or_default();
    let req = Req {
        ctx: &ctx,
        caller: &caller,
        method: &method,
        headers: &headers,
        params: &params,
    };
    let aggregated = aggregated::wanted(req.accept());
    match path::parse(uri.path()) {
        Some(Target::CoreVersions) if aggregated => aggregated_response(&aggregated::core()),
        Some(Target::Groups) if aggregated => aggregated_response(&aggregated::groups()),
        Some(Target::CoreVersions) => json_response(
            StatusCode::OK,
            &discovery::core_versions(&ctx.server_address()),
        ),
        Some(Target::Groups) => json_response(StatusCode::OK, &discovery::groups()),
        Some(Target::Group(g)) => json_response(StatusCode::OK, &discovery::group(&g)),
        Some(Target::ResourceList(g, v)) => {
            json_response(StatusCode::OK, &discovery::resource_list(&g, &v))
        }
        Some(Target::Resource(rp)) => {
            // A read at a version the store has not reached waits for it, like the watch cache.
            if let Some(want) = fresh::wanted(&params).filter(|_| method == Method::GET) {
                if let Err(e) = fresh::wait_until_fresh(&ctx.state.store, want).await {
                    return e.into_response();
                }
            }
            req.resource(rp, &body)
                .unwrap_or_else(IntoResponse::into_response)
        }
        None => ApiError::no_route(uri.path()).into_response(),
    }
}

pub(super) struct Req<'a> {
    pub(super) ctx: &'a ServerCtx,
    pub(super) caller: &'a Caller,
    pub(super) method: &'a Method,
    pub(super) headers: &'a HeaderMap,
    pub(super) params: &'a Params,
}

/// How a POST/PUT body is encoded, by its Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyMedia {
    Json,
    Yaml,
    Protobuf,
}

/// The media type of a POST/PUT body the API server decodes (parameters such as `charset`
/// allowed): JSON, YAML, or the protobuf envelope kubectl's generators send. Like the real
/// server, a request without a Content-Type is taken as JSON (the Python client sends none
/// on some calls); anything else is None (415).
fn body_media(ct: &str) -> Option<BodyMedia> {
    let media = ct.split(';').next().unwrap_or("").trim();
    let is = |m: &str| media.eq_ignore_ascii_case(m);
    if media.is_empty() || is("application/json") {
        Some(BodyMedia::Json)
    } else if is("application/yaml") {
        Some(BodyMedia::Yaml)
    } else if is(proto::PROTOBUF) {
        Some(BodyMedia::Protobuf)
    } else {
        None
    }
}

/// A YAML body as the JSON the handlers read (400 BadRequest when it is not YAML).
fn yaml_to_json(body: &[u8]) -> ApiResult<Vec<u8>> {
    let v: Value = serde_yaml::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error converting YAML to JSON: {e}")))?;
    serde_json::to_vec(&v).map_err(|e| ApiError::bad_request(e.to_string()))
}

pub(super) fn parse_json(body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

impl Req<'_> {
    pub(super) fn param(&self, k: &str) -> Option<&str> {
        self.params
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(super) fn flag(&self, k: &str) -> bool {
        matches!(self.param(k), Some("true" | "1"))
    }

    /// The label and field selectors of a list, watch or deletecollection on `def`; a field
    /// label the kind does not support is 400, as on a real server.
    pub(super) fn selectors(&self, def: &ResourceDef) -> ApiResult<(LabelSelector, FieldSelector)> {
        let l = LabelSelector::parse(self.param("labelSelector").unwrap_or(""))
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let f = FieldSelector::parse(self.param("fieldSelector").unwrap_or(""))
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        field_labels::check(def, &f).map_err(ApiError::bad_request)?;
        Ok((l, f))
    }

    pub(super) fn accept(&self) -> &str {
        self.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub(super) fn wants_table(&self) -> bool {
        table::wants_table(self.accept())
    }

    pub(super) fn wants_partial(&self) -> bool {
        wants_partial(self.accept())
    }

    fn resource(&self, rp: ResourcePath, body: &[u8]) -> ApiResult<Response> {
        let def = rp.def;
        let ct = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let converted;
        let body = match (self.method == Method::POST || self.method == Method::PUT)
            .then(|| body_media(ct))
        {
            Some(None) => return Err(ApiError::unsupported_body_type(ct)),
            Some(Some(BodyMedia::Yaml)) => {
                converted = yaml_to_json(body)?;
                converted.as_slice()
            }
            _ => body,
        };
        if !def.is_stored() {
            return special::review(self.ctx, self.caller, self.method, &rp, ct, body);
        }
        if matches!(rp.sub.as_deref(), Some("log" | "proxy" | "portforward")) {
            return Err(ApiError::no_route(
                "served by the simulated apps, which are not running",
            ));
        }
        let m = self.method;
        let protobuf = ct.starts_with(proto::PROTOBUF);
        if m == Method::POST && rp.name.is_none() && protobuf {
            // kubectl's generators (`create namespace|configmap`) post protobuf.
            return match proto::simple_object(def.kind, body) {
                Some(Ok(obj)) => self.create(rp, &serde_json::to_vec(&obj).unwrap_or_default()),
                Some(Err(e)) => Err(ApiError::bad_request(e.to_string())),
                None => Err(ApiError::unsupported_media_type(ct)),
            };
        }
        if (m == Method::POST || m == Method::PUT) && protobuf {
            return Err(ApiError::unsupported_media_type(ct));
        }
        match (rp.name.is_some(), m) {
            (false, &Method::GET) if self.flag("watch") => self.watch(rp),
            (false, &Method::GET) => self.list(rp),
            (false, &Method::POST) => self.create(rp, body),
            (false, &Method::DELETE) => self.delete_collection(rp),
            (true, &Method::GET) => self.get(rp),
            (true, &Method::PUT) => self.update(rp, body),
            (true, &Method::PATCH) => self.patch(rp, body),
            (true, &Method::DELETE) => self.delete(rp, body),
            _ => Err(ApiError::method_not_allowed(format!(
                "{m} is not supported here"
            ))),
        }
    }

    pub(super) fn stored(&self, rp: &ResourcePath) -> ApiResult<Value> {
        let name = rp.name.as_deref().unwrap_or("");
        self.ctx
            .state
            .store
            .get(rp.def.store, rp.ns(), name)
            .ok_or_else(|| ApiError::not_found(rp.def.plural, name))
    }

    pub(super) fn answer(&self, rp: &ResourcePath, code: StatusCode, stored: &Value) -> Response {
        if rp.sub.as_deref() == Some("scale") {
            return json_response(code, &scale_of(stored));
        }
        let obj = present(rp.def, stored);
        if self.wants_partial() {
            return json_response(code, &partial(&obj));
        }
        if self.wants_table() {
            let rv = obj
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            return json_response(
                code,
                &table::table(
                    rp.def.kind,
                    std::slice::from_ref(&obj),
                    rv,
                    true,
                    chrono::Utc::now(),
                ),
            );
        }
        json_response(code, &obj)
    }

    fn get(&self, rp: ResourcePath) -> ApiResult<Response> {
        let obj = self.stored(&rp)?;
        Ok(self.answer(&rp, StatusCode::OK, &obj))
    }

    fn watch(&self, rp: ResourcePath) -> ApiResult<Response> {
        let (labels, fields) = self.selectors(rp.def)?;
        let rv = match self.param("resourceVersion") {
            None => None,
            Some(s) => Some(
                s.parse::<u64>()
                    .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {s:?}")))?,
            ),
        };
        let timeout = match self.param("timeoutSeconds") {
            None => None,
            Some(s) => Some(Duration::from_secs(s.parse().map_err(|_| {
                ApiError::bad_request(format!("invalid timeoutSeconds {s:?}"))
            })?)),
        };
        let req = WatchRequest {
            def: rp.def,
            namespace: rp.namespace,
            labels,
            fields,
            resource_version: rv,
            timeout,
            bookmarks: self.flag("allowWatchBookmarks"),
            send_initial: self.flag("sendInitialEvents"),
            as_table: self.wants_table(),
            metadata_only: self.wants_partial(),
        };
        Ok(watch::start(&self.ctx.state, req))
    }

    fn delete(&self, rp: ResourcePath, body: &[u8]) -> ApiResult<Response> {
        let opts: Value = if body.is_empty() {
            json!({})
        } else {
            parse_json(body)?
        };
        let grace = self
            .param("gracePeriodSeconds")
            .and_then(|g| g.parse::<i64>().ok())
            .or_else(|| opts.get("gracePeriodSeconds").and_then(Value::as_i64));
        let policy = self
            .param("propagationPolicy")
            .or_else(|| opts.get("propagationPolicy").and_then(Value::as_str));
        let delete_opts = DeleteOptions {
            grace,
            cascade: policy != Some("Orphan"),
        };
        let name = rp.name.clone().unwrap_or_default();
        let store = &self.ctx.state.store;
        if self.param("dryRun").is_some() || opts.get("dryRun").is_some_and(|d| d != &json!([])) {
            return Ok(self.deleted(&rp, &self.stored(&rp)?));
        }
        let answer = deletion::delete_object(store, rp.def.store, rp.ns(), &name, delete_opts)?;
        Ok(self.deleted(&rp, &answer))
    }

    /// A DELETE's answer: the object while it is still terminating, or for the kinds whose
    /// real registry returns it (pods, services, namespaces); otherwise a Success `Status`
    /// naming it (kube-rs reads either: `delete` returns `Either<K, Status>`).
    fn deleted(&self, rp: &ResourcePath, obj: &Value) -> Response {
        let terminating = obj.pointer("/metadata/deletionTimestamp").is_some();
        if terminating || crate::resources::returns_deleted_object(rp.def.store) {
            return self.answer(rp, StatusCode::OK, obj);
        }
        let meta = &obj["metadata"];
        let mut details = json!({"name": meta["name"], "kind": rp.def.plural, "uid": meta["uid"]});
        if !rp.def.group.is_empty() {
            details["group"] = json!(rp.def.group);
        }
        let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Success", "details": details});
        json_response(StatusCode::OK, &status)
    }

    fn delete_collection(&self, rp: ResourcePath) -> ApiResult<Response> {
        let (labels, fields) = self.selectors(rp.def)?;
        let store = &self.ctx.state.store;
        let (items, _) = store.list(rp.def.store, rp.namespace.as_deref(), None);
        let mut gone = Vec::new();
        for o in items.iter().filter(|o| {
            let p = present(rp.def, o);
            labels.matches_object(&p) && fields.matches_object(&p)
        }) {
            let ns = o
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            let name = o
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let opts = DeleteOptions {
                grace: None,
                cascade: true,
            };
            if let Ok(v) = deletion::delete_object(store, rp.def.store, ns, name, opts) {
                gone.push(present(rp.def, &v));
            }
        }
        let list = json!({"kind": format!("{}List", rp.def.kind), "apiVersion": rp.def.api_version(),
            "metadata": {"resourceVersion": store.resource_version().to_string()}, "items": gone});
        Ok(json_response(StatusCode::OK, &list))
    }
}
