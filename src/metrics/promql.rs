//! PromQL templates: `{namespace}`, `{selector}`, `{color}` and `{window}` filled in for one
//! color.

/// What a template's placeholders stand for, for one color.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vars {
    /// The color's namespace.
    pub namespace: String,
    /// The color's pod selector as PromQL label matchers (`app="fittrack",deployment="blue"`).
    pub selector: String,
    /// `blue` or `green`.
    pub color: String,
    /// The rate window (`1m`).
    pub window: String,
}

/// The template with its placeholders filled in (unknown `{...}` are left as written, so
/// PromQL's own braces survive).
pub fn expand(template: &str, vars: &Vars) -> String {
    template
        .replace("{namespace}", &vars.namespace)
        .replace("{selector}", &vars.selector)
        .replace("{color}", &vars.color)
        .replace("{window}", &vars.window)
}

/// A label value quoted for PromQL.
pub fn quote(value: &str) -> String {
    format!(
        "\"{}\"",
        value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// A Kubernetes label key as a Prometheus label name (`app.kubernetes.io/name` →
/// `app_kubernetes_io_name`, as Prometheus's label mapping writes it).
pub fn label_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_and_keeps_promql_braces() {
        let vars = Vars {
            namespace: "fittrack-green".into(),
            selector: "app=\"fittrack\"".into(),
            color: "green".into(),
            window: "1m".into(),
        };
        assert_eq!(
            expand(
                "sum(rate(x{namespace=\"{namespace}\",{selector},c=\"{color}\"}[{window}]))",
                &vars
            ),
            "sum(rate(x{namespace=\"fittrack-green\",app=\"fittrack\",c=\"green\"}[1m]))"
        );
        assert_eq!(quote("a\"b\\"), "\"a\\\"b\\\\\"");
        assert_eq!(
            label_name("app.kubernetes.io/name"),
            "app_kubernetes_io_name"
        );
    }
}
