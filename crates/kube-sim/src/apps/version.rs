//! What an image tag says about the simulated app's behaviour.

/// The version facts derived from a container image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    /// The image tag (`v2.0.0`), or `latest` when the image has none.
    pub version: String,
    /// Tag ends in `-bad`: fails ~5 % of requests once it has served traffic for `bad_after`.
    pub bad: bool,
    /// Tag contains `never-ready`: `/health/ready` always answers 503.
    pub never_ready: bool,
}

/// Error ratio of a `-bad` version once it has gone bad.
pub const BAD_ERROR_RATE: f64 = 0.05;

impl VersionInfo {
    /// Parse `registry:5000/fittrack/api:v2.0.1-bad@sha256:...` into version facts.
    pub fn from_image(image: &str) -> Self {
        let without_digest = image.split('@').next().unwrap_or(image);
        // The tag is after the last ':' that follows the last '/' (a registry port is not a tag).
        let last_segment = without_digest.rsplit('/').next().unwrap_or(without_digest);
        let version = match last_segment.rsplit_once(':') {
            Some((_, tag)) if !tag.is_empty() => tag.to_string(),
            _ => "latest".to_string(),
        };
        Self {
            bad: version.ends_with("-bad"),
            never_ready: version.contains("never-ready"),
            version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags() {
        let v = VersionInfo::from_image("fittrack/api:v2.0.1-bad");
        assert_eq!(
            (v.version.as_str(), v.bad, v.never_ready),
            ("v2.0.1-bad", true, false)
        );
        let v = VersionInfo::from_image("reg:5000/fittrack/api:v3-never-ready@sha256:abc");
        assert_eq!(
            (v.version.as_str(), v.bad, v.never_ready),
            ("v3-never-ready", false, true)
        );
        assert_eq!(
            VersionInfo::from_image("reg:5000/fittrack/api").version,
            "latest"
        );
        assert_eq!(VersionInfo::from_image("").version, "latest");
    }
}
