//! Intervals by row and group, such as the suggested price under each pricing method against
//! the product's list price, or every scenario's prices side by side on a log axis.

use std::fmt::Write as _;

use super::{
    ACCENT, ASCENT, AXIS, Anchor, Axis, Chart, DESCENT, GAP, GRID, INK, LINE_HEIGHT, Label, Lang,
    Layout, MARK, Marker, Placer, Rect, Scale, Table, Text, csv_field, draw_x_axis, finite_range,
    fitted_ticks, format_value, halo, longest_unbreakable, open_svg, stack_above, text_width,
    widen, widest, wrap,
};

/// One row of a [`Ranges`] chart: an interval with its middle (a median) and, optionally, a
/// base case; or a note in words where there is no interval to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeRow {
    /// What the row is, written beside it (wide) or above it (narrow).
    pub label: String,
    /// Lower end of the interval; `None` with `high` for "no viable price" and the like.
    pub low: Option<f64>,
    /// Upper end of the interval.
    pub high: Option<f64>,
    /// The middle (a median), drawn as a dot and written beside the interval.
    pub mid: Option<f64>,
    /// The base case, drawn as a tick across the interval.
    pub base: Option<f64>,
    /// Words shown in the row instead of the interval when it has none, when it lies wholly
    /// below zero, or (on a log axis) at or below zero.
    pub note: Option<String>,
}

impl RangeRow {
    /// A row with an interval and its middle.
    pub fn interval(label: impl Into<String>, low: f64, mid: f64, high: f64) -> RangeRow {
        RangeRow {
            label: label.into(),
            low: Some(low),
            high: Some(high),
            mid: Some(mid),
            base: None,
            note: None,
        }
    }

    /// A row with only words (no interval), such as "no price is both justified and viable".
    pub fn note(label: impl Into<String>, note: impl Into<String>) -> RangeRow {
        RangeRow {
            label: label.into(),
            low: None,
            high: None,
            mid: None,
            base: None,
            note: Some(note.into()),
        }
    }

    /// The same row with a base case.
    pub fn with_base(mut self, base: f64) -> RangeRow {
        self.base = Some(base);
        self
    }

    /// The same row with the words to show should its interval be out of view.
    pub fn with_note(mut self, note: impl Into<String>) -> RangeRow {
        self.note = Some(note.into());
        self
    }
}

/// Rows that belong together (one scenario's methods), with an optional heading and an
/// optional reference line drawn across them (its list price).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeGroup {
    /// Written above the group's rows.
    pub heading: Option<String>,
    /// The rows, top to bottom.
    pub rows: Vec<RangeRow>,
    /// A vertical line across the group's rows, labelled above them with its label as it is
    /// written (e.g. "list price 32.65M yen": the caller writes the value, as exactly as it
    /// likes).
    pub marker: Option<Marker>,
}

/// Horizontal intervals, one per row, in groups: each row a label, a bar from low to high, a
/// dot at its middle with the middle's value written beside it, and optionally a tick at its
/// base case; each group with an optional heading and an optional labelled reference line (a
/// list price) across its rows. The axis is linear (negative values allowed, with a line at
/// zero) or logarithmic (for groups from millions to hundreds of millions of yen; each decade
/// the same width). A legend above says in words what the bar, the dot and the tick are.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranges {
    /// Identifier.
    pub id: String,
    /// Language of the labels.
    pub lang: Lang,
    /// Title and description.
    pub text: Text,
    /// The values' axis.
    pub x: Axis,
    /// A logarithmic axis (values at or below zero are then out of view: such rows show their
    /// note, and intervals reaching below zero are cut at the axis's left end, drawn open).
    pub log: bool,
    /// The groups, top to bottom.
    pub groups: Vec<RangeGroup>,
    /// What the bar is (legend and table heading), e.g. "90% interval".
    pub interval_label: String,
    /// What the dot is, e.g. "median".
    pub mid_label: String,
    /// What the tick is, e.g. "base case" (in the legend only when some row has one).
    pub base_label: String,
}

/// Depth of an interval bar and its row's band.
const BAR: f64 = 8.0;
const BAND: f64 = 18.0;

/// How a row is drawn.
enum Shown {
    /// An interval, its ends cut to the axis (with whether each is cut).
    Bar {
        low: f64,
        high: f64,
        cut_low: bool,
        cut_high: bool,
    },
    /// Words instead.
    Note(String),
}

impl Ranges {
    /// Every finite value drawn, for the axis.
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.groups
            .iter()
            .flat_map(|g| {
                g.rows
                    .iter()
                    .flat_map(|r| [r.low, r.high, r.mid, r.base])
                    .chain(std::iter::once(g.marker.as_ref().map(|m| m.value)))
            })
            .flatten()
            .filter(|v| v.is_finite() && (!self.log || *v > 0.0))
    }

    /// The axis's domain and ticks.
    fn axis(&self, span: impl Fn(&[f64]) -> (f64, f64), most: usize) -> (f64, f64, Vec<f64>) {
        let (lo, hi) =
            finite_range(self.values()).unwrap_or(if self.log { (1.0, 10.0) } else { (0.0, 1.0) });
        let fx = |v: f64| format_value(v, self.x.unit, self.lang);
        if !self.log {
            // Prices are intervals, not lengths: the axis need not start at zero, but shows it
            // where some value is negative.
            let (lo, hi) = widen(lo, hi);
            let ticks = fitted_ticks(lo, hi, most, fx, span);
            return (ticks[0], ticks[ticks.len() - 1], ticks);
        }
        // A log axis from a 1-2-5 value at or below the least to one at or above the most.
        let steps = [1.0, 2.0, 5.0];
        let below = |v: f64| {
            let p = 10f64.powf(v.log10().floor());
            steps
                .iter()
                .rev()
                .map(|s| s * p)
                .find(|x| *x <= v * (1.0 + 1e-9))
                .unwrap_or(p)
        };
        let above = |v: f64| {
            let p = 10f64.powf(v.log10().floor());
            steps
                .iter()
                .chain(&[10.0])
                .map(|s| s * p)
                .find(|x| *x >= v * (1.0 - 1e-9))
                .unwrap_or(10.0 * p)
        };
        let (d0, d1) = if hi > lo {
            (below(lo), above(hi))
        } else {
            (below(lo / 2.0), above(lo * 2.0))
        };
        // Tick sets, densest first: 1-2-5 in each decade, 1-3, decades, every other decade.
        let candidates: [&[f64]; 3] = [&[1.0, 2.0, 5.0], &[1.0, 3.0], &[1.0]];
        let (e0, e1) = (d0.log10().floor() as i32, d1.log10().ceil() as i32);
        let mut sets: Vec<Vec<f64>> = candidates
            .iter()
            .map(|mults| {
                (e0..=e1)
                    .flat_map(|e| mults.iter().map(move |m| m * 10f64.powi(e)))
                    .filter(|t| *t >= d0 * (1.0 - 1e-9) && *t <= d1 * (1.0 + 1e-9))
                    .collect()
            })
            .collect();
        sets.push(
            (e0..=e1)
                .filter(|e| e % 2 == 0)
                .map(|e| 10f64.powi(e))
                .filter(|t| *t >= d0 * (1.0 - 1e-9) && *t <= d1 * (1.0 + 1e-9))
                .collect(),
        );
        let fits = |t: &[f64]| {
            if t.len() < 2 {
                return false;
            }
            let (p0, p1) = span(t);
            let s = Scale {
                d0,
                d1,
                p0,
                p1,
                log: true,
            };
            t.windows(2).all(|w| {
                s.at(w[1]) - s.at(w[0])
                    >= (text_width(&fx(w[0])) + text_width(&fx(w[1]))) / 2.0 + 8.0
            })
        };
        let ticks = sets
            .iter()
            .find(|t| fits(t))
            .cloned()
            .unwrap_or_else(|| vec![d0, d1]);
        (d0, d1, ticks)
    }

    /// How a row is drawn: its interval cut to the axis, or its note.
    fn shown(&self, r: &RangeRow, d0: f64, d1: f64) -> Shown {
        let note = || {
            Shown::Note(r.note.clone().unwrap_or_else(|| {
                match self.lang {
                    Lang::Ja => "表示できません",
                    Lang::En => "not shown",
                }
                .to_string()
            }))
        };
        let (Some(low), Some(high)) = (r.low, r.high) else {
            return note();
        };
        if !(low.is_finite() && high.is_finite())
            || (self.log && high <= 0.0)
            || (high < 0.0 && r.note.is_some())
        {
            return note();
        }
        let (low, high) = (low.min(high), low.max(high));
        Shown::Bar {
            low: low.max(d0),
            high: high.min(d1),
            cut_low: low < d0,
            cut_high: high > d1,
        }
    }

    /// The value written beside a row: its middle, or its interval without one.
    fn value_label(&self, r: &RangeRow) -> String {
        let f = |v: f64| format_value(v, self.x.unit, self.lang);
        match (r.mid, r.low, r.high) {
            (Some(m), _, _) => f(m),
            (None, Some(l), Some(h)) => format!("{} – {}", f(l), f(h)),
            _ => String::new(),
        }
    }
}

impl Chart for Ranges {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg_for(&self, layout: Layout) -> String {
        let width = layout.width();
        let narrow = layout == Layout::Narrow;
        let fx = |v: f64| format_value(v, self.x.unit, self.lang);
        let rows: Vec<&RangeRow> = self.groups.iter().flat_map(|g| &g.rows).collect();
        let name_max = if narrow { width - 12.0 } else { 200.0 };
        let names: Vec<Vec<String>> = rows
            .iter()
            .map(|r| wrap(&r.label, name_max.max(longest_unbreakable(&r.label))))
            .collect();
        let name_room = if narrow {
            GAP + 6.0
        } else {
            names.iter().map(|n| widest(n)).fold(0.0, f64::max) + 16.0
        };
        let value_room = rows
            .iter()
            .map(|r| text_width(&self.value_label(r)))
            .fold(0.0, f64::max)
            + 12.0;
        let span = |t: &[f64]| {
            let first = text_width(&fx(t[0])) / 2.0 + GAP + 2.0;
            let last = text_width(&fx(t[t.len() - 1])) / 2.0 + GAP + 2.0;
            (name_room.max(first), width - value_room.max(last))
        };
        let (d0, d1, ticks) = self.axis(span, if narrow { 3 } else { 6 });
        let (p0, p1) = span(&ticks);
        let xs = Scale {
            d0,
            d1,
            p0,
            p1,
            log: self.log,
        };
        let mut out = String::new();
        // Everything is laid out first (heights depend on the labels), then drawn.
        let mut placer = Placer::new(width, f64::INFINITY);
        let mut draw = String::new();
        // The legend: a sample of each mark with its words, on as many rows as it needs.
        let has_base = rows.iter().any(|r| r.base.is_some());
        let mut legend: Vec<(&str, &str)> =
            vec![("bar", &self.interval_label), ("dot", &self.mid_label)];
        if has_base {
            legend.push(("tick", &self.base_label));
        }
        let (mut lx, mut ly) = (GAP + 4.0, GAP + 8.0 + ASCENT);
        for (kind, words) in legend {
            let w = 24.0 + text_width(words);
            if lx > GAP + 4.0 && lx + w > width - GAP {
                lx = GAP + 4.0;
                ly += LINE_HEIGHT + 4.0;
            }
            let (cx, cy) = (lx + 9.0, ly - 4.0);
            let _ = match kind {
                "bar" => write!(
                    draw,
                    "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"18\" height=\"{BAR}\" fill=\"{MARK}\"/>",
                    cy - BAR / 2.0
                ),
                "dot" => write!(
                    draw,
                    "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"4.5\" fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>"
                ),
                _ => write!(
                    draw,
                    "<line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-width=\"2.5\"/>",
                    cy - 7.0,
                    cy + 7.0
                ),
            };
            let label = Label::new(vec![words.to_string()], lx + 24.0, ly, Anchor::Start);
            placer
                .fixed(label)
                .write(&mut draw, &format!("fill=\"{INK}\""));
            lx += w + 18.0;
        }
        let mut y = ly + DESCENT + 12.0;
        let rows_top = y;
        let mut k = 0;
        let mut bands = Vec::new();
        // A zero line, on a linear axis that spans zero: labels keep off it.
        let zero = (!self.log && d0 < 0.0 && d1 > 0.0).then(|| xs.at(0.0));

        for g in &self.groups {
            // The heading, then the marker's label: beside the heading where it fits, else on
            // a line of its own (found by stacking it once with no limit above).
            let heading = g
                .heading
                .as_ref()
                .map(|h| wrap(h, (width - 2.0 * GAP - 8.0).max(longest_unbreakable(h))));
            let marker = g
                .marker
                .as_ref()
                .filter(|m| m.value.is_finite() && (!self.log || m.value > 0.0))
                .filter(|m| m.value >= d0 && m.value <= d1);
            let marker_lines = marker.map(|m| wrap(&m.label, width * 0.6));
            // The heading on its own lines, then the marker's label below it (a leader
            // through the heading would cross its words), found by stacking it once with no
            // limit above to measure the room it needs.
            if let Some(h) = &heading {
                let label = Label::new(h.clone(), GAP + 4.0, y + ASCENT, Anchor::Start);
                y = label.rect().y1 + 4.0;
                placer
                    .fixed(label)
                    .write(&mut draw, &format!("fill=\"{INK}\""));
            }
            let band = match (marker, &marker_lines) {
                (Some(m), Some(lines)) => {
                    let mut trial = placer.clone();
                    trial.bounds.y0 = f64::NEG_INFINITY;
                    let foot = 1e6;
                    stack_above(&mut trial, &[(xs.at(m.value), lines.clone())], foot)
                        .iter()
                        .map(|(_, l, _)| foot - l.rect().y0 + 2.0)
                        .fold(0.0, f64::max)
                }
                _ => 0.0,
            };
            let foot = y + band;
            let placed_marker = match (marker, &marker_lines) {
                (Some(m), Some(lines)) => {
                    let px = xs.at(m.value);
                    stack_above(&mut placer, &[(px, lines.clone())], foot)
                        .into_iter()
                        .next()
                        .map(|(_, l, top)| (px, l, top))
                }
                _ => None,
            };
            y = foot;
            // The marker's line runs through the group's bands (in the narrow layout, between
            // the names above each bar, which it must not cross).
            let group_rows: Vec<(usize, f64, f64, f64)> = g
                .rows
                .iter()
                .map(|_| {
                    let name_h = Label::height(names[k].len());
                    // A note's band is as tall as its lines.
                    let band = match self.shown(rows[k], d0, d1) {
                        Shown::Note(words) => Label::height(
                            wrap(&words, (p1 - p0).max(longest_unbreakable(&words))).len(),
                        )
                        .max(BAND),
                        Shown::Bar { .. } => BAND,
                    };
                    let (row_h, band_top) = if narrow {
                        (name_h + 4.0 + band + 6.0, y + name_h + 4.0)
                    } else {
                        let row_h = (name_h + 8.0).max(band + 8.0);
                        (row_h, y + (row_h - band) / 2.0)
                    };
                    let row = (k, y, band_top, row_h);
                    y += row_h;
                    k += 1;
                    let _ = row_h;
                    row
                })
                .collect();
            if let Some((px, label, top)) = &placed_marker {
                // Through each row with an interval (not through notes, which it would
                // cross): the whole row (wide), or its band under the name (narrow).
                let first = group_rows.first().map_or(foot, |r| r.1);
                let segments: Vec<(f64, f64)> = std::iter::once((*top, first))
                    .chain(
                        group_rows
                            .iter()
                            .filter_map(|&(k, row_y, band_top, row_h)| {
                                matches!(self.shown(rows[k], d0, d1), Shown::Bar { .. }).then_some(
                                    if narrow {
                                        (band_top - 2.0, band_top + BAND + 2.0)
                                    } else {
                                        (row_y, row_y + row_h)
                                    },
                                )
                            }),
                    )
                    .collect();
                for (a, b) in segments {
                    let _ = write!(
                        draw,
                        "<line x1=\"{px:.1}\" y1=\"{a:.1}\" x2=\"{px:.1}\" y2=\"{b:.1}\" stroke=\"{ACCENT}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>"
                    );
                    placer.segment([*px, a, *px, b]);
                }
                label.write(&mut draw, &format!("fill=\"{ACCENT}\""));
            }
            for &(k, row_y, band_top, row_h) in &group_rows {
                // The zero line, like the marker's, runs through rows with intervals only.
                if let (Some(zx), Shown::Bar { .. }) = (zero, self.shown(rows[k], d0, d1)) {
                    let span = if narrow {
                        (band_top, band_top + BAND)
                    } else {
                        (row_y, row_y + row_h)
                    };
                    bands.push(span);
                    placer.segment([zx, span.0, zx, span.1]);
                }
                let r = rows[k];
                let my = band_top + BAND / 2.0;
                let name = if narrow {
                    Label::new(
                        names[k].clone(),
                        name_room,
                        row_y + ASCENT + 2.0,
                        Anchor::Start,
                    )
                } else {
                    let h = Label::height(names[k].len());
                    Label::new(
                        names[k].clone(),
                        name_room - 8.0,
                        my - h / 2.0 + ASCENT,
                        Anchor::End,
                    )
                };
                placer
                    .fixed(name)
                    .write(&mut draw, &format!("fill=\"{INK}\""));
                match self.shown(r, d0, d1) {
                    Shown::Note(words) => {
                        // The note where the bar would be, clear of the marker's line.
                        let lines = wrap(&words, (p1 - p0).max(longest_unbreakable(&words)));
                        let y0 =
                            band_top + ASCENT + (BAND - Label::height(lines.len())).max(0.0) / 2.0;
                        let mut candidates =
                            vec![Label::new(lines.clone(), p0 + 4.0, y0, Anchor::Start)];
                        for x in placed_marker.iter().map(|m| m.0).chain(zero) {
                            candidates.push(Label::new(lines.clone(), x + 6.0, y0, Anchor::Start));
                            candidates.push(Label::new(lines.clone(), x - 6.0, y0, Anchor::End));
                        }
                        let fallback = candidates[0].clone();
                        let note = placer
                            .place(candidates.into_iter().map(|l| (l, None)))
                            .map_or_else(|| placer.fixed(fallback), |(l, _)| l);
                        note.write(&mut draw, &format!("fill=\"{AXIS}\" font-style=\"italic\""));
                    }
                    Shown::Bar {
                        low,
                        high,
                        cut_low,
                        cut_high,
                    } => {
                        let (a, b) = (xs.at(low), xs.at(high));
                        let _ = write!(
                            draw,
                            "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"{MARK}\"/>",
                            my - BAR / 2.0,
                            (b - a).max(2.0)
                        );
                        // An interval that runs past the axis ends in an arrow.
                        for (cut, x, dir) in [(cut_low, a, -1.0), (cut_high, b, 1.0)] {
                            if cut {
                                let _ = write!(
                                    draw,
                                    "<path d=\"M{:.1},{:.1} L{:.1},{my:.1} L{:.1},{:.1} Z\" fill=\"{MARK}\"/>",
                                    x,
                                    my - 7.0,
                                    x + 8.0 * dir,
                                    x,
                                    my + 7.0
                                );
                            }
                        }
                        if let Some(base) = r.base.filter(|v| *v >= d0 && *v <= d1) {
                            let bx = xs.at(base);
                            let _ = write!(
                                draw,
                                "<line x1=\"{bx:.1}\" y1=\"{:.1}\" x2=\"{bx:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-width=\"2.5\"/>",
                                my - 7.0,
                                my + 7.0
                            );
                        }
                        if let Some(mid) = r.mid.filter(|v| *v >= d0 && *v <= d1) {
                            let _ = write!(
                                draw,
                                "<circle cx=\"{:.1}\" cy=\"{my:.1}\" r=\"4.5\" fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
                                xs.at(mid)
                            );
                        }
                        let reach = (a - 9.0, b + 9.0);
                        placer.mark(Rect {
                            x0: reach.0,
                            y0: my - 7.0,
                            x1: reach.1,
                            y1: my + 7.0,
                        });
                        // The middle's value right of the interval, else left of it, else
                        // beside the marker's line.
                        let words = vec![self.value_label(r)];
                        let vy = my + 4.0;
                        let mut candidates = vec![
                            Label::new(words.clone(), reach.1 + 2.0, vy, Anchor::Start),
                            Label::new(words.clone(), reach.0 - 2.0, vy, Anchor::End),
                        ];
                        if let Some((px, _, _)) = &placed_marker {
                            candidates.push(Label::new(
                                words.clone(),
                                px.max(reach.1) + 6.0,
                                vy,
                                Anchor::Start,
                            ));
                        }
                        let fallback = candidates[0].clone();
                        let value = placer
                            .place(candidates.into_iter().map(|l| (l, None)))
                            .map_or_else(|| placer.fixed(fallback), |(l, _)| l);
                        value.write(&mut draw, &halo(INK));
                    }
                }
            }
            y += 6.0;
        }
        let bottom = y.max(rows_top + BAND);
        // Gridlines behind everything, a zero line on a linear axis that spans zero.
        let mut grid = String::new();
        for &t in &ticks {
            let px = xs.at(t);
            let _ = write!(
                grid,
                "<line x1=\"{px:.1}\" y1=\"{rows_top:.1}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"{GRID}\"/>"
            );
        }
        if let Some(zx) = zero {
            // Through every row, or (narrow) through each band, under the names.
            for &(a, b) in &bands {
                let _ = write!(
                    grid,
                    "<line x1=\"{zx:.1}\" y1=\"{a:.1}\" x2=\"{zx:.1}\" y2=\"{b:.1}\" stroke=\"{AXIS}\" stroke-width=\"1.5\"/>"
                );
            }
        }
        let title = Label::new(
            wrap(&self.x.label, width - 2.0 * GAP - 4.0),
            (p0 + p1) / 2.0,
            bottom + 40.0,
            Anchor::Middle,
        )
        .clamped(GAP, width - GAP);
        let height = title.rect().y1 + 8.0;
        placer.bounds.y1 = height - GAP;
        let mut axis = String::new();
        draw_x_axis(&mut axis, &mut placer, xs, &ticks, bottom, &fx, title);
        open_svg(&mut out, &self.id, layout, &self.text, height);
        out.push_str(&grid);
        out.push_str(&draw);
        out.push_str(&axis);
        out.push_str("</svg>");
        out
    }

    fn table(&self) -> Table {
        let (group, row, mid, base, note) = match self.lang {
            Lang::Ja => (
                "グループ",
                "項目",
                self.mid_label.as_str(),
                self.base_label.as_str(),
                "注記",
            ),
            Lang::En => (
                "group",
                "item",
                self.mid_label.as_str(),
                self.base_label.as_str(),
                "note",
            ),
        };
        let f = |v: Option<f64>| {
            v.map_or_else(String::new, |v| format_value(v, self.x.unit, self.lang))
        };
        let mut rows = Vec::new();
        for g in &self.groups {
            let heading = g.heading.clone().unwrap_or_default();
            for r in &g.rows {
                let interval = match (r.low, r.high) {
                    (Some(l), Some(h)) => format!("{} – {}", f(Some(l)), f(Some(h))),
                    _ => String::new(),
                };
                rows.push(vec![
                    r.label.clone(),
                    heading.clone(),
                    f(r.mid),
                    interval,
                    f(r.base),
                    r.note.clone().unwrap_or_default(),
                ]);
            }
            if let Some(m) = &g.marker {
                rows.push(vec![
                    m.label.clone(),
                    heading.clone(),
                    f(Some(m.value)),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        Table {
            header: vec![
                row.into(),
                group.into(),
                mid.into(),
                self.interval_label.clone(),
                base.into(),
                note.into(),
            ],
            rows,
        }
    }

    fn csv(&self) -> String {
        let mut out = String::from("group,item,kind,low,mid,high,base,note\n");
        let n = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
        for g in &self.groups {
            let heading = csv_field(g.heading.as_deref().unwrap_or_default());
            for r in &g.rows {
                let _ = writeln!(
                    out,
                    "{heading},{},row,{},{},{},{},{}",
                    csv_field(&r.label),
                    n(r.low),
                    n(r.mid),
                    n(r.high),
                    n(r.base),
                    csv_field(r.note.as_deref().unwrap_or_default())
                );
            }
            if let Some(m) = &g.marker {
                let _ = writeln!(
                    out,
                    "{heading},{},marker,,{},,,\"\"",
                    csv_field(&m.label),
                    m.value
                );
            }
        }
        out
    }
}
