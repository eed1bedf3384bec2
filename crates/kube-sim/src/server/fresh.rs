//! Reads at a resourceVersion the store has not reached yet. A real API server's watch cache
//! waits up to 3 s to catch up, then answers 504 Timeout "Too large resource version"; a
//! plain watch from such a version stays open and sends only the changes after it.

use super::error::ApiError;
use crate::store::Store;
use serde_json::json;
use std::time::Duration;

/// How long a read waits for the store to reach its resourceVersion (the watch cache's
/// `blockTimeout`).
pub const BLOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// The real server's error for a version the store did not reach in time.
pub fn too_large(wanted: u64, current: u64) -> ApiError {
    let mut e = ApiError::injected(504);
    e.message = format!("Timeout: Too large resource version: {wanted}, current: {current}");
    e.details = Some(json!({
        "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
        "retryAfterSeconds": 1,
    }));
    e
}

/// The minimum version a get/list asks for ("at least as new as"); None for none, `0`, a
/// continued list, or a watch.
pub fn wanted(params: &std::collections::HashMap<String, String>) -> Option<u64> {
    let watch = params.get("watch").is_some_and(|w| w == "true" || w == "1");
    if watch || params.get("continue").is_some_and(|c| !c.is_empty()) {
        return None;
    }
    params
        .get("resourceVersion")
        .and_then(|rv| rv.parse::<u64>().ok())
        .filter(|rv| *rv > 0)
}

/// Waits (up to [`BLOCK_TIMEOUT`]) until the store's version is at least `wanted`.
pub async fn wait_until_fresh(store: &Store, wanted: u64) -> Result<(), ApiError> {
    let deadline = tokio::time::Instant::now() + BLOCK_TIMEOUT;
    loop {
        let current = store.resource_version();
        if current >= wanted {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(too_large(wanted, current));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_error_and_the_wanted_version() {
        let e = too_large(12, 5);
        assert_eq!((e.code, e.reason), (504, "Timeout"));
        assert_eq!(
            e.message,
            "Timeout: Too large resource version: 12, current: 5"
        );
        let p = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(wanted(&p(&[("resourceVersion", "7")])), Some(7));
        assert_eq!(wanted(&p(&[("resourceVersion", "0")])), None);
        assert_eq!(
            wanted(&p(&[("resourceVersion", "7"), ("watch", "true")])),
            None
        );
    }
}
