//! Plans used against their terms: a catalog plan may say it is for non-commercial use only
//! (`terms: {commercial: false, says: ...}`, Vercel Hobby). A scenario is a commercial system
//! unless it says `commercial: false`, and then every such plan it can run on (a stage the run
//! can reach, or the plan an upgrade moves a component to) is a warning at that component's
//! `plan` (or the upgrade's): terminal, report Notes and `check` say it.
//!
//! Why commercial by default: capsim plans systems that serve users, most of them businesses,
//! and a restriction that is wrong to assume away must be waived in writing, not by silence.

use super::ctx::Ctx;
use super::model::{Action, Stage, Trigger};
use std::collections::BTreeMap;

fn warn(cx: &mut Ctx, field: &str, provider: &str, plan: &str, says: &str) {
    cx.warn(
        field,
        format!(
            "`{provider}/{plan}` may not serve a commercial system: {says}; this scenario is commercial (`commercial: true` is the default): choose another plan, or say `commercial: false` if the system is personal and non-commercial"
        ),
    );
}

/// Warns for each non-commercial plan a commercial scenario can run on.
pub(super) fn check(
    cx: &mut Ctx,
    stages: &BTreeMap<String, Stage>,
    start: &str,
    triggers: &[(usize, Trigger)],
    commercial: bool,
) {
    if !commercial {
        return;
    }
    let all: Vec<Trigger> = triggers.iter().map(|(_, t)| t.clone()).collect();
    let catalog = cx.catalog;
    for name in super::trigger::reachable_stages(start, &all) {
        let Some(st) = stages.get(name) else { continue };
        for (path, b) in crate::infra::billings(st) {
            let (Some(pr), Some(pl)) = (&b.provider, &b.plan) else {
                continue;
            };
            if let Some(t) = catalog.plan(pr, pl).ok().and_then(|p| p.terms.as_ref()) {
                if !t.commercial {
                    warn(cx, &format!("stages.{name}.{path}.plan"), pr, pl, &t.says);
                }
            }
        }
    }
    for (i, t) in triggers {
        let Action::Upgrade(u) = &t.action else { continue };
        let Some(pl) = &u.plan else { continue };
        // The provider is the upgrade's, else the component's in the starting stage.
        let pr = u.provider.clone().or_else(|| {
            stages
                .get(start)
                .and_then(|st| crate::infra::billing_of(st, &u.component))
                .and_then(|b| b.provider.clone())
        });
        let Some(pr) = pr else { continue };
        if let Some(terms) = catalog.plan(&pr, pl).ok().and_then(|p| p.terms.as_ref()) {
            if !terms.commercial {
                warn(cx, &format!("triggers[{i}].action.upgrade.plan"), &pr, pl, &terms.says);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pricing::Catalog;
    use std::path::Path;

    /// The warnings of a one-stage scenario about terms, as text.
    fn warnings(extra: &str, frontend_plan: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.yaml");
        let text = format!(
            "name: t\nstage: s\nhorizon: 1d\ntraffic: {{arrival_rate: 1/s}}\n\
             requests: {{r: {{share: 100%, cpu: 10ms}}}}\n\
             stages: {{s: {{api: {{provider: railway, plan: hobby, vcpu: 1, ram: 1GB}}, services: {{frontend: {{provider: vercel, plan: {frontend_plan}}}}}}}}}\n{extra}"
        );
        std::fs::write(&p, text).unwrap();
        let cat = Catalog::builtin().expect("catalogs");
        let sc = crate::scenario::load_with_catalog(&p, &cat).unwrap_or_else(|e| panic!("{e}"));
        sc.warnings
            .iter()
            .map(|w| w.to_string())
            .filter(|w| w.contains("commercial"))
            .collect()
    }

    #[test]
    fn a_non_commercial_plan_in_a_commercial_scenario_warns_at_its_plan() {
        let w = warnings("", "hobby");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("stages.s.services.frontend.plan"), "{}", w[0]);
        assert!(
            w[0].contains("`vercel/hobby` may not serve a commercial system"),
            "{}",
            w[0]
        );
        // Said explicitly: the same.
        assert_eq!(warnings("commercial: true\n", "hobby").len(), 1);
    }

    /// The README's example (`commercial: false` with Vercel Hobby) loads without a warning.
    #[test]
    fn the_readme_example_loads_without_a_terms_warning() {
        let readme = include_str!("../../README.md");
        let sec = readme
            .split("## Plan limits, terms and unpriced components")
            .nth(1)
            .unwrap();
        let yaml = sec.split("```yaml\n").nth(1).unwrap().split("```").next().unwrap();
        assert!(yaml.contains("commercial: false") && yaml.contains("plan: hobby"));
        let v: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
        let commercial = v["commercial"].as_bool().unwrap();
        let plan = v["stages"]["s"]["services"]["frontend"]["plan"].as_str().unwrap();
        assert!(warnings(&format!("commercial: {commercial}\n"), plan).is_empty());
        assert_eq!(
            warnings("", plan).len(),
            1,
            "the same plan warns for a commercial system"
        );
    }

    #[test]
    fn no_warning_for_a_non_commercial_system_or_a_commercial_plan() {
        assert!(warnings("commercial: false\n", "hobby").is_empty());
        assert!(warnings("", "pro").is_empty());
    }

    #[test]
    fn an_upgrade_to_a_non_commercial_plan_warns_at_the_upgrade() {
        let trig = "triggers:\n  - {name: cheaper, metric: api.cpu, below: 10%, action: {upgrade: {component: frontend, plan: hobby}}}\n";
        let w = warnings(trig, "pro");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("triggers[0].action.upgrade.plan"), "{}", w[0]);
    }

    /// Every plan of the catalogs whose terms forbid commercial use says why.
    #[test]
    fn catalog_terms_say_what_they_restrict() {
        let cat = Catalog::builtin().expect("catalogs");
        let hobby = cat.plan("vercel", "hobby").unwrap();
        let t = hobby.terms.as_ref().expect("Vercel Hobby has terms");
        assert!(!t.commercial && t.says.contains("non-commercial"));
        assert!(cat.plan("vercel", "pro").unwrap().terms.is_none());
    }

    /// The shipped scenarios: CodeWarden runs its dashboard on Vercel Hobby and says so; Learnr
    /// does in its MVP stage (so the MVP scenarios warn) but not from Beta on.
    #[test]
    fn shipped_scenarios_that_use_vercel_hobby_say_so() {
        let cat = Catalog::builtin().expect("catalogs");
        for (path, warns) in [
            ("scenarios/codewarden/launch.yaml", true),
            ("scenarios/codewarden/growth.yaml", true),
            ("scenarios/mvp.yaml", true),
            ("scenarios/beta.yaml", false),
            ("scenarios/ga.yaml", false),
        ] {
            let sc = crate::scenario::load_with_catalog(Path::new(path), &cat).expect(path);
            let found = sc
                .warnings
                .iter()
                .any(|w| w.to_string().contains("`vercel/hobby` may not serve"));
            assert_eq!(found, warns, "{path}");
        }
    }
}
