//! Title, agency, year, statistics period, cited notices, website and contact.
//!
//! Sources, best first: the title (in the body, or in a crawler's header, or the container's), the
//! preamble (由宜春市统计局…编制, 请与…联系, the statistics period), a crawler's 发布机构, and the
//! signature at the end. Where each of agency and year came from is recorded.

use crate::document::{Block, Document};
use crate::fold::{fold, simplified_text, without_glosses};
use crate::report::{Contact, Metadata, Period};
use regex::Regex;
use std::sync::OnceLock;

/// Paragraphs read before the first section for a title (a saved page has its navigation first).
const TITLE_WINDOW: usize = 80;
/// Longest title accepted, in characters.
const MAX_TITLE: usize = 80;

/// Lines a crawler or the corpus tooling put before the report.
#[derive(Debug, Default)]
pub struct Header {
    /// Blocks that belong to the header (not to the report).
    pub blocks: Vec<usize>,
    /// `key: value` pairs it holds.
    pub fields: Vec<(String, String)>,
}

impl Header {
    fn field(&self, names: &[&str]) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, v)| names.contains(&k.as_str()) && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|err| panic!("metadata pattern {pattern:?}: {err}"))
}

macro_rules! pattern {
    ($name:ident, $re:expr) => {
        fn $name() -> &'static Regex {
            static CELL: OnceLock<Regex> = OnceLock::new();
            CELL.get_or_init(|| re($re))
        }
    };
}

pattern!(header_field, r"^\s*#?\s*([\p{Han}]{2,6})\s*[:：]\s*(.*)$");
pattern!(year_in_title, r"((?:19|20)\d{2})\s*年(度)?");
pattern!(
    period_pattern,
    r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起\s*)?(?:至|到|—|－|-|～|~)\s*(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
);
pattern!(
    notice_pattern,
    r"([\p{Han}]{1,10})\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*(\d{1,4})\s*号"
);
pattern!(
    url_pattern,
    r"(?i)(?:https?://|www\.)[A-Za-z0-9./_\-?=&%#:~]+[A-Za-z0-9/]"
);
pattern!(
    address_pattern,
    r"(?:通讯|联系|办公)?地址\s*[:：]\s*([^，,；;。）)\n]{4,60})"
);
pattern!(postcode_pattern, r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})");
pattern!(
    phone_pattern,
    r"(?:联系|咨询|办公)?电话\s*[:：]?\s*([0-9０-９][0-9０-９\-－—()（） ]{5,24}[0-9０-９])"
);
pattern!(
    email_pattern,
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
);
pattern!(
    made_by,
    r"由\s*([^，,。；;、：:（）()\s《》“”]{2,40}?)\s*(?:结合|根据|依据|会同|按照|汇总|负责|编制)"
);
pattern!(
    contact_by,
    r"请与\s*([^，,。；;、：:（）()\s《》“”]{2,40}?)\s*联系"
);
pattern!(source_line, r"来源\s*[:：]\s*([^\s，,。；;：:]{2,30})");
pattern!(
    named_report,
    r"([\p{Han}（）()·]{2,50}?)\s*(?:19|20)\d{2}\s*年度?\s*政府信息公开(?:工作)?(?:年度)?报告"
);
pattern!(
    page_prefix,
    r"^\s*(?:Page\s*\d+\s*[-–—:：]\s*|第\s*\d+\s*页\s*[-–—:：]?\s*)"
);
pattern!(
    date_line,
    r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$"
);

/// Finds the crawler or tooling header at the start of a document: `标题: …` lines up to a
/// `==== 正文 ====` line, or `# …` comment lines.
pub fn find_header(doc: &Document) -> Header {
    let mut header = Header::default();
    for (i, block) in doc.blocks.iter().enumerate().take(40) {
        let Block::Paragraph(p) = block else { break };
        let line = p.text.trim();
        if line.starts_with("====") && line.contains("正文") {
            header.blocks.push(i);
            return header;
        }
        let comment = line.starts_with('#') && !line.starts_with("##");
        match header_field().captures(line) {
            Some(caps) => {
                header.blocks.push(i);
                let key = caps.get(1).map_or("", |m| m.as_str()).to_string();
                let value = caps.get(2).map_or("", |m| m.as_str()).to_string();
                header.fields.push((key, value));
            }
            None if comment || (!header.blocks.is_empty() && is_crawler_note(line)) => {
                header.blocks.push(i);
                if comment {
                    if let Some(rest) = line.strip_prefix('#') {
                        header.fields.push(("#".into(), rest.trim().to_string()));
                    }
                }
            }
            None => break,
        }
    }
    // Without a closing ==== line, only a run of several fields is a header.
    if header.fields.iter().filter(|(k, _)| k != "#").count() < 3
        && !header.fields.iter().any(|(k, _)| k == "#")
    {
        return Header::default();
    }
    header
}

fn is_crawler_note(line: &str) -> bool {
    line.starts_with("页面链接") || line.starts_with("本地目录")
}

/// The title: a short paragraph before block `before` (the first section heading) that names
/// 信息公开 and a 年度报告 of a year (joined with the next line when the title was broken), else the
/// header's 标题, else the container's title. Returns the title and the blocks it used.
pub fn find_title(doc: &Document, header: &Header, before: usize) -> (Option<String>, Vec<usize>) {
    let paragraphs: Vec<(usize, &str)> = doc
        .blocks
        .iter()
        .enumerate()
        .filter(|(i, _)| !header.blocks.contains(i))
        .take_while(|(i, _)| *i < before)
        .take(TITLE_WINDOW)
        .filter_map(|(i, b)| match b {
            Block::Paragraph(p) => Some((i, p.text.trim())),
            Block::Table(_) => None,
        })
        .collect();
    let is_title = |text: &str| {
        let folded = crate::fold::Folded::new(text).text;
        let words = text.split_whitespace().count();
        folded.chars().count() <= MAX_TITLE
            && words <= 4
            && folded.contains("信息公开")
            && folded.contains("报告")
            && (folded.contains("年度报告") || title_year(text).is_some())
    };
    for (n, &(i, text)) in paragraphs.iter().enumerate() {
        if is_title(text) {
            // A title broken after the agency's name: `城口县人民政府机关` / `2020年政府信息…`.
            let title = clean_title(text);
            if title_agency(&title).is_none() && title_year(&title).is_some() {
                if let Some(&(p, previous)) = n.checked_sub(1).and_then(|k| paragraphs.get(k)) {
                    let name = previous.trim();
                    if is_agency(name) && is_name_line(name) {
                        return (Some(format!("{name}{title}")), vec![p, i]);
                    }
                }
            }
            return (Some(title), vec![i]);
        }
        // A title broken over two short lines, either way round.
        if let Some(&(j, next)) = paragraphs.get(n + 1) {
            let short = |t: &str| fold(t).chars().count() <= 40;
            let joined = format!("{text}{next}");
            // …unless the second line is a whole title on its own (it names the year).
            let complete = is_title(next) && title_year(next).is_some();
            if short(text) && short(next) && is_title(&joined) && !complete {
                return (Some(clean_title(&joined)), vec![i, j]);
            }
        }
    }
    let fallback = header
        .field(&["标题", "题名", "#"])
        .filter(|t| fold(t).contains("信息公开"))
        .map(clean_title)
        .or_else(|| doc.container.title.as_deref().map(clean_title));
    (fallback, Vec::new())
}

fn clean_title(text: &str) -> String {
    let text = text.trim_start_matches(['#', ' ', '\t']).trim();
    // A flipbook's page header before the title: `Page 8 - …`.
    let text = match page_prefix().find(text) {
        Some(m) => &text[m.end()..],
        None => text,
    };
    text.trim().to_string()
}

/// Everything the metadata holds, plus agency and year, from the title, header, preamble and text.
pub struct Extracted {
    /// The agency.
    pub agency: Option<String>,
    /// The report year.
    pub year: Option<u16>,
    /// The rest.
    pub metadata: Metadata,
}

/// Reads metadata from the title, the header, the preamble and (for what the preamble lacks)
/// the start of the whole text.
///
/// Paragraphs listed in `table_blocks` (tables rendered as text) are not read for it.
pub fn extract(
    title: Option<&str>,
    header: &Header,
    preamble: &str,
    doc: &Document,
    table_blocks: &[usize],
) -> Extracted {
    let title = title.map(without_glosses);
    let title = title.as_deref();
    let preamble = &*without_glosses(preamble);
    let mut metadata = Metadata::default();
    let body = body_prefix(doc, header, table_blocks, 20_000);
    let search = |f: &dyn Fn(&str) -> Option<String>| f(preamble).or_else(|| f(&body));

    metadata.period = find_period(preamble).or_else(|| find_period(&body));
    metadata.notices = find_notices(&format!("{preamble}\n{body}"));
    metadata.format_notice = format_notice(&metadata.notices);
    metadata.website = search(&|t: &str| url_pattern().find(t).map(|m| m.as_str().to_string()));
    metadata.contact = Contact {
        address: search(&|t: &str| capture(address_pattern(), t)),
        postcode: search(&|t: &str| capture(postcode_pattern(), t)),
        phone: search(&|t: &str| capture(phone_pattern(), t).map(|p| p.trim().to_string())),
        email: search(&|t: &str| email_pattern().find(t).map(|m| m.as_str().to_string())),
    };
    metadata.publisher = header
        .field(&["发布机构", "来源单位", "单位"])
        .map(str::to_string)
        .or_else(|| comment_field(header, "发布机构"))
        .or_else(|| doc.container.publisher.clone())
        .or_else(|| capture(source_line(), preamble));
    metadata.published = header
        .field(&["发布时间", "公开日期", "发布日期"])
        .map(str::to_string)
        .or_else(|| doc.container.published.clone());
    metadata.source_url = header
        .field(&["原文链接", "来源", "链接"])
        .filter(|v| v.starts_with("http"))
        .map(str::to_string)
        .or_else(|| doc.container.url.clone());

    let (year, year_source) = match title.and_then(title_year) {
        Some(y) => (Some(y), Some("title")),
        None => match metadata
            .period
            .as_ref()
            .and_then(|p| p.start[..4].parse().ok())
        {
            Some(y) => (Some(y), Some("period")),
            None => match body_year(preamble) {
                Some(y) => (Some(y), Some("preamble")),
                None => (
                    body_year(first_chars(&body, BODY_YEAR_WINDOW)),
                    Some("body"),
                ),
            },
        },
    };
    metadata.year_source = year.and(year_source).map(str::to_string);

    let agency = title
        .and_then(title_agency)
        .map(|a| (a, "title"))
        .or_else(|| capture(made_by(), preamble).map(|a| (a, "preamble")))
        .or_else(|| named_in_sentence(preamble).map(|a| (a, "preamble")))
        .or_else(|| {
            capture(contact_by(), preamble)
                .map(|a| without_office(&a))
                .filter(|a| is_full_name(a))
                .map(|a| (a, "contact"))
        })
        .or_else(|| signature(doc).map(|a| (a, "signature")))
        .or_else(|| metadata.publisher.clone().map(|a| (a, "publisher")));
    metadata.agency_source = agency.as_ref().map(|(_, s)| s.to_string());
    Extracted {
        agency: agency.map(|(a, _)| a),
        year,
        metadata,
    }
}

/// The first group of `pattern` in `text`, matched on the text in simplified script and cut out
/// of the text as written.
fn capture(pattern: &Regex, text: &str) -> Option<String> {
    let simple = simplified_text(text);
    pattern
        .captures(&simple)
        .and_then(|c| c.get(1))
        .and_then(|m| text.get(m.range()))
        .map(|m| m.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `发布机构 X;` inside a `#` comment line of the corpus tooling.
fn comment_field(header: &Header, name: &str) -> Option<String> {
    header
        .fields
        .iter()
        .filter(|(k, _)| k == "#")
        .find_map(|(_, v)| {
            let at = v.find(name)? + name.len();
            let rest = v[at..].trim_start();
            let end = rest.find([';', '；', ',']).unwrap_or(rest.len());
            let value = rest[..end].trim();
            (!value.is_empty()).then(|| value.to_string())
        })
}

/// The text of the document's paragraphs (header excluded), up to `limit` bytes.
fn body_prefix(doc: &Document, header: &Header, table_blocks: &[usize], limit: usize) -> String {
    let mut text = String::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        if header.blocks.contains(&i) || table_blocks.binary_search(&i).is_ok() {
            continue;
        }
        if let Block::Paragraph(p) = block {
            text.push_str(&p.text);
            text.push('\n');
            if text.len() >= limit {
                break;
            }
        }
    }
    text
}

fn find_period(text: &str) -> Option<Period> {
    let caps = period_pattern().captures(text)?;
    let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let start_year = num(1)?;
    let end_year = num(4).unwrap_or(start_year);
    let (m1, d1, m2, d2) = (num(2)?, num(3)?, num(5)?, num(6)?);
    let valid = |m: u32, d: u32| (1..=12).contains(&m) && (1..=31).contains(&d);
    if !valid(m1, d1) || !valid(m2, d2) {
        return None;
    }
    Some(Period {
        start: format!("{start_year:04}-{m1:02}-{d1:02}"),
        end: format!("{end_year:04}-{m2:02}-{d2:02}"),
        raw: caps.get(0).map_or("", |m| m.as_str()).to_string(),
    })
}

fn find_notices(text: &str) -> Vec<String> {
    let mut notices: Vec<String> = Vec::new();
    for caps in notice_pattern().captures_iter(text) {
        let (Some(issuer), Some(year), Some(number)) = (caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        let issuer = issuer
            .as_str()
            .trim_start_matches(['的', '和', '及', '与', '号']);
        let notice = format!("{issuer}〔{}〕{}号", year.as_str(), number.as_str());
        if !notices.contains(&notice) {
            notices.push(notice);
        }
    }
    notices
}

/// `2021` when the report cites 〔2021〕30号, `2019` when it cites 〔2019〕60号.
fn format_notice(notices: &[String]) -> Option<String> {
    let cites = |marker: &str| notices.iter().any(|n| n.ends_with(marker));
    if cites("〔2021〕30号") {
        Some("2021".into())
    } else if cites("〔2019〕60号") {
        Some("2019".into())
    } else {
        None
    }
}

fn title_year(title: &str) -> Option<u16> {
    year_in_title()
        .captures(title)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse().ok())
}

/// The most frequent `20XX年` in a text: the year a preamble talks about.
fn body_year(text: &str) -> Option<u16> {
    let mut counts: Vec<(u16, usize)> = Vec::new();
    for caps in year_in_title().captures_iter(text) {
        let Some(year) = caps.get(1).and_then(|m| m.as_str().parse::<u16>().ok()) else {
            continue;
        };
        match counts.iter_mut().find(|(y, _)| *y == year) {
            Some((_, n)) => *n += 1,
            None => counts.push((year, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(y, n)| (n, y))
        .map(|(y, _)| y)
}

/// The agency named in a title: the text before the year, or after it up to 政府信息公开.
fn title_agency(title: &str) -> Option<String> {
    let m = year_in_title().find(title)?;
    let before = title[..m.start()]
        .trim()
        .trim_end_matches("关于")
        .trim_end_matches(['（', '(', ' '])
        .trim();
    if is_agency(before) {
        return Some(before.to_string());
    }
    let simple = simplified_text(title);
    let after_start = m.end();
    let end = ["政府信息公开", "政务公开", "信息公开"]
        .iter()
        .find_map(|marker| simple[after_start..].find(marker))?;
    let candidate = title[after_start..after_start + end].trim();
    is_agency(candidate).then(|| candidate.to_string())
}

/// Characters of the body read for the year when neither title, period nor preamble gives it.
const BODY_YEAR_WINDOW: usize = 3000;

fn first_chars(text: &str, n: usize) -> &str {
    text.char_indices().nth(n).map_or(text, |(i, _)| &text[..i])
}

/// A line that is only a name: short, no punctuation of a sentence.
fn is_name_line(text: &str) -> bool {
    text.chars().count() <= 30
        && !text.contains(['，', ',', '。', '：', ':', '；', ';', '、', '《', '“'])
}

/// The agency a preamble sentence names as the report's author: `…特编制湛江市人民政府地方志办公室
/// 2023年政府信息公开工作年度报告`, `遂宁市人力资源和社会保障局2019年政府信息公开工作年度报告是…`.
/// Not a name inside a document's title in 《》, and not a name without its place (`区统计局`).
fn named_in_sentence(text: &str) -> Option<String> {
    const VERBS: [&str; 10] = [
        "特编制",
        "编制",
        "现公布",
        "公布",
        "现发布",
        "发布",
        "现将",
        "特此",
        "形成",
        "关于",
    ];
    let simple = simplified_text(text);
    for caps in named_report().captures_iter(&simple) {
        let Some(m) = caps.get(1) else { continue };
        let before = &simple[..m.start()];
        if before.matches('《').count() > before.matches('》').count() {
            continue; // inside a cited document's title
        }
        let mut start = m.start();
        for verb in VERBS {
            if let Some(at) = simple[start..m.end()].rfind(verb) {
                start += at + verb.len();
            }
        }
        let mut end = m.end();
        if simple[start..end].ends_with("关于") {
            end -= "关于".len();
        }
        let name = text[start..end].trim();
        if is_full_name(&simplified_text(name)) {
            return Some(name.to_string());
        }
    }
    None
}

/// An agency name that says whose it is: at least three characters, not starting with a bare
/// administrative word or a pronoun (`区统计局`, `我局`, `本机关`).
fn is_full_name(name: &str) -> bool {
    let name = &*simplified_text(name);
    is_agency(name)
        && name.chars().count() >= 3
        && !name.starts_with([
            '省', '市', '县', '区', '乡', '镇', '村', '我', '本', '该', '各', '全',
        ])
}

/// A name from a contact sentence without the office that handles the contact
/// (`遂宁市人力资源和社会保障局办公室` → `遂宁市人力资源和社会保障局`); a government's own office
/// (`淮安市人民政府办公室`) is an agency and keeps its name.
fn without_office(name: &str) -> String {
    let simple = simplified_text(name);
    match simple.strip_suffix("办公室") {
        Some(rest)
            if rest.ends_with(['局', '委', '厅', '院', '署', '所']) || rest.ends_with("中心") =>
        {
            name[..rest.len()].to_string()
        }
        _ => name.to_string(),
    }
}

fn is_agency(text: &str) -> bool {
    let chars = text.chars().count();
    (2..=40).contains(&chars)
        && text.chars().all(|c| !c.is_ascii_digit())
        && text
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count()
            >= 2
}

/// An agency name signed at the end of the report, above a date line.
fn signature(doc: &Document) -> Option<String> {
    let tail: Vec<&str> = doc
        .paragraphs()
        .map(|p| p.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let n = tail.len();
    if n < 2 || !date_line().is_match(tail[n - 1]) {
        return None;
    }
    let name = tail[n - 2];
    is_agency(name).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_agency_and_year_from_titles() {
        assert_eq!(
            title_agency("平潭综合实验区2024年度政府信息公开工作年度报告").as_deref(),
            Some("平潭综合实验区")
        );
        assert_eq!(
            title_agency("2024 年上海市科委政府信息公开工作年度报告").as_deref(),
            Some("上海市科委")
        );
        assert_eq!(
            title_year("2024 年上海市科委政府信息公开工作年度报告"),
            Some(2024)
        );
    }

    #[test]
    fn reads_periods_with_or_without_the_second_year() {
        let p =
            find_period("本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。").unwrap();
        assert_eq!(
            (p.start.as_str(), p.end.as_str()),
            ("2020-01-01", "2020-12-31")
        );
        let p = find_period("统计周期为 2024 年 1 月 1 日至 12 月 31 日").unwrap();
        assert_eq!(p.end, "2024-12-31");
    }

    #[test]
    fn reads_cited_notices() {
        let text = "《通知》（国办公开办函〔2019〕60号）要求，和（国办发〔2020〕17号）";
        assert_eq!(
            find_notices(text),
            vec!["国办公开办函〔2019〕60号", "国办发〔2020〕17号"]
        );
        assert_eq!(format_notice(&find_notices(text)).as_deref(), Some("2019"));
    }
}
