fn main() {
    let p = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(p).unwrap();
    let v: serde_json::Value = serde_norway::from_str(&text).unwrap();
    let spec: openapiv3::OpenAPI = serde_json::from_value(v).unwrap();
    let t = streamkit_codegen::emit::generate::generate(&spec).unwrap();
    let f: syn::File = syn::parse2(t).unwrap();
    println!("{}", prettyplease::unparse(&f));
}
