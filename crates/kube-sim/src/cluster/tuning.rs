//! `Tuning`: the simulated cluster's timings and behaviour knobs.

/// Timings and behaviour knobs of the simulated cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// Seconds a `-bad` version serves traffic before it starts failing.
    pub bad_after_secs: f64,
    /// Baseline 5xx ratio of good versions (0.0002 = 0.02 %).
    pub baseline_error_rate: f64,
    /// Delay before a route change reaches the load balancer, in milliseconds.
    pub propagation_ms: u64,
    /// Synthetic requests per second through the load balancer.
    pub traffic_rps: f64,
    /// Delay before the scheduler binds a new pod, in milliseconds.
    pub schedule_ms: u64,
    /// Time an image pull takes, in milliseconds.
    pub pull_ms: u64,
    /// Time from a pulled image to a started container, in milliseconds.
    pub start_ms: u64,
    /// Period of the kubelet's readiness/liveness probes, in milliseconds.
    pub probe_period_ms: u64,
    /// First crash-loop (and image pull) back-off, in milliseconds; it doubles per restart.
    pub crash_backoff_ms: u64,
    /// Longest back-off, in milliseconds.
    pub crash_backoff_max_ms: u64,
    /// Time a deleted pod spends terminating before it disappears, in milliseconds.
    pub termination_ms: u64,
    /// Upper bound on a Deployment's progress deadline in seconds (None: the spec's value).
    pub progress_deadline_max_secs: Option<f64>,
    /// Period of the controllers' full resync, in milliseconds (they also react to changes).
    pub resync_ms: u64,
    /// App log lines per second per container (None: the scenario's rate, 250 for `load`,
    /// 2 otherwise). `POST /sim/v1/tuning {"log_rate": N}` changes it while running.
    pub log_rate: Option<f64>,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            bad_after_secs: 20.0,
            baseline_error_rate: 0.0002,
            propagation_ms: 200,
            traffic_rps: 50.0,
            schedule_ms: 100,
            pull_ms: 800,
            start_ms: 400,
            probe_period_ms: 2_000,
            crash_backoff_ms: 10_000,
            crash_backoff_max_ms: 300_000,
            termination_ms: 1_000,
            progress_deadline_max_secs: None,
            resync_ms: 5_000,
            log_rate: None,
        }
    }
}

impl Tuning {
    /// Values for tests: no bad-version delay, no baseline errors, sub-second timings.
    pub fn fast() -> Self {
        Self {
            bad_after_secs: 0.0,
            baseline_error_rate: 0.0,
            propagation_ms: 50,
            traffic_rps: 50.0,
            schedule_ms: 5,
            pull_ms: 20,
            start_ms: 20,
            probe_period_ms: 100,
            crash_backoff_ms: 200,
            crash_backoff_max_ms: 1_600,
            termination_ms: 50,
            progress_deadline_max_secs: Some(3.0),
            resync_ms: 250,
            log_rate: None,
        }
    }

    /// The back-off before restart number `restarts` (1-based): base × 2^(n-1), capped.
    pub fn backoff_ms(&self, restarts: u32) -> u64 {
        let shift = restarts.saturating_sub(1).min(20);
        self.crash_backoff_ms
            .saturating_mul(1u64 << shift)
            .min(self.crash_backoff_max_ms)
    }

    /// A Deployment's effective progress deadline for `spec_secs` (spec.progressDeadlineSeconds).
    pub fn progress_deadline_secs(&self, spec_secs: f64) -> f64 {
        self.progress_deadline_max_secs
            .map_or(spec_secs, |max| spec_secs.min(max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let t = Tuning::default();
        assert_eq!(t.backoff_ms(1), 10_000);
        assert_eq!(t.backoff_ms(2), 20_000);
        assert_eq!(t.backoff_ms(3), 40_000);
        assert_eq!(t.backoff_ms(50), 300_000);
    }

    #[test]
    fn deadline_is_capped_only_when_tuned() {
        assert_eq!(Tuning::default().progress_deadline_secs(600.0), 600.0);
        assert_eq!(Tuning::fast().progress_deadline_secs(600.0), 3.0);
        assert_eq!(Tuning::fast().progress_deadline_secs(1.0), 1.0);
    }
}
