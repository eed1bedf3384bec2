//! Just enough Kubernetes protobuf to read the SelfSubjectAccessReview kubectl sends
//! (`kubectl auth can-i` posts it as `application/vnd.kubernetes.protobuf` whatever the
//! server prefers). Answers are always JSON, which kubectl accepts.

use serde_json::{json, Map, Value};

/// The Content-Type of Kubernetes protobuf bodies.
pub const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

/// A body that is not valid Kubernetes protobuf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid protobuf body: {0}")]
pub struct ProtoError(pub &'static str);

enum Field<'a> {
    Varint,
    Bytes(&'a [u8]),
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ProtoError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or(ProtoError("truncated varint"))?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(ProtoError("varint too long"))
}

/// The fields of one message, in order (fixed-width fields are skipped).
fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, ProtoError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let (num, wire) = (key >> 3, key & 7);
        let field = match wire {
            0 => {
                varint(buf, &mut pos)?;
                Field::Varint
            }
            1 | 5 => {
                pos += if wire == 1 { 8 } else { 4 };
                if pos > buf.len() {
                    return Err(ProtoError("truncated fixed field"));
                }
                continue;
            }
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?)
                    .map_err(|_| ProtoError("length overflow"))?;
                let end = pos
                    .checked_add(len)
                    .filter(|e| *e <= buf.len())
                    .ok_or(ProtoError("truncated bytes"))?;
                let f = Field::Bytes(&buf[pos..end]);
                pos = end;
                f
            }
            _ => return Err(ProtoError("unsupported wire type")),
        };
        out.push((num, field));
    }
    Ok(out)
}

fn submessage(buf: &[u8], num: u64) -> Result<Option<&[u8]>, ProtoError> {
    Ok(fields(buf)?.into_iter().find_map(|(n, f)| match f {
        Field::Bytes(b) if n == num => Some(b),
        _ => None,
    }))
}

/// String fields of a message by number → JSON object with the given names.
fn strings(buf: &[u8], names: &[(u64, &str)]) -> Result<Value, ProtoError> {
    let mut m = Map::new();
    for (n, f) in fields(buf)? {
        if let (Field::Bytes(b), Some((_, name))) = (f, names.iter().find(|(k, _)| *k == n)) {
            let s = std::str::from_utf8(b).map_err(|_| ProtoError("string is not UTF-8"))?;
            m.insert(name.to_string(), json!(s));
        }
    }
    Ok(Value::Object(m))
}

/// The object inside a `k8s\0` envelope (runtime.Unknown field 2, raw).
fn unwrap_envelope(body: &[u8]) -> Result<&[u8], ProtoError> {
    let inner = body
        .strip_prefix(b"k8s\0")
        .ok_or(ProtoError("missing k8s magic"))?;
    submessage(inner, 2)?.ok_or(ProtoError("envelope has no object"))
}

/// Decodes a protobuf SelfSubjectAccessReview into its JSON form (spec only).
pub fn self_subject_access_review(body: &[u8]) -> Result<Value, ProtoError> {
    let ssar = unwrap_envelope(body)?;
    let mut spec = Map::new();
    if let Some(s) = submessage(ssar, 2)? {
        if let Some(ra) = submessage(s, 1)? {
            let names = [
                (1, "namespace"),
                (2, "verb"),
                (3, "group"),
                (4, "version"),
                (5, "resource"),
                (6, "subresource"),
                (7, "name"),
            ];
            spec.insert("resourceAttributes".into(), strings(ra, &names)?);
        }
        if let Some(nra) = submessage(s, 2)? {
            spec.insert(
                "nonResourceAttributes".into(),
                strings(nra, &[(1, "path"), (2, "verb")])?,
            );
        }
    }
    Ok(
        json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "metadata": {}, "spec": spec}),
    )
}

fn utf8(b: &[u8]) -> Result<String, ProtoError> {
    String::from_utf8(b.to_vec()).map_err(|_| ProtoError("string is not UTF-8"))
}

/// A `map<string,string>` entry (key = 1, value = 2).
fn map_entry(b: &[u8]) -> Result<(String, String), ProtoError> {
    let (mut k, mut v) = (String::new(), String::new());
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(x)) => k = utf8(x)?,
            (2, Field::Bytes(x)) => v = utf8(x)?,
            _ => {}
        }
    }
    Ok((k, v))
}

/// ObjectMeta: name, generateName, namespace, labels, annotations (what creates carry).
fn object_meta(buf: &[u8]) -> Result<Value, ProtoError> {
    let mut m = Map::new();
    let (mut labels, mut annotations) = (Map::new(), Map::new());
    for (n, f) in fields(buf)? {
        let Field::Bytes(b) = f else { continue };
        match n {
            1 => drop(m.insert("name".into(), json!(utf8(b)?))),
            2 => drop(m.insert("generateName".into(), json!(utf8(b)?))),
            3 => drop(m.insert("namespace".into(), json!(utf8(b)?))),
            11 | 12 => {
                let (k, v) = map_entry(b)?;
                let target = if n == 11 {
                    &mut labels
                } else {
                    &mut annotations
                };
                target.insert(k, json!(v));
            }
            _ => {}
        }
    }
    if !labels.is_empty() {
        m.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    Ok(Value::Object(m))
}

/// Decodes the protobuf creates kubectl's generators send for simple kinds
/// (`kubectl create namespace|configmap`); None for kinds the simulator cannot read.
pub fn simple_object(kind: &str, body: &[u8]) -> Option<Result<Value, ProtoError>> {
    if kind != "Namespace" && kind != "ConfigMap" {
        return None;
    }
    let decode = || {
        let obj = unwrap_envelope(body)?;
        let mut out = json!({"metadata": {}});
        let mut data = Map::new();
        for (n, f) in fields(obj)? {
            match (n, f) {
                (1, Field::Bytes(b)) => out["metadata"] = object_meta(b)?,
                (2, Field::Bytes(b)) if kind == "ConfigMap" => {
                    let (k, v) = map_entry(b)?;
                    data.insert(k, json!(v));
                }
                _ => {}
            }
        }
        if !data.is_empty() {
            out["data"] = Value::Object(data);
        }
        Ok(out)
    };
    Some(decode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ld(num: u8, bytes: &[u8]) -> Vec<u8> {
        let mut v = vec![(num << 3) | 2, bytes.len() as u8];
        v.extend_from_slice(bytes);
        v
    }

    #[test]
    fn decodes_what_kubectl_sends() {
        let attrs = [ld(1, b"t"), ld(2, b"patch"), ld(5, b"services")].concat();
        let spec = ld(1, &attrs);
        let ssar = [ld(1, b""), ld(2, &spec)].concat();
        let type_meta = [
            ld(1, b"authorization.k8s.io/v1"),
            ld(2, b"SelfSubjectAccessReview"),
        ]
        .concat();
        let body = [
            b"k8s\0".to_vec(),
            ld(1, &type_meta),
            ld(2, &ssar),
            ld(4, b""),
        ]
        .concat();
        let v = self_subject_access_review(&body).unwrap();
        assert_eq!(
            v["spec"]["resourceAttributes"],
            json!({"namespace": "t", "verb": "patch", "resource": "services"})
        );
    }

    #[test]
    fn decodes_a_configmap_create() {
        let label = [ld(1, b"app"), ld(2, b"web")].concat();
        let meta = [ld(1, b"cfg"), ld(3, b"t"), ld(11, &label)].concat();
        let entry = [ld(1, b"k"), ld(2, b"v")].concat();
        let cm = [ld(1, &meta), ld(2, &entry)].concat();
        let body = [b"k8s\0".to_vec(), ld(2, &cm)].concat();
        let v = simple_object("ConfigMap", &body).unwrap().unwrap();
        assert_eq!(
            v,
            json!({"metadata": {"name": "cfg", "namespace": "t", "labels": {"app": "web"}}, "data": {"k": "v"}})
        );
        assert!(simple_object("Pod", &body).is_none());
        assert!(simple_object("Namespace", b"k8s\0\x12\x05ab")
            .unwrap()
            .is_err());
    }

    #[test]
    fn rejects_garbage() {
        assert!(self_subject_access_review(b"{}").is_err());
        assert!(self_subject_access_review(b"k8s\0\x12\x7f").is_err());
        assert!(self_subject_access_review(b"k8s\0\x0b").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(tail in prop::collection::vec(any::<u8>(), 0..64)) {
            let body = [b"k8s\0".to_vec(), tail].concat();
            let _ = self_subject_access_review(&body);
            let _ = simple_object("ConfigMap", &body);
        }
    }
}
