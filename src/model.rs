//! Facts about the world as the bus reports them: plain values, already sanitized.
//! This is the contract between the bus (which produces them) and `update`/`view`.

use chrono::{DateTime, Utc};

/// One of the two colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Color {
    /// Blue (drawn on the left).
    Blue,
    /// Green (drawn on the right).
    Green,
}

impl Color {
    /// Both colors, blue first.
    pub const BOTH: [Color; 2] = [Color::Blue, Color::Green];

    /// The color as a word, upper case.
    pub fn word(self) -> &'static str {
        match self {
            Color::Blue => "BLUE",
            Color::Green => "GREEN",
        }
    }

    /// The color as a word, lower case (as in configuration keys: `colors.blue`).
    pub fn name(self) -> &'static str {
        match self {
            Color::Blue => "blue",
            Color::Green => "green",
        }
    }

    /// The other color.
    pub fn other(self) -> Color {
        match self {
            Color::Blue => Color::Green,
            Color::Green => Color::Blue,
        }
    }
}

/// One container of a pod.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContainerSummary {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Ready per the kubelet.
    pub ready: bool,
    /// Restart count.
    pub restarts: u32,
    /// "running", "waiting: CrashLoopBackOff", "terminated: Error (exit 1)".
    pub state: String,
    /// Last termination, e.g. "Error, exit 137 at 10:42:01: out of memory".
    pub last_termination: Option<String>,
    /// What the kubelet says about the current state: the waiting or termination message
    /// ("Back-off pulling image \"x:v9\"").
    pub message: Option<String>,
}

/// A pod as the cockpit shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodSummary {
    /// Pod name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Ready containers.
    pub ready: u32,
    /// All containers.
    pub containers_total: u32,
    /// Status like kubectl's STATUS column: Running, Pending, CrashLoopBackOff,
    /// ImagePullBackOff, OOMKilled, Terminating, Completed, Error...
    pub status: String,
    /// Last exit code of any container, when it terminated before.
    pub last_exit_code: Option<i32>,
    /// Sum of container restarts.
    pub restarts: u32,
    /// Creation time.
    pub created: Option<DateTime<Utc>>,
    /// Deletion requested.
    pub terminating: bool,
    /// Pod conditions: (type, status, "reason: message").
    pub conditions: Vec<(String, String, String)>,
    /// Containers.
    pub containers: Vec<ContainerSummary>,
    /// Pod IP.
    pub ip: Option<String>,
    /// Node name.
    pub node: Option<String>,
    /// Labels (sanitized), sorted by key.
    pub labels: Vec<(String, String)>,
    /// Annotations (sanitized, long values cut), sorted by key.
    pub annotations: Vec<(String, String)>,
}

impl PodSummary {
    /// Every container ready (and there is at least one).
    pub fn is_ready(&self) -> bool {
        self.containers_total > 0 && self.ready == self.containers_total
    }
}

/// A color's Deployment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeploymentSummary {
    /// Deployment name.
    pub name: String,
    /// Image of the first container of the template.
    pub image: String,
    /// Version: the image tag.
    pub version: String,
    /// spec.replicas.
    pub desired: u32,
    /// status.readyReplicas.
    pub ready: u32,
    /// status.updatedReplicas.
    pub updated: u32,
    /// status.availableReplicas.
    pub available: u32,
    /// Conditions: (type, status, reason).
    pub conditions: Vec<(String, String, String)>,
}

/// Where the router object says traffic goes.
#[derive(Debug, Clone, PartialEq)]
pub enum RouterTarget {
    /// All traffic to one color.
    Color(Color),
    /// Weights split traffic (httproute): percentages.
    Split {
        /// Percent to blue.
        blue: u32,
        /// Percent to green.
        green: u32,
    },
    /// A value matching neither color (shown loudly, never guessed).
    Unknown(String),
    /// The router object does not exist.
    Missing,
}

/// The router as last read: where it says traffic goes, and the values that said it.
#[derive(Debug, Clone, PartialEq)]
pub struct RouterReading {
    /// What the router says.
    pub target: RouterTarget,
    /// The raw router value, for display ("deployment=green", "fittrack-green:100,fittrack-blue:0").
    pub raw: String,
    /// The object's resourceVersion.
    pub resource_version: String,
    /// When this value was first observed by cutover (or recorded on the object).
    pub since: Option<DateTime<Utc>>,
    /// The values read, in the order a switch's compare-and-swap patch tests them.
    pub values: Vec<RouterValue>,
    /// The last switch recorded on the object by cutover (its annotations), if any.
    pub stamp: Option<SwitchStamp>,
}

/// One value a router reading depends on: where it is in the object and what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct RouterValue {
    /// JSON pointer into the object (RFC 6901), e.g. `/spec/selector/deployment`.
    pub pointer: String,
    /// The value found there (`Null` when absent).
    pub value: serde_json::Value,
}

/// The `cutover.dev/switch-id`, `switched-by` and `switched-at` annotations of the router.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchStamp {
    /// The switch id (unique per switch attempt).
    pub id: String,
    /// Who switched (sanitized).
    pub by: String,
    /// When, as written (RFC 3339).
    pub at: String,
}

/// Severity of a Kubernetes Event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// type=Normal.
    Normal,
    /// type=Warning.
    Warning,
}

/// A Kubernetes Event.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeEvent {
    /// Object uid, used to merge updates of the same event.
    pub uid: String,
    /// Last time it happened.
    pub time: DateTime<Utc>,
    /// Namespace of the event.
    pub namespace: String,
    /// "Pod/fittrack-7c9d-abcde".
    pub object: String,
    /// Reason, e.g. "BackOff".
    pub reason: String,
    /// Message.
    pub message: String,
    /// Normal or Warning.
    pub kind: EventKind,
    /// How often it happened.
    pub count: u32,
}

/// One log line of a pod.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Color whose pod wrote it.
    pub color: Color,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// Timestamp from the API server (timestamps=true).
    pub ts: Option<DateTime<Utc>>,
    /// The sanitized text.
    pub text: String,
}

/// Which health endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// `/health/live`.
    Live,
    /// `/health/ready`.
    Ready,
}

/// One probe's outcome. Two facts: whether the way to the app (the API server's proxy, a
/// port-forward) worked, and — only when it did — what the app answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    /// Color probed.
    pub color: Color,
    /// Endpoint probed.
    pub kind: ProbeKind,
    /// The app answered 2xx within the timeout.
    pub ok: bool,
    /// Round-trip time in milliseconds.
    pub latency_ms: u64,
    /// What the app answered: "200 OK", "503 Service Unavailable", "nothing listens on the
    /// port"; empty when the app was not reached.
    pub detail: String,
    /// The way to the app failed, so it was not reached and `ok` says nothing about it:
    /// "via API proxy: timed out after 2 s", "via API proxy: service fittrack-blue not found".
    pub path_error: Option<String>,
    /// Version the endpoint reported, if any.
    pub version: Option<String>,
    /// When it was taken.
    pub at: DateTime<Utc>,
}

/// What the public entry point (lb_url) actually serves.
#[derive(Debug, Clone, PartialEq)]
pub struct LbObservation {
    /// The version it answered with.
    pub version: Option<String>,
    /// The color that version belongs to, when known.
    pub color: Option<Color>,
    /// Error, if the request failed.
    pub error: Option<String>,
    /// When it was taken.
    pub at: DateTime<Utc>,
}

/// A long-lived feed the bus keeps open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feed {
    /// Pods of a color.
    Pods(Color),
    /// The Deployment of a color.
    Deployment(Color),
    /// EndpointSlices of a color's Service.
    Endpoints(Color),
    /// The router object.
    Router,
    /// Events of a namespace.
    Events(String),
    /// Logs of a color.
    Logs(Color),
    /// The shared history of actions (ConfigMap `cutover-history`).
    History,
    /// The driver lease (Lease `cutover-driver`).
    Lease,
    /// The cockpits' sessions (Leases labelled `cutover.dev/session`).
    Sessions,
}

/// Health of a feed.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedStatus {
    /// Starting up, nothing received yet.
    Connecting,
    /// Receiving.
    Live,
    /// Lost; retrying with backoff. The last known data is kept and marked stale.
    Reconnecting {
        /// Since when the feed is down.
        since: DateTime<Utc>,
        /// What went wrong, sanitized.
        error: String,
    },
}

/// An elapsed time, in the one style used everywhere (ages, "updated … ago", "since"):
/// the largest unit and the next one when it is not zero — `45s`, `2m10s`, `14m`, `3h5m`,
/// `2d4h` — at most 6 columns below 100 days. Negative times (clock skew) count as 0.
pub fn age_text(secs: i64) -> String {
    let s = secs.max(0);
    let (big, big_unit, small, small_unit) = match s {
        0..=59 => return format!("{s}s"),
        60..=3_599 => (s / 60, "m", s % 60, "s"),
        3_600..=86_399 => (s / 3_600, "h", s % 3_600 / 60, "m"),
        _ => (s / 86_400, "d", s % 86_400 / 3_600, "h"),
    };
    if small == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{small}{small_unit}")
    }
}

/// The tag of an image reference ("reg:5000/app:v2@sha256:..." → "v2"); "latest" when untagged.
pub fn image_tag(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    match last.split_once(':') {
        Some((_, tag)) if !tag.is_empty() => tag,
        _ => "latest",
    }
}

/// The repository of an image reference, without tag or digest ("reg:5000/team/api:v1" →
/// "reg:5000/team/api"; a registry's port is kept).
pub fn image_repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[slash..].find(':') {
        Some(colon) => &no_digest[..slash + colon],
        None => no_digest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_drop_tag_and_digest_but_keep_a_registry_port() {
        assert_eq!(
            image_repository("reg:5000/team/api:v1"),
            "reg:5000/team/api"
        );
        assert_eq!(image_repository("api@sha256:abc"), "api");
        assert_eq!(
            image_repository("oci.example.com/fittrack/api"),
            "oci.example.com/fittrack/api"
        );
        assert_eq!(image_tag("reg:5000/team/api:v1"), "v1");
    }
}
