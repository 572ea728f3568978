//! `streamkit-codegen SPEC [--summary]`: generate one spec and print the code (or, with
//! `--summary`, what each operation's `send()` returns and what was adapted). Errors go to
//! stderr as one line naming the file, the operation or schema, and the JSON pointer.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let summary = args.iter().any(|a| a == "--summary");
    let Some(spec) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: streamkit-codegen SPEC [--summary]");
        return ExitCode::from(2);
    };
    let path = PathBuf::from(spec);
    let shown = path.file_name().map(PathBuf::from).unwrap_or_else(|| path.clone());
    let out = match streamkit_codegen::load::load(&path, &shown).and_then(|s| streamkit_codegen::generate(&s)) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if summary {
        print!("{}", streamkit_codegen::summary(&out));
    } else {
        print!("{}", out.code);
    }
    ExitCode::SUCCESS
}
