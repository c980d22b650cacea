//! Replays the fuzzers' minimized corpora (`fuzz/corpus/*`) and any crash they found
//! (`fixtures/fuzz-regressions/`): every input must give a report or a clear error, never a panic.

use std::path::Path;
use xxgk::{Format, Parser};

/// Parses every file of `folder` as its fuzz target does (`format`: the target's forced format,
/// or `None` for sniffing); returns how many there were.
fn replay(folder: &str, format: Option<Format>) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            let parser = match format {
                Some(format) => Parser::new().format(format),
                None => Parser::new(),
            };
            parser.parse(&bytes).map(|r| r.cells.len())
        });
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
        replay("fuzz/corpus/docx", Some(Format::Docx)) >= 50,
        "the minimized corpus is committed"
    );
}

#[test]
fn the_pdf_fuzz_corpus_replays_without_panics() {
    assert!(replay("fuzz/corpus/pdf", Some(Format::Pdf)) >= 50);
}

#[test]
fn the_text_fuzz_corpus_replays_without_panics() {
    assert!(replay("fuzz/corpus/text", Some(Format::Text)) >= 50);
}

#[test]
fn the_markdown_fuzz_corpus_replays_without_panics() {
    assert!(replay("fuzz/corpus/markdown", Some(Format::Markdown)) >= 50);
}

#[test]
fn the_html_fuzz_corpus_replays_without_panics() {
    assert!(replay("fuzz/corpus/html", Some(Format::Html)) >= 50);
}

#[test]
fn the_parse_fuzz_corpus_replays_without_panics() {
    assert!(replay("fuzz/corpus/parse", None) >= 5);
}

#[test]
fn crashes_found_by_fuzzing_stay_fixed() {
    replay("fixtures/fuzz-regressions", None);
}
