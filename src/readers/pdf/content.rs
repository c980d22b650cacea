//! The content-stream interpreter: a page's operators turned into positioned glyphs and the ruling
//! lines a table is drawn with.
//!
//! Only what text and table lines need is interpreted: the graphics state stack and `cm`, the text
//! state (`Tf Tc Tw Tz TL Ts Tr`), text positioning and showing (`Td TD Tm T* Tj TJ ' "`), path
//! construction and painting (`m l re h c v y`, `S s f F f* B B* b b* n`), colours as far as telling
//! white from ink, Form XObjects (with their matrix and resources) and images (counted, to tell a
//! scan). Coordinates come out in points from the page's top-left corner, y growing downwards.

use super::fonts::{Code, Font};
use lopdf::{content::Content, Dictionary, Document as PdfDocument, Object, ObjectId};
use std::collections::HashMap;
use std::rc::Rc;

/// How deep Form XObjects may nest.
const MAX_FORM_DEPTH: usize = 8;
/// How deep `q` may nest; deeper saves are ignored (their `Q` then restores the deepest kept).
const MAX_STATE_DEPTH: usize = 256;
/// The most ruling lines kept for one page (a report page draws a few hundred).
const MAX_PAGE_RULES: usize = 4096;
/// The most path points kept for one path.
const MAX_PATH_POINTS: usize = 1 << 16;

/// A positioned glyph.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Its text (usually one character; empty when the font does not say).
    pub text: String,
    /// Left edge, points from the page's left.
    pub x0: f64,
    /// Top edge, points from the page's top.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
    /// True when written by a vertical font.
    pub vertical: bool,
}

impl Glyph {
    /// Horizontal centre.
    pub fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
    /// Vertical centre.
    pub fn cy(&self) -> f64 {
        (self.y0 + self.y1) / 2.0
    }
    /// Height of the box (the font size, as drawn).
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// A horizontal or vertical ruling line, in page coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Start, the smaller coordinate along the line.
    pub from: f64,
    /// End, the larger coordinate along the line.
    pub to: f64,
    /// Position across the line (y of a horizontal line, x of a vertical one).
    pub at: f64,
    /// True for a horizontal line.
    pub horizontal: bool,
}

/// What a page holds.
#[derive(Debug, Default)]
pub struct Page {
    /// The glyphs in drawing order.
    pub glyphs: Vec<Glyph>,
    /// The ruling lines.
    pub rules: Vec<Rule>,
    /// Images drawn (XObjects and inline).
    pub images: u32,
    /// True when the content stopped at something that is not an operator.
    pub damaged: bool,
    /// Glyphs drawn invisibly (`3 Tr`).
    pub invisible: usize,
    /// What cleaning the glyphs' text did (see [`super::hygiene`]).
    pub cleaned: super::hygiene::Counts,
    /// True when a budget ran out on this page, so that some glyphs or lines were dropped.
    pub limited: bool,
    /// Width of the media box, in points.
    pub width: f64,
    /// Height of the media box, in points.
    pub height: f64,
}

/// The budgets a page is read within.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Bytes of content (the page's and its forms') left to decompress.
    pub content_bytes: usize,
    /// Glyphs left to keep.
    pub glyphs: usize,
    /// Rules left to keep.
    pub rules: usize,
}

type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b`.
fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn number(object: &Object) -> Option<f64> {
    let n = match object {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => return None,
    };
    n.is_finite().then_some(n)
}

fn numbers<const N: usize>(operands: &[Object]) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    if operands.len() < N {
        return None;
    }
    // The last N operands: extra leading operands are a writer's error and are ignored.
    let start = operands.len() - N;
    for (slot, object) in out.iter_mut().zip(&operands[start..]) {
        *slot = number(object)?;
    }
    Some(out)
}

/// True when colour components (gray, RGB or CMYK) paint white.
fn is_white(components: &[f64]) -> bool {
    match components.len() {
        1 | 3 => components.iter().all(|&c| c >= 0.95),
        4 => components.iter().all(|&c| c <= 0.05),
        _ => false,
    }
}

#[derive(Debug, Clone)]
struct GraphicsState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    horizontal_scale: f64,
    leading: f64,
    rise: f64,
    /// `Tr` 3: glyphs drawn invisibly (the text layer OCR lays over a scan).
    invisible: bool,
    stroke_white: bool,
    fill_white: bool,
}

impl GraphicsState {
    fn new(ctm: Matrix) -> GraphicsState {
        GraphicsState {
            ctm,
            font: None,
            font_size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            horizontal_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            invisible: false,
            stroke_white: false,
            fill_white: false,
        }
    }
}

/// One subpath: device-space points, and whether each segment to a point is straight.
#[derive(Debug, Default)]
struct Subpath {
    points: Vec<((f64, f64), bool)>,
    /// True when made by `re`.
    rectangle: bool,
}

/// Reads pages of one document, caching its fonts.
pub struct Interpreter<'a> {
    doc: &'a PdfDocument,
    fonts: HashMap<ObjectId, Rc<Font>>,
    /// Fonts written inline in a resource dictionary, by their address in it.
    inline_fonts: HashMap<usize, Rc<Font>>,
}

/// The state of one page being read.
struct PageRun<'p> {
    page: &'p mut Page,
    budget: &'p mut Budget,
    /// Page height and the media box's origin, to turn PDF coordinates into top-down ones.
    top: f64,
    left: f64,
    codes: Vec<Code>,
}

impl PageRun<'_> {
    fn to_page(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (x - self.left, self.top - y)
    }
}

impl<'a> Interpreter<'a> {
    /// An interpreter over `doc`.
    pub fn new(doc: &'a PdfDocument) -> Interpreter<'a> {
        Interpreter {
            doc,
            fonts: HashMap::new(),
            inline_fonts: HashMap::new(),
        }
    }

    /// True when a font seen so far can give no text (see [`Font::opaque`]).
    pub fn saw_opaque_font(&self) -> bool {
        self.fonts
            .values()
            .chain(self.inline_fonts.values())
            .any(|f| f.opaque)
    }

    fn resolve(&self, object: &'a Object) -> &'a Object {
        self.doc
            .dereference(object)
            .map(|(_, o)| o)
            .unwrap_or(object)
    }

    /// Reads one page: its glyphs, rules and images, within `budget`.
    pub fn page(&mut self, page_id: ObjectId, budget: &mut Budget) -> Page {
        let mut page = Page::default();
        let doc = self.doc;
        let media = doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| self.inherited(p, b"MediaBox"))
            .and_then(|o| o.as_array().ok())
            .and_then(|a| numbers::<4>(a).filter(|_| a.len() == 4));
        let [mx0, my0, mx1, my1] = media.unwrap_or([0.0, 0.0, 595.0, 842.0]);
        let (width, height) = ((mx1 - mx0).abs(), (my1 - my0).abs());
        // `/Rotate` turns the page for display (clockwise, in quarter turns): the page is read
        // as it is shown, so that a landscape table on a rotated page reads in rows.
        let rotate = doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| self.inherited(p, b"Rotate"))
            .and_then(number)
            .map_or(0, |r| ((r / 90.0).round() as i64).rem_euclid(4));
        let origin = [1.0, 0.0, 0.0, 1.0, -mx0.min(mx1), -my0.min(my1)];
        let (display, shown_width, shown_height) = match rotate {
            1 => ([0.0, -1.0, 1.0, 0.0, 0.0, width], height, width),
            2 => ([-1.0, 0.0, 0.0, -1.0, width, height], width, height),
            3 => ([0.0, 1.0, -1.0, 0.0, height, 0.0], height, width),
            _ => (IDENTITY, width, height),
        };
        page.width = shown_width;
        page.height = shown_height;
        let content = match doc.get_page_content_with_limit(page_id, budget.content_bytes) {
            Ok(content) => content,
            Err(_) => {
                page.damaged = true;
                return page;
            }
        };
        budget.content_bytes = budget.content_bytes.saturating_sub(content.len());
        let resources = self.page_resources(page_id);
        let mut run = PageRun {
            page: &mut page,
            budget,
            top: shown_height,
            left: 0.0,
            codes: Vec::new(),
        };
        let mut forms = Vec::new();
        let ctm = multiply(&origin, &display);
        self.run(&content, &resources, ctm, &mut run, &mut forms);
        page
    }

    /// A page attribute, looked up the page tree (`/MediaBox` and `/Resources` are inherited).
    fn inherited(&self, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
        let mut node = page;
        for _ in 0..32 {
            if let Ok(value) = node.get(key) {
                return Some(self.resolve(value));
            }
            node = node
                .get(b"Parent")
                .ok()
                .map(|p| self.resolve(p))
                .and_then(|p| p.as_dict().ok())?;
        }
        None
    }

    fn page_resources(&self, page_id: ObjectId) -> Vec<&'a Dictionary> {
        self.doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| self.inherited(p, b"Resources"))
            .and_then(|r| r.as_dict().ok())
            .into_iter()
            .collect()
    }

    /// A named resource of a category (`Font`, `XObject`), nearest resource dictionary first.
    fn resource(
        &self,
        resources: &[&'a Dictionary],
        category: &[u8],
        name: &[u8],
    ) -> Option<(&'a Object, Option<ObjectId>)> {
        resources.iter().rev().find_map(|r| {
            let entries = self.resolve(r.get(category).ok()?).as_dict().ok()?;
            let entry = entries.get(name).ok()?;
            let id = entry.as_reference().ok();
            Some((self.resolve(entry), id))
        })
    }

    fn font(&mut self, resources: &[&'a Dictionary], name: &[u8]) -> Option<Rc<Font>> {
        let (object, id) = self.resource(resources, b"Font", name)?;
        let dict = object.as_dict().ok()?;
        let key = dict as *const Dictionary as usize;
        if let Some(font) = id
            .and_then(|id| self.fonts.get(&id))
            .or_else(|| self.inline_fonts.get(&key))
        {
            return Some(Rc::clone(font));
        }
        let font = Rc::new(Font::load(self.doc, dict));
        match id {
            Some(id) => self.fonts.insert(id, Rc::clone(&font)),
            None => self.inline_fonts.insert(key, Rc::clone(&font)),
        };
        Some(font)
    }

    /// Runs one content stream (a page's, or a form's) under `ctm`.
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        ctm: Matrix,
        run: &mut PageRun<'_>,
        forms: &mut Vec<ObjectId>,
    ) {
        let mut stack: Vec<GraphicsState> = Vec::new();
        let mut gs = GraphicsState::new(ctm);
        let mut text_matrix = IDENTITY;
        let mut line_matrix = IDENTITY;
        let mut path: Vec<Subpath> = Vec::new();
        let mut path_points = 0usize;
        for operation in Content::decode_iter(content) {
            let Ok(operation) = operation else {
                run.page.damaged = true;
                break;
            };
            let operands = &operation.operands;
            match operation.operator.as_str() {
                "q" if stack.len() < MAX_STATE_DEPTH => stack.push(gs.clone()),
                "Q" => {
                    if let Some(saved) = stack.pop() {
                        gs = saved;
                    }
                }
                "cm" => {
                    if let Some(m) = numbers::<6>(operands) {
                        gs.ctm = multiply(&m, &gs.ctm);
                    }
                }
                "RG" | "G" | "K" => gs.stroke_white = is_white(&all_numbers(operands)),
                "rg" | "g" | "k" => gs.fill_white = is_white(&all_numbers(operands)),
                "SC" | "SCN" => gs.stroke_white = is_white(&all_numbers(operands)),
                "sc" | "scn" => gs.fill_white = is_white(&all_numbers(operands)),
                "CS" => gs.stroke_white = false,
                "cs" => gs.fill_white = false,
                "BT" => {
                    text_matrix = IDENTITY;
                    line_matrix = IDENTITY;
                }
                "Tf" => {
                    if let (Some(Object::Name(name)), Some(size)) =
                        (operands.first(), operands.get(1).and_then(number))
                    {
                        gs.font = self.font(resources, name);
                        gs.font_size = size;
                    }
                }
                "Tc" => set(&mut gs.char_spacing, operands),
                "Tw" => set(&mut gs.word_spacing, operands),
                "Tz" => {
                    if let Some([s]) = numbers::<1>(operands) {
                        gs.horizontal_scale = s / 100.0;
                    }
                }
                "TL" => set(&mut gs.leading, operands),
                "Ts" => set(&mut gs.rise, operands),
                "Tr" => {
                    if let Some([mode]) = numbers::<1>(operands) {
                        gs.invisible = mode == 3.0;
                    }
                }
                "Td" | "TD" => {
                    if let Some([tx, ty]) = numbers::<2>(operands) {
                        if operation.operator == "TD" {
                            gs.leading = -ty;
                        }
                        line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, tx, ty], &line_matrix);
                        text_matrix = line_matrix;
                    }
                }
                "Tm" => {
                    if let Some(m) = numbers::<6>(operands) {
                        line_matrix = m;
                        text_matrix = m;
                    }
                }
                "T*" => {
                    line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &line_matrix);
                    text_matrix = line_matrix;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if operation.operator != "Tj" && operation.operator != "TJ" {
                        if operation.operator == "\"" {
                            if let Some([w, c]) = operands.get(..2).and_then(numbers::<2>) {
                                gs.word_spacing = w;
                                gs.char_spacing = c;
                            }
                        }
                        line_matrix =
                            multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &line_matrix);
                        text_matrix = line_matrix;
                    }
                    let shown: &[Object] = match (operation.operator.as_str(), operands.last()) {
                        ("TJ", Some(Object::Array(items))) => items,
                        (_, Some(last)) => std::slice::from_ref(last),
                        _ => &[],
                    };
                    for item in shown {
                        match item {
                            Object::String(bytes, _) => {
                                show(&gs, &mut text_matrix, bytes, run);
                            }
                            other => {
                                if let Some(n) = number(other) {
                                    adjust(&gs, &mut text_matrix, n);
                                }
                            }
                        }
                    }
                }
                "m" => {
                    if let Some([x, y]) = numbers::<2>(operands) {
                        path.push(Subpath::default());
                        push_point(&mut path, &mut path_points, apply(&gs.ctm, x, y), true);
                    }
                }
                "l" => {
                    if let Some([x, y]) = numbers::<2>(operands) {
                        push_point(&mut path, &mut path_points, apply(&gs.ctm, x, y), true);
                    }
                }
                "c" | "v" | "y" => {
                    if let Some([x, y]) = numbers::<2>(operands) {
                        push_point(&mut path, &mut path_points, apply(&gs.ctm, x, y), false);
                    }
                }
                "h" => {
                    if let Some(first) = path.last().and_then(|s| s.points.first()).copied() {
                        push_point(&mut path, &mut path_points, first.0, true);
                    }
                }
                "re" => {
                    if let Some([x, y, w, h]) = numbers::<4>(operands) {
                        path.push(Subpath {
                            points: Vec::new(),
                            rectangle: true,
                        });
                        for (px, py) in [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)] {
                            push_point(&mut path, &mut path_points, apply(&gs.ctm, px, py), true);
                        }
                    }
                }
                "S" | "s" => {
                    if !gs.stroke_white {
                        stroke(&path, run);
                    }
                    path.clear();
                    path_points = 0;
                }
                "f" | "F" | "f*" => {
                    if !gs.fill_white {
                        fill(&path, run);
                    }
                    path.clear();
                    path_points = 0;
                }
                "B" | "B*" | "b" | "b*" => {
                    if !gs.stroke_white {
                        stroke(&path, run);
                    }
                    if !gs.fill_white {
                        fill(&path, run);
                    }
                    path.clear();
                    path_points = 0;
                }
                "n" => {
                    path.clear();
                    path_points = 0;
                }
                "BI" => run.page.images = run.page.images.saturating_add(1),
                "Do" => {
                    if let Some(Object::Name(name)) = operands.first() {
                        self.draw_object(resources, name, &gs, run, forms);
                    }
                }
                _ => {}
            }
        }
    }

    /// `Do`: an image is counted, a form is run with its own matrix and resources.
    fn draw_object(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        gs: &GraphicsState,
        run: &mut PageRun<'_>,
        forms: &mut Vec<ObjectId>,
    ) {
        let Some((object, id)) = self.resource(resources, b"XObject", name) else {
            return;
        };
        let Ok(stream) = object.as_stream() else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => run.page.images = run.page.images.saturating_add(1),
            Ok(b"Form") => {
                // A form drawn inside itself is a cycle; forms without an id cannot be.
                if forms.len() >= MAX_FORM_DEPTH || id.is_some_and(|id| forms.contains(&id)) {
                    return;
                }
                let Ok(content) = stream.get_plain_content_with_limit(run.budget.content_bytes)
                else {
                    run.page.damaged = true;
                    return;
                };
                run.budget.content_bytes = run.budget.content_bytes.saturating_sub(content.len());
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| m.as_array().ok())
                    .and_then(|a| numbers::<6>(a).filter(|_| a.len() == 6))
                    .unwrap_or(IDENTITY);
                let mut inner: Vec<&'a Dictionary> = resources.to_vec();
                if let Some(own) = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .map(|r| self.resolve(r))
                    .and_then(|r| r.as_dict().ok())
                {
                    inner.push(own);
                }
                forms.push(id.unwrap_or((0, 0)));
                self.run(&content, &inner, multiply(&matrix, &gs.ctm), run, forms);
                forms.pop();
            }
            _ => {}
        }
    }
}

fn all_numbers(operands: &[Object]) -> Vec<f64> {
    operands.iter().filter_map(number).collect()
}

fn set(slot: &mut f64, operands: &[Object]) {
    if let Some([v]) = numbers::<1>(operands) {
        *slot = v;
    }
}

fn push_point(path: &mut Vec<Subpath>, count: &mut usize, point: (f64, f64), straight: bool) {
    if *count >= MAX_PATH_POINTS {
        return;
    }
    if path.is_empty() {
        path.push(Subpath::default());
    }
    if let Some(subpath) = path.last_mut() {
        subpath.points.push((point, straight));
        *count += 1;
    }
}

/// Below this many points a segment is not a line at all; within this slope it is horizontal or
/// vertical.
const MIN_RULE_LENGTH: f64 = 2.0;
const AXIS_TOLERANCE: f64 = 0.6;
/// A filled rectangle at most this thick is a line.
const MAX_RULE_THICKNESS: f64 = 2.5;

fn push_rule(run: &mut PageRun<'_>, a: (f64, f64), b: (f64, f64)) {
    if run.budget.rules == 0 || run.page.rules.len() >= MAX_PAGE_RULES {
        run.page.limited = true;
        return;
    }
    let (ax, ay) = run.to_page(a);
    let (bx, by) = run.to_page(b);
    let (dx, dy) = ((bx - ax).abs(), (by - ay).abs());
    let rule = if dy <= AXIS_TOLERANCE && dx >= MIN_RULE_LENGTH {
        Rule {
            from: ax.min(bx),
            to: ax.max(bx),
            at: (ay + by) / 2.0,
            horizontal: true,
        }
    } else if dx <= AXIS_TOLERANCE && dy >= MIN_RULE_LENGTH {
        Rule {
            from: ay.min(by),
            to: ay.max(by),
            at: (ax + bx) / 2.0,
            horizontal: false,
        }
    } else {
        return;
    };
    run.budget.rules -= 1;
    run.page.rules.push(rule);
}

fn stroke(path: &[Subpath], run: &mut PageRun<'_>) {
    for subpath in path {
        for pair in subpath.points.windows(2) {
            if pair[1].1 {
                push_rule(run, pair[0].0, pair[1].0);
            }
        }
    }
}

/// Filled paths: a thin axis-aligned rectangle is a line along its length.
fn fill(path: &[Subpath], run: &mut PageRun<'_>) {
    for subpath in path {
        let points = &subpath.points;
        if !(subpath.rectangle || points.len() == 4 || points.len() == 5)
            || points.iter().any(|p| !p.1)
        {
            continue;
        }
        let xs = points.iter().map(|p| p.0 .0);
        let ys = points.iter().map(|p| p.0 .1);
        let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
        let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
        // Only axis-aligned rectangles: every point on the box.
        let on_box = points.iter().all(|&((x, y), _)| {
            ((x - x0).abs() < 0.01 || (x - x1).abs() < 0.01)
                && ((y - y0).abs() < 0.01 || (y - y1).abs() < 0.01)
        });
        if !on_box {
            continue;
        }
        let (w, h) = (x1 - x0, y1 - y0);
        if h <= MAX_RULE_THICKNESS && w >= MIN_RULE_LENGTH {
            let y = (y0 + y1) / 2.0;
            push_rule(run, (x0, y), (x1, y));
        } else if w <= MAX_RULE_THICKNESS && h >= MIN_RULE_LENGTH {
            let x = (x0 + x1) / 2.0;
            push_rule(run, (x, y0), (x, y1));
        }
    }
}

/// A `TJ` adjustment: thousandths of an em, moving against the writing direction.
fn adjust(gs: &GraphicsState, text_matrix: &mut Matrix, n: f64) {
    let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
    let shift = -n / 1000.0 * gs.font_size;
    let m = if vertical {
        [1.0, 0.0, 0.0, 1.0, 0.0, shift]
    } else {
        [1.0, 0.0, 0.0, 1.0, shift * gs.horizontal_scale, 0.0]
    };
    *text_matrix = multiply(&m, text_matrix);
}

/// Shows a string: one glyph per code, advancing the text matrix.
fn show(gs: &GraphicsState, text_matrix: &mut Matrix, bytes: &[u8], run: &mut PageRun<'_>) {
    let Some(font) = gs.font.as_ref() else {
        return;
    };
    let mut codes = std::mem::take(&mut run.codes);
    codes.clear();
    font.decode(bytes, &mut codes);
    let size = gs.font_size;
    let render = [size * gs.horizontal_scale, 0.0, 0.0, size, 0.0, gs.rise];
    for code in codes.drain(..) {
        let trm = multiply(&multiply(&render, text_matrix), &gs.ctm);
        let advance = code.advance / 1000.0;
        // The glyph's box in text space (units of the font size).
        let (bx0, by0, bx1, by1) = if font.vertical {
            (-0.5, -1.0, 0.5, 0.0)
        } else {
            (0.0, -0.2, advance, 0.8)
        };
        if run.budget.glyphs == 0 {
            run.page.limited = true;
        } else if !code.text.is_empty() {
            let corners = [
                apply(&trm, bx0, by0),
                apply(&trm, bx1, by0),
                apply(&trm, bx0, by1),
                apply(&trm, bx1, by1),
            ];
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for c in corners {
                let (x, y) = run.to_page(c);
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
            if [x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
                run.budget.glyphs -= 1;
                let text = super::hygiene::clean(&code.text, &mut run.page.cleaned);
                run.page.invisible += usize::from(gs.invisible);
                run.page.glyphs.push(Glyph {
                    text,
                    x0,
                    y0,
                    x1,
                    y1,
                    vertical: font.vertical,
                });
            }
        }
        let spacing = gs.char_spacing + if code.is_space { gs.word_spacing } else { 0.0 };
        let m = if font.vertical {
            [1.0, 0.0, 0.0, 1.0, 0.0, -size + spacing]
        } else {
            [
                1.0,
                0.0,
                0.0,
                1.0,
                (advance * size + spacing) * gs.horizontal_scale,
                0.0,
            ]
        };
        *text_matrix = multiply(&m, text_matrix);
    }
    run.codes = codes;
}
