//! Turns `jsonschema` errors into [`Violation`]s: instance paths as steps, spec pointers
//! instead of translated ones, and messages in the words a spec author uses.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use serde_json::Value;

use super::translate::{Note, Translated};
use super::violation::{InstancePath, PathSegment, Violation};

/// The JSON type of a value, `integer` for whole numbers.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn path_of(e: &ValidationError) -> InstancePath {
    InstancePath(
        e.instance_path()
            .iter()
            .map(|s| match s {
                LocationSegment::Property(k) => PathSegment::Key(k.into_owned()),
                LocationSegment::Index(i) => PathSegment::Index(i),
            })
            .collect(),
    )
}

fn list(values: &Value) -> String {
    match values {
        Value::Array(items) => items.iter().map(Value::to_string).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Short text for a value in a message: long strings and containers are cut.
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= 80 { s } else { format!("{}…", s.chars().take(77).collect::<String>()) }
}

/// Appends the violations `e` stands for.
pub(crate) fn push(e: &ValidationError, tr: &Translated, out: &mut Vec<Violation>) {
    let schema_at = e.schema_path().as_str().to_string();
    let path = path_of(e);
    let schema = tr.origin(&schema_at);
    let instance: &Value = e.instance();
    let mut add = |path: InstancePath, message: String| out.push(Violation { path, message, schema: schema.clone() });
    match e.kind() {
        ValidationErrorKind::Type { kind: expected } => {
            let names: Vec<&str> = match expected {
                TypeKind::Single(t) => vec![t.as_str()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.as_str()).collect(),
            };
            if instance.is_null() {
                add(path, "null is not allowed here (the schema is not `nullable: true`)".into());
            } else {
                add(path, format!("expected {}, found {}", names.join(" or "), kind(instance)));
            }
        }
        ValidationErrorKind::Enum { options } => {
            add(path, format!("{} is not one of {}", shown(instance), list(options)))
        }
        ValidationErrorKind::Constant { expected_value } => {
            add(path, format!("{} is not {}", shown(instance), expected_value))
        }
        ValidationErrorKind::Format { format } if format == "date-time" => {
            add(path, format!("{} is not an RFC 3339 date-time", shown(instance)))
        }
        ValidationErrorKind::Format { format } => add(path, format!("{} is not a valid `{format}`", shown(instance))),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().map_or_else(|| property.to_string(), str::to_string);
            add(path, format!("required property `{name}` is missing"));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for k in unexpected {
                add(path.clone(), format!("property `{k}` is not allowed (`additionalProperties: false`)"));
            }
        }
        ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            // A property some failed part documents is not undocumented: that part's own
            // violation says what is wrong.
            let parent = schema_at.strip_suffix("/unevaluatedProperties").unwrap_or(&schema_at);
            let documented = tr.closed.get(parent);
            for k in unexpected.iter().filter(|k| !documented.is_some_and(|d| d.contains(*k))) {
                add(path.child(PathSegment::Key(k.clone())), "undocumented property".into());
            }
        }
        ValidationErrorKind::FalseSchema => {
            let message = match tr.notes.get(&schema_at) {
                Some(Note::ReadOnly) => "the property is `readOnly`: it must not be sent in a request",
                Some(Note::WriteOnly) => "the property is `writeOnly`: it must not appear in a response",
                _ => "no value is allowed here",
            };
            add(path, message.into());
        }
        ValidationErrorKind::MinLength { limit } => add(path, format!("shorter than minLength {limit}")),
        ValidationErrorKind::MaxLength { limit } => add(path, format!("longer than maxLength {limit}")),
        ValidationErrorKind::Minimum { limit } => add(path, format!("{instance} is below the minimum {limit}")),
        ValidationErrorKind::Maximum { limit } => add(path, format!("{instance} is above the maximum {limit}")),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            add(path, format!("{instance} is not above the exclusive minimum {limit}"))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            add(path, format!("{instance} is not below the exclusive maximum {limit}"))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            add(path, format!("{instance} is not a multiple of {multiple_of}"))
        }
        ValidationErrorKind::MinItems { limit } => add(path, format!("fewer than minItems {limit}")),
        ValidationErrorKind::MaxItems { limit } => add(path, format!("more than maxItems {limit}")),
        ValidationErrorKind::MinProperties { limit } => add(path, format!("fewer than minProperties {limit}")),
        ValidationErrorKind::MaxProperties { limit } => add(path, format!("more than maxProperties {limit}")),
        ValidationErrorKind::UniqueItems => add(path, "the items are not unique (`uniqueItems: true`)".into()),
        ValidationErrorKind::Pattern { pattern } => {
            add(path, format!("{} does not match the pattern `{pattern}`", shown(instance)))
        }
        ValidationErrorKind::Not { .. } => add(path, "matches the schema under `not`".into()),
        ValidationErrorKind::AnyOf { context } => {
            let parent = schema_at.strip_suffix("/anyOf").unwrap_or(&schema_at);
            if tr.notes.get(parent) == Some(&Note::Nullable) {
                // `nullable: true` around a composed schema: report the schema's own errors.
                for inner in context.get(1).into_iter().flatten() {
                    push(inner, tr, out);
                }
            } else {
                alternatives("anyOf", context, &path, &schema, tr, out);
            }
        }
        ValidationErrorKind::OneOfNotValid { context } => alternatives("oneOf", context, &path, &schema, tr, out),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            add(path, "matches more than one `oneOf` alternative (exactly one must match)".into())
        }
        _ => add(path, e.to_string()),
    }
}

/// No alternative matched. When exactly one has the instance's type (the one the author
/// meant), its own violations are the useful ones; otherwise say so and show the closest.
fn alternatives(
    key: &str,
    context: &[Vec<ValidationError<'static>>],
    path: &InstancePath,
    schema: &str,
    tr: &Translated,
    out: &mut Vec<Violation>,
) {
    let branches: Vec<Vec<Violation>> = context
        .iter()
        .map(|errs| {
            let mut v = Vec::new();
            for e in errs {
                push(e, tr, &mut v);
            }
            v
        })
        .collect();
    // A branch whose only complaint is the type at this very spot is not the one meant.
    let wrong_type = |v: &Vec<Violation>| v.iter().any(|x| &x.path == path && x.schema.ends_with("/type"));
    let meant: Vec<usize> = (0..branches.len()).filter(|&i| !wrong_type(&branches[i])).collect();
    if let [only] = meant.as_slice() {
        for v in &branches[*only] {
            out.push(Violation { message: format!("{} (in `{key}` alternative {only})", v.message), ..v.clone() });
        }
        return;
    }
    let closest =
        meant.iter().copied().chain(0..branches.len()).min_by_key(|&i| (!meant.contains(&i), branches[i].len()));
    let detail = closest
        .filter(|&i| !branches[i].is_empty())
        .map(|i| {
            format!(
                "; closest is alternative {i}: {}",
                branches[i].iter().take(3).map(Violation::to_string).collect::<Vec<_>>().join("; ")
            )
        })
        .unwrap_or_default();
    out.push(Violation {
        path: path.clone(),
        message: format!("matches none of the `{key}` alternatives{detail}"),
        schema: schema.to_string(),
    });
}
