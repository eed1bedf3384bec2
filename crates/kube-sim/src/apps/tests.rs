//! Tests of the apps' addressing; route tests over HTTP in `harness`, the LB in `lb`.

use super::*;
use serde_json::json;

fn apps(bad_after: f64) -> Apps {
    let tuning = Tuning {
        bad_after_secs: bad_after,
        baseline_error_rate: 0.0,
        ..Tuning::default()
    };
    Apps::new(&tuning, "fittrack")
}

fn labels(color: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("deployment".to_string(), color.to_string())])
}

#[tokio::test]
async fn lifecycle_probe_and_previous() {
    let a = apps(0.0);
    assert_eq!(a.probe("ns", "p", "/health/ready").await, None);
    a.start_pod("ns", "p", "fittrack/api:v1", &labels("blue"));
    assert_eq!(a.probe("ns", "p", "/health/ready").await, Some(200));
    assert_eq!(a.instance("ns", "p").unwrap().color, "blue");
    a.stop_pod("ns", "p");
    assert_eq!(a.probe("ns", "p", "/health/ready").await, None);
    assert!(a.serve("ns", "p", "GET", "/api/workouts", "c").is_none());
    a.start_pod("ns", "p", "fittrack/api:v1", &labels("blue"));
    assert!(a
        .previous_instance("ns", "p")
        .is_some_and(|i| !i.is_running()));
    a.remove_pod("ns", "p");
    assert!(a.instance("ns", "p").is_none());
}

#[tokio::test]
async fn faults_by_target() {
    let a = apps(0.0);
    a.start_pod("ns", "p", "fittrack/api:v1", &labels("blue"));
    a.start_pod("ns", "q", "fittrack/api:v2", &labels("green"));
    let v2 = FaultTarget {
        version: Some("v2".into()),
        ..Default::default()
    };
    a.set_fault(
        v2.clone(),
        AppFault {
            ready: Some(false),
            crash: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(a.probe("ns", "q", "/health/ready").await, Some(503));
    assert_eq!(a.probe("ns", "p", "/health/ready").await, Some(200));
    assert!(a.should_crash("ns", "q") && !a.should_crash("ns", "p"));
    a.set_fault(
        v2,
        AppFault {
            clear: Some(true),
            ..Default::default()
        },
    );
    assert!(!a.should_crash("ns", "q"));
    let pod = FaultTarget {
        pod: Some("p".into()),
        ..Default::default()
    };
    a.set_fault(
        pod,
        AppFault {
            error_rate: Some(1.0),
            ..Default::default()
        },
    );
    assert_eq!(
        a.serve("ns", "p", "GET", "/api/workouts", "c")
            .unwrap()
            .status,
        500
    );
    assert_eq!(
        a.serve("ns", "q", "GET", "/api/workouts", "c")
            .unwrap()
            .status,
        200
    );
}

#[test]
fn bad_version_fails_only_after_bad_after_of_traffic() {
    let a = apps(3600.0);
    a.start_pod("ns", "p", "fittrack/api:v2.0.1-bad", &labels("green"));
    for _ in 0..400 {
        assert_eq!(
            a.serve("ns", "p", "GET", "/api/workouts", "c")
                .unwrap()
                .status,
            200
        );
    }
    let a = apps(0.0);
    a.start_pod("ns", "p", "fittrack/api:v2.0.1-bad", &labels("green"));
    // Probes and health checks are not traffic: no failures, nothing marked.
    assert!(lock(&a.first_traffic).is_empty());
    let errors = (0..2000)
        .filter(|_| {
            a.serve("ns", "p", "GET", "/api/workouts", "c")
                .unwrap()
                .status
                == 500
        })
        .count();
    // 5 % of 2000 = 100; far outside these bounds is a broken rate.
    assert!((40..200).contains(&errors), "errors {errors}");
    let snap = a.snapshot();
    assert_eq!(snap["versions"]["v2.0.1-bad"]["errors"], json!(errors));
}

#[test]
fn pod_paths() {
    assert_eq!(pod_path("a", "b", "/metrics"), "/pods/a/b/metrics");
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    assert_eq!(
        pod_url(addr, "a", "b", "x"),
        "http://127.0.0.1:9/pods/a/b/x"
    );
}

pub(crate) mod harness;
mod lb;
