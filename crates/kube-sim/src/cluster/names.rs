//! Object names the way the real controllers make them: pod-template hashes and random
//! suffixes from Kubernetes' "safe" alphabet (no vowels, no look-alike characters).

use rand::Rng;
use serde_json::Value;

/// Kubernetes' `rand.SafeEncodeString` alphabet.
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The label the Deployment controller puts on its ReplicaSets and pods.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// 32-bit FNV-1a, the hash the real Deployment controller uses for pod templates.
fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Maps each byte of `s` into the safe alphabet, like `rand.SafeEncodeString`.
fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

/// Drops nulls and empty objects/arrays, recursively: `resources: {}` or
/// `creationTimestamp: null` (which kubectl sends, e.g. on `rollout undo`) mean "unset".
fn prune(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.values_mut().for_each(prune);
            m.retain(|_, v| !is_empty(v));
        }
        Value::Array(a) => a.iter_mut().for_each(prune),
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The `pod-template-hash` of a Deployment's `spec.template`.
///
/// The hash ignores an existing `pod-template-hash` label so that hashing a ReplicaSet's
/// template gives the same value as hashing the Deployment's, and ignores unset-equivalent
/// fields (nulls, empty maps and lists) as the API server's defaulting would. serde_json's
/// map is sorted (the `preserve_order` feature is off), so key order from a patch cannot
/// change the hash.
pub fn pod_template_hash(template: &Value) -> String {
    let mut t = template.clone();
    prune(&mut t);
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH);
    }
    let canonical = serde_json::to_string(&t).unwrap_or_default();
    safe_encode(&fnv1a32(canonical.as_bytes()).to_string())
}

/// Five random characters from the safe alphabet (the `generateName` suffix).
pub fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..5)
        .map(|_| ALPHANUMS[rng.random_range(0..ALPHANUMS.len())] as char)
        .collect()
}

/// A ReplicaSet's name: `<deployment>-<hash>`.
pub fn replicaset_name(deployment: &str, hash: &str) -> String {
    format!("{deployment}-{hash}")
}

/// A new pod's name: `<replicaset>-<5 chars>`.
pub fn pod_name(replicaset: &str) -> String {
    format!("{replicaset}-{}", random_suffix())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn hash_is_stable_and_ignores_its_own_label() {
        let t = json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"image": "a:1"}]}});
        let mut labelled = t.clone();
        labelled["metadata"]["labels"][POD_TEMPLATE_HASH] = json!("zzz");
        assert_eq!(pod_template_hash(&t), pod_template_hash(&labelled));
        assert!(pod_template_hash(&t)
            .bytes()
            .all(|b| ALPHANUMS.contains(&b)));
    }

    #[test]
    fn hash_ignores_unset_equivalents() {
        let t = json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"image": "a:1"}]}});
        let noisy = json!({"metadata": {"creationTimestamp": null, "labels": {"app": "x"}},
                           "spec": {"containers": [{"image": "a:1", "resources": {}, "env": []}]}});
        assert_eq!(pod_template_hash(&t), pod_template_hash(&noisy));
    }

    #[test]
    fn hash_changes_with_the_image() {
        let a = json!({"spec": {"containers": [{"image": "a:1"}]}});
        let b = json!({"spec": {"containers": [{"image": "a:2"}]}});
        assert_ne!(pod_template_hash(&a), pod_template_hash(&b));
    }

    #[test]
    fn pod_names_have_the_real_shape() {
        let name = pod_name(&replicaset_name("fittrack", "7c9d"));
        let suffix = name.strip_prefix("fittrack-7c9d-").expect("prefix");
        assert_eq!(suffix.len(), 5);
        assert!(suffix.bytes().all(|b| ALPHANUMS.contains(&b)));
    }
}
