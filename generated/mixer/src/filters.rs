//! Typed builders for the `where`, `order` and `fields` query parameters of Mixer's list
//! endpoints, so no one writes `online:eq:true,viewersCurrent:gt:10` by hand.
//!
//! Each builder converts into the `String` the generated setters take (`.where_(..)`,
//! `.order(..)`, `.fields(..)`). The conversion fails with a [`FilterError`] — and the
//! call with [`Error::InvalidRequest`](crate::Error) before anything is sent — when a field
//! name is not a plain identifier or a list is empty. Operators are an enum ([`Op`]), so an
//! operator the API does not know cannot be written.
//!
//! ```
//! use streamkit_mixer::filters::{Fields, Order, Where};
//!
//! let filter = Where::field("online").eq(true).and(Where::field("viewersCurrent").gt(10));
//! assert_eq!(String::try_from(filter).unwrap(), "online:eq:true,viewersCurrent:gt:10");
//!
//! let ids = Where::field("id").is_in([1, 2, 3]);
//! assert_eq!(String::try_from(ids).unwrap(), "id:in:1;2;3");
//!
//! let order = Order::desc("viewersCurrent").then_asc("name");
//! assert_eq!(String::try_from(order).unwrap(), "viewersCurrent:DESC,name:ASC");
//!
//! let fields = Fields::of(["id", "token", "viewersCurrent"]);
//! assert_eq!(String::try_from(fields).unwrap(), "id,token,viewersCurrent");
//! ```
//!
//! Escaping: inside a value, `%`, `,` and `;` (the clause and list separators) are
//! percent-encoded, so `Where::field("name").eq("a,b")` is `name:eq:a%2Cb`. The query string
//! itself is URL-encoded again by the HTTP client as usual.

use std::fmt;

/// Why a filter, sort or field list cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    /// A field name that is empty or holds something other than ASCII letters, digits,
    /// `_` and `.` (a `:` or `,` in it would change what the server reads).
    InvalidField(String),
    /// `is_in` / `not_in` with no values, or [`Fields::of`] with no fields.
    Empty(&'static str),
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::InvalidField(name) => {
                write!(f, "`{name}` is not a field name (ASCII letters, digits, `_` and `.` only)")
            }
            FilterError::Empty(what) => write!(f, "{what} needs at least one value"),
        }
    }
}

impl std::error::Error for FilterError {}

/// A comparison operator of a `where` clause.
///
/// Mixer's documentation confirms `eq` and `in`; the others are those of its API
/// generator's filter syntax and are served by the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Equal (`eq`).
    Eq,
    /// Not equal (`ne`).
    Ne,
    /// Less than (`lt`).
    Lt,
    /// Less than or equal (`lte`).
    Lte,
    /// Greater than (`gt`).
    Gt,
    /// Greater than or equal (`gte`).
    Gte,
    /// One of a list (`in`, values joined by `;`).
    In,
    /// None of a list (`notin`).
    NotIn,
}

impl Op {
    /// The operator as Mixer spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::In => "in",
            Op::NotIn => "notin",
        }
    }

    /// Reads an operator, `None` for one Mixer does not know (used by servers and tests).
    pub fn parse(s: &str) -> Option<Op> {
        [Op::Eq, Op::Ne, Op::Lt, Op::Lte, Op::Gt, Op::Gte, Op::In, Op::NotIn].into_iter().find(|o| o.as_str() == s)
    }
}

/// A value compared in a `where` clause: a boolean, an integer or a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// An integer (ids, counts).
    Int(i64),
    /// Text; escaped when written.
    Text(String),
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Text(t) => f.write_str(&escape(t)),
        }
    }
}

/// Percent-encodes the separators of the filter syntax (and `%` itself) in a value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            ',' => out.push_str("%2C"),
            ';' => out.push_str("%3B"),
            c => out.push(c),
        }
    }
    out
}

/// Reverses the escaping of a value (for servers, such as the sandbox, that read filters).
///
/// ```
/// assert_eq!(streamkit_mixer::filters::unescape("a%2Cb%3Bc%25"), "a,b;c%");
/// ```
pub fn unescape(s: &str) -> String {
    s.replace("%2C", ",").replace("%2c", ",").replace("%3B", ";").replace("%3b", ";").replace("%25", "%")
}

fn check_field(name: &str) -> Result<(), FilterError> {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if ok { Ok(()) } else { Err(FilterError::InvalidField(name.to_owned())) }
}

/// One `field:op:value` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    field: String,
    op: Op,
    values: Vec<Value>,
}

/// A `where` filter: clauses that must all hold, joined by `,`.
///
/// Start with [`Where::field`], pick an operator, and combine with [`Where::and`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Where {
    clauses: Vec<Clause>,
    error: Option<FilterError>,
}

/// A field of a `where` clause waiting for its operator (see [`Where::field`]).
#[derive(Debug, Clone)]
#[must_use]
pub struct FieldFilter {
    field: String,
}

impl Where {
    /// Starts a clause on `field` (a channel property such as `online` or `viewersCurrent`).
    pub fn field(field: impl Into<String>) -> FieldFilter {
        FieldFilter { field: field.into() }
    }

    /// Both this filter and `other` must hold.
    pub fn and(mut self, other: Where) -> Where {
        self.error = self.error.or(other.error);
        self.clauses.extend(other.clauses);
        self
    }
}

impl FieldFilter {
    /// A clause with any operator; `values` must hold one value except for `In`/`NotIn`.
    pub fn op(self, op: Op, values: Vec<Value>) -> Where {
        let empty_list = match op {
            Op::In if values.is_empty() => Some(FilterError::Empty("an `in` clause")),
            Op::NotIn if values.is_empty() => Some(FilterError::Empty("a `notin` clause")),
            _ => None,
        };
        let error = check_field(&self.field).err().or(empty_list);
        Where { clauses: vec![Clause { field: self.field, op, values }], error }
    }
    /// `field:eq:value`.
    pub fn eq(self, value: impl Into<Value>) -> Where {
        self.op(Op::Eq, vec![value.into()])
    }
    /// `field:ne:value`.
    pub fn ne(self, value: impl Into<Value>) -> Where {
        self.op(Op::Ne, vec![value.into()])
    }
    /// `field:lt:value`.
    pub fn lt(self, value: impl Into<Value>) -> Where {
        self.op(Op::Lt, vec![value.into()])
    }
    /// `field:lte:value`.
    pub fn lte(self, value: impl Into<Value>) -> Where {
        self.op(Op::Lte, vec![value.into()])
    }
    /// `field:gt:value`.
    pub fn gt(self, value: impl Into<Value>) -> Where {
        self.op(Op::Gt, vec![value.into()])
    }
    /// `field:gte:value`.
    pub fn gte(self, value: impl Into<Value>) -> Where {
        self.op(Op::Gte, vec![value.into()])
    }
    /// `field:in:a;b;c`.
    pub fn is_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Where {
        self.op(Op::In, values.into_iter().map(Into::into).collect())
    }
    /// `field:notin:a;b;c`.
    pub fn not_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Where {
        self.op(Op::NotIn, values.into_iter().map(Into::into).collect())
    }
}

impl TryFrom<Where> for String {
    type Error = FilterError;
    fn try_from(w: Where) -> Result<String, FilterError> {
        if let Some(e) = w.error {
            return Err(e);
        }
        let clauses: Vec<String> = w
            .clauses
            .iter()
            .map(|c| {
                let values: Vec<String> = c.values.iter().map(Value::to_string).collect();
                format!("{}:{}:{}", c.field, c.op.as_str(), values.join(";"))
            })
            .collect();
        Ok(clauses.join(","))
    }
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first (`ASC`).
    Asc,
    /// Largest first (`DESC`).
    Desc,
}

impl Direction {
    /// The direction as Mixer spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// An `order`: fields with directions, the first deciding first, joined by `,`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Order {
    keys: Vec<(String, Direction)>,
}

impl Order {
    /// Sorts by `field`, smallest first.
    pub fn asc(field: impl Into<String>) -> Order {
        Order { keys: vec![(field.into(), Direction::Asc)] }
    }
    /// Sorts by `field`, largest first.
    pub fn desc(field: impl Into<String>) -> Order {
        Order { keys: vec![(field.into(), Direction::Desc)] }
    }
    /// Then, among equals, by `field` smallest first.
    pub fn then_asc(mut self, field: impl Into<String>) -> Order {
        self.keys.push((field.into(), Direction::Asc));
        self
    }
    /// Then, among equals, by `field` largest first.
    pub fn then_desc(mut self, field: impl Into<String>) -> Order {
        self.keys.push((field.into(), Direction::Desc));
        self
    }
}

impl TryFrom<Order> for String {
    type Error = FilterError;
    fn try_from(o: Order) -> Result<String, FilterError> {
        let mut parts = Vec::with_capacity(o.keys.len());
        for (field, dir) in &o.keys {
            check_field(field)?;
            parts.push(format!("{field}:{}", dir.as_str()));
        }
        Ok(parts.join(","))
    }
}

/// A `fields` list: the properties to return.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Fields {
    names: Vec<String>,
}

impl Fields {
    /// These properties only.
    pub fn of<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Fields {
        Fields { names: names.into_iter().map(Into::into).collect() }
    }
}

impl TryFrom<Fields> for String {
    type Error = FilterError;
    fn try_from(f: Fields) -> Result<String, FilterError> {
        if f.names.is_empty() {
            return Err(FilterError::Empty("a `fields` list"));
        }
        for n in &f.names {
            check_field(n)?;
        }
        Ok(f.names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(w: Where) -> Result<String, FilterError> {
        String::try_from(w)
    }

    #[test]
    fn every_operator_is_written_as_mixer_spells_it() {
        for op in [Op::Eq, Op::Ne, Op::Lt, Op::Lte, Op::Gt, Op::Gte, Op::In, Op::NotIn] {
            assert_eq!(Op::parse(op.as_str()), Some(op));
        }
        assert_eq!(Op::parse("like"), None);
        assert_eq!(s(Where::field("typeId").not_in([1, 2])).unwrap(), "typeId:notin:1;2");
        assert_eq!(s(Where::field("viewersTotal").lte(5)).unwrap(), "viewersTotal:lte:5");
    }

    #[test]
    fn text_values_escape_the_separators() {
        assert_eq!(s(Where::field("name").eq("a,b;c%d")).unwrap(), "name:eq:a%2Cb%3Bc%25d");
        assert_eq!(unescape("a%2Cb%3Bc%25d"), "a,b;c%d");
        // A colon needs no escaping: the value is everything after the second one.
        assert_eq!(s(Where::field("name").eq("x:y")).unwrap(), "name:eq:x:y");
    }

    #[test]
    fn bad_field_names_and_empty_lists_fail_before_sending() {
        assert_eq!(s(Where::field("a:b").eq(1)), Err(FilterError::InvalidField("a:b".into())));
        assert!(matches!(s(Where::field("id").is_in(Vec::<i64>::new())), Err(FilterError::Empty(_))));
        // An error in a later clause is not lost by `and`.
        assert!(s(Where::field("online").eq(true).and(Where::field("").eq(1))).is_err());
        assert!(String::try_from(Order::desc("bad,field")).is_err());
        assert!(String::try_from(Fields::of(Vec::<String>::new())).is_err());
        assert!(String::try_from(Fields::of(["id", "to ken"])).is_err());
    }
}
