fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |s| s.parse().unwrap());
    let page = format!("{}一、总体情况{}", "<div>".repeat(n), "</div>".repeat(n));
    let t = std::time::Instant::now();
    let dom = scraper::Html::parse_document(&page);
    eprintln!(
        "parse {n}: {:?} nodes {}",
        t.elapsed(),
        dom.tree.nodes().count()
    );
}
