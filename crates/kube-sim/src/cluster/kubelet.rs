//! The simulated kubelet: one [`Worker`] task per pod on the node, started when the pod
//! appears, told when it gets a deletionTimestamp, and cancelled when it is removed.

use super::podstatus::is_terminating;
use super::worker::Worker;
use super::Ctx;
use crate::store::ChangeKind;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

struct Handle {
    uid: String,
    terminating: watch::Sender<bool>,
    cancel: CancellationToken,
}

/// Tracks the pods the kubelet runs.
pub(crate) struct Kubelet {
    ctx: Arc<Ctx>,
    pods: HashMap<(String, String), Handle>,
}

impl Kubelet {
    /// A kubelet with no pods yet.
    pub(crate) fn new(ctx: Arc<Ctx>) -> Self {
        Self {
            ctx,
            pods: HashMap::new(),
        }
    }

    /// Runs until `shutdown`: follows pod changes and keeps one worker per pod.
    pub(crate) async fn run(mut self, shutdown: CancellationToken) {
        let mut rx = self.ctx.store.subscribe();
        self.relist();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                change = rx.recv() => match change {
                    Ok(c) if c.resource == "pods" => match c.kind {
                        ChangeKind::Deleted => self.forget(&c.namespace, &c.name, &c.object),
                        _ => self.ensure(&c.object),
                    },
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => self.relist(),
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
        }
        for (_, h) in self.pods.drain() {
            h.cancel.cancel();
        }
    }

    fn relist(&mut self) {
        let (pods, _) = self.ctx.store.list("pods", None, None);
        let present: std::collections::HashSet<(String, String)> = pods.iter().map(key).collect();
        let gone: Vec<(String, String)> = self
            .pods
            .keys()
            .filter(|k| !present.contains(*k))
            .cloned()
            .collect();
        for (ns, name) in gone {
            if let Some(h) = self.pods.remove(&(ns.clone(), name.clone())) {
                h.cancel.cancel();
                self.ctx.runtime.remove(&ns, &name);
            }
        }
        for p in &pods {
            self.ensure(p);
        }
    }

    fn ensure(&mut self, pod: &Value) {
        let k = key(pod);
        let uid = pod["metadata"]["uid"].as_str().unwrap_or("").to_string();
        let fresh = self.pods.get(&k).is_none_or(|h| h.uid != uid);
        if fresh {
            if let Some(old) = self.pods.remove(&k) {
                old.cancel.cancel();
            }
            let (tx, rx) = watch::channel(is_terminating(pod));
            let cancel = CancellationToken::new();
            let worker = Worker::new(self.ctx.clone(), pod.clone(), rx);
            let token = cancel.clone();
            tokio::spawn(async move {
                tokio::select! {
                    _ = token.cancelled() => {}
                    _ = worker.run() => {}
                }
            });
            self.pods.insert(
                k,
                Handle {
                    uid,
                    terminating: tx,
                    cancel,
                },
            );
        } else if is_terminating(pod) {
            if let Some(h) = self.pods.get(&k) {
                h.terminating.send_replace(true);
            }
        }
    }

    fn forget(&mut self, ns: &str, name: &str, last: &Value) {
        let k = (ns.to_string(), name.to_string());
        let same = self
            .pods
            .get(&k)
            .is_some_and(|h| last["metadata"]["uid"] == h.uid.as_str());
        if same {
            if let Some(h) = self.pods.remove(&k) {
                h.cancel.cancel();
            }
            self.ctx.runtime.remove(ns, name);
        }
    }
}

fn key(pod: &Value) -> (String, String) {
    let m = &pod["metadata"];
    (
        m["namespace"].as_str().unwrap_or("").to_string(),
        m["name"].as_str().unwrap_or("").to_string(),
    )
}
