//! Translates a spec's schema (OpenAPI 3.0 Schema Object, or AsyncAPI 3.0's draft-07
//! superset) into one self-contained JSON Schema draft 2020-12 document for `jsonschema`.
//!
//! - `$ref`s become `#/$defs/sN`, one def per (target, openness), translated once, so
//!   recursive schemas stay finite; a cycle that never descends into the instance
//!   (`A: {allOf: [$ref: A]}`) is an error, because validation would never end.
//! - OpenAPI: `nullable: true` adds `null` to `type` (and `enum`), or wraps a composed
//!   schema in `anyOf: [{type: null}, …]`; boolean `exclusiveMinimum`/`exclusiveMaximum`
//!   become draft 2020-12 numbers; a schema with `properties` (`items`) but no `type` is an
//!   object (array); `readOnly` properties are forbidden in requests, `writeOnly` ones in
//!   responses, and neither is then required.
//! - Annotation keys (`description`, `example`, `discriminator`, `x-*`, …) are dropped.
//! - With undocumented properties forbidden, every object schema that does not say
//!   `additionalProperties` gets `unevaluatedProperties: false`, except where it is one part
//!   of a larger object (an `allOf` branch, or a `oneOf`/`anyOf` branch of a schema that
//!   has its own properties): there the whole object is closed instead, so composition
//!   still works.
//!
//! Every translated schema node remembers the spec pointer it came from, so errors can
//! point into the spec.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::{Map, Value, json};

use super::{Direction, Options, Undocumented};
use crate::document::{Document, SpecKind};
use crate::error::SpecError;
use crate::pointer::escape;
use crate::refs::{local_pointer, show_chain};

/// Schemas nested deeper than this (without `$ref`s) are refused.
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// Why a translated node is the `false` schema, or how it was rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Note {
    /// A `readOnly` property, in a request.
    ReadOnly,
    /// A `writeOnly` property, in a response.
    WriteOnly,
    /// An `anyOf: [{type: null}, …]` standing for `nullable: true`.
    Nullable,
}

/// A translated schema and the way back into the spec.
#[derive(Debug, Clone)]
pub(crate) struct Translated {
    /// The JSON Schema 2020-12 document.
    pub schema: Value,
    /// Translated pointer → spec pointer, for every schema node.
    pub origins: BTreeMap<String, String>,
    /// Notes on rewritten nodes, by translated pointer.
    pub notes: BTreeMap<String, Note>,
    /// For each node closed with `unevaluatedProperties: false`, the property names its
    /// parts document: one of these reported as unevaluated was only in a failed part.
    pub closed: BTreeMap<String, BTreeSet<String>>,
}

impl Translated {
    /// The spec pointer behind a translated location (a node, or a keyword in one).
    pub fn origin(&self, translated: &str) -> String {
        let mut prefix = translated;
        loop {
            if let Some(src) = self.origins.get(prefix) {
                return format!("{src}{}", &translated[prefix.len()..]);
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => return translated.to_string(),
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Cx {
    /// Part of a larger object: do not close it.
    open: bool,
    /// Reached from the current def's root without descending into the instance.
    in_place: bool,
}

struct Translator<'a> {
    doc: &'a Document,
    options: Options,
    defs: Map<String, Value>,
    names: HashMap<(String, bool), String>,
    def_ptrs: HashMap<String, String>,
    queue: VecDeque<(String, String, bool)>,
    current: String,
    /// In-place `$ref` edges between defs ("#" is the root), with the `$ref`'s spec pointer.
    edges: BTreeMap<String, Vec<(String, String)>>,
    origins: BTreeMap<String, String>,
    notes: BTreeMap<String, Note>,
    closed: BTreeMap<String, BTreeSet<String>>,
}

const ROOT: &str = "#";

/// Translates the schema `root` found at `root_ptr` in `doc`.
pub(crate) fn translate(
    doc: &Document,
    root: &Value,
    root_ptr: &str,
    options: Options,
) -> Result<Translated, SpecError> {
    let mut t = Translator {
        doc,
        options,
        defs: Map::new(),
        names: HashMap::new(),
        def_ptrs: HashMap::new(),
        queue: VecDeque::new(),
        current: ROOT.into(),
        edges: BTreeMap::new(),
        origins: BTreeMap::new(),
        notes: BTreeMap::new(),
        closed: BTreeMap::new(),
    };
    let top = t.node(root, root_ptr, "", Cx { open: false, in_place: true }, 0)?;
    while let Some((name, ptr, open)) = t.queue.pop_front() {
        t.current = name.clone();
        let target = doc.get(&ptr).ok_or_else(|| doc.error(ptr.clone(), "`$ref` target vanished"))?;
        let out = format!("/$defs/{name}");
        let v = t.node(target, &ptr, &out, Cx { open, in_place: true }, 0)?;
        t.defs.insert(name, v);
    }
    t.check_cycles()?;
    let mut schema = match top {
        Value::Object(m) => m,
        other => {
            t.origins.insert("/allOf/0".into(), root_ptr.to_string());
            let mut m = Map::new();
            m.insert("allOf".into(), json!([other]));
            m
        }
    };
    schema.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    if !t.defs.is_empty() {
        schema.insert("$defs".into(), Value::Object(std::mem::take(&mut t.defs)));
    }
    Ok(Translated { schema: Value::Object(schema), origins: t.origins, notes: t.notes, closed: t.closed })
}

/// Keywords copied as they are (their values are not schemas).
const PLAIN: &[&str] = &[
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "format",
];

/// AsyncAPI (draft-07) keywords copied as they are.
const PLAIN_ASYNCAPI: &[&str] = &["const", "dependentRequired"];

/// AsyncAPI (draft-07) keywords whose value is one schema.
const SCHEMA_ASYNCAPI: &[&str] = &["contains", "propertyNames", "if", "then", "else"];

impl Translator<'_> {
    fn openapi(&self) -> bool {
        self.doc.kind == SpecKind::OpenApi
    }

    fn err(&self, ptr: &str, msg: impl Into<String>) -> SpecError {
        self.doc.error(ptr.to_string(), msg)
    }

    fn def_name(&mut self, ptr: &str, open: bool) -> String {
        if let Some(n) = self.names.get(&(ptr.to_string(), open)) {
            return n.clone();
        }
        let name = format!("s{}", self.names.len());
        self.names.insert((ptr.to_string(), open), name.clone());
        self.def_ptrs.insert(name.clone(), ptr.to_string());
        self.queue.push_back((name.clone(), ptr.to_string(), open));
        name
    }

    fn node(&mut self, s: &Value, src: &str, out: &str, cx: Cx, depth: usize) -> Result<Value, SpecError> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(self
                .err(src, format!("schema nested deeper than {MAX_SCHEMA_DEPTH} levels; use `$ref`s to components")));
        }
        self.origins.insert(out.to_string(), src.to_string());
        let map = match s {
            Value::Bool(b) => return Ok(Value::Bool(*b)),
            Value::Object(m) => m,
            other => {
                return Err(self.err(src, format!("a schema must be an object, found {}", super::message::kind(other))));
            }
        };
        if let Some(r) = map.get("$ref") {
            return self.reference(r, src, cx);
        }
        let nullable = self.openapi() && map.get("nullable") == Some(&Value::Bool(true));
        let composed = ["allOf", "oneOf", "anyOf", "not"].iter().any(|k| map.contains_key(*k));
        if nullable && composed {
            // `null` must pass even though every branch would reject it.
            self.notes.insert(out.to_string(), Note::Nullable);
            let inner_out = format!("{out}/anyOf/1");
            self.origins.insert(inner_out.clone(), src.to_string());
            let inner = self.object(map, src, &inner_out, cx, depth, false)?;
            return Ok(json!({"anyOf": [{"type": "null"}, inner]}));
        }
        self.object(map, src, out, cx, depth, nullable).map(Value::Object)
    }

    fn reference(&mut self, r: &Value, src: &str, cx: Cx) -> Result<Value, SpecError> {
        let at = format!("{src}/$ref");
        let target = r.as_str().ok_or_else(|| self.err(&at, "`$ref` must be a string"))?;
        let Some(ptr) = local_pointer(target) else {
            return Err(self.err(
                &at,
                format!("`$ref: {target}` is not a local reference (`#/...`); external files are not supported"),
            ));
        };
        if self.doc.get(ptr).is_none() {
            return Err(self.err(&at, format!("`$ref: {target}` points at nothing")));
        }
        let open = cx.open || self.options.undocumented == Undocumented::Allowed;
        let name = self.def_name(ptr, open);
        if cx.in_place {
            self.edges.entry(self.current.clone()).or_default().push((name.clone(), at));
        }
        Ok(json!({"$ref": format!("#/$defs/{name}")}))
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        src: &str,
        out: &str,
        cx: Cx,
        depth: usize,
        nullable: bool,
    ) -> Result<Map<String, Value>, SpecError> {
        let openapi = self.openapi();
        let mut o = Map::new();
        let child = |key: &str| (format!("{src}/{}", escape(key)), format!("{out}/{}", escape(key)));
        let deeper = Cx { open: false, in_place: false };

        let mut ty = map.get("type").cloned();
        if openapi && ty.is_none() {
            if map.contains_key("properties") {
                ty = Some(json!("object"));
            } else if map.contains_key("items") {
                ty = Some(json!("array"));
            }
        }
        if nullable && let Some(t) = ty.take() {
            ty = Some(match t {
                Value::String(t) => json!([t, "null"]),
                other => other,
            });
        }
        if let Some(t) = ty {
            o.insert("type".into(), t);
        }
        for k in PLAIN.iter().chain(if openapi { &[][..] } else { PLAIN_ASYNCAPI }) {
            if let Some(v) = map.get(*k) {
                o.insert((*k).into(), v.clone());
            }
        }
        if nullable
            && let Some(Value::Array(e)) = o.get_mut("enum")
            && !e.contains(&Value::Null)
        {
            e.push(Value::Null);
        }
        for (key, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            match map.get(key) {
                // OpenAPI 3.0 (draft 4): a flag on `minimum` / `maximum`.
                Some(Value::Bool(true)) => {
                    if let Some(b) = o.remove(bound) {
                        o.insert(key.into(), b);
                    }
                }
                Some(Value::Bool(false)) | None => {}
                Some(v) => {
                    o.insert(key.into(), v.clone());
                }
            }
        }

        let mut required: Option<Vec<Value>> = map.get("required").and_then(Value::as_array).cloned();
        if let Some(r) = map.get("required").filter(|r| !r.is_array()) {
            o.insert("required".into(), r.clone());
        }
        if let Some(props) = map.get("properties") {
            let (psrc, pout) = child("properties");
            let Some(props) = props.as_object() else {
                return Err(self.err(&psrc, "`properties` must be a map of schemas"));
            };
            let mut tp = Map::new();
            for (name, ps) in props {
                let (s2, o2) = (format!("{psrc}/{}", escape(name)), format!("{pout}/{}", escape(name)));
                if let Some(note) = self.forbidden_here(ps) {
                    self.origins.insert(o2.clone(), s2);
                    self.notes.insert(o2, note);
                    tp.insert(name.clone(), Value::Bool(false));
                    if let Some(r) = required.as_mut() {
                        r.retain(|x| x.as_str() != Some(name));
                    }
                    continue;
                }
                tp.insert(name.clone(), self.node(ps, &s2, &o2, deeper, depth + 1)?);
            }
            o.insert("properties".into(), Value::Object(tp));
        }
        if let Some(r) = required {
            o.insert("required".into(), Value::Array(r));
        }
        if let Some(ap) = map.get("additionalProperties") {
            let (s2, o2) = child("additionalProperties");
            o.insert("additionalProperties".into(), self.node(ap, &s2, &o2, deeper, depth + 1)?);
        }
        match map.get("items") {
            Some(Value::Array(tuple)) if !openapi => {
                let (s2, _) = child("items");
                let out_base = format!("{out}/prefixItems");
                let mut items = Vec::new();
                for (i, it) in tuple.iter().enumerate() {
                    items.push(self.node(it, &format!("{s2}/{i}"), &format!("{out_base}/{i}"), deeper, depth + 1)?);
                }
                self.origins.insert(out_base, s2);
                o.insert("prefixItems".into(), Value::Array(items));
                if let Some(extra) = map.get("additionalItems") {
                    let s3 = format!("{src}/additionalItems");
                    o.insert("items".into(), self.node(extra, &s3, &format!("{out}/items"), deeper, depth + 1)?);
                }
            }
            Some(it) => {
                let (s2, o2) = child("items");
                o.insert("items".into(), self.node(it, &s2, &o2, deeper, depth + 1)?);
            }
            None => {}
        }
        if !openapi {
            for key in SCHEMA_ASYNCAPI {
                if let Some(v) = map.get(*key) {
                    let (s2, o2) = child(key);
                    o.insert((*key).into(), self.node(v, &s2, &o2, Cx { open: true, ..deeper }, depth + 1)?);
                }
            }
            for key in ["patternProperties", "dependentSchemas"] {
                if let Some(m) = map.get(key).and_then(Value::as_object) {
                    let (s2, o2) = child(key);
                    let mut tm = Map::new();
                    for (k, v) in m {
                        tm.insert(
                            k.clone(),
                            self.node(
                                v,
                                &format!("{s2}/{}", escape(k)),
                                &format!("{o2}/{}", escape(k)),
                                deeper,
                                depth + 1,
                            )?,
                        );
                    }
                    o.insert(key.into(), Value::Object(tm));
                }
            }
        }
        // A schema with its own properties, or an `allOf`, is one object made of parts: it
        // closes itself and its branches stay open. A bare `oneOf`/`anyOf` is a choice of
        // whole objects: each branch closes itself, and the choice stays open.
        let own_props = map.contains_key("properties")
            || map.contains_key("additionalProperties")
            || map.contains_key("patternProperties");
        let whole = own_props || map.contains_key("allOf");
        for key in ["allOf", "oneOf", "anyOf"] {
            let Some(list) = map.get(key) else { continue };
            let (s2, o2) = child(key);
            let Some(list) = list.as_array() else {
                return Err(self.err(&s2, format!("`{key}` must be a list of schemas")));
            };
            let open = key == "allOf" || cx.open || whole;
            let mut out_list = Vec::new();
            for (i, b) in list.iter().enumerate() {
                out_list.push(self.node(
                    b,
                    &format!("{s2}/{i}"),
                    &format!("{o2}/{i}"),
                    Cx { open, in_place: cx.in_place },
                    depth + 1,
                )?);
            }
            o.insert(key.into(), Value::Array(out_list));
        }
        if let Some(n) = map.get("not") {
            let (s2, o2) = child("not");
            // Closing a negated schema would invert what "undocumented" means.
            o.insert("not".into(), self.node(n, &s2, &o2, Cx { open: true, in_place: cx.in_place }, depth + 1)?);
        }
        let closes = self.options.undocumented == Undocumented::Forbidden
            && !cx.open
            && !map.contains_key("additionalProperties")
            && !map.contains_key("patternProperties")
            && self.closes_itself(map);
        if closes {
            o.insert("unevaluatedProperties".into(), Value::Bool(false));
            let mut names = BTreeSet::new();
            self.documented_names(map, 0, &mut names);
            self.closed.insert(out.to_string(), names);
        }
        Ok(o)
    }

    /// A readOnly property in a request, a writeOnly one in a response.
    fn forbidden_here(&self, property: &Value) -> Option<Note> {
        if !self.openapi() {
            return None;
        }
        let p = self.shallow_deref(property, 0)?;
        let flag = |k: &str| p.get(k) == Some(&Value::Bool(true));
        match self.options.direction {
            Direction::Request if flag("readOnly") => Some(Note::ReadOnly),
            Direction::Response if flag("writeOnly") => Some(Note::WriteOnly),
            _ => None,
        }
    }

    /// Follows `$ref`s a few steps, for looking (not for translating).
    fn shallow_deref<'v>(&'v self, v: &'v Value, depth: usize) -> Option<&'v Value> {
        match v.get("$ref").and_then(Value::as_str) {
            None => Some(v),
            Some(_) if depth > 8 => None,
            Some(r) => self.shallow_deref(self.doc.get(local_pointer(r)?)?, depth + 1),
        }
    }

    /// Property names a schema and its parts (`allOf`/`oneOf`/`anyOf`, through `$ref`s) list.
    fn documented_names(&self, map: &Map<String, Value>, depth: usize, names: &mut BTreeSet<String>) {
        names.extend(map.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.clone()));
        if depth < 8 {
            for b in ["allOf", "oneOf", "anyOf"].iter().filter_map(|k| map.get(*k)?.as_array()).flatten() {
                if let Some(m) = self.shallow_deref(b, 0).and_then(Value::as_object) {
                    self.documented_names(m, depth + 1, names);
                }
            }
        }
    }

    /// Whether this schema (not only its branches) decides which properties exist.
    fn closes_itself(&self, map: &Map<String, Value>) -> bool {
        let choice = map.contains_key("oneOf") || map.contains_key("anyOf");
        let typed_object = match map.get("type") {
            Some(Value::String(t)) => t == "object",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
            _ => false,
        };
        let all_of_object = map.get("allOf").and_then(Value::as_array).is_some_and(|bs| {
            bs.iter().any(|b| {
                self.shallow_deref(b, 0).and_then(Value::as_object).is_some_and(|m| self.looks_like_object(m, 0))
            })
        });
        map.contains_key("properties") || all_of_object || (typed_object && !choice)
    }

    fn looks_like_object(&self, map: &Map<String, Value>, depth: usize) -> bool {
        match map.get("type") {
            Some(Value::String(t)) => return t == "object",
            Some(Value::Array(ts)) => return ts.iter().any(|t| t == "object"),
            _ => {}
        }
        if map.contains_key("properties") || map.contains_key("patternProperties") {
            return true;
        }
        depth < 8
            && ["allOf", "oneOf", "anyOf"].iter().filter_map(|k| map.get(*k)?.as_array()).flatten().any(|b| {
                self.shallow_deref(b, 0)
                    .and_then(Value::as_object)
                    .is_some_and(|m| self.looks_like_object(m, depth + 1))
            })
    }

    /// A cycle of in-place `$ref`s would make validation recurse forever.
    fn check_cycles(&self) -> Result<(), SpecError> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Active,
            Done,
        }
        let mut marks: HashMap<&str, Mark> = HashMap::new();
        let starts = std::iter::once(ROOT).chain(self.edges.keys().map(String::as_str));
        for start in starts {
            if marks.contains_key(start) {
                continue;
            }
            marks.insert(start, Mark::Active);
            // The stack is the path from `start`: (def, index of its next edge).
            let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
            while let Some(&(node, i)) = stack.last() {
                let edges = self.edges.get(node).map(Vec::as_slice).unwrap_or(&[]);
                let Some((next, site)) = edges.get(i) else {
                    marks.insert(node, Mark::Done);
                    stack.pop();
                    continue;
                };
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match marks.get(next.as_str()) {
                    Some(Mark::Active) => {
                        let mut chain: Vec<String> = stack
                            .iter()
                            .map(|(n, _)| *n)
                            .skip_while(|n| *n != next.as_str())
                            .map(|n| self.shown(n))
                            .collect();
                        chain.push(self.shown(next));
                        return Err(self.err(
                            site,
                            format!(
                                "`$ref` cycle that never descends into the instance: {}; validation would never end",
                                show_chain(&chain)
                            ),
                        ));
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(next, Mark::Active);
                        stack.push((next, 0));
                    }
                }
            }
        }
        Ok(())
    }

    fn shown(&self, def: &str) -> String {
        self.def_ptrs.get(def).map_or_else(|| "the schema".to_string(), |p| format!("#{p}"))
    }
}
