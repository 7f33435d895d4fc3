//! Charts drawn as SVG by the site itself, each with the same numbers as a table and as CSV.
//!
//! Every chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`, with marks
//! labelled directly (never by colour alone) and colours that keep a contrast of at least 4.5:1
//! for text and 3:1 for marks on white. A chart type implements [`Chart`]; adding one to the site
//! means writing its data and labels, not drawing code.
//!
//! Numbers are formatted for the reader's language: yen as 億円 and 万円 in Japanese, as
//! millions and billions in English.

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

/// A number in a unit, for a reader of `lang`: yen as 億円/万円 or as millions/billions.
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

/// Axes with ticks, tick labels and axis labels.
fn axes(out: &mut String, x: (&Axis, Scale, &[f64]), y: (&Axis, Scale, &[f64]), lang: Lang) {
    let (x_axis, xs, xt) = x;
    let (y_axis, ys, yt) = y;
    let (bottom, left) = (HEIGHT - BOTTOM, LEFT);
    let _ = write!(
        out,
        "<g stroke=\"{AXIS}\"><line x1=\"{left}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\"/>\
         <line x1=\"{left}\" y1=\"{TOP}\" x2=\"{left}\" y2=\"{bottom}\"/></g>",
        WIDTH - RIGHT
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
        (LEFT + WIDTH - RIGHT) / 2.0,
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
}
