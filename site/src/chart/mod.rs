//! Charts drawn as SVG by the site itself, each with the same numbers as a table and as CSV.
//!
//! Every chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`, with marks
//! labelled directly (never by colour alone) and colours that keep a contrast of at least 4.5:1
//! for text and 3:1 for marks on white. A chart type implements [`Chart`]; adding one to the site
//! means writing its data and labels, not drawing code.
//!
//! Numbers are formatted for the reader's language ([`format_value`], in [`crate::i18n`]): yen
//! as 億円 and 万円 in Japanese, as millions and billions in English; shares (probabilities) as
//! percentages in both.
//!
//! Where a chart has several series ([`Lines`]) or two kinds of mark ([`Tornado`]), they differ
//! in colour *and* in dash pattern or texture, and each is named in words beside it.
//!
//! Here are the parts every chart shares: the [`Chart`] trait and the words around a chart
//! ([`Axis`], [`Text`], [`Marker`]), the [`Table`] and CSV helpers, the drawing area, colours,
//! scales, ticks, axes and label placement. Each kind of chart has a file of its own:
//! [`Histogram`], [`Scatter`] (the cost-effectiveness plane), [`Bars`], [`Lines`]
//! (acceptability curves), [`Tornado`] and [`Ranges`] (intervals by group, such as suggested
//! prices by method against a list price); their tests are in `tests.rs`.
//!
//! Every chart is drawn twice, for the width it is shown at ([`Layout`]): a wide layout for
//! screens and a narrow one for phones, with fewer ticks and labels wrapped or moved above their
//! marks. Both are laid out with the same rules: labels are measured by [`text_width`] and
//! broken into lines by [`wrap`], and every label is placed by a [`Placer`], which refuses a
//! place where the label would cover another label, an axis, a reference line or the edge.

use std::fmt::Write as _;

mod bars;
mod histogram;
mod lines;
mod ranges;
mod scatter;
mod tornado;

pub use crate::i18n::{Lang, Unit, format_value, thousands};
pub use bars::{Bar, Bars};
pub use histogram::Histogram;
pub use lines::{Lines, Series};
pub use ranges::{RangeGroup, RangeRow, Ranges};
pub use scatter::Scatter;
pub use tornado::{Tornado, TornadoBar};

/// An axis: its label and the unit of its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Label shown beside the axis.
    pub label: String,
    /// Unit of the numbers.
    pub unit: Unit,
}

/// The words around a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// Short title, also the SVG's accessible name.
    pub title: String,
    /// One or two sentences saying what the chart shows, for screen readers and the table.
    pub description: String,
}

/// A value marked on a chart with its own label (a median, an interval's ends).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Where.
    pub value: f64,
    /// What it is, e.g. "median".
    pub label: String,
}

/// A table of the numbers a chart shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Rows, already formatted for reading.
    pub rows: Vec<Vec<String>>,
}

/// The width a chart is drawn for. A page shows both drawings and lets its stylesheet pick the
/// one that fits (`.chart-wide` and `.chart-narrow` in `site.css`): the narrow one where the
/// chart's box is less than 600 CSS pixels wide, so that the 12-pixel text of the wide drawing
/// never shows below 11 pixels, nor that of the narrow one on a 390-pixel phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// 640 pixels wide, for screens from a small tablet up.
    Wide,
    /// 360 pixels wide, for phones: fewer ticks, labels above their bars.
    Narrow,
}

impl Layout {
    /// Both layouts, the wide one (the download) first.
    pub const ALL: [Layout; 2] = [Layout::Wide, Layout::Narrow];

    /// Width of the drawing (its `viewBox`), in its own pixels.
    pub fn width(self) -> f64 {
        match self {
            Layout::Wide => 640.0,
            Layout::Narrow => 360.0,
        }
    }

    /// The narrowest the page shows this drawing at, in CSS pixels: the wide one from a
    /// 600-pixel box up; the narrow one on a 390-pixel phone, whose content box is 358 pixels
    /// less the chart's 1-pixel border.
    pub fn narrowest_shown(self) -> f64 {
        match self {
            Layout::Wide => 600.0,
            Layout::Narrow => 356.0,
        }
    }

    /// What the drawing's element ids end with, so that both drawings can be on one page.
    pub fn id_suffix(self) -> &'static str {
        match self {
            Layout::Wide => "",
            Layout::Narrow => "-narrow",
        }
    }
}

/// A chart: an SVG, a table with the same numbers, and CSV with the raw values.
pub trait Chart {
    /// Identifier, unique on its page (used for element ids and file names).
    fn id(&self) -> &str;
    /// The SVG drawn for a layout's width, standalone (it can be saved as a file) and
    /// embeddable in HTML; the narrow one's element ids end in `-narrow`.
    fn svg_for(&self, layout: Layout) -> String;
    /// The wide SVG: the one offered for download.
    fn svg(&self) -> String {
        self.svg_for(Layout::Wide)
    }
    /// The numbers behind the chart, formatted for reading.
    fn table(&self) -> Table;
    /// The numbers behind the chart, unformatted, with a header row.
    fn csv(&self) -> String;
}

/// Text and axes: contrast 17:1 and 7:1 on white.
const INK: &str = "#1a1a1a";
const AXIS: &str = "#595959";
/// Bars and points: contrast 5.9:1 on white.
const MARK: &str = "#2b6a99";
/// Markers and reference lines: contrast 5.0:1 on white.
const ACCENT: &str = "#b0411a";
/// The charts' font size, in the drawing's pixels: at the narrowest each drawing is shown
/// ([`Layout::narrowest_shown`]) it is still 11 CSS pixels or more.
const FONT: f64 = 12.0;
/// Distance between the baselines of a label's lines.
const LINE_HEIGHT: f64 = 14.0;
/// How far a line of text reaches above its baseline (Japanese glyphs reach highest) and below
/// it: a label's box, for keeping labels apart.
const ASCENT: f64 = 10.0;
const DESCENT: f64 = 3.0;
/// The least space between two labels, or a label and the edge.
const GAP: f64 = 2.0;

/// Escapes text for XML and HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Round tick values covering `[lo, hi]`, about `target` of them, at 1, 2 or 5 times a power
/// of ten.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Maps data to pixels on one axis, linearly or, for a [`Ranges`] chart, on a log scale.
#[derive(Debug, Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    p0: f64,
    p1: f64,
    log: bool,
}

impl Scale {
    fn linear(d: (f64, f64), p: (f64, f64)) -> Scale {
        Scale {
            d0: d.0,
            d1: d.1,
            p0: p.0,
            p1: p.1,
            log: false,
        }
    }

    fn at(&self, x: f64) -> f64 {
        if self.log {
            let (a, b) = (self.d0.log10(), self.d1.log10());
            self.p0 + (x.log10() - a) / (b - a) * (self.p1 - self.p0)
        } else {
            self.p0 + (x - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
        }
    }
}

/// Whether a character is set a full em wide: Japanese and Chinese characters, kana, full-width
/// forms and their punctuation, Hangul.
fn full_width(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6)
}

/// A character's advance in ems. The charts ask for `sans-serif`, which is Helvetica, Arial or
/// DejaVu Sans depending on the reader's system; these are the widest of the three (DejaVu's,
/// rounded up) so that a label never needs more room than it was given. Japanese characters
/// are a full em in every Japanese font.
fn char_em(c: char) -> f64 {
    match c {
        _ if full_width(c) => 1.0,
        'i' | 'j' | 'l' | '\'' | '|' | '!' | '.' | ',' | ':' | ';' | '`' | 'I' | 'J' => 0.34,
        ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '{' | '}' | '/' | '\\' | '-' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '@' | '—' => 1.0,
        '0'..='9' | '¥' | '$' | '#' | '?' | '_' | '–' | '·' => 0.64,
        'a'..='z' => 0.64,
        'A'..='Z' | '&' => 0.8,
        '+' | '<' | '>' | '=' | '~' | '×' | '±' => 0.84,
        '"' | '*' | '^' => 0.5,
        // Half-width katakana.
        '\u{FF61}'..='\u{FF9F}' => 0.5,
        // Other letters (Greek, accented Latin) and symbols.
        _ => 0.8,
    }
}

/// A label's width in pixels at the charts' font size: a full em for each Japanese character
/// and, for Latin text, per-class widths (`char_em`) generous enough for any of the common
/// sans-serif fonts. Every chart measures its labels with this, and the tests measure the
/// drawn SVG with it too.
pub fn text_width(s: &str) -> f64 {
    s.chars().map(char_em).sum::<f64>() * FONT
}

/// Characters a line may not start with (Japanese line-breaking rules, and closing Latin
/// punctuation).
const NO_LINE_START: &str =
    "、。，．）」』】〕〉》ー・？！ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々%)],.:;/";
/// Characters a line may not end with.
const NO_LINE_END: &str = "（「『【〔〈《([";
/// Characters after which a Japanese line is best broken.
const GOOD_AFTER: &str = "、。・）」』】〕";
/// Characters before which a Japanese line is best broken.
const GOOD_BEFORE: &str = "（「『【〔";

/// How good a line break between `a` and `b` is: 0 not allowed, 1 allowed, 2 good.
fn break_quality(a: char, b: char) -> u8 {
    if a == ' ' || b == ' ' {
        // Breaking at a space (the space is dropped).
        return if b == ' ' { 0 } else { 2 };
    }
    if NO_LINE_START.contains(b) || NO_LINE_END.contains(a) {
        return 0;
    }
    if GOOD_AFTER.contains(a) || GOOD_BEFORE.contains(b) {
        return 2;
    }
    // Never inside a word or number, nor between a number and its unit (500万円, 1.5億円).
    if !full_width(a) && !full_width(b) {
        return 0;
    }
    if (a.is_ascii_digit() || a == '.') && "万億円千兆".contains(b) {
        return 0;
    }
    if "万億".contains(a) && b == '円' {
        return 0;
    }
    1
}

/// Breaks a label into lines of at most `max` pixels (by [`text_width`]). English breaks only
/// between words, so a word longer than a line stays whole (callers give room for the longest
/// word: see `longest_unbreakable`); Japanese breaks between characters, preferably after
/// 、・） and before （, never before 。、）ー or small kana, nor inside a number with its unit.
pub fn wrap(s: &str, max: f64) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        // Skip spaces at the start of a line.
        while start < chars.len() && chars[start] == ' ' {
            start += 1;
        }
        if start >= chars.len() {
            break;
        }
        let mut width = 0.0;
        let mut end = start;
        while end < chars.len() && width + char_em(chars[end]) * FONT <= max + 1e-9 {
            width += char_em(chars[end]) * FONT;
            end += 1;
        }
        if end == chars.len() {
            lines.push(
                chars[start..]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
            break;
        }
        // The best break in the part that fits: fuller lines are better, good breaks (spaces,
        // after 、) are worth a third of a line.
        let mut best: Option<(usize, f64)> = None;
        let mut w = 0.0;
        for i in start + 1..=end {
            w += char_em(chars[i - 1]) * FONT;
            let q = break_quality(chars[i - 1], chars[i]);
            if q == 0 {
                continue;
            }
            let score = w / max + if q == 2 { 0.34 } else { 0.0 };
            if best.is_none_or(|(_, s)| score >= s) {
                best = Some((i, score));
            }
        }
        let cut = match best {
            Some((i, _)) => i,
            // Nothing fits before the first break: the line runs on to it (a long word).
            None => (end + 1..chars.len())
                .find(|&i| break_quality(chars[i - 1], chars[i]) > 0)
                .unwrap_or(chars.len()),
        };
        lines.push(
            chars[start..cut]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_string(),
        );
        start = cut;
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The widest part of a label that [`wrap`] never breaks (its longest word), in pixels.
fn longest_unbreakable(s: &str) -> f64 {
    let chars: Vec<char> = s.chars().collect();
    let (mut longest, mut run) = (0.0f64, 0.0);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && break_quality(chars[i - 1], c) > 0 {
            run = 0.0;
        }
        if c != ' ' {
            run += char_em(c) * FONT;
        }
        longest = longest.max(run);
    }
    longest
}

/// The widest of some lines, by [`text_width`].
fn widest(lines: &[String]) -> f64 {
    lines.iter().map(|l| text_width(l)).fold(0.0, f64::max)
}

/// A box in the drawing's pixels: a label's, or a mark's that labels must keep off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl Rect {
    /// Whether two boxes overlap or come closer than `gap`.
    pub fn near(&self, o: &Rect, gap: f64) -> bool {
        self.x0 < o.x1 + gap && o.x0 < self.x1 + gap && self.y0 < o.y1 + gap && o.y0 < self.y1 + gap
    }

    /// Whether this box holds another whole.
    pub fn holds(&self, o: &Rect) -> bool {
        o.x0 >= self.x0 - 1e-6
            && o.x1 <= self.x1 + 1e-6
            && o.y0 >= self.y0 - 1e-6
            && o.y1 <= self.y1 + 1e-6
    }

    /// Whether the segment from (x1, y1) to (x2, y2) passes through the box (touching its edge
    /// does not count), by clipping the segment to it (Liang and Barsky).
    pub fn crossed_by(&self, s: [f64; 4]) -> bool {
        let [x1, y1, x2, y2] = s;
        let (dx, dy) = (x2 - x1, y2 - y1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, x1 - self.x0),
            (dx, self.x1 - x1),
            (-dy, y1 - self.y0),
            (dy, self.y1 - y1),
        ] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        t0 < t1 - 1e-9
    }
}

/// Where a label's x is: its start, middle or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn svg(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A label: lines of text, its anchor's x and its first line's baseline.
#[derive(Debug, Clone, PartialEq)]
struct Label {
    lines: Vec<String>,
    x: f64,
    y: f64,
    anchor: Anchor,
}

impl Label {
    fn new(lines: Vec<String>, x: f64, y: f64, anchor: Anchor) -> Label {
        Label {
            lines,
            x,
            y,
            anchor,
        }
    }

    /// Its box, as the tests measure it from the SVG.
    fn rect(&self) -> Rect {
        let w = widest(&self.lines);
        let x0 = match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - w / 2.0,
            Anchor::End => self.x - w,
        };
        Rect {
            x0,
            y0: self.y - ASCENT,
            x1: x0 + w,
            y1: self.y + LINE_HEIGHT * (self.lines.len().max(1) - 1) as f64 + DESCENT,
        }
    }

    /// Height of `n` lines' box.
    fn height(n: usize) -> f64 {
        LINE_HEIGHT * (n.max(1) - 1) as f64 + ASCENT + DESCENT
    }

    /// The same label moved to lie within `left..right` (as far as it fits).
    fn clamped(mut self, left: f64, right: f64) -> Label {
        let r = self.rect();
        if r.x1 > right {
            self.x -= r.x1 - right;
        }
        let r = self.rect();
        if r.x0 < left {
            self.x += left - r.x0;
        }
        self
    }

    /// Writes it, with `attrs` (fill, halo) on the `<text>` element.
    fn write(&self, out: &mut String, attrs: &str) {
        let attrs = format!("text-anchor=\"{}\" {attrs}", self.anchor.svg());
        write_lines(out, self.x, self.y, &attrs, &self.lines);
    }
}

/// Keeps track of what is drawn where, so that each new label goes where it covers no other
/// label, no mark it must keep off (axes, ticks, reference lines, bars) and stays inside the
/// drawing. Every chart places its labels through one.
#[derive(Debug, Clone)]
pub struct Placer {
    bounds: Rect,
    texts: Vec<Rect>,
    marks: Vec<Rect>,
    segments: Vec<[f64; 4]>,
}

impl Placer {
    /// An empty drawing: labels must stay `GAP` inside `width` × `height`.
    fn new(width: f64, height: f64) -> Placer {
        Placer {
            bounds: Rect {
                x0: GAP,
                y0: GAP,
                x1: width - GAP,
                y1: height - GAP,
            },
            texts: Vec::new(),
            marks: Vec::new(),
            segments: Vec::new(),
        }
    }

    /// Notes a label already drawn.
    fn text(&mut self, r: Rect) {
        self.texts.push(r);
    }

    /// Notes a mark (a bar, a dot) that labels must keep off.
    fn mark(&mut self, r: Rect) {
        self.marks.push(r);
    }

    /// Notes a line that labels must keep off.
    fn segment(&mut self, s: [f64; 4]) {
        self.segments.push(s);
    }

    /// Whether a label's box is free: inside the drawing, clear of labels by `GAP`, of marks
    /// and of lines.
    fn free(&self, r: &Rect) -> bool {
        self.bounds.holds(r)
            && !self.texts.iter().any(|t| t.near(r, GAP))
            && !self.marks.iter().any(|m| m.near(r, 0.0))
            && !self.segments.iter().any(|&s| r.crossed_by(s))
    }

    /// Whether a line (a leader to a label) would cross no label.
    fn clear_line(&self, s: [f64; 4]) -> bool {
        !self.texts.iter().any(|t| t.crossed_by(s))
    }

    /// The first of some candidate places (a label and the leader joining it to its mark, if
    /// any) that is free; it is taken. `None` when none is.
    fn place(
        &mut self,
        candidates: impl IntoIterator<Item = (Label, Option<[f64; 4]>)>,
    ) -> Option<(Label, Option<[f64; 4]>)> {
        let found = candidates.into_iter().find(|(label, leader)| {
            self.free(&label.rect()) && leader.is_none_or(|s| self.clear_line(s))
        })?;
        self.text(found.0.rect());
        if let Some(s) = found.1 {
            self.segment(s);
        }
        Some(found)
    }

    /// Places a label that must be drawn whatever happens (an axis title, a row's name): at
    /// its place, noted so that later labels keep off it.
    fn fixed(&mut self, label: Label) -> Label {
        self.text(label.rect());
        label
    }
}

/// Stacks labels above the line `y = foot` (the top of a plot, or of a group of rows), each
/// joined to its mark at x by a vertical leader, in the lowest row where it fits: centred on
/// its x, or reaching left or right of it. Marks closer than 8 pixels share one label (their
/// labels as lines of one), and a label never covers the x of a mark still to be placed, whose
/// leader would have to cross it. Returns, for each label placed, the indices in `items` it
/// stands for, the label and the top of its leader (where the marks' lines should stop).
/// Labels that fit nowhere (no room at all) are left out.
fn stack_above(
    placer: &mut Placer,
    items: &[(f64, Vec<String>)],
    foot: f64,
) -> Vec<(Vec<usize>, Label, f64)> {
    let (left, right) = (placer.bounds.x0, placer.bounds.x1);
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[a].0.total_cmp(&items[b].0).then(a.cmp(&b)));
    // Marks close together, as groups sharing a label.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match groups.last_mut() {
            Some(g) if items[i].0 - items[g[0]].0 < 8.0 => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    let mut out = Vec::new();
    for (n, group) in groups.iter().enumerate() {
        let x = group.iter().map(|&i| items[i].0).sum::<f64>() / group.len() as f64;
        let lines: Vec<String> = group.iter().flat_map(|&i| items[i].1.clone()).collect();
        let later: Vec<f64> = groups[n + 1..]
            .iter()
            .flat_map(|g| g.iter().map(|&i| items[i].0))
            .collect();
        let h = Label::height(lines.len());
        let candidates = (0..40).flat_map(|row| {
            let bottom = foot - 4.0 - (LINE_HEIGHT + 1.0) * row as f64;
            let y = bottom - h + ASCENT;
            let lines = lines.clone();
            [Anchor::Middle, Anchor::End, Anchor::Start]
                .into_iter()
                .map(move |anchor| {
                    let shift = match anchor {
                        Anchor::Middle => 0.0,
                        Anchor::Start => -6.0,
                        Anchor::End => 6.0,
                    };
                    let label =
                        Label::new(lines.clone(), x + shift, y, anchor).clamped(left, right);
                    let leader = [x, bottom + 1.0, x, foot];
                    (label, (bottom + 4.0 < foot).then_some(leader))
                })
        });
        let candidates = candidates.filter(|(label, _)| {
            let r = label.rect();
            !later.iter().any(|&px| px > r.x0 - GAP && px < r.x1 + GAP)
        });
        if let Some((label, _)) = placer.place(candidates) {
            let top = label.rect().y1 + 1.0;
            out.push((group.clone(), label, top));
        }
    }
    out
}

/// Ticks of a linear axis over `lo..hi`, as many as fit (up to about `most`): each tick's
/// label, centred on it, keeps 8 pixels from the next. `ends` gives, for a set of ticks, where
/// the axis starts and ends in pixels (the room may depend on the end labels' widths).
fn fitted_ticks(
    lo: f64,
    hi: f64,
    most: usize,
    label: impl Fn(f64) -> String,
    ends: impl Fn(&[f64]) -> (f64, f64),
) -> Vec<f64> {
    let mut last = Vec::new();
    for target in (1..=most.max(1)).rev() {
        let ticks = nice_ticks(lo, hi, target);
        if ticks.len() < 2 {
            continue;
        }
        let (p0, p1) = ends(&ticks);
        let step = (p1 - p0) / (ticks[ticks.len() - 1] - ticks[0]);
        let fits = ticks.windows(2).all(|w| {
            let room = (w[1] - w[0]) * step;
            room >= (text_width(&label(w[0])) + text_width(&label(w[1]))) / 2.0 + 8.0
        });
        if fits {
            return ticks;
        }
        last = ticks;
    }
    last
}

/// Which ticks of an axis get a label: every one, or every other where even the fewest round
/// ticks are too close for their labels (then the ticks stay, as marks).
fn labelled(ticks: &[f64], at: impl Fn(f64) -> f64, label: impl Fn(f64) -> String) -> Vec<bool> {
    for every in 1..=ticks.len().max(1) {
        let keep: Vec<bool> = (0..ticks.len()).map(|i| i % every == 0).collect();
        let shown: Vec<f64> = ticks
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(t, _)| *t)
            .collect();
        let fits = shown.windows(2).all(|w| {
            (at(w[1]) - at(w[0])).abs()
                >= (text_width(&label(w[0])) + text_width(&label(w[1]))) / 2.0 + 8.0
        });
        if fits {
            return keep;
        }
    }
    (0..ticks.len()).map(|i| i == 0).collect()
}

/// Opens a chart's SVG `width` × `height` pixels, with its accessible name and description;
/// element ids end in the layout's suffix.
fn open_svg(out: &mut String, id: &str, layout: Layout, text: &Text, height: f64) {
    let id = format!("{}{}", escape(id), layout.id_suffix());
    let width = layout.width();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height:.0}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"{FONT}\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{width}\" height=\"{height:.0}\" fill=\"#ffffff\"/>",
        escape(&text.title),
        escape(&text.description)
    );
}

/// How a [`Plot`]'s vertical axis is ticked.
enum YTicks {
    /// At these values.
    Fixed(Vec<f64>),
    /// At round values covering this range.
    Over(f64, f64),
}

/// What a chart with two numeric axes (a [`Histogram`], a [`Scatter`], [`Lines`]) asks of its
/// frame.
struct PlotSpec<'a> {
    layout: Layout,
    lang: Lang,
    x: &'a Axis,
    y: &'a Axis,
    /// Values the horizontal axis must cover.
    x_range: (f64, f64),
    y_ticks: YTicks,
    /// Pixels kept right of the plot (for the labels of lines).
    right_room: f64,
    /// Pixels kept under the horizontal axis's title (for a legend).
    below_room: f64,
}

/// The frame of a chart with two numeric axes: scales, ticks, titles, and a [`Placer`] that
/// knows about them.
struct Plot {
    width: f64,
    height: f64,
    xs: Scale,
    ys: Scale,
    x_ticks: Vec<f64>,
    y_ticks: Vec<f64>,
    x_title: Label,
    y_title: Label,
    /// Where the room under the horizontal axis's title starts.
    below: f64,
    placer: Placer,
}

/// Height of the plot area itself.
fn plot_height(layout: Layout) -> f64 {
    match layout {
        Layout::Wide => 230.0,
        Layout::Narrow => 210.0,
    }
}

impl PlotSpec<'_> {
    /// The frame, with `band` pixels kept between the vertical axis's title (at the top) and
    /// the plot, for labels stacked above it ([`stack_above`]).
    fn frame(&self, band: f64) -> Plot {
        let width = self.layout.width();
        let narrow = self.layout == Layout::Narrow;
        let plot_h = plot_height(self.layout);
        let fx = |v: f64| format_value(v, self.x.unit, self.lang);
        let fy = |v: f64| format_value(v, self.y.unit, self.lang);
        // The vertical axis's title, level, above the plot: read without turning one's head, and
        // never over the tick labels.
        let y_lines = wrap(&self.y.label, width - 2.0 * GAP - 6.0);
        let y_title = Label::new(y_lines, 6.0, 6.0 + ASCENT, Anchor::Start);
        let top = y_title.rect().y1 + 8.0 + band;
        let y_ticks = match &self.y_ticks {
            YTicks::Fixed(t) => t.clone(),
            YTicks::Over(lo, hi) => {
                let most = if narrow { 4 } else { 5 };
                (1..=most)
                    .rev()
                    .map(|n| nice_ticks(*lo, *hi, n))
                    .find(|t| plot_h / (t.len().max(2) - 1) as f64 >= LINE_HEIGHT + 16.0)
                    .unwrap_or_else(|| nice_ticks(*lo, *hi, 1))
            }
        };
        let y_label_w = y_ticks
            .iter()
            .map(|&t| text_width(&fy(t)))
            .fold(0.0, f64::max);
        let (xlo, xhi) = self.x_range;
        let ends = |t: &[f64]| {
            let first = text_width(&fx(t[0])) / 2.0 + GAP + 2.0;
            let last = text_width(&fx(t[t.len() - 1])) / 2.0 + GAP + 2.0;
            let p0 = (y_label_w + 14.0).max(first).max(32.0);
            let p1 = width - last.max(16.0) - self.right_room;
            (p0, p1)
        };
        let x_ticks = fitted_ticks(xlo, xhi, if narrow { 4 } else { 7 }, fx, ends);
        let (p0, p1) = ends(&x_ticks);
        let xs = Scale::linear((x_ticks[0], x_ticks[x_ticks.len() - 1]), (p0, p1));
        let bottom = top + plot_h;
        let ys = Scale::linear((y_ticks[0], y_ticks[y_ticks.len() - 1]), (bottom, top));
        let x_lines = wrap(&self.x.label, width - 2.0 * GAP - 4.0);
        let x_title = Label::new(x_lines, (p0 + p1) / 2.0, bottom + 40.0, Anchor::Middle)
            .clamped(GAP, width - GAP);
        let below = x_title.rect().y1 + 8.0;
        let height = below + self.below_room;
        let mut placer = Placer::new(width, height);
        placer.fixed(y_title.clone());
        placer.fixed(x_title.clone());
        // The axes and their tick labels (drawn by `draw_axes`, in the same places).
        placer.segment([p0, bottom, p1, bottom]);
        placer.segment([p0, top, p0, bottom]);
        for &t in &x_ticks {
            placer.fixed(Label::new(
                vec![fx(t)],
                xs.at(t),
                bottom + 18.0,
                Anchor::Middle,
            ));
        }
        for &t in &y_ticks {
            placer.fixed(Label::new(
                vec![fy(t)],
                p0 - 8.0,
                ys.at(t) + 4.0,
                Anchor::End,
            ));
        }
        Plot {
            width,
            height,
            xs,
            ys,
            x_ticks,
            y_ticks,
            x_title,
            y_title,
            below,
            placer,
        }
    }

    /// The frame with room for labels stacked above the plot: measured by stacking them once
    /// with no limit above, then the frame is drawn with that room (the labels' places relative
    /// to the plot do not change: the horizontal scale does not depend on the room).
    fn frame_with_band(&self, items: impl Fn(&Plot) -> Vec<(f64, Vec<String>)>) -> Plot {
        let trial = self.frame(0.0);
        let mut placer = trial.placer.clone();
        placer.bounds.y0 = f64::NEG_INFINITY;
        // Labels above the plot stay clear of the vertical axis's title by the band itself.
        placer.texts.retain(|r| *r != trial.y_title.rect());
        let top = trial.ys.p1;
        let placed = stack_above(&mut placer, &items(&trial), top);
        let highest = placed
            .iter()
            .map(|(_, l, _)| l.rect().y0)
            .fold(top, f64::min);
        let band = if placed.is_empty() {
            0.0
        } else {
            top - highest + 2.0
        };
        self.frame(band)
    }
}

impl Plot {
    /// Draws gridlines (when asked), the axes, their ticks, tick labels and titles.
    fn draw_axes(&self, out: &mut String, spec: &PlotSpec, grid: bool) {
        let (xs, ys) = (self.xs, self.ys);
        let (bottom, left) = (ys.p0, xs.p0);
        if grid {
            for &t in &self.y_ticks {
                let py = ys.at(t);
                let _ = write!(
                    out,
                    "<line x1=\"{:.1}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"{GRID}\"/>",
                    xs.p0, xs.p1
                );
            }
        }
        let _ = write!(
            out,
            "<g stroke=\"{AXIS}\"><line x1=\"{left:.1}\" y1=\"{bottom:.1}\" x2=\"{:.1}\" y2=\"{bottom:.1}\"/>\
             <line x1=\"{left:.1}\" y1=\"{:.1}\" x2=\"{left:.1}\" y2=\"{bottom:.1}\"/></g>",
            xs.p1, ys.p1
        );
        for &t in &self.x_ticks {
            let px = xs.at(t);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{bottom:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{AXIS}\"/>\
                 <text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                bottom + 5.0,
                bottom + 18.0,
                escape(&format_value(t, spec.x.unit, spec.lang))
            );
        }
        for &t in &self.y_ticks {
            let py = ys.at(t);
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{py:.1}\" x2=\"{left:.1}\" y2=\"{py:.1}\" stroke=\"{AXIS}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
                left - 5.0,
                left - 8.0,
                py + 4.0,
                escape(&format_value(t, spec.y.unit, spec.lang))
            );
        }
        self.x_title.write(out, &format!("fill=\"{INK}\""));
        self.y_title.write(out, &format!("fill=\"{INK}\""));
    }
}

/// Draws a horizontal axis at `y` for a chart of rows ([`Bars`], [`Tornado`], [`Ranges`]): the
/// line, ticks, their labels (every other one where they would touch) and the title, noting
/// the labels in `placer`.
fn draw_x_axis(
    out: &mut String,
    placer: &mut Placer,
    xs: Scale,
    ticks: &[f64],
    y: f64,
    label: &dyn Fn(f64) -> String,
    title: Label,
) {
    let _ = write!(
        out,
        "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{AXIS}\"/>",
        xs.p0, xs.p1
    );
    placer.segment([xs.p0, y, xs.p1, y]);
    let keep = labelled(ticks, |t| xs.at(t), label);
    for (&t, keep) in ticks.iter().zip(keep) {
        let px = xs.at(t);
        let _ = write!(
            out,
            "<line x1=\"{px:.1}\" y1=\"{y:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{AXIS}\"/>",
            y + 5.0
        );
        if keep {
            let l = Label::new(vec![label(t)], px, y + 18.0, Anchor::Middle);
            placer.fixed(l).write(out, &format!("fill=\"{INK}\""));
        }
    }
    placer.fixed(title).write(out, &format!("fill=\"{INK}\""));
}

/// Draws a reference line at x from the plot's bottom up to its label's leader top: the
/// markers of a [`Histogram`] and of [`Lines`].
fn draw_marker(out: &mut String, px: f64, bottom: f64, top: f64) {
    let _ = write!(
        out,
        "<line x1=\"{px:.1}\" y1=\"{top:.1}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"{ACCENT}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
    );
}

/// Colours of a [`Lines`] chart's series, in order: blue, purple, green and near-black, each at
/// least 5.5:1 on white, so that their labels can be written in them too. None is close to
/// [`ACCENT`], which stays for reference lines.
const SERIES_COLOURS: [&str; 4] = [MARK, "#7b3294", "#1b7837", INK];
/// Dash patterns of the series, in the same order: solid, dashed, dotted, dash-dot.
const SERIES_DASHES: [&str; 4] = ["", "8 4", "2 3", "10 3 2 3"];
/// Gridlines: light, behind everything (decoration; the ticks carry the numbers).
const GRID: &str = "#d9d9d9";

/// The colour and dash pattern of the `i`th series: the colours cycle every four series and the
/// dash patterns shift at each cycle, so that up to sixteen series differ in one or the other.
fn series_style(i: usize) -> (&'static str, &'static str) {
    (
        SERIES_COLOURS[i % SERIES_COLOURS.len()],
        SERIES_DASHES[(i + i / SERIES_COLOURS.len()) % SERIES_DASHES.len()],
    )
}

/// Writes a label of one or more lines; `attrs` go on the `<text>` element, and the first line's
/// baseline is at `y`.
fn write_lines(out: &mut String, x: f64, y: f64, attrs: &str, lines: &[String]) {
    let _ = write!(out, "<text x=\"{x:.1}\" y=\"{y:.1}\" {attrs}>");
    if let [line] = lines {
        out.push_str(&escape(line));
    } else {
        for (j, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<tspan x=\"{x:.1}\" y=\"{:.1}\">{}</tspan>",
                y + LINE_HEIGHT * j as f64,
                escape(line)
            );
        }
    }
    out.push_str("</text>");
}

/// Attributes of a label drawn over lines: a white halo keeps it readable.
fn halo(fill: &str) -> String {
    format!("fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"")
}

/// Places labels in a column: each wants its centre at `wanted.0` and is `wanted.1` tall.
/// Returns the centres, in the same order, moved apart as little as possible so that no two
/// overlap, and kept between `top` and `bottom` where there is room.
fn spread(wanted: &[(f64, f64)], top: f64, bottom: f64) -> Vec<f64> {
    const GAP: f64 = 2.0;
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| wanted[a].0.total_cmp(&wanted[b].0).then(a.cmp(&b)));
    let mut centres: Vec<f64> = wanted.iter().map(|w| w.0).collect();
    // Downwards: each below the one above it.
    let mut floor = top;
    for &i in &order {
        let half = wanted[i].1 / 2.0;
        centres[i] = centres[i].max(floor + half);
        floor = centres[i] + half + GAP;
    }
    // Upwards: none below the bottom, each above the one below it.
    let mut ceiling = bottom;
    for &i in order.iter().rev() {
        let half = wanted[i].1 / 2.0;
        centres[i] = centres[i].min(ceiling - half);
        ceiling = centres[i] - half - GAP;
    }
    centres
}

/// An axis range around `lo..hi` with some width even when they are equal.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() / 10.0 };
        (lo - pad, lo + pad)
    }
}

/// The smallest and largest of some numbers, leaving out those that are not finite.
fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// Quotes a field for CSV.
fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests;
