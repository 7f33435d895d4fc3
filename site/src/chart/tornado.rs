//! The tornado diagram of a one-way sensitivity analysis: for each input, the output with the
//! input at its low and at its high value, around the base case.

use std::fmt::Write as _;

use super::{
    ACCENT, AXIS, Axis, BOTTOM, Chart, GRID, INK, LINE_HEIGHT, Lang, MARK, Scale, Table, Text,
    WIDTH, csv_field, escape, finite_range, format_value, halo, nice_ticks, open_svg, text_width,
    widen, widest, wrap, write_lines,
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
pub(super) struct TornadoEnd {
    pub(super) value: f64,
    /// Its label is written right of the end (else left).
    pub(super) right: bool,
    pub(super) label: String,
}

/// Where a [`Tornado`] puts things.
pub(super) struct TornadoFrame {
    pub(super) xs: Scale,
    ticks: Vec<f64>,
    height: f64,
    /// Top of the first bar's row.
    pub(super) top: f64,
    pub(super) row: f64,
    /// Legend rows (one, or two when the words are long).
    pub(super) legend_rows: usize,
    /// Right edge of the names.
    pub(super) name_room: f64,
    names: Vec<Vec<String>>,
    /// Each bar's low and high ends.
    pub(super) ends: Vec<[TornadoEnd; 2]>,
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

    pub(super) fn frame(&self) -> TornadoFrame {
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
