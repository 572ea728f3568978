//! Query-string parsing for Helix: repeated keys (`id=1&id=2`), required parameters, `first`,
//! cursors and booleans, all failing with Helix 400 bodies.

use crate::twitch::errors::HelixError;
use crate::twitch::pagination::{self, Direction, PageRequest};

/// The decoded `key=value` pairs of a query string, in order. An empty value (`id=`) counts
/// towards the per-key limits ([`Params::count`]) and is malformed for typed parameters
/// (enums, booleans, `first`); for string parameters it is treated as absent.
#[derive(Debug, Default)]
pub(crate) struct Params {
    /// The pairs with a non-empty value.
    pairs: Vec<(String, String)>,
    /// Every pair as it appeared, empty values included.
    raw: Vec<(String, String)>,
}

impl Params {
    /// Parses a raw (still percent-encoded) query string.
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, HelixError> {
        let raw = raw.unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|e| HelixError::bad_request(format!("Malformed query string: {e}")))?;
        Ok(Params { pairs: pairs.iter().filter(|(_, v)| !v.is_empty()).cloned().collect(), raw: pairs })
    }

    /// How many times `key` was given, empty values included (for the "at most N" limits: a
    /// request with 101 `id=` keys names 101 values, even if they are empty).
    pub(crate) fn count(&self, key: &str) -> usize {
        self.raw.iter().filter(|(k, _)| k == key).count()
    }

    /// The first value of a typed `key` (an enum, a boolean, a number), empty or not: `type=`
    /// is a malformed value there, not a missing one.
    pub(crate) fn typed(&self, key: &str) -> Option<&str> {
        self.raw.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// The first value of `key`.
    pub(crate) fn one(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Whether `key` was given.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.one(key).is_some()
    }

    /// The first value of a required `key`.
    pub(crate) fn required(&self, key: &str) -> Result<&str, HelixError> {
        self.one(key).ok_or_else(|| HelixError::bad_request(format!("Missing required parameter \"{key}\"")))
    }

    /// Every value of a repeatable `key`, at most `max`.
    pub(crate) fn list(&self, key: &str, max: usize) -> Result<Vec<&str>, HelixError> {
        let values = self.all(key);
        if self.count(key) > max {
            return Err(HelixError::bad_request(format!(
                "The parameter \"{key}\" may be specified at most {max} times"
            )));
        }
        Ok(values)
    }

    /// An optional boolean (`true` / `false`).
    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, HelixError> {
        match self.typed(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => {
                Err(HelixError::bad_request(format!("The parameter \"{key}\" must be true or false, got \"{other}\"")))
            }
        }
    }

    /// An optional value from a fixed set (case-sensitive).
    pub(crate) fn choice(&self, key: &str, allowed: &[&str]) -> Result<Option<&str>, HelixError> {
        match self.typed(key) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(v) => Err(HelixError::bad_request(format!(
                "The parameter \"{key}\" has an invalid value \"{v}\"; expected one of: {}",
                allowed.join(", ")
            ))),
        }
    }

    /// `first` (1..=`max`, default `default`).
    pub(crate) fn first(&self, default: usize, max: usize) -> Result<usize, HelixError> {
        let Some(raw) = self.typed("first") else {
            return Ok(default);
        };
        let malformed = || {
            HelixError::bad_request(format!(
                "The parameter \"first\" was malformed: the value must be an integer between 1 and {max}"
            ))
        };
        let n: i64 = raw.parse().map_err(|_| malformed())?;
        if n < 1 || n > max as i64 {
            return Err(malformed());
        }
        Ok(n as usize)
    }

    /// `first` plus `after` (and `before` when `backward` is supported; otherwise it is ignored).
    pub(crate) fn page(&self, default: usize, max: usize, backward: bool) -> Result<PageRequest, HelixError> {
        let first = self.first(default, max)?;
        Ok(PageRequest { first, direction: self.direction(backward)? })
    }

    /// A fixed page size (for endpoints without `first`, which is then ignored) plus `after`.
    pub(crate) fn page_fixed(&self, size: usize) -> Result<PageRequest, HelixError> {
        Ok(PageRequest { first: size, direction: self.direction(false)? })
    }

    fn direction(&self, backward: bool) -> Result<Direction, HelixError> {
        let after = self.one("after");
        let before = if backward { self.one("before") } else { None };
        let cursor = |name: &str, raw: &str| {
            pagination::decode(raw)
                .ok_or_else(|| HelixError::bad_request(format!("The cursor in the \"{name}\" parameter is invalid")))
        };
        Ok(match (after, before) {
            (Some(_), Some(_)) => {
                return Err(HelixError::bad_request("The \"after\" and \"before\" parameters are mutually exclusive"));
            }
            (Some(a), None) => Direction::Forward(Some(cursor("after", a)?)),
            (None, Some(b)) => Direction::Backward(cursor("before", b)?),
            (None, None) => Direction::Forward(None),
        })
    }
}

/// The one key of `keys` that was given; 400 when none or several were.
pub(crate) fn exactly_one<'k>(params: &Params, keys: &[&'k str]) -> Result<&'k str, HelixError> {
    let given: Vec<&'k str> = keys.iter().copied().filter(|k| params.has(k)).collect();
    match given.as_slice() {
        [one] => Ok(one),
        [] => Err(HelixError::bad_request(format!("Exactly one of the parameters {} is required", keys.join(", ")))),
        _ => Err(HelixError::bad_request(format!("The parameters {} are mutually exclusive", given.join(", ")))),
    }
}
