//! JSON pointers (RFC 6901), the way every location in a spec is named.

/// Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`).
///
/// ```
/// assert_eq!(streamkit_spec::pointer::escape("/users/{id}"), "~1users~1{id}");
/// ```
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`] for one segment.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Builds a JSON pointer from unescaped segments.
///
/// ```
/// assert_eq!(streamkit_spec::pointer::pointer(["paths", "/users", "get"]), "/paths/~1users/get");
/// ```
pub fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    segments.into_iter().map(|s| format!("/{}", escape(s.as_ref()))).collect()
}

/// The unescaped segments of a pointer (`""` has none).
pub fn segments(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(unescape).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let p = pointer(["a/b", "c~d", ""]);
        assert_eq!(p, "/a~1b/c~0d/");
        assert_eq!(segments(&p), ["a/b", "c~d", ""]);
        assert!(segments("").is_empty());
    }
}
