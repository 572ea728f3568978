//! The Rust names the generator gives to what a spec names: the client method of an
//! operation, the builder setter of a parameter, the field of a property, the variant of an
//! enum value, the type of a component schema.
//!
//! These are progenitor's and typify's own rules (their `sanitize`, which they keep
//! private), with typify's public keyword test; the pinned versions make them exact, and
//! the tests check them against the generated code of the real specs. Other tools (e.g.
//! `cargo xtask diff`) ask here rather than guessing.
//!
//! ```
//! use streamkit_codegen::emit::names;
//! assert_eq!(names::operation_method("getUsers"), "get_users");
//! assert_eq!(names::field("type"), "type_");
//! assert_eq!(names::variant(""), "X");
//! assert_eq!(names::type_name("EventSubSubscription"), "EventSubSubscription");
//! ```

use heck::{ToPascalCase, ToSnakeCase};

#[derive(Clone, Copy)]
enum Case {
    Pascal,
    Snake,
}

/// What a name starting with a non-identifier character gets in front.
#[derive(Clone, Copy)]
enum Prefix {
    /// typify: `x` / `X`.
    Letter,
    /// progenitor: `_`.
    Underscore,
}

/// The shared rule: `'` dropped, other non-identifier characters as word breaks, recased,
/// a prefix when the result cannot start an identifier, `_` after keywords.
fn sanitize(input: &str, case: Case, prefix: Prefix) -> String {
    let to_case = |s: &str| match case {
        Case::Pascal => s.to_pascal_case(),
        Case::Snake => s.to_snake_case(),
    };
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(&input.replace('\'', "").replace(|c: char| !unicode_ident::is_xid_continue(c), "-")),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => match prefix {
            Prefix::Letter => format!("{}{out}", to_case("x")),
            Prefix::Underscore => format!("_{out}"),
        },
    };
    if typify::accept_as_ident(&out) { out } else { format!("{out}_") }
}

/// The client method (and `operation_id` in the policy table) of an `operationId`.
pub fn operation_method(operation_id: &str) -> String {
    sanitize(operation_id, Case::Snake, Prefix::Underscore)
}

/// The builder setter of a parameter (`type` → `type_`).
pub fn parameter_setter(name: &str) -> String {
    sanitize(name, Case::Snake, Prefix::Underscore)
}

/// The struct field of a property.
pub fn field(property: &str) -> String {
    sanitize(property, Case::Snake, Prefix::Letter)
}

/// The variant of a string enum value (`""` → `X`). When two values give the same name
/// typify falls back to another spelling; the generated code then differs from this.
pub fn variant(value: &str) -> String {
    sanitize(value, Case::Pascal, Prefix::Letter)
}

/// The variant of a value of the enum `schema`: its `x-enum-varnames` entry when it has
/// one (see `specs/README.md`), else [`variant`].
///
/// ```
/// use streamkit_codegen::emit::names;
/// let schema = serde_json::json!({"type": "string", "enum": ["partner", ""], "x-enum-varnames": ["Partner", "Normal"]});
/// assert_eq!(names::enum_variant(&schema, ""), "Normal");
/// assert_eq!(names::enum_variant(&serde_json::json!({"enum": [""]}), ""), "X");
/// ```
pub fn enum_variant(schema: &serde_json::Value, value: &str) -> String {
    let named = || {
        let at = schema.get("enum")?.as_array()?.iter().position(|v| v.as_str() == Some(value))?;
        Some(schema.get("x-enum-varnames")?.as_array()?.get(at)?.as_str()?.to_string())
    };
    named().unwrap_or_else(|| variant(value))
}

/// The type of a component schema (`types::<name>`).
pub fn type_name(component: &str) -> String {
    sanitize(component, Case::Pascal, Prefix::Letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_generators_rules() {
        // typify's own test cases.
        assert_eq!(field("type"), "type_");
        assert_eq!(field("ref"), "ref_");
        assert_eq!(field("gen"), "gen_");
        assert_eq!(variant("gen"), "Gen");
        assert_eq!(field("+1"), "plus1");
        assert_eq!(field("-1"), "minus1");
        assert_eq!(variant("@timestamp"), "Timestamp");
        assert_eq!(variant("won't and can't"), "WontAndCant");
        assert_eq!(field("Ipv6Net"), "ipv6_net");
        assert_eq!(variant("V6"), "V6");
        // Where the two generators differ: a name that starts with a digit.
        assert_eq!(field("1st"), "x1st");
        assert_eq!(parameter_setter("1st"), "_1st");
        assert_eq!(operation_method("getEventSubSubscriptions"), "get_event_sub_subscriptions");
        assert_eq!(parameter_setter("broadcaster_id"), "broadcaster_id");
    }
}
