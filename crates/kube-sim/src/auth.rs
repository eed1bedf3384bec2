//! Identities (bearer tokens per user) and the permission table the API server enforces.

use std::collections::BTreeMap;

/// The users every scenario has, in kubeconfig context order: (context, user).
pub const CONTEXTS: [(&str, &str); 4] = [
    ("sim", "admin"),
    ("sim-alice", "alice"),
    ("sim-bob", "bob"),
    ("sim-viewer", "viewer"),
];

/// Verbs that only read.
pub const READ_VERBS: [&str; 3] = ["get", "list", "watch"];

/// One permission rule: the user may use these verbs on these resources (`*` = any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Allowed verbs (`get`, `patch`, ... or `*`).
    pub verbs: Vec<String>,
    /// Allowed resources as `plural` or `plural/subresource` (or `*`).
    pub resources: Vec<String>,
}

impl Rule {
    /// Everything on everything.
    pub fn all() -> Self {
        Self {
            verbs: vec!["*".into()],
            resources: vec!["*".into()],
        }
    }

    /// Read-only on everything.
    pub fn read_only() -> Self {
        Self {
            verbs: READ_VERBS.iter().map(|s| s.to_string()).collect(),
            resources: vec!["*".into()],
        }
    }

    fn allows(&self, verb: &str, resource: &str) -> bool {
        let any = |list: &[String], want: &str| list.iter().any(|x| x == "*" || x == want);
        any(&self.verbs, verb) && any(&self.resources, resource)
    }
}

/// Users, their tokens and rules.
#[derive(Debug, Clone)]
pub struct Auth {
    tokens: BTreeMap<String, String>,
    rules: BTreeMap<String, Vec<Rule>>,
}

impl Auth {
    /// The default table: admin, alice and bob may do everything; viewer only reads.
    /// Tokens are random per simulator run.
    pub fn new() -> Self {
        let mut auth = Self {
            tokens: BTreeMap::new(),
            rules: BTreeMap::new(),
        };
        for (_, user) in CONTEXTS {
            let rule = if user == "viewer" {
                Rule::read_only()
            } else {
                Rule::all()
            };
            auth.add_user(user, vec![rule]);
        }
        auth
    }

    /// Adds (or replaces) a user with a fresh random token and the given rules.
    pub fn add_user(&mut self, user: &str, rules: Vec<Rule>) {
        let bytes: [u8; 24] = rand::random();
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.tokens.retain(|_, u| u != user);
        self.tokens
            .insert(format!("sim-{user}-{token}"), user.to_string());
        self.rules.insert(user.to_string(), rules);
    }

    /// The user a bearer token belongs to.
    pub fn user_for_token(&self, token: &str) -> Option<&str> {
        self.tokens.get(token).map(String::as_str)
    }

    /// The bearer token of a user.
    pub fn token_of(&self, user: &str) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(_, u)| *u == user)
            .map(|(t, _)| t.as_str())
    }

    /// Whether `user` may use `verb` on `resource` (`plural` or `plural/subresource`).
    /// Namespaces do not matter in the simulator's table.
    pub fn allowed(&self, user: &str, verb: &str, resource: &str) -> bool {
        self.rules
            .get(user)
            .is_some_and(|rules| rules.iter().any(|r| r.allows(verb, resource)))
    }
}

impl Default for Auth {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_identify_users() {
        let a = Auth::new();
        for (_, user) in CONTEXTS {
            let t = a.token_of(user).unwrap();
            assert_eq!(a.user_for_token(t), Some(user));
        }
        assert_ne!(a.token_of("alice"), a.token_of("bob"));
        assert_eq!(a.user_for_token("nope"), None);
        assert_ne!(Auth::new().token_of("admin"), a.token_of("admin"));
    }

    #[test]
    fn viewer_only_reads() {
        let a = Auth::new();
        assert!(a.allowed("viewer", "get", "pods"));
        assert!(a.allowed("viewer", "watch", "services"));
        assert!(!a.allowed("viewer", "patch", "services"));
        assert!(!a.allowed("viewer", "create", "pods/portforward"));
        assert!(a.allowed("alice", "patch", "httproutes"));
        assert!(!a.allowed("mallory", "get", "pods"));
    }
}
