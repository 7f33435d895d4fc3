//! `[supply]` (manufacturing, failure, quality, import, fresh products, centres, post-approval
//! obligations, distribution, launch delay) and `[levers]`, which switch parts of it.

use toml::Spanned;

use super::Validator;
use crate::scenario::raw::{self, ExprSource, RawScenario};
use crate::scenario::supply::{Bearer, LEVERS, Levers, OosPolicy, SupplySpec};

/// Compiles `[supply]` (and `[levers]`) into a [`SupplySpec`].
pub(super) fn supply_spec<'a>(
    v: &mut Validator,
    sp: &'a raw::RawSupply,
    levers: Option<&Spanned<raw::RawLevers>>,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> SupplySpec {
    use crate::scenario::supply::SupplyField as F;
    let mut given: Vec<(&'a Spanned<ExprSource>, F)> = Vec::new();
    let mut follow_up_bearer = Bearer::Maker;
    let mut add = |x: &'a Option<Spanned<ExprSource>>, f: F| {
        if let Some(x) = x {
            given.push((x, f));
        }
    };
    add(&sp.lead_time_days, F::LeadTimeDays);
    add(&sp.waiting_loss_rate, F::WaitingLossRate);
    if let Some(m) = &sp.manufacturing {
        let m = m.get_ref();
        add(&m.materials_per_batch, F::MaterialsPerBatch);
        add(&m.labour_hours_per_batch, F::LabourHoursPerBatch);
        add(&m.labour_rate, F::LabourRate);
        add(&m.overhead_per_batch, F::OverheadPerBatch);
        add(&m.doses_per_batch, F::DosesPerBatch);
        add(&m.fixed_cost_per_year, F::FixedCostPerYear);
        add(&m.patients_per_year, F::PatientsPerYear);
    }
    if let Some(f) = &sp.failure {
        let f = f.get_ref();
        add(&f.probability, F::FailureProbability);
        add(&f.remanufacture_delay_days, F::RemanufactureDelayDays);
        add(&f.oos_relative_effect, F::OosRelativeEffect);
    }
    if let Some(q) = &sp.quality {
        let q = q.get_ref();
        add(&q.release_test_per_batch, F::ReleaseTestPerBatch);
        add(&q.consumed_share, F::QcConsumedShare);
        add(&q.stability_per_year, F::StabilityPerYear);
    }
    if let Some(i) = &sp.import {
        let i = i.get_ref();
        add(&i.retest_per_batch, F::ImportRetestPerBatch);
        add(&i.retest_delay_days, F::ImportRetestDelayDays);
        add(&i.consumed_share, F::ImportConsumedShare);
    }
    if let Some(fr) = &sp.fresh {
        let fr = fr.get_ref();
        add(&fr.transit_median_days, F::TransitMedianDays);
        add(&fr.transit_sdlog, F::TransitSdlog);
        add(&fr.shelf_life_days, F::ShelfLifeDays);
    }
    if let Some(c) = &sp.centres {
        let c = c.get_ref();
        add(&c.cost_per_year, F::CentreCostPerYear);
        add(&c.patients_per_centre_per_year, F::PatientsPerCentrePerYear);
        add(&c.manufacturers_sharing, F::ManufacturersSharing);
    }
    if let Some(p) = &sp.post_approval {
        let p = p.get_ref();
        add(&p.probability, F::PostApprovalProbability);
        add(&p.one_off, F::PostApprovalOneOff);
        add(&p.per_year, F::PostApprovalPerYear);
        add(&p.years, F::PostApprovalYears);
        add(&p.confirmatory_study, F::ConfirmatoryStudy);
        add(&p.patients_over_lifetime, F::PatientsOverLifetime);
        add(&p.follow_up_per_year, F::FollowUpPerYear);
        add(&p.follow_up_years, F::FollowUpYears);
        if let Some(b) = &p.follow_up_paid_by {
            match b.get_ref().as_str() {
                "maker" => follow_up_bearer = Bearer::Maker,
                "insurer" => follow_up_bearer = Bearer::Insurer,
                other => v.err(
                    &b.span(),
                    format!("follow_up_paid_by: unknown payer `{other}`; expected maker (a post-marketing follow-up study) or insurer (follow-up visits and tests billed to health insurance)"),
                ),
            }
        }
    }
    if let Some(d) = &sp.distribution {
        let d = d.get_ref();
        add(&d.shipment, F::ShipmentCost);
        add(&d.handling, F::HandlingCost);
    }
    if let Some(l) = &sp.launch_delay {
        let l = l.get_ref();
        add(&l.months, F::LaunchDelayMonths);
        add(&l.eligible_per_year, F::EligiblePerYear);
        add(&l.share_of_gain_lost_waiting, F::ShareOfGainLostWaiting);
    }
    let fields = given
        .into_iter()
        .filter_map(|(x, f)| v.compile(x, resolve).map(|e| (f, e)))
        .collect();

    let failure = sp.failure.as_ref().map(|f| f.get_ref());
    let oos_policy = match failure.and_then(|f| f.policy.as_ref()) {
        None => OosPolicy::Remanufacture,
        Some(p) => match p.get_ref().as_str() {
            "remanufacture" => OosPolicy::Remanufacture,
            "supply_oos" => OosPolicy::SupplyOos,
            "no_treatment" => OosPolicy::NoTreatment,
            other => {
                v.err(&p.span(), format!("unknown failure policy `{other}`; expected remanufacture, supply_oos or no_treatment"));
                OosPolicy::Remanufacture
            }
        },
    };
    let max_attempts = match failure.and_then(|f| f.max_attempts.as_ref()) {
        None => 1,
        Some(n) => v
            .number(n, "max_attempts", |x| {
                if (1.0..=20.0).contains(&x) && x.fract() == 0.0 {
                    Ok(())
                } else {
                    Err("expected a whole number of attempts from 1 to 20".into())
                }
            })
            .map_or(1, |x| x as u32),
    };
    if let (Some(n), Some(f)) = (failure.and_then(|f| f.max_attempts.as_ref()), failure) {
        if f.policy
            .as_ref()
            .is_some_and(|p| p.get_ref() != "remanufacture")
        {
            v.err(
                &n.span(),
                "max_attempts applies only to the remanufacture policy",
            );
        }
    }
    let mut lv = Levers::default();
    if let Some(l) = levers {
        for lever in &LEVERS {
            if let Some(b) = (lever.raw)(l.get_ref()) {
                (lever.set)(&mut lv, *b.get_ref());
            }
        }
    }
    SupplySpec {
        fields,
        oos_policy,
        max_attempts,
        imported: sp.import.is_some(),
        fresh: sp.fresh.is_some(),
        levers: lv,
        follow_up_bearer,
    }
}

/// `[levers]` without `[supply]` is an error.
pub(super) fn levers_without_supply(v: &mut Validator, raw: &RawScenario) {
    if let (None, Some(l)) = (&raw.supply, &raw.levers) {
        v.err(
            &l.span(),
            "[levers] switch parts of the [supply] block, which this scenario does not have",
        );
    }
}
