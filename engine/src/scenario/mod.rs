//! Scenario files: what an analyst writes to describe a product, its comparator and the
//! uncertainty around both.
//!
//! A scenario is a TOML file (documented key by key in `models/README.md`). [`Scenario::parse`]
//! reads it, checks every value and reference, and returns either a validated [`Scenario`] or
//! every problem found, each located at a file, line and column ([`ScenarioErrors`]). Parameters
//! and derived quantities share one numbering of *slots*: parameters first (in name order), then
//! derived quantities in evaluation order, so a compiled [`Expr`] reads its inputs from one slice.

pub mod budget;
pub mod payments;
pub mod pricing;
mod raw;
pub mod supply;
mod validate;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::distribution::{Dirichlet, Distribution};
use crate::error::{Loc, Located};
pub use crate::error::{ScenarioError, ScenarioErrors, SourceText};
use crate::expr::Expr;

/// A text in Japanese and English. Either may be empty when the scenario gives only one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Bilingual {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

/// A text readers see beside a number or a reference (a parameter's unit or note, a source's
/// note), in Japanese and English, with the place it is written so that a missing language can
/// be pointed at. A plain string in the file is English only (`ja` empty).
pub type Text = Located<Bilingual>;

/// The kind of regenerative medicine product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductType {
    /// Made from the patient's own cells (e.g. CAR-T, HeartSheet).
    AutologousCell,
    /// Made from donor cells, many patients per batch (e.g. mesenchymal stromal cells).
    AllogeneicCell,
    /// A viral-vector gene therapy (e.g. AAV, lentiviral).
    ViralVectorGeneTherapy,
    /// An engineered tissue (e.g. cultured skin, cartilage).
    EngineeredTissue,
}

impl ProductType {
    /// Every kind with its spelling in scenario files.
    pub const ALL: [(&'static str, ProductType); 4] = [
        ("autologous_cell", ProductType::AutologousCell),
        ("allogeneic_cell", ProductType::AllogeneicCell),
        (
            "viral_vector_gene_therapy",
            ProductType::ViralVectorGeneTherapy,
        ),
        ("engineered_tissue", ProductType::EngineeredTissue),
    ];
}

/// A source that parameters cite.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// Short identifier used by parameters.
    pub id: String,
    /// Full citation, as a reader would look it up: a plain string in the file (English or the
    /// source's own language) is `en` only; the project's own sources (its assumptions) may
    /// give both languages.
    pub citation: Bilingual,
    /// A note shown under the citation (how the source was read, what could not be checked).
    pub note: Option<Text>,
    /// Where to read it, if online.
    pub url: Option<String>,
    /// Publication or access date, as written (TOML date).
    pub date: Option<String>,
}

/// How a cycle's value is counted from the occupancy at its start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WithinCycleCorrection {
    /// Half of the start and half of the end occupancy (the life-table method); discounted at
    /// the middle of the cycle.
    Trapezoid,
    /// The occupancy at the start of the cycle, discounted at the start.
    StartOfCycle,
    /// The occupancy at the end of the cycle, discounted at the end.
    EndOfCycle,
}

/// Model-wide settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Settings {
    /// Currency of every cost (only `JPY` for now).
    pub currency: String,
    /// Annual discount rate for costs (Japan's guideline: 2%).
    pub discount_rate_costs: f64,
    /// Annual discount rate for QALYs (Japan's guideline: 2%).
    pub discount_rate_outcomes: f64,
    /// Cycles per year; the cycle length is its inverse.
    pub cycles_per_year: u32,
    /// Time horizon in years.
    pub horizon_years: u32,
    /// Age of the cohort at the start.
    pub start_age: f64,
    /// How occupancy is counted within a cycle.
    pub within_cycle_correction: WithinCycleCorrection,
    /// Willingness-to-pay values, yen per QALY, for threshold prices.
    pub wtp: Vec<f64>,
}

impl Settings {
    /// The number of cycles in the horizon.
    pub fn cycles(&self) -> usize {
        self.cycles_per_year as usize * self.horizon_years as usize
    }
    /// The cycle length in years.
    pub fn cycle_years(&self) -> f64 {
        1.0 / f64::from(self.cycles_per_year)
    }
}

/// Which sex a life table describes for the cohort.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Men only.
    Male,
    /// Women only.
    Female,
    /// A cohort with this share of men at the start.
    Mixed {
        /// Share of men at the starting age.
        male_share: f64,
    },
}

/// Background (all-cause) mortality applied to every living state, scaled by the state's
/// hazard ratio.
#[derive(Debug, Clone, PartialEq)]
pub enum Mortality {
    /// Gompertz law: hazard per year `a * exp(b * age)`.
    Gompertz {
        /// Hazard at age 0.
        a: f64,
        /// Rate of increase with age.
        b: f64,
    },
    /// An abridged life table: probability of death within a year, by integer age.
    LifeTable {
        /// The file, as written in the scenario.
        file: String,
        /// First age in the table.
        first_age: u32,
        /// qx for men, from `first_age` upwards.
        male_qx: Vec<f64>,
        /// qx for women, from `first_age` upwards.
        female_qx: Vec<f64>,
        /// Which column(s) to use.
        sex: Sex,
    },
}

/// An uncertain input.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Name used in expressions.
    pub name: String,
    /// Base-case value (the deterministic run).
    pub base: f64,
    /// Distribution for the probabilistic analysis (`Fixed` for Dirichlet components, which
    /// are drawn by their group).
    pub distribution: Distribution,
    /// The source id it cites.
    pub source: String,
    /// A readable name.
    pub label: Bilingual,
    /// Unit, in Japanese and English (English only when written as a plain string).
    pub unit: Option<Text>,
    /// A note on where the number comes from or why the distribution was chosen, in Japanese
    /// and English (for a Dirichlet component, its group's note).
    pub note: Option<Text>,
    /// The Dirichlet group it belongs to, if any.
    pub dirichlet: Option<usize>,
    /// Where it is defined.
    pub loc: Loc,
}

/// Shares that must sum to one, drawn together.
#[derive(Debug, Clone, PartialEq)]
pub struct DirichletGroup {
    /// Group name.
    pub name: String,
    /// Parameter indices of the components, in the order written.
    pub components: Vec<usize>,
    /// The distribution.
    pub distribution: Dirichlet,
}

/// Parameters drawn through a Gaussian copula with the given correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// Parameter indices, in matrix order.
    pub parameters: Vec<usize>,
    /// Lower-triangular Cholesky factor of the correlation matrix, row-major.
    pub cholesky: Vec<Vec<f64>>,
}

/// A quantity computed from parameters for every draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Name used in expressions.
    pub name: String,
    /// The expression, as written.
    pub text: String,
    /// Compiled form.
    pub expr: Expr,
}

/// A health state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Identifier.
    pub id: String,
    /// A readable name.
    pub label: Bilingual,
    /// Whether this is the (single) dead state.
    pub dead: bool,
    /// Utility weight per year in this state.
    pub utility: Located<Expr>,
    /// Hazard ratio applied to background mortality in this state.
    pub mortality_hr: Located<Expr>,
}

/// How a transition's probability is specified. Times are years since the start of the model
/// (the cohort's clock), not time in the state.
#[derive(Debug, Clone, PartialEq)]
pub enum TransitionLaw {
    /// A probability per cycle.
    CycleProbability(Located<Expr>),
    /// A probability per year, converted to a cycle as `1 - (1 - p)^(1/cycles_per_year)`.
    AnnualProbability(Located<Expr>),
    /// A constant rate per year.
    Rate(Located<Expr>),
    /// Exponential survival: `H(t) = rate * t`.
    Exponential {
        /// Rate per year.
        rate: Located<Expr>,
    },
    /// Weibull survival: `H(t) = (t / scale)^shape`.
    Weibull {
        /// Shape.
        shape: Located<Expr>,
        /// Scale in years.
        scale: Located<Expr>,
    },
    /// Gompertz survival: `H(t) = rate / shape * (exp(shape * t) - 1)`.
    Gompertz {
        /// Shape per year (may be negative).
        shape: Located<Expr>,
        /// Initial hazard per year.
        rate: Located<Expr>,
    },
    /// Log-logistic survival: `S(t) = 1 / (1 + (t / scale)^shape)`.
    LogLogistic {
        /// Shape.
        shape: Located<Expr>,
        /// Scale in years (the median).
        scale: Located<Expr>,
    },
    /// Lognormal survival: `S(t) = 1 - Phi((ln t - meanlog) / sdlog)`.
    LogNormal {
        /// Mean of log time (years).
        meanlog: Located<Expr>,
        /// Standard deviation of log time.
        sdlog: Located<Expr>,
    },
}

impl TransitionLaw {
    /// Whether the law changes with time (a parametric survival curve).
    pub fn is_time_dependent(&self) -> bool {
        !matches!(
            self,
            TransitionLaw::CycleProbability(_)
                | TransitionLaw::AnnualProbability(_)
                | TransitionLaw::Rate(_)
        )
    }
}

/// A transition between two states within one arm.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Source state index.
    pub from: usize,
    /// Destination state index.
    pub to: usize,
    /// How likely it is.
    pub law: TransitionLaw,
    /// Multiplies the hazard (time-dependent laws and rates).
    pub hazard_ratio: Option<Located<Expr>>,
    /// Mixture cure: this fraction never makes the transition (`S = pi + (1 - pi) S_u`).
    pub cure_fraction: Option<Located<Expr>>,
    /// Where it is defined.
    pub loc: Loc,
}

/// When and how a cost accrues.
#[derive(Debug, Clone, PartialEq)]
pub enum CostKind {
    /// While in any of `states`, each cycle, within the window `[from_year, until_year)`
    /// (a cycle counts when its midpoint lies inside).
    State {
        /// State indices.
        states: Vec<usize>,
        /// Amount per cycle (already converted from per year when written so).
        amount: Located<Expr>,
        /// Whether the amount was written per year (then multiplied by the cycle length).
        per_year: bool,
        /// Window start, years.
        from_year: f64,
        /// Window end, years (infinite for no end).
        until_year: f64,
    },
    /// Once, at the start, undiscounted.
    Once {
        /// Amount.
        amount: Located<Expr>,
    },
    /// Each time someone enters `state` (from another state).
    OnEntry {
        /// State index.
        state: usize,
        /// Amount per entry.
        amount: Located<Expr>,
    },
}

/// A cost item, shared by all arms or specific to one.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Name (unique within an arm).
    pub name: String,
    /// A readable name.
    pub label: Bilingual,
    /// A free category for grouping in reports (e.g. "follow-up").
    pub category: Option<String>,
    /// When it accrues.
    pub kind: CostKind,
}

/// A treatment strategy: where the cohort starts, how it moves and what it costs.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Identifier.
    pub id: String,
    /// A readable name.
    pub label: Bilingual,
    /// Initial occupancy by state (states not listed start empty).
    pub initial: Vec<(usize, Located<Expr>)>,
    /// Where the initial occupancy is written.
    pub initial_loc: Loc,
    /// Transitions.
    pub transitions: Vec<Transition>,
    /// Costs: the scenario-wide ones first, then the arm's own.
    pub costs: Vec<Cost>,
    /// QALYs gained (or lost, if negative) once at the start, undiscounted.
    pub one_time_qalys: Option<Located<Expr>>,
}

/// Scenario identity and description.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Meta {
    /// Short identifier (used in file names and URLs).
    pub id: String,
    /// Title.
    pub title: Bilingual,
    /// Summary.
    pub summary: Bilingual,
    /// The question the scenario answers, in plain words (the site's home page lists scenarios
    /// by it); empty when not given.
    pub question: Bilingual,
    /// A few words naming the scenario where its title is too long (an overview chart's
    /// group headings); empty when not given, when the title serves.
    pub short_title: Bilingual,
    /// Kind of product.
    pub product_type: ProductType,
}

/// A scenario file's text and the text of every file it reads (life tables), by the path it
/// names them with: what [`Scenario::parse`] needs to read the scenario again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScenarioFiles {
    /// The scenario's name in messages (`models/x.toml`).
    pub file: String,
    /// The scenario text (TOML).
    pub text: String,
    /// Every file the scenario reads, by the path it is written with.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
}

impl ScenarioFiles {
    /// Reads scenario file `path` and every file it reads, naming it `file` in messages
    /// ([`Scenario::load_as`]).
    pub fn read(path: &Path, file: &str) -> Result<ScenarioFiles, ScenarioErrors> {
        Scenario::load_as(path, file).map(|(_, files)| files)
    }

    /// Parses the scenario again from these texts alone.
    pub fn parse(&self) -> Result<Scenario, ScenarioErrors> {
        Scenario::parse(&self.file, &self.text, &|p: &str| {
            self.files
                .get(p)
                .cloned()
                .ok_or_else(|| format!("`{p}` is not among the files read with the scenario"))
        })
    }
}

/// A validated scenario, ready to compile into a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The file name used in messages.
    pub file: String,
    /// SHA-256 (hex) of the scenario text and every file it reads, in order.
    pub hash: String,
    /// Identity and description.
    pub meta: Meta,
    /// Sources cited by parameters.
    pub sources: Vec<Source>,
    /// Model-wide settings.
    pub settings: Settings,
    /// Background mortality.
    pub mortality: Mortality,
    /// The source id cited for background mortality.
    pub mortality_source: String,
    /// Parameters, sorted by name; their index is their slot.
    pub parameters: Vec<Parameter>,
    /// Dirichlet groups.
    pub dirichlets: Vec<DirichletGroup>,
    /// Correlated groups.
    pub correlations: Vec<Correlation>,
    /// Derived quantities in evaluation order; slot = parameters.len() + index.
    pub derived: Vec<Derived>,
    /// Health states.
    pub states: Vec<State>,
    /// Arms.
    pub arms: Vec<Arm>,
    /// Index of the arm whose price is solved for.
    pub intervention: usize,
    /// Index of the comparator arm.
    pub comparator: usize,
    /// What making, testing and delivering the intervention takes (`[supply]`), if modelled.
    pub supply: Option<supply::SupplySpec>,
    /// How the pricing methods apply (`[pricing]`, defaults when absent).
    pub pricing: pricing::PricingSpec,
    /// How the price is paid (`[payments]`; present with defaults when only `[budget]` is
    /// given).
    pub payments: Option<payments::PaymentSpec>,
    /// The budget-impact analysis (`[budget]`), if asked for.
    pub budget: Option<budget::BudgetSpec>,
    /// The scenario again with some parameters set otherwise (`[[variants]]`).
    pub variants: Vec<Variant>,
    /// The parameters behind the calculator's controls (`[calculator]`), in
    /// [`ControlKind::ALL`] order.
    pub controls: Vec<Control>,
    /// Parameters held at a value chosen by the user ([`Scenario::hold`]), in the order held.
    pub held: Vec<(String, f64)>,
}

/// What a calculator control stands for. Each scenario names the parameter behind each kind it
/// has (`[calculator]`), since every product expresses, say, durability in its own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlKind {
    /// How long the benefit lasts.
    Durability,
    /// Response or cure rate.
    Response,
    /// Manufacturing failure rate.
    Failure,
    /// Quality-control (release testing) cost.
    QcCost,
    /// Post-approval testing burden.
    PostApproval,
}

impl ControlKind {
    /// Every kind with its key in `[calculator]`, in the order controls are shown.
    pub const ALL: [(&'static str, ControlKind); 5] = [
        ("durability", ControlKind::Durability),
        ("response", ControlKind::Response),
        ("failure", ControlKind::Failure),
        ("qc_cost", ControlKind::QcCost),
        ("post_approval", ControlKind::PostApproval),
    ];

    /// Its key in `[calculator]`.
    pub fn key(self) -> &'static str {
        ControlKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(n, _)| n)
    }
}

/// One calculator control: the parameter it moves and a sensible range for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Control {
    /// What it stands for.
    pub kind: ControlKind,
    /// The parameter's index in [`Scenario::parameters`].
    pub parameter: usize,
    /// The low end of the range offered: the 1st percentile of the parameter's distribution
    /// (half the base case for a fixed parameter), never above the base case.
    pub min: f64,
    /// The high end: the 99th percentile (one and a half times the base case when fixed).
    pub max: f64,
}

impl Control {
    /// The range offered for a parameter.
    pub fn range(p: &Parameter) -> (f64, f64) {
        let (lo, hi) = match p.distribution {
            Distribution::Fixed { value } => {
                let (a, b) = (0.5 * value, 1.5 * value);
                (a.min(b), a.max(b))
            }
            ref d => (d.quantile(0.01), d.quantile(0.99)),
        };
        (lo.min(p.base), hi.max(p.base))
    }
}

/// What a variant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantRole {
    /// An assumption on how long the effect lasts (ICER's optimistic and conservative
    /// durability scenarios).
    Durability,
    /// A cap on the comparator's yearly treatment cost (ICER's shared-savings variant).
    OffsetCap,
    /// One patient population of several; the cost-effectiveness adjustment weights their
    /// ICERs by share.
    Population,
    /// Any other scenario analysis.
    Scenario,
}

impl VariantRole {
    /// The roles by name, as written in scenario files.
    pub const NAMES: [(&'static str, VariantRole); 4] = [
        ("durability", VariantRole::Durability),
        ("offset_cap", VariantRole::OffsetCap),
        ("population", VariantRole::Population),
        ("scenario", VariantRole::Scenario),
    ];
}

/// The scenario with some parameters set otherwise, evaluated on the same draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Identifier.
    pub id: String,
    /// What it is for.
    pub role: VariantRole,
    /// A readable name.
    pub label: Bilingual,
    /// Share of patients (populations only).
    pub share: Option<f64>,
    /// Parameter slots and the expressions that replace them, evaluated on the draw's own
    /// values (so `"min(c_proph, 1_250_000)"` caps a drawn cost).
    pub set: Vec<(usize, Located<Expr>)>,
    /// What the variant changes, as written: (parameter, expression), then
    /// (`settings.NAME`, rate) and (`levers.NAME`, switch) for each setting or lever it changes.
    pub set_text: Vec<(String, String)>,
    /// The scenario's settings with the variant's discount rates, if it changes them.
    pub settings: Option<Settings>,
    /// The scenario's levers with the variant's switches, if it flips any.
    pub levers: Option<supply::Levers>,
}

impl Variant {
    /// The scenario as this variant has it (settings and levers; parameters are set per draw
    /// by [`Variant::apply`]), or `None` when it changes neither.
    pub fn scenario(&self, sc: &Scenario) -> Option<Scenario> {
        if self.settings.is_none() && self.levers.is_none() {
            return None;
        }
        let mut v = sc.clone();
        if let Some(s) = &self.settings {
            v.settings = s.clone();
        }
        if let (Some(l), Some(supply)) = (self.levers, v.supply.as_mut()) {
            supply.levers = l;
        }
        Some(v)
    }

    /// Applies the variant to one draw's slots (parameters given; derived quantities are
    /// recomputed by the caller).
    pub fn apply(&self, from: &[f64], to: &mut [f64]) {
        to.copy_from_slice(from);
        for (slot, e) in &self.set {
            to[*slot] = e.value.eval(from);
        }
    }
}

impl Scenario {
    /// Parses and validates scenario `text`. `file` names it in messages; `read` returns the text
    /// of a file the scenario refers to (a life table), given the path as written.
    pub fn parse(
        file: &str,
        text: &str,
        read: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Scenario, ScenarioErrors> {
        validate::validate(file, text, read)
    }

    /// The `[pricing]` block as it stands at these slot values (the block itself when no input
    /// varies). Values outside the rules fall back to the block as written: the run has
    /// already reported such a draw as an error.
    pub fn pricing_at(&self, slots: &[f64]) -> std::borrow::Cow<'_, pricing::PricingSpec> {
        if self.pricing.varies() {
            std::borrow::Cow::Owned(
                self.pricing
                    .at(slots)
                    .unwrap_or_else(|_| self.pricing.clone()),
            )
        } else {
            std::borrow::Cow::Borrowed(&self.pricing)
        }
    }

    /// Sets the willingness-to-pay values the analyses use, as `tenbin run --wtp` does; the
    /// first becomes the value-based methods' too (in place of the reference value).
    pub fn set_wtp(&mut self, wtp: Vec<f64>) {
        self.pricing.value_based_wtp = wtp.first().copied();
        self.settings.wtp = wtp;
    }

    /// The numbers the scenario's `[[variants]]` set parameter `name` to, in variant order (a
    /// variant that sets it by an expression of other parameters gives none).
    pub fn variant_values(&self, name: &str) -> Vec<f64> {
        self.variants
            .iter()
            .flat_map(|v| &v.set_text)
            .filter(|(n, _)| n == name)
            .filter_map(|(_, text)| text.trim().replace('_', "").parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .collect()
    }

    /// Holds parameter `name` at `value` in the base case and in every draw (the calculator's
    /// controls and `tenbin run --hold`); every other parameter keeps its distribution and its
    /// own random stream, so its draws do not change. A held value must lie within the range the
    /// parameter's distribution allows, widened to every number the scenario's own variants set
    /// it to (the published alternatives it cites, such as an optimistic trial's cure fraction
    /// above the base range); any finite value for a fixed parameter, whose range is not known.
    /// The model still checks every value it uses. A share of a Dirichlet group cannot be held
    /// alone.
    pub fn hold(&mut self, name: &str, value: f64) -> Result<(), String> {
        let cited = self.variant_values(name);
        let Some(p) = self.parameters.iter_mut().find(|p| p.name == name) else {
            return Err(format!("`{name}` is not a parameter of this scenario"));
        };
        if p.dirichlet.is_some() {
            return Err(format!(
                "`{name}` is a share of a Dirichlet group, which must sum to one; it cannot be held alone"
            ));
        }
        let (lo, hi) = match p.distribution {
            Distribution::Fixed { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            ref d => cited
                .iter()
                .fold(d.support(), |(lo, hi), &v| (lo.min(v), hi.max(v))),
        };
        if !value.is_finite() || value < lo || value > hi {
            return Err(format!(
                "{value} is outside the range `{name}` can take; expected a value from {lo} to {hi}"
            ));
        }
        p.base = value;
        p.distribution = Distribution::Fixed { value };
        self.held.retain(|(n, _)| n != name);
        self.held.push((name.to_string(), value));
        Ok(())
    }

    /// Reads and validates a scenario file; files it refers to are resolved relative to it. The
    /// file is named in messages as `path` is written.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
        Scenario::load_as(path, &path.display().to_string()).map(|(sc, _)| sc)
    }

    /// The one scenario loader (the command line, the site and the calculator's bundles all use
    /// it): reads `path`, naming it `file` in messages, resolves the files it refers to relative
    /// to it, and returns the validated scenario with the text of everything it read, so that it
    /// can be parsed again without a disk (the calculator in the browser).
    pub fn load_as(path: &Path, file: &str) -> Result<(Scenario, ScenarioFiles), ScenarioErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: format!("cannot read the scenario file: {e}"),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let files = std::cell::RefCell::new(std::collections::BTreeMap::new());
        let read = |rel: &str| {
            let t = std::fs::read_to_string(dir.join(rel))
                .map_err(|e| format!("{}: {e}", dir.join(rel).display()))?;
            files.borrow_mut().insert(rel.to_string(), t.clone());
            Ok(t)
        };
        let sc = Scenario::parse(file, &text, &read)?;
        Ok((
            sc,
            ScenarioFiles {
                file: file.to_string(),
                text,
                files: files.into_inner(),
            },
        ))
    }

    /// The cost items by name: every arm's costs (the scenario-wide ones and the arm's own),
    /// each name once, in order of first appearance. Arms' costs of the same name are the same
    /// item, which is how costs are compared between arms (cost offsets).
    pub fn cost_items(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for c in self.arms.iter().flat_map(|a| &a.costs) {
            if !names.contains(&c.name.as_str()) {
                names.push(&c.name);
            }
        }
        names
    }

    /// Number of slots (parameters and derived quantities).
    pub fn slot_count(&self) -> usize {
        self.parameters.len() + self.derived.len()
    }

    /// The name of a slot.
    pub fn slot_name(&self, slot: usize) -> &str {
        if slot < self.parameters.len() {
            &self.parameters[slot].name
        } else {
            &self.derived[slot - self.parameters.len()].name
        }
    }

    /// The slot of a name, if it is a parameter or derived quantity.
    pub fn slot_of(&self, name: &str) -> Option<usize> {
        self.parameters
            .iter()
            .position(|p| p.name == name)
            .or_else(|| {
                self.derived
                    .iter()
                    .position(|d| d.name == name)
                    .map(|i| i + self.parameters.len())
            })
    }

    /// Evaluates derived quantities in order, given parameter values in the first slots.
    pub fn evaluate_derived(&self, slots: &mut [f64]) {
        let np = self.parameters.len();
        for (i, d) in self.derived.iter().enumerate() {
            slots[np + i] = d.expr.eval(slots);
        }
    }

    /// Index of an arm by id.
    pub fn arm_index(&self, id: &str) -> Option<usize> {
        self.arms.iter().position(|a| a.id == id)
    }
}

/// SHA-256 over the scenario text and the files it reads, hex-encoded. Each part is prefixed by
/// its length so that moving bytes between parts changes the hash.
pub(crate) fn content_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
