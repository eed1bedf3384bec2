//! Writes: create, update (PUT) and patch, including the `status` and `scale` subresources.

use super::error::{ApiError, ApiResult};
use super::handlers::{parse_json, Req};
use super::objects::{apply_scale, check_type, ingest, present, reconcile_status, scale_of};
use super::path::ResourcePath;
use super::services;
use crate::patch::{self, PatchKind};
use crate::store::StoreError;
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

impl Req<'_> {
    pub(super) fn require_namespace(&self, rp: &ResourcePath) -> ApiResult<()> {
        if rp.def.namespaced
            && self
                .ctx
                .state
                .store
                .get("namespaces", "", rp.ns())
                .is_none()
        {
            return Err(ApiError::not_found("namespaces", rp.ns()));
        }
        Ok(())
    }

    pub(super) fn create(&self, rp: ResourcePath, body: &[u8]) -> ApiResult<Response> {
        if rp.def.namespaced && rp.namespace.is_none() {
            return Err(ApiError::method_not_allowed(
                "create needs a namespace in the path",
            ));
        }
        let sent = parse_json(body)?;
        check_type(rp.def, &sent)?;
        let body_ns = sent
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        if rp.def.namespaced && !body_ns.is_empty() && body_ns != rp.ns() {
            return Err(ApiError::bad_request("the namespace of the provided object does not match the namespace sent on the request"));
        }
        self.require_namespace(&rp)?;
        let mut obj = ingest(rp.def, sent)?;
        if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        // Like the real API server, status is not client-writable on create.
        if rp.def.has_status() {
            if let Some(m) = obj.as_object_mut() {
                m.remove("status");
            }
        }
        let store = &self.ctx.state.store;
        if rp.def.store == "services" {
            services::admit_create(store, &mut obj)?;
        }
        if self.dry_run() {
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            if store.get(rp.def.store, rp.ns(), name).is_some() {
                return Err(StoreError::AlreadyExists {
                    resource: rp.def.plural.into(),
                    name: name.into(),
                }
                .into());
            }
            return Ok(self.answer(&rp, StatusCode::CREATED, &obj));
        }
        let made = store.create(rp.def.store, rp.ns(), obj)?;
        Ok(self.answer(&rp, StatusCode::CREATED, &made))
    }

    pub(super) fn update(&self, rp: ResourcePath, body: &[u8]) -> ApiResult<Response> {
        let sent = parse_json(body)?;
        let name = rp.name.clone().unwrap_or_default();
        let (store, def, sub) = (&self.ctx.state.store, rp.def, rp.sub.as_deref());
        let written = if sub == Some("scale") {
            let want = sent
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            self.modify_or_preview(&rp, |obj| {
                precondition(obj, &want, def.plural, &name)?;
                apply_scale(obj, &sent)
            })?
        } else {
            check_type(def, &sent)?;
            let old = self.stored(&rp)?;
            let mut new = reconcile_status(def, sub, &old, ingest(def, sent)?);
            if def.store == "services" && sub.is_none() {
                services::admit_update(&old, &mut new)?;
            }
            if self.dry_run() {
                let want = new
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                precondition(&old, want, def.plural, &name)?;
                new
            } else {
                store.update(def.store, rp.ns(), &name, new)?
            }
        };
        Ok(self.answer(&rp, StatusCode::OK, &written))
    }

    pub(super) fn patch(&self, rp: ResourcePath, body: &[u8]) -> ApiResult<Response> {
        let ct = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let kind = PatchKind::from_content_type(ct)
            .filter(|k| *k != PatchKind::Strategic || rp.def.strategic_merge)
            .ok_or_else(|| ApiError::unsupported_media_type(ct))?;
        let p = patch::parse_body(kind, body).map_err(|e| ApiError::bad_request(e.to_string()))?;
        if kind == PatchKind::Apply && self.param("fieldManager").is_none() {
            return Err(ApiError::bad_request("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"));
        }
        if kind == PatchKind::Apply {
            check_apply_body(&p)?;
        }
        let name = rp.name.clone().unwrap_or_default();
        let (store, def, sub) = (&self.ctx.state.store, rp.def, rp.sub.as_deref());
        if kind == PatchKind::Apply
            && sub.is_none()
            && store.get(def.store, rp.ns(), &name).is_none()
        {
            let mut obj = p.clone();
            if let Some(meta) = obj.as_object_mut().map(|o| {
                o.entry("metadata")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
            }) {
                let meta =
                    meta.ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
                meta.insert("name".into(), json!(name));
            }
            return self.create(rp, &serde_json::to_vec(&obj).unwrap_or_default());
        }
        let want = p
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let written = self.modify_or_preview(&rp, |obj| {
            if kind != PatchKind::Json {
                precondition(obj, &want, def.plural, &name)?;
            }
            let failed = |e: patch::PatchError| StoreError::Invalid(e.to_string());
            if sub == Some("scale") {
                let scale = patch::apply(kind, &scale_of(obj), &p).map_err(failed)?;
                return apply_scale(obj, &scale);
            }
            let patched = patch::apply(kind, &present(def, obj), &p).map_err(failed)?;
            check_type(def, &patched)?;
            let mut new = reconcile_status(def, sub, obj, ingest(def, patched)?);
            if def.store == "services" && sub.is_none() {
                services::admit_update(obj, &mut new)?;
            }
            *obj = new;
            Ok(())
        })?;
        Ok(self.answer(&rp, StatusCode::OK, &written))
    }
}

impl Req<'_> {
    /// `dryRun=All`: validate and answer, but write nothing.
    fn dry_run(&self) -> bool {
        self.param("dryRun").is_some()
    }

    /// Runs `f` as an atomic read-modify-write, or on a copy under `dryRun`.
    fn modify_or_preview<F>(&self, rp: &ResourcePath, f: F) -> ApiResult<Value>
    where
        F: FnOnce(&mut Value) -> Result<(), StoreError>,
    {
        let name = rp.name.as_deref().unwrap_or("");
        if self.dry_run() {
            let mut copy = self.stored(rp)?;
            f(&mut copy)?;
            return Ok(copy);
        }
        Ok(self
            .ctx
            .state
            .store
            .try_modify(rp.def.store, rp.ns(), name, f)?)
    }
}

/// A resourceVersion precondition carried in a body: non-empty and different → Conflict.
fn precondition(obj: &Value, want: &str, plural: &str, name: &str) -> Result<(), StoreError> {
    let have = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !want.is_empty() && want != have {
        return Err(StoreError::Conflict {
            resource: plural.into(),
            name: name.into(),
        });
    }
    Ok(())
}

/// A server-side apply body must name its type and carry object metadata (400 otherwise).
fn check_apply_body(p: &Value) -> ApiResult<()> {
    for field in ["apiVersion", "kind"] {
        if p.get(field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request(format!(
                "error decoding apply patch: {field} must be set"
            )));
        }
    }
    if p.get("metadata").is_some_and(|m| !m.is_object()) {
        return Err(ApiError::bad_request(
            "error decoding apply patch: metadata must be an object",
        ));
    }
    Ok(())
}
