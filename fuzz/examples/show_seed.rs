//! Prints a seed spec as JSON (to diff against `show_mutation`): `cargo run --example show_seed -- INDEX`.
fn main() {
    let i: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).expect("usage: show_seed INDEX");
    let (name, text) = streamkit_fuzz::SEEDS[i];
    let doc = streamkit_codegen::load::parse(text, std::path::Path::new(name)).expect("seed parses").doc;
    println!("{}", serde_json::to_string_pretty(&doc).unwrap());
}
