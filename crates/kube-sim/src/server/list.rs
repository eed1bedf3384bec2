//! Lists, paged like a real API server: `limit` and `continue`, each page read at the first
//! page's resourceVersion (a consistent snapshot), `remainingItemCount` when no selector
//! filters, and `410 Expired` once that version has been compacted away.

use super::error::{ApiError, ApiResult};
use super::handlers::{json_response, Req};
use super::objects::{partial, present_cow};
use super::path::ResourcePath;
use crate::store::ListKey;
use crate::table;
use crate::wire::Wire;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::borrow::Cow;

/// The real server's message for a continue token whose version is compacted.
pub const CONTINUE_EXPIRED: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// A continue token as the real server encodes it (base64url of this JSON): the version
/// to read at (-1: the latest, for an inconsistent continuation) and the key to start at.
#[derive(Debug, Serialize, Deserialize)]
struct Token {
    v: String,
    rv: i64,
    start: String,
}

const TOKEN_VERSION: &str = "meta.k8s.io/v1";

/// A listing's key as a token's start key: `ns/name` across namespaces, else `name`, plus
/// a NUL (the first key after it).
fn start_key(rp: &ResourcePath, key: &ListKey) -> String {
    if rp.def.namespaced && rp.namespace.is_none() {
        format!("{}/{}\u{0}", key.0, key.1)
    } else {
        format!("{}\u{0}", key.1)
    }
}

fn encode(rv: i64, start: String) -> String {
    let t = Token {
        v: TOKEN_VERSION.into(),
        rv,
        start,
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&t).unwrap_or_default())
}

/// A token's version (None: latest) and the key the page continues after.
fn decode(rp: &ResourcePath, token: &str) -> ApiResult<(Option<u64>, ListKey)> {
    let bad = |why: &str| ApiError::bad_request(format!("invalid continue token: {why}"));
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| bad("continue key is not valid: illegal base64 data"))?;
    let t: Token = serde_json::from_slice(&raw)
        .map_err(|_| bad("continue key is not valid: it is not a JSON object"))?;
    if t.v != TOKEN_VERSION {
        return Err(bad(&format!(
            "continue key is not valid: server does not recognize this encoded key version {:?}",
            t.v
        )));
    }
    let start = t.start.strip_suffix('\u{0}').unwrap_or(&t.start);
    if start.is_empty() || t.rv == 0 || t.rv < -1 {
        return Err(bad(
            "continue key is not valid: incorrect encoded start resourceVersion",
        ));
    }
    let key = if rp.def.namespaced && rp.namespace.is_none() {
        let (ns, name) = start
            .split_once('/')
            .ok_or_else(|| bad("continue key is not valid: no namespace in the key"))?;
        (ns.to_string(), name.to_string())
    } else {
        (rp.ns().to_string(), start.to_string())
    };
    Ok(((t.rv > 0).then_some(t.rv as u64), key))
}

impl Req<'_> {
    /// GET on a collection: the whole list, or a page of it.
    pub(super) fn list(&self, rp: ResourcePath) -> ApiResult<Response> {
        let (labels, fields) = self.selectors(rp.def)?;
        let def = rp.def;
        let limit = match self.param("limit") {
            None => 0,
            Some(s) => s
                .parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid limit {s:?}")))?,
        };
        let cont = self.param("continue");
        let rv_param = self.param("resourceVersion");
        if cont.is_some() && rv_param.is_some() {
            return Err(ApiError::bad_request(
                "specifying resource version is not allowed when using continue",
            ));
        }
        // resourceVersion=0 is served from the watch cache, which ignores `limit` (1.32).
        let limit = if rv_param == Some("0") { 0 } else { limit };
        let (at, after) = match cont {
            Some(t) => {
                let (at, key) = decode(&rp, t)?;
                (at, Some(key))
            }
            None => (None, None),
        };
        let store = &self.ctx.state.store;
        let (stored, rv) =
            match store.list_at(def.store, rp.namespace.as_deref(), at, after.as_ref()) {
                Ok(v) => v,
                Err(_) => {
                    // Like the real server: 410, plus a token that continues at the latest version.
                    let mut e = ApiError::new_expired(CONTINUE_EXPIRED);
                    if let Some(key) = &after {
                        e.list_continue = Some(encode(-1, start_key(&rp, key)));
                    }
                    return Err(e);
                }
            };
        let filtered = !(labels.requirements.is_empty() && fields.terms.is_empty());
        let mut items: Vec<Cow<Value>> = Vec::new();
        let mut next = None;
        for (i, o) in stored.iter().enumerate() {
            let p = present_cow(def, o);
            if !(labels.matches_object(&p) && fields.matches_object(&p)) {
                continue;
            }
            items.push(p);
            if limit > 0 && items.len() as u64 == limit && i + 1 < stored.len() {
                next = Some((i, stored.len() - i - 1));
                break;
            }
        }
        let mut meta = json!({ "resourceVersion": rv.to_string() });
        if let Some((i, remaining)) = next {
            let o = &stored[i]["metadata"];
            let key = (
                o["namespace"].as_str().unwrap_or("").to_string(),
                o["name"].as_str().unwrap_or("").to_string(),
            );
            meta["continue"] = json!(encode(rv as i64, start_key(&rp, &key)));
            if !filtered {
                meta["remainingItemCount"] = json!(remaining);
            }
        }
        if self.wants_table() {
            let items: Vec<Value> = items.into_iter().map(Cow::into_owned).collect();
            let mut t = table::table(def.kind, &items, &rv.to_string(), true, chrono::Utc::now());
            t["metadata"] = meta;
            return Ok(json_response(StatusCode::OK, &t));
        }
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct List<'a> {
            kind: String,
            api_version: String,
            metadata: Value,
            items: Vec<Wire<'a>>,
        }
        let (kind, api_version, items) = if self.wants_partial() {
            let parts = items.iter().map(|o| Cow::Owned(partial(o))).collect();
            (
                "PartialObjectMetadataList".into(),
                "meta.k8s.io/v1".into(),
                parts,
            )
        } else {
            (format!("{}List", def.kind), def.api_version(), items)
        };
        let list = List {
            kind,
            api_version,
            metadata: meta,
            items: items.iter().map(|o| Wire(o.as_ref())).collect(),
        };
        let body = serde_json::to_vec(&list).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::path::{parse, Target};

    fn rp(path: &str) -> ResourcePath {
        match parse(path) {
            Some(Target::Resource(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tokens_round_trip_and_bad_ones_are_400() {
        let all = rp("/api/v1/pods");
        let key = ("ns".to_string(), "p-1".to_string());
        let t = encode(42, start_key(&all, &key));
        assert_eq!(decode(&all, &t).unwrap(), (Some(42), key.clone()));
        let one = rp("/api/v1/namespaces/ns/pods");
        let t = encode(-1, start_key(&one, &key));
        assert_eq!(decode(&one, &t).unwrap(), (None, key));
        for bad in ["!!", "e30", &encode(0, "x\u{0}".into())] {
            assert_eq!(decode(&one, bad).unwrap_err().code, 400, "{bad}");
        }
    }
}
