//! The foreign average price adjustment at listing (外国平均価格調整): the reference countries'
//! prices, converted to yen, averaged after the outlier rules, and the calculated price moved
//! towards that average when it is far above it (both routes) or far below it (drug route).
//!
//! Chuikyo applies it to cost-accounting prices and to comparable-drug prices (the latter, from
//! FY2018, only where no drug with a similar mechanism exists), on the price after premiums. What
//! could be read of the rules is uneven: the device route's outlier rules and cap are stated in
//! MHLW documents; the drug route's triggers were read for the 2016 rules, but its present
//! formulas, outlier rules and exchange-rate rule were not, so they are marked unverified and
//! every one can be overridden (see each coefficient's source).

use serde::Serialize;

use super::rules::{Coefficient, sourced, unverified};

/// A reference country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Country {
    /// United States.
    Us,
    /// United Kingdom.
    Uk,
    /// Germany.
    De,
    /// France.
    Fr,
    /// Australia (device route only).
    Au,
}

impl Country {
    /// Every country, in the order Chuikyo sheets list them.
    pub const ALL: [Country; 5] = [
        Country::Us,
        Country::Uk,
        Country::De,
        Country::Fr,
        Country::Au,
    ];

    /// Its id in case and scenario files.
    pub fn id(self) -> &'static str {
        match self {
            Country::Us => "us",
            Country::Uk => "uk",
            Country::De => "de",
            Country::Fr => "fr",
            Country::Au => "au",
        }
    }

    /// The country with this id.
    pub fn from_id(id: &str) -> Option<Country> {
        Country::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Its currency's id (the key of an exchange rate).
    pub fn currency(self) -> &'static str {
        match self {
            Country::Us => "usd",
            Country::Uk => "gbp",
            Country::De | Country::Fr => "eur",
            Country::Au => "aud",
        }
    }
}

/// How one route's foreign average price adjustment works under a rule set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForeignRules {
    /// The reference countries.
    pub countries: &'static [Country],
    /// Fewer countries with a price than this: no adjustment.
    pub min_countries: Coefficient,
    /// The highest price is left out when it is more than this multiple of the lowest.
    pub exclude_over_lowest: Coefficient,
    /// With three or more prices left, the highest counts as at most this multiple of the
    /// others' mean (`None`: no such rule read).
    pub cap_over_others: Option<Coefficient>,
    /// Reduced when the price is above this multiple of the foreign average.
    pub reduce_above: Coefficient,
    /// Reduced to `(a x ratio + b) x average`; `None`: to `reduce_above x average` (a cap).
    pub reduce_formula: Option<(Coefficient, Coefficient)>,
    /// Raised when the price is below this multiple (`None`: never raised).
    pub raise_below: Option<Coefficient>,
    /// Raised to `(a x ratio + b) x average`.
    pub raise_formula: (Coefficient, Coefficient),
    /// A raise at most multiplies the calculated price by this.
    pub raise_cap: Coefficient,
}

const DRUG_COUNTRIES: &str = "US, UK, Germany, France, at least two with a price: 米国、英国、ドイツ、フランスのうち、2か国以上で薬価が付与された医薬品 (日本製薬医学会 glossary 外国平均価格調整, japhmed.jp/glossary/word_186.html, secondary); the four countries also 医薬経済 2024-12-15";
const DRUG_TRIGGERS_2016: &str = "1.5x reduction and 0.75x raise (capped at 2x the calculated price) in the rules of August 2016: 米、英、独、仏の価格の平均額の1.5倍を上回る場合は引き下げ、外国平均価格の0.75倍を下回る場合には引き上げ(ただし、算定値の2倍を上限) (Chuikyo 2016-08-24 as reported by qlifepro 2016-08-26 and yakuji entry52938)";
const DRUG_REDUCE_NOT_READ: &str = "1.25x from FY2018 not read (the 2016 rule was 1.5x, qlifepro 2016-08-26; a 5/4 trigger was proposed in 2013, qlifepro 2013-08-02): override with the published value";
const DRUG_FORMULA_NOT_READ: &str = "formula (1/3 x ratio + 5/6) above, (1/3 x ratio + 1/2) below, from shared/reference/pricing-rules.md section 4 marked [verify]; not read in any Chuikyo text (each meets its trigger continuously at 1.25 and 0.75)";
const DRUG_OUTLIER_NOT_READ: &str = "drug outlier rule not read for FY2018 on: before FY2014 the highest price was left out above 5x the lowest, and 3x was proposed (qlifepro 2013-08-02); 3x shown as an assumption: override with the published value";
const DEVICE_COUNTRIES: &str = "US, UK, Germany, France and Australia (Pacific Bridge Medical 2018; MDDI 2018, secondary); two or more prices (総会 579, 2024-01-17, 総-4参考3 p9: 外国の医療材料の国別の価格が2ヵ国以上あり)";
const DEVICE_OUTLIER_FY2022: &str = "最高価格が最低価格の2.5倍を超える場合は、当該最高価格を除外; 価格が3か国以上あり、そのうち最高価格がそれ以外の価格の相加平均値の1.6倍を上回る場合は、当該最高価格をそれ以外の価格の相加平均値の1.6倍相当とみなす (令和4年度保険医療材料制度改革の概要 p23, wic-net 1038/23; unchanged in FY2024, 材-1 2025-11-12 p19)";
const DEVICE_OUTLIER_FY2018: &str = "2.5x the lowest and 1.8x the others' mean before FY2022 (令和4年度保険医療材料制度改革の概要 p23, 令和4年度改定前のルール)";
const DEVICE_CAP_FY2022: &str = "新規収載品 ... 算定値(補正加算を含む。)が外国平均価格の1.25倍に相当する額を上回る場合に、1.25倍に相当する額を ... 基準材料価格とする (MHLW, 医療機器基本計画 取り組み状況 資料2-1, wic-net 8671/58); lowered from 1.3 (EBC white paper); no raise on the device route";
const DEVICE_CAP_FY2018: &str = "1.3x for new C1 and C2 products in FY2018 (Pacific Bridge Medical 2018, secondary); no raise on the device route";
const NO_RAISE: &str = "no raise on the device route (the listing rule caps only)";

/// The drug route's rules from FY2018 (read in part; see each source).
pub const DRUG: ForeignRules = ForeignRules {
    countries: &[Country::Us, Country::Uk, Country::De, Country::Fr],
    min_countries: sourced(2.0, DRUG_COUNTRIES),
    exclude_over_lowest: unverified(3.0, DRUG_OUTLIER_NOT_READ),
    cap_over_others: None,
    reduce_above: unverified(1.25, DRUG_REDUCE_NOT_READ),
    reduce_formula: Some((
        unverified(1.0 / 3.0, DRUG_FORMULA_NOT_READ),
        unverified(5.0 / 6.0, DRUG_FORMULA_NOT_READ),
    )),
    raise_below: Some(sourced(0.75, DRUG_TRIGGERS_2016)),
    raise_formula: (
        unverified(1.0 / 3.0, DRUG_FORMULA_NOT_READ),
        unverified(0.5, DRUG_FORMULA_NOT_READ),
    ),
    raise_cap: sourced(2.0, DRUG_TRIGGERS_2016),
};

/// The device route's rules for FY2018 to FY2021.
pub const DEVICE_FY2018: ForeignRules = ForeignRules {
    countries: &Country::ALL,
    min_countries: sourced(2.0, DEVICE_COUNTRIES),
    exclude_over_lowest: sourced(2.5, DEVICE_OUTLIER_FY2018),
    cap_over_others: Some(sourced(1.8, DEVICE_OUTLIER_FY2018)),
    reduce_above: sourced(1.3, DEVICE_CAP_FY2018),
    reduce_formula: None,
    raise_below: None,
    raise_formula: (sourced(0.0, NO_RAISE), sourced(0.0, NO_RAISE)),
    raise_cap: sourced(1.0, NO_RAISE),
};

/// The device route's rules from FY2022.
pub const DEVICE_FY2022: ForeignRules = ForeignRules {
    countries: &Country::ALL,
    min_countries: sourced(2.0, DEVICE_COUNTRIES),
    exclude_over_lowest: sourced(2.5, DEVICE_OUTLIER_FY2022),
    cap_over_others: Some(sourced(1.6, DEVICE_OUTLIER_FY2022)),
    reduce_above: sourced(1.25, DEVICE_CAP_FY2022),
    reduce_formula: None,
    raise_below: None,
    raise_formula: (sourced(0.0, NO_RAISE), sourced(0.0, NO_RAISE)),
    raise_cap: sourced(1.0, NO_RAISE),
};

/// The reference countries' prices of one listing, in yen, as a case or scenario gives them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForeignPrices {
    /// Each country's price for the same unit, converted to yen.
    pub yen: Vec<(Country, f64)>,
    /// How each was converted (`"3,200,000 usd x 153.0"`), for the steps.
    pub conversions: Vec<String>,
    /// The rules, where a case gives its own in place of the rule set's (a published
    /// calculation that states them).
    pub rules: Option<ForeignRules>,
}

/// A coefficient a case file gives.
const GIVEN: &str = "given in the case file";

/// Overrides of a route's rules, as a case file gives them (`None`: the rule set's).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Overrides {
    /// [`ForeignRules::exclude_over_lowest`].
    pub exclude_over_lowest: Option<f64>,
    /// [`ForeignRules::cap_over_others`].
    pub cap_over_others: Option<f64>,
    /// [`ForeignRules::reduce_above`].
    pub reduce_above: Option<f64>,
    /// [`ForeignRules::raise_below`].
    pub raise_below: Option<f64>,
    /// [`ForeignRules::raise_cap`].
    pub raise_cap: Option<f64>,
}

impl ForeignRules {
    /// These rules with a case's overrides, each marked as given.
    pub fn with(&self, o: &Overrides) -> ForeignRules {
        let given = |x: Option<f64>, c: Coefficient| x.map_or(c, |v| sourced(v, GIVEN));
        ForeignRules {
            exclude_over_lowest: given(o.exclude_over_lowest, self.exclude_over_lowest),
            cap_over_others: match (o.cap_over_others, self.cap_over_others) {
                (Some(v), _) => Some(sourced(v, GIVEN)),
                (None, c) => c,
            },
            reduce_above: given(o.reduce_above, self.reduce_above),
            raise_below: match (o.raise_below, self.raise_below) {
                (Some(v), _) => Some(sourced(v, GIVEN)),
                (None, c) => c,
            },
            raise_cap: given(o.raise_cap, self.raise_cap),
            ..*self
        }
    }
}

impl ForeignPrices {
    /// Prices from a file: `yen` by country id (already converted), or `local` by country id in
    /// the country's currency with `rates` (yen per unit) by currency id. An error names the
    /// field (`foreign.prices.us`, `foreign.exchange_rates.usd`) and what was expected.
    pub fn read(
        yen: &[(String, f64)],
        local: &[(String, f64)],
        rates: &[(String, f64)],
    ) -> Result<ForeignPrices, super::PricingError> {
        let country = |field: &str, id: &str| {
            Country::from_id(id).ok_or_else(|| {
                super::bad(
                    &format!("foreign.{field}.{id}"),
                    format!(
                        "unknown country; expected one of {}",
                        Country::ALL.map(Country::id).join(", ")
                    ),
                )
            })
        };
        let positive = |field: String, x: f64| {
            if x.is_finite() && x > 0.0 {
                Ok(x)
            } else {
                Err(super::bad(
                    &field,
                    format!("is {x}; expected a positive price"),
                ))
            }
        };
        let mut out = ForeignPrices::default();
        for (id, x) in yen {
            let c = country("yen", id)?;
            out.yen
                .push((c, positive(format!("foreign.yen.{id}"), *x)?));
            out.conversions.push(format!("{id} {x} yen"));
        }
        for (id, x) in local {
            let c = country("prices", id)?;
            let x = positive(format!("foreign.prices.{id}"), *x)?;
            if out.yen.iter().any(|p| p.0 == c) {
                return Err(super::bad(
                    &format!("foreign.prices.{id}"),
                    "given twice, in yen and in its currency",
                ));
            }
            let Some(&(_, rate)) = rates.iter().find(|r| r.0 == c.currency()) else {
                return Err(super::bad(
                    &format!("foreign.prices.{id}"),
                    format!(
                        "needs the exchange rate exchange_rates.{} (yen per unit)",
                        c.currency()
                    ),
                ));
            };
            let rate = positive(format!("foreign.exchange_rates.{}", c.currency()), rate)?;
            out.yen.push((c, x * rate));
            out.conversions
                .push(format!("{id} {x} {} x {rate} yen", c.currency()));
        }
        for (id, _) in rates {
            if !Country::ALL.iter().any(|c| c.currency() == id) {
                return Err(super::bad(
                    &format!("foreign.exchange_rates.{id}"),
                    "unknown currency; expected usd, gbp, eur or aud",
                ));
            }
        }
        Ok(out)
    }
}

/// The foreign average and how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignAverage {
    /// The average, yen (`None` when too few countries have a price).
    pub average: Option<f64>,
    /// What the outlier rules did, in words.
    pub notes: Vec<String>,
}

/// The foreign average under `rules`: the highest price left out when it is more than
/// `exclude_over_lowest` times the lowest (with two prices, the lower one is the average); then,
/// with three or more left, the highest counted as at most `cap_over_others` times the mean of
/// the others. Applied once each, in that order, as the MHLW device example does (A left out,
/// E then capped).
pub fn foreign_average(prices: &ForeignPrices, rules: &ForeignRules) -> ForeignAverage {
    let mut notes = Vec::new();
    let mut p: Vec<(Country, f64)> = prices
        .yen
        .iter()
        .copied()
        .filter(|(c, x)| rules.countries.contains(c) && *x > 0.0)
        .collect();
    if (p.len() as f64) < rules.min_countries.value {
        notes.push(format!(
            "{} of the reference countries have a price; at least {} are needed",
            p.len(),
            rules.min_countries.value
        ));
        return ForeignAverage {
            average: None,
            notes,
        };
    }
    p.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (lowest, highest) = (p[0], p[p.len() - 1]);
    if highest.1 > rules.exclude_over_lowest.value * lowest.1 {
        notes.push(format!(
            "{} left out: above {} x the lowest ({})",
            highest.0.id(),
            rules.exclude_over_lowest.value,
            lowest.0.id()
        ));
        p.pop();
    }
    if let Some(cap) = rules.cap_over_others {
        if p.len() >= 3 {
            let n = p.len();
            let others = p[..n - 1].iter().map(|x| x.1).sum::<f64>() / (n - 1) as f64;
            if p[n - 1].1 > cap.value * others {
                notes.push(format!(
                    "{} counted as {} x the others' mean ({:.1})",
                    p[n - 1].0.id(),
                    cap.value,
                    others
                ));
                p[n - 1].1 = cap.value * others;
            }
        }
    }
    let average = p.iter().map(|x| x.1).sum::<f64>() / p.len() as f64;
    ForeignAverage {
        average: Some(average),
        notes,
    }
}

/// The adjusted price: reduced above `reduce_above` times the average, raised below
/// `raise_below` (at most `raise_cap` times the price), unchanged between. The comparison is
/// strict (上回る, 下回る).
pub fn adjust(price: f64, average: f64, rules: &ForeignRules) -> f64 {
    if average.is_nan() || average <= 0.0 {
        return price;
    }
    let ratio = price / average;
    if ratio > rules.reduce_above.value {
        match rules.reduce_formula {
            Some((a, b)) => (a.value * ratio + b.value) * average,
            None => rules.reduce_above.value * average,
        }
    } else if rules.raise_below.is_some_and(|r| ratio < r.value) {
        let (a, b) = rules.raise_formula;
        ((a.value * ratio + b.value) * average).min(rules.raise_cap.value * price)
    } else {
        price
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices(list: &[(Country, f64)]) -> ForeignPrices {
        ForeignPrices {
            yen: list.to_vec(),
            conversions: Vec::new(),
            rules: None,
        }
    }

    #[test]
    fn the_mhlw_device_example_leaves_a_out_and_caps_e() {
        // 令和4年度保険医療材料制度改革の概要 p23 (wic-net 1038/23): A 30,710, E 21,242, B 8,921,
        // C 7,383, D 3,745. A is above 2.5 x 3,745 = 9,362.5 and is left out; E is above 1.6 x
        // the mean of B, C and D (6,683), so it counts as 10,692.8; the average is
        // (10,692.8 + 8,921 + 7,383 + 3,745) / 4 = 7,685.45. (The sheet names countries A to E;
        // any five stand for them here.)
        let p = prices(&[
            (Country::Us, 30_710.0),
            (Country::Au, 21_242.0),
            (Country::Uk, 8_921.0),
            (Country::De, 7_383.0),
            (Country::Fr, 3_745.0),
        ]);
        let avg = foreign_average(&p, &DEVICE_FY2022);
        assert!((avg.average.unwrap() - 7_685.45).abs() < 1e-9, "{avg:?}");
        assert_eq!(avg.notes.len(), 2);
        // On the drug route Australia is not a reference country, and no cap on the highest was
        // read: the US price (above 3 x the lowest) is left out, the rest averaged:
        // (8,921 + 7,383 + 3,745) / 3 = 6,683.
        let drug = foreign_average(&p, &DRUG);
        assert_eq!(drug.average, Some(6_683.0));
    }

    #[test]
    fn two_prices_far_apart_leave_the_lower_as_the_average() {
        let p = prices(&[(Country::Us, 100.0), (Country::Uk, 30.0)]);
        assert_eq!(foreign_average(&p, &DEVICE_FY2022).average, Some(30.0));
        let one = prices(&[(Country::Us, 100.0)]);
        assert_eq!(foreign_average(&one, &DRUG).average, None);
    }

    #[test]
    fn the_device_route_caps_at_one_and_a_quarter_and_never_raises() {
        assert_eq!(adjust(200.0, 100.0, &DEVICE_FY2022), 125.0);
        assert_eq!(adjust(125.0, 100.0, &DEVICE_FY2022), 125.0);
        assert_eq!(adjust(200.0, 100.0, &DEVICE_FY2018), 130.0);
        assert_eq!(adjust(10.0, 100.0, &DEVICE_FY2022), 10.0);
    }

    #[test]
    fn the_drug_route_moves_both_ways_and_a_raise_at_most_doubles() {
        // Above: (1/3 x 2 + 5/6) x 100 = 150; below: (1/3 x 0.6 + 1/2) x 100 = 70; at 0.2 the
        // formula gives 56.7, held to 2 x 20 = 40. Between the triggers nothing moves.
        assert!((adjust(200.0, 100.0, &DRUG) - 150.0).abs() < 1e-9);
        assert!((adjust(60.0, 100.0, &DRUG) - 70.0).abs() < 1e-9);
        assert!((adjust(20.0, 100.0, &DRUG) - 40.0).abs() < 1e-9);
        assert_eq!(adjust(76.88, 100.0, &DRUG), 76.88);
        assert_eq!(adjust(125.0, 100.0, &DRUG), 125.0);
    }
}
