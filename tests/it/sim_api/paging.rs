//! Paged lists (`limit` / `continue`): consistent pages at the first page's version,
//! `remainingItemCount`, 410 Expired after compaction, and kubectl's `--chunk-size`.

use super::api_err;
use crate::support;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::Api;
use serde_json::json;

fn cm(name: &str, v: &str) -> ConfigMap {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {"app": "x"}}, "data": {"v": v}}),
    )
    .unwrap()
}

async fn configmaps(sim: &kube_sim::SimHandle, names: &[&str]) -> Api<ConfigMap> {
    let api: Api<ConfigMap> = Api::namespaced(sim.client("sim").await, "default");
    for n in names {
        api.create(&PostParams::default(), &cm(n, "1"))
            .await
            .unwrap();
    }
    api
}

fn names(list: &kube::core::ObjectList<ConfigMap>) -> Vec<String> {
    list.items
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c.metadata.name.as_deref().unwrap(),
                c.data.as_ref().unwrap()["v"]
            )
        })
        .collect()
}

#[tokio::test]
async fn pages_are_a_consistent_snapshot() {
    let sim = support::empty_sim();
    let api = configmaps(&sim, &["a", "b", "c", "d", "e"]).await;
    let first = api.list(&ListParams::default().limit(2)).await.unwrap();
    assert_eq!(names(&first), ["a=1", "b=1"]);
    assert_eq!(first.metadata.remaining_item_count, Some(3));
    let rv = first.metadata.resource_version.clone();
    let token = first.metadata.continue_.clone().expect("a continue token");
    // Changes after the first page do not show in the later ones.
    api.create(&PostParams::default(), &cm("bb", "1"))
        .await
        .unwrap();
    let bump = Patch::Merge(json!({"data": {"v": "2"}}));
    api.patch("c", &PatchParams::default(), &bump)
        .await
        .unwrap();
    api.delete("d", &Default::default()).await.unwrap();
    let second = api
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(names(&second), ["c=1", "d=1"]);
    assert_eq!(
        second.metadata.resource_version, rv,
        "read at the first page's version"
    );
    assert_eq!(second.metadata.remaining_item_count, Some(1));
    let token = second.metadata.continue_.clone().unwrap();
    let last = api
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(names(&last), ["e=1"]);
    assert!(
        last.metadata.continue_.as_deref().unwrap_or("").is_empty(),
        "the end"
    );
    assert_eq!(last.metadata.remaining_item_count, None);
    // A fresh list sees the present.
    let now = api.list(&ListParams::default()).await.unwrap();
    assert_eq!(names(&now), ["a=1", "b=1", "bb=1", "c=2", "e=1"]);
    // With a selector a page does not count what it did not look at.
    let sel = api
        .list(&ListParams::default().labels("app=x").limit(2))
        .await
        .unwrap();
    assert_eq!(sel.items.len(), 2);
    assert!(sel.metadata.continue_.is_some() && sel.metadata.remaining_item_count.is_none());
    // resourceVersion=0 is served whole, as from a real server's watch cache (kube-rs never
    // sends it with a limit; other clients do).
    let url = format!(
        "{}/api/v1/namespaces/default/configmaps?limit=2&resourceVersion=0",
        sim.api_url
    );
    let cached: serde_json::Value = support::http_client(&sim)
        .get(url)
        .bearer_auth(support::token(&sim, "admin"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cached["items"].as_array().unwrap().len(), 5);
    assert!(cached["metadata"].get("continue").is_none());
}

#[tokio::test]
async fn expired_continue_is_410_with_an_inconsistent_token() {
    let sim = support::empty_sim();
    let api = configmaps(&sim, &["a", "b", "c"]).await;
    let first = api.list(&ListParams::default().limit(1)).await.unwrap();
    let token = first.metadata.continue_.clone().unwrap();
    support::fault(&sim, json!({"compact": true})).await;
    let expired = api
        .list(&ListParams::default().limit(1).continue_token(&token))
        .await;
    assert_eq!(api_err(expired), (410, "Expired".into()));
    let url = format!(
        "{}/api/v1/namespaces/default/configmaps?limit=1&continue={token}",
        sim.api_url
    );
    let status: serde_json::Value = support::http_client(&sim)
        .get(url)
        .bearer_auth(support::token(&sim, "admin"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        status["message"].as_str().unwrap().starts_with(
            "The provided continue parameter is too old to display a consistent list result."
        ),
        "{status}"
    );
    // The token it hands back continues at the latest version.
    let fresh = status["metadata"]["continue"]
        .as_str()
        .expect("an inconsistent token");
    let rest = api
        .list(&ListParams::default().continue_token(fresh))
        .await
        .unwrap();
    assert_eq!(names(&rest), ["b=1", "c=1"]);
}

#[tokio::test]
async fn bad_continue_requests_are_400() {
    let sim = support::empty_sim();
    let api = configmaps(&sim, &["a", "b"]).await;
    let bad = api
        .list(&ListParams::default().limit(1).continue_token("not-a-token"))
        .await;
    assert_eq!(api_err(bad), (400, "BadRequest".into()));
    let first = api.list(&ListParams::default().limit(1)).await.unwrap();
    let token = first.metadata.continue_.unwrap();
    let url = format!(
        "{}/api/v1/namespaces/default/configmaps?limit=1&continue={token}&resourceVersion=5",
        sim.api_url
    );
    let resp = support::http_client(&sim)
        .get(url)
        .bearer_auth(support::token(&sim, "admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
}

#[test]
fn kubectl_chunk_size_pages_through_everything() {
    if !support::have_kubectl("kubectl_chunk_size_pages_through_everything") {
        return;
    }
    let sim = support::empty_sim();
    for i in 0..5 {
        sim.state
            .store
            .create(
                "configmaps",
                "default",
                json!({"metadata": {"name": format!("c{i}")}}),
            )
            .unwrap();
    }
    let out = support::kubectl(
        &sim,
        "sim",
        &["get", "configmaps", "--chunk-size=2", "-o", "name"],
    );
    let listed = support::ok_stdout(&out);
    let names: Vec<&str> = listed.lines().collect();
    assert_eq!(
        names,
        [
            "configmap/c0",
            "configmap/c1",
            "configmap/c2",
            "configmap/c3",
            "configmap/c4"
        ]
    );
    let table = support::ok_stdout(&support::kubectl(
        &sim,
        "sim",
        &["get", "configmaps", "--chunk-size=2"],
    ));
    assert_eq!(
        table.lines().count(),
        6,
        "header and five rows in one table:\n{table}"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let log = rt.block_on(support::requests(&sim));
    let pages = log
        .iter()
        .filter(|r| {
            let p = r["path"].as_str().unwrap_or("");
            p.contains("/configmaps?") && p.contains("limit=2") && p.contains("continue=")
        })
        .count();
    assert!(pages >= 4, "kubectl asked for the later pages: {pages}");
    // Pods across namespaces: the continue key carries the namespace.
    let sim = support::sim();
    let pods = rt.block_on(support::eventually(
        "six pods",
        std::time::Duration::from_secs(20),
        || async {
            let (pods, _) = sim.state.store.list("pods", None, None);
            (pods.len() == 6).then_some(pods)
        },
    ));
    let mut want: Vec<String> = pods
        .iter()
        .map(|p| {
            format!(
                "{}/pod/{}",
                p["metadata"]["namespace"].as_str().unwrap(),
                p["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    want.sort();
    let out = support::kubectl(
        &sim,
        "sim",
        &[
            "get",
            "pods",
            "-A",
            "--chunk-size=2",
            "-o",
            "custom-columns=X:.metadata.namespace,Y:.metadata.name",
            "--no-headers",
        ],
    );
    let mut got: Vec<String> = support::ok_stdout(&out)
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            format!("{}/pod/{}", w.next().unwrap(), w.next().unwrap())
        })
        .collect();
    got.sort();
    assert_eq!(got, want);
}
