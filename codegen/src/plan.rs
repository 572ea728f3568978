//! Stage 5: what to emit for one spec: the service, and per operation its policy.

use std::path::PathBuf;

use serde_json::Value;

use crate::adapt::{Adapted, OperationAdaptation};
use crate::error::SpecError;
use crate::extensions::{
    self, AuthHeader, Buckets, Classification, InvalidCredential, Pagination, RateLimit, RetryDefaults, Scopes, Service,
};
use crate::validate::METHODS;

/// One spec's plan.
#[derive(Debug, Clone)]
pub struct ServicePlan {
    /// The spec file.
    pub file: PathBuf,
    /// Where the output goes.
    pub service: Service,
    /// Declared buckets.
    pub buckets: Buckets,
    /// Document-level retry rules (`x-streamkit-retry-defaults`).
    pub retry: RetryDefaults,
    /// Operations sorted by id.
    pub operations: Vec<OperationPlan>,
    /// The OAuth scopes the service knows (`x-streamkit-scopes`), for the `Scope` enum.
    pub scopes: Scopes,
    /// What the adapted document holds that the passes must find in the generated code.
    pub shape: SpecShape,
}

/// Counts of schema shapes in the adapted document. The passes use them as a floor: a spec
/// with string enums must yield opened enums, one that keeps extra fields must yield
/// flattened maps, whatever the generator's version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecShape {
    /// Schemas with `properties`.
    pub object_schemas: usize,
    /// `type: string` schemas with an `enum`.
    pub string_enums: usize,
    /// Object schemas that keep undocumented fields (`additionalProperties` not `false`).
    pub open_objects: usize,
}

impl SpecShape {
    /// Counts the shapes of every schema in `doc`, never looking inside examples.
    pub fn of(doc: &Value) -> SpecShape {
        let mut shape = SpecShape::default();
        shape.count(doc);
        shape
    }

    fn count(&mut self, v: &Value) {
        match v {
            Value::Object(m) => {
                if m.get("properties").is_some_and(Value::is_object) {
                    self.object_schemas += 1;
                    if m.get("additionalProperties").is_some_and(|a| a != &Value::Bool(false)) {
                        self.open_objects += 1;
                    }
                }
                if m.get("type").and_then(Value::as_str) == Some("string") && m.get("enum").is_some_and(Value::is_array)
                {
                    self.string_enums += 1;
                }
                for (k, c) in m {
                    if k != "example" && k != "examples" {
                        self.count(c);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|c| self.count(c)),
            _ => {}
        }
    }
}

/// One operation's plan.
#[derive(Debug, Clone)]
pub struct OperationPlan {
    /// `operationId`.
    pub id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Auth headers.
    pub auth: Vec<AuthHeader>,
    /// Cost.
    pub ratelimit: Option<RateLimit>,
    /// Safe to resend.
    pub idempotent: bool,
    /// Paging.
    pub pagination: Option<Pagination>,
    /// Declared meanings of some responses (`x-streamkit-classify`).
    pub classify: Vec<Classification>,
    /// Which answers mean a credential is invalid (its schemes' `x-streamkit-invalid-credential`).
    pub invalid_credential: Vec<InvalidCredential>,
    /// What adapt changed.
    pub adaptation: OperationAdaptation,
}

impl ServicePlan {
    /// Output file, relative to the workspace root.
    pub fn output_path(&self) -> PathBuf {
        PathBuf::from("generated")
            .join(&self.service.krate)
            .join("src")
            .join(format!("generated_{}.rs", self.service.module))
    }
}

/// Plans a validated document (`doc`) from its adapted copy.
pub fn plan(file: &std::path::Path, doc: &Value, adapted: &Adapted) -> Result<ServicePlan, SpecError> {
    let adaptations = &adapted.operations;
    let err = |subject: &str, ptr: &str, m: String| SpecError::new(file, subject, ptr, m);
    let service = extensions::read::<Service>(doc, "x-streamkit-service")
        .map_err(|m| err("document", "/x-streamkit-service", m))?
        .ok_or_else(|| err("document", "", "missing `x-streamkit-service`".into()))?;
    let buckets = extensions::read::<Buckets>(doc, "x-streamkit-ratelimit-buckets")
        .map_err(|m| err("document", "/x-streamkit-ratelimit-buckets", m))?
        .unwrap_or_default();
    extensions::check_buckets(&buckets).map_err(|m| err("document", "/x-streamkit-ratelimit-buckets", m))?;
    let retry = extensions::read::<RetryDefaults>(doc, "x-streamkit-retry-defaults")
        .map_err(|m| err("document", "/x-streamkit-retry-defaults", m))?
        .unwrap_or_default();
    let scopes = extensions::read::<Scopes>(doc, "x-streamkit-scopes")
        .map_err(|m| err("document", "/x-streamkit-scopes", m))?
        .unwrap_or_default();
    extensions::check_scopes(&scopes).map_err(|m| err("document", "/x-streamkit-scopes", m))?;
    let default_rate = extensions::read::<RateLimit>(doc, "x-streamkit-ratelimit")
        .map_err(|m| err("document", "/x-streamkit-ratelimit", m))?;

    let mut operations = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
            let subject = format!("operation {id}");
            let ptr = format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1"));
            let security = op.get("security").or_else(|| doc.get("security"));
            let mut auth = Vec::new();
            let mut invalid_credential = Vec::new();
            if let Some(first) = security.and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_object) {
                for scheme in first.keys() {
                    let s = doc.pointer(&format!("/components/securitySchemes/{scheme}")).ok_or_else(|| {
                        err(
                            &subject,
                            &format!("{ptr}/security"),
                            format!("security scheme `{scheme}` is not declared in components.securitySchemes"),
                        )
                    })?;
                    let h = extensions::read::<AuthHeader>(s, "x-streamkit-header")
                        .map_err(|m| err(&subject, &ptr, m))?
                        .ok_or_else(|| {
                            err(&subject, &ptr, format!("security scheme `{scheme}` has no `x-streamkit-header`"))
                        })?;
                    auth.push(h);
                    let rule_ptr = format!("/components/securitySchemes/{scheme}/x-streamkit-invalid-credential");
                    if let Some(rule) = extensions::read::<InvalidCredential>(s, "x-streamkit-invalid-credential")
                        .and_then(|r| r.map(|r| r.check().map(|()| r)).transpose())
                        .map_err(|m| err(&format!("security scheme {scheme}"), &rule_ptr, m))?
                    {
                        invalid_credential.push(rule);
                    }
                }
            }
            let ratelimit = extensions::read::<RateLimit>(op, "x-streamkit-ratelimit")
                .map_err(|m| err(&subject, &ptr, m))?
                .or_else(|| default_rate.clone());
            let idempotent = extensions::read::<extensions::Retry>(op, "x-streamkit-retry")
                .map_err(|m| err(&subject, &ptr, m))?
                .map(|r| r.idempotent)
                .unwrap_or(matches!(*method, "get" | "head" | "put" | "delete" | "options"));
            let pagination =
                extensions::read::<Pagination>(op, "x-streamkit-pagination").map_err(|m| err(&subject, &ptr, m))?;
            let classify_ptr = format!("{ptr}/x-streamkit-classify");
            let classify = extensions::read::<Vec<Classification>>(op, "x-streamkit-classify")
                .map_err(|m| err(&subject, &classify_ptr, m))?
                .unwrap_or_default();
            extensions::check_classifications(&classify).map_err(|m| err(&subject, &classify_ptr, m))?;
            operations.push(OperationPlan {
                adaptation: adaptations.get(&id).cloned().unwrap_or_default(),
                id,
                method: method.to_uppercase(),
                path: path.clone(),
                auth,
                ratelimit,
                idempotent,
                pagination,
                classify,
                invalid_credential,
            });
        }
    }
    operations.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(ServicePlan {
        file: file.to_path_buf(),
        service,
        buckets,
        retry,
        operations,
        scopes,
        shape: SpecShape::of(&adapted.doc),
    })
}
