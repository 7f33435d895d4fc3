//! Line charts, such as acceptability curves: several series told apart by colour, dash
//! pattern and a label at each line's end, with labelled reference lines.

use std::fmt::Write as _;

use super::{
    ASCENT, Anchor, Axis, Chart, GAP, INK, Label, Lang, Layout, Marker, Plot, PlotSpec, Table,
    Text, Unit, YTicks, csv_field, draw_marker, finite_range, format_value, halo,
    longest_unbreakable, open_svg, series_style, spread, stack_above, widen, widest, wrap,
};

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
/// end, after a sample of the line (labels of lines that end close together are moved apart,
/// the sample bent to reach its line's end); in the narrow layout the names are listed under
/// the plot instead, each after its sample. Markers are vertical reference lines, labelled
/// above the plot with their label and value ("base case: ¥343m"), stacked where they are
/// close. With [`Unit::Share`] on the vertical axis, it runs from 0% to 100% whatever the data.
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

/// Width of the sample of a line before its name.
const SAMPLE: f64 = 22.0;

impl Lines {
    /// Each series' finite points, in order of x.
    fn points(&self) -> Vec<Vec<(f64, f64)>> {
        self.series
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
            .collect()
    }

    /// Each series' name broken into lines: for the right of the plot (wide) or for a legend
    /// row under it (narrow).
    fn names(&self, layout: Layout) -> Vec<Vec<String>> {
        let max = match layout {
            Layout::Wide => 150.0,
            Layout::Narrow => layout.width() - SAMPLE - 16.0,
        };
        self.series
            .iter()
            .map(|s| wrap(&s.label, max.max(longest_unbreakable(&s.label))))
            .collect()
    }

    fn spec(
        &self,
        layout: Layout,
        points: &[Vec<(f64, f64)>],
        names: &[Vec<String>],
    ) -> PlotSpec<'_> {
        let xs_all = points
            .iter()
            .flatten()
            .map(|p| p.0)
            .chain(self.markers.iter().map(|m| m.value));
        let (xlo, xhi) = finite_range(xs_all).unwrap_or((0.0, 1.0));
        let y_ticks = if self.y.unit == Unit::Share {
            YTicks::Fixed((0..=5).map(|i| f64::from(i) / 5.0).collect())
        } else {
            let (ylo, yhi) =
                finite_range(points.iter().flatten().map(|p| p.1)).unwrap_or((0.0, 1.0));
            let (ylo, yhi) = widen(ylo, yhi);
            YTicks::Over(ylo, yhi)
        };
        let drawn = || points.iter().zip(names).filter(|(p, _)| !p.is_empty());
        let (right_room, below_room) = match layout {
            // Room right of the plot for the names: a sample of the line, then the words.
            Layout::Wide => (
                drawn()
                    .map(|(_, n)| widest(n) + SAMPLE + 14.0)
                    .fold(0.0, f64::max),
                0.0,
            ),
            Layout::Narrow => (
                0.0,
                drawn().map(|(_, n)| Label::height(n.len()) + 6.0).sum(),
            ),
        };
        PlotSpec {
            layout,
            lang: self.lang,
            x: &self.x,
            y: &self.y,
            x_range: widen(xlo, xhi),
            y_ticks,
            right_room,
            below_room,
        }
    }

    /// The frame of the wide layout (for tests of the scale).
    #[cfg(test)]
    pub(super) fn frame(&self, layout: Layout) -> Plot {
        let points = self.points();
        let names = self.names(layout);
        let spec = self.spec(layout, &points, &names);
        spec.frame_with_band(|p| self.marker_items(p))
    }

    /// The markers' labels with their places on the horizontal axis.
    fn marker_items(&self, p: &Plot) -> Vec<(f64, Vec<String>)> {
        self.markers
            .iter()
            .filter(|m| m.value.is_finite())
            .map(|m| {
                let label = format!(
                    "{}: {}",
                    m.label,
                    format_value(m.value, self.x.unit, self.lang)
                );
                (p.xs.at(m.value), wrap(&label, p.width * 0.45))
            })
            .collect()
    }
}

impl Chart for Lines {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg_for(&self, layout: Layout) -> String {
        let points = self.points();
        let names = self.names(layout);
        let spec = self.spec(layout, &points, &names);
        let mut plot = spec.frame_with_band(|p| self.marker_items(p));
        let (xs, ys) = (plot.xs, plot.ys);
        let (top, bottom) = (ys.p1, ys.p0);
        let mut out = String::new();
        open_svg(&mut out, &self.id, layout, &self.text, plot.height);
        plot.draw_axes(&mut out, &spec, true);
        // Reference lines, labelled above the plot.
        let items = self.marker_items(&plot);
        for (shared, label, leader_top) in stack_above(&mut plot.placer, &items, top) {
            for i in shared {
                draw_marker(&mut out, items[i].0, bottom, leader_top);
            }
            label.write(&mut out, &format!("fill=\"{INK}\""));
        }
        // The lines.
        let mut ends = Vec::new();
        for (i, points) in points.iter().enumerate() {
            let (colour, dash) = series_style(i);
            let dash = if dash.is_empty() {
                String::new()
            } else {
                format!(" stroke-dasharray=\"{dash}\"")
            };
            let Some(&(last_x, last_y)) = points.last() else {
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
            ends.push((i, (xs.at(last_x), ys.at(last_y)), colour, dash));
        }
        match layout {
            Layout::Wide => {
                // Names right of the plot, level with each line's last point where they fit;
                // moved apart where lines end together, the sample bent back to its line.
                let wanted: Vec<(f64, f64)> = ends
                    .iter()
                    .map(|&(i, (_, py), _, _)| (py, Label::height(names[i].len())))
                    .collect();
                let centres = spread(&wanted, top, bottom);
                for (&(i, (px, py), colour, ref dash), (&(_, h), centre)) in
                    ends.iter().zip(wanted.iter().zip(centres))
                {
                    let x = xs.p1 + 4.0;
                    if points[i].len() == 1 {
                        let _ = write!(
                            out,
                            "<circle cx=\"{:.1}\" cy=\"{centre:.1}\" r=\"4\" fill=\"{colour}\"/>",
                            x + SAMPLE / 2.0
                        );
                    } else {
                        // From the line's last point (which may stop short of the axis's end).
                        let _ = write!(
                            out,
                            "<polyline points=\"{px:.1},{py:.1} {:.1},{centre:.1} {:.1},{centre:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>",
                            x + 6.0,
                            x + SAMPLE
                        );
                    }
                    let label = plot.placer.fixed(Label::new(
                        names[i].clone(),
                        x + SAMPLE + 6.0,
                        centre - h / 2.0 + ASCENT,
                        Anchor::Start,
                    ));
                    label.write(&mut out, &halo(colour));
                }
            }
            Layout::Narrow => {
                // A legend under the plot: each line's sample, then its name.
                let mut y = plot.below;
                for &(i, _, colour, ref dash) in &ends {
                    let label = plot.placer.fixed(Label::new(
                        names[i].clone(),
                        GAP + 4.0 + SAMPLE + 6.0,
                        y + ASCENT,
                        Anchor::Start,
                    ));
                    let sy = y + ASCENT - 4.0;
                    if points[i].len() == 1 {
                        let _ = write!(
                            out,
                            "<circle cx=\"{:.1}\" cy=\"{sy:.1}\" r=\"4\" fill=\"{colour}\"/>",
                            GAP + 4.0 + SAMPLE / 2.0
                        );
                    } else {
                        let _ = write!(
                            out,
                            "<line x1=\"{:.1}\" y1=\"{sy:.1}\" x2=\"{:.1}\" y2=\"{sy:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>",
                            GAP + 4.0,
                            GAP + 4.0 + SAMPLE
                        );
                    }
                    label.write(&mut out, &format!("fill=\"{colour}\""));
                    y += Label::height(names[i].len()) + 6.0;
                }
            }
        }
        out.push_str("</svg>");
        out
    }

    fn table(&self) -> Table {
        let points = self.points();
        let mut xs: Vec<f64> = points.iter().flatten().map(|p| p.0).collect();
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
                    row.extend(points.iter().map(|p| {
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
