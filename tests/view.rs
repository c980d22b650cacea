//! `xxgk view`: the HTML check view of a report, read as markup and run in a headless browser.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The page `xxgk view` makes of a fixture.
fn view(fixture: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["view", &format!("fixtures/{fixture}")])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The `<td>` of a cell.
fn td<'a>(page: &'a str, key: &str) -> &'a str {
    let id = format!("<td id=\"cell-{}\"", key.replace('.', "-"));
    let start = page
        .find(&id)
        .unwrap_or_else(|| panic!("{key} is not on the page"));
    let end = page[start..].find("</td>").unwrap() + start;
    &page[start..end]
}

#[test]
fn the_forms_are_drawn_with_the_failed_rules_on_their_cells() {
    // pdftotext's reading of 洪泽 2023 has 行政复议 总计 0 beside outcomes that sum to 11.
    let page = view("hongze-2023.pdftotext.txt");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no network"
    );
    for caption in [
        "表二 主动公开政府信息情况",
        "表三 收到和处理政府信息公开申请情况",
        "表四 政府信息公开行政复议、行政诉讼情况",
    ] {
        assert!(page.contains(caption), "{caption}");
    }
    // The form's merged header cells.
    assert!(page.contains("<th colspan=\"5\" scope=\"colgroup\">法人或其他组织</th>"));
    assert!(page.contains("scope=\"rowgroup\" class=\"group\">三、本年度办理结果</th>"));
    assert!(page.contains("<th colspan=\"10\" scope=\"colgroup\">行政诉讼</th>"));
    // Every cell of its tables is on the page; the failing ones are marked in words and symbol.
    assert_eq!(page.matches("<td id=\"cell-").count(), 186);
    let total = td(&page, "appeals.review.total");
    assert!(total.contains("class=\"cell st-number fails\""), "{total}");
    assert!(total.contains("fails: R4 review"), "{total}");
    assert!(total.contains("✱"));
    assert!(!td(&page, "appeals.litigation_direct.total").contains("fails"));
    // The rule beside its table, both sides of the arithmetic, linked to its cells.
    let rule = page
        .find(
            "<div class=\"rule\" data-cells=\"cell-appeals-review-total cell-appeals-review-upheld",
        )
        .unwrap();
    let rule = &page[rule..rule + page[rule..].find("</div>").unwrap()];
    assert!(rule.contains("= 0, but") && rule.contains("= 11"), "{rule}");
    assert!(page.contains("<a href=\"#cell-appeals-review-upheld\">appeals.review.upheld</a>"));
}

#[test]
fn every_status_has_a_symbol_and_words_besides_its_colour() {
    let shanghai = view("shanghai-gov-office-2019.html");
    let blank = td(&shanghai, "applications.granted.total");
    assert!(
        blank.contains("st-blank") && blank.contains("aria-label=\"blank\">∅"),
        "{blank}"
    );
    assert!(
        blank.contains("table 1, row"),
        "its place in the page's table: {blank}"
    );
    let crawl = view("pingtan-2024.txt");
    let recovered = td(&crawl, "active.normative_documents.issued");
    assert!(
        recovered.contains("st-recovered") && recovered.contains("⚑</span>62"),
        "{recovered}"
    );
    assert!(
        recovered.contains("settled by: the report&#39;s own text"),
        "{recovered}"
    );
    assert!(recovered.contains("data-line=\"10\""));
    let ambiguous = crawl
        .split("<td ")
        .find(|t| t.contains("class=\"cell st-ambiguous"))
        .expect("an ambiguous cell");
    assert!(ambiguous.contains("could be: "), "{ambiguous}");
    // The source lines cells point at travel with the page, for the panel.
    assert!(crawl.contains("<script type=\"application/json\" id=\"source-lines\">{\"10\":"));
}

#[test]
fn what_a_report_says_is_escaped() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("view-escape");
    std::fs::create_dir_all(&dir).unwrap();
    let seed = std::fs::read_to_string(root().join("fixtures/000_500855b189a022d6.txt")).unwrap();
    let hostile = seed.replacen(
        "一、总体情况",
        "一、总体情况<script>alert(1)</script>\"'&",
        1,
    );
    std::fs::write(dir.join("hostile.txt"), hostile).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["view", "hostile.txt"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
    assert_eq!(
        page.matches("<script").count(),
        2,
        "the page's own two scripts"
    );
}

/// The headless Chromium to check pages with: `$XXGK_CHROMIUM`, or `chromium` on the path. Without
/// one the browser test is skipped, unless `XXGK_REQUIRE_CHROMIUM` is set (as `.ci/run` does).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("XXGK_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .find_map(|name| {
                    Command::new(name)
                        .arg("--version")
                        .output()
                        .ok()
                        .filter(|o| o.status.success())
                        .map(|_| PathBuf::from(name))
                })
        });
    if found.is_none() {
        assert!(
            std::env::var_os("XXGK_REQUIRE_CHROMIUM").is_none(),
            "no headless Chromium found"
        );
        eprintln!("no Chromium: the browser check is skipped");
    }
    found
}

#[test]
fn the_page_runs_in_a_headless_browser_and_a_click_shows_the_source_line() {
    let Some(browser) = chromium() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("view-browser");
    std::fs::create_dir_all(&dir).unwrap();
    let page = view("pingtan-2024.txt");
    // Click a cell the way a reader would, then leave what the panel says in the DOM.
    let probe = "<script>document.getElementById('cell-active-normative_documents-issued').click();\
                 document.body.setAttribute('data-panel', document.getElementById('panel').textContent);\
                 document.body.setAttribute('data-panel-hidden', document.getElementById('panel').hidden);</script></body>";
    std::fs::write(dir.join("probe.html"), page.replace("</body>", probe)).unwrap();
    std::fs::write(dir.join("page.html"), &page).unwrap();
    let run = |args: &[&str]| {
        Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let url = |name: &str| format!("file://{}", dir.join(name).display());
    let dom = run(&["--dump-dom", &url("probe.html")]);
    assert!(dom.status.success(), "{dom:?}");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-panel-hidden=\"false\""),
        "the panel opened"
    );
    let start = dom.find("data-panel=\"").unwrap();
    let panel = &dom[start..start + dom[start..].find("\" ").unwrap_or(400)];
    assert!(
        panel.contains("active.normative_documents.issued"),
        "{panel}"
    );
    assert!(
        panel.contains("source line 10: "),
        "the crawl's line is shown: {panel}"
    );
    let shot = dir.join("page.png");
    let _ = std::fs::remove_file(&shot);
    let out = run(&[
        "--screenshot=page.png",
        "--window-size=1300,2400",
        &url("page.html"),
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 50_000,
        "a rendered page, not a blank one"
    );
}

#[test]
fn the_summary_of_an_import_as_text_and_as_a_page_with_plots() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("summary");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let xxgk = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_xxgk"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    xxgk(&[
        "import",
        root().join("fixtures").to_str().unwrap(),
        "--db",
        "db.sqlite",
        "-q",
    ]);
    let text = xxgk(&["summary", "--db", "db.sqlite"]);
    assert!(text.contains("files by status: "), "{text}");
    assert!(
        text.contains("failed ×1: an encrypted PDF is not supported"),
        "{text}"
    );
    // 平潭 2019 (its page and its text are one report): 8 of 23 granted; the Shanghai page's
    // blank 总计 cells keep it out of the rate.
    assert!(text.contains("  2019: 34.8% (8 / 23, 1 reports)"), "{text}");
    assert!(text.contains("R4: 2023 1/"), "{text}");
    xxgk(&["summary", "--db", "db.sqlite", "--html", "summary.html"]);
    let page = std::fs::read_to_string(dir.join("summary.html")).unwrap();
    assert_eq!(page.matches("<svg").count(), 3);
    assert_eq!(page.matches("role=\"img\"").count(), 3);
    assert!(page.contains("<title>Disclosure rate by year</title>"));
    assert!(page.contains("<th scope=\"row\">2019</th><td>34.8%</td><td>8</td><td>23</td>"));
    assert!(
        !page.contains("http://")
            || page.matches("http://www.w3.org").count() == page.matches("http://").count(),
        "no network but the SVG namespace"
    );
    if let Some(browser) = chromium() {
        let out = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--screenshot=summary.png",
                "--window-size=1200,2600",
            ])
            .arg(format!("file://{}", dir.join("summary.html").display()))
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(std::fs::metadata(dir.join("summary.png")).unwrap().len() > 50_000);
    }
}

/// Checks the page of a fixture against its record: every cell present with its status class and
/// its value, and every cell of a failed rule marked.
fn assert_page_holds_the_report(fixture: &str) -> String {
    let page = view(fixture);
    let bytes = std::fs::read(root().join("fixtures").join(fixture)).unwrap();
    let report = xxgk::Parser::new()
        .file_name(fixture)
        .parse(&bytes)
        .unwrap();
    let failing: std::collections::HashSet<&str> = report
        .checks
        .iter()
        .filter(|c| c.outcome == xxgk::Outcome::Failed)
        .flat_map(|c| c.cells.iter().map(String::as_str))
        .collect();
    for cell in &report.cells {
        let td = td(&page, &cell.key);
        let class = if cell.evidence.is_some() {
            "recovered"
        } else {
            cell.status.as_str()
        };
        assert!(
            td.contains(&format!("class=\"cell st-{class}")),
            "{fixture} {}: {td}",
            cell.key
        );
        if let (xxgk::CellStatus::Number, Some(value)) = (cell.status, cell.value) {
            assert!(
                td.contains(&format!(">{value}")),
                "{fixture} {} = {value}: {td}",
                cell.key
            );
        }
        assert_eq!(
            td.contains(" fails\""),
            failing.contains(cell.key.as_str()),
            "{fixture} {}: {td}",
            cell.key
        );
    }
    page
}

#[test]
fn the_seed_a_fused_crawl_with_a_broken_rule_a_2021_docx_and_a_hybrid_report() {
    let seed = assert_page_holds_the_report("000_500855b189a022d6.txt");
    assert!(!seed.contains(" fails\""), "the seed breaks no rule");
    let broken = assert_page_holds_the_report("pingtan-2024-broken-r3.txt");
    for key in [
        "applications.partially_granted.natural_person",
        "applications.total_processed.total",
    ] {
        assert!(td(&broken, key).contains("R3 "), "{key}");
    }
    assert!(broken.contains("<strong>R3 fails</strong>: R3 自然人列"));
    let docx = assert_page_holds_the_report("pingtan-2024.docx");
    assert!(
        docx.contains("<th scope=\"col\">本年制发件数</th>"),
        "the 2021 表二"
    );
    assert!(
        docx.contains("（六）其他处理</th>"),
        "2021's three 其他处理 rows under their group"
    );
    let hybrid = assert_page_holds_the_report("hongze-2023.pdftotext.txt");
    assert!(hybrid.contains("<dt>template</dt><dd>hybrid</dd>"));
}
