//! Wire classification of the differences between two versions of one spec, following
//! Twitch's definitions (`shared/seeds`: "Breaking changes" / "Non-breaking changes").
//!
//! The rule behind every verdict: whoever *receives* a value must accept everything the
//! sender may send. In a request the server receives, so narrowing what it accepts (a
//! removed enum value, a new required field, a tighter constraint) is breaking. In a
//! response the client receives, so widening what the server sends (a field that may now be
//! missing or `null`, a type change) is breaking, while additions are not: clients ignore
//! unknown fields, and per Twitch a new enum value in a response is not breaking.
//! Removing or renaming a field is breaking in both directions, as Twitch defines it.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde::Serialize;
use serde_json::Value;

use super::asyncapi;
use super::model::{CONSTRAINTS, Media, Operation, Param, Schema, Spec, rust_type_name};
use super::rust_api::{RustFact, member_name, method_name};

/// Wire verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wire {
    /// A client or request that worked before may fail now.
    Breaking,
    /// Everything that worked still works.
    NonBreaking,
}

/// Which version a pointer points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The old version (for what was removed).
    Base,
    /// The new version.
    New,
}

/// The operation a change is reported at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpRef {
    /// `operationId` (the new one when it changed).
    pub operation_id: Option<String>,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
}

/// One classified difference.
#[derive(Debug, Clone)]
pub struct Change {
    /// Wire verdict.
    pub wire: Wire,
    /// Stable identifier of the kind of change (`field-removed`, `type-changed`, …).
    pub kind: &'static str,
    /// The operation, when the change is at one.
    pub operation: Option<OpRef>,
    /// Where in the operation, for people: `response 200 body `data[].id``.
    pub location: String,
    /// What changed.
    pub message: String,
    /// JSON pointer to the definition that changed.
    pub pointer: String,
    /// Which version `pointer` is in.
    pub side: Side,
    /// What it means for the generated Rust API.
    pub rust: RustFact,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Request,
    Response,
}

/// Where a schema sits, while comparing.
#[derive(Clone)]
struct Loc {
    dir: Dir,
    /// `request body`, `response 200 body`, `query parameter `first``.
    place: String,
    /// Path inside the value: `.data[].id`.
    path: String,
    /// The Rust item holding the value, for people.
    site: String,
    /// The name typify gives the schema if it is an inline struct or enum.
    inline: String,
    /// Required in its parent (a struct field that is not becomes `Option`).
    required: bool,
}

impl Loc {
    fn text(&self) -> String {
        if self.path.is_empty() {
            self.place.clone()
        } else {
            format!("{} `{}`", self.place, self.path.trim_start_matches('.'))
        }
    }
}

struct Cx<'a> {
    op: Option<OpRef>,
    /// Rust method name of the (new) operation.
    method: String,
    /// Raw operation id, for inline type names.
    op_id: String,
    out: Vec<Change>,
    /// Pointers (new version) whose documentation changed.
    docs: Vec<String>,
    renames: &'a mut BTreeSet<(String, String)>,
}

impl Cx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        wire: Wire,
        kind: &'static str,
        location: String,
        message: String,
        pointer: &str,
        side: Side,
        rust: RustFact,
    ) {
        self.out.push(Change {
            wire,
            kind,
            operation: self.op.clone(),
            location,
            message,
            pointer: pointer.to_string(),
            side,
            rust,
        });
    }
}

fn opref(o: &Operation) -> OpRef {
    OpRef { operation_id: o.id.clone(), method: o.method.clone(), path: o.path.clone() }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// Compares two versions of one spec file (`None`: the file does not exist on that side).
pub fn compare(old: Option<&Spec>, new: Option<&Spec>) -> Vec<Change> {
    let empty = BTreeMap::new();
    let old_ops = old.map_or(&empty, |s| &s.operations);
    let new_ops = new.map_or(&empty, |s| &s.operations);
    let mut keys: Vec<&String> = old_ops.keys().chain(new_ops.keys()).collect::<BTreeSet<_>>().into_iter().collect();
    // By path, then method.
    keys.sort_by_key(|k| k.split_once(' ').map(|(m, p)| (p.to_string(), m.to_string())));
    let mut renames = BTreeSet::new();
    let mut out = Vec::new();
    for key in keys {
        match (old_ops.get(key), new_ops.get(key)) {
            (Some(o), None) if asyncapi::is_message(o) => out.push(Change {
                wire: Wire::Breaking,
                kind: "message-removed",
                operation: Some(opref(o)),
                location: "message".into(),
                message: if o.method == asyncapi::SEND {
                    "the message is removed: the server no longer accepts it".into()
                } else {
                    "the message is removed: the server may still send it, and clients no longer know it".into()
                },
                pointer: o.pointer.clone(),
                side: Side::Base,
                rust: RustFact::TypeRemoved { name: rust_type_name(o.id.as_deref().unwrap_or_default()) },
            }),
            (None, Some(n)) if asyncapi::is_message(n) => out.push(Change {
                wire: Wire::NonBreaking,
                kind: "message-added",
                operation: Some(opref(n)),
                location: "message".into(),
                message: "new message".into(),
                pointer: n.pointer.clone(),
                side: Side::New,
                rust: RustFact::None,
            }),
            (Some(o), None) => out.push(Change {
                wire: Wire::Breaking,
                kind: "endpoint-removed",
                operation: Some(opref(o)),
                location: "endpoint".into(),
                message: "the endpoint is removed: every call to it fails".into(),
                pointer: o.pointer.clone(),
                side: Side::Base,
                rust: RustFact::MethodRemoved { method: method_name(o.id.as_deref()) },
            }),
            (None, Some(n)) => out.push(Change {
                wire: Wire::NonBreaking,
                kind: "endpoint-added",
                operation: Some(opref(n)),
                location: "endpoint".into(),
                message: "new endpoint".into(),
                pointer: n.pointer.clone(),
                side: Side::New,
                rust: RustFact::MethodAdded { method: method_name(n.id.as_deref()) },
            }),
            (Some(o), Some(n)) => out.extend(compare_op(o, n, &mut renames)),
            (None, None) => {}
        }
    }
    if let (Some(o), Some(n)) = (old, new) {
        components(o, n, &renames, &mut out);
        info(o, n, &mut out);
    }
    out
}

fn compare_op(o: &Operation, n: &Operation, renames: &mut BTreeSet<(String, String)>) -> Vec<Change> {
    let mut cx = Cx {
        op: Some(opref(n)),
        method: method_name(n.id.as_deref()),
        op_id: n.id.clone().unwrap_or_default(),
        out: Vec::new(),
        docs: Vec::new(),
        renames,
    };
    if o.id != n.id {
        let show_id = |id: &Option<String>| id.clone().map_or("(none)".to_string(), |i| format!("`{i}`"));
        cx.push(
            Wire::NonBreaking,
            "operation-renamed",
            "operationId".into(),
            format!("operationId {} → {}; the wire is unchanged", show_id(&o.id), show_id(&n.id)),
            &format!("{}/operationId", n.pointer),
            Side::New,
            RustFact::MethodRenamed { old: method_name(o.id.as_deref()), new: cx.method.clone() },
        );
    }
    if !o.deprecated && n.deprecated {
        cx.push(
            Wire::NonBreaking,
            "deprecated",
            "endpoint".into(),
            "the endpoint is now deprecated".into(),
            &format!("{}/deprecated", n.pointer),
            Side::New,
            RustFact::None,
        );
    }
    if o.summary != n.summary {
        cx.docs.push(format!("{}/summary", n.pointer));
    }
    if o.description != n.description {
        cx.docs.push(format!("{}/description", n.pointer));
    }
    params(&mut cx, &o.params, &n.params);
    body(&mut cx, o, n);
    responses(&mut cx, o, n);
    security(&mut cx, o, n);
    if !cx.docs.is_empty() {
        let first = cx.docs[0].clone();
        let mut list: Vec<String> = cx.docs.iter().take(3).map(|p| format!("#{p}")).collect();
        if cx.docs.len() > 3 {
            list.push(format!("and {} more", cx.docs.len() - 3));
        }
        let msg = format!("descriptions changed at {}", list.join(", "));
        cx.push(Wire::NonBreaking, "docs-changed", "docs".into(), msg, &first, Side::New, RustFact::None);
    }
    if asyncapi::is_message(n) {
        cx.out.iter_mut().for_each(|c| c.location = asyncapi::place(&c.location, &n.method));
    }
    merge(cx.out)
}

/// One line per distinct change: the same change reached twice in one operation (say the
/// error schema under 400 and 401) is reported once, with both locations.
fn merge(changes: Vec<Change>) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for c in changes {
        let same = out.iter_mut().find(|d| {
            d.kind == c.kind
                && d.pointer == c.pointer
                && d.side == c.side
                && d.message == c.message
                && d.wire == c.wire
                && d.rust == c.rust
        });
        match same {
            Some(d) => {
                if !d.location.split("; ").any(|l| l == c.location) {
                    d.location = format!("{}; {}", d.location, c.location);
                }
            }
            None => out.push(c),
        }
    }
    out
}

fn params(cx: &mut Cx, old: &[Param], new: &[Param]) {
    let o: BTreeMap<_, _> = old.iter().map(|p| (p.key(), p)).collect();
    let n: BTreeMap<_, _> = new.iter().map(|p| (p.key(), p)).collect();
    let keys: BTreeSet<_> = o.keys().chain(n.keys()).cloned().collect();
    for key in keys {
        match (o.get(&key), n.get(&key)) {
            (Some(p), None) => cx.push(
                Wire::Breaking,
                "parameter-removed",
                format!("{} parameter `{}`", p.location, p.name),
                "parameter removed: the server no longer reads it".into(),
                &p.pointer,
                Side::Base,
                RustFact::SetterRemoved { method: cx.method.clone(), setter: member_name(&p.name) },
            ),
            (None, Some(p)) => {
                let place = format!("{} parameter `{}`", p.location, p.name);
                if p.required {
                    let rust = RustFact::RequiredSetter { method: cx.method.clone(), setter: member_name(&p.name) };
                    cx.push(
                        Wire::Breaking,
                        "parameter-added-required",
                        place,
                        "new required parameter: existing calls lack it".into(),
                        &p.pointer,
                        Side::New,
                        rust,
                    );
                } else {
                    cx.push(
                        Wire::NonBreaking,
                        "parameter-added",
                        place,
                        "new optional parameter".into(),
                        &p.pointer,
                        Side::New,
                        RustFact::None,
                    );
                }
            }
            (Some(a), Some(b)) => {
                let place = format!("{} parameter `{}`", b.location, b.name);
                if a.name != b.name {
                    let rust = RustFact::SetterRenamed {
                        method: cx.method.clone(),
                        old: member_name(&a.name),
                        new: member_name(&b.name),
                    };
                    let msg = format!(
                        "path parameter `{}` renamed `{}` (names of path parameters are not on the wire)",
                        a.name, b.name
                    );
                    cx.push(
                        Wire::NonBreaking,
                        "path-parameter-renamed",
                        place.clone(),
                        msg,
                        &b.pointer,
                        Side::New,
                        rust,
                    );
                }
                if !a.required && b.required {
                    let rust = RustFact::RequiredSetter { method: cx.method.clone(), setter: member_name(&b.name) };
                    let msg = "optional → required: calls without it are now rejected".into();
                    cx.push(
                        Wire::Breaking,
                        "parameter-became-required",
                        place.clone(),
                        msg,
                        &format!("{}/required", b.pointer),
                        Side::New,
                        rust,
                    );
                } else if a.required && !b.required {
                    let msg = "required → optional".into();
                    cx.push(
                        Wire::NonBreaking,
                        "parameter-became-optional",
                        place.clone(),
                        msg,
                        &b.pointer,
                        Side::New,
                        RustFact::None,
                    );
                }
                if !a.deprecated && b.deprecated {
                    let msg = "the parameter is now deprecated".into();
                    cx.push(
                        Wire::NonBreaking,
                        "deprecated",
                        place.clone(),
                        msg,
                        &format!("{}/deprecated", b.pointer),
                        Side::New,
                        RustFact::None,
                    );
                }
                if a.description != b.description {
                    cx.docs.push(format!("{}/description", b.pointer));
                }
                if let (Some(sa), Some(sb)) = (&a.schema, &b.schema) {
                    let loc = Loc {
                        dir: Dir::Request,
                        place,
                        path: String::new(),
                        site: format!("the argument of `client.{}().{}(…)`", cx.method, member_name(&b.name)),
                        inline: format!("{}_{}", cx.op_id, b.name).to_upper_camel_case(),
                        required: true,
                    };
                    schema(cx, sa, sb, &loc);
                }
            }
            (None, None) => {}
        }
    }
}

fn body(cx: &mut Cx, o: &Operation, n: &Operation) {
    let setter = || "body".to_string();
    match (&o.body, &n.body) {
        (Some(b), None) => {
            let rust = RustFact::BodyRemoved { method: cx.method.clone() };
            cx.push(
                Wire::Breaking,
                "request-body-removed",
                "request body".into(),
                "the request body is removed".into(),
                &b.pointer,
                Side::Base,
                rust,
            );
        }
        (None, Some(b)) => {
            if b.required {
                let rust = RustFact::RequiredSetter { method: cx.method.clone(), setter: setter() };
                cx.push(
                    Wire::Breaking,
                    "request-body-added-required",
                    "request body".into(),
                    "new required request body: existing calls lack it".into(),
                    &b.pointer,
                    Side::New,
                    rust,
                );
            } else {
                cx.push(
                    Wire::NonBreaking,
                    "request-body-added",
                    "request body".into(),
                    "new optional request body".into(),
                    &b.pointer,
                    Side::New,
                    RustFact::None,
                );
            }
        }
        (Some(a), Some(b)) => {
            if !a.required && b.required {
                let rust = RustFact::RequiredSetter { method: cx.method.clone(), setter: setter() };
                cx.push(
                    Wire::Breaking,
                    "request-body-became-required",
                    "request body".into(),
                    "optional → required".into(),
                    &b.pointer,
                    Side::New,
                    rust,
                );
            } else if a.required && !b.required {
                cx.push(
                    Wire::NonBreaking,
                    "request-body-became-optional",
                    "request body".into(),
                    "required → optional".into(),
                    &b.pointer,
                    Side::New,
                    RustFact::None,
                );
            }
            if a.description != b.description {
                cx.docs.push(format!("{}/description", b.pointer));
            }
            let site = format!("the argument of `client.{}().body(…)`", cx.method);
            let inline = format!("{}_body", cx.op_id).to_upper_camel_case();
            media(cx, &a.media, &b.media, Dir::Request, "request body", &site, &inline);
        }
        (None, None) => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn media(
    cx: &mut Cx,
    a: &BTreeMap<String, Media>,
    b: &BTreeMap<String, Media>,
    dir: Dir,
    place: &str,
    site: &str,
    inline: &str,
) {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for m in keys {
        let place = if m == "application/json" { place.to_string() } else { format!("{place} ({m})") };
        match (a.get(m), b.get(m)) {
            (Some(x), None) => {
                let msg = format!("media type `{m}` removed");
                cx.push(Wire::Breaking, "media-type-removed", place, msg, &x.pointer, Side::Base, RustFact::None);
            }
            (None, Some(y)) => {
                let msg = format!("new media type `{m}`");
                cx.push(Wire::NonBreaking, "media-type-added", place, msg, &y.pointer, Side::New, RustFact::None);
            }
            (Some(x), Some(y)) => match (&x.schema, &y.schema) {
                (Some(sa), Some(sb)) => {
                    let loc = Loc {
                        dir,
                        place,
                        path: String::new(),
                        site: site.to_string(),
                        inline: inline.to_string(),
                        required: true,
                    };
                    schema(cx, sa, sb, &loc);
                }
                (None, None) => {}
                _ => {
                    let msg = "the body's schema was added or removed".into();
                    cx.push(Wire::Breaking, "type-changed", place, msg, &y.pointer, Side::New, RustFact::None);
                }
            },
            (None, None) => {}
        }
    }
}

fn responses(cx: &mut Cx, o: &Operation, n: &Operation) {
    let success = |op: &Operation| op.responses.keys().filter(|c| c.starts_with('2')).cloned().collect::<BTreeSet<_>>();
    let (os, ns) = (success(o), success(n));
    if os != ns {
        let join = |s: &BTreeSet<String>| {
            if s.is_empty() { "none".to_string() } else { s.iter().cloned().collect::<Vec<_>>().join(", ") }
        };
        let msg = format!(
            "success status {} → {}: clients expecting the old status see an unexpected one",
            join(&os),
            join(&ns)
        );
        let rust = RustFact::SuccessChanged { method: cx.method.clone() };
        cx.push(
            Wire::Breaking,
            "success-status-changed",
            "responses".into(),
            msg,
            &format!("{}/responses", n.pointer),
            Side::New,
            rust,
        );
    }
    let codes: BTreeSet<&String> = o.responses.keys().chain(n.responses.keys()).collect();
    for code in codes {
        let is_success = code.starts_with('2');
        match (o.responses.get(code), n.responses.get(code)) {
            (Some(r), None) if !is_success => {
                let msg = format!("response {code} is no longer documented");
                cx.push(
                    Wire::NonBreaking,
                    "error-response-removed",
                    format!("response {code}"),
                    msg,
                    &r.pointer,
                    Side::Base,
                    RustFact::None,
                );
            }
            (None, Some(r)) if !is_success => {
                let msg = format!("new documented response {code}");
                cx.push(
                    Wire::NonBreaking,
                    "error-response-added",
                    format!("response {code}"),
                    msg,
                    &r.pointer,
                    Side::New,
                    RustFact::None,
                );
            }
            (Some(a), Some(b)) => {
                if a.description != b.description {
                    cx.docs.push(format!("{}/description", b.pointer));
                }
                let headers: BTreeSet<&String> = a.headers.keys().chain(b.headers.keys()).collect();
                for h in headers {
                    match (a.headers.get(h), b.headers.get(h)) {
                        (Some(p), None) => {
                            let msg = format!("header `{h}` is no longer sent");
                            cx.push(
                                Wire::Breaking,
                                "response-header-removed",
                                format!("response {code}"),
                                msg,
                                p,
                                Side::Base,
                                RustFact::None,
                            );
                        }
                        (None, Some(p)) => {
                            let msg = format!("new header `{h}`");
                            cx.push(
                                Wire::NonBreaking,
                                "response-header-added",
                                format!("response {code}"),
                                msg,
                                p,
                                Side::New,
                                RustFact::None,
                            );
                        }
                        _ => {}
                    }
                }
                let (site, inline) = if is_success {
                    (
                        format!("the output of `client.{}().send()`", cx.method),
                        format!("{}_response", cx.op_id).to_upper_camel_case(),
                    )
                } else {
                    (
                        format!("the {code} error body (read with `ApiError::body_as`)"),
                        format!("{}_error", cx.op_id).to_upper_camel_case(),
                    )
                };
                media(cx, &a.media, &b.media, Dir::Response, &format!("response {code} body"), &site, &inline);
            }
            _ => {}
        }
    }
}

fn render_security(sec: &[BTreeMap<String, BTreeSet<String>>]) -> String {
    sec.iter()
        .map(|alt| {
            if alt.is_empty() {
                return "none".to_string();
            }
            alt.iter()
                .map(|(s, scopes)| {
                    if scopes.is_empty() {
                        s.clone()
                    } else {
                        format!("{s} [{}]", scopes.iter().cloned().collect::<Vec<_>>().join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn security(cx: &mut Cx, o: &Operation, n: &Operation) {
    if o.security == n.security {
        return;
    }
    // Every credential set that satisfied an old alternative must satisfy a new one.
    let covered = o.security.iter().all(|old_alt| {
        n.security.iter().any(|new_alt| {
            new_alt.iter().all(|(scheme, scopes)| old_alt.get(scheme).is_some_and(|s| scopes.is_subset(s)))
        })
    });
    let (old, new) = (render_security(&o.security), render_security(&n.security));
    if covered {
        let msg = format!("auth requirement {old} → {new}: every credential that worked still works");
        cx.push(
            Wire::NonBreaking,
            "auth-relaxed",
            "security".into(),
            msg,
            &n.security_pointer,
            Side::New,
            RustFact::None,
        );
    } else {
        let msg = format!("auth requirement {old} → {new}: calls with the old credentials are refused");
        let rust = RustFact::AuthChanged { method: cx.method.clone() };
        cx.push(Wire::Breaking, "auth-changed", "security".into(), msg, &n.security_pointer, Side::New, rust);
    }
}

fn type_text(s: &Schema) -> String {
    let t = s.ty.clone().unwrap_or_else(|| "any".into());
    match &s.format {
        Some(f) => format!("{t} ({f})"),
        None => t,
    }
}

fn owner(s: &Schema, loc: &Loc) -> String {
    s.name.as_deref().map(rust_type_name).unwrap_or_else(|| loc.inline.clone())
}

/// Whether going from `from` to `to` for keyword `k` accepts fewer values.
fn narrows(k: &str, from: Option<&Value>, to: Option<&Value>) -> bool {
    let num = |v: &Value| v.as_f64();
    match k {
        "minimum" | "minLength" | "minItems" => match (from, to) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(f), Some(t)) => num(t) > num(f),
        },
        "maximum" | "maxLength" | "maxItems" => match (from, to) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(f), Some(t)) => num(t) < num(f),
        },
        "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => {
            to == Some(&Value::Bool(true)) && from != Some(&Value::Bool(true)) || to.is_some_and(Value::is_number)
        }
        // A new or different pattern or multipleOf rejects values the old one accepted.
        _ => to.is_some(),
    }
}

fn schema(cx: &mut Cx, a: &Schema, b: &Schema, loc: &Loc) {
    let (ta, tb) = (a.field_type(loc.required, &loc.inline), b.field_type(loc.required, &loc.inline));
    let rust_type_change = |site: &str| {
        if ta != tb {
            RustFact::TypeChanged { site: site.to_string(), old: ta.clone(), new: tb.clone() }
        } else {
            RustFact::None
        }
    };
    match (&a.name, &b.name) {
        (Some(x), Some(y)) if x != y => {
            cx.renames.insert((x.clone(), y.clone()));
            let msg = if a.shape() == b.shape() {
                format!(
                    "`$ref` to `{x}` now points at `{y}`, which has the same structure: nothing changes on the wire"
                )
            } else {
                format!("`$ref` to `{x}` now points at `{y}`; the differences are listed separately")
            };
            let rust = RustFact::TypeRenamed {
                old: format!("types::{}", rust_type_name(x)),
                new: format!("types::{}", rust_type_name(y)),
            };
            cx.push(Wire::NonBreaking, "schema-renamed", loc.text(), msg, &b.pointer, Side::New, rust);
        }
        (Some(x), None) if b.is_named_kind() => {
            let rust = RustFact::TypeRenamed {
                old: format!("types::{}", rust_type_name(x)),
                new: format!("types::{}", loc.inline),
            };
            let msg = format!("`$ref` to `{x}` replaced by an inline schema");
            cx.push(Wire::NonBreaking, "schema-inlined", loc.text(), msg, &b.pointer, Side::New, rust);
        }
        (None, Some(y)) if a.is_named_kind() => {
            let rust = RustFact::TypeRenamed {
                old: format!("types::{}", loc.inline),
                new: format!("types::{}", rust_type_name(y)),
            };
            let msg = format!("inline schema moved to the component `{y}`");
            cx.push(Wire::NonBreaking, "schema-extracted", loc.text(), msg, &b.pointer, Side::New, rust);
        }
        _ => {}
    }
    if a.recursive || b.recursive {
        return;
    }
    if a.ty != b.ty {
        let msg = format!("type changed from `{}` to `{}`", type_text(a), type_text(b));
        cx.push(Wire::Breaking, "type-changed", loc.text(), msg, &b.pointer, Side::New, rust_type_change(&loc.site));
        return;
    }
    if a.format != b.format {
        let msg = format!("type changed from `{}` to `{}`", type_text(a), type_text(b));
        cx.push(Wire::Breaking, "format-changed", loc.text(), msg, &b.pointer, Side::New, rust_type_change(&loc.site));
    }
    if a.nullable != b.nullable {
        let (wire, msg) = match (loc.dir, b.nullable) {
            (Dir::Request, true) => (Wire::NonBreaking, "now nullable: the server accepts `null`"),
            (Dir::Request, false) => (Wire::Breaking, "no longer nullable: the server rejects `null`"),
            (Dir::Response, true) => (Wire::Breaking, "now nullable: the server may send `null`"),
            (Dir::Response, false) => (Wire::NonBreaking, "no longer nullable: the server never sends `null`"),
        };
        let rust = if a.format == b.format { rust_type_change(&loc.site) } else { RustFact::None };
        cx.push(wire, "nullable-changed", loc.text(), msg.into(), &b.pointer, Side::New, rust);
    }
    enums(cx, a, b, loc, &rust_type_change(&loc.site));
    constraints(cx, a, b, loc, &rust_type_change(&loc.site));
    if !a.deprecated && b.deprecated {
        cx.push(
            Wire::NonBreaking,
            "deprecated",
            loc.text(),
            "now deprecated".into(),
            &format!("{}/deprecated", b.pointer),
            Side::New,
            RustFact::None,
        );
    }
    if a.description != b.description {
        cx.docs.push(format!("{}/description", b.pointer));
    }
    properties(cx, a, b, loc);
    if let (Some(ia), Some(ib)) = (&a.items, &b.items) {
        let child = Loc {
            path: format!("{}[]", loc.path),
            site: format!("the items of {}", loc.site),
            inline: format!("{}Item", loc.inline),
            required: true,
            ..loc.clone()
        };
        schema(cx, ia, ib, &child);
    }
    if let (Some(xa), Some(xb)) = (&a.additional, &b.additional) {
        let child = Loc {
            path: format!("{}{{*}}", loc.path),
            site: format!("the values of {}", loc.site),
            inline: format!("{}Value", loc.inline),
            required: true,
            ..loc.clone()
        };
        schema(cx, xa, xb, &child);
    }
    if a.closed != b.closed {
        let (wire, msg) = match (loc.dir, b.closed) {
            (Dir::Request, true) => {
                (Wire::Breaking, "`additionalProperties: false`: the server rejects fields it does not know")
            }
            (_, true) => (Wire::NonBreaking, "`additionalProperties: false`: the server sends no other fields"),
            (_, false) => (Wire::NonBreaking, "no longer `additionalProperties: false`"),
        };
        cx.push(wire, "additional-properties-changed", loc.text(), msg.into(), &b.pointer, Side::New, RustFact::None);
    }
    let keys: BTreeSet<&String> = a.composition.keys().chain(b.composition.keys()).collect();
    for k in keys {
        match (a.composition.get(k), b.composition.get(k)) {
            (Some(x), Some(y)) if x.len() == y.len() => {
                for (i, (sx, sy)) in x.iter().zip(y).enumerate() {
                    let child = Loc {
                        path: format!("{}({k} {i})", loc.path),
                        inline: format!("{}{}", loc.inline, i),
                        ..loc.clone()
                    };
                    schema(cx, sx, sy, &child);
                }
            }
            _ => {
                let msg = format!("`{k}` changed its number of alternatives");
                cx.push(
                    Wire::Breaking,
                    "composition-changed",
                    loc.text(),
                    msg,
                    &b.pointer,
                    Side::New,
                    rust_type_change(&loc.site),
                );
            }
        }
    }
}

fn enums(cx: &mut Cx, a: &Schema, b: &Schema, loc: &Loc, type_change: &RustFact) {
    let ty = format!("types::{}", owner(b, loc));
    let enum_ptr = format!("{}/enum", b.pointer);
    match (&a.enum_values, &b.enum_values) {
        (Some(x), Some(y)) => {
            for v in x.iter().filter(|v| !y.contains(v)) {
                let (wire, msg) = match loc.dir {
                    Dir::Request => {
                        (Wire::Breaking, format!("enum value {} removed: the server no longer accepts it", show(v)))
                    }
                    Dir::Response => {
                        (Wire::NonBreaking, format!("enum value {} removed: the server no longer sends it", show(v)))
                    }
                };
                let value = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                cx.push(
                    wire,
                    "enum-value-removed",
                    loc.text(),
                    msg,
                    &enum_ptr,
                    Side::New,
                    RustFact::VariantRemoved { ty: ty.clone(), value },
                );
            }
            for v in y.iter().filter(|v| !x.contains(v)) {
                let msg = match loc.dir {
                    Dir::Request => format!("new accepted enum value {}", show(v)),
                    Dir::Response => {
                        format!("new enum value {} in a response (clients built earlier read it as `Unknown`)", show(v))
                    }
                };
                let value = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                cx.push(
                    Wire::NonBreaking,
                    "enum-value-added",
                    loc.text(),
                    msg,
                    &enum_ptr,
                    Side::New,
                    RustFact::VariantAdded { ty: ty.clone(), value },
                );
            }
        }
        (None, Some(y)) => {
            let list = y.iter().map(show).collect::<Vec<_>>().join(", ");
            let (wire, msg) = match loc.dir {
                Dir::Request => (Wire::Breaking, format!("now restricted to {list}: other values are rejected")),
                Dir::Response => (Wire::NonBreaking, format!("now documented as one of {list}")),
            };
            cx.push(wire, "enum-added", loc.text(), msg, &enum_ptr, Side::New, type_change.clone());
        }
        (Some(x), None) => {
            let list = x.iter().map(show).collect::<Vec<_>>().join(", ");
            let (wire, msg) = match loc.dir {
                Dir::Request => (Wire::NonBreaking, format!("no longer restricted to {list}")),
                Dir::Response => (Wire::Breaking, format!("no longer restricted to {list}: other values may arrive")),
            };
            cx.push(wire, "enum-removed", loc.text(), msg, &b.pointer, Side::New, type_change.clone());
        }
        (None, None) => {}
    }
}

fn constraints(cx: &mut Cx, a: &Schema, b: &Schema, loc: &Loc, type_change: &RustFact) {
    let mut rust = Some(type_change.clone());
    for k in CONSTRAINTS {
        let (x, y) = (a.constraints.get(*k), b.constraints.get(*k));
        if x == y {
            continue;
        }
        let narrowed = narrows(k, x, y);
        let widened = narrows(k, y, x);
        let breaking = match loc.dir {
            Dir::Request => narrowed,
            // The generated types check constraints when decoding (a checked newtype, a
            // `NonZeroU64`), so a response that may now break them breaks clients.
            Dir::Response => widened,
        };
        let text = |v: Option<&Value>| v.map_or("none".to_string(), show);
        let effect = match (loc.dir, breaking) {
            (Dir::Request, true) => ": requests valid before may be rejected",
            (Dir::Response, true) => ": responses may now hold values older clients reject",
            _ => "",
        };
        let msg = format!("`{k}` changed from {} to {}{effect}", text(x), text(y));
        let wire = if breaking { Wire::Breaking } else { Wire::NonBreaking };
        let fact = rust.take().unwrap_or(RustFact::None);
        cx.push(wire, "constraint-changed", loc.text(), msg, &format!("{}/{k}", b.pointer), Side::New, fact);
    }
}

fn properties(cx: &mut Cx, a: &Schema, b: &Schema, loc: &Loc) {
    let (owner_a, owner_b) = (owner(a, loc), owner(b, loc));
    let removed: Vec<&String> = a.properties.keys().filter(|k| !b.properties.contains_key(*k)).collect();
    let added: Vec<&String> = b.properties.keys().filter(|k| !a.properties.contains_key(*k)).collect();
    let child_loc = |k: &str, owner: &str, required: bool| Loc {
        path: format!("{}.{k}", loc.path),
        site: format!("field `types::{owner}::{}`", member_name(k)),
        inline: format!("{owner}_{k}").to_upper_camel_case(),
        required,
        ..loc.clone()
    };
    // One field out and one with the same schema in: a rename.
    if let ([r], [n]) = (removed.as_slice(), added.as_slice())
        && a.properties[*r].shape() == b.properties[*n].shape()
    {
        let l = child_loc(n, &owner_b, b.required.contains(*n));
        let msg = format!(
            "field `{r}` renamed `{n}`: the old name is no longer {}",
            if loc.dir == Dir::Request { "read" } else { "sent" }
        );
        let rust = RustFact::FieldRenamed { ty: owner_b.clone(), old: member_name(r), new: member_name(n) };
        cx.push(Wire::Breaking, "field-renamed", l.text(), msg, &b.properties[*n].pointer, Side::New, rust);
    } else {
        for r in &removed {
            let l = child_loc(r, &owner_a, a.required.contains(*r));
            let msg = match loc.dir {
                Dir::Request => "field removed: the server no longer reads it",
                Dir::Response => "field removed: the server no longer sends it",
            };
            let rust = RustFact::FieldRemoved { ty: owner_a.clone(), field: member_name(r) };
            cx.push(Wire::Breaking, "field-removed", l.text(), msg.into(), &a.properties[*r].pointer, Side::Base, rust);
        }
        for n in &added {
            let required = b.required.contains(*n);
            let l = child_loc(n, &owner_b, required);
            let ptr = &b.properties[*n].pointer;
            let field = member_name(n);
            match (loc.dir, required) {
                (Dir::Request, true) => {
                    let rust = RustFact::RequiredBodyField { ty: owner_b.clone(), field };
                    cx.push(
                        Wire::Breaking,
                        "field-added-required",
                        l.text(),
                        "new required field: existing requests lack it".into(),
                        ptr,
                        Side::New,
                        rust,
                    );
                }
                (_, required) => {
                    let msg = if required && loc.dir == Dir::Response {
                        "new field (always sent)"
                    } else {
                        "new optional field"
                    };
                    let rust = RustFact::FieldAdded { ty: owner_b.clone(), field };
                    cx.push(Wire::NonBreaking, "field-added", l.text(), msg.into(), ptr, Side::New, rust);
                }
            }
        }
    }
    for (k, pb) in &b.properties {
        let Some(pa) = a.properties.get(k) else { continue };
        let (ra, rb) = (a.required.contains(k), b.required.contains(k));
        let l = child_loc(k, &owner_b, rb);
        if ra != rb {
            let (fa, fb) = (pa.field_type(ra, &l.inline), pb.field_type(rb, &l.inline));
            let type_change = if fa != fb {
                RustFact::TypeChanged { site: l.site.clone(), old: fa, new: fb }
            } else {
                RustFact::None
            };
            let req_ptr = format!("{}/required", b.pointer);
            let (wire, kind, msg, rust) = match (loc.dir, rb) {
                (Dir::Request, true) => {
                    let rust = match type_change {
                        RustFact::None => RustFact::RequiredBodyField { ty: owner_b.clone(), field: member_name(k) },
                        t => t,
                    };
                    (
                        Wire::Breaking,
                        "field-became-required",
                        "optional → required: requests without it are rejected",
                        rust,
                    )
                }
                (Dir::Request, false) => {
                    (Wire::NonBreaking, "field-became-optional", "required → optional", type_change)
                }
                (Dir::Response, true) => (
                    Wire::NonBreaking,
                    "field-became-required",
                    "optional → required: the server always sends it",
                    type_change,
                ),
                (Dir::Response, false) => (
                    Wire::Breaking,
                    "field-became-optional",
                    "required → optional: the server may leave it out",
                    type_change,
                ),
            };
            cx.push(wire, kind, l.text(), msg.into(), &req_ptr, Side::New, rust);
        }
        schema(cx, pa, pb, &l);
    }
}

/// Component schemas added or removed (each is a type of the generated crate, used or not).
fn components(o: &Spec, n: &Spec, renames: &BTreeSet<(String, String)>, out: &mut Vec<Change>) {
    let renamed_from: BTreeSet<&String> = renames.iter().map(|(a, _)| a).collect();
    let renamed_to: BTreeSet<&String> = renames.iter().map(|(_, b)| b).collect();
    for name in o.components.difference(&n.components).filter(|c| !renamed_from.contains(c)) {
        let msg = if o.used_components.contains(name) {
            "component schema removed (its uses are reported at each operation)"
        } else {
            "component schema removed; no operation used it, so the wire is unchanged"
        };
        out.push(Change {
            wire: Wire::NonBreaking,
            kind: "schema-removed",
            operation: None,
            location: format!("schema `{name}`"),
            message: msg.into(),
            pointer: format!("/components/schemas/{}", streamkit_codegen::error::escape(name)),
            side: Side::Base,
            rust: RustFact::TypeRemoved { name: rust_type_name(name) },
        });
    }
    for name in n.components.difference(&o.components).filter(|c| !renamed_to.contains(c)) {
        out.push(Change {
            wire: Wire::NonBreaking,
            kind: "schema-added",
            operation: None,
            location: format!("schema `{name}`"),
            message: "new component schema".into(),
            pointer: format!("/components/schemas/{}", streamkit_codegen::error::escape(name)),
            side: Side::New,
            rust: RustFact::None,
        });
    }
}

fn info(o: &Spec, n: &Spec, out: &mut Vec<Change>) {
    if o.info == n.info {
        return;
    }
    let keys: BTreeSet<String> =
        [&o.info, &n.info].iter().filter_map(|v| v.as_object()).flat_map(|m| m.keys().cloned()).collect();
    let changed: Vec<String> =
        keys.into_iter().filter(|k| o.info.get(k) != n.info.get(k)).map(|k| format!("`{k}`")).collect();
    out.push(Change {
        wire: Wire::NonBreaking,
        kind: "docs-changed",
        operation: None,
        location: "info".into(),
        message: format!("document info changed: {}", changed.join(", ")),
        pointer: "/info".into(),
        side: Side::New,
        rust: RustFact::None,
    });
}
