//! Integration tests (SIM-APPS): logs, proxy, port-forward, load balancer and traffic of the
//! simulated apps, through kube-rs against a full in-process simulator.

use crate::support::{eventually, lb_version, sim, sim_with, wait_lb};
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, ListParams, LogParams, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::Client;
use kube_sim::cluster::Tuning;
use kube_sim::{SimHandle, SimOptions};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(30);

/// Names of the Running pods with a Ready condition in `ns` matching `selector`.
async fn ready_pods(client: &Client, ns: &str, selector: &str) -> Vec<String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let list = pods
        .list(&ListParams::default().labels(selector))
        .await
        .unwrap();
    list.items
        .into_iter()
        .filter(|p| {
            let st = p.status.as_ref();
            st.and_then(|s| s.phase.as_deref()) == Some("Running")
                && st
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                && p.metadata.deletion_timestamp.is_none()
        })
        .filter_map(|p| p.metadata.name)
        .collect()
}

async fn a_ready_pod(client: &Client, ns: &str) -> String {
    eventually("a ready pod", WAIT, || async {
        ready_pods(client, ns, "app=fittrack")
            .await
            .into_iter()
            .next()
    })
    .await
}

/// GET through the API server (auth included), returning the body.
async fn api_get(client: &Client, path: &str) -> Result<String, kube::Error> {
    client
        .request_text(hyper::Request::get(path).body(Vec::new()).unwrap())
        .await
}

fn parse_ts(line: &str) -> (chrono::DateTime<chrono::Utc>, &str) {
    let (ts, rest) = line.split_once(' ').expect("timestamp prefix");
    let ts = chrono::DateTime::parse_from_rfc3339(ts).expect("RFC3339 timestamp");
    (ts.with_timezone(&chrono::Utc), rest)
}

#[tokio::test]
async fn log_follow_with_tail_and_timestamps() {
    let h = sim();
    let client = h.client("sim").await;
    let pod = a_ready_pod(&client, "fittrack-blue").await;
    let pods: Api<Pod> = Api::namespaced(client, "fittrack-blue");
    let lp = LogParams {
        follow: true,
        tail_lines: Some(2),
        timestamps: true,
        ..Default::default()
    };
    let mut lines = pods.log_stream(&pod, &lp).await.unwrap().lines();
    let mut got = Vec::new();
    // Blue is live: traffic and the app's own lines keep the stream moving.
    tokio::time::timeout(WAIT, async {
        while got.len() < 12 {
            got.push(lines.next().await.unwrap().unwrap());
        }
    })
    .await
    .expect("followed lines arrive");
    let times: Vec<_> = got.iter().map(|l| parse_ts(l).0).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "timestamps go back: {got:?}"
    );
    assert!(
        got.iter().any(|l| parse_ts(l).1.contains("HTTP/1.1\" ")),
        "no access lines: {got:?}"
    );
    // tailLines=2 on a non-following read gives exactly two lines.
    let tail = LogParams {
        tail_lines: Some(2),
        ..Default::default()
    };
    assert_eq!(pods.logs(&pod, &tail).await.unwrap().lines().count(), 2);
    // Errors are Status objects kube-rs understands.
    let prev = LogParams {
        previous: true,
        ..Default::default()
    };
    match pods.logs(&pod, &prev).await {
        Err(kube::Error::Api(s)) => assert_eq!((s.code, s.reason.as_str()), (400, "BadRequest")),
        other => panic!("previous of a never-restarted container: {other:?}"),
    }
}

#[tokio::test]
async fn drop_watches_ends_an_open_log_follow() {
    let h = sim();
    let client = h.client("sim").await;
    let pod = a_ready_pod(&client, "fittrack-blue").await;
    let pods: Api<Pod> = Api::namespaced(client, "fittrack-blue");
    let lp = LogParams {
        follow: true,
        tail_lines: Some(1),
        ..Default::default()
    };
    let mut lines = pods.log_stream(&pod, &lp).await.unwrap().lines();
    tokio::time::timeout(WAIT, lines.next())
        .await
        .expect("a first line")
        .expect("stream open")
        .unwrap();
    crate::support::fault(&h, json!({"drop_watches": true})).await;
    // The stream ends (a running container's follow never ends by itself).
    tokio::time::timeout(WAIT, async { while lines.next().await.is_some() {} })
        .await
        .expect("the follow ends after drop_watches");
}

#[tokio::test]
async fn resume_with_since_time_overlaps_rather_than_skips() {
    let h = sim();
    let client = h.client("sim").await;
    let pod = a_ready_pod(&client, "fittrack-blue").await;
    let base = format!("/api/v1/namespaces/fittrack-blue/pods/{pod}/log?timestamps=true");
    // Wait until two lines share a second, the later one strictly later.
    let (earlier, later) = eventually("two lines within one second", WAIT, || async {
        let text = api_get(&client, &base).await.unwrap();
        let lines: Vec<String> = text.lines().map(String::from).collect();
        lines.windows(2).rev().find_map(|w| {
            let (a, b) = (parse_ts(&w[0]).0, parse_ts(&w[1]).0);
            let same_second = a.timestamp() == b.timestamp() && a < b;
            same_second.then(|| (w[0].clone(), w[1].clone()))
        })
    })
    .await;
    // Resume "from the last line seen" with its full precision: the server has one-second
    // resolution, so the earlier line of that second comes back too (overlap, not skip).
    let since = parse_ts(&later)
        .0
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let resumed = api_get(&client, &format!("{base}&sinceTime={since}"))
        .await
        .unwrap();
    assert!(resumed.lines().any(|l| l == earlier), "skipped {earlier:?}");
    assert!(resumed.lines().any(|l| l == later));
    let floor = parse_ts(&later).0.timestamp();
    assert!(resumed.lines().all(|l| parse_ts(l).0.timestamp() >= floor));
    // kube-rs's own since_time (rounded to the second by kube) resumes without gaps as well.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "fittrack-blue");
    let secs = jiff::Timestamp::from_second(floor).unwrap();
    let lp = LogParams {
        since_time: Some(secs),
        timestamps: true,
        ..Default::default()
    };
    assert!(pods
        .logs(&pod, &lp)
        .await
        .unwrap()
        .lines()
        .any(|l| l == earlier));
}

#[tokio::test]
async fn port_forward_carries_a_real_http_request() {
    let h = sim();
    let client = h.client("sim").await;
    let pod = a_ready_pod(&client, "fittrack-green").await;
    let pods: Api<Pod> = Api::namespaced(client, "fittrack-green");
    let mut pf = pods.portforward(&pod, &[8000]).await.unwrap();
    let mut stream = pf.take_stream(8000).unwrap();
    let req = b"GET /health/ready HTTP/1.1\r\nHost: localhost:8001\r\nConnection: close\r\n\r\n";
    stream.write_all(req).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("x-app-version: v2.0.0"),
        "{text}"
    );
    assert!(text.contains(&format!("\"pod\":\"{pod}\"")), "{text}");
}

#[tokio::test]
async fn service_proxy_reaches_health_ready() {
    let h = sim();
    let client = h.client("sim").await;
    a_ready_pod(&client, "fittrack-blue").await;
    let path = "/api/v1/namespaces/fittrack-blue/services/fittrack-blue:8000/proxy/health/ready";
    let body = eventually("proxy answers", WAIT, || async {
        api_get(&client, path).await.ok()
    })
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["status"].as_str(), v["version"].as_str()),
        (Some("ready"), Some("v1.9.3"))
    );
    let metrics = api_get(
        &client,
        "/api/v1/namespaces/fittrack-blue/services/fittrack-blue/proxy/metrics",
    )
    .await
    .unwrap();
    assert!(metrics.contains("# TYPE http_request_duration_seconds histogram"));
    match api_get(
        &client,
        "/api/v1/namespaces/fittrack-blue/services/nope/proxy/",
    )
    .await
    {
        Err(kube::Error::Api(s)) => assert_eq!(s.code, 404),
        other => panic!("unknown service: {other:?}"),
    }
}

/// The version the load balancer answers with (from X-App-Version).
fn httproutes(client: &Client) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", "HTTPRoute");
    Api::namespaced_with(client.clone(), "fittrack", &ApiResource::from_gvk(&gvk))
}

async fn set_weights(client: &Client, blue: u32, green: u32) {
    let patch = json!([
        {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": blue},
        {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": green},
    ]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    httproutes(client)
        .patch(
            "fittrack",
            &PatchParams::default(),
            &Patch::Json::<()>(patch),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn httproute_weights_move_the_lb_after_the_propagation_delay() {
    let tuning = Tuning {
        propagation_ms: 500,
        ..Tuning::fast()
    };
    let h = sim_with(SimOptions {
        tuning,
        ..Default::default()
    });
    let client = h.client("sim").await;
    a_ready_pod(&client, "fittrack-green").await;
    wait_lb(&h, "v1.9.3").await;
    let patched = Instant::now();
    set_weights(&client, 0, 100).await;
    let moved = wait_lb(&h, "v2.0.0").await;
    assert!(
        moved - patched >= Duration::from_millis(500),
        "moved before propagation"
    );
    for _ in 0..5 {
        assert_eq!(lb_version(&h).await.as_deref(), Some("v2.0.0"));
    }
    set_weights(&client, 100, 0).await;
    wait_lb(&h, "v1.9.3").await;
}

#[tokio::test]
async fn single_ns_ingress_backend_and_selector_move_the_lb() {
    let h = sim_with(SimOptions {
        scenario: "fittrack-single-ns".into(),
        tuning: Tuning::fast(),
        ..Default::default()
    });
    let client = h.client("sim").await;
    eventually("green ready", WAIT, || async {
        let p = ready_pods(&client, "fittrack", "deployment=green").await;
        (!p.is_empty()).then_some(())
    })
    .await;
    wait_lb(&h, "v1.9.3").await;
    // The guide's command: move the router Service's selector.
    let svcs: Api<Service> = Api::namespaced(client.clone(), "fittrack");
    let sel = json!({"spec": {"selector": {"deployment": "green"}}});
    svcs.patch("fittrack-lb", &PatchParams::default(), &Patch::Merge(&sel))
        .await
        .unwrap();
    wait_lb(&h, "v2.0.0").await;
    let back = json!({"spec": {"selector": {"deployment": "blue"}}});
    svcs.patch("fittrack-lb", &PatchParams::default(), &Patch::Merge(&back))
        .await
        .unwrap();
    wait_lb(&h, "v1.9.3").await;
    // Switch via the Ingress backend instead.
    let ings: Api<Ingress> = Api::namespaced(client.clone(), "fittrack");
    let patch = json!([{"op": "replace",
        "path": "/spec/rules/0/http/paths/0/backend/service/name", "value": "fittrack-green"}]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    ings.patch(
        "fittrack-ingress",
        &PatchParams::default(),
        &Patch::Json::<()>(patch),
    )
    .await
    .unwrap();
    wait_lb(&h, "v2.0.0").await;
}

/// (requests, 5xx) the simulated apps counted for a version.
fn counted(h: &SimHandle, version: &str) -> (u64, u64) {
    let snap = h.state.apps.snapshot();
    let v = &snap["versions"][version];
    (
        v["requests"].as_u64().unwrap_or(0),
        v["errors"].as_u64().unwrap_or(0),
    )
}

#[tokio::test]
async fn bad_version_errors_grow_only_after_it_receives_traffic() {
    let tuning = Tuning {
        traffic_rps: 200.0,
        ..Tuning::fast()
    };
    let h = sim_with(SimOptions {
        tuning,
        ..Default::default()
    });
    let client = h.client("sim").await;
    let deps: Api<Deployment> = Api::namespaced(client.clone(), "fittrack-green");
    let image = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "api", "image": "fittrack/api:v2.0.1-bad"}]}}}});
    deps.patch(
        "fittrack",
        &PatchParams::default(),
        &Patch::Strategic(&image),
    )
    .await
    .unwrap();
    // The bad version rolls out and passes readiness like any other.
    eventually("bad version ready", WAIT, || async {
        let pods: Api<Pod> = Api::namespaced(client.clone(), "fittrack-green");
        let ready = ready_pods(&client, "fittrack-green", "app=fittrack").await;
        let mut bad = 0;
        for name in &ready {
            let p = pods.get(name).await.ok()?;
            let img = p.spec?.containers.first()?.image.clone()?;
            bad += usize::from(img.ends_with("-bad"));
        }
        (bad >= 3 && ready.len() == bad).then_some(())
    })
    .await;
    // Blue serves while green idles at weight 0: the bad version has no traffic, no errors.
    eventually("blue traffic", WAIT, || async {
        (counted(&h, "v1.9.3").0 > 100).then_some(())
    })
    .await;
    assert_eq!(counted(&h, "v2.0.1-bad"), (0, 0));
    set_weights(&client, 0, 100).await;
    eventually("bad version fails under traffic", WAIT, || async {
        (counted(&h, "v2.0.1-bad").1 >= 5).then_some(())
    })
    .await;
    let (requests, errors) = counted(&h, "v2.0.1-bad");
    assert!(
        errors * 4 < requests,
        "≈5 % fail, not most: {errors}/{requests}"
    );
}

#[tokio::test]
async fn kubectl_logs_by_selector_with_tail_and_follow() {
    if !crate::support::have_kubectl("kubectl_logs_by_selector_with_tail_and_follow") {
        return;
    }
    let h = sim();
    let client = h.client("sim").await;
    // All three green pods ready, so each has a log.
    eventually("3 green pods ready", WAIT, || async {
        (ready_pods(&client, "fittrack-green", "app=fittrack")
            .await
            .len()
            == 3)
            .then_some(())
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let args = [
        "logs",
        "-n",
        "fittrack-green",
        "-l",
        "app=fittrack",
        "--tail=5",
    ];
    // --tail=5 per pod, three pods: never more than 15 lines, and 15 once each pod has
    // logged five (the app writes ~2 lines/s on its own).
    let out = eventually("5 lines per pod", WAIT, || async {
        let out =
            crate::support::ok_stdout(&crate::support::kubectl_in(home.path(), &h, "sim", &args));
        assert!(out.lines().count() <= 15, "{out}");
        (out.lines().count() == 15).then_some(out)
    })
    .await;
    assert!(
        out.lines()
            .all(|l| l.starts_with('{') || l.contains("HTTP/1.1")),
        "{out}"
    );
    // logs -f streams until stopped: read a few lines, then kill it.
    let pod = a_ready_pod(&client, "fittrack-blue").await;
    let mut child = std::process::Command::new("kubectl")
        .env("HOME", home.path())
        .env("KUBECONFIG", &h.kubeconfig_path)
        .args([
            "--context",
            "sim",
            "logs",
            "-f",
            "--tail=1",
            "-n",
            "fittrack-blue",
            &pod,
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .take(5)
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    let deadline = Instant::now() + WAIT;
    while !reader.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let lines = reader.join().unwrap();
    assert_eq!(lines.len(), 5, "followed lines: {lines:?}");
}
