//! Prints the spec a `spec_mutations` input stands for (to turn a crash into a test):
//! `cargo run --example show_mutation -- INPUT`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: show_mutation INPUT");
    let data = std::fs::read(path).expect("read the input");
    let mut u = arbitrary::Unstructured::new(&data);
    match streamkit_fuzz::mutate(&mut u) {
        Ok(doc) => println!("{}", serde_json::to_string_pretty(&doc).unwrap()),
        Err(e) => eprintln!("not a mutation: {e}"),
    }
}
