//! HTML to [`Document`]: a saved government page or a bare fragment.
//!
//! A crawled page holds the report as one content element among navigation, search forms, scripts
//! and link lists. The report is found by where its words are: every element is scored by the
//! report markers (section titles, table anchors) in its text, and the smallest element holding
//! nearly all of them is read; the portal chrome around it never reaches the document. The page's
//! `<title>` and `<meta name="ArticleTitle">`/`ContentSource`/`PubDate`/`Url` become the
//! container's metadata.
//!
//! Inside the content, block elements and `<br>` end paragraphs; a `<table>` holding no other
//! table is a data table (`colspan`/`rowspan` kept on each cell, `&nbsp;`, `<br>` and nested
//! `<p>`/`<span>` folded into the cell's text), while a table that holds tables is layout and is
//! read through. The walk is iterative, so deeply nested junk cannot overflow the stack.

use crate::document::{Block, ContainerInfo, Document, Paragraph, Row, Table, TableCell};
use crate::fold::{fold, fold_char};
use crate::report::{Finding, Severity};
use aho_corasick::AhoCorasick;
use scraper::Html;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;
use tree::{Edge, Kind, NodeId, Tree};

mod direct;
mod slim;
mod tokens;
mod tree;

/// Texts whose presence marks an element as holding the report.
const MARKERS: &[&str] = &[
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请",
    "行政复议",
    "行政诉讼",
    "存在的主要问题",
    "其他需要报告的事项",
    "第二十条",
    "信息内容",
    "本年新收政府信息公开申请数量",
    "结转下年度继续办理",
    "本报告",
    "统计期限",
];

/// Deepest element nesting passed to the HTML parser (real pages stay far below; html5ever's
/// tree building is quadratic in depth, so deeper junk is flattened first).
const MAX_DEPTH: usize = 512;
/// Share of all markers the content element must hold.
const CONTENT_SHARE: f64 = 0.8;
/// Largest `colspan`/`rowspan` believed.
const MAX_SPAN: u32 = 1000;

/// Reads an HTML page or fragment into a document.
pub fn read(html: &str) -> Document {
    let mut dropped = 0;
    let tree = direct::build(html).unwrap_or_else(|| {
        let html = slim::slim_tags(html);
        let (html, count) = limit_nesting(&html, MAX_DEPTH);
        dropped = count;
        Tree::from_html5ever(&Html::parse_document(&html))
    });
    let container = container_info(&tree);
    let root = content_root(&tree);
    let mut walker = Walker {
        tree: &tree,
        blocks: Vec::new(),
        paragraph: String::new(),
    };
    walker.walk(root);
    walker.flush();
    let mut findings = Vec::new();
    if dropped > 0 {
        findings.push(Finding::new(
            "input.nesting",
            Severity::Warning,
            format!(
                "the page nests elements deeper than {MAX_DEPTH}: {dropped} tags beyond that depth were dropped (their text is kept, the structure they gave is not)"
            ),
        ));
    }
    Document {
        blocks: walker.blocks,
        container,
        findings,
    }
}

/// Elements without content, which never nest.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// A tag found by [`scan_tags`].
struct Tag<'a> {
    start: usize,
    end: usize,
    name: &'a str,
    closing: bool,
    nests: bool,
}

/// The tags of an HTML text, found cheaply (no tree is built).
fn scan_tags(html: &str) -> impl Iterator<Item = Tag<'_>> {
    let bytes = html.as_bytes();
    let mut at = 0usize;
    std::iter::from_fn(move || loop {
        let open = at + memchr::memchr(b'<', bytes.get(at..)?)?;
        if bytes[open..].starts_with(b"<!--") {
            let close = html[open + 4..]
                .find("-->")
                .map_or(bytes.len(), |i| open + 4 + i + 3);
            at = close;
            continue;
        }
        let close =
            open + memchr::memchr(b'>', &bytes[open..]).unwrap_or(bytes.len() - open - 1) + 1;
        at = close.max(open + 1);
        let closing = bytes.get(open + 1) == Some(&b'/');
        let name_start = open + 1 + usize::from(closing);
        let name_len = bytes[name_start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &html[name_start..name_start + name_len];
        let self_closing = bytes[..close.min(bytes.len())].ends_with(b"/>");
        let nests = !self_closing && !is_void(&lowercase(name));
        return Some(Tag {
            start: open,
            end: close.min(bytes.len()),
            name,
            closing,
            nests,
        });
    })
}

/// Start tags that close an open `<p>`.
fn closes_a_paragraph(name: &str) -> bool {
    direct::is_body_block(name)
        || direct::is_heading(name)
        || matches!(
            name,
            "form" | "pre" | "listing" | "table" | "li" | "dd" | "dt"
        )
}

/// The open elements, as an HTML parser keeps them: a start tag closes what the parser would close
/// for it (a `<p>` an open `<p>`, a `<td>` an open `<td>`), an end tag closes the elements open
/// inside its own. Depth is what the tree builder will see, not the count of start tags: a page that
/// omits its optional end tags (`</p>`, `</td>`, `</li>`) is not deep.
#[derive(Default)]
struct OpenElements<'a> {
    stack: Vec<Cow<'a, str>>,
}

/// A tag name in lower case, copied only when it is not already.
fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

impl<'a> OpenElements<'a> {
    fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Closes the nearest open `names` element, and what is open inside it, unless one of
    /// `scope` comes first.
    fn close_nearest(&mut self, names: &[&str], scope: &[&str]) {
        for i in (0..self.stack.len()).rev() {
            let open = &*self.stack[i];
            if names.contains(&open) {
                self.stack.truncate(i);
                return;
            }
            if scope.contains(&open) {
                return;
            }
        }
    }

    fn start(&mut self, name: Cow<'a, str>) {
        const P_SCOPE: &[&str] = &["td", "th", "table", "button", "html", "body"];
        if closes_a_paragraph(&name) {
            self.close_nearest(&["p"], P_SCOPE);
        }
        match &*name {
            "li" => self.close_nearest(&["li"], &["ul", "ol", "td", "th", "table"]),
            "dt" | "dd" => self.close_nearest(&["dt", "dd"], &["dl", "td", "th", "table"]),
            "tr" => self.close_nearest(&["tr"], &["table", "tbody", "thead", "tfoot"]),
            "td" | "th" => self.close_nearest(&["td", "th"], &["tr", "table"]),
            "tbody" | "thead" | "tfoot" => {
                self.close_nearest(&["tbody", "thead", "tfoot"], &["table"])
            }
            "option" => self.close_nearest(&["option"], &["select", "datalist"]),
            "optgroup" => self.close_nearest(&["optgroup", "option"], &["select"]),
            "rt" | "rp" => self.close_nearest(&["rt", "rp"], &["ruby"]),
            _ => {}
        }
        self.stack.push(name);
    }

    /// An end tag: closes its element and what is open inside it; `false` when none is open.
    fn end(&mut self, name: &str) -> bool {
        match self.stack.iter().rposition(|open| *open == name) {
            Some(i) => {
                self.stack.truncate(i);
                true
            }
            None => false,
        }
    }
}

/// Drops the tags that would nest elements deeper than `max_depth` (and their end tags), keeping
/// all text; returns the text and how many tags were dropped. Real pages pass through untouched.
fn limit_nesting(html: &str, max_depth: usize) -> (Cow<'_, str>, usize) {
    // Elements are no deeper than there are start tags, and every tag starts with `<`.
    if memchr::memchr_iter(b'<', html.as_bytes())
        .nth(max_depth)
        .is_none()
    {
        return (Cow::Borrowed(html), 0);
    }
    let mut open = OpenElements::default();
    let too_deep = scan_tags(html).any(|tag| {
        if tag.nests {
            let name = lowercase(tag.name);
            if tag.closing {
                open.end(&name);
            } else {
                open.start(name);
            }
        }
        open.depth() > max_depth
    });
    if !too_deep {
        return (Cow::Borrowed(html), 0);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0usize;
    let mut open = OpenElements::default();
    let mut dropped: HashMap<String, usize> = HashMap::new();
    let mut count = 0usize;
    for tag in scan_tags(html) {
        if !tag.nests {
            continue;
        }
        let name = lowercase(tag.name);
        let drop = if tag.closing {
            match dropped.get_mut(&*name) {
                Some(n) if *n > 0 && !open.stack.contains(&name) => {
                    *n -= 1;
                    true
                }
                _ => {
                    open.end(&name);
                    false
                }
            }
        } else if open.depth() >= max_depth {
            *dropped.entry(name.into_owned()).or_default() += 1;
            true
        } else {
            open.start(name);
            false
        };
        if drop {
            count += 1;
            out.push_str(&html[copied..tag.start]);
            copied = tag.end;
        }
    }
    out.push_str(&html[copied..]);
    (Cow::Owned(out), count)
}

fn markers() -> &'static AhoCorasick {
    static AUTOMATON: OnceLock<AhoCorasick> = OnceLock::new();
    AUTOMATON.get_or_init(|| {
        AhoCorasick::new(MARKERS).unwrap_or_else(|err| panic!("HTML markers must compile: {err}"))
    })
}

/// The page's title and publishing metadata from `<title>` and `<meta>`.
fn container_info(tree: &Tree) -> ContainerInfo {
    let mut info = ContainerInfo::default();
    let mut page_title = None;
    for node in tree.descendants(Tree::ROOT) {
        match tree.name(node) {
            Some("title") if page_title.is_none() => {
                let text: String = tree
                    .descendants(node)
                    .filter_map(|n| tree.text(n))
                    .collect();
                page_title = Some(text.trim().to_string());
            }
            Some("meta") => {
                let name = tree
                    .attribute(node, "name")
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let content = tree
                    .attribute(node, "content")
                    .map(str::trim)
                    .filter(|c| !c.is_empty());
                let Some(content) = content else { continue };
                let slot = match name.as_str() {
                    "articletitle" => &mut info.title,
                    "contentsource" => &mut info.publisher,
                    "pubdate" => &mut info.published,
                    "url" => &mut info.url,
                    _ => continue,
                };
                slot.get_or_insert_with(|| content.to_string());
            }
            _ => {}
        }
    }
    if info.title.is_none() {
        // "报告标题_栏目_站点": the part that names the report.
        info.title = page_title.and_then(|t| {
            t.split(['_', '|'])
                .map(str::trim)
                .find(|part| fold(part).contains("信息公开"))
                .map(str::to_string)
        });
    }
    info
}

/// The smallest element holding most of the report's markers (or `<body>`/the root).
fn content_root(tree: &Tree) -> NodeId {
    let scores = marker_scores(tree);
    let score = |id: NodeId| scores.get(id as usize).copied().unwrap_or(0);
    let body = tree
        .descendants(Tree::ROOT)
        .find(|&n| tree.is(n, "body"))
        .unwrap_or(Tree::ROOT);
    let total = score(body);
    if total == 0 {
        return body;
    }
    let needed = (total as f64 * CONTENT_SHARE).ceil() as usize;
    let mut current = body;
    loop {
        let best = tree
            .children(current)
            .filter(|&c| tree.name(c).is_some_and(is_container))
            .max_by_key(|&c| score(c));
        match best {
            Some(child) if score(child) >= needed => current = child,
            _ => return current,
        }
    }
}

/// Report markers in each node's text (scripts and the like excluded), in one post-order pass;
/// indexed by node.
fn marker_scores(tree: &Tree) -> Vec<usize> {
    let mut scores = vec![0usize; tree.len()];
    let mut stack: Vec<usize> = vec![0];
    // One buffer for every node's folded text.
    let mut folded = String::new();
    for edge in tree.traverse(Tree::ROOT) {
        match edge {
            Edge::Open(_) => stack.push(0),
            Edge::Close(node) => {
                let mut score = stack.pop().unwrap_or(0);
                match tree.kind(node) {
                    // Every marker is three Chinese characters or more (folding keeps or drops
                    // a character, never adds one): text with fewer non-ASCII ones holds none.
                    Kind::Text(text) if text.chars().filter(|c| !c.is_ascii()).nth(2).is_some() => {
                        folded.clear();
                        folded.extend(text.chars().filter_map(fold_char));
                        score += markers().find_iter(&folded).count()
                    }
                    Kind::Element { name, .. } if is_skipped(name) => score = 0,
                    _ => {}
                }
                if score > 0 {
                    scores[node as usize] = score;
                    if let Some(parent) = stack.last_mut() {
                        *parent += score;
                    }
                }
            }
        }
    }
    scores
}

/// Elements that can hold a whole report (the content element is one of them).
fn is_container(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "section"
            | "article"
            | "main"
            | "center"
            | "form"
            | "table"
            | "tbody"
            | "tr"
            | "td"
            | "th"
            | "font"
            | "blockquote"
    )
}

/// Elements whose content is never text of the report.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "head"
            | "template"
            | "iframe"
            | "object"
            | "select"
            | "option"
            | "button"
            | "input"
            | "textarea"
            | "svg"
            | "canvas"
            | "video"
            | "audio"
            | "map"
            | "embed"
    )
}

/// Elements that end a paragraph.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dd"
            | "dt"
            | "blockquote"
            | "pre"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "center"
            | "main"
            | "nav"
            | "aside"
            | "form"
            | "hr"
            | "address"
            | "figure"
            | "figcaption"
            | "caption"
            | "body"
            | "html"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
    )
}

/// Collects blocks while walking the content.
struct Walker<'t> {
    tree: &'t Tree<'t>,
    blocks: Vec<Block>,
    paragraph: String,
}

impl Walker<'_> {
    fn walk(&mut self, root: NodeId) {
        let tree = self.tree;
        let mut skip_until: Option<NodeId> = None;
        for edge in tree.traverse(root) {
            match edge {
                Edge::Open(node) => {
                    if skip_until.is_some() {
                        continue;
                    }
                    match tree.kind(node) {
                        Kind::Text(text) => push_collapsed(&mut self.paragraph, text),
                        Kind::Element { name, .. } => {
                            if is_skipped(name) {
                                skip_until = Some(node);
                            } else if name == "table" && !has_nested_table(tree, node) {
                                self.flush();
                                self.blocks.push(Block::Table(read_table(tree, node)));
                                skip_until = Some(node);
                            } else if name == "br" || is_block(name) {
                                self.flush();
                            }
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if skip_until == Some(node) {
                        skip_until = None;
                        continue;
                    }
                    if skip_until.is_none() && tree.name(node).is_some_and(is_block) {
                        self.flush();
                    }
                }
            }
        }
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.paragraph);
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if !text.trim().is_empty() {
            self.blocks.push(Block::Paragraph(Paragraph {
                text: text.to_string(),
                origin: None,
                numbering: None,
            }));
        }
    }
}

/// Appends text with runs of HTML whitespace (not U+00A0) collapsed to one space.
fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
            if !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

fn has_nested_table(tree: &Tree, table: NodeId) -> bool {
    tree.descendants(table).skip(1).any(|n| tree.is(n, "table"))
}

/// A data table: its rows and cells, spans as declared.
fn read_table(tree: &Tree, table: NodeId) -> Table {
    let mut rows = Vec::new();
    for node in tree.descendants(table) {
        if !tree.is(node, "tr") {
            continue;
        }
        let cells = tree
            .children(node)
            .filter(|&c| tree.name(c).is_some_and(|n| matches!(n, "td" | "th")))
            .map(|cell| {
                let span = |attr: &str| {
                    tree.attribute(cell, attr)
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .map_or(1, |n| n.clamp(1, MAX_SPAN))
                };
                TableCell {
                    text: cell_text(tree, cell),
                    origin: None,
                    col_span: span("colspan"),
                    row_span: span("rowspan"),
                    place: None,
                }
            })
            .collect();
        rows.push(Row {
            skip_before: 0,
            cells,
        });
    }
    Table { rows }
}

/// A cell's text: blocks and `<br>` become line breaks, other whitespace collapses.
fn cell_text(tree: &Tree, cell: NodeId) -> String {
    let mut text = String::new();
    let mut skip_until: Option<NodeId> = None;
    for edge in tree.traverse(cell) {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match tree.kind(node) {
                    Kind::Text(t) => push_collapsed(&mut text, t),
                    Kind::Element { name, .. } if is_skipped(name) => skip_until = Some(node),
                    Kind::Element { name, .. }
                        if node != cell && (name == "br" || is_block(name)) =>
                    {
                        line_break(&mut text)
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip_until == Some(node) {
                    skip_until = None;
                } else if skip_until.is_none()
                    && node != cell
                    && tree.name(node).is_some_and(is_block)
                {
                    line_break(&mut text);
                }
            }
        }
    }
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.trim_matches(' '))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

fn line_break(text: &mut String) {
    let trimmed = text.trim_end_matches(' ').len();
    text.truncate(trimmed);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// The HTML pages in `fixtures/` (at least five), each with its path.
#[cfg(test)]
fn fixture_pages() -> Vec<(std::path::PathBuf, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            let html = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            pages.push((path, html));
        }
    }
    assert!(pages.len() >= 5, "{} pages", pages.len());
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_is_three_chinese_characters_or_more() {
        // marker_scores skips text with fewer non-ASCII characters.
        for marker in MARKERS {
            assert!(
                marker.chars().filter(|c| !c.is_ascii()).count() >= 3,
                "{marker}"
            );
        }
    }

    #[test]
    fn finds_the_report_inside_portal_chrome() {
        let page = r#"<html><head><title>某县2024年度政府信息公开工作年度报告_年报_某县政府</title>
            <meta name="ContentSource" content="某县政府办公室"><script>var x = "一、总体情况";</script></head>
            <body><div class="nav"><a>首页</a><a>政府信息公开年报</a></div>
            <div class="main"><div class="TRS_Editor"><p>本报告依据……统计期限为2024年1月1日至12月31日。</p>
            <p><span style="font-family: 黑体">一、总体情况</span></p><p>正文。</p>
            <p>二、主动公开政府信息情况</p><table><tr><td colspan="4">第二十条第（一）项</td></tr>
            <tr><td>信息内容</td><td>本年<br/>制发件数</td></tr><tr><td>规章</td><td>&nbsp;3&nbsp;</td></tr></table>
            <p>六、其他需要报告的事项</p></div></div><div class="footer">版权所有 网站地图</div></body></html>"#;
        let doc = read(page);
        let paragraphs: Vec<&str> = doc.paragraphs().map(|p| p.text.as_str()).collect();
        assert_eq!(paragraphs[1], "一、总体情况");
        assert!(!paragraphs
            .iter()
            .any(|p| p.contains("首页") || p.contains("版权所有")));
        let table = doc.tables().next().unwrap();
        assert_eq!(table.rows[0].cells[0].col_span, 4);
        assert_eq!(table.rows[1].cells[1].text, "本年\n制发件数");
        assert_eq!(table.rows[2].cells[1].text, "\u{a0}3\u{a0}");
        assert_eq!(
            doc.container.title.as_deref(),
            Some("某县2024年度政府信息公开工作年度报告")
        );
        assert_eq!(doc.container.publisher.as_deref(), Some("某县政府办公室"));
    }

    #[test]
    fn layout_tables_are_read_through() {
        let page = "<table><tr><td><p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table></td></tr></table>";
        let doc = read(page);
        assert_eq!(doc.paragraphs().next().unwrap().text, "一、总体情况");
        assert_eq!(doc.tables().next().unwrap().rows[0].cells[1].text, "0");
    }

    #[test]
    fn deep_nesting_is_flattened_before_parsing() {
        let page = format!(
            "{}一、总体情况{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let (limited, dropped) = limit_nesting(&page, MAX_DEPTH);
        assert_eq!(limited.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(limited.matches("</div>").count(), MAX_DEPTH);
        assert_eq!(dropped, 2 * (100_000 - MAX_DEPTH));
        let doc = read(&page);
        assert_eq!(
            doc.paragraphs()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>(),
            vec!["一、总体情况"]
        );
        assert!(doc.findings.iter().any(|f| f.rule == "input.nesting"));
        let normal = "<div><p>一</p><br/><img src=x><div>二</div></div>";
        assert!(matches!(
            limit_nesting(normal, 2).0,
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn optional_end_tags_do_not_count_as_nesting() {
        // 600 paragraphs and 600 cells without their end tags are not 1,200 levels deep.
        let page = format!(
            "<div>{}<table>{}</table><p>一、总体情况</div>",
            "<p>栏目".repeat(600),
            "<tr><td>a<td>b".repeat(600)
        );
        let (limited, dropped) = limit_nesting(&page, MAX_DEPTH);
        assert_eq!(dropped, 0);
        assert!(matches!(limited, std::borrow::Cow::Borrowed(_)));
        assert!(read(&page).findings.is_empty());
    }
}
