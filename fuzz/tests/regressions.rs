//! Replays every corpus entry and every crash the fuzzers found (`regressions/<target>/`)
//! through the harness, as a plain test on any toolchain: a crash once found stays fixed.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        for f in files {
            run(&std::fs::read(&f).unwrap());
            n += 1;
        }
    }
    n
}

#[test]
fn spec_text_corpus_and_regressions() {
    assert!(replay("spec_text", streamkit_fuzz::spec_text) > 0, "the corpus is seeded");
}

#[test]
fn spec_mutations_corpus_and_regressions() {
    assert!(replay("spec_mutations", streamkit_fuzz::spec_mutations) > 0, "the corpus is seeded");
}

#[test]
fn realtime_frames_corpus_and_regressions() {
    assert!(replay("realtime_frames", streamkit_fuzz::realtime_frames) > 0, "the corpus is seeded");
}
