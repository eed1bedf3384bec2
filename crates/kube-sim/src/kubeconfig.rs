//! The kubeconfig the simulator writes: one cluster, four users/contexts, CA embedded.

use crate::auth::{Auth, CONTEXTS};
use base64::Engine;
use serde_json::json;

/// The kubeconfig text (YAML) for `api_url`; `ca_pem` is None for plain HTTP.
/// Contexts: `sim` (admin, current), `sim-alice`, `sim-bob`, `sim-viewer`.
pub fn render(api_url: &str, ca_pem: Option<&str>, auth: &Auth, namespace: &str) -> String {
    let mut cluster = json!({"server": api_url});
    if let Some(pem) = ca_pem {
        cluster["certificate-authority-data"] =
            json!(base64::engine::general_purpose::STANDARD.encode(pem.as_bytes()));
    }
    let users: Vec<_> = CONTEXTS
        .iter()
        .map(
            |(_, user)| json!({"name": user, "user": {"token": auth.token_of(user).unwrap_or("")}}),
        )
        .collect();
    let contexts: Vec<_> = CONTEXTS
        .iter()
        .map(|(ctx, user)| json!({"name": ctx, "context": {"cluster": "sim", "user": user, "namespace": namespace}}))
        .collect();
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sim", "cluster": cluster}],
        "users": users,
        "contexts": contexts,
        "current-context": "sim",
        "preferences": {},
    });
    serde_yaml::to_string(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_contexts_with_distinct_tokens() {
        let auth = Auth::new();
        let text = render("https://127.0.0.1:1234", Some("PEM"), &auth, "default");
        let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(v["current-context"].as_str(), Some("sim"));
        assert_eq!(v["contexts"].as_sequence().unwrap().len(), 4);
        let viewer_token = v["users"][3]["user"]["token"].as_str().unwrap();
        assert_eq!(auth.user_for_token(viewer_token), Some("viewer"));
        assert!(v["clusters"][0]["cluster"]["certificate-authority-data"].is_string());
        let plain = render("http://127.0.0.1:1", None, &auth, "default");
        assert!(!plain.contains("certificate-authority-data"));
    }
}
