//! Watches through kube-rs (watcher/reflector) and raw HTTP: events, compaction, reconnects.

use super::namespace;
use crate::support::{self, eventually};
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::Api;
use serde_json::{json, Value};
use std::time::Duration;

fn cm(name: &str, v: &str) -> ConfigMap {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {"app": "x"}}, "data": {"v": v}}),
    )
    .unwrap()
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("watch event in time")
        .unwrap()
}

fn cfg() -> watcher::Config {
    watcher::Config::default().timeout(30)
}

/// A reflector over ConfigMaps in `t`, driven on a background task.
fn reflect(api: Api<ConfigMap>) -> Store<ConfigMap> {
    let (reader, writer) = reflector::store();
    let stream = reflector::reflector(writer, watcher(api, cfg()).default_backoff());
    tokio::spawn(stream.for_each(|_| async {}));
    reader
}

fn names_and_values(store: &Store<ConfigMap>) -> Vec<(String, String)> {
    let mut v: Vec<_> = store
        .state()
        .iter()
        .map(|c| {
            (
                c.metadata.name.clone().unwrap_or_default(),
                c.data
                    .as_ref()
                    .and_then(|d| d.get("v").cloned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

async fn list_requests(sim: &kube_sim::SimHandle) -> usize {
    support::requests(sim)
        .await
        .iter()
        .filter(|r| {
            let p = r["path"].as_str().unwrap_or("");
            r["method"] == "GET" && p.contains("/configmaps") && !p.contains("watch=true")
        })
        .count()
}

/// How many watch requests on `t`'s configmaps the simulator has served.
async fn watch_requests(sim: &kube_sim::SimHandle) -> usize {
    support::requests(sim)
        .await
        .iter()
        .filter(|r| {
            let p = r["path"].as_str().unwrap_or("");
            r["method"] == "GET"
                && p.contains("/namespaces/t/configmaps")
                && p.contains("watch=true")
        })
        .count()
}

/// Waits until the watcher opened a new watch (a real reconnect) after `before` of them.
async fn rewatched(sim: &kube_sim::SimHandle, before: usize, after: &str) {
    // Well under the watcher's 30 s timeout: only the fault can have ended the old watch.
    eventually(
        &format!("a new watch request after {after}"),
        Duration::from_secs(10),
        || async { (watch_requests(sim).await > before).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn watcher_sees_add_modify_delete() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let stream = watcher(api.clone(), cfg()).default_backoff();
    tokio::spawn(stream.for_each(move |e| {
        let tx = tx.clone();
        async move {
            let seen = match e {
                Ok(watcher::Event::Apply(c)) => Some(format!(
                    "apply {} {}",
                    c.metadata.name.unwrap(),
                    c.data.unwrap()["v"]
                )),
                Ok(watcher::Event::Delete(c)) => {
                    Some(format!("delete {}", c.metadata.name.unwrap()))
                }
                Ok(watcher::Event::InitDone) => Some("init-done".to_string()),
                _ => None,
            };
            if let Some(s) = seen {
                let _ = tx.send(s);
            }
        }
    }));
    assert_eq!(next(&mut rx).await, "init-done");
    api.create(&PostParams::default(), &cm("a", "1"))
        .await
        .unwrap();
    assert_eq!(next(&mut rx).await, "apply a 1");
    api.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    assert_eq!(next(&mut rx).await, "apply a 2");
    api.delete("a", &DeleteParams::default()).await.unwrap();
    assert_eq!(next(&mut rx).await, "delete a");
}

#[tokio::test]
async fn relist_after_compact_leaves_no_ghosts() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t");
    api.create(&PostParams::default(), &cm("a", "1"))
        .await
        .unwrap();
    api.create(&PostParams::default(), &cm("b", "1"))
        .await
        .unwrap();
    let store = reflect(api.clone());
    eventually(
        "reflector sees a and b",
        Duration::from_secs(10),
        || async { (names_and_values(&store).len() == 2).then_some(()) },
    )
    .await;
    let lists_before = list_requests(&sim).await;
    // While the server is down, "a" goes away and history is compacted: the watcher's
    // resume point is then too old, and only a relist can notice the deletion.
    support::fault(&sim, json!({"down_ms": 500})).await;
    sim.state.store.delete("configmaps", "t", "a").unwrap();
    sim.state.store.compact();
    eventually("ghost a disappears", Duration::from_secs(20), || async {
        (names_and_values(&store) == [("b".to_string(), "1".to_string())]).then_some(())
    })
    .await;
    eventually("the watcher relisted", Duration::from_secs(10), || async {
        (list_requests(&sim).await > lists_before).then_some(())
    })
    .await;
}

#[tokio::test]
async fn reconnect_after_drop_watches_and_down_converges() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t");
    let store = reflect(api.clone());
    eventually("reflector ready", Duration::from_secs(10), || async {
        store.wait_until_ready().await.ok()
    })
    .await;
    let watches = eventually("the first watch", Duration::from_secs(10), || async {
        Some(watch_requests(&sim).await).filter(|n| *n > 0)
    })
    .await;
    support::fault(&sim, json!({"drop_watches": true})).await;
    rewatched(&sim, watches, "drop_watches").await;
    api.create(&PostParams::default(), &cm("c", "1"))
        .await
        .unwrap();
    let watches = watch_requests(&sim).await;
    support::fault(&sim, json!({"down_ms": 400})).await;
    rewatched(&sim, watches, "down_ms").await;
    eventually(
        "patch after the server is back",
        Duration::from_secs(10),
        || async {
            api.patch(
                "c",
                &PatchParams::default(),
                &Patch::Merge(json!({"data": {"v": "final"}})),
            )
            .await
            .ok()
        },
    )
    .await;
    eventually("reflector converges", Duration::from_secs(20), || async {
        (names_and_values(&store) == [("c".to_string(), "final".to_string())]).then_some(())
    })
    .await;
}

/// Reads a raw watch body to its end (the server ends it), as parsed lines.
async fn raw_watch(sim: &kube_sim::SimHandle, query: &str) -> (u16, Vec<Value>) {
    let url = format!(
        "{}/api/v1/namespaces/t/configmaps?watch=true&{query}",
        sim.api_url
    );
    let resp = support::http_client(sim)
        .get(url)
        .bearer_auth(support::token(sim, "admin"))
        .send()
        .await
        .unwrap();
    let code = resp.status().as_u16();
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = tokio::time::timeout(Duration::from_secs(10), resp.text())
        .await
        .expect("watch ends")
        .unwrap();
    (
        code,
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

#[tokio::test]
async fn raw_watch_semantics() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t");
    api.create(&PostParams::default(), &cm("a", "1"))
        .await
        .unwrap();
    let old_rv = sim.state.store.resource_version();
    api.create(&PostParams::default(), &cm("b", "1"))
        .await
        .unwrap();

    // Initial events then timeoutSeconds ends the stream cleanly.
    let (code, events) = raw_watch(&sim, "timeoutSeconds=1").await;
    assert_eq!(code, 200);
    let kinds: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ADDED", "ADDED"]);
    assert_eq!(events[0]["object"]["apiVersion"], "v1");
    assert_eq!(events[0]["object"]["kind"], "ConfigMap");

    // Resuming from a version: only later changes.
    let (_, events) = raw_watch(&sim, &format!("resourceVersion={old_rv}&timeoutSeconds=1")).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["object"]["metadata"]["name"], "b");

    // Streaming lists end their initial events with an annotated bookmark.
    let (_, events) = raw_watch(&sim, "sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1").await;
    let last = events.last().unwrap();
    assert_eq!(last["type"], "BOOKMARK");
    assert_eq!(
        last["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert_eq!(last["object"]["kind"], "ConfigMap");

    // Compacted: HTTP 200, then an in-stream 410 Expired.
    sim.state.store.compact();
    let (code, events) = raw_watch(&sim, &format!("resourceVersion={old_rv}")).await;
    assert_eq!(code, 200);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "ERROR");
    assert_eq!(
        (
            events[0]["object"]["code"].as_i64(),
            events[0]["object"]["reason"].as_str()
        ),
        (Some(410), Some("Expired"))
    );
}

#[tokio::test]
async fn selector_watch_turns_relabel_into_delete() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t");
    api.create(&PostParams::default(), &cm("a", "1"))
        .await
        .unwrap();
    let rv = sim.state.store.resource_version();
    api.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"app": "y"}}})),
    )
    .await
    .unwrap();
    api.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"app": "x"}}})),
    )
    .await
    .unwrap();
    let (_, events) = raw_watch(
        &sim,
        &format!("resourceVersion={rv}&labelSelector=app%3Dx&timeoutSeconds=1"),
    )
    .await;
    let kinds: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["DELETED", "ADDED"]);
}

#[tokio::test]
async fn idle_watch_gets_periodic_bookmarks() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let rv = sim.state.store.resource_version();
    let wait = kube_sim::watch::BOOKMARK_EVERY.as_secs() + 1;
    let query = format!("resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds={wait}");
    let (_, events) = raw_watch(&sim, &query).await;
    let bookmark = events
        .iter()
        .find(|e| e["type"] == "BOOKMARK")
        .expect("a bookmark");
    let obj = &bookmark["object"];
    assert_eq!(
        (obj["apiVersion"].as_str(), obj["kind"].as_str()),
        (Some("v1"), Some("ConfigMap"))
    );
    let bookmark_rv: u64 = obj["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(bookmark_rv >= rv);
}

#[tokio::test]
async fn metadata_lists_gets_and_watches() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t");
    api.create(&PostParams::default(), &cm("a", "1"))
        .await
        .unwrap();
    let list = api
        .list_metadata(&kube::api::ListParams::default())
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].metadata.name.as_deref(), Some("a"));
    assert_eq!(
        list.items[0].types.as_ref().unwrap().kind,
        "PartialObjectMetadata"
    );
    let one = api.get_metadata("a").await.unwrap();
    assert_eq!(one.metadata.labels.unwrap()["app"], "x");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let meta: Api<kube::core::PartialObjectMeta<ConfigMap>> =
        Api::namespaced(sim.client("sim").await, "t");
    let stream = watcher(meta, cfg()).default_backoff();
    tokio::spawn(stream.for_each(move |e| {
        let tx = tx.clone();
        async move {
            let seen = match e {
                Ok(watcher::Event::Apply(m)) => Some(format!("apply {}", m.metadata.name.unwrap())),
                Ok(watcher::Event::InitDone) => Some("init-done".to_string()),
                _ => None,
            };
            if let Some(s) = seen {
                let _ = tx.send(s);
            }
        }
    }));
    assert_eq!(next(&mut rx).await, "init-done");
    api.create(&PostParams::default(), &cm("b", "1"))
        .await
        .unwrap();
    assert_eq!(next(&mut rx).await, "apply b");
}
