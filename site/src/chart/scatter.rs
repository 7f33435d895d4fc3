//! The scatter plot, such as the cost-effectiveness plane: one point per draw, with labelled
//! lines through the origin.

use std::fmt::Write as _;

use super::{
    ACCENT, AXIS, Anchor, Axis, Chart, GAP, INK, Label, Lang, Layout, MARK, Marker, Plot, PlotSpec,
    Rect, Table, Text, YTicks, halo, open_svg, stack_above, wrap,
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

impl Scatter {
    /// Each line clipped to the plot, in pixels (start x, start y, end x, end y), where it
    /// crosses the plot at all.
    fn ends(&self, p: &Plot) -> Vec<Option<(f64, f64, f64, f64)>> {
        let (xs, ys) = (p.xs, p.ys);
        self.lines
            .iter()
            .map(|l| {
                let (mut a, mut b) = (xs.d0, xs.d1);
                if l.value != 0.0 {
                    let (ya, yb) = (ys.d0 / l.value, ys.d1 / l.value);
                    a = a.max(ya.min(yb));
                    b = b.min(ya.max(yb));
                } else if !(ys.d0..=ys.d1).contains(&0.0) {
                    return None;
                }
                (a < b && l.value.is_finite())
                    .then(|| (xs.at(a), ys.at(l.value * a), xs.at(b), ys.at(l.value * b)))
            })
            .collect()
    }

    /// Places the lines' labels inside the plot, beside their line near its end, where they
    /// cover no other label, axis or line; returns those placed (with their line's index) and
    /// the indices of those that found no place.
    fn place_inside(
        &self,
        p: &Plot,
        placer: &mut super::Placer,
        labels: &[Vec<String>],
    ) -> (Vec<(usize, Label)>, Vec<usize>) {
        let ends = self.ends(p);
        let (x0, y0) = (p.xs.at(0.0), p.ys.at(0.0));
        placer.segment([x0, p.ys.p1, x0, p.ys.p0]);
        placer.segment([p.xs.p0, y0, p.xs.p1, y0]);
        for &(sx, sy, ex, ey) in ends.iter().flatten() {
            placer.segment([sx, sy, ex, ey]);
        }
        let plot_box = Rect {
            x0: p.xs.p0 + GAP,
            y0: p.ys.p1 + GAP,
            x1: p.xs.p1 - GAP,
            y1: p.ys.p0 - GAP,
        };
        // The steepest lines first: their ends are nearest the top, where labels go.
        let mut order: Vec<usize> = (0..self.lines.len()).collect();
        order.sort_by(|&a, &b| self.lines[b].value.total_cmp(&self.lines[a].value));
        let (mut inside, mut outside) = (Vec::new(), Vec::new());
        for i in order {
            let Some((sx, sy, ex, ey)) = ends[i] else {
                continue;
            };
            let lines = &labels[i];
            let h = Label::height(lines.len());
            // Points along the last fifth of the line (further back, a label no longer reads as
            // its line's); at each, the label in the corner above-left or below-right of it (or
            // above-right and below-left for a falling line), which the line does not cross.
            let rising = (ey - sy) * (ex - sx) < 0.0;
            let candidates = (0..5).flat_map(|k| {
                let t = 1.0 - 0.05 * k as f64;
                let (px, py) = (sx + (ex - sx) * t, sy + (ey - sy) * t);
                let above = Label::new(
                    lines.clone(),
                    if rising { px - 3.0 } else { px + 3.0 },
                    py - 3.0 - h + ASCENT_OF_LABEL,
                    if rising { Anchor::End } else { Anchor::Start },
                );
                let below = Label::new(
                    lines.clone(),
                    if rising { px + 3.0 } else { px - 3.0 },
                    py + 3.0 + ASCENT_OF_LABEL,
                    if rising { Anchor::Start } else { Anchor::End },
                );
                [above, below]
            });
            let candidates = candidates
                .filter(|l| plot_box.holds(&l.rect()))
                .map(|l| (l, None));
            match placer.place(candidates) {
                Some((label, _)) => inside.push((i, label)),
                None => outside.push(i),
            }
        }
        outside.sort_unstable();
        (inside, outside)
    }
}

/// A label's first baseline below its box's top.
const ASCENT_OF_LABEL: f64 = super::ASCENT;

impl Chart for Scatter {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg_for(&self, layout: Layout) -> String {
        // The origin is always in view: which quadrant a point falls in is what matters.
        let (mut xlo, mut xhi, mut ylo, mut yhi) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for &(x, y) in self
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
        {
            xlo = xlo.min(x);
            xhi = xhi.max(x);
            ylo = ylo.min(y);
            yhi = yhi.max(y);
        }
        let spec = PlotSpec {
            layout,
            lang: self.lang,
            x: &self.x,
            y: &self.y,
            x_range: (xlo, xhi),
            y_ticks: YTicks::Over(ylo, yhi),
            right_room: 0.0,
            below_room: 0.0,
        };
        let labels: Vec<Vec<String>> = self
            .lines
            .iter()
            .map(|l| wrap(&l.label, layout.width() * 0.4))
            .collect();
        // Labels that find no place inside the plot go above it, joined to their line's end.
        let above = |p: &Plot| -> Vec<(f64, Vec<String>)> {
            let mut placer = p.placer.clone();
            let (_, outside) = self.place_inside(p, &mut placer, &labels);
            outside
                .iter()
                .map(|&i| (self.ends(p)[i].map_or(p.xs.p1, |e| e.2), labels[i].clone()))
                .collect()
        };
        let mut plot = spec.frame_with_band(above);
        let (xs, ys) = (plot.xs, plot.ys);
        let mut out = String::new();
        open_svg(&mut out, &self.id, layout, &self.text, plot.height);
        plot.draw_axes(&mut out, &spec, false);
        let (x0, y0) = (xs.at(0.0), ys.at(0.0));
        let _ = write!(
            out,
            "<g stroke=\"{AXIS}\" stroke-width=\"1\"><line x1=\"{x0:.1}\" y1=\"{:.1}\" x2=\"{x0:.1}\" y2=\"{:.1}\"/>\
             <line x1=\"{:.1}\" y1=\"{y0:.1}\" x2=\"{:.1}\" y2=\"{y0:.1}\"/></g>",
            ys.p1, ys.p0, xs.p0, xs.p1,
        );
        let _ = write!(out, "<g fill=\"{MARK}\">");
        for &(x, y) in self
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
        {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.6\"/>",
                xs.at(x),
                ys.at(y)
            );
        }
        out.push_str("</g>");
        let ends = self.ends(&plot);
        for &(sx, sy, ex, ey) in ends.iter().flatten() {
            let _ = write!(
                out,
                "<line x1=\"{sx:.1}\" y1=\"{sy:.1}\" x2=\"{ex:.1}\" y2=\"{ey:.1}\" stroke=\"{ACCENT}\" stroke-width=\"2\"/>"
            );
        }
        let mut placer = plot.placer.clone();
        let (inside, outside) = self.place_inside(&plot, &mut placer, &labels);
        plot.placer = placer;
        for (_, label) in &inside {
            label.write(&mut out, &halo(INK));
        }
        let items: Vec<(f64, Vec<String>)> = outside
            .iter()
            .map(|&i| (ends[i].map_or(xs.p1, |e| e.2), labels[i].clone()))
            .collect();
        for (shared, label, top) in stack_above(&mut plot.placer, &items, ys.p1) {
            // The leader runs from the label down to the line's end.
            for k in shared {
                if let Some((_, _, ex, ey)) = ends[outside[k]] {
                    let _ = write!(
                        out,
                        "<line x1=\"{ex:.1}\" y1=\"{top:.1}\" x2=\"{ex:.1}\" y2=\"{ey:.1}\" stroke=\"{ACCENT}\" stroke-width=\"1\"/>"
                    );
                }
            }
            label.write(&mut out, &format!("fill=\"{INK}\""));
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
