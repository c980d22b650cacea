//! Fuzzes the DOCX reader (zip container and document.xml) and the whole pipeline after it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((doc, _)) = xxgk::readers::docx::read(data) {
        let _ = xxgk::analyze::analyze(
            &doc,
            xxgk::analyze::Source {
                format: xxgk::Format::Docx,
                text: None,
                encoding: "UTF-8".into(),
                bom: false,
                findings: Vec::new(),
            },
        );
    }
});
