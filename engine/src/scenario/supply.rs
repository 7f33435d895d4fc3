//! The compiled `[supply]` and `[levers]` blocks: which supply inputs a scenario sets and by
//! what expressions, the policy after a failed batch, and the proposal's policy levers. Plain
//! data; [`crate::supply`] evaluates it per draw.

use toml::Spanned;

use super::raw::RawLevers;
use crate::error::Located;
use crate::expr::Expr;

/// What happens when a patient's batch fails its release specification (out of specification,
/// OOS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OosPolicy {
    /// Make the batch again, up to a number of attempts in all; after the last failure the
    /// patient goes untreated.
    #[default]
    Remanufacture,
    /// Supply the failed batch through a special pathway (as the US and EU allow), with its
    /// own relative effectiveness.
    SupplyOos,
    /// The patient goes untreated after the first failure.
    NoTreatment,
}

/// The policy levers of the proposal, each a switch a scenario can flip. The default is the
/// scenario as today's rules have it: nothing switched on, and the post-approval burden priced
/// in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Levers {
    /// Accept the foreign manufacturer's certificate of analysis instead of re-testing imported
    /// batches in Japan.
    pub accept_foreign_certificate: bool,
    /// Supply out-of-specification autologous products instead of the scenario's own policy.
    pub supply_oos: bool,
    /// Treatment centres are qualified once under a shared accreditation scheme instead of by
    /// every manufacturer.
    pub shared_accreditation: bool,
    /// Count the post-approval testing burden in the cost per patient that prices recover.
    pub price_post_approval: bool,
}

impl Default for Levers {
    fn default() -> Self {
        let mut l = Levers {
            accept_foreign_certificate: false,
            supply_oos: false,
            shared_accreditation: false,
            price_post_approval: false,
        };
        for lever in &LEVERS {
            (lever.set)(&mut l, lever.default);
        }
        l
    }
}

/// A lever: its name in `[levers]`, its value when a scenario does not set it, and how to read
/// and set it. The one list of levers: validation, the levers analysis and the report read it.
pub struct Lever {
    /// Its key in `[levers]`.
    pub name: &'static str,
    /// Its value in a scenario that does not set it (today's rules).
    pub default: bool,
    /// Reads it.
    pub get: fn(&Levers) -> bool,
    /// Sets it.
    pub set: fn(&mut Levers, bool),
    /// Where the scenario file sets it.
    pub(crate) raw: fn(&RawLevers) -> &Option<Spanned<bool>>,
}

/// Who pays for a supply cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bearer {
    /// The manufacturer (marketing authorisation holder): the price has to cover it.
    #[default]
    Maker,
    /// The treating hospital (paid through the fee schedule, not the product's price).
    Hospital,
    /// Health insurance, outside the product's price (follow-up visits and tests).
    Insurer,
}

impl Bearer {
    /// Its id in scenario files.
    pub fn id(self) -> &'static str {
        match self {
            Bearer::Maker => "maker",
            Bearer::Hospital => "hospital",
            Bearer::Insurer => "insurer",
        }
    }
}

/// Every lever, in the order they are reported.
pub const LEVERS: [Lever; 4] = [
    Lever {
        name: "accept_foreign_certificate",
        default: false,
        get: |l| l.accept_foreign_certificate,
        set: |l, v| l.accept_foreign_certificate = v,
        raw: |r| &r.accept_foreign_certificate,
    },
    Lever {
        name: "supply_oos",
        default: false,
        get: |l| l.supply_oos,
        set: |l, v| l.supply_oos = v,
        raw: |r| &r.supply_oos,
    },
    Lever {
        name: "shared_accreditation",
        default: false,
        get: |l| l.shared_accreditation,
        set: |l, v| l.shared_accreditation = v,
        raw: |r| &r.shared_accreditation,
    },
    Lever {
        name: "price_post_approval",
        default: true,
        get: |l| l.price_post_approval,
        set: |l, v| l.price_post_approval = v,
        raw: |r| &r.price_post_approval,
    },
];

/// The levers `to` sets otherwise than `from`, by name in `[levers]`, with their new value.
pub fn changed(from: &Levers, to: &Levers) -> Vec<(&'static str, bool)> {
    LEVERS
        .iter()
        .filter(|l| (l.get)(from) != (l.get)(to))
        .map(|l| (l.name, (l.get)(to)))
        .collect()
}

/// A per-draw supply input that a scenario can set, with the key it is written under in the
/// scenario's `[supply]` block and the values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SupplyField {
    /// `lead_time_days`
    LeadTimeDays,
    /// `waiting_loss_rate`
    WaitingLossRate,
    /// `manufacturing.materials_per_batch`
    MaterialsPerBatch,
    /// `manufacturing.labour_hours_per_batch`
    LabourHoursPerBatch,
    /// `manufacturing.labour_rate`
    LabourRate,
    /// `manufacturing.overhead_per_batch`
    OverheadPerBatch,
    /// `manufacturing.doses_per_batch`
    DosesPerBatch,
    /// `manufacturing.fixed_cost_per_year`
    FixedCostPerYear,
    /// `manufacturing.patients_per_year`
    PatientsPerYear,
    /// `failure.probability`
    FailureProbability,
    /// `failure.remanufacture_delay_days`
    RemanufactureDelayDays,
    /// `failure.oos_relative_effect`
    OosRelativeEffect,
    /// `quality.release_test_per_batch`
    ReleaseTestPerBatch,
    /// `quality.consumed_share`
    QcConsumedShare,
    /// `quality.stability_per_year`
    StabilityPerYear,
    /// `import.retest_per_batch`
    ImportRetestPerBatch,
    /// `import.retest_delay_days`
    ImportRetestDelayDays,
    /// `import.consumed_share`
    ImportConsumedShare,
    /// `fresh.transit_median_days`
    TransitMedianDays,
    /// `fresh.transit_sdlog`
    TransitSdlog,
    /// `fresh.shelf_life_days`
    ShelfLifeDays,
    /// `centres.cost_per_year`
    CentreCostPerYear,
    /// `centres.patients_per_centre_per_year`
    PatientsPerCentrePerYear,
    /// `centres.manufacturers_sharing`
    ManufacturersSharing,
    /// `post_approval.probability`
    PostApprovalProbability,
    /// `post_approval.one_off`
    PostApprovalOneOff,
    /// `post_approval.per_year`
    PostApprovalPerYear,
    /// `post_approval.years`
    PostApprovalYears,
    /// `post_approval.confirmatory_study`
    ConfirmatoryStudy,
    /// `post_approval.patients_over_lifetime`
    PatientsOverLifetime,
    /// `post_approval.follow_up_per_year`
    FollowUpPerYear,
    /// `post_approval.follow_up_years`
    FollowUpYears,
    /// `distribution.shipment`
    ShipmentCost,
    /// `distribution.handling`
    HandlingCost,
    /// `launch_delay.months`
    LaunchDelayMonths,
    /// `launch_delay.eligible_per_year`
    EligiblePerYear,
    /// `launch_delay.share_of_gain_lost_waiting`
    ShareOfGainLostWaiting,
}

/// The values a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepts {
    NonNegative,
    Share,
    AtLeastOne,
    Positive,
}

impl SupplyField {
    /// The key under `[supply]`, e.g. `failure.probability`.
    pub fn key(self) -> &'static str {
        self.describe().0
    }

    pub(crate) fn describe(self) -> (&'static str, Accepts) {
        use Accepts::*;
        use SupplyField::*;
        match self {
            LeadTimeDays => ("lead_time_days", NonNegative),
            WaitingLossRate => ("waiting_loss_rate", NonNegative),
            MaterialsPerBatch => ("manufacturing.materials_per_batch", NonNegative),
            LabourHoursPerBatch => ("manufacturing.labour_hours_per_batch", NonNegative),
            LabourRate => ("manufacturing.labour_rate", NonNegative),
            OverheadPerBatch => ("manufacturing.overhead_per_batch", NonNegative),
            DosesPerBatch => ("manufacturing.doses_per_batch", AtLeastOne),
            FixedCostPerYear => ("manufacturing.fixed_cost_per_year", NonNegative),
            PatientsPerYear => ("manufacturing.patients_per_year", Positive),
            FailureProbability => ("failure.probability", Share),
            RemanufactureDelayDays => ("failure.remanufacture_delay_days", NonNegative),
            OosRelativeEffect => ("failure.oos_relative_effect", Share),
            ReleaseTestPerBatch => ("quality.release_test_per_batch", NonNegative),
            QcConsumedShare => ("quality.consumed_share", Share),
            StabilityPerYear => ("quality.stability_per_year", NonNegative),
            ImportRetestPerBatch => ("import.retest_per_batch", NonNegative),
            ImportRetestDelayDays => ("import.retest_delay_days", NonNegative),
            ImportConsumedShare => ("import.consumed_share", Share),
            TransitMedianDays => ("fresh.transit_median_days", Positive),
            TransitSdlog => ("fresh.transit_sdlog", NonNegative),
            ShelfLifeDays => ("fresh.shelf_life_days", Positive),
            CentreCostPerYear => ("centres.cost_per_year", NonNegative),
            PatientsPerCentrePerYear => ("centres.patients_per_centre_per_year", Positive),
            ManufacturersSharing => ("centres.manufacturers_sharing", AtLeastOne),
            PostApprovalProbability => ("post_approval.probability", Share),
            PostApprovalOneOff => ("post_approval.one_off", NonNegative),
            PostApprovalPerYear => ("post_approval.per_year", NonNegative),
            PostApprovalYears => ("post_approval.years", NonNegative),
            ConfirmatoryStudy => ("post_approval.confirmatory_study", NonNegative),
            PatientsOverLifetime => ("post_approval.patients_over_lifetime", AtLeastOne),
            FollowUpPerYear => ("post_approval.follow_up_per_year", NonNegative),
            FollowUpYears => ("post_approval.follow_up_years", NonNegative),
            ShipmentCost => ("distribution.shipment", NonNegative),
            HandlingCost => ("distribution.handling", NonNegative),
            LaunchDelayMonths => ("launch_delay.months", NonNegative),
            EligiblePerYear => ("launch_delay.eligible_per_year", NonNegative),
            ShareOfGainLostWaiting => ("launch_delay.share_of_gain_lost_waiting", Share),
        }
    }
}

/// A scenario's `[supply]` block, compiled: expressions for the inputs it sets, and the choices
/// that are not numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplySpec {
    /// Inputs set by expressions over the parameters.
    pub fields: Vec<(SupplyField, Located<Expr>)>,
    /// The policy after a failed batch.
    pub oos_policy: OosPolicy,
    /// Manufacturing attempts in all under re-manufacture.
    pub max_attempts: u32,
    /// Whether `[supply.import]` is given: the product is made abroad.
    pub imported: bool,
    /// Whether `[supply.fresh]` is given: the product ships fresh.
    pub fresh: bool,
    /// The scenario's lever settings (`[levers]`).
    pub levers: Levers,
    /// Who pays for long-term follow-up (`[supply.post_approval] follow_up_paid_by`): the maker
    /// for a post-marketing follow-up study, the insurer for follow-up visits and tests.
    pub follow_up_bearer: Bearer,
}
