//! Tests of the charts: scales, ticks, label placement, colours, and each kind of chart's SVG,
//! table and CSV.

use super::*;

#[test]
fn bars_are_drawn_to_scale_with_whiskers_and_labels() {
    let chart = Bars {
        id: "money".into(),
        lang: Lang::En,
        text: Text {
            title: "Where the money goes".into(),
            description: "d".into(),
        },
        x: Axis {
            label: "yen per treated patient".into(),
            unit: Unit::Yen,
        },
        bars: vec![
            Bar {
                label: "manufacturing".into(),
                value: 10e6,
                low: 10e6,
                high: 10e6,
            },
            Bar {
                label: "failed, batches".into(),
                value: 2e6,
                low: 1e6,
                high: 4e6,
            },
        ],
        interval_label: "95% interval".into(),
        parts_of_a_whole: true,
    };
    let svg = chart.svg();
    // Labels up to 15 characters: 121 px of room. Ticks 0..10m over 121..546 px: a 10m
    // bar is 425 px long, a 2m one 85 px.
    assert!(svg.contains("width=\"425.0\" height=\"18.0\""), "{svg}");
    assert!(svg.contains("width=\"85.0\" height=\"18.0\""), "{svg}");
    // One whisker (the second bar's interval), none for a bar without spread.
    assert_eq!(svg.matches("stroke-width=\"1.5\"").count(), 1);
    assert!(svg.contains(">¥10m</text>") && svg.contains(">¥2m</text>"));
    assert_eq!(
        chart.table().rows[1],
        vec!["failed, batches", "¥2m", "¥1m – ¥4m", "16.7%"]
    );
    assert_eq!(
        chart.csv(),
        "item,value,low,high\n\"manufacturing\",10000000,10000000,10000000\n\"failed, batches\",2000000,1000000,4000000\n"
    );
}

#[test]
fn labels_that_would_overlap_go_to_other_rows() {
    // Two close labels and one far away: the close ones get different rows.
    let rows = label_rows(&[(100.0, 180.0), (150.0, 230.0), (400.0, 450.0)], 3);
    assert_eq!(rows, vec![0, 1, 0]);
    // More overlapping labels than rows: the extra one goes to the row that ends first.
    let rows = label_rows(
        &[(0.0, 100.0), (10.0, 50.0), (20.0, 200.0), (30.0, 60.0)],
        3,
    );
    assert_eq!(rows, vec![0, 1, 2, 1]);
}

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
fn labels_wrap_between_words_or_characters() {
    assert_eq!(
        wrap("durability of the effect (hazard λ per year)", 200.0),
        ["durability of the effect", "(hazard λ per year)"]
    );
    assert_eq!(wrap("short", 200.0), ["short"]);
    assert_eq!(wrap("あいうえお", 30.0), ["あい", "うえ", "お"]);
    assert_eq!(wrap("", 30.0), [""]);
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
fn lines_are_drawn_to_scale_and_labelled_at_their_ends() {
    let chart = acceptability(Lang::En);
    let f = chart.frame();
    // Ticks ¥0..¥400m across from 72 px to the labels' room: the first label wraps after
    // "&" (18 Latin characters and a yen sign, 138 px), plus 36 px for the sample of the
    // line: the plot ends at 640 - 24 - 174 = 442 px. Shares run from 0% at 304 px up to
    // 100% at 40 px.
    assert_eq!(
        (f.xs.d0, f.xs.d1, f.xs.p0, f.xs.p1),
        (0.0, 4e8, 72.0, 442.0)
    );
    assert_eq!(
        (f.ys.d0, f.ys.d1, f.ys.p0, f.ys.p1),
        (0.0, 1.0, 304.0, 40.0)
    );
    assert_eq!(f.xs.at(2e8), 257.0);
    assert_eq!(format!("{:.1}", f.ys.at(0.4)), "198.4");
    let svg = chart.svg();
    well_formed(&svg);
    assert!(
        svg.contains("<polyline points=\"72.0,277.6 257.0,198.4 442.0,92.8\""),
        "{svg}"
    );
    // The second line is joined in order of x, without the point that is not a number,
    // and dashed.
    assert!(svg.contains(
        "<polyline points=\"72.0,224.8 442.0,66.4\" fill=\"none\" stroke=\"#7b3294\" stroke-width=\"2.5\" stroke-linejoin=\"round\" stroke-dasharray=\"8 4\"/>"
    ));
    // The base case at 72 + 0.8575 × 370 px, labelled with its value.
    assert!(svg.contains("<line x1=\"389.3\" y1=\"35.0\" x2=\"389.3\" y2=\"304.0\""));
    assert!(svg.contains(">base case: ¥343m</text>"));
    // Labels, escaped, in two lines for the long one; a sample of each line before them.
    assert!(svg.contains(
        "<tspan x=\"474.0\" y=\"89.8\">at ¥5m &lt;per&gt; QALY &amp;</tspan><tspan x=\"474.0\" y=\"102.8\">more</tspan>"
    ));
    assert!(svg.contains(">at ¥7.5m</text>"));
    assert!(!svg.contains("<per>"));
    assert!(svg.contains("<title id=\"ceac-title\">Acceptability &lt;by price&gt;</title>"));
    assert!(svg.contains(">0%</text>") && svg.contains(">100%</text>"));
    assert!(svg.contains(">¥400m</text>"));
    assert_eq!(svg.matches("<polyline ").count(), 2);
    assert_eq!(svg, chart.svg(), "the same input gives the same bytes");
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
fn a_tornado_is_drawn_to_scale_with_labels_that_fit() {
    let chart = tornado(Lang::En);
    let f = chart.frame();
    let xs = f.xs;
    // The scale runs over the outputs, from the lowest to the highest.
    assert_eq!((xs.d0, xs.d1), (192e6, 520e6));
    let px = |v: f64| format!("{:.1}", xs.at(v));
    let svg = chart.svg();
    well_formed(&svg);
    // First bar: the low input's end right of the base line, the high input's left, full
    // height (24 px in a 36 px row below a one-row legend).
    assert_eq!((f.top, f.row, f.legend_rows), (50.0, 36.0, 1));
    assert!(svg.contains(&format!(
        "<rect x=\"{}\" y=\"56.0\" width=\"{:.1}\" height=\"24.0\" fill=\"#2b6a99\"/>",
        px(343e6),
        xs.at(520e6) - xs.at(343e6)
    )));
    assert!(svg.contains(&format!(
        "<rect x=\"{}\" y=\"56.0\" width=\"{:.1}\" height=\"24.0\" fill=\"url(#tn-high)\"",
        px(192e6),
        xs.at(343e6) - xs.at(192e6)
    )));
    // Second bar: both ends above the base case, so the row is split, low above high.
    assert!(svg.contains(&format!(
        "<rect x=\"{}\" y=\"92.0\" width=\"{:.1}\" height=\"12.0\" fill=\"#2b6a99\"/>",
        px(343e6),
        xs.at(360e6) - xs.at(343e6)
    )));
    assert!(svg.contains(&format!(
        "<rect x=\"{}\" y=\"104.0\" width=\"{:.1}\" height=\"12.0\" fill=\"url(#tn-high)\"",
        px(343e6),
        xs.at(420e6) - xs.at(343e6)
    )));
    // The base case line and its label.
    assert!(svg.contains(&format!(
        "<line x1=\"{0}\" y1=\"46.0\" x2=\"{0}\" y2=\"122.0\" stroke=\"#1a1a1a\" stroke-width=\"2\"/>",
        px(343e6)
    )));
    assert!(svg.contains(">base case ¥343m</text>"));
    // Names, end labels with the inputs, legend words, all escaped.
    assert!(svg.contains(">discount rate</text>"));
    assert!(svg.contains(">utility &lt;gain&gt; &amp; loss</text>"));
    assert!(
        svg.contains(">input low</text>") && svg.contains(">input high &amp; &lt;up&gt;</text>")
    );
    for label in ["¥520m (0%)", "¥192m (4%)", "¥360m (0.10)", "¥420m (0.30)"] {
        assert!(svg.contains(&format!(">{label}</text>")), "{label}");
    }
    // Every end label fits between the names and the right edge.
    for e in f.ends.iter().flatten() {
        let w = text_width(&e.label) + 6.0;
        if e.right {
            assert!(xs.at(e.value) + w <= WIDTH - 4.0 + 1e-6, "{}", e.label);
        } else {
            assert!(xs.at(e.value) - w >= f.name_room - 1e-6, "{}", e.label);
        }
    }
    assert!(xs.p0 >= f.name_room && xs.p1 <= WIDTH - 8.0 + 1e-6);
    assert_eq!(svg, chart.svg(), "the same input gives the same bytes");
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
    assert!(svg.contains(">¥300m (1)</text>"));
    // Long legend words go on two rows.
    chart.low_label = "x".repeat(60);
    chart.high_label = "y".repeat(60);
    assert_eq!(chart.frame().legend_rows, 2);
    well_formed(&chart.svg());
}
