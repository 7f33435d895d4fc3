//! The histogram: the distribution of a quantity over Monte Carlo draws, with labelled markers.

use std::fmt::Write as _;

use super::{
    ACCENT, Axis, BOTTOM, Chart, HEIGHT, INK, LEFT, Lang, MARK, Marker, RIGHT, Scale, TOP, Table,
    Text, Unit, WIDTH, axes, escape, format_value, label_rows, nice_ticks, open_svg, text_width,
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
