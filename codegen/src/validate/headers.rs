//! Header names and values a spec gives the runtime (`x-streamkit-header`, rate-limit
//! header names, header parameters) are valid HTTP: a name is a token (RFC 9110 §5.6.2), a
//! value template holds no control character, so a spec cannot smuggle `\r\n` into a
//! request or make the runtime fail on every call.

/// Longest header name or value template accepted.
pub const MAX_HEADER_LEN: usize = 1024;

/// Why `name` is not a header name, if it is not.
///
/// ```
/// use streamkit_codegen::validate::headers::name_problem;
/// assert_eq!(name_problem("Client-Id"), None);
/// assert!(name_problem("Bad Header").is_some());
/// assert!(name_problem("").is_some());
/// ```
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("header name is empty".into());
    }
    if name.len() > MAX_HEADER_LEN {
        return Some(format!("header name is {} bytes long; at most {MAX_HEADER_LEN}", name.len()));
    }
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    name.chars()
        .find(|c| !tchar(*c))
        .map(|c| format!("header name `{}` contains {c:?}, which HTTP does not allow in a header name (letters, digits and !#$%&'*+-.^_`|~ only)", name.escape_debug()))
}

/// Why `value` (a header value or template) is not a header value, if it is not.
///
/// ```
/// use streamkit_codegen::validate::headers::value_problem;
/// assert_eq!(value_problem("Bearer {access_token}"), None);
/// assert!(value_problem("Bearer x\r\nX-Evil: 1").is_some());
/// ```
pub fn value_problem(value: &str) -> Option<String> {
    if value.len() > MAX_HEADER_LEN {
        return Some(format!("header value template is {} bytes long; at most {MAX_HEADER_LEN}", value.len()));
    }
    value
        .chars()
        .find(|c| (c.is_control() && *c != '\t') || !c.is_ascii())
        .map(|c| format!("header value template `{}` contains {c:?}: header values are visible ASCII (no CR, LF or other control characters)", value.escape_debug()))
}
