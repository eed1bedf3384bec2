//! The rolling-update arithmetic of the real Deployment controller (`rolloutRolling`),
//! as a pure function: given the ReplicaSets' sizes and availability, what each should
//! be scaled to now. Called again on every change, it walks a rollout step by step.

use serde_json::Value;

/// One ReplicaSet's size as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RsCounts {
    /// `spec.replicas`.
    pub replicas: i64,
    /// Pods of this ReplicaSet that are available (ready, not terminating).
    pub available: i64,
}

/// Target sizes: the new ReplicaSet and each old one (same order as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// New `spec.replicas` of the ReplicaSet matching the current template.
    pub new_replicas: i64,
    /// New `spec.replicas` of each older ReplicaSet.
    pub old_replicas: Vec<i64>,
}

/// Resolves an IntOrString like `1` or `"25%"` against `total`
/// (percentages round up for surge, down for unavailability, like Kubernetes).
pub fn int_or_percent(v: Option<&Value>, total: i64, round_up: bool, default_pct: i64) -> i64 {
    // Kubernetes counts are int32; clamping keeps the arithmetic below free of overflow.
    let limit = i64::from(i32::MAX);
    let pct = match v {
        Some(Value::Number(n)) => return n.as_i64().unwrap_or(0).clamp(0, limit),
        Some(Value::String(s)) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
            Some(p) => p.clamp(0, 100),
            None => return s.parse::<i64>().unwrap_or(0).clamp(0, limit),
        },
        _ => default_pct,
    };
    let scaled = total.clamp(0, limit) * pct;
    if round_up {
        (scaled + 99) / 100
    } else {
        scaled / 100
    }
}

/// Plans one step of a rolling update. `old` is ordered oldest first.
pub fn plan(
    desired: i64,
    max_surge: i64,
    max_unavailable: i64,
    new: RsCounts,
    old: &[RsCounts],
) -> Plan {
    // Kubernetes forbids both being zero; treat that like the controller's fallback.
    let max_surge = if max_surge == 0 && max_unavailable == 0 {
        1
    } else {
        max_surge
    };
    let mut old_replicas: Vec<i64> = old.iter().map(|o| o.replicas).collect();
    let old_total: i64 = old_replicas.iter().sum();

    // Scale the new ReplicaSet up (bounded by desired + surge) or down to desired.
    let new_replicas = if old_total == 0 || new.replicas > desired {
        desired
    } else {
        let room = desired + max_surge - (new.replicas + old_total);
        new.replicas + room.clamp(0, desired - new.replicas)
    };

    // Scale old ReplicaSets down without dropping below minimum availability.
    let min_available = desired - max_unavailable;
    let new_unavailable = (new_replicas - new.available.min(new_replicas)).max(0);
    let all_pods = new_replicas + old_total;
    let mut budget = all_pods - min_available - new_unavailable;
    if budget <= 0 {
        return Plan {
            new_replicas,
            old_replicas,
        };
    }
    // First the unhealthy old pods: removing them costs no availability.
    for (r, o) in old_replicas.iter_mut().zip(old) {
        let unhealthy = (*r - o.available.min(*r)).min(budget).max(0);
        *r -= unhealthy;
        budget -= unhealthy;
    }
    // Then healthy old pods, as far as availability allows.
    let available: i64 = new.available.min(new_replicas)
        + old_replicas
            .iter()
            .zip(old)
            .map(|(r, o)| o.available.min(*r))
            .sum::<i64>();
    let mut removable = available - min_available;
    for r in old_replicas.iter_mut() {
        if removable <= 0 {
            break;
        }
        let n = removable.min(*r);
        *r -= n;
        removable -= n;
    }
    Plan {
        new_replicas,
        old_replicas,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rs(replicas: i64, available: i64) -> RsCounts {
        RsCounts {
            replicas,
            available,
        }
    }

    /// Simulates pods becoming ready instantly and returns the sequence of (new, old) sizes.
    fn walk(desired: i64, mut old: i64) -> Vec<(i64, i64)> {
        let mut new = 0;
        let mut steps = vec![];
        for _ in 0..20 {
            let p = plan(desired, 1, 0, rs(new, new), &[rs(old, old)]);
            if (p.new_replicas, p.old_replicas[0]) == (new, old) {
                break;
            }
            new = p.new_replicas;
            old = p.old_replicas[0];
            steps.push((new, old));
        }
        steps
    }

    #[test]
    fn surge_one_then_remove_one_old() {
        let p = plan(3, 1, 0, rs(0, 0), &[rs(3, 3)]);
        assert_eq!(
            p,
            Plan {
                new_replicas: 1,
                old_replicas: vec![3]
            }
        );
        // New pod not ready yet: nothing old may go.
        let p = plan(3, 1, 0, rs(1, 0), &[rs(3, 3)]);
        assert_eq!(p.old_replicas, vec![3]);
        // New pod ready: one old goes; new may grow only once the total drops.
        let p = plan(3, 1, 0, rs(1, 1), &[rs(3, 3)]);
        assert_eq!(
            p,
            Plan {
                new_replicas: 1,
                old_replicas: vec![2]
            }
        );
        assert_eq!(walk(3, 3).last(), Some(&(3, 0)));
        assert!(walk(3, 3).iter().all(|(n, o)| n + o <= 4 && *n + *o >= 3));
    }

    #[test]
    fn never_ready_new_pods_stall_the_rollout() {
        let p = plan(3, 1, 0, rs(1, 0), &[rs(3, 3)]);
        assert_eq!(
            p,
            Plan {
                new_replicas: 1,
                old_replicas: vec![3]
            }
        );
    }

    #[test]
    fn unhealthy_old_pods_go_first() {
        // One surge pod ready, one old pod unhealthy: the unhealthy one goes, no healthy one.
        let p = plan(3, 1, 0, rs(1, 1), &[rs(3, 2)]);
        assert_eq!(p.old_replicas, vec![2]);
        // Like Kubernetes, nothing goes while the new pod is unavailable too.
        let p = plan(3, 1, 0, rs(1, 0), &[rs(3, 2)]);
        assert_eq!(p.old_replicas, vec![3]);
    }

    #[test]
    fn plain_scaling_without_old_sets() {
        assert_eq!(plan(5, 1, 0, rs(3, 3), &[]).new_replicas, 5);
        assert_eq!(plan(0, 1, 0, rs(3, 3), &[rs(0, 0)]).new_replicas, 0);
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        let big = i64::from(i32::MAX);
        let p = plan(big, big, big, rs(big, 0), &[rs(big, big), rs(big, big)]);
        assert!(p.new_replicas <= big && p.old_replicas.iter().all(|r| (0..=big).contains(r)));
    }

    #[test]
    fn int_or_percent_resolves_like_kubernetes() {
        assert_eq!(int_or_percent(Some(&json!(1)), 10, true, 25), 1);
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, true, 25), 1);
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, false, 25), 0);
        assert_eq!(int_or_percent(None, 8, false, 25), 2);
        assert_eq!(int_or_percent(Some(&json!("junk%")), 8, false, 25), 0);
        assert_eq!(
            int_or_percent(Some(&json!(i64::MAX)), 8, true, 25),
            i64::from(i32::MAX)
        );
        assert_eq!(int_or_percent(Some(&json!("900%")), 8, true, 25), 8);
    }
}
