//! The tornado diagram of a one-way sensitivity analysis: for each input, the output with the
//! input at its low and at its high value, around the base case.

use std::fmt::Write as _;

use super::{
    ACCENT, ASCENT, Anchor, Axis, Chart, GAP, GRID, INK, Label, Lang, Layout, MARK, Placer, Rect,
    Scale, Table, Text, csv_field, draw_x_axis, escape, finite_range, format_value, halo,
    longest_unbreakable, nice_ticks, open_svg, text_width, widen, widest, wrap,
};

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
/// is which. In the narrow layout each input's name is written above its bar.
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
pub(super) struct TornadoEnd {
    pub(super) value: f64,
    /// Its label is written right of the end (else left).
    pub(super) right: bool,
    pub(super) label: String,
}

/// Where a [`Tornado`] puts things.
pub(super) struct TornadoFrame {
    pub(super) xs: Scale,
    width: f64,
    ticks: Vec<f64>,
    height: f64,
    /// Top of the first bar's row.
    pub(super) top: f64,
    /// Each row's top and height.
    pub(super) rows: Vec<(f64, f64)>,
    /// Legend rows (one, or two when the words are long).
    pub(super) legend_rows: usize,
    /// Right edge of the names (wide), or their left edge (narrow, names above the bars).
    pub(super) name_room: f64,
    names: Vec<Vec<String>>,
    /// Each bar's low and high ends.
    pub(super) ends: Vec<[TornadoEnd; 2]>,
    narrow: bool,
    /// The bars got less than a third of the width.
    squeezed: bool,
}

/// Depth of a bar, and of each half of a split row.
const DEPTH: f64 = 24.0;
const SPLIT_DEPTH: f64 = 32.0;

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

    /// Whether a bar's ends fall on the same side of the base case (its row is split).
    fn split(&self, b: &TornadoBar) -> bool {
        (b.low - self.base) * (b.high - self.base) > 0.0
    }

    /// Where things go: with names up to 200 pixels wide, or narrower where the bars would
    /// otherwise get less than a third of the width.
    pub(super) fn frame(&self, layout: Layout) -> TornadoFrame {
        let mut f = self.frame_with(layout, 200.0);
        for names in [150.0, 110.0] {
            if f.squeezed {
                f = self.frame_with(layout, names);
            }
        }
        f
    }

    fn frame_with(&self, layout: Layout, name_max: f64) -> TornadoFrame {
        let width = layout.width();
        let narrow = layout == Layout::Narrow;
        let base = self.base;
        let names: Vec<Vec<String>> = self
            .bars
            .iter()
            .map(|b| {
                let max = if narrow { width - 12.0 } else { name_max };
                wrap(&b.label, max.max(longest_unbreakable(&b.label)))
            })
            .collect();
        let name_room = if narrow {
            GAP + 4.0
        } else {
            (names.iter().map(|n| widest(n)).fold(0.0, f64::max) + 16.0).max(100.0)
        };
        let legend_rows = if self.legend_width() <= width - 8.0 {
            1
        } else {
            2
        };
        let top = 10.0 + 18.0 * legend_rows as f64 + 22.0;
        let mut rows = Vec::new();
        let mut y = top;
        for (b, name) in self.bars.iter().zip(&names) {
            let depth = if self.split(b) { SPLIT_DEPTH } else { DEPTH };
            let name_h = Label::height(name.len());
            let h = if narrow {
                name_h + 4.0 + depth + 10.0
            } else {
                (name_h + 10.0).max(depth + 12.0)
            };
            rows.push((y, h));
            y += h;
        }
        let height = y.max(top + DEPTH + 12.0) + 18.0 + 30.0 + Label::height(1) + 8.0;
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
        let ticks_for = |n: usize| -> Vec<f64> {
            nice_ticks(lo, hi, n)
                .into_iter()
                .filter(|&t| t >= lo - eps && t <= hi + eps)
                .collect()
        };
        let fx = |v: f64| format_value(v, self.x.unit, self.lang);
        // What must fit, as (distance from `lo` in data units, reach in pixels, whether it
        // reaches right, the wall it must not cross): the bars between the names and the right
        // edge, each end label beside its end, the end ticks' labels centred on them.
        let mut reaches = vec![
            (0.0, 0.0, false, name_room),
            (hi - lo, 0.0, true, width - 8.0),
        ];
        for e in ends.iter().flatten().filter(|e| e.value.is_finite()) {
            let (d, w) = (e.value - lo, text_width(&e.label) + 6.0);
            reaches.push(if e.right {
                (d, w, true, width - 4.0)
            } else {
                (d, w, false, name_room)
            });
        }
        for t in ticks_for(2) {
            let w = text_width(&fx(t)) / 2.0;
            reaches.push((t - lo, w, true, width - 4.0));
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
        // a third of the width, even if long labels then reach the edge.
        let (mut k0, mut k1) = (0.0, width / (hi - lo));
        for _ in 0..60 {
            let k = (k0 + k1) / 2.0;
            let (first, last) = bounds(k);
            if first <= last {
                k0 = k;
            } else {
                k1 = k;
            }
        }
        let squeezed = k0 < width / 3.0 / (hi - lo);
        let k = k0.max(width / 4.0 / (hi - lo));
        let (first, last) = bounds(k);
        let room = width - 8.0 - (hi - lo) * k;
        let p0 = ((first + last) / 2.0).clamp(name_room.min(room), room);
        let xs = Scale::linear((lo, hi), (p0, p0 + (hi - lo) * k));
        // As many ticks as fit with their labels apart at this scale.
        let most = if narrow { 3 } else { 5 };
        let ticks = (1..=most)
            .rev()
            .map(ticks_for)
            .find(|t| {
                t.windows(2).all(|w| {
                    (w[1] - w[0]) * k >= (text_width(&fx(w[0])) + text_width(&fx(w[1]))) / 2.0 + 8.0
                })
            })
            .unwrap_or_else(|| ticks_for(1));
        TornadoFrame {
            xs,
            width,
            ticks,
            height,
            top,
            rows,
            legend_rows,
            name_room,
            names,
            ends,
            narrow,
            squeezed,
        }
    }
}

impl Chart for Tornado {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg_for(&self, layout: Layout) -> String {
        let f = self.frame(layout);
        let xs = f.xs;
        let bottom = f.rows.last().map_or(f.top + DEPTH + 12.0, |r| r.0 + r.1);
        let hatch = format!("{}{}-high", escape(&self.id), layout.id_suffix());
        let mut out = String::new();
        let mut placer = Placer::new(f.width, f.height);
        open_svg(&mut out, &self.id, layout, &self.text, f.height);
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
                "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"10\" {style}/>"
            );
            let words = Label::new(vec![words.clone()], lx + 20.0, ly + 9.0, Anchor::Start);
            placer
                .fixed(words)
                .write(&mut out, &format!("fill=\"{INK}\""));
            if f.legend_rows == 1 {
                lx += 20.0 + text_width(&self.low_label) + 24.0;
            } else {
                ly += 18.0;
            }
        }
        // Gridlines and the output axis.
        for &t in &f.ticks {
            let px = xs.at(t);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"{GRID}\"/>",
                f.top,
            );
        }
        let fx = |v: f64| format_value(v, self.x.unit, self.lang);
        let title = Label::new(
            wrap(&self.x.label, f.width - 2.0 * GAP - 4.0),
            (xs.p0 + xs.p1) / 2.0,
            bottom + 40.0,
            Anchor::Middle,
        )
        .clamped(GAP, f.width - GAP);
        draw_x_axis(&mut out, &mut placer, xs, &f.ticks, bottom, &fx, title);
        // The bars.
        let base_px = xs.at(self.base);
        let mut bands = Vec::new();
        for ((b, ends), (name, &(y, row))) in self
            .bars
            .iter()
            .zip(&f.ends)
            .zip(f.names.iter().zip(&f.rows))
        {
            let split = self.split(b);
            let depth = if split { SPLIT_DEPTH } else { DEPTH };
            let (name, bar_top) = if f.narrow {
                let label = Label::new(name.clone(), f.name_room, y + 4.0 + ASCENT, Anchor::Start);
                let bar_top = label.rect().y1 + 4.0;
                (label, bar_top)
            } else {
                let h = Label::height(name.len());
                let label = Label::new(
                    name.clone(),
                    f.name_room - 8.0,
                    y + (row - h) / 2.0 + ASCENT,
                    Anchor::End,
                );
                (label, y + (row - depth) / 2.0)
            };
            placer
                .fixed(name)
                .write(&mut out, &format!("fill=\"{INK}\""));
            bands.push((bar_top, bar_top + depth));
            for (j, (end, style)) in ends.iter().zip([&low_style, &high_style]).enumerate() {
                if !end.value.is_finite() {
                    continue;
                }
                // Split rows: the low end above, the high end below.
                let (y0, h) = if split {
                    (bar_top + depth / 2.0 * j as f64, depth / 2.0)
                } else {
                    (bar_top, depth)
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
                    (px.max(base_px) + 6.0, Anchor::Start)
                } else {
                    (px.min(base_px) - 6.0, Anchor::End)
                };
                let label = Label::new(vec![end.label.clone()], tx, y0 + h / 2.0 + 4.0, anchor);
                placer.fixed(label).write(&mut out, &halo(INK));
            }
        }
        // The base case, over the bars, labelled above them.
        if self.base.is_finite() {
            let label = Label::new(
                wrap(&self.base_label, f.width - 2.0 * GAP),
                base_px,
                f.top - 8.0,
                Anchor::Middle,
            )
            .clamped(GAP, f.width - GAP);
            // Through all the rows, or (narrow) through each bar only, under its name.
            let spans: Vec<(f64, f64)> = if f.narrow {
                let first = bands.first().map_or(f.top, |b| b.0);
                std::iter::once((f.top - 4.0, f.top.min(first)))
                    .chain(bands.iter().map(|&(a, b)| (a - 3.0, b + 3.0)))
                    .collect()
            } else {
                vec![(f.top - 4.0, bottom.max(f.top + 4.0))]
            };
            for (a, b) in spans {
                let _ = write!(
                    out,
                    "<line x1=\"{base_px:.1}\" y1=\"{a:.1}\" x2=\"{base_px:.1}\" y2=\"{b:.1}\" stroke=\"{INK}\" stroke-width=\"2\"/>"
                );
                placer.mark(Rect {
                    x0: base_px - 1.0,
                    y0: a,
                    x1: base_px + 1.0,
                    y1: b,
                });
            }
            placer
                .fixed(label)
                .write(&mut out, &format!("fill=\"{INK}\""));
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
