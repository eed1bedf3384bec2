//! What is known of each color (pods, Deployment, probes, logs) and of each feed.

use chrono::{DateTime, Utc};

use super::super::logbuf::LogBuffer;
use crate::model::{Color, DeploymentSummary, FeedStatus, PodSummary, ProbeKind, ProbeResult};

/// Last results of a color's probes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probes {
    /// Last `/health/live` result.
    pub live: Option<ProbeResult>,
    /// Last `/health/ready` result.
    pub ready: Option<ProbeResult>,
    /// Most recent failure of the app (not of the way to it) of either kind.
    pub last_failure: Option<ProbeResult>,
}

impl Probes {
    /// Record a result.
    pub fn record(&mut self, r: ProbeResult) {
        if !r.ok && r.path_error.is_none() {
            self.last_failure = Some(r.clone());
        }
        match r.kind {
            ProbeKind::Live => self.live = Some(r),
            ProbeKind::Ready => self.ready = Some(r),
        }
    }
}

/// Everything known about one color.
#[derive(Debug, Clone)]
pub struct ColorState {
    /// Which color.
    pub color: Color,
    /// Its namespace.
    pub namespace: String,
    /// Pods, those needing attention first (failing, then settling, then ready), then by name.
    pub pods: Vec<PodSummary>,
    /// Selected row in the pods table.
    pub selected: usize,
    /// The Deployment (None until seen or when missing).
    pub deployment: Option<DeploymentSummary>,
    /// Ready/total endpoints of the color's Service.
    pub endpoints: Option<(u32, u32)>,
    /// Probe results.
    pub probes: Probes,
    /// Log lines.
    pub logs: LogBuffer,
    /// Log streams: (following, matching pods).
    pub streams: Option<(usize, usize)>,
    /// The configured Deployment's name, if any.
    pub deployment_name: Option<String>,
    /// The namespace was looked up and does not exist.
    pub namespace_missing: bool,
}

impl ColorState {
    /// The color's version: its Deployment's image tag, else its first pod's.
    pub fn version(&self) -> Option<String> {
        self.deployment
            .as_ref()
            .map(|d| d.version.clone())
            .filter(|v| !v.is_empty())
            .or_else(|| {
                let image = &self.pods.first()?.containers.first()?.image;
                Some(crate::model::image_tag(image).to_string())
            })
    }
}

/// A feed's health and when it last delivered data.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedState {
    /// Connecting / live / reconnecting.
    pub status: FeedStatus,
    /// Until when its data is known current: the last data received, or the moment the
    /// live feed failed (a watch that sees no change is still current).
    pub updated: Option<DateTime<Utc>>,
}
