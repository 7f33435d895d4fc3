//! Tests of the charts: scales, ticks, label placement, colours, and each kind of chart's SVG,
//! table and CSV.

use super::*;

#[test]
fn ticks_are_round_and_cover_the_range() {
    assert_eq!(
        nice_ticks(0.0, 1.0, 5),
        vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
    );
    let t = nice_ticks(1.64e8, 5.85e8, 6);
    assert_eq!(t.first(), Some(&1.0e8));
    assert_eq!(t.last(), Some(&6.0e8));
    assert!(t.windows(2).all(|w| (w[1] - w[0] - 1.0e8).abs() < 1.0));
    let t = nice_ticks(-0.24, 4.76, 5);
    assert_eq!((t[0], t[t.len() - 1]), (-1.0, 5.0));
    // A single value still gets an axis.
    assert!(nice_ticks(3.0, 3.0, 5).len() >= 2);
}

#[test]
fn bins_count_every_value_once() {
    let values: Vec<f64> = (0..1000)
        .map(|i| i as f64 / 10.0)
        .chain([f64::NAN])
        .collect();
    let bins = Histogram::bin(&values, 10);
    assert_eq!(bins.len(), 10);
    assert_eq!(bins.iter().map(|b| b.2).sum::<usize>(), 1000);
    assert_eq!(bins[0], (0.0, 9.99, 100));
    assert_eq!(bins[9].2, 100, "the largest value falls in the last bin");
    assert!(Histogram::bin(&[], 5).is_empty());
    assert_eq!(
        Histogram::bin(&[2.0, 2.0], 3)
            .iter()
            .map(|b| b.2)
            .sum::<usize>(),
        2
    );
}

fn histogram() -> Histogram {
    Histogram {
        id: "price".into(),
        lang: Lang::En,
        text: Text {
            title: "Threshold price <at 5M yen/QALY>".into(),
            description: "Most draws lie between ¥165m and ¥585m.".into(),
        },
        x: Axis {
            label: "threshold price".into(),
            unit: Unit::Yen,
        },
        y_label: "draws".into(),
        bins: Histogram::bin(&[1.0e8, 2.0e8, 2.5e8, 3.0e8, 6.0e8], 5),
        markers: vec![Marker {
            value: 2.5e8,
            label: "median".into(),
        }],
    }
}

#[test]
fn a_histogram_is_an_accessible_svg_with_its_numbers() {
    let h = histogram();
    let svg = h.svg();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\" aria-labelledby=\"price-title price-desc\""));
    assert!(
        svg.contains("<title id=\"price-title\">Threshold price &lt;at 5M yen/QALY&gt;</title>")
    );
    assert!(svg.contains("<desc id=\"price-desc\">Most draws lie between ¥165m and ¥585m.</desc>"));
    assert!(
        svg.contains(">median: ¥250m</text>"),
        "markers are labelled directly"
    );
    assert_eq!(
        svg.matches("<rect ").count(),
        1 + 5,
        "background and one bar per bin"
    );
    // The narrow drawing's ids differ, so both can be on one page.
    let narrow = h.svg_for(Layout::Narrow);
    assert!(narrow.contains("aria-labelledby=\"price-narrow-title price-narrow-desc\""));
    assert!(narrow.contains("<title id=\"price-narrow-title\">"));
    assert!(narrow.contains("viewBox=\"0 0 360 "));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(svg.matches('<').count(), svg.matches('>').count());
    let t = h.table();
    assert_eq!(t.header, ["from", "to", "draws", "share"]);
    assert_eq!(t.rows[0], ["¥100m", "¥200m", "1", "20.0%"]);
    assert_eq!(h.csv().lines().count(), 6);
    assert_eq!(h.csv().lines().nth(1), Some("100000000,200000000,1"));
}

#[test]
fn a_scatter_shares_points_by_line_and_keeps_the_origin_in_view() {
    let s = Scatter {
        id: "plane".into(),
        lang: Lang::Ja,
        text: Text {
            title: "費用対効果平面".into(),
            description: "各点は1回の試行".into(),
        },
        x: Axis {
            label: "QALY の差".into(),
            unit: Unit::Qalys,
        },
        y: Axis {
            label: "費用の差".into(),
            unit: Unit::Yen,
        },
        points: vec![(1.0, 1.0e6), (2.0, 2.0e7), (0.5, -1.0e6), (-0.2, 3.0e6)],
        lines: vec![Marker {
            value: 5.0e6,
            label: "500万円/QALY".into(),
        }],
    };
    // On or below y = 5e6 x: (1, 1e6) and (0.5, -1e6); not (2, 2e7) nor (-0.2, 3e6).
    assert_eq!(s.share_below(5.0e6), 0.5);
    assert_eq!(
        s.table().rows,
        vec![vec!["500万円/QALY".to_string(), "50.0%".to_string()]]
    );
    let svg = s.svg();
    assert_eq!(svg.matches("<circle ").count(), 4);
    assert!(svg.contains(">500万円/QALY</text>"));
    assert!(svg.contains("aria-labelledby=\"plane-title plane-desc\""));
    assert_eq!(
        s.csv(),
        "x,y\n1,1000000\n2,20000000\n0.5,-1000000\n-0.2,3000000\n"
    );
}

/// Whether every element opened is closed, in order: a rough check that the SVG is
/// well-formed (attribute values and text are escaped, so `<` and `>` only delimit tags).
fn balanced(svg: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else {
            return false;
        };
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name) {
                return false;
            }
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().unwrap_or(""));
        }
    }
    open.is_empty() && rest.is_empty()
}

fn well_formed(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(svg.matches("</svg>").count(), 1);
    assert!(balanced(svg), "{svg}");
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
}

#[test]
fn the_tag_check_catches_unbalanced_tags() {
    assert!(balanced("<svg><g><line/></g><text>a &lt; b</text></svg>"));
    assert!(!balanced("<svg><g></svg>"));
    assert!(!balanced("<svg><text>a</g></svg>"));
}

/// Relative luminance (WCAG 2) of a colour written `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

#[test]
fn colours_keep_their_contrast_on_white() {
    let contrast = |hex: &str| 1.05 / (luminance(hex) + 0.05);
    // Text, and the series colours, whose labels are written in them.
    for c in [INK, AXIS].iter().chain(&SERIES_COLOURS) {
        assert!(contrast(c) >= 4.5, "{c}: {}", contrast(c));
    }
    for c in [MARK, ACCENT] {
        assert!(contrast(c) >= 3.0, "{c}: {}", contrast(c));
    }
    // Every series differs from the others in colour or dash pattern.
    let styles: Vec<_> = (0..16).map(series_style).collect();
    for (i, a) in styles.iter().enumerate() {
        assert!(styles[..i].iter().all(|b| b != a), "series {i}");
    }
}

#[test]
fn labels_in_a_column_move_apart_as_little_as_possible() {
    // Two close labels: the second moves down; the third, too low, moves up to fit.
    assert_eq!(
        spread(&[(100.0, 13.0), (101.0, 13.0), (300.0, 26.0)], 40.0, 304.0),
        [100.0, 115.0, 291.0]
    );
    // One above the top comes down into view; none gives an empty answer.
    assert_eq!(spread(&[(10.0, 13.0)], 40.0, 304.0), [46.5]);
    assert!(spread(&[], 40.0, 304.0).is_empty());
}

fn acceptability(lang: Lang) -> Lines {
    Lines {
        id: "ceac".into(),
        lang,
        text: Text {
            title: "Acceptability <by price>".into(),
            description: "d".into(),
        },
        x: Axis {
            label: "price".into(),
            unit: Unit::Yen,
        },
        y: Axis {
            label: "probability cost-effective".into(),
            unit: Unit::Share,
        },
        series: vec![
            Series {
                label: "at ¥5m <per> QALY & more".into(),
                points: vec![(0.0, 0.1), (2e8, 0.4), (4e8, 0.8)],
            },
            Series {
                // Out of order, with a gap and a point that is not a number.
                label: "at ¥7.5m".into(),
                points: vec![(4e8, 0.9), (f64::NAN, 0.5), (0.0, 0.3)],
            },
        ],
        markers: vec![Marker {
            value: 3.43e8,
            label: "base case".into(),
        }],
    }
}

#[test]
fn a_lines_table_has_a_row_per_x_and_its_csv_a_row_per_point() {
    let chart = acceptability(Lang::En);
    let t = chart.table();
    assert_eq!(t.header, ["price", "at ¥5m <per> QALY & more", "at ¥7.5m"]);
    assert_eq!(
        t.rows,
        [
            ["¥0", "10%", "30%"],
            ["¥200m", "40%", ""],
            ["¥400m", "80%", "90%"]
        ]
    );
    assert_eq!(
        acceptability(Lang::Ja).table().rows[1],
        ["2億円", "40%", ""]
    );
    assert_eq!(
        chart.csv(),
        "series,x,y\n\
         \"at ¥5m <per> QALY & more\",0,0.1\n\
         \"at ¥5m <per> QALY & more\",200000000,0.4\n\
         \"at ¥5m <per> QALY & more\",400000000,0.8\n\
         \"at ¥7.5m\",400000000,0.9\n\
         \"at ¥7.5m\",NaN,0.5\n\
         \"at ¥7.5m\",0,0.3\n"
    );
    let ja = acceptability(Lang::Ja).svg();
    // Japanese numbers; the marker's own words are the caller's.
    assert!(ja.contains(">4億円</text>") && ja.contains(">base case: 3.43億円</text>"));
}

#[test]
fn lines_without_points_or_with_one_do_not_panic() {
    let mut chart = acceptability(Lang::Ja);
    chart.series.clear();
    chart.markers.clear();
    let svg = chart.svg();
    well_formed(&svg);
    assert!(svg.contains(">0%</text>") && svg.contains(">100%</text>"));
    assert!(chart.table().rows.is_empty());
    assert_eq!(chart.csv(), "series,x,y\n");
    chart.series = vec![
        Series {
            label: "empty".into(),
            points: Vec::new(),
        },
        Series {
            label: "one".into(),
            points: vec![(3e8, 0.25)],
        },
    ];
    let svg = chart.svg();
    well_formed(&svg);
    // The single point is a dot, and so is its sample beside the label; the empty series
    // is neither drawn nor labelled.
    assert_eq!(svg.matches("<circle ").count(), 2);
    assert!(!svg.contains("<polyline") && !svg.contains(">empty<"));
    assert!(svg.contains(">one</text>"));
    assert_eq!(chart.table().rows, [["3億円", "", "25%"]]);
    // A vertical axis that is not a share runs over the data.
    chart.y.unit = Unit::Plain;
    well_formed(&chart.svg());
}

fn tornado(lang: Lang) -> Tornado {
    Tornado {
        id: "tn".into(),
        lang,
        text: Text {
            title: "One-way sensitivity".into(),
            description: "d".into(),
        },
        x: Axis {
            label: "threshold price".into(),
            unit: Unit::Yen,
        },
        base: 343e6,
        base_label: "base case ¥343m".into(),
        low_label: "input low".into(),
        high_label: "input high & <up>".into(),
        bars: vec![
            TornadoBar {
                label: "discount rate".into(),
                low_input: "0%".into(),
                high_input: "4%".into(),
                low: 520e6,
                high: 192e6,
            },
            TornadoBar {
                label: "utility <gain> & loss".into(),
                low_input: "0.10".into(),
                high_input: "0.30".into(),
                low: 360e6,
                high: 420e6,
            },
        ],
    }
}

#[test]
fn a_tornado_table_and_csv_have_both_ends_of_every_input() {
    let t = tornado(Lang::En).table();
    assert_eq!(
        t.header,
        [
            "input",
            "low value",
            "output at low value",
            "high value",
            "output at high value",
            "swing"
        ]
    );
    assert_eq!(
        t.rows[0],
        ["discount rate", "0%", "¥520m", "4%", "¥192m", "¥328m"]
    );
    let ja = tornado(Lang::Ja);
    assert_eq!(
        ja.table().rows[0],
        [
            "discount rate",
            "0%",
            "5.2億円",
            "4%",
            "1.92億円",
            "3.28億円"
        ]
    );
    assert_eq!(ja.table().header[0], "パラメータ");
    assert!(ja.svg().contains(">5.2億円 (0%)</text>"));
    assert_eq!(
        tornado(Lang::En).csv(),
        "input,low_input,output_low,high_input,output_high\n\
         \"discount rate\",\"0%\",520000000,\"4%\",192000000\n\
         \"utility <gain> & loss\",\"0.10\",360000000,\"0.30\",420000000\n"
    );
}

#[test]
fn a_tornado_without_bars_or_with_odd_ones_does_not_panic() {
    let mut chart = tornado(Lang::En);
    chart.bars.clear();
    well_formed(&chart.svg());
    assert!(chart.table().rows.is_empty());
    assert_eq!(
        chart.csv(),
        "input,low_input,output_low,high_input,output_high\n"
    );
    chart.bars = vec![
        TornadoBar {
            label: "no effect".into(),
            low_input: String::new(),
            high_input: String::new(),
            low: 343e6,
            high: 343e6,
        },
        TornadoBar {
            label: "broken".into(),
            low_input: "1".into(),
            high_input: "2".into(),
            low: 300e6,
            high: f64::NAN,
        },
    ];
    let svg = chart.svg();
    well_formed(&svg);
    // An end at the base case has no bar, only its value, on either side.
    assert_eq!(svg.matches(">¥343m</text>").count(), 2);
    assert_eq!(chart.frame(Layout::Wide).legend_rows, 1);
    assert!(svg.contains(">¥300m (1)</text>"));
    // Long legend words go on two rows.
    chart.low_label = "x".repeat(60);
    chart.high_label = "y".repeat(60);
    assert_eq!(chart.frame(Layout::Wide).legend_rows, 2);
    well_formed(&chart.svg());
}

// ---------------------------------------------------------------- layout, read back from the SVG

/// A `<text>` element as drawn: each line's box, by the charts' own measuring rule.
#[derive(Debug)]
struct DrawnText {
    words: String,
    lines: Vec<Rect>,
    font_size: Option<f64>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(tag[i..i + j].to_string())
}

fn num(tag: &str, name: &str) -> f64 {
    attr(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A line of text's box: from its baseline up by the ascent and down by the descent, across by
/// its width from where its anchor puts it.
fn line_box(x: f64, y: f64, anchor: &str, words: &str) -> Rect {
    let w = text_width(words);
    let x0 = match anchor {
        "middle" => x - w / 2.0,
        "end" => x - w,
        _ => x,
    };
    Rect {
        x0,
        y0: y - ASCENT,
        x1: x0 + w,
        y1: y + DESCENT,
    }
}

/// What a drawn SVG holds that its layout is judged by: its size, its texts, and its lines
/// other than gridlines (axes, ticks, reference lines, leaders, whiskers).
struct Drawn {
    width: f64,
    height: f64,
    font_size: f64,
    texts: Vec<DrawnText>,
    lines: Vec<[f64; 4]>,
}

fn read_svg(svg: &str) -> Drawn {
    let open = &svg[..svg.find('>').unwrap()];
    let view: Vec<f64> = attr(open, "viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let mut d = Drawn {
        width: view[2],
        height: view[3],
        font_size: num(open, "font-size"),
        texts: Vec::new(),
        lines: Vec::new(),
    };
    // The strokes of the groups we are in (lines inherit theirs).
    let mut groups: Vec<Option<String>> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        if tag.starts_with("<defs") {
            rest = &rest[rest.find("</defs>").unwrap()..];
            continue;
        }
        if tag.starts_with("<g") {
            groups.push(attr(tag, "stroke"));
        } else if tag.starts_with("</g") {
            groups.pop();
        } else if tag.starts_with("<line ") {
            let stroke =
                attr(tag, "stroke").or_else(|| groups.iter().rev().flatten().next().cloned());
            if stroke.as_deref() != Some(GRID) {
                d.lines.push([
                    num(tag, "x1"),
                    num(tag, "y1"),
                    num(tag, "x2"),
                    num(tag, "y2"),
                ]);
            }
        } else if tag.starts_with("<text ") {
            let close = rest.find("</text>").unwrap();
            let body = &rest[end + 1..close];
            let anchor = attr(tag, "text-anchor").unwrap_or_else(|| "start".into());
            let mut lines = Vec::new();
            let mut words = String::new();
            if body.contains("<tspan") {
                let mut b = body;
                while let Some(k) = b.find("<tspan") {
                    b = &b[k..];
                    let e = b.find('>').unwrap();
                    let t = &b[..e];
                    let c = b.find("</tspan>").unwrap();
                    let w = unescape(&b[e + 1..c]);
                    lines.push(line_box(num(t, "x"), num(t, "y"), &anchor, &w));
                    words.push_str(&w);
                    words.push('\n');
                    b = &b[c..];
                }
            } else {
                words = unescape(body);
                lines.push(line_box(num(tag, "x"), num(tag, "y"), &anchor, &words));
            }
            d.texts.push(DrawnText {
                words,
                lines,
                font_size: attr(tag, "font-size").and_then(|v| v.parse().ok()),
            });
            rest = &rest[close..];
            continue;
        }
        rest = &rest[end..];
    }
    d
}

/// Everything a chart's layout must keep to, at the width it is drawn for: text at least 11
/// CSS pixels where the page shows it narrowest; no label over another, over an axis, tick,
/// reference line or leader, nor across the edge; and the SVG well formed. Returns what was
/// read, for further checks.
fn check_layout(svg: &str, layout: Layout) -> Drawn {
    well_formed(svg);
    let d = read_svg(svg);
    assert_eq!(d.width, layout.width());
    let scale = layout.narrowest_shown() / layout.width();
    for t in &d.texts {
        let size = t.font_size.unwrap_or(d.font_size);
        assert!(size * scale >= 11.0, "{:?} at {} px", t.words, size * scale);
    }
    assert!(!d.texts.is_empty());
    let edge = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: d.width,
        y1: d.height,
    };
    for t in &d.texts {
        for b in &t.lines {
            assert!(
                edge.holds(b),
                "{:?} crosses the edge: {b:?} in {edge:?}",
                t.words
            );
            // A leader may end at its label's edge: only lines through the box count.
            let inner = Rect {
                x0: b.x0 + 0.5,
                y0: b.y0 + 0.5,
                x1: b.x1 - 0.5,
                y1: b.y1 - 0.5,
            };
            for l in &d.lines {
                assert!(
                    !inner.crossed_by(*l),
                    "{:?} is crossed by the line {l:?}",
                    t.words
                );
            }
        }
    }
    for (i, a) in d.texts.iter().enumerate() {
        for b in &d.texts[..i] {
            for ra in &a.lines {
                for rb in &b.lines {
                    assert!(
                        !ra.near(rb, 0.0),
                        "{:?} {ra:?} overlaps {:?} {rb:?}",
                        a.words,
                        b.words
                    );
                }
            }
        }
    }
    d
}

/// Where the label that reads `words` is drawn.
fn find<'a>(d: &'a Drawn, words: &str) -> &'a DrawnText {
    d.texts
        .iter()
        .find(|t| t.words.trim_end() == words)
        .unwrap_or_else(|| {
            panic!(
                "no label {words:?} in {:?}",
                d.texts.iter().map(|t| &t.words).collect::<Vec<_>>()
            )
        })
}

const LONG_JA: &str = "患者1人あたりのルキソリチニブ平均投与月数（急性期、両群共通）";
const LONG_EN: &str =
    "average months of ruxolitinib per patient in the acute phase, both arms alike";

#[test]
fn labels_are_measured_by_the_kind_of_character() {
    // Japanese a full em; digits wider than narrow Latin letters; "m" and "W" widest.
    assert_eq!(text_width("価格"), 24.0);
    assert!(text_width("0") > text_width("i"));
    assert!(text_width("m") > text_width("n") && text_width("W") > text_width("A"));
    assert_eq!(text_width(""), 0.0);
}

#[test]
fn english_wraps_between_words_and_japanese_at_its_best_points() {
    assert_eq!(
        wrap("durability of the effect (hazard λ per year)", 200.0),
        ["durability of the effect", "(hazard λ per year)"]
    );
    assert_eq!(wrap("short", 200.0), ["short"]);
    assert_eq!(wrap("", 30.0), [""]);
    // A word longer than the line stays whole: English never breaks mid-word.
    let lines = wrap(LONG_EN, 60.0);
    assert_eq!(lines.join(" "), LONG_EN);
    for line in &lines {
        assert!(
            line.split(' ').all(|w| LONG_EN.split(' ').any(|x| x == w)),
            "{line}"
        );
    }
    assert_eq!(
        wrap("a supercalifragilistic word", 50.0),
        ["a", "supercalifragilistic", "word"]
    );
    // Japanese: before （ rather than inside the brackets, after 、 rather than mid-phrase.
    assert_eq!(
        wrap("施設での細胞の解凍・調製・投与（8回分）", 200.0),
        ["施設での細胞の解凍・調製・投与", "（8回分）"]
    );
    assert_eq!(
        wrap(LONG_JA, 200.0),
        [
            "患者1人あたりのルキソリチニブ平均",
            "投与月数（急性期、両群共通）"
        ]
    );
    // Never before 、 or ）, never inside a number with its unit.
    for w in [120.0, 90.0, 60.0, 40.0] {
        let lines = wrap("1QALYあたり500万円、費用（価格3.43億円を含む）", w);
        for l in &lines {
            assert!(!l.starts_with(['、', '）']), "{lines:?}");
        }
        assert!(
            !lines.iter().any(|l| l.ends_with('5') || l.ends_with("50")),
            "{lines:?}"
        );
        assert_eq!(
            lines.concat(),
            "1QALYあたり500万円、費用（価格3.43億円を含む）"
        );
    }
}

#[test]
fn the_placer_refuses_covered_places_and_leaders_through_labels() {
    let mut p = Placer::new(100.0, 100.0);
    let a = Label::new(vec!["abc".into()], 10.0, 20.0, Anchor::Start);
    assert!(p.place([(a.clone(), None)]).is_some());
    // The same place again, then one across the edge, are refused; one lower is taken.
    let b = Label::new(vec!["abc".into()], 95.0, 20.0, Anchor::Start);
    let c = Label::new(vec!["abc".into()], 10.0, 40.0, Anchor::Start);
    let got = p.place([(a.clone(), None), (b, None), (c.clone(), None)]);
    assert_eq!(got.map(|g| g.0), Some(c));
    // A leader through a label is refused.
    let d = Label::new(vec!["x".into()], 80.0, 80.0, Anchor::Start);
    assert!(
        p.place([(d.clone(), Some([15.0, 0.0, 15.0, 100.0]))])
            .is_none()
    );
    assert!(p.place([(d, Some([85.0, 60.0, 85.0, 100.0]))]).is_some());
    // Segments cross a box only through it, not along its edge.
    let r = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: 10.0,
        y1: 10.0,
    };
    assert!(r.crossed_by([-5.0, 5.0, 15.0, 5.0]));
    assert!(!r.crossed_by([10.0, -5.0, 10.0, 15.0]));
    assert!(!r.crossed_by([20.0, 0.0, 30.0, 10.0]));
}

/// Markers that fall on each other, with long words, in a histogram.
fn crowded_histogram(lang: Lang) -> Histogram {
    let mut h = histogram();
    h.lang = lang;
    h.x.label = match lang {
        Lang::Ja => "しきい値価格（1QALYあたり500万円のとき、割引後、1人あたり）".into(),
        Lang::En => {
            "threshold price at a willingness to pay of ¥5m per QALY, discounted, per patient"
                .into()
        }
    };
    h.y_label = match lang {
        Lang::Ja => "試行の割合".into(),
        Lang::En => "share of draws".into(),
    };
    h.bins = Histogram::bin(&[1.0e8, 2.0e8, 2.5e8, 3.0e8, 6.0e8, 2.4e8, 2.6e8], 30);
    let names = match lang {
        Lang::Ja => ["2.5%点", "基本ケース", "中央値", "97.5%点"],
        Lang::En => [
            "2.5th percentile",
            "base case",
            "median",
            "97.5th percentile",
        ],
    };
    h.markers = [1.0e8, 2.49e8, 2.5e8, 6.0e8]
        .iter()
        .zip(names)
        .map(|(&value, label)| Marker {
            value,
            label: label.into(),
        })
        .collect();
    h
}

#[test]
fn a_histogram_keeps_its_labels_apart_at_both_widths() {
    for lang in Lang::ALL {
        let h = crowded_histogram(lang);
        for layout in Layout::ALL {
            let svg = h.svg_for(layout);
            let d = check_layout(&svg, layout);
            // Every marker is labelled, the median and the base case apart from each other.
            let median = match lang {
                Lang::Ja => "中央値: 2.5億円",
                Lang::En => "median: ¥250m",
            };
            let bare = |s: &str| s.replace(['\n', ' '], "");
            assert!(
                d.texts
                    .iter()
                    .any(|t| bare(&t.words).contains(&bare(median))),
                "{layout:?} {lang:?}"
            );
            assert_eq!(svg.matches("stroke-dasharray=\"4 3\"").count(), 4);
        }
    }
}

#[test]
fn a_histograms_bars_and_markers_sit_where_the_scale_puts_them() {
    let h = crowded_histogram(Lang::En);
    for layout in Layout::ALL {
        let svg = h.svg_for(layout);
        let d = read_svg(&svg);
        // The x tick labels give the scale: read two back and map the median through it.
        let ticks: Vec<(f64, f64)> = d
            .texts
            .iter()
            .filter_map(|t| {
                let v = t
                    .words
                    .strip_prefix('¥')?
                    .strip_suffix('m')?
                    .parse::<f64>()
                    .ok()?;
                let r = t.lines[0];
                Some((v * 1e6, (r.x0 + r.x1) / 2.0))
            })
            .collect();
        assert!(ticks.len() >= 2, "{ticks:?}");
        let ((v0, p0), (v1, p1)) = (ticks[0], ticks[ticks.len() - 1]);
        let at = |v: f64| p0 + (v - v0) / (v1 - v0) * (p1 - p0);
        let median_line = d
            .lines
            .iter()
            .find(|l| l[0] == l[2] && (l[0] - at(2.5e8)).abs() < 0.2)
            .unwrap_or_else(|| panic!("no line at {}", at(2.5e8)));
        assert!(
            median_line[3] > median_line[1] + 100.0,
            "it runs down the plot"
        );
    }
}

fn plane(lang: Lang) -> Scatter {
    let label = |w: &str| match lang {
        Lang::Ja => format!("1QALYあたり{w}"),
        Lang::En => format!("{w} per QALY"),
    };
    Scatter {
        id: "ce-plane".into(),
        lang,
        text: Text {
            title: "plane".into(),
            description: "d".into(),
        },
        x: Axis {
            label: match lang {
                Lang::Ja => "増分QALY（比較対象との差）".into(),
                Lang::En => "incremental QALYs (difference from the comparator)".into(),
            },
            unit: Unit::Qalys,
        },
        y: Axis {
            label: match lang {
                Lang::Ja => "増分費用（価格143万円を含む、1人あたり、割引後）".into(),
                Lang::En => {
                    "incremental cost (including a price of ¥1.43m), per patient, discounted".into()
                }
            },
            unit: Unit::Yen,
        },
        points: (0..400)
            .map(|i| {
                let t = f64::from(i);
                ((t * 0.37).sin() * 0.5 + 0.1, (t * 0.73).cos() * 2.0e6)
            })
            .collect(),
        // Three lines so close that their ends fall on each other.
        lines: [5.0e6, 7.5e6, 10.0e6, 10.2e6]
            .iter()
            .zip(["¥5m", "¥7.5m", "¥10m", "¥10.2m"])
            .map(|(&value, w)| Marker {
                value,
                label: label(w),
            })
            .collect(),
    }
}

#[test]
fn a_plane_keeps_its_line_labels_apart_and_its_axis_title_off_the_ticks() {
    for lang in Lang::ALL {
        let s = plane(lang);
        for layout in Layout::ALL {
            let svg = s.svg_for(layout);
            let d = check_layout(&svg, layout);
            // Every line is labelled: alone, or (where lines end together) in a shared label,
            // one line of it each.
            let bare = |s: &str| s.replace(' ', "");
            for l in &s.lines {
                assert!(
                    d.texts.iter().any(|t| {
                        bare(&t.words.replace('\n', "")) == bare(&l.label)
                            || t.words.lines().any(|w| w == l.label)
                    }),
                    "{} {layout:?}",
                    l.label
                );
            }
            // The vertical axis's title is above the plot, level, clear of every tick label.
            let start: String = s.y.label.chars().take(13).collect();
            let title = d
                .texts
                .iter()
                .find(|t| t.words.starts_with(&start))
                .unwrap();
            assert!(title.lines[0].y0 < 20.0);
        }
    }
}

fn crowded_lines(lang: Lang) -> Lines {
    let mut c = acceptability(lang);
    // Three curves that lie on each other, with long names.
    let name = |i: usize| match lang {
        Lang::Ja => format!("1QALYあたり{}万円のとき（割引後、両群共通）", 500 + 250 * i),
        Lang::En => format!(
            "at ¥{}m per QALY, discounted, both arms alike, per patient",
            5 + i
        ),
    };
    c.series = (0..3)
        .map(|i| Series {
            label: name(i),
            points: vec![(0.0, 1.0), (2e8, 0.99), (4e8, 0.98)],
        })
        .collect();
    c.markers.push(Marker {
        value: 3.44e8,
        label: match lang {
            Lang::Ja => "支払意思額".into(),
            Lang::En => "willingness to pay".into(),
        },
    });
    c
}

#[test]
fn lines_that_fall_on_each_other_keep_their_names_apart() {
    for lang in Lang::ALL {
        let c = crowded_lines(lang);
        for layout in Layout::ALL {
            let svg = c.svg_for(layout);
            let d = check_layout(&svg, layout);
            for s in &c.series {
                assert!(
                    d.texts.iter().any(|t| t
                        .words
                        .replace('\n', if lang == Lang::En { " " } else { "" })
                        .trim()
                        == s.label),
                    "{} {layout:?}",
                    s.label
                );
            }
        }
    }
}

#[test]
fn lines_are_drawn_to_scale() {
    let chart = acceptability(Lang::En);
    for layout in Layout::ALL {
        let f = chart.frame(layout);
        let svg = chart.svg_for(layout);
        check_layout(&svg, layout);
        // Shares from 0% at the plot's foot to 100% at its top; the first line's points where
        // the scales put them.
        assert_eq!((f.ys.d0, f.ys.d1), (0.0, 1.0));
        assert_eq!(f.ys.p0 - f.ys.p1, plot_height(layout));
        assert_eq!((f.xs.d0, f.xs.d1), (0.0, 4e8));
        let pts = format!(
            "<polyline points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\"",
            f.xs.at(0.0),
            f.ys.at(0.1),
            f.xs.at(2e8),
            f.ys.at(0.4),
            f.xs.at(4e8),
            f.ys.at(0.8)
        );
        assert!(svg.contains(&pts), "{pts}");
        assert!(svg.contains(">base case: ¥343m</text>"));
        assert!(svg.contains(&format!("x1=\"{0:.1}\" y1=", f.xs.at(3.43e8))));
        assert_eq!(
            svg,
            chart.svg_for(layout),
            "the same input gives the same bytes"
        );
    }
}

fn long_bars(lang: Lang) -> Bars {
    let names: Vec<String> = match lang {
        Lang::Ja => vec![
            LONG_JA.into(),
            "製造（ロットの失敗と再製造を含む）".into(),
            "輸送".into(),
        ],
        Lang::En => vec![
            LONG_EN.into(),
            "manufacturing, including failed batches".into(),
            "shipping".into(),
        ],
    };
    Bars {
        id: "money".into(),
        lang,
        text: Text {
            title: "Where the money goes".into(),
            description: "d".into(),
        },
        x: Axis {
            label: match lang {
                Lang::Ja => "治療を受けた患者1人あたりの費用（円、割引後）".into(),
                Lang::En => {
                    "yen per treated patient, discounted, including every failed batch".into()
                }
            },
            unit: Unit::Yen,
        },
        bars: names
            .into_iter()
            .zip([(10e6, 9e6, 12e6), (2e6, 1e6, 4e6), (3.2e7, 3.2e7, 3.2e7)])
            .map(|(label, (value, low, high))| Bar {
                label,
                value,
                low,
                high,
            })
            .collect(),
        interval_label: "95% interval".into(),
        parts_of_a_whole: true,
    }
}

#[test]
fn bars_are_drawn_to_scale_with_their_names_whole() {
    for lang in Lang::ALL {
        let chart = long_bars(lang);
        for layout in Layout::ALL {
            let svg = chart.svg_for(layout);
            let d = check_layout(&svg, layout);
            // Bar lengths in proportion to their values.
            let widths: Vec<f64> = svg
                .match_indices("<rect x=")
                .map(|(i, _)| num(&svg[i..i + svg[i..].find('>').unwrap()], "width"))
                .collect();
            assert_eq!(widths.len(), 3);
            assert!(
                (widths[0] / widths[2] - 10.0 / 32.0).abs() < 0.01,
                "{widths:?}"
            );
            assert!(
                (widths[1] / widths[2] - 2.0 / 32.0).abs() < 0.01,
                "{widths:?}"
            );
            // Names are whole (words in order), never cut mid-word.
            let start: String = chart.bars[0].label.chars().take(3).collect();
            let first = find_prefix(&d, &start);
            let joined = first
                .words
                .replace('\n', if lang == Lang::En { " " } else { "" });
            assert_eq!(joined.trim(), chart.bars[0].label);
            if layout == Layout::Narrow {
                // Above their bars: the name's box ends above the bar.
                let bar_y = num(&svg[svg.match_indices("<rect x=").next().unwrap().0..], "y");
                assert!(first.lines.last().unwrap().y1 <= bar_y);
            }
        }
    }
    let t = long_bars(Lang::En).table();
    assert_eq!(
        t.rows[1],
        vec![
            "manufacturing, including failed batches",
            "¥2m",
            "¥1m – ¥4m",
            "4.5%"
        ]
    );
    assert_eq!(
        long_bars(Lang::En).csv().lines().nth(2),
        Some("\"manufacturing, including failed batches\",2000000,1000000,4000000")
    );
}

fn find_prefix<'a>(d: &'a Drawn, prefix: &str) -> &'a DrawnText {
    d.texts
        .iter()
        .find(|t| t.words.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?}"))
}

fn long_tornado(lang: Lang) -> Tornado {
    let mut t = tornado(lang);
    let names: [&str; 4] = match lang {
        Lang::Ja => [
            LONG_JA,
            "施設での細胞の解凍・調製・投与（8回分）",
            "奏効例が急性期を脱する率",
            "非奏効中の治療・ケア費用（月額、両群共通）",
        ],
        Lang::En => [
            LONG_EN,
            "thawing, preparing and giving the cells at the centre (8 doses)",
            "discount rate",
            "cost of care while not responding (monthly, both arms alike)",
        ],
    };
    t.bars = names
        .iter()
        .zip([
            (72.9e4, 262e4),
            (157e4, 122e4),
            (146e4, 140e4),
            (143.5e4, 144e4),
        ])
        .map(|(name, (low, high))| TornadoBar {
            label: name.to_string(),
            low_input: "2.48".into(),
            high_input: "83.2万円".into(),
            low,
            high,
        })
        .collect();
    t.base = 143e4;
    t.base_label = match lang {
        Lang::Ja => "基本ケース 143万円".into(),
        Lang::En => "base case ¥1.43m".into(),
    };
    t.low_label = match lang {
        Lang::Ja => "入力が低いとき（2.5%点）".into(),
        Lang::En => "input at its low value (2.5th percentile)".into(),
    };
    t.high_label = match lang {
        Lang::Ja => "入力が高いとき（97.5%点）".into(),
        Lang::En => "input at its high value (97.5th percentile)".into(),
    };
    t
}

#[test]
fn a_tornado_keeps_its_labels_apart_and_its_names_whole() {
    for lang in Lang::ALL {
        let chart = long_tornado(lang);
        for layout in Layout::ALL {
            let svg = chart.svg_for(layout);
            let d = check_layout(&svg, layout);
            let f = chart.frame(layout);
            // Bars to scale: the first bar's low end runs from the base line to its value.
            let px = |v: f64| format!("{:.1}", f.xs.at(v));
            assert!(
                svg.contains(&format!("<rect x=\"{}\" ", px(72.9e4))),
                "{layout:?}"
            );
            assert!(svg.contains(&format!(
                "width=\"{:.1}\"",
                f.xs.at(143e4) - f.xs.at(72.9e4)
            )));
            // The name breaks before （, not inside the brackets.
            let start: String = chart.bars[1].label.chars().take(3).collect();
            let name = find_prefix(&d, &start);
            if lang == Lang::Ja {
                assert!(
                    name.words.lines().any(|l| l.ends_with("（8回分）")),
                    "{:?}",
                    name.words
                );
            }
            let sep = if lang == Lang::En { " " } else { "" };
            assert_eq!(
                name.words.trim_end().replace('\n', sep),
                chart.bars[1].label
            );
            // The hatch's id differs between the two drawings.
            assert!(svg.contains(&format!("id=\"tn{}-high\"", layout.id_suffix())));
        }
    }
}

fn ranges(lang: Lang, log: bool) -> Ranges {
    let heading = |s: &str| Some(s.to_string());
    Ranges {
        id: "prices".into(),
        lang,
        text: Text {
            title: "Suggested prices".into(),
            description: "d".into(),
        },
        x: Axis {
            label: match lang {
                Lang::Ja => "1回の治療あたりの価格（円）".into(),
                Lang::En => "price per treatment (yen)".into(),
            },
            unit: Unit::Yen,
        },
        log,
        groups: vec![
            RangeGroup {
                heading: heading(match lang {
                    Lang::Ja => "CAR-T（大細胞型B細胞リンパ腫）",
                    Lang::En => "CAR-T for large B-cell lymphoma",
                }),
                rows: vec![
                    RangeRow::interval(
                        match lang {
                            Lang::Ja => "価値にもとづく価格",
                            Lang::En => "value-based price",
                        },
                        20e6,
                        34e6,
                        60e6,
                    )
                    .with_base(33e6),
                    RangeRow::interval(
                        match lang {
                            Lang::Ja => LONG_JA,
                            Lang::En => LONG_EN,
                        },
                        28e6,
                        32.7e6,
                        35e6,
                    ),
                    RangeRow::note(
                        match lang {
                            Lang::Ja => "費用と価値の間（提案価格）",
                            Lang::En => "cost-to-value corridor (suggested)",
                        },
                        match lang {
                            Lang::Ja => "価値と供給の両方を満たす価格はありません",
                            Lang::En => "no price is both justified by value and viable to supply",
                        },
                    ),
                ],
                marker: Some(Marker {
                    value: 32.65e6,
                    label: match lang {
                        Lang::Ja => "日本の薬価 3265万円".into(),
                        Lang::En => "list price ¥32.65m".into(),
                    },
                }),
            },
            RangeGroup {
                heading: heading("MSC"),
                rows: vec![
                    RangeRow::interval("a", 5e6, 9e6, 14e6),
                    RangeRow::interval("b", 100e6, 180e6, 300e6),
                ],
                marker: Some(Marker {
                    value: 14.2e6,
                    label: "list".into(),
                }),
            },
        ],
        interval_label: match lang {
            Lang::Ja => "90%区間".into(),
            Lang::En => "90% interval".into(),
        },
        mid_label: match lang {
            Lang::Ja => "中央値".into(),
            Lang::En => "median".into(),
        },
        base_label: match lang {
            Lang::Ja => "基本ケース".into(),
            Lang::En => "base case".into(),
        },
    }
}

/// The x tick labels of a drawn chart in yen (English), with the x of their centres.
fn yen_ticks(d: &Drawn) -> Vec<(f64, f64)> {
    let mut t: Vec<(f64, f64)> = d
        .texts
        .iter()
        .filter_map(|t| {
            let w = t.words.strip_prefix('¥')?;
            let v = if let Some(m) = w.strip_suffix('m') {
                m.parse::<f64>().ok()? * 1e6
            } else if let Some(b) = w.strip_suffix("bn") {
                b.parse::<f64>().ok()? * 1e9
            } else {
                w.replace(',', "").parse::<f64>().ok()?
            };
            let r = t.lines[0];
            Some((v, (r.x0 + r.x1) / 2.0))
        })
        .collect();
    t.sort_by(|a, b| a.0.total_cmp(&b.0));
    t.dedup_by(|a, b| a.0 == b.0);
    // Tick labels only: those on the axis's line of labels, the lowest.
    let lowest = d
        .texts
        .iter()
        .filter(|t| t.words.starts_with(['¥', '-']))
        .map(|t| t.lines[0].y0)
        .fold(f64::NEG_INFINITY, f64::max);
    t.retain(|&(_, x)| {
        d.texts.iter().any(|u| {
            u.lines[0].y0 == lowest && ((u.lines[0].x0 + u.lines[0].x1) / 2.0 - x).abs() < 1e-9
        })
    });
    t
}

#[test]
fn ranges_keep_their_labels_apart_at_both_widths() {
    for lang in Lang::ALL {
        for log in [false, true] {
            let chart = ranges(lang, log);
            for layout in Layout::ALL {
                let svg = chart.svg_for(layout);
                let d = check_layout(&svg, layout);
                // The note stands where the bar would be; the marker is labelled as written.
                let note = chart.groups[0].rows[2].note.clone().unwrap();
                assert!(
                    d.texts.iter().any(|t| t
                        .words
                        .replace('\n', if lang == Lang::En { " " } else { "" })
                        .trim()
                        == note),
                    "{note}"
                );
                find(&d, &chart.groups[0].marker.as_ref().unwrap().label);
                // One bar per interval (and one in the legend), one dot per middle (and one).
                assert_eq!(
                    svg.matches(&format!("height=\"8\" fill=\"{MARK}\""))
                        .count(),
                    4 + 1
                );
                assert_eq!(svg.matches("r=\"4.5\"").count(), 4 + 1);
                assert!(svg.contains(&format!(
                    "aria-labelledby=\"prices{0}-title prices{0}-desc\"",
                    layout.id_suffix()
                )));
            }
        }
    }
}

#[test]
fn ranges_put_marks_where_the_axis_maps_them() {
    for log in [false, true] {
        let chart = ranges(Lang::En, log);
        for layout in Layout::ALL {
            let svg = chart.svg_for(layout);
            let d = read_svg(&svg);
            let ticks = yen_ticks(&d);
            assert!(ticks.len() >= 2, "{ticks:?}");
            let ((v0, p0), (v1, p1)) = (ticks[0], ticks[ticks.len() - 1]);
            let at = |v: f64| {
                if log {
                    p0 + (v.log10() - v0.log10()) / (v1.log10() - v0.log10()) * (p1 - p0)
                } else {
                    p0 + (v - v0) / (v1 - v0) * (p1 - p0)
                }
            };
            // Every tick where the end ticks' scale puts it (on a log axis: a decade is the
            // same width everywhere).
            for &(v, p) in &ticks {
                assert!((p - at(v)).abs() < 0.2, "{v} at {p}, not {}", at(v));
            }
            if log {
                let decades: Vec<f64> = ticks
                    .iter()
                    .filter(|(v, _)| (v.log10() - v.log10().round()).abs() < 1e-9)
                    .map(|t| t.1)
                    .collect();
                assert!(decades.len() >= 2, "{ticks:?}");
                let w = decades[1] - decades[0];
                assert!(
                    decades.windows(2).all(|p| (p[1] - p[0] - w).abs() < 0.2),
                    "{decades:?}"
                );
            }
            // The list price's line at 32.65m, and the first median's dot at 34m.
            let marker = d
                .lines
                .iter()
                .find(|l| l[0] == l[2] && (l[0] - at(32.65e6)).abs() < 0.2)
                .unwrap_or_else(|| panic!("no marker line at {} ({log}, {layout:?})", at(32.65e6)));
            assert!(marker[3] > marker[1]);
            let dot = svg.match_indices("r=\"4.5\"").nth(1).unwrap().0;
            let dot_tag = &svg[svg[..dot].rfind('<').unwrap()..dot];
            assert!((num(dot_tag, "cx") - at(34e6)).abs() < 0.2, "{dot_tag}");
            // The interval from 20m to 60m.
            let bar = svg.match_indices("height=\"8\" fill=").nth(1).unwrap().0;
            let bar_tag = &svg[svg[..bar].rfind('<').unwrap()..bar];
            assert!((num(bar_tag, "x") - at(20e6)).abs() < 0.2, "{bar_tag}");
            assert!((num(bar_tag, "x") + num(bar_tag, "width") - at(60e6)).abs() < 0.2);
        }
    }
}

#[test]
fn ranges_on_a_linear_axis_show_negative_values_and_a_zero_line() {
    let mut chart = ranges(Lang::En, false);
    chart.groups[1]
        .rows
        .push(RangeRow::interval("loss-making", -40e6, -10e6, 15e6));
    // Wholly below zero with a note: the note instead.
    chart.groups[1]
        .rows
        .push(RangeRow::interval("below zero", -50e6, -30e6, -20e6).with_note("never viable"));
    for layout in Layout::ALL {
        let svg = chart.svg_for(layout);
        let d = check_layout(&svg, layout);
        find(&d, "never viable");
        let ticks = yen_ticks(&d);
        assert!(
            ticks.iter().any(|t| t.0 < 0.0) || svg.contains(">-¥"),
            "{ticks:?}"
        );
        assert!(svg.contains("stroke-width=\"1.5\"/>"), "a zero line");
    }
    let t = chart.table();
    assert_eq!(
        t.header,
        [
            "item",
            "group",
            "median",
            "90% interval",
            "base case",
            "note"
        ]
    );
    assert_eq!(
        t.rows[0],
        [
            "value-based price",
            "CAR-T for large B-cell lymphoma",
            "¥34m",
            "¥20m – ¥60m",
            "¥33m",
            ""
        ]
    );
    assert_eq!(
        t.rows[3],
        [
            "list price ¥32.65m",
            "CAR-T for large B-cell lymphoma",
            "¥32.6m",
            "",
            "",
            ""
        ]
    );
    let csv = chart.csv();
    assert_eq!(
        csv.lines().next(),
        Some("group,item,kind,low,mid,high,base,note")
    );
    assert_eq!(
        csv.lines().nth(1),
        Some(
            "\"CAR-T for large B-cell lymphoma\",\"value-based price\",row,20000000,34000000,60000000,33000000,\"\""
        )
    );
    assert!(csv.contains(",\"list price ¥32.65m\",marker,,32650000,,,\"\""));
}

#[test]
fn every_layout_keeps_text_at_eleven_css_pixels_or_more() {
    for layout in Layout::ALL {
        assert!(
            FONT * layout.narrowest_shown() / layout.width() >= 11.0,
            "{layout:?}"
        );
    }
}
