//! Facts derived from the state for the view to show: what the load balancer's answer says
//! about the colors, which shown facts are stale, a color's pod status summary, pod health
//! order, and which color an Event is about. Decided here, never in the view.

use chrono::{DateTime, Utc};

use super::state::{ColorState, State};
use crate::model::{Color, Feed, FeedStatus, KubeEvent, PodSummary, RouterTarget};

/// Seconds after which a probe result is shown with its age.
pub const RESULT_STALE_SECS: i64 = 10;

/// What the version the load balancer answered with says about the colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbMatch {
    /// Exactly this color runs that version.
    Color(Color),
    /// Both colors run it: the answer cannot tell them apart.
    Both,
    /// Neither color runs it.
    Neither,
}

impl State {
    /// Which color the load balancer's answer points at, when it gave a version.
    pub fn lb_match(&self) -> Option<LbMatch> {
        let obs = self.lb.as_ref().filter(|o| o.error.is_none())?;
        let version = obs.version.as_deref()?;
        let running: Vec<Color> = Color::BOTH
            .into_iter()
            .filter(|c| self.color(*c).version().as_deref() == Some(version))
            .collect();
        Some(match running.as_slice() {
            [c] => LbMatch::Color(*c),
            [_, _] => LbMatch::Both,
            _ => obs.color.map_or(LbMatch::Neither, LbMatch::Color),
        })
    }

    /// The load balancer serves a color other than the one the router names.
    pub fn lb_disagrees(&self) -> bool {
        let routed = match self.router.as_ref().map(|r| &r.target) {
            Some(RouterTarget::Color(c)) => Some(*c),
            _ => None,
        };
        let served = match self.lb_match() {
            Some(LbMatch::Color(c)) => Some(c),
            _ => None,
        };
        matches!((served, routed), (Some(c), Some(r)) if c != r)
    }

    /// How old a probe result is, in seconds, once it is old enough to say
    /// ([`RESULT_STALE_SECS`]): results normally arrive every probe interval.
    pub fn result_age(&self, at: DateTime<Utc>) -> Option<i64> {
        let secs = (self.now - at).num_seconds();
        (secs >= RESULT_STALE_SECS).then_some(secs)
    }

    /// The feed behind a shown fact is not delivering (connecting or reconnecting), so the
    /// fact may be out of date.
    pub fn is_stale(&self, feed: &Feed) -> bool {
        self.feeds
            .get(feed)
            .is_some_and(|f| !matches!(f.status, FeedStatus::Live))
    }

    /// The color an Event is about: the color owning its namespace alone, else the color
    /// whose selector matched the pod (or whose Deployment or ReplicaSet it names).
    pub fn event_color(&self, e: &KubeEvent) -> Option<Color> {
        let owners: Vec<Color> = Color::BOTH
            .into_iter()
            .filter(|c| self.color(*c).namespace == e.namespace)
            .collect();
        match owners.as_slice() {
            [c] => return Some(*c),
            [] => return None,
            _ => {}
        }
        let (kind, name) = e.object.split_once('/')?;
        match kind {
            "Pod" => self.pod_color(&e.namespace, name),
            "Deployment" | "ReplicaSet" => {
                let named = |c: &Color| {
                    let d = self.color(*c).deployment_name.as_deref();
                    d.is_some_and(|d| {
                        name == d
                            || (kind == "ReplicaSet"
                                && name.strip_prefix(d).is_some_and(|r| r.starts_with('-')))
                    })
                };
                let mut hits = Color::BOTH.into_iter().filter(named);
                match (hits.next(), hits.next()) {
                    (Some(c), None) => Some(c),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// Most pods remembered for telling Events by color (then the memory starts over).
const SEEN_PODS_MAX: usize = 20_000;

impl State {
    /// Remember which color's selector listed these pods.
    pub fn remember_pods(&mut self, color: Color) {
        if self.seen_pods.len() > SEEN_PODS_MAX {
            self.seen_pods.clear();
        }
        let cs = &self.colors[color as usize];
        for pod in &cs.pods {
            let key = format!("{}/{}", pod.namespace, pod.name);
            self.seen_pods.insert(key, color);
        }
    }

    /// The color whose selector listed pod `namespace/name`, if seen.
    pub fn pod_color(&self, namespace: &str, name: &str) -> Option<Color> {
        self.seen_pods.get(&format!("{namespace}/{name}")).copied()
    }
}

impl ColorState {
    /// Pods per status, `Running` first, then by count (most first) and name:
    /// `197 Running · 2 Pending · 1 CrashLoopBackOff`.
    pub fn status_counts(&self) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for pod in &self.pods {
            match counts.iter_mut().find(|(s, _)| *s == pod.status) {
                Some((_, n)) => *n += 1,
                None => counts.push((pod.status.clone(), 1)),
            }
        }
        counts.sort_by(|a, b| {
            (b.0 == "Running")
                .cmp(&(a.0 == "Running"))
                .then(b.1.cmp(&a.1))
                .then(a.0.cmp(&b.0))
        });
        counts
    }
}

/// How much a pod needs attention: 0 failing (CrashLoopBackOff, Error, OOMKilled...),
/// 1 not ready yet or going away (Pending, ContainerCreating, Terminating, Running but not
/// ready), 2 ready. Pods are listed in this order, so trouble is never below the fold.
pub fn attention(pod: &PodSummary) -> u8 {
    let settling = matches!(
        pod.status.as_str(),
        "Running" | "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating"
    ) || pod.status.starts_with("Init:")
        && !pod.status.contains("Err")
        && !pod.status.contains("BackOff");
    match (pod.is_ready() && pod.status == "Running", settling) {
        (true, _) => 2,
        (false, true) => 1,
        (false, false) => u8::from(pod.status == "Completed") * 2,
    }
}

/// Sort pods for display: those needing attention first, then by name.
pub fn sort_for_attention(pods: &mut [PodSummary]) {
    pods.sort_by(|a, b| {
        attention(a)
            .cmp(&attention(b))
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::msg::Msg;
    use crate::app::sample;
    use crate::app::update::update;
    use crate::model::EventKind;

    fn lb(s: &mut State, version: &str) {
        update(s, sample::lb(version, None));
    }

    #[test]
    fn the_lb_answer_matches_one_color_both_or_neither() {
        let mut s = sample::state(3, 0);
        lb(&mut s, "v2.0.0");
        assert_eq!(s.lb_match(), Some(LbMatch::Color(Color::Green)));
        assert!(s.lb_disagrees(), "router says blue");
        lb(&mut s, "v7");
        assert_eq!(s.lb_match(), Some(LbMatch::Neither));
        // Green rolled back to blue's version: the answer cannot tell them apart.
        let mut msgs = sample::color_msgs(Color::Green, 3);
        if let Msg::Deployment {
            deployment: Some(d),
            ..
        } = &mut msgs[1]
        {
            d.version = "v1.9.3".into();
        }
        for m in msgs {
            update(&mut s, m);
        }
        lb(&mut s, "v1.9.3");
        assert_eq!(s.lb_match(), Some(LbMatch::Both));
        assert!(!s.lb_disagrees());
    }

    #[test]
    fn pods_needing_attention_sort_first() {
        let pod = |name: &str, status: &str, ready: u32| PodSummary {
            name: name.into(),
            status: status.into(),
            ready,
            containers_total: 1,
            ..PodSummary::default()
        };
        let mut pods = vec![
            pod("a", "Running", 1),
            pod("b", "Pending", 0),
            pod("c", "CrashLoopBackOff", 0),
            pod("d", "Running", 0),
            pod("e", "Init:CrashLoopBackOff", 0),
            pod("f", "Completed", 0),
        ];
        sort_for_attention(&mut pods);
        let names: String = pods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, "cebdaf");
    }

    #[test]
    fn status_counts_put_running_first_then_most_common() {
        let mut s = sample::state(4, 0);
        let mut pods: Vec<_> = (0..4).map(|i| sample::pod(Color::Blue, i)).collect();
        pods[0].status = "Pending".into();
        pods[1].status = "CrashLoopBackOff".into();
        pods[2].status = "Pending".into();
        update(
            &mut s,
            Msg::Pods {
                color: Color::Blue,
                pods,
            },
        );
        assert_eq!(
            s.color(Color::Blue).status_counts(),
            [
                ("Running".to_string(), 1),
                ("Pending".to_string(), 2),
                ("CrashLoopBackOff".to_string(), 1)
            ]
        );
    }

    #[test]
    fn events_in_a_shared_namespace_belong_to_the_color_that_selects_the_pod() {
        let mut config = sample::config();
        for c in [&mut config.colors.blue, &mut config.colors.green] {
            c.namespace = "fittrack".into();
        }
        let mut s = State::new(&config, Default::default(), sample::now());
        for c in Color::BOTH {
            let mut pods = vec![sample::pod(c, 0)];
            pods[0].namespace = "fittrack".into();
            update(&mut s, Msg::Pods { color: c, pods });
        }
        let event = |object: String| KubeEvent {
            uid: "u".into(),
            time: sample::now(),
            namespace: "fittrack".into(),
            object,
            reason: "Started".into(),
            message: String::new(),
            kind: EventKind::Normal,
            count: 1,
        };
        let green_pod = format!("Pod/{}", sample::pod(Color::Green, 0).name);
        assert_eq!(s.event_color(&event(green_pod)), Some(Color::Green));
        let blue_pod = format!("Pod/{}", sample::pod(Color::Blue, 0).name);
        assert_eq!(s.event_color(&event(blue_pod.clone())), Some(Color::Blue));
        // Remembered after the pod is gone.
        update(
            &mut s,
            Msg::Pods {
                color: Color::Blue,
                pods: vec![],
            },
        );
        assert_eq!(s.event_color(&event(blue_pod)), Some(Color::Blue));
        // Both Deployments are named `fittrack` in the sample: not decidable by name.
        assert_eq!(s.event_color(&event("Deployment/fittrack".into())), None);
        assert_eq!(s.event_color(&event("Pod/someone-else".into())), None);
    }
}
