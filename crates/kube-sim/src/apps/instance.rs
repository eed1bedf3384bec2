//! One running container of the simulated app: identity, counters, log, and its answers.

use super::faults::AppFault;
use super::logs::{access_line, LogBuffer};
use super::metrics::{Counters, DB_POOL_MAX};
use super::version::VersionInfo;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;
use tokio::sync::Notify;

/// Mutable parts of an instance, behind one lock.
#[derive(Debug)]
pub struct InstanceData {
    /// Request counters for `/metrics`.
    pub counters: Counters,
    /// The container log.
    pub log: LogBuffer,
    window_start: Option<Instant>,
    window_count: u32,
}

/// A started container.
#[derive(Debug)]
pub struct Instance {
    /// Namespace of the pod.
    pub ns: String,
    /// Pod name.
    pub pod: String,
    /// Value of the pod's `deployment` label (blue/green), or empty.
    pub color: String,
    /// Version facts from the image.
    pub info: VersionInfo,
    /// When the container started.
    pub started: DateTime<Utc>,
    running: AtomicBool,
    stopped_at: OnceLock<DateTime<Utc>>,
    data: Mutex<InstanceData>,
    /// Woken whenever a line is appended or the container stops (log followers wait on it).
    pub changed: Notify,
}

/// How the app answers one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Content-Type of `body`.
    pub content_type: &'static str,
    /// Response body.
    pub body: String,
    /// Simulated processing time in seconds (what the histogram records).
    pub secs: f64,
}

/// The inputs that decide an app request's fate, computed by `Apps` from faults and tuning.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// Effective fault for the instance.
    pub fault: AppFault,
    /// Error ratio for app paths (fault, bad version, or baseline).
    pub error_rate: f64,
}

impl Instance {
    /// A container that starts now.
    pub fn new(ns: &str, pod: &str, image: &str, color: &str, log_rate: f64) -> Self {
        let info = VersionInfo::from_image(image);
        let started = Utc::now();
        let mut log = LogBuffer::new(started, log_rate, &info.version);
        log.push(
            started,
            format!(
                "{{\"level\":\"info\",\"msg\":\"starting fittrack api\",\"version\":\"{}\"}}",
                info.version
            ),
        );
        log.push(
            started,
            "{\"level\":\"info\",\"msg\":\"application startup complete\",\"port\":8000}".into(),
        );
        Self {
            ns: ns.to_string(),
            pod: pod.to_string(),
            color: color.to_string(),
            info,
            started,
            running: AtomicBool::new(true),
            stopped_at: OnceLock::new(),
            data: Mutex::new(InstanceData {
                counters: Counters::default(),
                log,
                window_start: None,
                window_count: 0,
            }),
            changed: Notify::new(),
        }
    }

    /// True until the container stops.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Mark the container stopped and wake log followers.
    pub fn stop(&self) {
        let _ = self.stopped_at.set(Utc::now());
        self.running.store(false, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    /// The latest time the container could have logged: now, or when it stopped.
    pub fn log_now(&self) -> DateTime<Utc> {
        self.stopped_at.get().copied().unwrap_or_else(Utc::now)
    }

    /// Lock the mutable data (poisoning is ignored: the data stays usable).
    pub fn data(&self) -> MutexGuard<'_, InstanceData> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Health answers (not counted, used by the kubelet's probes and by real HTTP).
    pub fn health(&self, path: &str, fault: &AppFault) -> Option<Answer> {
        let (ok, what) = match path {
            "/health/live" | "/healthz" => (fault.live != Some(false), "live"),
            "/health/ready" | "/readyz" => (
                fault.ready != Some(false) && !self.info.never_ready,
                "ready",
            ),
            _ => return None,
        };
        let status = if ok { 200 } else { 503 };
        let state = if ok { what } else { "failing" };
        let body = format!(
            "{{\"status\":\"{state}\",\"check\":\"{what}\",\"version\":\"{}\",\"pod\":\"{}\"}}",
            self.info.version, self.pod
        );
        Some(Answer {
            status,
            content_type: "application/json",
            body,
            secs: 0.001,
        })
    }

    /// Serve a request (real or synthetic): answer, count it, and write an access-log line.
    pub fn serve(&self, method: &str, path: &str, client: &str, c: &Conditions) -> Answer {
        let path = path.split('?').next().unwrap_or(path);
        let latency = c.fault.latency_ms.unwrap_or(0) as f64 / 1000.0;
        let answer = match self.health(path, &c.fault) {
            Some(a) => a,
            None if path == "/metrics" => {
                let body = self.data().counters.render();
                Answer {
                    status: 200,
                    content_type: "text/plain; version=0.0.4",
                    body,
                    secs: 0.002,
                }
            }
            None => self.app_answer(method, path, c),
        };
        let answer = Answer {
            secs: answer.secs + latency,
            ..answer
        };
        if path != "/metrics" {
            self.account(method, path, client, &answer);
        }
        answer
    }

    fn app_answer(&self, method: &str, path: &str, c: &Conditions) -> Answer {
        let base = 0.004 + rand::random::<f64>() * 0.03;
        let known = route_label(path).is_some();
        if !known {
            let body = "{\"detail\":\"Not Found\"}".to_string();
            return Answer {
                status: 404,
                content_type: "application/json",
                body,
                secs: 0.001,
            };
        }
        if c.error_rate > 0.0 && rand::random::<f64>() < c.error_rate {
            let body = "{\"detail\":\"internal server error\"}".to_string();
            return Answer {
                status: 500,
                content_type: "application/json",
                body,
                secs: base,
            };
        }
        let body = match (method, path) {
            ("POST", _) => "{\"id\":1042,\"created\":true}".to_string(),
            (_, "/api/users/me") => "{\"id\":7,\"name\":\"demo\"}".to_string(),
            (_, "/api/stats") => "{\"workouts\":128,\"minutes\":5310}".to_string(),
            _ => "[{\"id\":1,\"kind\":\"run\",\"minutes\":30},{\"id\":2,\"kind\":\"row\",\"minutes\":20}]"
                .to_string(),
        };
        let status = if method == "POST" { 201 } else { 200 };
        Answer {
            status,
            content_type: "application/json",
            body,
            secs: base,
        }
    }

    fn account(&self, method: &str, path: &str, client: &str, a: &Answer) {
        let label = route_label(path).unwrap_or("/{unknown}");
        let mut d = self.data();
        d.counters.record(a.status, method, label, a.secs);
        if path.starts_with("/api/") && a.status < 500 {
            // A read-through cache: most reads hit.
            if rand::random::<f64>() < 0.9 {
                d.counters.cache_hits += 1;
            } else {
                d.counters.cache_misses += 1;
            }
        }
        let now = Instant::now();
        match d.window_start {
            Some(s) if now.duration_since(s).as_secs_f64() < 1.0 => d.window_count += 1,
            _ => {
                let active = 1 + d.window_count / 4 + u32::from(a.status >= 500) * 8;
                d.counters.db_active = active.min(DB_POOL_MAX);
                d.window_start = Some(now);
                d.window_count = 1;
            }
        }
        let now = Utc::now();
        if a.status >= 500 {
            // The app explains its own failures, as the real one does before the access line.
            let msg = format!(
                "{{\"level\":\"error\",\"msg\":\"db pool exhausted\",\"path\":\"{}\",\"version\":\"{}\"}}",
                path.escape_default(),
                self.info.version
            );
            d.log.push(now, msg);
        }
        d.log
            .push(now, access_line(client, method, path, a.status, a.secs));
        drop(d);
        self.changed.notify_waiters();
    }
}

/// The bounded-cardinality label for an app path, or None for an unknown path.
pub fn route_label(path: &str) -> Option<&'static str> {
    match path {
        "/health/live" | "/healthz" => Some("/health/live"),
        "/health/ready" | "/readyz" => Some("/health/ready"),
        "/" => Some("/"),
        "/api/workouts" => Some("/api/workouts"),
        "/api/users/me" => Some("/api/users/me"),
        "/api/stats" => Some("/api/stats"),
        p if p
            .strip_prefix("/api/workouts/")
            .is_some_and(|id| !id.is_empty() && !id.contains('/')) =>
        {
            Some("/api/workouts/{id}")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(image: &str) -> Instance {
        Instance::new("ns", "p1", image, "blue", 0.0)
    }

    #[test]
    fn health_reflects_faults_and_never_ready() {
        let i = inst("fittrack/api:v1");
        let ok = i.health("/health/ready", &AppFault::default()).unwrap();
        assert_eq!(ok.status, 200);
        assert!(ok.body.contains("\"version\":\"v1\""));
        let down = AppFault {
            ready: Some(false),
            ..Default::default()
        };
        assert_eq!(i.health("/health/ready", &down).unwrap().status, 503);
        assert_eq!(i.health("/health/live", &down).unwrap().status, 200);
        let nr = inst("fittrack/api:v2-never-ready");
        assert_eq!(
            nr.health("/health/ready", &AppFault::default())
                .unwrap()
                .status,
            503
        );
        assert!(i.health("/api/workouts", &AppFault::default()).is_none());
    }

    #[test]
    fn serve_counts_and_logs_with_error_rate() {
        let i = inst("fittrack/api:v1");
        let always = Conditions {
            error_rate: 1.0,
            ..Default::default()
        };
        let never = Conditions::default();
        assert_eq!(
            i.serve("GET", "/api/workouts?x=1", "10.0.0.1", &always)
                .status,
            500
        );
        assert_eq!(
            i.serve("GET", "/api/workouts/7", "10.0.0.1", &never).status,
            200
        );
        assert_eq!(i.serve("GET", "/nope", "10.0.0.1", &always).status, 404);
        let metrics = i.serve("GET", "/metrics", "10.0.0.1", &never);
        assert!(metrics
            .body
            .contains("http_requests_total{code=\"500\",method=\"GET\",path=\"/api/workouts\"} 1"));
        assert!(metrics.body.contains("path=\"/api/workouts/{id}\"} 1"));
        assert!(metrics.body.contains("path=\"/{unknown}\"} 1"));
        let d = i.data();
        assert_eq!(d.counters.totals(), (3, 1));
        let (lines, _) = d.log.select(&Default::default());
        assert!(lines
            .iter()
            .any(|l| l.contains("\"GET /api/workouts HTTP/1.1\" 500")));
        let errors: Vec<_> = lines
            .iter()
            .filter(|l| l.contains("\"level\":\"error\""))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "one error line for the one 500: {errors:?}"
        );
    }

    #[test]
    fn latency_fault_adds_to_duration() {
        let i = inst("fittrack/api:v1");
        let slow = Conditions {
            fault: AppFault {
                latency_ms: Some(300),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(i.serve("GET", "/api/stats", "c", &slow).secs >= 0.3);
    }
}
