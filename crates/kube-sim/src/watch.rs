//! Watch streams: one compact JSON event per line, chunked, flushed at once; bookmarks,
//! `timeoutSeconds`, in-stream 410 Expired, and the `drop_watches` fault.

use crate::resources::ResourceDef;
use crate::selector::{FieldSelector, LabelSelector};
use crate::server::objects::{partial, present, present_cow};
use crate::state::SimState;
use crate::store::{Change, ChangeKind};
use crate::table;
use crate::wire::Wire;
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

/// How often a watch that allows bookmarks gets one.
pub const BOOKMARK_EVERY: Duration = Duration::from_secs(5);

/// What a watch request asked for.
#[derive(Debug, Clone)]
pub struct WatchRequest {
    /// The resource watched.
    pub def: &'static ResourceDef,
    /// One namespace, or all.
    pub namespace: Option<String>,
    /// Label selector.
    pub labels: LabelSelector,
    /// Field selector.
    pub fields: FieldSelector,
    /// Resume point; None or 0: start with an ADDED per existing object.
    pub resource_version: Option<u64>,
    /// End the stream cleanly after this long.
    pub timeout: Option<Duration>,
    /// Send BOOKMARK events.
    pub bookmarks: bool,
    /// `sendInitialEvents=true`: ADDED per object, then a bookmark marking their end.
    pub send_initial: bool,
    /// Answer each object as a one-row Table (kubectl get -w).
    pub as_table: bool,
    /// Answer objects as PartialObjectMetadata (kube-rs metadata watchers).
    pub metadata_only: bool,
}

impl WatchRequest {
    fn matches(&self, obj: &Value) -> bool {
        self.labels.matches_object(obj) && self.fields.matches_object(obj)
    }

    fn ns_ok(&self, ns: &str) -> bool {
        self.namespace.as_deref().is_none_or(|want| want == ns)
    }
}

/// Starts a watch: an HTTP 200 streaming response fed by a task on the current runtime.
pub fn start(state: &SimState, req: WatchRequest) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(256);
    let st = state.clone();
    // Subscribed before the task starts, so a drop/down fault after this point is seen.
    let cut = state.faults.stream_cut();
    tokio::spawn(async move { run(st, req, tx, cut).await });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response()
}

struct Emitter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    def: &'static ResourceDef,
    as_table: bool,
    metadata_only: bool,
    first: bool,
}

impl Emitter {
    /// Sends one event; false when the client has gone.
    async fn send(&mut self, kind: &str, obj: &Value) -> bool {
        let table;
        let data_event = kind != "BOOKMARK" && kind != "ERROR";
        let object = if self.metadata_only && data_event {
            table = partial(obj);
            &table
        } else if self.as_table && data_event {
            let rv = obj
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            let now = chrono::Utc::now();
            table = table::table(
                self.def.kind,
                std::slice::from_ref(obj),
                rv,
                self.first,
                now,
            );
            self.first = false;
            &table
        } else {
            obj
        };
        #[derive(serde::Serialize)]
        struct Event<'a> {
            #[serde(rename = "type")]
            kind: &'a str,
            object: Wire<'a>,
        }
        let object = Wire(object);
        let mut line = serde_json::to_vec(&Event { kind, object }).unwrap_or_default();
        line.push(b'\n');
        self.tx.send(Ok(Bytes::from(line))).await.is_ok()
    }

    async fn bookmark(&mut self, rv: u64, initial_end: bool) -> bool {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj =
            json!({"apiVersion": self.def.api_version(), "kind": self.def.kind, "metadata": meta});
        self.send("BOOKMARK", &obj).await
    }

    async fn expired(&mut self, message: String) {
        let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": "Expired", "code": 410});
        self.send("ERROR", &status).await;
    }
}

/// The event a change produces for this watch, if any (selector transitions become
/// ADDED/DELETED like the real watch cache does).
fn event_for<'a>(req: &WatchRequest, change: &'a Change) -> Option<(&'static str, Cow<'a, Value>)> {
    if change.resource != req.def.store || !req.ns_ok(&change.namespace) {
        return None;
    }
    let new = present_cow(req.def, &change.object);
    let now = req.matches(&new);
    let unfiltered = req.labels.requirements.is_empty() && req.fields.terms.is_empty();
    let before = change
        .old
        .as_ref()
        .map(|o| unfiltered || req.matches(&present_cow(req.def, o)));
    let kind = match (change.kind, before, now) {
        (ChangeKind::Added, _, true) => "ADDED",
        (ChangeKind::Deleted, _, true) => "DELETED",
        (ChangeKind::Modified, Some(true), true) => "MODIFIED",
        (ChangeKind::Modified, Some(false) | None, true) => "ADDED",
        (ChangeKind::Modified, Some(true), false) => "DELETED",
        _ => return None,
    };
    Some((kind, new))
}

async fn run(
    state: SimState,
    req: WatchRequest,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    mut cut: watch::Receiver<u64>,
) {
    if state.faults.down_for().is_some() {
        return; // the server went down while this watch was being set up
    }
    let mut out = Emitter {
        tx,
        def: req.def,
        as_table: req.as_table,
        metadata_only: req.metadata_only,
        first: true,
    };
    let from = req
        .resource_version
        .filter(|rv| *rv > 0 && !req.send_initial);
    let (mut rx, mut last_rv) = match from {
        None => {
            let (items, rv, rx) = state
                .store
                .snapshot_and_subscribe(req.def.store, req.namespace.as_deref());
            for obj in items
                .iter()
                .map(|o| present(req.def, o))
                .filter(|o| req.matches(o))
            {
                if !out.send("ADDED", &obj).await {
                    return;
                }
            }
            if req.send_initial && req.bookmarks && !out.bookmark(rv, true).await {
                return;
            }
            (rx, rv)
        }
        Some(rv) => match state.store.watch_from(rv) {
            Err(e) => return out.expired(e.to_string()).await,
            Ok((past, rx)) => {
                let mut last = rv;
                for change in &past {
                    last = change.rv;
                    if let Some((kind, obj)) = event_for(&req, change) {
                        if !out.send(kind, &obj).await {
                            return;
                        }
                    }
                }
                (rx, last)
            }
        },
    };
    let deadline = tokio::time::sleep(req.timeout.unwrap_or(Duration::from_secs(3600 * 24)));
    tokio::pin!(deadline);
    let mut ticks = tokio::time::interval(BOOKMARK_EVERY);
    ticks.tick().await;
    loop {
        tokio::select! {
            got = rx.recv() => match got {
                Ok(change) => {
                    last_rv = last_rv.max(change.rv);
                    // From a version the store had not reached: only what comes after it.
                    let ahead = from.is_some_and(|rv| change.rv <= rv);
                    if let Some((kind, obj)) = event_for(&req, &change).filter(|_| !ahead) {
                        if !out.send(kind, &obj).await {
                            return;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    return out.expired(format!("watch fell {n} changes behind; relist")).await;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = ticks.tick(), if req.bookmarks => {
                if !out.bookmark(last_rv, false).await {
                    return;
                }
            }
            _ = &mut deadline => return,
            _ = cut.changed() => return,
            _ = state.shutdown.cancelled() => return,
            _ = out.tx.closed() => return,
        }
    }
}
