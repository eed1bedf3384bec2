//! Kubernetes adapters: client, router objects, conversions to model values.
