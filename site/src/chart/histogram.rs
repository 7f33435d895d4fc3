//! The histogram: the distribution of a quantity over Monte Carlo draws, with labelled markers.

use std::fmt::Write as _;

use super::{
    Axis, Chart, INK, Lang, Layout, MARK, Marker, PlotSpec, Rect, Table, Text, Unit, YTicks,
    draw_marker, finite_range, format_value, nice_ticks, open_svg, stack_above, widen, wrap,
};

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

    fn svg_for(&self, layout: Layout) -> String {
        let total = self.total() as f64;
        let top_share = self
            .bins
            .iter()
            .map(|b| b.2 as f64 / total)
            .fold(0.0, f64::max);
        let values = self
            .bins
            .iter()
            .flat_map(|b| [b.0, b.1])
            .chain(self.markers.iter().map(|m| m.value));
        let (lo, hi) = finite_range(values).unwrap_or((0.0, 1.0));
        let (lo, hi) = widen(lo, hi);
        let y_axis = Axis {
            label: self.y_label.clone(),
            unit: Unit::Share,
        };
        let y_hi = nice_ticks(0.0, top_share.max(1e-9), 4)
            .last()
            .copied()
            .unwrap_or(1.0);
        let spec = PlotSpec {
            layout,
            lang: self.lang,
            x: &self.x,
            y: &y_axis,
            x_range: (lo, hi),
            y_ticks: YTicks::Over(0.0, y_hi),
            right_room: 0.0,
            below_room: 0.0,
        };
        let markers: Vec<&Marker> = self
            .markers
            .iter()
            .filter(|m| m.value.is_finite())
            .collect();
        // A marker's label: its name and value, on two lines where it is long for the width.
        let max_label = layout.width() * 0.45;
        let labels: Vec<Vec<String>> = markers
            .iter()
            .map(|m| {
                wrap(
                    &format!(
                        "{}: {}",
                        m.label,
                        format_value(m.value, self.x.unit, self.lang)
                    ),
                    max_label,
                )
            })
            .collect();
        let items = |p: &super::Plot| -> Vec<(f64, Vec<String>)> {
            markers
                .iter()
                .zip(&labels)
                .map(|(m, l)| (p.xs.at(m.value), l.clone()))
                .collect()
        };
        let mut plot = spec.frame_with_band(items);
        let (xs, ys) = (plot.xs, plot.ys);
        let mut out = String::new();
        open_svg(&mut out, &self.id, layout, &self.text, plot.height);
        plot.draw_axes(&mut out, &spec, false);
        let _ = write!(out, "<g fill=\"{MARK}\">");
        for &(a, b, c) in &self.bins {
            let (px0, px1) = (xs.at(a), xs.at(b));
            let py = ys.at(c as f64 / total);
            let _ = write!(
                out,
                "<rect x=\"{px0:.1}\" y=\"{py:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
                (px1 - px0 - 1.0).max(0.5),
                (ys.p0 - py).max(0.0)
            );
            // Labels above the plot never reach the bars; noted all the same.
            plot.placer.mark(Rect {
                x0: px0,
                y0: py,
                x1: px1,
                y1: ys.p0,
            });
        }
        out.push_str("</g>");
        // Markers close together (a median on the base case) get labels in rows above the
        // plot, each joined to its line by the line itself.
        let items = items(&plot);
        for (shared, label, top) in stack_above(&mut plot.placer, &items, ys.p1) {
            for i in shared {
                draw_marker(&mut out, items[i].0, ys.p0, top);
            }
            label.write(&mut out, &format!("fill=\"{INK}\""));
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
