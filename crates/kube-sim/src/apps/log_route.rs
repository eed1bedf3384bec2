//! `GET /api/v1/namespaces/NS/pods/NAME/log`: text/plain logs, optionally followed.

use super::instance::Instance;
use super::log_params::{limit, LogParams};
use super::logs::LogQuery;
use super::status::{bad_request, not_found, status};
use super::Ctx;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often a follower catches up when no line was pushed (generated lines are due).
const FOLLOW_TICK: Duration = Duration::from_millis(100);

/// Container names of a pod object, and the one used when none is asked for.
fn containers(pod: &Value) -> (Vec<String>, Option<String>) {
    let names: Vec<String> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let annotated = pod
        .pointer("/metadata/annotations/kubectl.kubernetes.io~1default-container")
        .and_then(Value::as_str)
        .filter(|a| names.iter().any(|n| n == a))
        .map(String::from);
    let default = annotated.or_else(|| (names.len() == 1).then(|| names[0].clone()));
    (names, default)
}

/// The handler.
pub async fn pod_log(
    State(ctx): State<Ctx>,
    Path((ns, name)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let params = match LogParams::parse(&q, Utc::now()) {
        Ok(p) => p,
        Err((code, reason, msg)) => return status(code, reason, &msg),
    };
    let Some(pod) = ctx.store.get("pods", &ns, &name) else {
        return not_found("pods", &name);
    };
    let (names, default) = containers(&pod);
    let container = match (&params.container, default) {
        (Some(c), _) if names.contains(c) => c.clone(),
        (Some(c), _) => {
            return bad_request(&format!("container {c} is not valid for pod {name}"));
        }
        (None, Some(d)) => d,
        (None, None) => {
            return bad_request(&format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            ));
        }
    };
    let inst = if params.previous {
        match ctx.apps.previous_instance(&ns, &name) {
            Some(i) => i,
            None => {
                return bad_request(&format!(
                    "previous terminated container \"{container}\" in pod \"{name}\" not found"
                ))
            }
        }
    } else {
        match ctx.apps.instance(&ns, &name) {
            Some(i) => i,
            None => {
                return bad_request(&format!(
                    "container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"
                ))
            }
        }
    };
    let (first, next_seq) = {
        let mut d = inst.data();
        d.log.catch_up(inst.log_now());
        let query = LogQuery {
            tail: params.tail,
            since: params.since,
            timestamps: params.timestamps,
        };
        d.log.select(&query)
    };
    let mut budget = params.limit_bytes;
    let first = cut(first.concat().into_bytes(), &mut budget);
    let text_plain = [(header::CONTENT_TYPE, "text/plain")];
    // previous containers are stopped; following them just returns what they wrote.
    if !params.follow || params.previous || budget == Some(0) {
        return (text_plain, first).into_response();
    }
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let shutdown = ctx.shutdown.clone();
    let mut stream_cut = ctx.stream_cut.clone();
    if let Some(cut) = stream_cut.as_mut() {
        // Only drops from now on end this stream.
        cut.borrow_and_update();
    }
    tokio::spawn(async move {
        if !first.is_empty() && tx.send(Ok(Bytes::from(first))).await.is_err() {
            return;
        }
        tokio::select! {
            _ = follow(inst, next_seq, params.timestamps, budget, &tx) => {}
            _ = shutdown.cancelled() => {}
            _ = dropped(stream_cut) => {}
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    (text_plain, body).into_response()
}

/// Resolves at the next `drop_watches`/`down_ms` fault; never without a fault switch.
async fn dropped(cut: Option<tokio::sync::watch::Receiver<u64>>) {
    match cut {
        Some(mut cut) => {
            let _ = cut.changed().await;
        }
        None => std::future::pending().await,
    }
}

fn cut(mut bytes: Vec<u8>, budget: &mut Option<usize>) -> Vec<u8> {
    let n = limit(&bytes, budget);
    bytes.truncate(n);
    bytes
}

/// Stream new lines until the container stops, the client leaves, or the byte budget ends.
async fn follow(
    inst: Arc<Instance>,
    mut next: u64,
    timestamps: bool,
    mut budget: Option<usize>,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    loop {
        let notified = inst.changed.notified();
        let running = inst.is_running();
        let (lines, after) = {
            let mut d = inst.data();
            d.log.catch_up(inst.log_now());
            d.log.since_seq(next, timestamps)
        };
        next = after;
        if !lines.is_empty() {
            let chunk = cut(lines.concat().into_bytes(), &mut budget);
            if tx.send(Ok(Bytes::from(chunk))).await.is_err() || budget == Some(0) {
                return;
            }
        }
        if !running {
            return;
        }
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep(FOLLOW_TICK) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_choice() {
        let pod = json!({"spec": {"containers": [{"name": "app"}]}});
        assert_eq!(
            containers(&pod),
            (vec!["app".to_string()], Some("app".to_string()))
        );
        let two = json!({"metadata": {"annotations": {"kubectl.kubernetes.io/default-container": "b"}},
                         "spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        assert_eq!(containers(&two).1.as_deref(), Some("b"));
        let two_plain = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        assert_eq!(containers(&two_plain).1, None);
        assert_eq!(containers(&json!({})).0.len(), 0);
    }
}
