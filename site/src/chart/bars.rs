//! Horizontal bars with interval whiskers, such as the cost per patient by component or the
//! price by pricing method.

use std::fmt::Write as _;

use super::{
    AXIS, Axis, BOTTOM, Chart, INK, Lang, MARK, RIGHT, Scale, TOP, Table, Text, WIDTH, escape,
    format_value, nice_ticks, open_svg, text_width,
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

/// Height of one bar's row.
const ROW: f64 = 30.0;
/// Room for the labels left of the bars: enough for the longest, within limits.
fn label_width(bars: &[Bar]) -> f64 {
    let longest = bars
        .iter()
        .map(|b| text_width(&b.label))
        .fold(0.0, f64::max);
    (longest + 16.0).clamp(120.0, 320.0)
}

impl Chart for Bars {
    fn id(&self) -> &str {
        &self.id
    }

    fn svg(&self) -> String {
        let height = TOP + BOTTOM + ROW * self.bars.len().max(1) as f64;
        let mut out = String::new();
        open_svg(&mut out, &self.id, &self.text, height);
        let hi = self
            .bars
            .iter()
            .map(|b| b.high.max(b.value))
            .fold(0.0f64, f64::max);
        let lo = self
            .bars
            .iter()
            .map(|b| b.low.min(b.value))
            .fold(0.0f64, f64::min);
        let ticks = nice_ticks(lo, hi.max(lo + 1.0), 5);
        let label_room = label_width(&self.bars);
        let (t0, t1) = (ticks[0], ticks[ticks.len() - 1]);
        // Value labels sit right of each bar, so the axis stops short of the edge.
        let xs = Scale {
            d0: t0,
            d1: t1,
            p0: label_room,
            p1: WIDTH - RIGHT - 70.0,
        };
        let bottom = height - BOTTOM;
        for &t in &ticks {
            let px = xs.at(t);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{TOP}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"#d9d9d9\"/>\
                 <text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                bottom + 18.0,
                escape(&format_value(t, self.x.unit, self.lang))
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            (label_room + WIDTH - RIGHT - 70.0) / 2.0,
            height - 12.0,
            escape(&self.x.label)
        );
        for (k, b) in self.bars.iter().enumerate() {
            let y = TOP + ROW * k as f64;
            let (x0, x1) = (xs.at(0.0), xs.at(b.value));
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>\
                 <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{MARK}\"/>",
                label_room - 8.0,
                y + ROW / 2.0 + 4.0,
                escape(&b.label),
                x0.min(x1),
                y + 6.0,
                (x1 - x0).abs(),
                ROW - 12.0
            );
            if b.high > b.low {
                let (wl, wh, my) = (xs.at(b.low), xs.at(b.high), y + ROW / 2.0);
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
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>",
                xs.at(b.high.max(b.value)) + 6.0,
                y + ROW / 2.0 + 4.0,
                escape(&format_value(b.value, self.x.unit, self.lang))
            );
        }
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" y1=\"{TOP}\" x2=\"{:.1}\" y2=\"{bottom:.1}\" stroke=\"{AXIS}\"/></svg>",
            xs.at(0.0),
            xs.at(0.0)
        );
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
