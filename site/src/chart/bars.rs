//! Horizontal bars with interval whiskers, such as the cost per patient by component or the
//! price by pricing method.

use std::fmt::Write as _;

use super::{
    ASCENT, AXIS, Anchor, Axis, Chart, GAP, GRID, INK, LINE_HEIGHT, Label, Lang, Layout, MARK,
    Placer, Rect, Scale, Table, Text, draw_x_axis, fitted_ticks, format_value, longest_unbreakable,
    open_svg, text_width, widest, wrap,
};

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

/// Height of a bar.
const BAR: f64 = 18.0;

impl Bars {
    /// Each bar's name broken into lines: beside the bars (wide) or above each bar (narrow).
    fn names(&self, layout: Layout) -> Vec<Vec<String>> {
        let max = match layout {
            Layout::Wide => 200.0,
            Layout::Narrow => layout.width() - 2.0 * GAP - 8.0,
        };
        self.bars
            .iter()
            .map(|b| wrap(&b.label, max.max(longest_unbreakable(&b.label))))
            .collect()
    }
}

impl Chart for Bars {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg_for(&self, layout: Layout) -> String {
        let width = layout.width();
        let narrow = layout == Layout::Narrow;
        let names = self.names(layout);
        let fx = |v: f64| format_value(v, self.x.unit, self.lang);
        // Names left of the bars (wide), or on a line of their own above each bar (narrow).
        let name_room = if narrow {
            GAP + 4.0
        } else {
            names.iter().map(|n| widest(n)).fold(0.0, f64::max) + 16.0
        };
        let rows: Vec<f64> = names
            .iter()
            .map(|n| {
                let text = LINE_HEIGHT * (n.len() - 1) as f64 + ASCENT + 6.0;
                if narrow {
                    text + BAR + 10.0
                } else {
                    (text + 6.0).max(BAR + 12.0)
                }
            })
            .collect();
        let hi = self
            .bars
            .iter()
            .map(|b| b.high.max(b.value))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let lo = self
            .bars
            .iter()
            .map(|b| b.low.min(b.value))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::min);
        // Each bar's value is written right of it (and of its whisker): room for the widest.
        let value_room = self
            .bars
            .iter()
            .map(|b| text_width(&fx(b.value)))
            .fold(0.0, f64::max)
            + 10.0;
        let ends = |t: &[f64]| {
            let first = text_width(&fx(t[0])) / 2.0 + GAP + 2.0;
            let last = text_width(&fx(t[t.len() - 1])) / 2.0 + GAP + 2.0;
            (name_room.max(first), width - value_room.max(last))
        };
        let ticks = fitted_ticks(lo, hi.max(lo + 1.0), if narrow { 3 } else { 5 }, fx, ends);
        let (p0, p1) = ends(&ticks);
        let xs = Scale::linear((ticks[0], ticks[ticks.len() - 1]), (p0, p1));
        let top = 10.0;
        let bottom = top + rows.iter().sum::<f64>().max(BAR + 12.0);
        let x_title = Label::new(
            wrap(&self.x.label, width - 2.0 * GAP - 4.0),
            (p0 + p1) / 2.0,
            bottom + 40.0,
            Anchor::Middle,
        )
        .clamped(GAP, width - GAP);
        let height = x_title.rect().y1 + 8.0;
        let mut placer = Placer::new(width, height);
        let mut out = String::new();
        open_svg(&mut out, &self.id, layout, &self.text, height);
        for &t in &ticks {
            let px = xs.at(t);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{top:.1}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"{GRID}\"/>"
            );
        }
        draw_x_axis(&mut out, &mut placer, xs, &ticks, bottom, &fx, x_title);
        let mut y = top;
        let mut bands = Vec::new();
        for ((b, name), row) in self.bars.iter().zip(&names).zip(&rows) {
            let (name, bar_y) = if narrow {
                let name = Label::new(name.clone(), GAP + 4.0, y + ASCENT + 2.0, Anchor::Start);
                let bar_y = name.rect().y1 + 5.0;
                (name, bar_y)
            } else {
                let h = Label::height(name.len());
                let name = Label::new(
                    name.clone(),
                    name_room - 8.0,
                    y + (row - h) / 2.0 + ASCENT,
                    Anchor::End,
                );
                (name, y + (row - BAR) / 2.0)
            };
            placer
                .fixed(name.clone())
                .write(&mut out, &format!("fill=\"{INK}\""));
            let (x0, x1) = (xs.at(0.0), xs.at(b.value));
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{bar_y:.1}\" width=\"{:.1}\" height=\"{BAR:.1}\" fill=\"{MARK}\"/>",
                x0.min(x1),
                (x1 - x0).abs(),
            );
            let my = bar_y + BAR / 2.0;
            bands.push(bar_y);
            if b.high > b.low {
                let (wl, wh) = (xs.at(b.low), xs.at(b.high));
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
            placer.mark(Rect {
                x0: x0.min(x1).min(xs.at(b.low)),
                y0: bar_y,
                x1: x0.max(x1).max(xs.at(b.high)),
                y1: bar_y + BAR,
            });
            let value = Label::new(
                vec![fx(b.value)],
                xs.at(b.high.max(b.value)).max(x0) + 6.0,
                my + 4.0,
                Anchor::Start,
            );
            placer
                .fixed(value)
                .write(&mut out, &format!("fill=\"{INK}\""));
            y += row;
        }
        // The zero line: through the whole plot, or (narrow) through each bar's band only, as
        // the names above the bars must not be crossed.
        let zx = xs.at(0.0);
        let spans: Vec<(f64, f64)> = if narrow {
            bands.iter().map(|&b| (b - 4.0, b + BAR + 4.0)).collect()
        } else {
            vec![(top, bottom)]
        };
        for (a, b) in spans {
            let _ = write!(
                out,
                "<line x1=\"{zx:.1}\" y1=\"{a:.1}\" x2=\"{zx:.1}\" y2=\"{b:.1}\" stroke=\"{AXIS}\"/>"
            );
        }
        out.push_str("</svg>");
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
