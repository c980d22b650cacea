//! Drops the attributes the reader never looks at, before the page is parsed.
//!
//! Pages exported from word processors spend most of their bytes inside tags (`style="mso-…"`,
//! `class`, `lang`, `width` on every cell: four fifths of the 平潭 pages), and the HTML parser
//! spends most of its time copying them. Each start tag is rewritten to its name and the
//! attributes that matter: `colspan`/`rowspan`, `<meta>`'s `name`/`content`, and the few the
//! tree builder itself consults (`<input type>`, `<font color|face|size>`,
//! `<annotation-xml encoding>`). The tags are read as the HTML tokenizer reads them (quoted
//! values may hold `>`; comments, `<script>`, `<style>`, `<title>` and the other raw-text
//! elements are not markup) and whatever is not certainly a start tag is copied as it is, so
//! that the parser builds the same tree from the result, with fewer attributes. A test parses
//! both and compares the trees.

use super::tokens::{comment_len, raw_text_len, read_tag};
use std::borrow::Cow;

/// Attributes kept (compared without regard to ASCII case, as the tokenizer lowercases them).
const KEPT: &[&str] = &[
    "colspan", "rowspan", "name", "content", "type", "color", "face", "size", "encoding",
];

/// Elements whose content the tokenizer reads as text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
];

/// Start tags after which the tokenizer's state is no longer certain from the tags alone: in
/// foreign content (`<svg>`, `<math>`) CDATA is text and `<title>` is markup, and in `<select>`
/// and `<frameset>` a `<title>` or `<style>` is ignored, so its content is markup. The rest of the
/// page is copied as it is.
const UNCERTAIN: &[&str] = &["svg", "math", "select", "frameset"];

/// `html` with every attribute but [`KEPT`] removed from its start tags; end tags lose theirs
/// (the parser ignores them). Borrowed when nothing was removed.
pub(super) fn slim_tags(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    // Everything before `copied` is in `out`.
    let mut copied = 0usize;
    let mut at = 0usize;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let open = at + found;
        let rest = &bytes[open..];
        let next = rest.get(1).copied();
        at = match next {
            Some(b'!') => open + markup_declaration_len(rest),
            Some(b'?') => open + through_gt(rest),
            Some(b'/') if rest.get(2).is_some_and(u8::is_ascii_alphabetic) => {
                match read_tag(html, open + 2, KEPT) {
                    Some(tag) => {
                        if tag.end - open > tag.name.len() + 3 {
                            out.push_str(&html[copied..open]);
                            out.push_str("</");
                            out.push_str(tag.name);
                            out.push('>');
                            copied = tag.end;
                        }
                        tag.end
                    }
                    None => break, // a tag cut off by the end of the input is no tag
                }
            }
            Some(b'/') if rest.get(2) == Some(&b'>') => open + 3, // `</>` is dropped
            Some(b'/') => open + through_gt(rest),                // `</ …>` is a comment
            Some(c) if c.is_ascii_alphabetic() => match read_tag(html, open + 1, KEPT) {
                Some(tag) => {
                    if tag.dropped {
                        out.push_str(&html[copied..open]);
                        out.push('<');
                        out.push_str(tag.name);
                        for attribute in &tag.kept {
                            out.push(' ');
                            out.push_str(&html[attribute.source.clone()]);
                        }
                        // A space before `/>`: an unquoted value would take the `/` in.
                        out.push_str(if tag.self_closing { " />" } else { ">" });
                        copied = tag.end;
                    }
                    let name = tag.name.to_ascii_lowercase();
                    if name == "plaintext" || UNCERTAIN.contains(&name.as_str()) {
                        break; // the rest of the page is text, or not certainly markup
                    }
                    if RAW_TEXT.contains(&name.as_str()) {
                        let content = &bytes[tag.end..];
                        match raw_text_len(content, &name) {
                            Some(len) => tag.end + len,
                            None => break,
                        }
                    } else {
                        tag.end
                    }
                }
                None => break,
            },
            _ => open + 1,
        };
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// Length of `<!…>` at the start of `rest`: a comment to its end (`-->`, `--!>`, or the
/// abrupt `<!-->`), anything else (a doctype) to the first `>`; CDATA, whose end depends on
/// where it stands, runs to the end of the input (nothing after it is rewritten).
fn markup_declaration_len(rest: &[u8]) -> usize {
    if rest.starts_with(b"<!--") {
        return comment_len(rest).unwrap_or(rest.len());
    }
    if rest.starts_with(b"<![CDATA[") {
        // Text to `]]>` in foreign content, a comment to the first `>` elsewhere: not known here.
        return rest.len();
    }
    through_gt(rest)
}

/// Length of `rest` through its first `>` (all of it when there is none).
fn through_gt(rest: &[u8]) -> usize {
    memchr::memchr(b'>', rest).map_or(rest.len(), |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scraper::{Html, Node};

    /// The tree as the reader can see it: every node in document order with its depth, and each
    /// element's kept attributes.
    fn tree(html: &str) -> Vec<String> {
        let dom = Html::parse_document(html);
        let mut out = Vec::new();
        for edge in dom.tree.root().traverse() {
            let ego_tree::iter::Edge::Open(node) = edge else {
                continue;
            };
            let depth = node.ancestors().count();
            let line = match node.value() {
                Node::Element(e) => {
                    let mut kept: Vec<String> = e
                        .attrs()
                        .filter(|(name, _)| KEPT.contains(name))
                        .map(|(name, value)| format!("{name}={value:?}"))
                        .collect();
                    kept.sort();
                    format!("<{} {}>", e.name(), kept.join(" "))
                }
                Node::Text(t) => format!("text {:?}", &**t),
                Node::Comment(c) => format!("comment {:?}", &**c),
                Node::Doctype(d) => {
                    format!("doctype {} {} {}", d.name(), d.public_id(), d.system_id())
                }
                Node::ProcessingInstruction(p) => format!("pi {} {}", p.target, p.data),
                Node::Document | Node::Fragment => "root".to_string(),
            };
            out.push(format!("{depth} {line}"));
        }
        out
    }

    fn same_tree(html: &str) {
        let slim = slim_tags(html);
        assert_eq!(tree(html), tree(&slim), "slimmed: {slim}");
    }

    #[test]
    fn the_real_pages_parse_to_the_same_tree_with_a_fraction_of_their_bytes() {
        for (_, html) in super::super::fixture_pages() {
            same_tree(&html);
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let page = std::fs::read_to_string(dir.join("pingtan-2024.html")).unwrap();
        let slim = slim_tags(&page);
        assert!(
            slim.len() * 2 < page.len(),
            "{} of {} bytes",
            slim.len(),
            page.len()
        );
    }

    #[test]
    fn quoted_greater_than_signs_comments_and_raw_text_are_not_tags() {
        for html in [
            r#"<td class="a>b" colspan=2 style='x>y'>1</td>"#,
            r#"<p title="<td class=x>">t</p><td rowspan="3"lang=zh>2"#,
            "<!-- <td class=x> --> <td class=y colspan=2>",
            "<!--> <td class=x> <!---> <td class=y> <!-- a --!> <b class=z>",
            "<script>var s = '<td class=\"x\">';</script><td class=y>",
            "<script><!-- <script> </script> <td class=x> --></script><p class=y>",
            "<title><b class=x></title><textarea><i class=y></TEXTAREA ><u class=z>",
            "<style>td{}</style class=q><td class=x>",
            "<svg><title><b class=x></title></svg><td class=y>",
            "<![CDATA[ <b class=x> ]]> <svg><![CDATA[ <i class=y> ]]></svg>",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\"><p class=x>",
            "<? xml ?></ comment class=x><//><p/ class=a/><br class=b/>",
            "<table><input type=hidden class=x><tr><td class=y>1</table>",
            "<math><annotation-xml encoding=\"text/html\" class=x><div class=y></div>",
            "<svg><font color=red class=x><p class=y>",
            "<p class=x",
            "<td colspan=2 rowspan",
            "<td colspan=\"2",
            "<plaintext class=x><td class=y>",
            "<td COLSPAN = \"2\" ROWSPAN= 3 =x a=>b</td>",
            "<meta name=\"ArticleTitle\" content=\"平潭\" http-equiv=x>",
        ] {
            same_tree(html);
        }
    }

    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "<td",
            "<TD",
            "<p",
            "<tr",
            "<table",
            "<script",
            "<title",
            "<style",
            "<svg",
            "<br",
            "</td",
            "</p",
            "</script",
            "</title",
            "</style",
            "</svg",
            "</",
            "<",
            ">",
            "/>",
            "/",
            " ",
            "\n",
            "=",
            "\"",
            "'",
            " class=",
            " colspan=",
            " rowspan=",
            " style=\"a>b\"",
            "<!--",
            "-->",
            "--!>",
            "<!",
            "<![CDATA[",
            "]]>",
            "<?",
            "x",
            "1",
            "平潭",
            "&nbsp;",
            "<select",
            "<math",
            "<frameset",
            "<textarea",
            "<noscript",
            "<iframe",
            "<plaintext",
            "<input",
            " type=hidden",
            "<font",
            " color=red",
            "</table",
            "</select",
            "<template",
        ])
    }

    proptest! {
        #[test]
        fn any_markup_parses_to_the_same_tree(parts in prop::collection::vec(fragment(), 0..40)) {
            let html: String = parts.concat();
            let slim = slim_tags(&html);
            prop_assert_eq!(tree(&html), tree(&slim), "slimmed: {}", slim);
        }
    }
}
