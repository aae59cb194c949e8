//! CodeWarden (seed 002): `capsim check` on its scenarios fails for the documented reason
//! (the seed's ~$5/month, its only stated cost, is breached by the LLM and the log store at
//! any of the chosen loads), and the report shows the Upstash break-even at 5M commands.

use crate::common::{capsim, run_file};

#[test]
fn codewarden_check_breaches_the_5_dollar_budget_and_supabase_free_fills() {
    for (file, fills_by_day) in [("launch", 150.0), ("growth", 40.0)] {
        let path = format!("scenarios/codewarden/{file}.yaml");
        let out = capsim().args(["check", &path, "--replications", "2"]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("(limit $5.00)"), "{file}: {text}");
        let r = run_file(&path);
        // "500MB is plenty for metadata": the trigger at 500 MB fires within the horizon.
        let t = &r.triggers[0];
        assert!(t.fired_in > 0, "{file}");
        let day = t.first_fire.p50 / 86_400.0;
        assert!(day < fills_by_day, "{file}: day {day}");
        // Upstash PAYG vs $10 fixed: they cost the same at 5M commands a month.
        let rows = capsim::report::alternatives::of(&r);
        let q = rows
            .iter()
            .find(|a| a.component == "queue_redis")
            .expect("queue_redis row");
        let at = q.break_even_usage.iter().find(|(m, _)| m == "commands").unwrap().1;
        assert!((at - 5e6).abs() < 1.0, "{file}: {at}");
    }
}
