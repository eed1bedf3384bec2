//! The smoke test's built-in HTTP checks: every check sent to every ready pod of the
//! color, through the probes' transport, a few at a time.

use std::sync::Arc;
use std::time::Duration;

use hyper::Method;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::app::action::CheckResult;
use crate::bus::probes::{self, Answer};
use crate::bus::Ctx;
use crate::cluster::clean;
use crate::config::schema::SmokeCheck;
use crate::model::Color;

/// Requests in flight at once (each may be a port-forward of its own).
pub const CONCURRENCY: usize = 6;

/// Runs `checks` against each of `pods`, reporting each result as it arrives. Results come
/// back in check order, then pod order; a cancel stops at once with those finished so far.
pub async fn run(
    ctx: &Ctx,
    color: Color,
    pods: &[String],
    checks: &[SmokeCheck],
    progress: &Progress,
    cancel: &CancellationToken,
) -> Vec<CheckResult> {
    if pods.is_empty() {
        return checks
            .iter()
            .map(|c| {
                let r = CheckResult {
                    name: name(c),
                    pod: String::new(),
                    ok: false,
                    detail: format!("no ready pod of {} to send it to", color.word()),
                };
                progress.output(line(&r));
                r
            })
            .collect();
    }
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let mut running = JoinSet::new();
    let jobs = checks.iter().flat_map(|c| pods.iter().map(move |p| (c, p)));
    for (i, (check, pod)) in jobs.enumerate() {
        let (ctx, progress, limit) = (ctx.clone(), progress.clone(), limit.clone());
        let (check, pod) = (check.clone(), pod.clone());
        running.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let r = one(&ctx, color, &pod, &check).await;
            progress.output(line(&r));
            (i, r)
        });
    }
    let mut out: Vec<Option<CheckResult>> = vec![None; running.len()];
    loop {
        tokio::select! {
            biased;
            // Dropping the set aborts the checks still running.
            _ = cancel.cancelled() => break,
            next = running.join_next() => match next {
                Some(Ok((i, r))) => out[i] = Some(r),
                Some(Err(_)) => {}
                None => break,
            },
        }
    }
    out.into_iter().flatten().collect()
}

/// "GET /health/ready".
pub fn name(check: &SmokeCheck) -> String {
    format!("{} {}", check.method, check.path)
}

/// "✔ GET /health/ready → pod-abc 200 in 12 ms".
pub fn line(r: &CheckResult) -> String {
    let mark = if r.ok { '✔' } else { '✖' };
    match r.pod.as_str() {
        "" => format!("{mark} {} → {}", r.name, r.detail),
        pod => format!("{mark} {} → {pod} {}", r.name, r.detail),
    }
}

/// How long a check may take before it counts as hung: its latency budget plus the
/// probes' timeout (room for a port-forward's setup), so a slow answer is still measured.
fn deadline(ctx: &Ctx, check: &SmokeCheck) -> Duration {
    let probe = Duration::from_secs_f64(ctx.config.probes.timeout_secs.max(0.01));
    probe + Duration::from_millis(check.max_latency_ms.unwrap_or(0))
}

async fn one(ctx: &Ctx, color: Color, pod: &str, check: &SmokeCheck) -> CheckResult {
    let fail = |detail: String| CheckResult {
        name: name(check),
        pod: pod.to_string(),
        ok: false,
        detail,
    };
    let Ok(method) = Method::from_bytes(check.method.as_bytes()) else {
        return fail(format!("`{}` is not an HTTP method", clean(&check.method)));
    };
    let limit = deadline(ctx, check);
    let sent = probes::to_pod(ctx, color, pod, method, &check.path);
    match tokio::time::timeout(limit, sent).await {
        Ok(Ok(answer)) => judge(check, pod, &answer),
        Ok(Err(e)) => fail(clean(&e)),
        Err(_) => fail(format!("no answer within {} ms", limit.as_millis())),
    }
}

/// Whether an answer satisfies a check, and what was found.
pub fn judge(check: &SmokeCheck, pod: &str, answer: &Answer) -> CheckResult {
    let status = answer.status.as_u16();
    let mut detail = format!("{status}");
    let mut ok = true;
    if status != check.status {
        ok = false;
        detail.push_str(&format!(" (expected {})", check.status));
    }
    detail.push_str(&format!(" in {} ms", answer.latency_ms));
    if let Some(max) = check.max_latency_ms {
        if answer.latency_ms > max {
            ok = false;
            detail.push_str(&format!(" (max {max} ms)"));
        }
    }
    if let Some(want) = &check.body_contains {
        if !String::from_utf8_lossy(&answer.body).contains(want.as_str()) {
            ok = false;
            detail.push_str(&format!(", body lacks {}", clean(&format!("{want:?}"))));
        }
    }
    CheckResult {
        name: name(check),
        pod: pod.to_string(),
        ok,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use hyper::header::HeaderMap;
    use hyper::StatusCode;

    fn check(status: u16, body: Option<&str>, max: Option<u64>) -> SmokeCheck {
        SmokeCheck {
            path: "/api/workouts".into(),
            method: "POST".into(),
            status,
            body_contains: body.map(str::to_owned),
            max_latency_ms: max,
        }
    }

    fn answer(status: u16, body: &str, latency_ms: u64) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
            latency_ms,
        }
    }

    #[test]
    fn a_matching_answer_passes() {
        let r = judge(
            &check(201, Some("\"created\":true"), Some(100)),
            "pod-a",
            &answer(201, "{\"created\":true}", 12),
        );
        assert!(r.ok);
        assert_eq!(r.detail, "201 in 12 ms");
        assert_eq!(line(&r), "✔ POST /api/workouts → pod-a 201 in 12 ms");
    }

    #[test]
    fn each_criterion_fails_on_its_own_and_says_so() {
        let c = check(200, Some("kind"), Some(100));
        let status = judge(&c, "p", &answer(500, "kind", 5));
        assert!(!status.ok);
        assert_eq!(status.detail, "500 (expected 200) in 5 ms");
        let slow = judge(&c, "p", &answer(200, "kind", 150));
        assert!(!slow.ok);
        assert_eq!(slow.detail, "200 in 150 ms (max 100 ms)");
        let body = judge(&c, "p", &answer(200, "[]", 5));
        assert!(!body.ok);
        assert_eq!(body.detail, "200 in 5 ms, body lacks \"kind\"");
        assert_eq!(
            line(&body),
            "✖ POST /api/workouts → p 200 in 5 ms, body lacks \"kind\""
        );
    }
}
