//! Replays the fuzzers' minimized corpora (`fuzz/corpus/*`) and any crash they found
//! (`fixtures/fuzz-regressions/`): every input must give a report or a clear error, never a panic.

use std::path::Path;

fn replay(folder: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| xxgk::parse(&bytes).map(|r| r.cells.len()));
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => assert!(
                !err.to_string().is_empty(),
                "{}: an error says why",
                path.display()
            ),
            Err(_) => panic!("{} panics", path.display()),
        }
        count += 1;
    }
    count
}

#[test]
fn the_docx_fuzz_corpus_replays_without_panics() {
    assert!(
        replay("fuzz/corpus/docx") >= 50,
        "the minimized corpus is committed"
    );
}

#[test]
fn the_parse_fuzz_corpus_replays_without_panics() {
    assert!(replay("fuzz/corpus/parse") >= 5);
}

#[test]
fn crashes_found_by_fuzzing_stay_fixed() {
    replay("fixtures/fuzz-regressions");
}
