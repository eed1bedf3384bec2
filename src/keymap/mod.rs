//! One keymap with modes: what each key means ([`Intent`]) in each [`KeyMode`]. Each
//! mode's bindings are unique; the rollback chord and Ctrl-C are bound in every mode, text
//! input included. Shared by the core (key handling) and the configuration (`[keys]`).

mod bindings;
pub mod intent;
pub mod mode;

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use bindings::default_bindings;
pub use intent::Intent;
pub use mode::KeyMode;

/// A key as matched: code plus modifiers, normalized (see [`normalize`]).
pub type Key = (KeyCode, KeyModifiers);

/// Errors from applying `[keys]` overrides.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeymapError {
    /// The action name is not one of [`Intent::ALL`]'s names.
    #[error("[keys]: unknown action {name:?} (known: {known})")]
    UnknownAction {
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        known: String,
    },
    /// The key text could not be parsed.
    #[error("[keys] {action}: {reason}")]
    BadKey {
        /// The action being rebound.
        action: String,
        /// Why the key is invalid.
        reason: String,
    },
    /// Two actions would share a key in one mode.
    #[error("[keys] {action}: key {key} is already bound to {other} in {mode} mode")]
    Conflict {
        /// The action being rebound.
        action: String,
        /// The key, as written.
        key: String,
        /// The action already holding it.
        other: String,
        /// The mode.
        mode: &'static str,
    },
}

/// Normalize a key event so that equal keys compare equal across terminals:
/// Shift is implied by the character itself, and Ctrl letters are lower case.
pub fn normalize(ev: &KeyEvent) -> Key {
    match ev.code {
        KeyCode::Char(c) => {
            let mods = ev.modifiers - KeyModifiers::SHIFT;
            let c = if mods.contains(KeyModifiers::CONTROL) {
                c.to_ascii_lowercase()
            } else {
                c
            };
            (KeyCode::Char(c), mods)
        }
        KeyCode::BackTab => (KeyCode::BackTab, ev.modifiers - KeyModifiers::SHIFT),
        code => (code, ev.modifiers),
    }
}

/// Parse a key as written in config or help: "x", "G", "?", "ctrl-r", "alt+x", "F5",
/// "enter", "esc", "tab", "backtab", "space", "up", "pgdn", "home", "end", ...
pub fn parse_key(text: &str) -> Result<KeyEvent, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty key".into());
    }
    let mut mods = KeyModifiers::NONE;
    let mut rest = t;
    // Modifier prefixes; a lone "-" or "+" is a key, not a separator.
    while rest.chars().count() > 1 {
        let lower = rest.to_ascii_lowercase();
        let found = ["ctrl", "control", "alt", "shift"]
            .into_iter()
            .find_map(|m| {
                let p = lower.strip_prefix(m)?;
                (p.starts_with('-') || p.starts_with('+')).then_some((m, m.len() + 1))
            });
        let Some((m, len)) = found else { break };
        mods |= match m {
            "alt" => KeyModifiers::ALT,
            "shift" => KeyModifiers::SHIFT,
            _ => KeyModifiers::CONTROL,
        };
        rest = &rest[len..];
    }
    let code = parse_code(rest).ok_or_else(|| format!("unparsable key {text:?}"))?;
    if let KeyCode::Char(c) = code {
        if c.is_control() {
            return Err(format!("unparsable key {text:?}"));
        }
    }
    Ok(KeyEvent::new(code, mods))
}

fn parse_code(s: &str) -> Option<KeyCode> {
    let mut chars = s.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let lower = s.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        return (1..=12).contains(&n).then_some(KeyCode::F(n));
    }
    Some(match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
        _ => return None,
    })
}

/// Render a key for help and the footer: "ctrl-r", "G", "PgDn".
pub fn key_label(key: &Key) -> String {
    let (code, mods) = key;
    let mut s = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        s.push_str("ctrl-");
    }
    if mods.contains(KeyModifiers::ALT) {
        s.push_str("alt-");
    }
    if mods.contains(KeyModifiers::SHIFT) {
        s.push_str("shift-");
    }
    match code {
        KeyCode::Char(' ') => s.push_str("space"),
        KeyCode::Char(c) => s.push(*c),
        KeyCode::F(n) => s.push_str(&format!("F{n}")),
        KeyCode::Enter => s.push_str("Enter"),
        KeyCode::Esc => s.push_str("Esc"),
        KeyCode::Tab => s.push_str("Tab"),
        KeyCode::BackTab => s.push_str("shift-Tab"),
        KeyCode::Backspace => s.push_str("Backspace"),
        KeyCode::Up => s.push('↑'),
        KeyCode::Down => s.push('↓'),
        KeyCode::Left => s.push('←'),
        KeyCode::Right => s.push('→'),
        KeyCode::Home => s.push_str("Home"),
        KeyCode::End => s.push_str("End"),
        KeyCode::PageUp => s.push_str("PgUp"),
        KeyCode::PageDown => s.push_str("PgDn"),
        other => s.push_str(&format!("{other:?}")),
    }
    s
}

/// The bindings of every mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: BTreeMap<KeyMode, Vec<(Key, Intent)>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut bindings = BTreeMap::new();
        for &mode in KeyMode::ALL {
            let list = default_bindings(mode)
                .iter()
                .map(|(text, action)| {
                    let ev = parse_key(text).expect("default key parses");
                    (normalize(&ev), *action)
                })
                .collect();
            bindings.insert(mode, list);
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The default keymap with `[keys]` overrides (action name → key) applied. An
    /// override replaces every default key of that action, in every mode it appears in.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default();
        for (name, text) in overrides {
            let action = Intent::from_name(name).ok_or_else(|| KeymapError::UnknownAction {
                name: name.clone(),
                known: Intent::ALL
                    .iter()
                    .map(|i| i.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            let key = normalize(&parse_key(text).map_err(|reason| KeymapError::BadKey {
                action: name.clone(),
                reason,
            })?);
            for (mode, list) in map.bindings.iter_mut() {
                if !list.iter().any(|(_, a)| *a == action) {
                    continue;
                }
                list.retain(|(_, a)| *a != action);
                if let Some((_, other)) = list.iter().find(|(k, _)| *k == key) {
                    return Err(KeymapError::Conflict {
                        action: name.clone(),
                        key: text.clone(),
                        other: other.name().to_string(),
                        mode: mode.title(),
                    });
                }
                list.push((key, action));
            }
        }
        Ok(map)
    }

    /// The action a key triggers in a mode, if any. Key releases never match.
    pub fn lookup(&self, mode: KeyMode, ev: &KeyEvent) -> Option<Intent> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let key = normalize(ev);
        self.bindings
            .get(&mode)?
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    /// All bindings of a mode, in definition order.
    pub fn bindings(&self, mode: KeyMode) -> &[(Key, Intent)] {
        self.bindings.get(&mode).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The actions of a mode, each once, in definition order (what help lists).
    pub fn actions(&self, mode: KeyMode) -> Vec<Intent> {
        let mut out = Vec::new();
        for (_, a) in self.bindings(mode) {
            if !out.contains(a) {
                out.push(*a);
            }
        }
        out
    }

    /// The keys bound to an action in a mode, as labels joined with a space.
    pub fn keys_for(&self, mode: KeyMode, action: Intent) -> String {
        self.bindings(mode)
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| key_label(k))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn bindings_are_unique_per_mode() {
        let map = Keymap::default();
        for &mode in KeyMode::ALL {
            let mut seen = HashSet::new();
            for (key, action) in map.bindings(mode) {
                assert!(
                    seen.insert(*key),
                    "{mode:?}: {key:?} bound twice ({action:?})"
                );
            }
        }
    }

    #[test]
    fn rollback_chord_and_ctrl_c_in_every_mode() {
        let map = Keymap::default();
        let chord = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
        for &mode in KeyMode::ALL {
            assert_eq!(
                map.lookup(mode, &chord),
                Some(Intent::RollbackChord),
                "{mode:?}"
            );
            assert!(map.lookup(mode, &ctrl_c).is_some(), "{mode:?}");
            assert_eq!(map.lookup(mode, &ctrl_l), Some(Intent::Redraw), "{mode:?}");
        }
    }

    #[test]
    fn parses_keys() {
        let k = |s| normalize(&parse_key(s).unwrap());
        assert_eq!(k("ctrl-r"), (KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(k("Ctrl+R"), (KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(k("G"), (KeyCode::Char('G'), KeyModifiers::NONE));
        assert_eq!(k("F5"), (KeyCode::F(5), KeyModifiers::NONE));
        assert_eq!(k("pgdn"), (KeyCode::PageDown, KeyModifiers::NONE));
        assert_eq!(k("-"), (KeyCode::Char('-'), KeyModifiers::NONE));
        assert_eq!(k("alt--"), (KeyCode::Char('-'), KeyModifiers::ALT));
        assert!(parse_key("").is_err());
        assert!(parse_key("ctrl-").is_err());
        assert!(parse_key("F13").is_err());
        assert!(parse_key("hyper-x").unwrap_err().contains("hyper-x"));
    }

    #[test]
    fn shifted_letters_match_from_any_terminal() {
        let map = Keymap::default();
        let with_shift = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        let without = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE);
        assert_eq!(
            map.lookup(KeyMode::Normal, &with_shift),
            Some(Intent::Follow)
        );
        assert_eq!(map.lookup(KeyMode::Normal, &without), Some(Intent::Follow));
    }

    proptest::proptest! {
        #[test]
        fn parse_key_never_panics(text in ".{0,12}") {
            let _ = parse_key(&text);
        }
    }

    #[test]
    fn overrides_replace_keys() {
        let o = BTreeMap::from([("help".to_string(), "F1".to_string())]);
        let map = Keymap::with_overrides(&o).unwrap();
        let f1 = KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE);
        let q = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE);
        assert_eq!(map.lookup(KeyMode::Normal, &f1), Some(Intent::Help));
        assert_eq!(map.lookup(KeyMode::Normal, &q), None);
    }

    #[test]
    fn override_errors_are_clear() {
        let bad = |k: &str, v: &str| {
            Keymap::with_overrides(&BTreeMap::from([(k.to_string(), v.to_string())]))
                .unwrap_err()
                .to_string()
        };
        assert!(bad("launch", "x").contains("unknown action \"launch\""));
        assert!(bad("help", "ctrl-").contains("help: unparsable key"));
        let conflict = bad("help", "q");
        assert!(conflict.contains("already bound to quit"), "{conflict}");
    }
}
