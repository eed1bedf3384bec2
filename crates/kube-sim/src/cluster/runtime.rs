//! The kubelet's view of the simulated apps (a tiny container runtime interface), so the
//! kubelet is tested with a stand-in and runs the real `apps::Apps` in the simulator.

use futures::future::BoxFuture;
use std::collections::BTreeMap;

/// What the kubelet needs from the simulated app instances.
pub trait ContainerRuntime: Send + Sync + 'static {
    /// A pod's container started with `image`.
    fn start(&self, ns: &str, pod: &str, image: &str, labels: &BTreeMap<String, String>);
    /// The pod's container stopped (crash, restart, deletion).
    fn stop(&self, ns: &str, pod: &str);
    /// An HTTP GET of `path` on the pod's app port: Some(status), or None when nothing answers.
    fn probe<'a>(&'a self, ns: &'a str, pod: &'a str, path: &'a str) -> BoxFuture<'a, Option<u16>>;
    /// Whether the container dies now (crash fault).
    fn should_crash(&self, ns: &str, pod: &str) -> bool;
    /// The pod was removed from the cluster: forget it (logs included).
    fn remove(&self, ns: &str, pod: &str) {
        self.stop(ns, pod);
    }
}

/// The simulator's real apps: started containers answer HTTP through the app listener.
impl ContainerRuntime for crate::apps::Apps {
    fn start(&self, ns: &str, pod: &str, image: &str, labels: &BTreeMap<String, String>) {
        self.start_pod(ns, pod, image, labels);
    }

    fn stop(&self, ns: &str, pod: &str) {
        self.stop_pod(ns, pod);
    }

    fn probe<'a>(&'a self, ns: &'a str, pod: &'a str, path: &'a str) -> BoxFuture<'a, Option<u16>> {
        Box::pin(crate::apps::Apps::probe(self, ns, pod, path))
    }

    fn should_crash(&self, ns: &str, pod: &str) -> bool {
        crate::apps::Apps::should_crash(self, ns, pod)
    }

    fn remove(&self, ns: &str, pod: &str) {
        self.remove_pod(ns, pod);
    }
}

/// A stand-in runtime: started containers answer 200, except images whose tag contains
/// `never-ready` (503 on readiness); nothing crashes. Used when no apps are attached.
#[derive(Default)]
pub struct StandIn {
    running: std::sync::Mutex<BTreeMap<(String, String), String>>,
}

impl ContainerRuntime for StandIn {
    fn start(&self, ns: &str, pod: &str, image: &str, _labels: &BTreeMap<String, String>) {
        let mut r = self.running.lock().unwrap_or_else(|e| e.into_inner());
        r.insert((ns.into(), pod.into()), image.into());
    }

    fn stop(&self, ns: &str, pod: &str) {
        let mut r = self.running.lock().unwrap_or_else(|e| e.into_inner());
        r.remove(&(ns.to_string(), pod.to_string()));
    }

    fn probe<'a>(&'a self, ns: &'a str, pod: &'a str, path: &'a str) -> BoxFuture<'a, Option<u16>> {
        let r = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let answer = r.get(&(ns.to_string(), pod.to_string())).map(|image| {
            let tag = image.rsplit(':').next().unwrap_or("");
            if path.contains("ready") && tag.contains("never-ready") {
                503
            } else {
                200
            }
        });
        Box::pin(async move { answer })
    }

    fn should_crash(&self, _ns: &str, _pod: &str) -> bool {
        false
    }
}
