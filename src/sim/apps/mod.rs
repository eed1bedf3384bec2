//! The simulated apps: per-pod HTTP, metrics, logs, proxy, port-forward, load balancer, traffic.
//! (Owned by SIM-APPS; this stub only fixes the module.)
