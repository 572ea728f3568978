//! Which callbacks the sandbox delivers to: plain `http://127.0.0.1:PORT/...` only. No name
//! resolution, no other address, so a test can never make the sandbox reach the network.

/// The port of `http://127.0.0.1:PORT[/path]`, or `None` for any other URL.
pub(crate) fn parse(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("http://127.0.0.1:")?;
    let port = rest.split(['/', '?', '#']).next()?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    port.parse().ok().filter(|p| *p != 0)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_literal_loopback_with_a_port() {
        assert_eq!(parse("http://127.0.0.1:8080/eventsub"), Some(8080));
        assert_eq!(parse("http://127.0.0.1:8080"), Some(8080));
        assert_eq!(parse("http://127.0.0.1/eventsub"), None);
        assert_eq!(parse("http://127.0.0.1:0/x"), None);
        assert_eq!(parse("http://127.0.0.1:80@evil.example/x"), None);
        assert_eq!(parse("http://127.0.0.2:80/x"), None);
        assert_eq!(parse("http://localhost:80/x"), None);
        assert_eq!(parse("https://127.0.0.1:443/x"), None);
    }
}
