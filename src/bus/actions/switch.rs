//! Switch (and rollback): one compare-and-swap JSON patch of the router, then verification.
//!
//! The write is never cut: `cancel` is not looked at until the patch's result is known.
//! A slow or failing API is retried with the very same patch (same switch id) — its `test`
//! operations make a retry after a write that landed fail with 422, and reading the router
//! again then finds our switch id: a lost answer is our own write, not a conflict.

use std::time::Duration;

use chrono::SecondsFormat;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{verify, Progress};
use crate::app::action::{Outcome, Phase, SwitchPlan};
use crate::bus::Ctx;
use crate::cluster::clean;
use crate::cluster::router::{self, SWITCH_ID};
use crate::cluster::switch_patch::{judge_refusal, router_object, switch_patch, Refusal};
use crate::model::{RouterReading, SwitchStamp};

/// Longest the write may take with its retries before it is reported failed.
const WRITE_BOUND: Duration = Duration::from_secs(60);
/// Part of the bound kept for reading the router after the last attempt (did one land?).
const SETTLE: Duration = Duration::from_secs(5);
/// Longest one request may take; shorter than the bound so a hung request is retried.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A request unanswered this long is worth saying so.
const SLOW: Duration = Duration::from_secs(1);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The field manager the API server records for the write.
const FIELD_MANAGER: &str = "cutover";

/// Run a switch to the end and say how it ended.
pub async fn run(
    ctx: &Ctx,
    plan: SwitchPlan,
    progress: &Progress,
    cancel: CancellationToken,
) -> Outcome {
    let stamp = SwitchStamp {
        id: plan.switch_id.clone(),
        by: plan.by.clone(),
        at: plan.at.to_rfc3339_opts(SecondsFormat::Millis, true),
    };
    let patch = match switch_patch(&ctx.config, plan.to, &plan.expected, &stamp) {
        Ok(p) => p,
        Err(e) => {
            let what = router_object(&ctx.config);
            return Outcome::Failed(clean(&format!(
                "switching {what}: {e}; nothing was written"
            )));
        }
    };
    // The driver lease first: a claim that loses (someone took it meanwhile) writes nothing.
    if let Err(e) = crate::bus::lease::take(ctx, plan.lease.as_ref()).await {
        return Outcome::Failed(e);
    }
    let writer = Writer::new(ctx, &plan, progress);
    let attempts = match writer.write(&patch).await {
        Written::Accepted { attempts } => attempts,
        Written::Conflict(now) => return Outcome::Conflict { now: Some(*now) },
        Written::Failed(e) => return Outcome::Failed(e),
    };
    let mut phases = vec![progress.phase(Phase::PatchAccepted)];
    let verification = verify::verify(ctx, &plan, progress, &cancel, &mut phases).await;
    Outcome::Switched {
        phases,
        verification,
        attempts,
    }
}

/// How the write ended.
enum Written {
    /// The router carries the switch (attempts it took).
    Accepted { attempts: u32 },
    /// The router changed under us; nothing was written. The router as read after.
    Conflict(Box<RouterReading>),
    /// What was attempted and what the server said.
    Failed(String),
}

/// How one request ended, by what to do next.
enum Answer<T> {
    Done(T),
    /// Timeouts, 5xx, 409, 429, connection errors: the same request may be sent again.
    Retry(String),
    /// 422: a `test` failed (or the server rejects the result).
    Refused(String),
    /// Anything else (403, 404, 400, ...): retrying will not help.
    Fatal(String),
}

fn classify<T>(result: Result<T, kube::Error>) -> Answer<T> {
    match result {
        Ok(t) => Answer::Done(t),
        Err(kube::Error::Api(s)) => {
            let reason = hyper::StatusCode::from_u16(s.code)
                .ok()
                .and_then(|c| c.canonical_reason())
                .unwrap_or("");
            let text = clean(&format!("{} {reason}: {}", s.code, s.message));
            match s.code {
                422 => Answer::Refused(text),
                409 | 429 | 500..=599 => Answer::Retry(text),
                _ => Answer::Fatal(text),
            }
        }
        // The request may or may not have reached the server: retry.
        Err(e) => Answer::Retry(clean(&e.to_string())),
    }
}

/// The write of one plan: the router's API, what is attempted (for messages), the bound.
struct Writer<'a> {
    ctx: &'a Ctx,
    plan: &'a SwitchPlan,
    progress: &'a Progress,
    api: Api<DynamicObject>,
    what: String,
    started: Instant,
}

impl<'a> Writer<'a> {
    fn new(ctx: &'a Ctx, plan: &'a SwitchPlan, progress: &'a Progress) -> Writer<'a> {
        let r = &ctx.config.router;
        let ar = router::api_resource(r.kind);
        Writer {
            ctx,
            plan,
            progress,
            api: Api::namespaced_with(ctx.client.clone(), &r.namespace, &ar),
            what: format!("patching {}", router_object(&ctx.config)),
            started: Instant::now(),
        }
    }

    /// Send the patch until it is accepted, refused or the bound is spent.
    async fn write(&self, patch: &json_patch::Patch) -> Written {
        let params = PatchParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..PatchParams::default()
        };
        let name = self.ctx.config.router.name.as_str();
        let deadline = self.started + WRITE_BOUND - SETTLE;
        let mut backoff = FIRST_BACKOFF;
        // An attempt may have landed without its answer reaching us.
        let mut uncertain = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let patch = Patch::Json::<()>(patch.clone());
            let request = self.api.patch(name, &params, &patch);
            let last = match self
                .timed(request, deadline, "the router patch", attempt)
                .await
            {
                Answer::Done(_) => return Written::Accepted { attempts: attempt },
                Answer::Refused(text) => return self.refused(attempt, uncertain, &text).await,
                Answer::Fatal(text) if !uncertain => {
                    return Written::Failed(format!("{}: {text}; nothing was written", self.what))
                }
                Answer::Fatal(text) | Answer::Retry(text) => text,
            };
            uncertain = true;
            if Instant::now() + backoff >= deadline {
                return self.settle(attempt, &last).await;
            }
            self.progress.waiting(format!(
                "API slow: retrying the router patch (attempt {}, last error: {last})",
                attempt + 1
            ));
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// One request, cut after [`ATTEMPT_TIMEOUT`] (or at `deadline`), saying so when slow.
    async fn timed<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, kube::Error>>,
        deadline: Instant,
        what: &str,
        attempt: u32,
    ) -> Answer<T> {
        let limit = ATTEMPT_TIMEOUT.min(deadline.saturating_duration_since(Instant::now()));
        let limit = limit.max(Duration::from_millis(500));
        tokio::pin!(request);
        let give_up = tokio::time::sleep(limit);
        let slow = tokio::time::sleep(SLOW);
        tokio::pin!(give_up, slow);
        let mut told = false;
        loop {
            tokio::select! {
                r = &mut request => return classify(r),
                _ = &mut slow, if !told => {
                    told = true;
                    self.progress.waiting(format!(
                        "API slow: no answer to {what} after {} s (attempt {attempt}); waiting",
                        SLOW.as_secs()
                    ));
                }
                _ = &mut give_up => {
                    return Answer::Retry(format!("no answer within {} s", limit.as_secs_f64()));
                }
            }
        }
    }

    /// Read the router, retrying a slow or failing API until `deadline`.
    async fn read(&self, deadline: Instant) -> Result<RouterReading, String> {
        let name = self.ctx.config.router.name.as_str();
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let got = self.timed(
                self.api.get_opt(name),
                deadline,
                "reading the router",
                attempt,
            );
            let last = match got.await {
                Answer::Done(obj) => {
                    let value = obj.and_then(|o| serde_json::to_value(o).ok());
                    return Ok(router::read(&self.ctx.config, value.as_ref()));
                }
                Answer::Fatal(text) | Answer::Refused(text) => return Err(text),
                Answer::Retry(text) => text,
            };
            if Instant::now() + backoff >= deadline {
                return Err(last);
            }
            self.progress.waiting(format!(
                "API slow: reading the router again (attempt {}, last error: {last})",
                attempt + 1
            ));
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// A 422: read the router again to tell our own earlier write from a conflict.
    async fn refused(&self, attempts: u32, uncertain: bool, text: &str) -> Written {
        let deadline = (self.started + WRITE_BOUND).max(Instant::now() + SETTLE);
        let now = match self.read(deadline).await {
            Ok(now) => now,
            Err(e) => {
                let landed = if uncertain {
                    format!("whether an earlier attempt landed is unknown; check the router's {SWITCH_ID} annotation")
                } else {
                    "nothing was written".into()
                };
                return Written::Failed(format!(
                    "{}: {text}; reading it again failed ({e}): {landed}",
                    self.what
                ));
            }
        };
        match judge_refusal(&self.plan.expected, &now, &self.plan.switch_id) {
            Refusal::OurWrite => Written::Accepted { attempts },
            Refusal::Conflict => Written::Conflict(Box::new(now)),
            Refusal::Rejected => Written::Failed(format!(
                "{}: {text}; the router still holds what was tested, so the server refused \
                 the write itself; nothing was written",
                self.what
            )),
        }
    }

    /// The bound is spent (or a request failed for good after one that may have landed):
    /// read the router once more to tell whether one of the attempts landed.
    async fn settle(&self, attempts: u32, last: &str) -> Written {
        let text = format!(
            "{}: gave up after {attempts} attempts in {:.0} s; last error: {last}",
            self.what,
            self.started.elapsed().as_secs_f64()
        );
        match self.read(Instant::now() + SETTLE).await {
            Ok(now)
                if now
                    .stamp
                    .as_ref()
                    .is_some_and(|s| s.id == self.plan.switch_id) =>
            {
                Written::Accepted { attempts }
            }
            Ok(_) => Written::Failed(format!(
                "{text}; the router does not carry this switch: nothing was written"
            )),
            Err(e) => Written::Failed(format!(
                "{text}; whether an attempt landed is unknown (reading the router failed: \
                 {e}); check its {SWITCH_ID} annotation"
            )),
        }
    }
}
