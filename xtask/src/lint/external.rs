//! External validators that do part of the job better than we would: the OpenAPI 3.0
//! meta-schema and its semantic checks (`openapi-spec-validator`, from PyPI; `.ci/run`
//! installs it). Run when installed; when not, lint says so, and fails only if asked to
//! require it (`--require-external`, and `cargo xtask test` under CI).

use std::path::Path;
use std::process::Command;

use super::rules::Finding;

/// Name of the validator, as reported.
pub const VALIDATOR: &str = "openapi-spec-validator";

/// How to install it.
pub const INSTALL: &str = "python3 -m pip install openapi-spec-validator";

/// `Ok` when the validator can run, else why not.
pub fn available() -> Result<(), String> {
    match Command::new("python3").args(["-c", "import openapi_spec_validator"]).output() {
        Err(e) => Err(format!("python3 cannot be run ({e})")),
        Ok(o) if !o.status.success() => Err("the Python module openapi_spec_validator is not installed".into()),
        Ok(_) => Ok(()),
    }
}

/// Runs the validator on one file (OpenAPI 3.0 schema).
pub fn check(path: &Path, shown: &str) -> Vec<Finding> {
    let output = Command::new("python3").args(["-m", "openapi_spec_validator", "--schema", "3.0"]).arg(path).output();
    let finding =
        |pointer: String, message: String| Finding { file: shown.to_string(), pointer, rule: VALIDATOR, message };
    match output {
        Err(e) => vec![finding(String::new(), format!("cannot run python3: {e}"))],
        Ok(o) if o.status.success() => Vec::new(),
        Ok(o) => {
            let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            vec![finding(instance_pointer(&text), summary(&text, &path.display().to_string()))]
        }
    }
}

/// The first line of the validator's message, without the file name it starts with.
fn summary(text: &str, path: &str) -> String {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("failed (no output)");
    first.strip_prefix(path).map(|r| r.trim_start_matches(':').trim()).unwrap_or(first).to_string()
}

/// `On instance["paths"]["/x"]["get"]:` → `/paths/~1x/get`. Some versions of the validator
/// print segments escaped as in a JSON pointer (`~1x`), newer ones print them raw (`/x`):
/// a segment with a `/` in it is raw and gets escaped.
fn instance_pointer(text: &str) -> String {
    let Some(line) = text.lines().find_map(|l| l.trim().strip_prefix("On instance")) else { return String::new() };
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('[') {
        let Some(len) = rest[start..].find(']') else { break };
        let seg = rest[start + 1..start + len].trim_matches(|c| c == '\'' || c == '"');
        out.push('/');
        if seg.contains('/') {
            out.push_str(&streamkit_spec::pointer::escape(seg));
        } else {
            out.push_str(seg);
        }
        rest = &rest[start + len + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_from_output() {
        let text = "x.yaml: Validation Error: 'version' is a required property\n\nOn instance[\"paths\"][\"~1a~1b\"][0]:\n  {}";
        assert_eq!(instance_pointer(text), "/paths/~1a~1b/0");
        assert_eq!(instance_pointer("On instance['paths']['/a/b']['get']:"), "/paths/~1a~1b/get");
        assert_eq!(summary(text, "x.yaml"), "Validation Error: 'version' is a required property");
        assert_eq!(instance_pointer("nothing"), "");
    }
}
