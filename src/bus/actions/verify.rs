//! Verification after the router patch was accepted: the target's endpoints and the load
//! balancer's answers, polled side by side, each phase timed when it converges. Not
//! converging within the plan's timeout is a loud `TimedOut`, never a silent success; a
//! cancel (a rollback pre-empting, or shutdown) ends it at once.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::app::action::{Phase, PhaseTime, SwitchPlan, Verification};
use crate::bus::probes::{lb_get, lb_probe_url, version_of};
use crate::bus::Ctx;
use crate::cluster::clean;
use crate::config::schema::{Config, RouterKind};
use crate::model::Color;

/// Pause between endpoint reads while they have not converged (brisk at first, then
/// gentler on an API server that may be struggling).
const ENDPOINTS_GAP: Duration = Duration::from_millis(50);
const ENDPOINTS_GAP_LATER: Duration = Duration::from_millis(250);
const BRISK_FOR: Duration = Duration::from_secs(2);
/// Pause between LB requests (the demo's LB follows the router 200 ms after the patch).
const LB_GAP: Duration = Duration::from_millis(25);
/// Longest one LB request may take.
const LB_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// What one side of the verification is still waiting for (updated as it polls).
type Missing = Mutex<String>;

fn set(missing: &Missing, text: String) {
    *missing.lock().unwrap_or_else(|e| e.into_inner()) = text;
}

fn get(missing: &Missing) -> String {
    missing.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Verify the switch; completed phases are appended to `phases` as they converge.
pub async fn verify(
    ctx: &Ctx,
    plan: &SwitchPlan,
    progress: &Progress,
    cancel: &CancellationToken,
    phases: &mut Vec<PhaseTime>,
) -> Verification {
    let timeout = Duration::from_secs_f64(plan.verify_timeout_secs.max(0.1));
    let deadline = Instant::now() + timeout;
    let done: Mutex<Vec<PhaseTime>> = Mutex::new(Vec::new());
    let record = |phase| {
        let t = progress.phase(phase);
        done.lock().unwrap_or_else(|e| e.into_inner()).push(t);
    };
    let (ep_missing, lb_missing) = (Missing::default(), Missing::default());
    let endpoints = async {
        endpoints_converge(ctx, plan.to, &ep_missing).await;
        record(Phase::EndpointsReady);
        Ok::<(), &str>(())
    };
    let lb = async {
        if plan.lb_requests == 0 {
            return Ok(());
        }
        let Some(want) = plan.target_version.as_deref() else {
            return Err("the target's version is unknown: the LB's answers cannot be checked");
        };
        lb_converges(ctx, want, plan.lb_requests, &lb_missing).await;
        record(Phase::LbVerified);
        Ok(())
    };
    progress.waiting(format!(
        "verifying: {} endpoints{}",
        plan.to.word(),
        if plan.lb_requests > 0 {
            format!(", {} fresh LB answers", plan.lb_requests)
        } else {
            String::new()
        }
    ));
    let verdict = tokio::select! {
        biased;
        _ = cancel.cancelled() => Verification::Cancelled,
        r = tokio::time::timeout_at(deadline, async { tokio::join!(endpoints, lb) }) => match r {
            Ok((_, Err(why))) => Verification::TimedOut(why.to_string()),
            Ok(_) => Verification::Verified,
            Err(_) => {
                let missing: Vec<String> = [get(&ep_missing), get(&lb_missing)]
                    .into_iter()
                    .filter(|m| !m.is_empty())
                    .collect();
                Verification::TimedOut(clean(&format!(
                    "{} after {} s",
                    missing.join("; "),
                    timeout.as_secs_f64()
                )))
            }
        },
    };
    phases.extend(done.into_inner().unwrap_or_else(|e| e.into_inner()));
    verdict
}

/// The Service whose endpoints tell that traffic can reach the target: the router Service
/// itself for `service-selector`, else the target's Service the router names.
pub fn endpoints_service(config: &Config, to: Color) -> (String, String) {
    let cc = config.colors.of(to);
    let r = &config.router;
    match r.kind {
        RouterKind::ServiceSelector => (r.namespace.clone(), r.name.clone()),
        // A color's backendRef names its Service in the color's namespace.
        RouterKind::Httproute => (cc.namespace.clone(), cc.route_value.clone()),
        // An Ingress names Services in its own namespace.
        RouterKind::IngressBackend => (r.namespace.clone(), cc.route_value.clone()),
    }
}

/// Returns once the Service's endpoints hold only pods of `to`, at least one ready.
async fn endpoints_converge(ctx: &Ctx, to: Color, missing: &Missing) {
    let (ns, svc) = endpoints_service(&ctx.config, to);
    let cc = ctx.config.colors.of(to);
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &cc.namespace);
    let slices: Api<EndpointSlice> = Api::namespaced(ctx.client.clone(), &ns);
    let by_service = ListParams::default().labels(&format!("kubernetes.io/service-name={svc}"));
    let by_color = ListParams::default().labels(&cc.selector);
    let started = Instant::now();
    loop {
        let judged = match (pods.list(&by_color).await, slices.list(&by_service).await) {
            (Ok(p), Ok(s)) => {
                let names: BTreeSet<String> = p
                    .items
                    .into_iter()
                    .filter_map(|p| p.metadata.name)
                    .collect();
                judge_endpoints(&s.items, &cc.namespace, &names, to)
            }
            (Err(e), _) | (_, Err(e)) => Err(format!("endpoints unreadable: {e}")),
        };
        match judged {
            Ok(_) => return,
            Err(why) => set(missing, clean(&format!("{ns}/{svc}: {why}"))),
        }
        let gap = if started.elapsed() < BRISK_FOR {
            ENDPOINTS_GAP
        } else {
            ENDPOINTS_GAP_LATER
        };
        tokio::time::sleep(gap).await;
    }
}

/// Whether a Service's endpoints hold only pods of `to` (by name, in `pods_ns`) with at
/// least one ready: the ready count, or what is still wrong. Not-ready pods of the target
/// carry no traffic and are allowed; an endpoint of anything else is not.
pub fn judge_endpoints(
    slices: &[EndpointSlice],
    pods_ns: &str,
    target: &BTreeSet<String>,
    to: Color,
) -> Result<u32, String> {
    let (mut ready, mut strangers) = (0u32, 0u32);
    for ep in slices.iter().flat_map(|s| s.endpoints.iter().flatten()) {
        let ours = ep.target_ref.as_ref().is_some_and(|r| {
            r.kind.as_deref() == Some("Pod")
                && r.namespace.as_deref().is_none_or(|ns| ns == pods_ns)
                && r.name.as_ref().is_some_and(|n| target.contains(n))
        });
        if !ours {
            strangers += 1;
        } else if ep.conditions.as_ref().and_then(|c| c.ready) != Some(false) {
            ready += 1;
        }
    }
    match (strangers, ready) {
        (0, 0) => Err(format!("no ready {} endpoint yet", to.word())),
        (0, n) => Ok(n),
        (s, _) => Err(format!(
            "endpoints still list {s} pod{} not of {}",
            if s == 1 { "" } else { "s" },
            to.word()
        )),
    }
}

/// Returns once the LB answered `n` fresh requests in a row with `want`.
///
/// Fresh: every request opens a new connection (no idle connection is kept, so a
/// kept-alive connection pinned to an old pod cannot answer for the new color) and says
/// `Cache-Control: no-cache` to any cache on the way.
async fn lb_converges(ctx: &Ctx, want: &str, n: u32, missing: &Missing) {
    let Some(lb_url) = ctx.config.router.lb_url.as_deref() else {
        set(missing, "no lb_url configured".into());
        return std::future::pending().await;
    };
    let url = lb_probe_url(&ctx.config, lb_url);
    let source = ctx.config.router.lb_version.as_ref();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::CACHE_CONTROL,
        reqwest::header::HeaderValue::from_static("no-cache"),
    );
    let client = reqwest::Client::builder()
        .timeout(LB_REQUEST_TIMEOUT)
        .pool_max_idle_per_host(0)
        .default_headers(headers)
        .build();
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            set(missing, clean(&format!("LB client: {e}")));
            return std::future::pending().await;
        }
    };
    let mut streak = 0;
    loop {
        let answer = lb_get(&client, &url).await.map(|a| version_of(&a, source));
        match answer {
            Ok(v) if v.as_deref() == Some(want) => {
                streak += 1;
                if streak >= n {
                    return;
                }
                set(
                    missing,
                    format!("LB answered {want} only {streak} of {n} times in a row"),
                );
            }
            Ok(v) => {
                streak = 0;
                let serves = v.unwrap_or_else(|| "no version".into());
                set(missing, format!("LB still serves {serves}"));
            }
            Err(e) => {
                streak = 0;
                set(missing, clean(&format!("LB unreachable: {e}")));
            }
        }
        tokio::time::sleep(LB_GAP).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slice(endpoints: serde_json::Value) -> EndpointSlice {
        serde_json::from_value(json!({
            "metadata": {"name": "s"}, "addressType": "IPv4", "endpoints": endpoints
        }))
        .expect("slice")
    }

    fn ep(pod: &str, ready: bool) -> serde_json::Value {
        json!({"addresses": ["10.0.0.1"], "conditions": {"ready": ready},
               "targetRef": {"kind": "Pod", "namespace": "fittrack", "name": pod}})
    }

    fn green() -> BTreeSet<String> {
        ["g1", "g2"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_target_pods_with_one_ready_converge() {
        let s = [slice(json!([ep("g1", true), ep("g2", false)]))];
        assert_eq!(
            judge_endpoints(&s, "fittrack", &green(), Color::Green),
            Ok(1)
        );
    }

    #[test]
    fn a_pod_of_the_other_color_is_not_converged_even_when_not_ready() {
        let s = [
            slice(json!([ep("g1", true)])),
            slice(json!([ep("b1", false)])),
        ];
        let why = judge_endpoints(&s, "fittrack", &green(), Color::Green).unwrap_err();
        assert_eq!(why, "endpoints still list 1 pod not of GREEN");
    }

    #[test]
    fn no_ready_endpoint_is_not_converged() {
        let none: [EndpointSlice; 0] = [];
        let why = judge_endpoints(&none, "fittrack", &green(), Color::Green).unwrap_err();
        assert_eq!(why, "no ready GREEN endpoint yet");
        let s = [slice(json!([ep("g1", false)]))];
        assert!(judge_endpoints(&s, "fittrack", &green(), Color::Green).is_err());
    }

    #[test]
    fn a_same_named_pod_elsewhere_or_no_pod_is_a_stranger() {
        let mut other_ns = ep("g1", true);
        other_ns["targetRef"]["namespace"] = json!("elsewhere");
        let manual = json!({"addresses": ["10.0.0.9"], "conditions": {"ready": true}});
        let s = [slice(json!([ep("g2", true), other_ns, manual]))];
        let why = judge_endpoints(&s, "fittrack", &green(), Color::Green).unwrap_err();
        assert!(why.contains("2 pods not of GREEN"), "{why}");
    }

    #[test]
    fn the_service_verified_per_router_kind() {
        let mut c = crate::config::demo_config("fittrack", None);
        assert_eq!(
            endpoints_service(&c, Color::Green),
            ("fittrack-green".to_string(), "fittrack-green".to_string())
        );
        c.router.kind = RouterKind::IngressBackend;
        assert_eq!(endpoints_service(&c, Color::Blue).0, "fittrack");
        let c = crate::config::demo_config("fittrack-single-ns", None);
        assert_eq!(
            endpoints_service(&c, Color::Green),
            ("fittrack".to_string(), "fittrack-lb".to_string())
        );
    }
}
