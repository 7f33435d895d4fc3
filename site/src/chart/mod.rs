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
//! (acceptability curves) and [`Tornado`]; their tests are in `tests.rs`.

use std::fmt::Write as _;

mod bars;
mod histogram;
mod lines;
mod scatter;
mod tornado;

pub use crate::i18n::{Lang, Unit, format_value, thousands};
pub use bars::{Bar, Bars};
pub use histogram::Histogram;
pub use lines::{Lines, Series};
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

/// A chart: an SVG, a table with the same numbers, and CSV with the raw values.
pub trait Chart {
    /// Identifier, unique on its page (used for element ids and file names).
    fn id(&self) -> &str;
    /// The SVG, standalone (it can be saved as a file) and embeddable in HTML.
    fn svg(&self) -> String;
    /// The numbers behind the chart, formatted for reading.
    fn table(&self) -> Table;
    /// The numbers behind the chart, unformatted, with a header row.
    fn csv(&self) -> String;
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 56.0;
/// Text and axes: contrast 17:1 and 7:1 on white.
const INK: &str = "#1a1a1a";
const AXIS: &str = "#595959";
/// Bars and points: contrast 5.9:1 on white.
const MARK: &str = "#2b6a99";
/// Markers and reference lines: contrast 5.0:1 on white.
const ACCENT: &str = "#b0411a";

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

/// Maps data to pixels on one axis.
#[derive(Debug, Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    p0: f64,
    p1: f64,
}

impl Scale {
    fn at(&self, x: f64) -> f64 {
        self.p0 + (x - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }
}

/// A label's approximate width in pixels at the charts' 12px font: Latin characters about
/// 0.58 em, Japanese ones a full em. Only used to keep labels apart, so rough is fine.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 7.0 } else { 12.0 })
        .sum()
}

/// Assigns each horizontal span (left, right) a row, from 0, so that spans in one row do not
/// overlap; with more than `max_rows` needed, a label goes to the row where it overlaps least.
fn label_rows(spans: &[(f64, f64)], max_rows: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by(|&a, &b| spans[a].0.total_cmp(&spans[b].0));
    let mut row_end = vec![f64::NEG_INFINITY; max_rows.max(1)];
    let mut rows = vec![0; spans.len()];
    for i in order {
        let (left, right) = spans[i];
        let row = row_end
            .iter()
            .position(|&end| end + 6.0 <= left)
            .unwrap_or_else(|| {
                (0..row_end.len())
                    .min_by(|&a, &b| row_end[a].total_cmp(&row_end[b]))
                    .unwrap_or(0)
            });
        row_end[row] = right;
        rows[i] = row;
    }
    rows
}

/// Opens a chart's SVG `height` pixels tall, with its accessible name and description.
fn open_svg(out: &mut String, id: &str, text: &Text, height: f64) {
    let id = escape(id);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>",
        escape(&text.title),
        escape(&text.description)
    );
}

/// Axes with ticks, tick labels and axis labels; the horizontal axis runs between the ends of
/// its scale (the full width, or less where labels sit right of the plot).
fn axes(out: &mut String, x: (&Axis, Scale, &[f64]), y: (&Axis, Scale, &[f64]), lang: Lang) {
    let (x_axis, xs, xt) = x;
    let (y_axis, ys, yt) = y;
    let (bottom, left) = (HEIGHT - BOTTOM, xs.p0);
    let _ = write!(
        out,
        "<g stroke=\"{AXIS}\"><line x1=\"{left}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\"/>\
         <line x1=\"{left}\" y1=\"{TOP}\" x2=\"{left}\" y2=\"{bottom}\"/></g>",
        xs.p1
    );
    for &t in xt {
        let px = xs.at(t);
        let _ = write!(
            out,
            "<line x1=\"{px:.1}\" y1=\"{bottom}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{AXIS}\"/>\
             <text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            bottom + 5.0,
            bottom + 18.0,
            escape(&format_value(t, x_axis.unit, lang))
        );
    }
    for &t in yt {
        let py = ys.at(t);
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" y1=\"{py:.1}\" x2=\"{left}\" y2=\"{py:.1}\" stroke=\"{AXIS}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            left - 5.0,
            left - 8.0,
            py + 4.0,
            escape(&format_value(t, y_axis.unit, lang))
        );
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>\
         <text x=\"16\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\" transform=\"rotate(-90 16 {:.1})\">{}</text>",
        (xs.p0 + xs.p1) / 2.0,
        HEIGHT - 12.0,
        escape(&x_axis.label),
        (TOP + bottom) / 2.0,
        (TOP + bottom) / 2.0,
        escape(&y_axis.label)
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
/// Distance between the baselines of a label's lines.
const LINE_HEIGHT: f64 = 13.0;

/// The colour and dash pattern of the `i`th series: the colours cycle every four series and the
/// dash patterns shift at each cycle, so that up to sixteen series differ in one or the other.
fn series_style(i: usize) -> (&'static str, &'static str) {
    (
        SERIES_COLOURS[i % SERIES_COLOURS.len()],
        SERIES_DASHES[(i + i / SERIES_COLOURS.len()) % SERIES_DASHES.len()],
    )
}

/// Breaks a label into lines of at most `max` pixels (by [`text_width`]): between words where it
/// has spaces, between characters where a word (or Japanese text) is longer than a line.
fn wrap(s: &str, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let joined = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&joined) <= max {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if !line.is_empty() && text_width(&line) + text_width(c.encode_utf8(&mut [0; 4])) > max
            {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The widest of some lines, by [`text_width`].
fn widest(lines: &[String]) -> f64 {
    lines.iter().map(|l| text_width(l)).fold(0.0, f64::max)
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
fn halo(fill: &str, anchor: &str) -> String {
    format!(
        "text-anchor=\"{anchor}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\""
    )
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
