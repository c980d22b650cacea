//! A small PDF writer for tests: pages of text and ruling lines, in the fonts real exporters use.
//!
//! Text is drawn with a composite font (`Identity-H`, two bytes per character, the code being the
//! character's UCS-2 value and a `/ToUnicode` map saying so), as WPS, Word and Chrome write CJK
//! text; [`Font::Radicals`] maps some common ideographs to Kangxi radicals as Chrome does,
//! [`Font::Vertical`] writes top to bottom (`Identity-V`), and [`Font::Helvetica`] is a simple
//! font whose strings are whatever bytes the test gives (UTF-8 drawn with a Latin encoding makes
//! the garbage some synthetic files hold). Coordinates are points from the page's top-left corner.
#![allow(dead_code)]

use lopdf::{dictionary, Document, Object, Stream};

/// A font to draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// A CID font, Identity-H, with an exact `/ToUnicode`.
    Cjk,
    /// The same, its `/ToUnicode` mapping 一 行 二 人 民 to Kangxi radicals (as Chrome does).
    Radicals,
    /// A CID font written top to bottom (Identity-V).
    Vertical,
    /// A CID font without `/ToUnicode`: codes are glyph ids, the text cannot be known.
    Opaque,
    /// Helvetica, WinAnsiEncoding: one byte per character.
    Helvetica,
}

impl Font {
    fn name(self) -> &'static str {
        match self {
            Font::Cjk => "F1",
            Font::Radicals => "F2",
            Font::Vertical => "F3",
            Font::Opaque => "F4",
            Font::Helvetica => "F5",
        }
    }
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Draw {
    /// Text whose baseline starts at (x, y), at a size in points.
    Text {
        x: f64,
        y: f64,
        size: f64,
        text: String,
        font: Font,
    },
    /// Raw bytes shown with Helvetica.
    Bytes {
        x: f64,
        y: f64,
        size: f64,
        bytes: Vec<u8>,
    },
    /// A stroked line.
    Line { x0: f64, y0: f64, x1: f64, y1: f64 },
    /// A filled rectangle (a thin one is a line).
    Rect { x: f64, y: f64, w: f64, h: f64 },
    /// An image covering the page (a scan).
    Image,
    /// Operators written as they are (for hostile content).
    Raw(String),
    /// The form XObject `/Fm1`, which draws text and then itself again (a cycle).
    Form,
}

/// Page height (A4).
pub const HEIGHT: f64 = 842.0;
/// Page width (A4).
pub const WIDTH: f64 = 595.0;

/// Width of a character in em: half for ASCII, whole for the rest.
pub fn advance(c: char) -> f64 {
    if c.is_ascii() {
        0.5
    } else {
        1.0
    }
}

fn hex_utf16(text: &str) -> String {
    text.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

/// The content stream of a page `height` points tall (coordinates in draws are from its top).
fn content_at(draws: &[Draw], height: f64) -> Vec<u8> {
    let mut out = String::new();
    for draw in draws {
        match draw {
            Draw::Text {
                x,
                y,
                size,
                text,
                font,
            } => {
                let y = height - y;
                let shown = match font {
                    Font::Helvetica => format!(
                        "({})",
                        text.replace('\\', "\\\\")
                            .replace('(', "\\(")
                            .replace(')', "\\)")
                    ),
                    _ => format!("<{}>", hex_utf16(text)),
                };
                out.push_str(&format!(
                    "BT /{} {size} Tf 1 0 0 1 {x:.2} {y:.2} Tm {shown} Tj ET\n",
                    font.name()
                ));
            }
            Draw::Bytes { x, y, size, bytes } => {
                let y = height - y;
                let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
                out.push_str(&format!(
                    "BT /F5 {size} Tf 1 0 0 1 {x:.2} {y:.2} Tm <{hex}> Tj ET\n"
                ));
            }
            Draw::Line { x0, y0, x1, y1 } => out.push_str(&format!(
                "0.5 w {x0:.2} {:.2} m {x1:.2} {:.2} l S\n",
                height - y0,
                height - y1
            )),
            Draw::Rect { x, y, w, h } => out.push_str(&format!(
                "{x:.2} {:.2} {w:.2} {h:.2} re f\n",
                height - y - h
            )),
            Draw::Image => out.push_str(&format!("q {WIDTH} 0 0 {height} 0 0 cm /Im1 Do Q\n")),
            Draw::Raw(ops) => {
                out.push_str(ops);
                out.push('\n');
            }
            Draw::Form => out.push_str("q 1 0 0 1 0 0 cm /Fm1 Do Q\n"),
        }
    }
    out.into_bytes()
}

/// The `/ToUnicode` map of the test fonts: every code is its own UCS-2 value, except (with
/// `radicals`) the five characters Chrome maps to radicals.
fn to_unicode(radicals: bool) -> Vec<u8> {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CMapName /Test-UCS def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
         3 beginbfrange\n<0000> <D7FF> <0000>\n<E000> <FEFF> <E000>\n<FF00> <FFFF> <FF00>\nendbfrange\n",
    );
    if radicals {
        cmap.push_str(
            "5 beginbfchar\n<4E00> <2F00>\n<884C> <2F8F>\n<4E8C> <2F06>\n<4EBA> <2F08>\n<6C11> <2EA0>\nendbfchar\n",
        );
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    cmap.into_bytes()
}

fn cid_font(doc: &mut Document, cmap: &str, to_unicode: Option<Vec<u8>>) -> Object {
    let widths: Vec<Object> = (0x20..0x7F).map(|_| Object::Integer(500)).collect();
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "SimSun",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "DW" => 1000,
        "W" => vec![Object::Integer(0x20), Object::Array(widths)],
    });
    let mut font = dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "SimSun",
        "Encoding" => cmap,
        "DescendantFonts" => vec![Object::Reference(descendant)],
    };
    if let Some(map) = to_unicode {
        let id = doc.add_object(Stream::new(dictionary! {}, map));
        font.set("ToUnicode", Object::Reference(id));
    }
    Object::Reference(doc.add_object(font))
}

/// A PDF of these pages.
pub fn pdf(pages: &[Vec<Draw>]) -> Vec<u8> {
    pdf_rotated(pages, 0)
}

/// A PDF of these pages, each shown turned by `/Rotate` (90: a quarter turn clockwise): the
/// draws are given as the page is shown (landscape for 90 and 270), and written in the page's
/// own coordinates, as exporters write rotated pages.
pub fn pdf_rotated(pages: &[Vec<Draw>], rotate: i64) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let fonts = dictionary! {
        "F1" => cid_font(&mut doc, "Identity-H", Some(to_unicode(false))),
        "F2" => cid_font(&mut doc, "Identity-H", Some(to_unicode(true))),
        "F3" => cid_font(&mut doc, "Identity-V", Some(to_unicode(false))),
        "F4" => cid_font(&mut doc, "Identity-H", None),
        "F5" => Object::Reference(doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        })),
    };
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => 1,
            "Height" => 1,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        vec![128],
    ));
    let resources_id = doc.new_object_id();
    let form_id = doc.new_object_id();
    let form_content = format!(
        "BT /F1 12 Tf 1 0 0 1 72 100 Tm <{}> Tj ET /Fm1 Do",
        hex_utf16("表单里的文字")
    );
    doc.objects.insert(
        form_id,
        Object::Stream(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), Object::Real(WIDTH as f32), Object::Real(HEIGHT as f32)],
                "Resources" => Object::Reference(resources_id),
            },
            form_content.into_bytes(),
        )),
    );
    doc.objects.insert(
        resources_id,
        Object::Dictionary(dictionary! {
            "Font" => fonts,
            "XObject" => dictionary! { "Im1" => Object::Reference(image), "Fm1" => Object::Reference(form_id) },
        }),
    );
    let resources = resources_id;
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for draws in pages {
        // The inverse of the turn the viewer applies (user space is portrait, WIDTH × HEIGHT).
        let undo = match rotate {
            90 => format!("0 1 -1 0 {WIDTH} 0 cm"),
            180 => format!("-1 0 0 -1 {WIDTH} {HEIGHT} cm"),
            270 => format!("0 -1 1 0 0 {HEIGHT} cm"),
            _ => "1 0 0 1 0 0 cm".to_string(),
        };
        let shown_height = if rotate % 180 == 0 { HEIGHT } else { WIDTH };
        let mut bytes = format!("q {undo}\n").into_bytes();
        bytes.extend(content_at(draws, shown_height));
        bytes.extend_from_slice(b"Q\n");
        let content = doc.add_object(Stream::new(dictionary! {}, bytes));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => Object::Reference(pages_id),
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(WIDTH as f32), Object::Real(HEIGHT as f32)],
            "Contents" => Object::Reference(content),
            "Resources" => Object::Reference(resources),
            "Rotate" => rotate,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        }),
    );
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => Object::Reference(pages_id),
    });
    doc.trailer.set("Root", Object::Reference(catalog));
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("the test PDF is written");
    out
}

/// Lays paragraphs out down pages from the top margin, one line each (wrapped at the text width),
/// in a font; returns the pages' draws.
pub fn paragraphs(lines: &[&str], font: Font) -> Vec<Vec<Draw>> {
    let mut pages = vec![Vec::new()];
    let mut y = 72.0;
    let size = 12.0;
    let width = WIDTH - 144.0;
    for line in lines {
        let mut current = String::new();
        let mut used = 0.0;
        let flush = |text: &mut String, y: &mut f64, pages: &mut Vec<Vec<Draw>>| {
            if *y > HEIGHT - 72.0 {
                pages.push(Vec::new());
                *y = 72.0;
            }
            if let Some(page) = pages.last_mut() {
                page.push(Draw::Text {
                    x: 72.0,
                    y: *y,
                    size,
                    text: std::mem::take(text),
                    font,
                });
            }
            *y += size * 1.5;
        };
        for c in line.chars() {
            let w = advance(c) * size;
            if used + w > width {
                flush(&mut current, &mut y, &mut pages);
                used = 0.0;
            }
            current.push(c);
            used += w;
        }
        flush(&mut current, &mut y, &mut pages);
    }
    pages
}

/// The same PDF with its ruling lines not drawn: every stroke and fill becomes `n` (end the path
/// without painting), as exporters that draw no table lines write them.
pub fn without_rules(bytes: &[u8]) -> Vec<u8> {
    let mut doc = Document::load_mem(bytes).expect("a readable PDF");
    for (_, id) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(id).expect("page content");
        let operations: Vec<_> = content
            .operations
            .into_iter()
            .map(|mut op| {
                if matches!(
                    op.operator.as_str(),
                    "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*"
                ) {
                    op.operator = "n".into();
                }
                op
            })
            .collect();
        let encoded = lopdf::content::Content { operations }
            .encode()
            .expect("encoded");
        let stream = doc.add_object(Stream::new(dictionary! {}, encoded));
        doc.get_dictionary_mut(id)
            .expect("the page")
            .set("Contents", Object::Reference(stream));
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("written");
    out
}

/// A cell of a table laid out on the form's grid.
struct FormCell {
    col: usize,
    span: usize,
    rows: usize,
    text: String,
}

fn cell(col: usize, span: usize, rows: usize, text: &str) -> FormCell {
    FormCell {
        col,
        span,
        rows,
        text: text.to_string(),
    }
}

/// The grid of 表二 (a label column and six units the value cells share), 表三 (group, label, seven
/// applicant columns) or 表四 (fifteen columns), with the pieces' cells placed as the official
/// template places them: spanning headers, group labels spanning their rows.
fn form_grid(index: usize, rows: &[Vec<String>], version: u16) -> (Vec<f64>, Vec<Vec<FormCell>>) {
    let left = 70.0;
    let width = WIDTH - 140.0;
    let columns = |first: &[f64], n: usize| -> Vec<f64> {
        let used: f64 = first.iter().sum();
        let mut xs = vec![left];
        for w in first
            .iter()
            .copied()
            .chain(std::iter::repeat_n((width - used) / n as f64, n))
        {
            xs.push(xs[xs.len() - 1] + w);
        }
        xs
    };
    match index {
        0 => {
            let grid = rows
                .iter()
                .map(|row| match row.len() {
                    1 => vec![cell(0, 7, 1, &row[0])],
                    k => {
                        let span = 6 / (k - 1).clamp(1, 6);
                        let mut cells = vec![cell(0, 1, 1, &row[0])];
                        cells.extend(
                            row[1..]
                                .iter()
                                .enumerate()
                                .map(|(i, t)| cell(1 + i * span, span, 1, t)),
                        );
                        cells
                    }
                })
                .collect();
            (columns(&[140.0], 6), grid)
        }
        1 => {
            let corner = rows[1].first().is_some_and(|t| t.is_empty());
            let mut grid = vec![vec![
                cell(0, 2, if corner { 1 } else { 3 }, &rows[0][0]),
                cell(2, 7, 1, &rows[0][1]),
            ]];
            let (r1, r2) = (
                &rows[1][usize::from(corner)..],
                &rows[2][if corner { 2 } else { 0 }..],
            );
            let mut second = Vec::new();
            if corner {
                second.push(cell(0, 2, 1, ""));
            }
            second.extend([
                cell(2, 1, 2, &r1[0]),
                cell(3, 5, 1, &r1[1]),
                cell(8, 1, 2, &r1[2]),
            ]);
            grid.push(second);
            let mut third = Vec::new();
            if corner {
                third.extend([cell(0, 1, 1, ""), cell(1, 1, 1, "")]);
            }
            third.extend(r2.iter().enumerate().map(|(i, t)| cell(3 + i, 1, 1, t)));
            grid.push(third);
            let keys: Vec<&str> = super::render::application_rows(version)
                .iter()
                .map(|r| r.2)
                .collect();
            let ungrouped = |k: usize| {
                matches!(
                    keys.get(k).copied(),
                    Some(
                        "new_received"
                            | "carried_over"
                            | "total_processed"
                            | "carried_forward"
                            | "other"
                    )
                )
            };
            let data = &rows[3..];
            for (k, row) in data.iter().enumerate() {
                let mut cells = Vec::new();
                let values = &row[row.len() - 7..];
                if row.len() == 9 {
                    let span = 1
                        + (k + 1..data.len())
                            .take_while(|&j| data[j].len() == 8 && !ungrouped(j))
                            .count();
                    cells.push(cell(0, 1, span, &row[0]));
                    cells.push(cell(1, 1, 1, &row[1]));
                } else if ungrouped(k) {
                    cells.push(cell(0, 2, 1, &row[0]));
                } else {
                    cells.push(cell(1, 1, 1, &row[0]));
                }
                cells.extend(values.iter().enumerate().map(|(i, t)| cell(2 + i, 1, 1, t)));
                grid.push(cells);
            }
            (columns(&[62.0, 130.0], 7), grid)
        }
        _ => {
            let mut second: Vec<FormCell> = (0..5).map(|i| cell(i, 1, 2, &rows[1][i])).collect();
            second.extend([cell(5, 5, 1, &rows[1][5]), cell(10, 5, 1, &rows[1][6])]);
            let grid = vec![
                vec![cell(0, 5, 1, &rows[0][0]), cell(5, 10, 1, &rows[0][1])],
                second,
                rows[2]
                    .iter()
                    .enumerate()
                    .map(|(i, t)| cell(5 + i, 1, 1, t))
                    .collect(),
                rows[3]
                    .iter()
                    .enumerate()
                    .map(|(i, t)| cell(i, 1, 1, t))
                    .collect(),
            ];
            (columns(&[], 15), grid)
        }
    }
}

/// Text wrapped into lines of at most `width` points at `size`.
fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for part in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for c in part.chars() {
            let w = advance(c) * size;
            if used + w > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
            }
            line.push(c);
            used += w;
        }
        lines.push(line);
    }
    lines
}

/// A random form (see [`super::render::random_form`]) as a PDF exported from Word: paragraphs, and
/// the three tables as ruled grids with the template's spans, rows flowing over pages (a group
/// label cut by a page break continues on the next page), page numbers at the foot.
pub fn form_pdf(form: &super::render::RandomForm) -> Vec<u8> {
    const SIZE: f64 = 8.0;
    const LINE: f64 = 10.0;
    const BOTTOM: f64 = HEIGHT - 70.0;
    let mut pages: Vec<Vec<Draw>> = vec![Vec::new()];
    let mut y = 72.0;
    let mut table_index = 0;
    let new_page = |pages: &mut Vec<Vec<Draw>>, y: &mut f64| {
        let n = pages.len();
        if let Some(page) = pages.last_mut() {
            page.push(Draw::Text {
                x: WIDTH / 2.0 - 10.0,
                y: HEIGHT - 40.0,
                size: 10.0,
                text: format!("- {n} -"),
                font: Font::Cjk,
            });
        }
        pages.push(Vec::new());
        *y = 72.0;
    };
    for piece in &form.pieces {
        match piece {
            super::render::Piece::Paragraph(text) => {
                for line in wrap(text, WIDTH - 140.0, 12.0) {
                    if y + 18.0 > BOTTOM {
                        new_page(&mut pages, &mut y);
                    }
                    let page = pages.last_mut().expect("a page");
                    page.push(Draw::Text {
                        x: 70.0,
                        y: y + 12.0,
                        size: 12.0,
                        text: line,
                        font: Font::Cjk,
                    });
                    y += 18.0;
                }
            }
            super::render::Piece::Table(rows) => {
                let (xs, grid) = form_grid(table_index, rows, form.version);
                table_index += 1;
                let lines_of =
                    |c: &FormCell| wrap(&c.text, xs[c.col + c.span] - xs[c.col] - 4.0, SIZE);
                let heights: Vec<f64> = grid
                    .iter()
                    .map(|row| {
                        let most = row
                            .iter()
                            .filter(|c| c.rows == 1)
                            .map(|c| lines_of(c).len())
                            .max()
                            .unwrap_or(1);
                        most as f64 * LINE + 6.0
                    })
                    .collect();
                // Each cell's pending text lines, drawn as its rows come; a cell cut by a page
                // break goes on in a box of its own on the next page.
                struct Open {
                    until: usize,
                    cell: FormCell,
                    lines: Vec<String>,
                    top: f64,
                    drawn: usize,
                }
                let mut open: Vec<Open> = Vec::new();
                for (r, row) in grid.into_iter().enumerate() {
                    if y + heights[r] > BOTTOM {
                        let page = pages.last_mut().expect("a page");
                        for o in &open {
                            box_lines(page, xs[o.cell.col], o.top, xs[o.cell.col + o.cell.span], y);
                        }
                        new_page(&mut pages, &mut y);
                        for o in open.iter_mut() {
                            o.top = y;
                            o.drawn = 0;
                        }
                    }
                    for c in row {
                        let lines = lines_of(&c);
                        open.push(Open {
                            until: r + c.rows,
                            cell: c,
                            lines,
                            top: y,
                            drawn: 0,
                        });
                    }
                    let bottom = y + heights[r];
                    let page = pages.last_mut().expect("a page");
                    for o in open.iter_mut() {
                        // Text goes in as far as the box reaches so far.
                        while !o.lines.is_empty()
                            && o.top + 3.0 + LINE * (o.drawn as f64 + 1.0) <= bottom + 0.01
                        {
                            let line = o.lines.remove(0);
                            o.drawn += 1;
                            page.push(Draw::Text {
                                x: xs[o.cell.col] + 2.0,
                                y: o.top + 1.0 + LINE * o.drawn as f64,
                                size: SIZE,
                                text: line,
                                font: Font::Cjk,
                            });
                        }
                        if o.until == r + 1 {
                            box_lines(
                                page,
                                xs[o.cell.col],
                                o.top,
                                xs[o.cell.col + o.cell.span],
                                bottom,
                            );
                        }
                    }
                    open.retain(|o| o.until > r + 1);
                    y = bottom;
                }
                y += 12.0;
            }
        }
    }
    new_page(&mut pages, &mut y);
    pages.pop();
    pdf(&pages)
}

fn box_lines(page: &mut Vec<Draw>, x0: f64, y0: f64, x1: f64, y1: f64) {
    page.extend([
        Draw::Line { x0, y0, x1, y1: y0 },
        Draw::Line { x0, y0: y1, x1, y1 },
        Draw::Line { x0, y0, x1: x0, y1 },
        Draw::Line { x0: x1, y0, x1, y1 },
    ]);
}
