//! The scatter plot, such as the cost-effectiveness plane: one point per draw, with labelled
//! lines through the origin.

use std::fmt::Write as _;

use super::{
    ACCENT, AXIS, Axis, BOTTOM, Chart, HEIGHT, INK, LEFT, Lang, MARK, Marker, RIGHT, Scale, TOP,
    Table, Text, WIDTH, axes, escape, nice_ticks, open_svg, text_width,
};

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
