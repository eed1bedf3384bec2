//! Synthetic traffic: requests at a steady rate along the load balancer's routing, accounted
//! in-process (counters, histogram, access log) without real HTTP.

use super::lb::ensure_router;
use super::routing::Choice;
use super::Ctx;
use std::time::{Duration, Instant};

/// How often the generator wakes up.
const TICK: Duration = Duration::from_millis(100);

/// The request mix: (method, path, share).
const MIX: [(&str, &str, f64); 5] = [
    ("GET", "/api/workouts", 0.5),
    ("GET", "/api/workouts/42", 0.2),
    ("POST", "/api/workouts", 0.1),
    ("GET", "/api/users/me", 0.1),
    ("GET", "/api/stats", 0.1),
];

/// Pick a request from the mix with `r` in [0, 1).
pub fn pick_request(r: f64) -> (&'static str, &'static str) {
    let mut acc = 0.0;
    for (m, p, share) in MIX {
        acc += share;
        if r < acc {
            return (m, p);
        }
    }
    (MIX[0].0, MIX[0].1)
}

/// How many requests are due after `elapsed` at `rps`, carrying the fraction in `carry`.
pub fn due(rps: f64, elapsed: Duration, carry: &mut f64) -> u64 {
    if !rps.is_finite() || rps <= 0.0 {
        return 0;
    }
    // Cap a long stall (suspended machine) to one second of traffic.
    *carry += rps * elapsed.as_secs_f64().min(1.0);
    let n = carry.floor();
    *carry -= n;
    n as u64
}

/// Send one synthetic request through the published table; returns the status it got.
pub fn one_request(ctx: &Ctx, r: f64) -> u16 {
    let (method, path) = pick_request(r);
    let lb = &ctx.apps.lb;
    match lb.table().choose(path, rand::random(), rand::random()) {
        Choice::Pod { namespace, pod } => {
            let client = format!(
                "10.0.{}.{}",
                rand::random_range(0..4),
                rand::random_range(2..250)
            );
            match ctx.apps.serve(&namespace, &pod, method, path, &client) {
                Some(answer) => {
                    if let Some(inst) = ctx.apps.instance(&namespace, &pod) {
                        lb.record_served(&inst.info.version);
                    }
                    answer.status
                }
                None => {
                    // The table still lists a pod that has died: the LB fails to connect.
                    lb.record_failed(502);
                    502
                }
            }
        }
        Choice::Fail(code) => {
            lb.record_failed(code);
            code
        }
    }
}

/// Run synthetic traffic at `rps` until the simulator shuts down.
pub fn start(ctx: Ctx, rps: f64, propagation: Duration) {
    ensure_router(&ctx, propagation);
    tokio::spawn(async move {
        let mut carry = 0.0;
        let mut last = Instant::now();
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ctx.shutdown.cancelled() => return,
                _ = interval.tick() => {}
            }
            let now = Instant::now();
            for _ in 0..due(rps, now - last, &mut carry) {
                one_request(&ctx, rand::random());
            }
            last = now;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_covers_paths() {
        assert_eq!(pick_request(0.0), ("GET", "/api/workouts"));
        assert_eq!(pick_request(0.65), ("GET", "/api/workouts/42"));
        assert_eq!(pick_request(0.75), ("POST", "/api/workouts"));
        assert_eq!(pick_request(0.999), ("GET", "/api/stats"));
    }

    #[test]
    fn due_carries_fractions() {
        let mut carry = 0.0;
        let total: u64 = (0..10)
            .map(|_| due(50.0, Duration::from_millis(100), &mut carry))
            .sum();
        assert_eq!(total, 50);
        let mut carry = 0.0;
        let total: u64 = (0..30)
            .map(|_| due(0.5, Duration::from_millis(100), &mut carry))
            .sum();
        assert_eq!(total, 1);
        assert_eq!(due(0.0, Duration::from_secs(1), &mut carry), 0);
        assert_eq!(due(f64::NAN, Duration::from_secs(1), &mut carry), 0);
        let mut carry = 0.0;
        assert_eq!(due(10.0, Duration::from_secs(3600), &mut carry), 10);
    }
}
