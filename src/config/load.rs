//! Finding the configuration file: `--config`, `$CUTOVER_CONFIG`,
//! `$XDG_CONFIG_HOME/cutover/config.toml`, `~/.config/cutover/config.toml`.

use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::parse::parse;
use super::schema::Config;

/// A configuration and the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The validated configuration.
    pub config: Config,
    /// The file it was read from.
    pub path: PathBuf,
}

/// Load the configuration from the first place in the search order.
///
/// An explicit `--config` or a set `$CUTOVER_CONFIG` is used as given (a missing file is an
/// error, never a silent fall-through); the two default locations count only when they exist.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    load_with(explicit, |name| std::env::var_os(name).map(PathBuf::from))
}

/// [`load`] with the environment given as a function, for tests.
pub fn load_with(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<PathBuf>,
) -> Result<Loaded, ConfigError> {
    let path = locate(explicit, env)?;
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let config = parse(&text, &path)?;
    Ok(Loaded { config, path })
}

/// The file to read, or `NotFound` describing every place looked at.
fn locate(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<PathBuf>,
) -> Result<PathBuf, ConfigError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let non_empty = |name: &str| env(name).filter(|p| !p.as_os_str().is_empty());
    if let Some(path) = non_empty("CUTOVER_CONFIG") {
        return Ok(path);
    }
    let mut searched = vec![
        "--config: not given".to_owned(),
        "$CUTOVER_CONFIG: not set".to_owned(),
    ];
    let defaults = [
        (
            "$XDG_CONFIG_HOME",
            "XDG_CONFIG_HOME",
            non_empty("XDG_CONFIG_HOME"),
        ),
        (
            "~/.config",
            "HOME",
            non_empty("HOME").map(|h| h.join(".config")),
        ),
    ];
    for (label, var, base) in defaults {
        match base {
            Some(base) => {
                let path = base.join("cutover").join("config.toml");
                if path.is_file() {
                    return Ok(path);
                }
                searched.push(format!("{}: does not exist", path.display()));
            }
            None => searched.push(format!("{label}/cutover/config.toml: ${var} not set")),
        }
    }
    Err(ConfigError::NotFound { searched })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{demo_config, to_toml};
    use std::collections::HashMap;

    fn write_config(dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, to_toml(&demo_config("fittrack", None))).unwrap();
        path
    }

    fn env_of(pairs: &[(&str, &Path)]) -> impl Fn(&str) -> Option<PathBuf> {
        let map: HashMap<String, PathBuf> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_path_buf()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn search_order_is_explicit_env_xdg_home() {
        let tmp = tempfile::tempdir().unwrap();
        let explicit = write_config(&tmp.path().join("explicit"));
        let from_env = write_config(&tmp.path().join("env"));
        let xdg = tmp.path().join("xdg");
        let xdg_file = write_config(&xdg.join("cutover"));
        let home = tmp.path().join("home");
        let home_file = write_config(&home.join(".config/cutover"));
        let all = [
            ("CUTOVER_CONFIG", from_env.as_path()),
            ("XDG_CONFIG_HOME", xdg.as_path()),
            ("HOME", home.as_path()),
        ];
        let found = |explicit: Option<&Path>, env: &[(&str, &Path)]| {
            load_with(explicit, env_of(env)).unwrap().path
        };
        assert_eq!(found(Some(&explicit), &all), explicit);
        assert_eq!(found(None, &all), from_env);
        assert_eq!(found(None, &all[1..]), xdg_file);
        assert_eq!(found(None, &all[2..]), home_file);
        // An XDG directory without a cutover config falls through to ~/.config.
        let empty_xdg = tmp.path().join("empty");
        assert_eq!(
            found(None, &[("XDG_CONFIG_HOME", &empty_xdg), all[2]]),
            home_file
        );
    }

    #[test]
    fn nothing_found_lists_where_it_looked() {
        let tmp = tempfile::tempdir().unwrap();
        let err = load_with(None, env_of(&[])).unwrap_err();
        assert!(err
            .to_string()
            .contains("~/.config/cutover/config.toml: $HOME not set"));
        let err = load_with(None, env_of(&[("HOME", tmp.path())])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("$CUTOVER_CONFIG: not set"), "{text}");
        assert!(text.contains("$XDG_CONFIG_HOME/cutover/config.toml: $XDG_CONFIG_HOME not set"));
        let home_path = tmp.path().join(".config/cutover/config.toml");
        assert!(text.contains(&format!("{}: does not exist", home_path.display())));
    }

    #[test]
    fn an_explicit_missing_file_is_an_error_not_a_fallback() {
        let tmp = tempfile::tempdir().unwrap();
        let home_file = write_config(&tmp.path().join(".config/cutover"));
        assert!(home_file.is_file());
        let missing = tmp.path().join("nope.toml");
        let err = load_with(Some(&missing), env_of(&[("HOME", tmp.path())])).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
        assert!(err
            .to_string()
            .contains("nope.toml: cannot read configuration"));
        let err = load_with(None, env_of(&[("CUTOVER_CONFIG", &missing)])).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
    }

    #[test]
    fn invalid_file_errors_name_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("bad.toml");
        std::fs::write(&path, "[router]\nkind = \"nginx\"\n").unwrap();
        let err = load_with(Some(&path), env_of(&[])).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("{}:2:8: `router.kind`", path.display())),
            "{text}"
        );
    }
}
