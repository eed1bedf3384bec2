//! The simulator's object store: every API object as JSON, one global resourceVersion.
//!
//! Objects are keyed by (resource plural, namespace, name); cluster-scoped objects use the
//! namespace `""`. Events live once under `"events"` for both API groups. Every write bumps
//! the global resourceVersion, stamps `metadata.resourceVersion` (and uid, creationTimestamp,
//! and generation for the kinds that have one, as the real API server does), appends to a
//! bounded history used by watches, and is broadcast to subscribers. Controllers use [`Store::modify`] for atomic read-modify-write;
//! a no-op modification writes nothing and emits nothing.

use crate::selector::{FieldSelector, LabelSelector};
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

mod paging;
mod types;
mod watching;
pub use paging::ListKey;
pub use types::{Change, ChangeKind, Expired, StoreError};

/// How many changes the store keeps for watches that resume from an older version.
pub const HISTORY_LIMIT: usize = 20_000;
/// Capacity of the change broadcast; a subscriber that falls this far behind sees `Lagged`.
pub const BROADCAST_CAPACITY: usize = 16_384;

type Key = (String, String, String);

struct Inner {
    rv: u64,
    objects: BTreeMap<Key, Arc<Value>>,
    history: VecDeque<Change>,
    /// Watches may resume from any version >= floor (all changes after it are in history).
    floor: u64,
}

/// The object store shared by the API server, controllers and apps (cheap to share via `Arc`).
pub struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Change>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

/// Current time as the API server writes timestamps (RFC 3339, whole seconds, `Z`).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn new_uid() -> String {
    let b: [u8; 16] = rand::random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Everything but metadata and status: a change here bumps `metadata.generation`.
fn spec_part(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

fn name_of(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/name").and_then(Value::as_str)
}

impl Store {
    /// An empty store at resourceVersion 1.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        let inner = Inner {
            rv: 1,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            floor: 1,
        };
        Self {
            inner: Mutex::new(inner),
            tx,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written object (writes are
        // single inserts), so a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current global resourceVersion (what a list reports).
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// One object, if it exists.
    pub fn get(&self, resource: &str, ns: &str, name: &str) -> Option<Value> {
        let key = (resource.to_string(), ns.to_string(), name.to_string());
        self.lock().objects.get(&key).map(|v| (**v).clone())
    }

    /// Objects of a resource, in one namespace (`Some`) or all (`None`), filtered by an
    /// optional label selector; returns them (sorted by namespace, name) with the list's version.
    pub fn list(
        &self,
        resource: &str,
        ns: Option<&str>,
        selector: Option<&LabelSelector>,
    ) -> (Vec<Value>, u64) {
        self.list_filtered(resource, ns, selector, None)
    }

    /// Like [`Store::list`], with a field selector too.
    pub fn list_filtered(
        &self,
        resource: &str,
        ns: Option<&str>,
        labels: Option<&LabelSelector>,
        fields: Option<&FieldSelector>,
    ) -> (Vec<Value>, u64) {
        let inner = self.lock();
        let items = Self::matching(&inner, resource, ns)
            .filter(|o| labels.is_none_or(|s| s.matches_object(o)))
            .filter(|o| fields.is_none_or(|s| s.matches_object(o)))
            .map(|o| (**o).clone())
            .collect();
        (items, inner.rv)
    }

    /// Like [`Store::list`] without selectors, sharing the stored objects instead of copying
    /// them (for serializing large lists).
    pub fn list_shared(&self, resource: &str, ns: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let inner = self.lock();
        let items = Self::matching(&inner, resource, ns).cloned().collect();
        (items, inner.rv)
    }

    fn matching<'a>(
        inner: &'a Inner,
        resource: &'a str,
        ns: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Arc<Value>> + 'a {
        let lo = (
            resource.to_string(),
            ns.unwrap_or("").to_string(),
            String::new(),
        );
        inner
            .objects
            .range(lo..)
            .take_while(move |((r, n, _), _)| r == resource && ns.is_none_or(|want| n == want))
            .map(|(_, v)| v)
    }

    /// Stores a new object. Fills namespace, uid, creationTimestamp, generation and
    /// resourceVersion; honours `metadata.generateName` when the name is empty.
    pub fn create(&self, resource: &str, ns: &str, mut obj: Value) -> Result<Value, StoreError> {
        if !obj.is_object() {
            return Err(StoreError::Invalid("object must be a JSON object".into()));
        }
        let mut inner = self.lock();
        let meta = obj
            .as_object_mut()
            .expect("checked above")
            .entry("metadata")
            .or_insert_with(|| json!({}));
        if !meta.is_object() {
            return Err(StoreError::Invalid("metadata must be an object".into()));
        }
        let name = match meta
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            Some(n) => n.to_string(),
            None => match meta.get("generateName").and_then(Value::as_str) {
                Some(prefix) if !prefix.is_empty() => format!("{prefix}{}", random_suffix()),
                _ => return Err(StoreError::Invalid("metadata.name: Required value".into())),
            },
        };
        let key = (resource.to_string(), ns.to_string(), name.clone());
        if inner.objects.contains_key(&key) {
            return Err(StoreError::AlreadyExists {
                resource: resource.into(),
                name,
            });
        }
        let rv = inner.rv + 1;
        meta["name"] = json!(name);
        if ns.is_empty() {
            meta.as_object_mut().expect("object").remove("namespace");
        } else {
            meta["namespace"] = json!(ns);
        }
        meta["uid"] = json!(new_uid());
        meta["creationTimestamp"] = json!(now_rfc3339());
        if crate::resources::tracks_generation(resource) {
            meta["generation"] = json!(1);
        } else {
            meta.as_object_mut().expect("object").remove("generation");
        }
        meta["resourceVersion"] = json!(rv.to_string());
        Ok(self.commit(&mut inner, ChangeKind::Added, key, obj, None))
    }

    /// Replaces an object. When the new object carries a non-empty `metadata.resourceVersion`
    /// that differs from the stored one the write fails with `Conflict`. Identity fields
    /// (uid, creationTimestamp) are kept; generation bumps when anything outside metadata and
    /// status changed. Writing an identical object is a no-op.
    pub fn update(
        &self,
        resource: &str,
        ns: &str,
        name: &str,
        obj: Value,
    ) -> Result<Value, StoreError> {
        let mut inner = self.lock();
        let key = (resource.to_string(), ns.to_string(), name.to_string());
        let old = inner
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                resource: resource.into(),
                name: name.into(),
            })?;
        let wanted = obj
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let current = old
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !wanted.is_empty() && wanted != current {
            return Err(StoreError::Conflict {
                resource: resource.into(),
                name: name.into(),
            });
        }
        self.write_over(&mut inner, key, old, obj)
    }

    /// Atomic read-modify-write: `f` edits the current object under the store's lock.
    /// Returns the stored result; if `f` changed nothing, nothing is written.
    pub fn modify<F>(&self, resource: &str, ns: &str, name: &str, f: F) -> Result<Value, StoreError>
    where
        F: FnOnce(&mut Value),
    {
        self.try_modify(resource, ns, name, |v| {
            f(v);
            Ok(())
        })
    }

    /// Like [`Store::modify`], but `f` may refuse the change with an error (nothing is written).
    pub fn try_modify<F>(
        &self,
        resource: &str,
        ns: &str,
        name: &str,
        f: F,
    ) -> Result<Value, StoreError>
    where
        F: FnOnce(&mut Value) -> Result<(), StoreError>,
    {
        let mut inner = self.lock();
        let key = (resource.to_string(), ns.to_string(), name.to_string());
        let old = inner
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                resource: resource.into(),
                name: name.into(),
            })?;
        let mut obj = (*old).clone();
        f(&mut obj)?;
        self.write_over(&mut inner, key, old, obj)
    }

    fn write_over(
        &self,
        inner: &mut Inner,
        key: Key,
        old: Arc<Value>,
        mut obj: Value,
    ) -> Result<Value, StoreError> {
        if !obj.is_object() || !obj.get("metadata").is_none_or(Value::is_object) {
            return Err(StoreError::Invalid(
                "object and metadata must be JSON objects".into(),
            ));
        }
        if name_of(&obj).is_some_and(|n| n != key.2) {
            return Err(StoreError::Invalid(format!(
                "metadata.name: Invalid value: the name of the object ({}) does not match the name on the URL ({})",
                name_of(&obj).unwrap_or(""),
                key.2
            )));
        }
        let meta = obj
            .as_object_mut()
            .expect("checked")
            .entry("metadata")
            .or_insert_with(|| json!({}));
        for field in [
            "uid",
            "creationTimestamp",
            "name",
            "namespace",
            "resourceVersion",
            "generation",
        ] {
            match old["metadata"].get(field) {
                Some(v) => meta[field] = v.clone(),
                None => {
                    meta.as_object_mut().expect("object").remove(field);
                }
            }
        }
        if obj == *old {
            return Ok(obj);
        }
        let rv = inner.rv + 1;
        if crate::resources::tracks_generation(&key.0) && spec_part(&obj) != spec_part(&old) {
            let g = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            obj["metadata"]["generation"] = json!(g + 1);
        }
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        Ok(self.commit(inner, ChangeKind::Modified, key, obj, Some(old)))
    }

    /// Removes an object; the Deleted event carries its last state with a new resourceVersion.
    pub fn delete(&self, resource: &str, ns: &str, name: &str) -> Result<Value, StoreError> {
        let mut inner = self.lock();
        let key = (resource.to_string(), ns.to_string(), name.to_string());
        let old = inner
            .objects
            .remove(&key)
            .ok_or_else(|| StoreError::NotFound {
                resource: resource.into(),
                name: name.into(),
            })?;
        let mut obj = (*old).clone();
        obj["metadata"]["resourceVersion"] = json!((inner.rv + 1).to_string());
        Ok(self.commit(&mut inner, ChangeKind::Deleted, key, obj, Some(old)))
    }

    fn commit(
        &self,
        inner: &mut Inner,
        kind: ChangeKind,
        key: Key,
        obj: Value,
        old: Option<Arc<Value>>,
    ) -> Value {
        inner.rv += 1;
        let object = Arc::new(obj);
        if kind != ChangeKind::Deleted {
            inner.objects.insert(key.clone(), object.clone());
        }
        let change = Change {
            kind,
            resource: key.0,
            namespace: key.1,
            name: key.2,
            rv: inner.rv,
            object: object.clone(),
            old,
        };
        inner.history.push_back(change.clone());
        while inner.history.len() > HISTORY_LIMIT {
            if let Some(dropped) = inner.history.pop_front() {
                inner.floor = dropped.rv;
            }
        }
        // Sent under the lock so subscribers see changes in resourceVersion order.
        let _ = self.tx.send(change);
        (*object).clone()
    }
}

#[cfg(test)]
mod tests;
