//! The smoke test's external suite (`[smoke] command`): run like every external command
//! (see [`super::process`]) with a cleared environment plus the configured `env`, `PATH`,
//! `HOME` and `BASE_URL`.

use std::ffi::OsString;

use tokio_util::sync::CancellationToken;

use super::process::{self, Spawn};
use super::Progress;
use crate::config::schema::SmokeConfig;

/// How the suite ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SuiteEnd {
    /// Its exit code (None: it did not start, or was stopped or killed).
    pub exit: Option<i32>,
    /// Why it did not finish on its own: "timed out after 600 s", "cancelled", "cannot
    /// run `pytest`: No such file or directory".
    pub error: Option<String>,
}

/// The suite's whole environment: `PATH` and `HOME` as cutover has them, the configured
/// `env` (which may override those two), and `BASE_URL` last (cutover's, always).
pub fn environment(
    config: &SmokeConfig,
    base_url: &str,
    path: Option<OsString>,
    home: Option<OsString>,
) -> Vec<(OsString, OsString)> {
    process::environment(
        vec![("PATH", path), ("HOME", home)],
        &config.env,
        &[("BASE_URL", base_url)],
    )
}

/// Run the suite to its end (or its timeout, or `cancel`) with `BASE_URL = base_url`.
pub async fn run(
    config: &SmokeConfig,
    base_url: &str,
    progress: &Progress,
    cancel: &CancellationToken,
) -> SuiteEnd {
    if config.command.is_empty() {
        return SuiteEnd::default();
    }
    let spawn = Spawn {
        label: "suite",
        argv: &config.command,
        env: environment(
            config,
            base_url,
            std::env::var_os("PATH"),
            std::env::var_os("HOME"),
        ),
        workdir: config.workdir.as_deref(),
        timeout_secs: config.timeout_secs,
        note: Some(format!("BASE_URL={base_url}")),
    };
    let end = process::run(&spawn, progress, cancel).await;
    SuiteEnd {
        exit: end.exit,
        error: end.error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_is_path_home_config_and_base_url_only() {
        let mut config = SmokeConfig::default();
        config.env.insert("APP_ENV".into(), "testing".into());
        config.env.insert("HOME".into(), "/srv/suite".into());
        let env = environment(
            &config,
            "http://127.0.0.1:4000",
            Some("/usr/bin".into()),
            Some("/home/op".into()),
        );
        let pairs: Vec<(&str, &str)> = env
            .iter()
            .map(|(k, v)| (k.to_str().unwrap(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("PATH", "/usr/bin"),
                ("APP_ENV", "testing"),
                ("HOME", "/srv/suite"),
                ("BASE_URL", "http://127.0.0.1:4000"),
            ]
        );
    }

    #[test]
    fn base_url_cannot_be_overridden_and_missing_path_is_not_invented() {
        let mut config = SmokeConfig::default();
        config
            .env
            .insert("BASE_URL".into(), "http://elsewhere".into());
        let env = environment(&config, "http://127.0.0.1:1", None, None);
        assert_eq!(env, [("BASE_URL".into(), "http://127.0.0.1:1".into())]);
    }
}
