//! Charts drawn as SVG by the site itself, each with the same numbers as a table and as CSV.
//!
//! Every chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`, with marks
//! labelled directly (never by colour alone) and colours that keep a contrast of at least 4.5:1
//! for text and 3:1 for marks on white. A chart type implements [`Chart`]; adding one to the site
//! means writing its data and labels, not drawing code.
//!
//! Numbers are formatted for the reader's language: yen as 億円 and 万円 in Japanese, as
//! millions and billions in English; shares (probabilities) as percentages in both.
//!
//! Where a chart has several series ([`Lines`]) or two kinds of mark ([`Tornado`]), they differ
//! in colour *and* in dash pattern or texture, and each is named in words beside it.

use std::fmt::Write as _;

/// The language a chart (or a page) is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// Japanese.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Japanese first (the site's first language).
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The language code used in `lang`, `hreflang` and addresses.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

/// What the numbers on an axis are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Yen.
    Yen,
    /// Quality-adjusted life years.
    Qalys,
    /// A share or probability from 0 to 1, written as a percentage ("40%").
    Share,
    /// Anything else, printed as it is.
    Plain,
}

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

/// A number with up to `digits` significant digits, without trailing zeros.
fn significant(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Commas between thousands in a number's integer part: 20000 becomes 20,000.
pub fn thousands(number: &str) -> String {
    let (int, frac) = number
        .split_once('.')
        .map_or((number, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A number in a unit, for a reader of `lang`: yen as 億円/万円 or as millions/billions, a
/// share as a percentage.
pub fn format_value(x: f64, unit: Unit, lang: Lang) -> String {
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    match (unit, lang) {
        (Unit::Yen, Lang::Ja) if a >= 1e8 => format!("{sign}{}億円", significant(a / 1e8, 3)),
        (Unit::Yen, Lang::Ja) if a >= 1e4 => format!("{sign}{}万円", significant(a / 1e4, 3)),
        (Unit::Yen, Lang::Ja) => format!("{sign}{}円", significant(a, 3)),
        (Unit::Yen, Lang::En) if a >= 1e9 => format!("{sign}¥{}bn", significant(a / 1e9, 3)),
        (Unit::Yen, Lang::En) if a >= 1e6 => format!("{sign}¥{}m", significant(a / 1e6, 3)),
        (Unit::Yen, Lang::En) => format!("{sign}¥{}", thousands(&significant(a, 3))),
        (Unit::Share, _) => format!("{sign}{}%", significant(a * 100.0, 3)),
        (Unit::Qalys, _) | (Unit::Plain, _) => format!("{sign}{}", significant(a, 3)),
    }
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

/// The distribution of a quantity over Monte Carlo draws, as a histogram with labelled
/// markers (for example the median and the 95% interval of a threshold price).
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Identifier.
    pub id: String,
    /// Language of the labels.
    pub lang: Lang,
    /// Title and description.
    pub text: Text,
    /// The quantity's axis.
    pub x: Axis,
    /// Label of the counts axis (e.g. "share of draws").
    pub y_label: String,
    /// Bins: lower edge, upper edge, number of values.
    pub bins: Vec<(f64, f64, usize)>,
    /// Labelled values drawn as vertical lines.
    pub markers: Vec<Marker>,
}

impl Histogram {
    /// Bins `values` into `bins` equal-width bins from the smallest to the largest value (each
    /// bin holds values from its lower edge up to, not including, its upper edge; the last one
    /// includes the largest value). Non-finite values are left out.
    pub fn bin(values: &[f64], bins: usize) -> Vec<(f64, f64, usize)> {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let bins = bins.max(1);
        let Some(lo) = finite.iter().copied().reduce(f64::min) else {
            return Vec::new();
        };
        let hi = finite.iter().copied().fold(lo, f64::max);
        let width = if hi > lo {
            (hi - lo) / bins as f64
        } else {
            1.0
        };
        let mut counts = vec![0usize; bins];
        for v in finite {
            let i = (((v - lo) / width) as usize).min(bins - 1);
            counts[i] += 1;
        }
        counts
            .into_iter()
            .enumerate()
            .map(|(i, c)| (lo + i as f64 * width, lo + (i + 1) as f64 * width, c))
            .collect()
    }

    fn total(&self) -> usize {
        self.bins.iter().map(|b| b.2).sum::<usize>().max(1)
    }
}

impl Chart for Histogram {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg(&self) -> String {
        let mut out = String::new();
        open_svg(&mut out, &self.id, &self.text, HEIGHT);
        let total = self.total() as f64;
        let lo = self.bins.first().map_or(0.0, |b| b.0);
        let hi = self.bins.last().map_or(1.0, |b| b.1);
        let xt = nice_ticks(lo, hi, 6);
        let (x0, x1) = (*xt.first().unwrap_or(&lo), *xt.last().unwrap_or(&hi));
        let top_share = self
            .bins
            .iter()
            .map(|b| b.2 as f64 / total)
            .fold(0.0, f64::max);
        let yt = nice_ticks(0.0, top_share.max(1e-9), 4);
        let y1 = *yt.last().unwrap_or(&1.0);
        let xs = Scale {
            d0: x0,
            d1: x1,
            p0: LEFT,
            p1: WIDTH - RIGHT,
        };
        let ys = Scale {
            d0: 0.0,
            d1: y1,
            p0: HEIGHT - BOTTOM,
            p1: TOP,
        };
        let y_axis = Axis {
            label: self.y_label.clone(),
            unit: Unit::Plain,
        };
        axes(&mut out, (&self.x, xs, &xt), (&y_axis, ys, &yt), self.lang);
        let _ = write!(out, "<g fill=\"{MARK}\">");
        for &(a, b, c) in &self.bins {
            let (px0, px1) = (xs.at(a), xs.at(b));
            let py = ys.at(c as f64 / total);
            let _ = write!(
                out,
                "<rect x=\"{px0:.1}\" y=\"{py:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
                (px1 - px0 - 1.0).max(0.5),
                (HEIGHT - BOTTOM - py).max(0.0)
            );
        }
        out.push_str("</g>");
        let labels: Vec<String> = self
            .markers
            .iter()
            .map(|m| {
                format!(
                    "{}: {}",
                    m.label,
                    format_value(m.value, self.x.unit, self.lang)
                )
            })
            .collect();
        let spans: Vec<(f64, f64)> = self
            .markers
            .iter()
            .zip(&labels)
            .map(|(m, l)| {
                let (px, w) = (xs.at(m.value), text_width(l));
                // Keep each label inside the drawing, next to its line.
                let left = (px - w / 2.0).clamp(2.0, WIDTH - 2.0 - w);
                (left, left + w)
            })
            .collect();
        let rows = label_rows(&spans, 3);
        for ((m, label), ((left, right), row)) in
            self.markers.iter().zip(&labels).zip(spans.iter().zip(rows))
        {
            let px = xs.at(m.value);
            let ty = TOP - 8.0 - 11.0 * row as f64;
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{ACCENT}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\
                 <text x=\"{:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                TOP - 5.0,
                HEIGHT - BOTTOM,
                (left + right) / 2.0,
                escape(label)
            );
        }
        out.push_str("</svg>");
        out
    }

    fn table(&self) -> Table {
        let total = self.total() as f64;
        let (from, to, share) = match self.lang {
            Lang::Ja => ("下限", "上限", "割合"),
            Lang::En => ("from", "to", "share"),
        };
        Table {
            header: vec![from.into(), to.into(), self.y_label.clone(), share.into()],
            rows: self
                .bins
                .iter()
                .map(|&(a, b, c)| {
                    vec![
                        format_value(a, self.x.unit, self.lang),
                        format_value(b, self.x.unit, self.lang),
                        c.to_string(),
                        format!("{:.1}%", 100.0 * c as f64 / total),
                    ]
                })
                .collect(),
        }
    }

    fn csv(&self) -> String {
        let mut out = String::from("from,to,count\n");
        for &(a, b, c) in &self.bins {
            let _ = writeln!(out, "{a},{b},{c}");
        }
        out
    }
}

/// Points on a plane, such as the cost-effectiveness plane (incremental QALYs against
/// incremental costs, one point per draw), with labelled lines through the origin (such as a
/// willingness to pay).
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    /// Identifier.
    pub id: String,
    /// Language of the labels.
    pub lang: Lang,
    /// Title and description.
    pub text: Text,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// The points (at most a few thousand: callers thin their draws).
    pub points: Vec<(f64, f64)>,
    /// Lines `y = slope * x`, each with a label at its end.
    pub lines: Vec<Marker>,
}

impl Scatter {
    /// The share of points on or below each line (for a willingness-to-pay line on the
    /// cost-effectiveness plane with QALYs across, the share of draws where the intervention is
    /// cost-effective when it gains QALYs).
    pub fn share_below(&self, slope: f64) -> f64 {
        let n = self.points.len().max(1) as f64;
        self.points.iter().filter(|(x, y)| *y <= slope * x).count() as f64 / n
    }
}

impl Chart for Scatter {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg(&self) -> String {
        let mut out = String::new();
        open_svg(&mut out, &self.id, &self.text, HEIGHT);
        // The origin is always in view: which quadrant a point falls in is what matters.
        let (mut xlo, mut xhi, mut ylo, mut yhi) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for &(x, y) in &self.points {
            xlo = xlo.min(x);
            xhi = xhi.max(x);
            ylo = ylo.min(y);
            yhi = yhi.max(y);
        }
        let xt = nice_ticks(xlo, xhi, 6);
        let yt = nice_ticks(ylo, yhi, 5);
        let (x0, x1) = (xt[0], xt[xt.len() - 1]);
        let (y0, y1) = (yt[0], yt[yt.len() - 1]);
        let xs = Scale {
            d0: x0,
            d1: x1,
            p0: LEFT,
            p1: WIDTH - RIGHT,
        };
        let ys = Scale {
            d0: y0,
            d1: y1,
            p0: HEIGHT - BOTTOM,
            p1: TOP,
        };
        axes(&mut out, (&self.x, xs, &xt), (&self.y, ys, &yt), self.lang);
        let _ = write!(
            out,
            "<g stroke=\"{AXIS}\" stroke-width=\"1\"><line x1=\"{:.1}\" y1=\"{TOP}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
             <line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/></g>",
            xs.at(0.0),
            xs.at(0.0),
            HEIGHT - BOTTOM,
            ys.at(0.0),
            WIDTH - RIGHT,
            ys.at(0.0)
        );
        let _ = write!(out, "<g fill=\"{MARK}\">");
        for &(x, y) in &self.points {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.6\"/>",
                xs.at(x),
                ys.at(y)
            );
        }
        out.push_str("</g>");
        // Each line is labelled at its right end; labels are pushed apart vertically so that
        // lines with similar slopes keep readable labels.
        let mut ends = Vec::new();
        for l in &self.lines {
            // Clip the line y = slope * x to the plotted box by its x range.
            let (mut a, mut b) = (x0, x1);
            if l.value != 0.0 {
                let (ya, yb) = (y0 / l.value, y1 / l.value);
                a = a.max(ya.min(yb));
                b = b.min(ya.max(yb));
            }
            if a >= b {
                continue;
            }
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{ACCENT}\" stroke-width=\"2\"/>",
                xs.at(a),
                ys.at(l.value * a),
                xs.at(b),
                ys.at(l.value * b),
            );
            ends.push((xs.at(b) - 4.0, ys.at(l.value * b) - 6.0, &l.label));
        }
        ends.sort_by(|p, q| p.1.total_cmp(&q.1));
        let mut placed: Vec<(f64, f64, f64)> = Vec::new();
        for (x, y, label) in ends {
            let width = text_width(label);
            let mut y = y.max(TOP + 10.0);
            // Move down past any label already placed that this one would overlap.
            while let Some(&(_, py, _)) = placed
                .iter()
                .find(|(px, py, pw)| (y - py).abs() < 13.0 && x - width < *px && x > px - pw)
            {
                y = py + 13.0;
            }
            placed.push((x, y, width));
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"end\" fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                escape(label)
            );
        }
        out.push_str("</svg>");
        out
    }

    fn table(&self) -> Table {
        let (line, below) = match self.lang {
            Lang::Ja => ("線", "線以下の点の割合"),
            Lang::En => ("line", "share of points on or below it"),
        };
        Table {
            header: vec![line.into(), below.into()],
            rows: self
                .lines
                .iter()
                .map(|l| {
                    vec![
                        l.label.clone(),
                        format!("{:.1}%", 100.0 * self.share_below(l.value)),
                    ]
                })
                .collect(),
        }
    }

    fn csv(&self) -> String {
        let mut out = String::from("x,y\n");
        for &(x, y) in &self.points {
            let _ = writeln!(out, "{x},{y}");
        }
        out
    }
}

/// One bar: a label, a central value and an interval (such as a mean and its 95% interval).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What the bar is, written beside it.
    pub label: String,
    /// Its length.
    pub value: f64,
    /// Lower end of its interval (drawn as a whisker when it differs from the upper end).
    pub low: f64,
    /// Upper end of its interval.
    pub high: f64,
}

/// Horizontal bars with interval whiskers, each labelled with its name and value (such as the
/// cost per treated patient by component: "where the money goes").
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// Identifier.
    pub id: String,
    /// Language of the labels.
    pub lang: Lang,
    /// Title and description.
    pub text: Text,
    /// The values' axis.
    pub x: Axis,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
    /// Heading of the interval columns in the table (e.g. "95% interval").
    pub interval_label: String,
    /// Whether the bars are parts of a whole (cost components, years of a budget), so that the
    /// table shows each one's share of the total; not for alternatives such as prices by method.
    pub parts_of_a_whole: bool,
}

/// Height of one bar's row.
const ROW: f64 = 30.0;
/// Room for the labels left of the bars: enough for the longest, within limits.
fn label_width(bars: &[Bar]) -> f64 {
    let longest = bars
        .iter()
        .map(|b| text_width(&b.label))
        .fold(0.0, f64::max);
    (longest + 16.0).clamp(120.0, 320.0)
}

impl Chart for Bars {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg(&self) -> String {
        let height = TOP + BOTTOM + ROW * self.bars.len().max(1) as f64;
        let mut out = String::new();
        open_svg(&mut out, &self.id, &self.text, height);
        let hi = self
            .bars
            .iter()
            .map(|b| b.high.max(b.value))
            .fold(0.0f64, f64::max);
        let lo = self
            .bars
            .iter()
            .map(|b| b.low.min(b.value))
            .fold(0.0f64, f64::min);
        let ticks = nice_ticks(lo, hi.max(lo + 1.0), 5);
        let label_room = label_width(&self.bars);
        let (t0, t1) = (ticks[0], ticks[ticks.len() - 1]);
        // Value labels sit right of each bar, so the axis stops short of the edge.
        let xs = Scale {
            d0: t0,
            d1: t1,
            p0: label_room,
            p1: WIDTH - RIGHT - 70.0,
        };
        let bottom = height - BOTTOM;
        for &t in &ticks {
            let px = xs.at(t);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{TOP}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"#d9d9d9\"/>\
                 <text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                bottom + 18.0,
                escape(&format_value(t, self.x.unit, self.lang))
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            (label_room + WIDTH - RIGHT - 70.0) / 2.0,
            height - 12.0,
            escape(&self.x.label)
        );
        for (k, b) in self.bars.iter().enumerate() {
            let y = TOP + ROW * k as f64;
            let (x0, x1) = (xs.at(0.0), xs.at(b.value));
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>\
                 <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{MARK}\"/>",
                label_room - 8.0,
                y + ROW / 2.0 + 4.0,
                escape(&b.label),
                x0.min(x1),
                y + 6.0,
                (x1 - x0).abs(),
                ROW - 12.0
            );
            if b.high > b.low {
                let (wl, wh, my) = (xs.at(b.low), xs.at(b.high), y + ROW / 2.0);
                let _ = write!(
                    out,
                    "<g stroke=\"{INK}\" stroke-width=\"1.5\"><line x1=\"{wl:.1}\" y1=\"{my:.1}\" x2=\"{wh:.1}\" y2=\"{my:.1}\"/>\
                     <line x1=\"{wl:.1}\" y1=\"{:.1}\" x2=\"{wl:.1}\" y2=\"{:.1}\"/><line x1=\"{wh:.1}\" y1=\"{:.1}\" x2=\"{wh:.1}\" y2=\"{:.1}\"/></g>",
                    my - 5.0,
                    my + 5.0,
                    my - 5.0,
                    my + 5.0
                );
            }
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>",
                xs.at(b.high.max(b.value)) + 6.0,
                y + ROW / 2.0 + 4.0,
                escape(&format_value(b.value, self.x.unit, self.lang))
            );
        }
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" y1=\"{TOP}\" x2=\"{:.1}\" y2=\"{bottom:.1}\" stroke=\"{AXIS}\"/></svg>",
            xs.at(0.0),
            xs.at(0.0)
        );
        out
    }

    fn table(&self) -> Table {
        let total: f64 = self.bars.iter().map(|b| b.value).sum();
        let (item, value, share) = match self.lang {
            Lang::Ja => ("項目", "値", "割合"),
            Lang::En => ("item", "value", "share"),
        };
        let mut header = vec![item.into(), value.into(), self.interval_label.clone()];
        if self.parts_of_a_whole {
            header.push(share.into());
        }
        Table {
            header,
            rows: self
                .bars
                .iter()
                .map(|b| {
                    let mut row = vec![
                        b.label.clone(),
                        format_value(b.value, self.x.unit, self.lang),
                        format!(
                            "{} – {}",
                            format_value(b.low, self.x.unit, self.lang),
                            format_value(b.high, self.x.unit, self.lang)
                        ),
                    ];
                    if self.parts_of_a_whole {
                        row.push(if total != 0.0 {
                            format!("{:.1}%", 100.0 * b.value / total)
                        } else {
                            String::new()
                        });
                    }
                    row
                })
                .collect(),
        }
    }

    fn csv(&self) -> String {
        let mut out = String::from("item,value,low,high\n");
        for b in &self.bars {
            // Labels may hold commas: quote them.
            let _ = writeln!(
                out,
                "\"{}\",{},{},{}",
                b.label.replace('"', "\"\""),
                b.value,
                b.low,
                b.high
            );
        }
        out
    }
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

/// One line of a [`Lines`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// What the line is, written at its right end (e.g. "at ¥5m per QALY").
    pub label: String,
    /// Its points (x, y), in any order: they are joined in order of x. Points that are not
    /// finite are left out of the drawing and the table.
    pub points: Vec<(f64, f64)>,
}

/// Line charts, such as acceptability curves: the probability that a product is cost-effective
/// against the price, or against the willingness to pay per QALY.
///
/// Each series differs from the others in colour and in dash pattern and is named at its right
/// end (labels moved apart where ends are close). Markers are vertical reference lines, labelled
/// above the plot with their label and value ("base case: ¥343m"). With [`Unit::Share`] on the
/// vertical axis, it runs from 0% to 100% whatever the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Lines {
    /// Identifier.
    pub id: String,
    /// Language of the labels.
    pub lang: Lang,
    /// Title and description.
    pub text: Text,
    /// Horizontal axis (e.g. a price, or a willingness to pay in yen per QALY).
    pub x: Axis,
    /// Vertical axis (e.g. a probability, [`Unit::Share`]).
    pub y: Axis,
    /// The lines (up to about four read well).
    pub series: Vec<Series>,
    /// Labelled vertical lines at values of x (e.g. the base-case price).
    pub markers: Vec<Marker>,
}

/// Where a [`Lines`] chart puts things.
struct LinesFrame {
    xs: Scale,
    ys: Scale,
    x_ticks: Vec<f64>,
    y_ticks: Vec<f64>,
    /// Each series' finite points, in order of x.
    points: Vec<Vec<(f64, f64)>>,
    /// Each series' label, broken into lines.
    labels: Vec<Vec<String>>,
}

impl Lines {
    fn frame(&self) -> LinesFrame {
        let points: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|s| {
                let mut p: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect();
                p.sort_by(|a, b| a.0.total_cmp(&b.0));
                p
            })
            .collect();
        let labels: Vec<Vec<String>> = self.series.iter().map(|s| wrap(&s.label, 150.0)).collect();
        let xs_all = points
            .iter()
            .flatten()
            .map(|p| p.0)
            .chain(self.markers.iter().map(|m| m.value));
        let (xlo, xhi) = finite_range(xs_all).unwrap_or((0.0, 1.0));
        let (xlo, xhi) = widen(xlo, xhi);
        let x_ticks = nice_ticks(xlo, xhi, 6);
        let y_ticks = if self.y.unit == Unit::Share {
            (0..=5).map(|i| f64::from(i) / 5.0).collect()
        } else {
            let (ylo, yhi) =
                finite_range(points.iter().flatten().map(|p| p.1)).unwrap_or((0.0, 1.0));
            let (ylo, yhi) = widen(ylo, yhi);
            nice_ticks(ylo, yhi, 5)
        };
        // Room right of the plot for the labels: a sample of the line, then the words.
        let label_room = points
            .iter()
            .zip(&labels)
            .filter(|(p, _)| !p.is_empty())
            .map(|(_, l)| widest(l) + 36.0)
            .fold(0.0, f64::max);
        let xs = Scale {
            d0: x_ticks[0],
            d1: x_ticks[x_ticks.len() - 1],
            p0: LEFT,
            p1: WIDTH - RIGHT - label_room,
        };
        let ys = Scale {
            d0: y_ticks[0],
            d1: y_ticks[y_ticks.len() - 1],
            p0: HEIGHT - BOTTOM,
            p1: TOP,
        };
        LinesFrame {
            xs,
            ys,
            x_ticks,
            y_ticks,
            points,
            labels,
        }
    }
}

impl Chart for Lines {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg(&self) -> String {
        let f = self.frame();
        let (xs, ys) = (f.xs, f.ys);
        let bottom = HEIGHT - BOTTOM;
        let mut out = String::new();
        open_svg(&mut out, &self.id, &self.text, HEIGHT);
        for &t in &f.y_ticks {
            let py = ys.at(t);
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"{GRID}\"/>",
                xs.p0, xs.p1
            );
        }
        axes(
            &mut out,
            (&self.x, xs, &f.x_ticks),
            (&self.y, ys, &f.y_ticks),
            self.lang,
        );
        // Reference lines, labelled above the plot in up to three rows.
        let markers: Vec<&Marker> = self
            .markers
            .iter()
            .filter(|m| m.value.is_finite())
            .collect();
        let marker_labels: Vec<String> = markers
            .iter()
            .map(|m| {
                format!(
                    "{}: {}",
                    m.label,
                    format_value(m.value, self.x.unit, self.lang)
                )
            })
            .collect();
        let spans: Vec<(f64, f64)> = markers
            .iter()
            .zip(&marker_labels)
            .map(|(m, l)| {
                let (px, w) = (xs.at(m.value), text_width(l));
                let left = (px - w / 2.0).clamp(2.0, WIDTH - 2.0 - w);
                (left, left + w)
            })
            .collect();
        let rows = label_rows(&spans, 3);
        for ((m, label), (&(left, right), row)) in markers
            .iter()
            .zip(&marker_labels)
            .zip(spans.iter().zip(rows))
        {
            let px = xs.at(m.value);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"{ACCENT}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                TOP - 5.0,
                (left + right) / 2.0,
                TOP - 8.0 - 11.0 * row as f64,
                escape(label)
            );
        }
        // The lines.
        let mut ends = Vec::new();
        for (i, points) in f.points.iter().enumerate() {
            let (colour, dash) = series_style(i);
            let dash = if dash.is_empty() {
                String::new()
            } else {
                format!(" stroke-dasharray=\"{dash}\"")
            };
            let Some(&(_, last_y)) = points.last() else {
                continue;
            };
            if let [(x, y)] = points[..] {
                let _ = write!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\"/>",
                    xs.at(x),
                    ys.at(y)
                );
            } else {
                let _ = write!(out, "<polyline points=\"");
                for (k, &(x, y)) in points.iter().enumerate() {
                    let sep = if k == 0 { "" } else { " " };
                    let _ = write!(out, "{sep}{:.1},{:.1}", xs.at(x), ys.at(y));
                }
                let _ = write!(
                    out,
                    "\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" stroke-linejoin=\"round\"{dash}/>"
                );
            }
            ends.push((i, ys.at(last_y), colour, dash));
        }
        // Their labels, right of the plot, level with each line's last point where they fit.
        let wanted: Vec<(f64, f64)> = ends
            .iter()
            .map(|&(i, py, _, _)| (py, LINE_HEIGHT * f.labels[i].len() as f64))
            .collect();
        let centres = spread(&wanted, TOP, bottom);
        for (&(i, _, colour, ref dash), (&(_, h), centre)) in
            ends.iter().zip(wanted.iter().zip(centres))
        {
            // A sample of the line (or of the dot, for a single point) before the words.
            if f.points[i].len() == 1 {
                let _ = write!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{centre:.1}\" r=\"4\" fill=\"{colour}\"/>",
                    xs.p1 + 17.0
                );
            } else {
                let _ = write!(
                    out,
                    "<line x1=\"{:.1}\" y1=\"{centre:.1}\" x2=\"{:.1}\" y2=\"{centre:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>",
                    xs.p1 + 6.0,
                    xs.p1 + 28.0
                );
            }
            write_lines(
                &mut out,
                xs.p1 + 32.0,
                centre - h / 2.0 + 10.0,
                &halo(colour, "start"),
                &f.labels[i],
            );
        }
        out.push_str("</svg>");
        out
    }

    fn table(&self) -> Table {
        let f = self.frame();
        let mut xs: Vec<f64> = f.points.iter().flatten().map(|p| p.0).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let mut header = vec![self.x.label.clone()];
        header.extend(self.series.iter().map(|s| s.label.clone()));
        Table {
            header,
            rows: xs
                .iter()
                .map(|&x| {
                    let mut row = vec![format_value(x, self.x.unit, self.lang)];
                    row.extend(f.points.iter().map(|p| {
                        p.iter()
                            .find(|q| q.0 == x)
                            .map_or_else(String::new, |q| format_value(q.1, self.y.unit, self.lang))
                    }));
                    row
                })
                .collect(),
        }
    }

    fn csv(&self) -> String {
        let mut out = String::from("series,x,y\n");
        for s in &self.series {
            for &(x, y) in &s.points {
                let _ = writeln!(out, "{},{x},{y}", csv_field(&s.label));
            }
        }
        out
    }
}

/// One input of a [`Tornado`]: the output with the input at its low and at its high value.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// The input's readable name.
    pub label: String,
    /// The input's low value, formatted by the caller (e.g. "0.90").
    pub low_input: String,
    /// The input's high value, formatted by the caller.
    pub high_input: String,
    /// The output with the input at its low value.
    pub low: f64,
    /// The output with the input at its high value.
    pub high: f64,
}

/// One-way sensitivity analysis: for each input, a bar from the base-case output to the output
/// with the input low (solid blue) and to the output with it high (hatched orange, outlined),
/// named on the left and with each end's output and input value written beside it, outside
/// the bar ("¥192m (0.90)").
///
/// When both ends fall on the same side of the base case, the row is split: the low end's bar
/// above, the high end's below. The base case is a solid near-black vertical line labelled
/// above the bars (the orange is taken by the bars); the legend above says in words which end
/// is which.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// Identifier.
    pub id: String,
    /// Language of the labels.
    pub lang: Lang,
    /// Title and description.
    pub text: Text,
    /// The output's axis (e.g. the threshold price).
    pub x: Axis,
    /// The output at the base case.
    pub base: f64,
    /// The base case's label, e.g. "base case ¥343m" (written as it is).
    pub base_label: String,
    /// Legend words for the bar ends with the input at its low value, e.g. "input low".
    pub low_label: String,
    /// Legend words for the bar ends with the input at its high value.
    pub high_label: String,
    /// The inputs, drawn top to bottom in this order (callers sort them widest first).
    pub bars: Vec<TornadoBar>,
}

/// One end of a tornado bar, placed.
struct TornadoEnd {
    value: f64,
    /// Its label is written right of the end (else left).
    right: bool,
    label: String,
}

/// Where a [`Tornado`] puts things.
struct TornadoFrame {
    xs: Scale,
    ticks: Vec<f64>,
    height: f64,
    /// Top of the first bar's row.
    top: f64,
    row: f64,
    /// Legend rows (one, or two when the words are long).
    legend_rows: usize,
    /// Right edge of the names.
    name_room: f64,
    names: Vec<Vec<String>>,
    /// Each bar's low and high ends.
    ends: Vec<[TornadoEnd; 2]>,
}

impl Tornado {
    fn end_label(&self, value: f64, input: &str) -> String {
        let v = format_value(value, self.x.unit, self.lang);
        if input.is_empty() {
            v
        } else {
            format!("{v} ({input})")
        }
    }

    /// The legend's width on one row: two samples with their words.
    fn legend_width(&self) -> f64 {
        8.0 + 20.0 + text_width(&self.low_label) + 24.0 + 20.0 + text_width(&self.high_label)
    }

    fn frame(&self) -> TornadoFrame {
        let base = self.base;
        let names: Vec<Vec<String>> = self.bars.iter().map(|b| wrap(&b.label, 200.0)).collect();
        let name_room =
            (names.iter().map(|n| widest(n)).fold(0.0, f64::max) + 16.0).clamp(100.0, 216.0);
        let lines = names.iter().map(Vec::len).max().unwrap_or(1) as f64;
        let row = (LINE_HEIGHT * lines + 10.0).max(36.0);
        let legend_rows = if self.legend_width() <= WIDTH - 8.0 {
            1
        } else {
            2
        };
        let top = 10.0 + 18.0 * legend_rows as f64 + 22.0;
        let height = top + row * self.bars.len().max(1) as f64 + BOTTOM;
        let ends: Vec<[TornadoEnd; 2]> = self
            .bars
            .iter()
            .map(|b| {
                let (dl, dh) = (b.low - base, b.high - base);
                // An end at the base case has its label on the side away from the other end.
                let low_right = if dl != 0.0 { dl > 0.0 } else { dh < 0.0 };
                let high_right = if dh != 0.0 { dh > 0.0 } else { !low_right };
                [
                    TornadoEnd {
                        value: b.low,
                        right: low_right,
                        label: self.end_label(b.low, &b.low_input),
                    },
                    TornadoEnd {
                        value: b.high,
                        right: high_right,
                        label: self.end_label(b.high, &b.high_input),
                    },
                ]
            })
            .collect();
        let values = || std::iter::once(base).chain(self.bars.iter().flat_map(|b| [b.low, b.high]));
        let (lo, hi) = finite_range(values()).unwrap_or((0.0, 1.0));
        let (lo, hi) = widen(lo, hi);
        let eps = (hi - lo) * 1e-9;
        let ticks: Vec<f64> = nice_ticks(lo, hi, 5)
            .into_iter()
            .filter(|&t| t >= lo - eps && t <= hi + eps)
            .collect();
        // What must fit, as (distance from `lo` in data units, reach in pixels, whether it
        // reaches right, the wall it must not cross): the bars between the names and the right
        // edge, each end label beside its end, each tick label centred on its tick.
        let mut reaches = vec![
            (0.0, 0.0, false, name_room),
            (hi - lo, 0.0, true, WIDTH - 8.0),
        ];
        for e in ends.iter().flatten().filter(|e| e.value.is_finite()) {
            let (d, w) = (e.value - lo, text_width(&e.label) + 6.0);
            reaches.push(if e.right {
                (d, w, true, WIDTH - 4.0)
            } else {
                (d, w, false, name_room)
            });
        }
        for &t in &ticks {
            let w = text_width(&format_value(t, self.x.unit, self.lang)) / 2.0;
            reaches.push((t - lo, w, true, WIDTH - 4.0));
            reaches.push((t - lo, w, false, 4.0));
        }
        // For a scale of `k` pixels per unit, where the plot may start.
        let bounds = |k: f64| {
            reaches.iter().fold(
                (f64::NEG_INFINITY, f64::INFINITY),
                |(first, last), &(d, reach, right, wall)| {
                    if right {
                        (first, last.min(wall - reach - d * k))
                    } else {
                        (first.max(wall + reach - d * k), last)
                    }
                },
            )
        };
        // The widest scale at which everything fits, found by bisection; never narrower than
        // 160 pixels, even if long labels then reach the edge.
        let (mut k0, mut k1) = (0.0, WIDTH / (hi - lo));
        for _ in 0..60 {
            let k = (k0 + k1) / 2.0;
            let (first, last) = bounds(k);
            if first <= last {
                k0 = k;
            } else {
                k1 = k;
            }
        }
        let k = k0.max(160.0 / (hi - lo));
        let (first, last) = bounds(k);
        let room = WIDTH - 8.0 - (hi - lo) * k;
        let p0 = ((first + last) / 2.0).clamp(name_room.min(room), room);
        let xs = Scale {
            d0: lo,
            d1: hi,
            p0,
            p1: p0 + (hi - lo) * k,
        };
        TornadoFrame {
            xs,
            ticks,
            height,
            top,
            row,
            legend_rows,
            name_room,
            names,
            ends,
        }
    }
}

impl Chart for Tornado {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg(&self) -> String {
        let f = self.frame();
        let xs = f.xs;
        let bottom = f.top + f.row * self.bars.len() as f64;
        let axis_y = f.top + f.row * self.bars.len().max(1) as f64;
        let hatch = format!("{}-high", escape(&self.id));
        let mut out = String::new();
        open_svg(&mut out, &self.id, &self.text, f.height);
        let _ = write!(
            out,
            "<defs><pattern id=\"{hatch}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
             <rect width=\"6\" height=\"6\" fill=\"#ffffff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{ACCENT}\" stroke-width=\"3\"/></pattern></defs>"
        );
        let low_style = format!("fill=\"{MARK}\"");
        let high_style = format!("fill=\"url(#{hatch})\" stroke=\"{ACCENT}\" stroke-width=\"1.5\"");
        // The legend: a sample of each end with its words.
        let mut lx = 8.0;
        let mut ly = 10.0;
        for (style, words) in [
            (&low_style, &self.low_label),
            (&high_style, &self.high_label),
        ] {
            let _ = write!(
                out,
                "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"10\" {style}/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>",
                lx + 20.0,
                ly + 9.0,
                escape(words)
            );
            if f.legend_rows == 1 {
                lx += 20.0 + text_width(words) + 24.0;
            } else {
                ly += 18.0;
            }
        }
        // Gridlines and the output axis.
        for &t in &f.ticks {
            let px = xs.at(t);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{axis_y:.1}\" stroke=\"{GRID}\"/>\
                 <line x1=\"{px:.1}\" y1=\"{axis_y:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{AXIS}\"/>\
                 <text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                f.top,
                axis_y + 5.0,
                axis_y + 18.0,
                escape(&format_value(t, self.x.unit, self.lang))
            );
        }
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" y1=\"{axis_y:.1}\" x2=\"{:.1}\" y2=\"{axis_y:.1}\" stroke=\"{AXIS}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            xs.p0,
            xs.p1,
            (xs.p0 + xs.p1) / 2.0,
            f.height - 12.0,
            escape(&self.x.label)
        );
        // The bars.
        let base_px = xs.at(self.base);
        let depth = f.row - 12.0;
        for (k, ((b, ends), name)) in self.bars.iter().zip(&f.ends).zip(&f.names).enumerate() {
            let y = f.top + f.row * k as f64;
            write_lines(
                &mut out,
                f.name_room - 8.0,
                y + f.row / 2.0 + 4.0 - LINE_HEIGHT * (name.len() - 1) as f64 / 2.0,
                &format!("text-anchor=\"end\" fill=\"{INK}\""),
                name,
            );
            let same_side = (b.low - self.base) * (b.high - self.base) > 0.0;
            for (j, (end, style)) in ends.iter().zip([&low_style, &high_style]).enumerate() {
                if !end.value.is_finite() {
                    continue;
                }
                // Split rows: the low end above, the high end below.
                let (y0, h) = if same_side {
                    (y + 6.0 + depth / 2.0 * j as f64, depth / 2.0)
                } else {
                    (y + 6.0, depth)
                };
                let px = xs.at(end.value);
                if px != base_px {
                    let _ = write!(
                        out,
                        "<rect x=\"{:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{h:.1}\" {style}/>",
                        px.min(base_px),
                        (px - base_px).abs()
                    );
                }
                let (tx, anchor) = if end.right {
                    (px.max(base_px) + 6.0, "start")
                } else {
                    (px.min(base_px) - 6.0, "end")
                };
                let _ = write!(
                    out,
                    "<text x=\"{tx:.1}\" y=\"{:.1}\" {}>{}</text>",
                    y0 + h / 2.0 + 4.0,
                    halo(INK, anchor),
                    escape(&end.label)
                );
            }
        }
        // The base case, over the bars.
        if self.base.is_finite() {
            let w = text_width(&self.base_label);
            let left = (base_px - w / 2.0).clamp(2.0, WIDTH - 2.0 - w);
            let _ = write!(
                out,
                "<line x1=\"{base_px:.1}\" y1=\"{:.1}\" x2=\"{base_px:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-width=\"2\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                f.top - 4.0,
                bottom.max(f.top + 4.0),
                left + w / 2.0,
                f.top - 8.0,
                escape(&self.base_label)
            );
        }
        out.push_str("</svg>");
        out
    }

    fn table(&self) -> Table {
        let header: [&str; 6] = match self.lang {
            Lang::Ja => [
                "パラメータ",
                "下限値",
                "下限値での結果",
                "上限値",
                "上限値での結果",
                "振れ幅",
            ],
            Lang::En => [
                "input",
                "low value",
                "output at low value",
                "high value",
                "output at high value",
                "swing",
            ],
        };
        let v = |x: f64| format_value(x, self.x.unit, self.lang);
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: self
                .bars
                .iter()
                .map(|b| {
                    vec![
                        b.label.clone(),
                        b.low_input.clone(),
                        v(b.low),
                        b.high_input.clone(),
                        v(b.high),
                        v((b.high - b.low).abs()),
                    ]
                })
                .collect(),
        }
    }

    fn csv(&self) -> String {
        let mut out = String::from("input,low_input,output_low,high_input,output_high\n");
        for b in &self.bars {
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                csv_field(&b.label),
                csv_field(&b.low_input),
                b.low,
                csv_field(&b.high_input),
                b.high
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_drawn_to_scale_with_whiskers_and_labels() {
        let chart = Bars {
            id: "money".into(),
            lang: Lang::En,
            text: Text {
                title: "Where the money goes".into(),
                description: "d".into(),
            },
            x: Axis {
                label: "yen per treated patient".into(),
                unit: Unit::Yen,
            },
            bars: vec![
                Bar {
                    label: "manufacturing".into(),
                    value: 10e6,
                    low: 10e6,
                    high: 10e6,
                },
                Bar {
                    label: "failed, batches".into(),
                    value: 2e6,
                    low: 1e6,
                    high: 4e6,
                },
            ],
            interval_label: "95% interval".into(),
            parts_of_a_whole: true,
        };
        let svg = chart.svg();
        // Labels up to 15 characters: 121 px of room. Ticks 0..10m over 121..546 px: a 10m
        // bar is 425 px long, a 2m one 85 px.
        assert!(svg.contains("width=\"425.0\" height=\"18.0\""), "{svg}");
        assert!(svg.contains("width=\"85.0\" height=\"18.0\""), "{svg}");
        // One whisker (the second bar's interval), none for a bar without spread.
        assert_eq!(svg.matches("stroke-width=\"1.5\"").count(), 1);
        assert!(svg.contains(">¥10m</text>") && svg.contains(">¥2m</text>"));
        assert_eq!(
            chart.table().rows[1],
            vec!["failed, batches", "¥2m", "¥1m – ¥4m", "16.7%"]
        );
        assert_eq!(
            chart.csv(),
            "item,value,low,high\n\"manufacturing\",10000000,10000000,10000000\n\"failed, batches\",2000000,1000000,4000000\n"
        );
    }

    #[test]
    fn labels_that_would_overlap_go_to_other_rows() {
        // Two close labels and one far away: the close ones get different rows.
        let rows = label_rows(&[(100.0, 180.0), (150.0, 230.0), (400.0, 450.0)], 3);
        assert_eq!(rows, vec![0, 1, 0]);
        // More overlapping labels than rows: the extra one goes to the row that ends first.
        let rows = label_rows(
            &[(0.0, 100.0), (10.0, 50.0), (20.0, 200.0), (30.0, 60.0)],
            3,
        );
        assert_eq!(rows, vec![0, 1, 2, 1]);
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let t = nice_ticks(1.64e8, 5.85e8, 6);
        assert_eq!(t.first(), Some(&1.0e8));
        assert_eq!(t.last(), Some(&6.0e8));
        assert!(t.windows(2).all(|w| (w[1] - w[0] - 1.0e8).abs() < 1.0));
        let t = nice_ticks(-0.24, 4.76, 5);
        assert_eq!((t[0], t[t.len() - 1]), (-1.0, 5.0));
        // A single value still gets an axis.
        assert!(nice_ticks(3.0, 3.0, 5).len() >= 2);
    }

    #[test]
    fn yen_is_written_for_each_reader() {
        assert_eq!(format_value(342_986_897.0, Unit::Yen, Lang::Ja), "3.43億円");
        assert_eq!(format_value(342_986_897.0, Unit::Yen, Lang::En), "¥343m");
        assert_eq!(format_value(5_000_000.0, Unit::Yen, Lang::Ja), "500万円");
        assert_eq!(
            format_value(1_250_000_000.0, Unit::Yen, Lang::En),
            "¥1.25bn"
        );
        assert_eq!(format_value(-30_000.0, Unit::Yen, Lang::Ja), "-3万円");
        assert_eq!(format_value(1.9764, Unit::Qalys, Lang::En), "1.98");
        assert_eq!(format_value(0.0, Unit::Plain, Lang::En), "0");
    }

    #[test]
    fn bins_count_every_value_once() {
        let values: Vec<f64> = (0..1000)
            .map(|i| i as f64 / 10.0)
            .chain([f64::NAN])
            .collect();
        let bins = Histogram::bin(&values, 10);
        assert_eq!(bins.len(), 10);
        assert_eq!(bins.iter().map(|b| b.2).sum::<usize>(), 1000);
        assert_eq!(bins[0], (0.0, 9.99, 100));
        assert_eq!(bins[9].2, 100, "the largest value falls in the last bin");
        assert!(Histogram::bin(&[], 5).is_empty());
        assert_eq!(
            Histogram::bin(&[2.0, 2.0], 3)
                .iter()
                .map(|b| b.2)
                .sum::<usize>(),
            2
        );
    }

    fn histogram() -> Histogram {
        Histogram {
            id: "price".into(),
            lang: Lang::En,
            text: Text {
                title: "Threshold price <at 5M yen/QALY>".into(),
                description: "Most draws lie between ¥165m and ¥585m.".into(),
            },
            x: Axis {
                label: "threshold price".into(),
                unit: Unit::Yen,
            },
            y_label: "draws".into(),
            bins: Histogram::bin(&[1.0e8, 2.0e8, 2.5e8, 3.0e8, 6.0e8], 5),
            markers: vec![Marker {
                value: 2.5e8,
                label: "median".into(),
            }],
        }
    }

    #[test]
    fn a_histogram_is_an_accessible_svg_with_its_numbers() {
        let h = histogram();
        let svg = h.svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("role=\"img\" aria-labelledby=\"price-title price-desc\""));
        assert!(
            svg.contains(
                "<title id=\"price-title\">Threshold price &lt;at 5M yen/QALY&gt;</title>"
            )
        );
        assert!(
            svg.contains("<desc id=\"price-desc\">Most draws lie between ¥165m and ¥585m.</desc>")
        );
        assert!(
            svg.contains(">median: ¥250m</text>"),
            "markers are labelled directly"
        );
        assert_eq!(
            svg.matches("<rect ").count(),
            1 + 5,
            "background and one bar per bin"
        );
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
        let t = h.table();
        assert_eq!(t.header, ["from", "to", "draws", "share"]);
        assert_eq!(t.rows[0], ["¥100m", "¥200m", "1", "20.0%"]);
        assert_eq!(h.csv().lines().count(), 6);
        assert_eq!(h.csv().lines().nth(1), Some("100000000,200000000,1"));
    }

    #[test]
    fn a_scatter_shares_points_by_line_and_keeps_the_origin_in_view() {
        let s = Scatter {
            id: "plane".into(),
            lang: Lang::Ja,
            text: Text {
                title: "費用対効果平面".into(),
                description: "各点は1回の試行".into(),
            },
            x: Axis {
                label: "QALY の差".into(),
                unit: Unit::Qalys,
            },
            y: Axis {
                label: "費用の差".into(),
                unit: Unit::Yen,
            },
            points: vec![(1.0, 1.0e6), (2.0, 2.0e7), (0.5, -1.0e6), (-0.2, 3.0e6)],
            lines: vec![Marker {
                value: 5.0e6,
                label: "500万円/QALY".into(),
            }],
        };
        // On or below y = 5e6 x: (1, 1e6) and (0.5, -1e6); not (2, 2e7) nor (-0.2, 3e6).
        assert_eq!(s.share_below(5.0e6), 0.5);
        assert_eq!(
            s.table().rows,
            vec![vec!["500万円/QALY".to_string(), "50.0%".to_string()]]
        );
        let svg = s.svg();
        assert_eq!(svg.matches("<circle ").count(), 4);
        assert!(svg.contains(">500万円/QALY</text>"));
        assert!(svg.contains("aria-labelledby=\"plane-title plane-desc\""));
        assert_eq!(
            s.csv(),
            "x,y\n1,1000000\n2,20000000\n0.5,-1000000\n-0.2,3000000\n"
        );
    }

    /// Whether every element opened is closed, in order: a rough check that the SVG is
    /// well-formed (attribute values and text are escaped, so `<` and `>` only delimit tags).
    fn balanced(svg: &str) -> bool {
        let mut open: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find('<') {
            let Some(j) = rest[i..].find('>') else {
                return false;
            };
            let tag = &rest[i + 1..i + j];
            rest = &rest[i + j + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if open.pop() != Some(name) {
                    return false;
                }
            } else if !tag.ends_with('/') {
                open.push(tag.split_whitespace().next().unwrap_or(""));
            }
        }
        open.is_empty() && rest.is_empty()
    }

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(svg.matches("</svg>").count(), 1);
        assert!(balanced(svg), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn the_tag_check_catches_unbalanced_tags() {
        assert!(balanced("<svg><g><line/></g><text>a &lt; b</text></svg>"));
        assert!(!balanced("<svg><g></svg>"));
        assert!(!balanced("<svg><text>a</g></svg>"));
    }

    #[test]
    fn shares_are_percentages_in_both_languages() {
        for lang in Lang::ALL {
            assert_eq!(format_value(0.4, Unit::Share, lang), "40%");
            assert_eq!(format_value(0.125, Unit::Share, lang), "12.5%");
            assert_eq!(format_value(1.0, Unit::Share, lang), "100%");
            assert_eq!(format_value(0.0, Unit::Share, lang), "0%");
            assert_eq!(format_value(0.6000000000000001, Unit::Share, lang), "60%");
            assert_eq!(format_value(-0.05, Unit::Share, lang), "-5%");
        }
    }

    /// Relative luminance (WCAG 2) of a colour written `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn colours_keep_their_contrast_on_white() {
        let contrast = |hex: &str| 1.05 / (luminance(hex) + 0.05);
        // Text, and the series colours, whose labels are written in them.
        for c in [INK, AXIS].iter().chain(&SERIES_COLOURS) {
            assert!(contrast(c) >= 4.5, "{c}: {}", contrast(c));
        }
        for c in [MARK, ACCENT] {
            assert!(contrast(c) >= 3.0, "{c}: {}", contrast(c));
        }
        // Every series differs from the others in colour or dash pattern.
        let styles: Vec<_> = (0..16).map(series_style).collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(styles[..i].iter().all(|b| b != a), "series {i}");
        }
    }

    #[test]
    fn labels_wrap_between_words_or_characters() {
        assert_eq!(
            wrap("durability of the effect (hazard λ per year)", 200.0),
            ["durability of the effect", "(hazard λ per year)"]
        );
        assert_eq!(wrap("short", 200.0), ["short"]);
        assert_eq!(wrap("あいうえお", 30.0), ["あい", "うえ", "お"]);
        assert_eq!(wrap("", 30.0), [""]);
    }

    #[test]
    fn labels_in_a_column_move_apart_as_little_as_possible() {
        // Two close labels: the second moves down; the third, too low, moves up to fit.
        assert_eq!(
            spread(&[(100.0, 13.0), (101.0, 13.0), (300.0, 26.0)], 40.0, 304.0),
            [100.0, 115.0, 291.0]
        );
        // One above the top comes down into view; none gives an empty answer.
        assert_eq!(spread(&[(10.0, 13.0)], 40.0, 304.0), [46.5]);
        assert!(spread(&[], 40.0, 304.0).is_empty());
    }

    fn acceptability(lang: Lang) -> Lines {
        Lines {
            id: "ceac".into(),
            lang,
            text: Text {
                title: "Acceptability <by price>".into(),
                description: "d".into(),
            },
            x: Axis {
                label: "price".into(),
                unit: Unit::Yen,
            },
            y: Axis {
                label: "probability cost-effective".into(),
                unit: Unit::Share,
            },
            series: vec![
                Series {
                    label: "at ¥5m <per> QALY & more".into(),
                    points: vec![(0.0, 0.1), (2e8, 0.4), (4e8, 0.8)],
                },
                Series {
                    // Out of order, with a gap and a point that is not a number.
                    label: "at ¥7.5m".into(),
                    points: vec![(4e8, 0.9), (f64::NAN, 0.5), (0.0, 0.3)],
                },
            ],
            markers: vec![Marker {
                value: 3.43e8,
                label: "base case".into(),
            }],
        }
    }

    #[test]
    fn lines_are_drawn_to_scale_and_labelled_at_their_ends() {
        let chart = acceptability(Lang::En);
        let f = chart.frame();
        // Ticks ¥0..¥400m across from 72 px to the labels' room: the first label wraps after
        // "&" (18 Latin characters and a yen sign, 138 px), plus 36 px for the sample of the
        // line: the plot ends at 640 - 24 - 174 = 442 px. Shares run from 0% at 304 px up to
        // 100% at 40 px.
        assert_eq!(
            (f.xs.d0, f.xs.d1, f.xs.p0, f.xs.p1),
            (0.0, 4e8, 72.0, 442.0)
        );
        assert_eq!(
            (f.ys.d0, f.ys.d1, f.ys.p0, f.ys.p1),
            (0.0, 1.0, 304.0, 40.0)
        );
        assert_eq!(f.xs.at(2e8), 257.0);
        assert_eq!(format!("{:.1}", f.ys.at(0.4)), "198.4");
        let svg = chart.svg();
        well_formed(&svg);
        assert!(
            svg.contains("<polyline points=\"72.0,277.6 257.0,198.4 442.0,92.8\""),
            "{svg}"
        );
        // The second line is joined in order of x, without the point that is not a number,
        // and dashed.
        assert!(svg.contains(
            "<polyline points=\"72.0,224.8 442.0,66.4\" fill=\"none\" stroke=\"#7b3294\" stroke-width=\"2.5\" stroke-linejoin=\"round\" stroke-dasharray=\"8 4\"/>"
        ));
        // The base case at 72 + 0.8575 × 370 px, labelled with its value.
        assert!(svg.contains("<line x1=\"389.3\" y1=\"35.0\" x2=\"389.3\" y2=\"304.0\""));
        assert!(svg.contains(">base case: ¥343m</text>"));
        // Labels, escaped, in two lines for the long one; a sample of each line before them.
        assert!(svg.contains(
            "<tspan x=\"474.0\" y=\"89.8\">at ¥5m &lt;per&gt; QALY &amp;</tspan><tspan x=\"474.0\" y=\"102.8\">more</tspan>"
        ));
        assert!(svg.contains(">at ¥7.5m</text>"));
        assert!(!svg.contains("<per>"));
        assert!(svg.contains("<title id=\"ceac-title\">Acceptability &lt;by price&gt;</title>"));
        assert!(svg.contains(">0%</text>") && svg.contains(">100%</text>"));
        assert!(svg.contains(">¥400m</text>"));
        assert_eq!(svg.matches("<polyline ").count(), 2);
        assert_eq!(svg, chart.svg(), "the same input gives the same bytes");
    }

    #[test]
    fn a_lines_table_has_a_row_per_x_and_its_csv_a_row_per_point() {
        let chart = acceptability(Lang::En);
        let t = chart.table();
        assert_eq!(t.header, ["price", "at ¥5m <per> QALY & more", "at ¥7.5m"]);
        assert_eq!(
            t.rows,
            [
                ["¥0", "10%", "30%"],
                ["¥200m", "40%", ""],
                ["¥400m", "80%", "90%"]
            ]
        );
        assert_eq!(
            acceptability(Lang::Ja).table().rows[1],
            ["2億円", "40%", ""]
        );
        assert_eq!(
            chart.csv(),
            "series,x,y\n\
             \"at ¥5m <per> QALY & more\",0,0.1\n\
             \"at ¥5m <per> QALY & more\",200000000,0.4\n\
             \"at ¥5m <per> QALY & more\",400000000,0.8\n\
             \"at ¥7.5m\",400000000,0.9\n\
             \"at ¥7.5m\",NaN,0.5\n\
             \"at ¥7.5m\",0,0.3\n"
        );
        let ja = acceptability(Lang::Ja).svg();
        // Japanese numbers; the marker's own words are the caller's.
        assert!(ja.contains(">4億円</text>") && ja.contains(">base case: 3.43億円</text>"));
    }

    #[test]
    fn lines_without_points_or_with_one_do_not_panic() {
        let mut chart = acceptability(Lang::Ja);
        chart.series.clear();
        chart.markers.clear();
        let svg = chart.svg();
        well_formed(&svg);
        assert!(svg.contains(">0%</text>") && svg.contains(">100%</text>"));
        assert!(chart.table().rows.is_empty());
        assert_eq!(chart.csv(), "series,x,y\n");
        chart.series = vec![
            Series {
                label: "empty".into(),
                points: Vec::new(),
            },
            Series {
                label: "one".into(),
                points: vec![(3e8, 0.25)],
            },
        ];
        let svg = chart.svg();
        well_formed(&svg);
        // The single point is a dot, and so is its sample beside the label; the empty series
        // is neither drawn nor labelled.
        assert_eq!(svg.matches("<circle ").count(), 2);
        assert!(!svg.contains("<polyline") && !svg.contains(">empty<"));
        assert!(svg.contains(">one</text>"));
        assert_eq!(chart.table().rows, [["3億円", "", "25%"]]);
        // A vertical axis that is not a share runs over the data.
        chart.y.unit = Unit::Plain;
        well_formed(&chart.svg());
    }

    fn tornado(lang: Lang) -> Tornado {
        Tornado {
            id: "tn".into(),
            lang,
            text: Text {
                title: "One-way sensitivity".into(),
                description: "d".into(),
            },
            x: Axis {
                label: "threshold price".into(),
                unit: Unit::Yen,
            },
            base: 343e6,
            base_label: "base case ¥343m".into(),
            low_label: "input low".into(),
            high_label: "input high & <up>".into(),
            bars: vec![
                TornadoBar {
                    label: "discount rate".into(),
                    low_input: "0%".into(),
                    high_input: "4%".into(),
                    low: 520e6,
                    high: 192e6,
                },
                TornadoBar {
                    label: "utility <gain> & loss".into(),
                    low_input: "0.10".into(),
                    high_input: "0.30".into(),
                    low: 360e6,
                    high: 420e6,
                },
            ],
        }
    }

    #[test]
    fn a_tornado_is_drawn_to_scale_with_labels_that_fit() {
        let chart = tornado(Lang::En);
        let f = chart.frame();
        let xs = f.xs;
        // The scale runs over the outputs, from the lowest to the highest.
        assert_eq!((xs.d0, xs.d1), (192e6, 520e6));
        let px = |v: f64| format!("{:.1}", xs.at(v));
        let svg = chart.svg();
        well_formed(&svg);
        // First bar: the low input's end right of the base line, the high input's left, full
        // height (24 px in a 36 px row below a one-row legend).
        assert_eq!((f.top, f.row, f.legend_rows), (50.0, 36.0, 1));
        assert!(svg.contains(&format!(
            "<rect x=\"{}\" y=\"56.0\" width=\"{:.1}\" height=\"24.0\" fill=\"#2b6a99\"/>",
            px(343e6),
            xs.at(520e6) - xs.at(343e6)
        )));
        assert!(svg.contains(&format!(
            "<rect x=\"{}\" y=\"56.0\" width=\"{:.1}\" height=\"24.0\" fill=\"url(#tn-high)\"",
            px(192e6),
            xs.at(343e6) - xs.at(192e6)
        )));
        // Second bar: both ends above the base case, so the row is split, low above high.
        assert!(svg.contains(&format!(
            "<rect x=\"{}\" y=\"92.0\" width=\"{:.1}\" height=\"12.0\" fill=\"#2b6a99\"/>",
            px(343e6),
            xs.at(360e6) - xs.at(343e6)
        )));
        assert!(svg.contains(&format!(
            "<rect x=\"{}\" y=\"104.0\" width=\"{:.1}\" height=\"12.0\" fill=\"url(#tn-high)\"",
            px(343e6),
            xs.at(420e6) - xs.at(343e6)
        )));
        // The base case line and its label.
        assert!(svg.contains(&format!(
            "<line x1=\"{0}\" y1=\"46.0\" x2=\"{0}\" y2=\"122.0\" stroke=\"#1a1a1a\" stroke-width=\"2\"/>",
            px(343e6)
        )));
        assert!(svg.contains(">base case ¥343m</text>"));
        // Names, end labels with the inputs, legend words, all escaped.
        assert!(svg.contains(">discount rate</text>"));
        assert!(svg.contains(">utility &lt;gain&gt; &amp; loss</text>"));
        assert!(
            svg.contains(">input low</text>")
                && svg.contains(">input high &amp; &lt;up&gt;</text>")
        );
        for label in ["¥520m (0%)", "¥192m (4%)", "¥360m (0.10)", "¥420m (0.30)"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}");
        }
        // Every end label fits between the names and the right edge.
        for e in f.ends.iter().flatten() {
            let w = text_width(&e.label) + 6.0;
            if e.right {
                assert!(xs.at(e.value) + w <= WIDTH - 4.0 + 1e-6, "{}", e.label);
            } else {
                assert!(xs.at(e.value) - w >= f.name_room - 1e-6, "{}", e.label);
            }
        }
        assert!(xs.p0 >= f.name_room && xs.p1 <= WIDTH - 8.0 + 1e-6);
        assert_eq!(svg, chart.svg(), "the same input gives the same bytes");
    }

    #[test]
    fn a_tornado_table_and_csv_have_both_ends_of_every_input() {
        let t = tornado(Lang::En).table();
        assert_eq!(
            t.header,
            [
                "input",
                "low value",
                "output at low value",
                "high value",
                "output at high value",
                "swing"
            ]
        );
        assert_eq!(
            t.rows[0],
            ["discount rate", "0%", "¥520m", "4%", "¥192m", "¥328m"]
        );
        let ja = tornado(Lang::Ja);
        assert_eq!(
            ja.table().rows[0],
            [
                "discount rate",
                "0%",
                "5.2億円",
                "4%",
                "1.92億円",
                "3.28億円"
            ]
        );
        assert_eq!(ja.table().header[0], "パラメータ");
        assert!(ja.svg().contains(">5.2億円 (0%)</text>"));
        assert_eq!(
            tornado(Lang::En).csv(),
            "input,low_input,output_low,high_input,output_high\n\
             \"discount rate\",\"0%\",520000000,\"4%\",192000000\n\
             \"utility <gain> & loss\",\"0.10\",360000000,\"0.30\",420000000\n"
        );
    }

    #[test]
    fn a_tornado_without_bars_or_with_odd_ones_does_not_panic() {
        let mut chart = tornado(Lang::En);
        chart.bars.clear();
        well_formed(&chart.svg());
        assert!(chart.table().rows.is_empty());
        assert_eq!(
            chart.csv(),
            "input,low_input,output_low,high_input,output_high\n"
        );
        chart.bars = vec![
            TornadoBar {
                label: "no effect".into(),
                low_input: String::new(),
                high_input: String::new(),
                low: 343e6,
                high: 343e6,
            },
            TornadoBar {
                label: "broken".into(),
                low_input: "1".into(),
                high_input: "2".into(),
                low: 300e6,
                high: f64::NAN,
            },
        ];
        let svg = chart.svg();
        well_formed(&svg);
        // An end at the base case has no bar, only its value, on either side.
        assert_eq!(svg.matches(">¥343m</text>").count(), 2);
        assert!(svg.contains(">¥300m (1)</text>"));
        // Long legend words go on two rows.
        chart.low_label = "x".repeat(60);
        chart.high_label = "y".repeat(60);
        assert_eq!(chart.frame().legend_rows, 2);
        well_formed(&chart.svg());
    }
}
