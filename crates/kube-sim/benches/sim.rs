//! Simulator micro-benchmarks (SIM-API): listing 400 pods (store and over HTTPS through
//! kube-rs), and one write fanned out to 10 open watches.
//! Run: `cargo bench --bench sim`.

use criterion::{criterion_group, criterion_main, Criterion};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::Api;
use kube_sim::cluster::Tuning;
use kube_sim::{SimHandle, SimOptions};
use serde_json::json;
use std::time::{Duration, Instant};

const PODS: usize = 400;
const WATCHES: usize = 10;

/// An empty-scenario simulator holding 400 pods and one ConfigMap in namespace `bench`,
/// returned once the simulated kubelet has started the pods (so it is idle while measuring).
fn seeded() -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    for v in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] {
        std::env::remove_var(v);
    }
    let sim = kube_sim::start(SimOptions {
        scenario: "empty".into(),
        tuning: Tuning::fast(),
        ..Default::default()
    })
    .expect("simulator starts");
    let store = &sim.state.store;
    store
        .create("namespaces", "", json!({"metadata": {"name": "bench"}}))
        .unwrap();
    for i in 0..PODS {
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("pod-{i:04}"), "labels": {"app": "bench", "deployment": "blue"}},
            "spec": {"containers": [{"name": "app", "image": "fittrack/api:v1.9.3",
                "ports": [{"containerPort": 8000}]}]}});
        store.create("pods", "bench", pod).unwrap();
    }
    store
        .create("configmaps", "bench", json!({"metadata": {"name": "fan"}}))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let (pods, _) = store.list("pods", Some("bench"), None);
        if pods
            .iter()
            .all(|p| p.pointer("/status/phase").and_then(|v| v.as_str()) == Some("Running"))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    sim
}

fn list_400(c: &mut Criterion) {
    let sim = seeded();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt.block_on(sim.client("sim"));
    let api: Api<Pod> = Api::namespaced(client, "bench");
    c.bench_function("store list 400 pods", |b| {
        b.iter(|| {
            let (items, _) = sim.state.store.list("pods", Some("bench"), None);
            assert_eq!(items.len(), PODS);
        })
    });
    c.bench_function("kube-rs list 400 pods over HTTPS", |b| {
        b.iter(|| {
            let list = rt.block_on(api.list(&ListParams::default())).unwrap();
            assert_eq!(list.items.len(), PODS);
        })
    });
}

fn fan_out(c: &mut Criterion) {
    let sim = seeded();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .no_proxy()
            .add_root_certificate(ca(&sim))
            .build()
            .unwrap();
        let token = sim.state.auth.token_of("admin").unwrap().to_string();
        let rv = sim.state.store.resource_version();
        for _ in 0..WATCHES {
            let url = format!(
                "{}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion={rv}",
                sim.api_url
            );
            let resp = http.get(url).bearer_auth(&token).send().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut body = resp.bytes_stream();
                while let Some(Ok(chunk)) = body.next().await {
                    for _ in chunk.iter().filter(|b| **b == b'\n') {
                        let _ = tx.send(());
                    }
                }
            });
        }
    });
    let mut n = 0u64;
    c.bench_function("one write fanned out to 10 watches", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let start = Instant::now();
                sim.state
                    .store
                    .modify("configmaps", "bench", "fan", |c| {
                        c["data"] = json!({"n": n.to_string()})
                    })
                    .unwrap();
                rt.block_on(async {
                    for _ in 0..WATCHES {
                        rx.recv().await.unwrap();
                    }
                });
                total += start.elapsed();
            }
            total
        })
    });
}

fn ca(sim: &SimHandle) -> reqwest::Certificate {
    use base64::Engine;
    let kc: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&sim.kubeconfig_path).unwrap()).unwrap();
    let data = kc["clusters"][0]["cluster"]["certificate-authority-data"]
        .as_str()
        .unwrap();
    let pem = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    reqwest::Certificate::from_pem(&pem).unwrap()
}

criterion_group!(benches, list_400, fan_out);
criterion_main!(benches);
