//! A short, stable description of an output, read from its syntax tree: what
//! `streamkit-codegen --summary` prints and the golden tests snapshot.

use crate::Output;

/// A short, stable description of an output: per operation, its adaptations and the
/// return type of its `send()`; then the secret fields and the open enums. Read from the
/// syntax tree of the code. Used by the golden tests and `streamkit-codegen --summary`.
pub fn summary(out: &Output) -> String {
    let mut s = format!("output: {}\n", out.path.display());
    let file = match crate::emit::inspect::parse(&out.code) {
        Ok(f) => f,
        Err(e) => return format!("{s}{e}\n"),
    };
    let sends = crate::emit::inspect::send_wrappers(&file);
    for op in &out.plan.operations {
        let name = crate::emit::names::operation_method(&op.id);
        let send = sends
            .iter()
            .find(|(n, _, _)| n == &name)
            .map(|(_, _, f)| match &f.sig.output {
                syn::ReturnType::Type(_, ty) => render_type(ty),
                syn::ReturnType::Default => "()".into(),
            })
            .unwrap_or_else(|| "(no send wrapper)".into());
        let a = &op.adaptation;
        s.push_str(&format!("operation {} ({} {})\n", op.id, op.method, op.path));
        s.push_str(&format!("  send -> {send}\n"));
        if a.optional_success {
            s.push_str("  adapted: 204 kept out of progenitor; send() returns None for it\n");
        }
        if !a.error_statuses.is_empty() {
            s.push_str(&format!("  adapted: error statuses {} read by the runtime\n", a.error_statuses.join(", ")));
        }
        if !a.dropped_request_media.is_empty() {
            s.push_str(&format!("  adapted: request media {} not generated\n", a.dropped_request_media.join(", ")));
        }
    }
    for field in crate::emit::inspect::secret_fields(&file) {
        s.push_str(&format!("secret field: {field}\n"));
    }
    for e in crate::emit::inspect::open_enums(&file) {
        s.push_str(&format!("open enum: {e}\n"));
    }
    s
}

/// A type as one line of source text.
fn render_type(ty: &syn::Type) -> String {
    let item: syn::Item = syn::parse_quote!(type T = #ty;);
    let text = crate::emit::inspect::render([item]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = flat.replace("< ", "<").replace(", >", ">");
    flat.trim_start_matches("type T = ").trim_end_matches(';').to_string()
}
