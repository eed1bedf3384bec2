//! The simulated cluster: controllers, kubelet, EndpointSlices, Events, scenarios.
//! (Owned by SIM-CLUSTER; this stub only fixes the names others use.)

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
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            bad_after_secs: 20.0,
            baseline_error_rate: 0.0002,
            propagation_ms: 200,
            traffic_rps: 50.0,
        }
    }
}
