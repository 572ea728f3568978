//! Stage 5: what to emit for one spec: the service, and per operation its policy.

use std::path::PathBuf;

use serde_json::Value;

use crate::adapt::OperationAdaptation;
use crate::error::SpecError;
use crate::extensions::{self, AuthHeader, Buckets, Pagination, RateLimit, Service};
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
    /// Operations sorted by id.
    pub operations: Vec<OperationPlan>,
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

/// Plans a validated document.
pub fn plan(
    file: &std::path::Path,
    doc: &Value,
    adaptations: &std::collections::BTreeMap<String, OperationAdaptation>,
) -> Result<ServicePlan, SpecError> {
    let err = |subject: &str, ptr: &str, m: String| SpecError::new(file, subject, ptr, m);
    let service = extensions::read::<Service>(doc, "x-streamkit-service")
        .map_err(|m| err("document", "/x-streamkit-service", m))?
        .ok_or_else(|| err("document", "", "missing `x-streamkit-service`".into()))?;
    let buckets = extensions::read::<Buckets>(doc, "x-streamkit-ratelimit-buckets")
        .map_err(|m| err("document", "/x-streamkit-ratelimit-buckets", m))?
        .unwrap_or_default();
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
            if let Some(first) = security.and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_object) {
                for scheme in first.keys() {
                    let s = doc
                        .pointer(&format!("/components/securitySchemes/{scheme}"))
                        .ok_or_else(|| err(&subject, &format!("{ptr}/security"), format!("security scheme `{scheme}` is not declared in components.securitySchemes")))?;
                    let h = extensions::read::<AuthHeader>(s, "x-streamkit-header")
                        .map_err(|m| err(&subject, &ptr, m))?
                        .ok_or_else(|| err(&subject, &ptr, format!("security scheme `{scheme}` has no `x-streamkit-header`")))?;
                    auth.push(h);
                }
            }
            let ratelimit = extensions::read::<RateLimit>(op, "x-streamkit-ratelimit")
                .map_err(|m| err(&subject, &ptr, m))?
                .or_else(|| default_rate.clone());
            let idempotent = extensions::read::<extensions::Retry>(op, "x-streamkit-retry")
                .map_err(|m| err(&subject, &ptr, m))?
                .map(|r| r.idempotent)
                .unwrap_or(matches!(*method, "get" | "head" | "put" | "delete" | "options"));
            let pagination = extensions::read::<Pagination>(op, "x-streamkit-pagination").map_err(|m| err(&subject, &ptr, m))?;
            operations.push(OperationPlan {
                adaptation: adaptations.get(&id).cloned().unwrap_or_default(),
                id,
                method: method.to_uppercase(),
                path: path.clone(),
                auth,
                ratelimit,
                idempotent,
                pagination,
            });
        }
    }
    operations.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(ServicePlan { file: file.to_path_buf(), service, buckets, operations })
}
