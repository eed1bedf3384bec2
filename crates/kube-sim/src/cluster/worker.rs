//! One pod's life on the simulated node: scheduling, image pull, container start, readiness
//! and liveness probes, crashes with CrashLoopBackOff, and graceful termination.

use super::events::{EventType, Source};
use super::meta::{int_at, name, set_at};
use super::podstatus::{render, ContainerState, PodRuntime, Terminated, NODE};
use super::Ctx;
use crate::selector::labels_of;
use chrono::Utc;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The pod is being deleted: stop what you are doing and terminate.
pub(crate) struct Terminate;

type Flow<T = ()> = Result<T, Terminate>;

/// One HTTP probe of the pod's container spec.
struct Probe {
    path: String,
    port: i64,
    failure_threshold: u32,
}

impl Probe {
    fn default_readiness() -> Self {
        Self {
            path: "/health/ready".into(),
            port: 8000,
            failure_threshold: 3,
        }
    }

    fn from_spec(spec: &Value, default_path: Option<&str>) -> Option<Self> {
        let path = spec
            .pointer("/httpGet/path")
            .and_then(Value::as_str)
            .or(default_path)?;
        Some(Self {
            path: path.to_string(),
            port: int_at(spec, "/httpGet/port", 8000),
            failure_threshold: int_at(spec, "/failureThreshold", 3).max(1) as u32,
        })
    }
}

/// The kubelet's worker for one pod.
pub(crate) struct Worker {
    ctx: Arc<Ctx>,
    ns: String,
    name: String,
    uid: String,
    pod: Value,
    containers: Vec<Value>,
    image: String,
    labels: BTreeMap<String, String>,
    readiness: Probe,
    liveness: Option<Probe>,
    rt: PodRuntime,
    terminating: watch::Receiver<bool>,
}

impl Worker {
    /// A worker for `pod`; `terminating` flips to true when the pod gets a deletionTimestamp.
    pub(crate) fn new(ctx: Arc<Ctx>, pod: Value, terminating: watch::Receiver<bool>) -> Self {
        let containers: Vec<Value> = pod["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let first = containers.first().cloned().unwrap_or(Value::Null);
        Self {
            ns: pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            name: name(&pod).to_string(),
            uid: pod["metadata"]["uid"].as_str().unwrap_or("").to_string(),
            image: first["image"].as_str().unwrap_or("").to_string(),
            labels: labels_of(&pod),
            readiness: Probe::from_spec(&first["readinessProbe"], Some("/health/ready"))
                .unwrap_or_else(Probe::default_readiness),
            liveness: Probe::from_spec(&first["livenessProbe"], None),
            rt: PodRuntime::new(Utc::now()),
            containers,
            pod,
            ctx,
            terminating,
        }
    }

    /// Runs the pod until it is deleted (then terminates it gracefully).
    pub(crate) async fn run(mut self) {
        if self.lifecycle().await.is_err() {
            self.terminate().await;
        }
    }

    fn container(&self) -> String {
        self.containers
            .first()
            .and_then(|c| c["name"].as_str())
            .unwrap_or("app")
            .to_string()
    }

    fn field_path(&self) -> String {
        format!("spec.containers{{{}}}", self.container())
    }

    fn event(&self, kind: EventType, reason: &str, message: &str) {
        let fp = self.field_path();
        self.ctx
            .events
            .record(&self.pod, Some(&fp), kind, Source::Kubelet, reason, message);
    }

    /// Sleeps, or returns `Terminate` as soon as the pod is being deleted.
    async fn sleep(&mut self, ms: u64) -> Flow {
        if *self.terminating.borrow() {
            return Err(Terminate);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(ms)) => Ok(()),
            _ = self.terminating.wait_for(|t| *t) => Err(Terminate),
        }
    }

    /// Writes the pod's status (and node binding). False when the pod is gone.
    fn publish(&mut self) -> bool {
        let status = render(&self.rt, &self.containers);
        let scheduled = self.rt.scheduled_at.is_some();
        let uid = self.uid.clone();
        let result = self.ctx.store.modify("pods", &self.ns, &self.name, |p| {
            if p["metadata"]["uid"] != uid.as_str() {
                return;
            }
            if scheduled {
                set_at(p, &["spec", "nodeName"], json!(NODE));
            }
            p["status"] = status;
        });
        match result {
            Ok(p) => {
                self.pod = p;
                true
            }
            Err(_) => false,
        }
    }

    async fn lifecycle(&mut self) -> Flow {
        self.sleep(self.ctx.tuning.schedule_ms).await?;
        let now = Utc::now();
        self.rt.scheduled_at = Some(now);
        self.rt.start_time = Some(now);
        self.rt.ip = Some(self.ctx.next_ip());
        self.publish();
        let msg = format!("Successfully assigned {}/{} to {NODE}", self.ns, self.name);
        self.ctx.events.record(
            &self.pod,
            None,
            EventType::Normal,
            Source::Scheduler,
            "Scheduled",
            &msg,
        );
        self.pull().await?;
        loop {
            self.sleep(self.ctx.tuning.start_ms).await?;
            let c = self.container();
            self.event(
                EventType::Normal,
                "Created",
                &format!("Created container: {c}"),
            );
            self.event(
                EventType::Normal,
                "Started",
                &format!("Started container {c}"),
            );
            self.ctx
                .runtime
                .start(&self.ns, &self.name, &self.image, &self.labels);
            let started_at = Utc::now();
            self.rt.state = ContainerState::Running { started_at };
            self.publish();
            // On deletion the app keeps serving through the grace period; terminate() stops it.
            let (exit_code, reason) = self.supervise().await?;
            self.ctx.runtime.stop(&self.ns, &self.name);
            self.crash_loop(started_at, exit_code, reason).await?;
        }
    }

    /// Pulls the image; tags containing `pullfail` never pull (ImagePullBackOff).
    async fn pull(&mut self) -> Flow {
        let image = self.image.clone();
        let mut attempts = 0;
        loop {
            self.event(
                EventType::Normal,
                "Pulling",
                &format!("Pulling image {image:?}"),
            );
            self.sleep(self.ctx.tuning.pull_ms).await?;
            let tag = image.rsplit_once(':').map_or("", |(_, t)| t);
            if !tag.contains("pullfail") {
                let ms = self.ctx.tuning.pull_ms;
                let msg = format!(
                    "Successfully pulled image {image:?} in {ms}ms ({ms}ms including waiting)"
                );
                self.event(EventType::Normal, "Pulled", &msg);
                return Ok(());
            }
            attempts += 1;
            let why = format!(
                "Failed to pull image {image:?}: rpc error: code = NotFound \
                 desc = failed to pull and unpack image {image:?}: not found"
            );
            self.waiting("ErrImagePull", &why);
            self.event(EventType::Warning, "Failed", &why);
            self.event(EventType::Warning, "Failed", "Error: ErrImagePull");
            self.sleep(self.ctx.tuning.crash_backoff_ms.min(1_000))
                .await?;
            let back = format!("Back-off pulling image {image:?}");
            self.waiting("ImagePullBackOff", &back);
            self.event(EventType::Normal, "BackOff", &back);
            self.event(EventType::Warning, "Failed", "Error: ImagePullBackOff");
            self.sleep(self.ctx.tuning.backoff_ms(attempts)).await?;
        }
    }

    fn waiting(&mut self, reason: &str, message: &str) {
        self.rt.state = ContainerState::Waiting {
            reason: reason.into(),
            message: message.into(),
        };
        self.publish();
    }

    async fn probe_ok(&self, probe: &Probe) -> Result<(), String> {
        match self
            .ctx
            .runtime
            .probe(&self.ns, &self.name, &probe.path)
            .await
        {
            Some(code) if (200..400).contains(&code) => Ok(()),
            Some(code) => Err(format!("HTTP probe failed with statuscode: {code}")),
            None => {
                let ip = self.rt.ip.clone().unwrap_or_default();
                let port = probe.port;
                Err(format!(
                    "Get \"http://{ip}:{port}{}\": dial tcp {ip}:{port}: connect: connection refused",
                    probe.path
                ))
            }
        }
    }

    /// Probes the running container until it crashes or fails liveness: (exit code, reason).
    async fn supervise(&mut self) -> Flow<(i32, &'static str)> {
        let (mut ready_fails, mut live_fails) = (0, 0);
        loop {
            if self.ctx.runtime.should_crash(&self.ns, &self.name) {
                return Ok((1, "Error"));
            }
            match self.probe_ok(&self.readiness).await {
                Ok(()) => {
                    ready_fails = 0;
                    if !self.rt.ready {
                        self.rt.set_ready(true, Utc::now());
                        self.publish();
                    }
                }
                Err(why) => {
                    ready_fails += 1;
                    self.event(
                        EventType::Warning,
                        "Unhealthy",
                        &format!("Readiness probe failed: {why}"),
                    );
                    if self.rt.ready && ready_fails >= self.readiness.failure_threshold {
                        self.rt.set_ready(false, Utc::now());
                        self.publish();
                    }
                }
            }
            if let Some(live) = &self.liveness {
                match self.probe_ok(live).await {
                    Ok(()) => live_fails = 0,
                    Err(why) => {
                        live_fails += 1;
                        self.event(
                            EventType::Warning,
                            "Unhealthy",
                            &format!("Liveness probe failed: {why}"),
                        );
                        if live_fails >= self.liveness.as_ref().map_or(3, |l| l.failure_threshold) {
                            let c = self.container();
                            let msg =
                                format!("Container {c} failed liveness probe, will be restarted");
                            self.event(EventType::Normal, "Killing", &msg);
                            return Ok((137, "Error"));
                        }
                    }
                }
            }
            self.sleep(self.ctx.tuning.probe_period_ms).await?;
        }
    }

    /// Records the crash and waits out the back-off before the next start.
    async fn crash_loop(
        &mut self,
        started_at: chrono::DateTime<Utc>,
        exit_code: i32,
        reason: &str,
    ) -> Flow {
        let now = Utc::now();
        self.rt.restart_count += 1;
        self.rt.last_terminated = Some(Terminated {
            exit_code,
            reason: reason.into(),
            started_at,
            finished_at: now,
        });
        self.rt.set_ready(false, now);
        let backoff = self.ctx.tuning.backoff_ms(self.rt.restart_count);
        let c = self.container();
        let who = format!("{}_{}({})", self.name, self.ns, self.uid);
        let message = format!(
            "back-off {}s restarting failed container={c} pod={who}",
            backoff.div_ceil(1000)
        );
        self.waiting("CrashLoopBackOff", &message);
        let msg = format!("Back-off restarting failed container {c} in pod {who}");
        self.event(EventType::Warning, "BackOff", &msg);
        self.sleep(backoff).await
    }

    /// Graceful termination: the app keeps serving through the grace time (its Ready
    /// condition stays, so EndpointSlices show it `serving` and `terminating` but not `ready`),
    /// then it stops and the pod is removed.
    async fn terminate(self) {
        let c = self.container();
        self.event(
            EventType::Normal,
            "Killing",
            &format!("Stopping container {c}"),
        );
        tokio::time::sleep(Duration::from_millis(self.ctx.tuning.termination_ms)).await;
        self.ctx.runtime.stop(&self.ns, &self.name);
        let current = self.ctx.store.get("pods", &self.ns, &self.name);
        if current.is_some_and(|p| p["metadata"]["uid"] == self.uid.as_str()) {
            let _ = self.ctx.store.delete("pods", &self.ns, &self.name);
        }
    }
}
