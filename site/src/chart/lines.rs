//! Line charts, such as acceptability curves: several series told apart by colour, dash
//! pattern and a label at each line's end, with labelled reference lines.

use std::fmt::Write as _;

use super::{
    ACCENT, Axis, BOTTOM, Chart, GRID, HEIGHT, INK, LEFT, LINE_HEIGHT, Lang, Marker, RIGHT, Scale,
    TOP, Table, Text, Unit, WIDTH, axes, csv_field, escape, finite_range, format_value, halo,
    label_rows, nice_ticks, open_svg, series_style, spread, text_width, widen, widest, wrap,
    write_lines,
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
pub(super) struct LinesFrame {
    pub(super) xs: Scale,
    pub(super) ys: Scale,
    x_ticks: Vec<f64>,
    y_ticks: Vec<f64>,
    /// Each series' finite points, in order of x.
    points: Vec<Vec<(f64, f64)>>,
    /// Each series' label, broken into lines.
    labels: Vec<Vec<String>>,
}

impl Lines {
    pub(super) fn frame(&self) -> LinesFrame {
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
