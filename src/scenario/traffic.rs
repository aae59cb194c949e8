//! Traffic: users and their growth, sessions, the daily and weekly shape, or open arrivals.

use super::ctx::Ctx;
use super::model::{Growth, Traffic};
use super::raw::{RawDailyShape, RawTraffic, RawUsers};
use crate::dist::Dist;

pub(super) fn traffic(cx: &mut Ctx, raw: &RawTraffic) -> Traffic {
    if let Some(rate) = raw.arrival_rate {
        for (present, f) in [
            (raw.users.is_some(), "users"),
            (raw.sessions_per_user_per_week.is_some(), "sessions_per_user_per_week"),
            (raw.requests_per_session.is_some(), "requests_per_session"),
        ] {
            if present {
                cx.err(
                    &format!("traffic.{f}"),
                    "`arrival_rate` describes open Poisson arrivals; it cannot be combined with users and sessions",
                );
            }
        }
        let rate = cx.positive("traffic.arrival_rate", rate.0);
        return Traffic::Open { rate };
    }
    let Some(users) = &raw.users else {
        cx.err("traffic", "give either `users` (with sessions) or `arrival_rate`");
        return Traffic::Open { rate: 1.0 };
    };
    let spw = match raw.sessions_per_user_per_week {
        Some(v) => cx.positive("traffic.sessions_per_user_per_week", v),
        None => {
            cx.err(
                "traffic.sessions_per_user_per_week",
                "missing: how many sessions a user starts per week",
            );
            1.0
        }
    };
    let rps = match raw.requests_per_session {
        Some(v) => {
            let v = cx.positive("traffic.requests_per_session", v);
            cx.at_most("traffic.requests_per_session", v, super::limits::REQUESTS_PER_SESSION)
        }
        None => {
            cx.err(
                "traffic.requests_per_session",
                "missing: how many requests a session sends",
            );
            1.0
        }
    };
    let think = match &raw.think_time {
        Some(t) => cx.dist("traffic.think_time", t),
        None => Dist::exponential(30.0).expect("valid"),
    };
    let daily = daily_shape(cx, raw.daily_shape.as_ref());
    let weekly = match &raw.weekly_shape {
        None => [1.0; 7],
        Some(w) if w.len() == 7 && w.iter().all(|x| x.is_finite() && *x >= 0.0) && w.iter().sum::<f64>() > 0.0 => {
            let mean = w.iter().sum::<f64>() / 7.0;
            let mut out = [0.0; 7];
            for (o, x) in out.iter_mut().zip(w) {
                *o = x / mean;
            }
            out
        }
        Some(w) => {
            cx.err(
                "traffic.weekly_shape",
                format!(
                    "expected 7 non-negative weights (Monday..Sunday), found {} values",
                    w.len()
                ),
            );
            [1.0; 7]
        }
    };
    let (growth, concurrent) = growth(cx, users);
    let mut t = Traffic::Sessions {
        users: growth,
        sessions_per_user_per_week: spw,
        requests_per_session: rps,
        think,
        daily,
        weekly,
        concurrent_target: concurrent,
    };
    if let (
        Some(c),
        Traffic::Sessions {
            users,
            think,
            requests_per_session,
            ..
        },
    ) = (concurrent, &mut t)
    {
        // Little's law at the peak hour: concurrent = session start rate × session length.
        let session_len = requests_per_session.max(1.0) * think.mean();
        let peak = daily.iter().cloned().fold(0.0, f64::max) * weekly.iter().cloned().fold(0.0, f64::max);
        if session_len > 0.0 && peak > 0.0 {
            let starts_per_s = c / session_len;
            *users = Growth::Constant(starts_per_s / peak * 7.0 * 86400.0 / spw);
        }
    }
    t
}

fn daily_shape(cx: &mut Ctx, raw: Option<&RawDailyShape>) -> [f64; 24] {
    let Some(raw) = raw else { return [1.0; 24] };
    if let Some(h) = &raw.hourly {
        if raw.peak_factor.is_some() || raw.peak_hours.is_some() {
            cx.err(
                "traffic.daily_shape",
                "give either `hourly` weights or `peak_factor` with `peak_hours`, not both",
            );
        }
        if h.len() != 24 || h.iter().any(|x| !x.is_finite() || *x < 0.0) || h.iter().sum::<f64>() <= 0.0 {
            cx.err(
                "traffic.daily_shape.hourly",
                format!(
                    "expected 24 non-negative weights (hour 0..23), found {} values",
                    h.len()
                ),
            );
            return [1.0; 24];
        }
        let mean = h.iter().sum::<f64>() / 24.0;
        let mut out = [0.0; 24];
        for (o, x) in out.iter_mut().zip(h) {
            *o = x / mean;
        }
        return out;
    }
    let factor = raw.peak_factor.unwrap_or(1.0);
    if !factor.is_finite() || factor < 1.0 {
        cx.err(
            "traffic.daily_shape.peak_factor",
            format!("the peak factor is peak ÷ average and must be ≥ 1, found {factor}"),
        );
        return [1.0; 24];
    }
    let hours = raw.peak_hours.as_deref().unwrap_or("19-22");
    let Some((a, b)) = hours
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<usize>().ok()?, b.trim().parse::<usize>().ok()?)))
    else {
        cx.err(
            "traffic.daily_shape.peak_hours",
            format!("expected hours of the day like `19-22`, found `{hours}`"),
        );
        return [1.0; 24];
    };
    if a >= 24 || b > 24 || a >= b {
        cx.err(
            "traffic.daily_shape.peak_hours",
            format!("expected start < end within 0..24, found `{hours}`"),
        );
        return [1.0; 24];
    }
    let k = (b - a) as f64;
    if factor * k > 24.0 {
        cx.err(
            "traffic.daily_shape.peak_factor",
            format!(
                "a {factor}× peak over {k} hours exceeds a whole day's traffic; lower the factor or shorten the peak"
            ),
        );
        return [1.0; 24];
    }
    let off = if k < 24.0 {
        (24.0 - factor * k) / (24.0 - k)
    } else {
        1.0
    };
    let mut out = [off; 24];
    for o in out.iter_mut().take(b).skip(a) {
        *o = factor;
    }
    out
}

fn growth(cx: &mut Ctx, u: &RawUsers) -> (Growth, Option<f64>) {
    let p = "traffic.users";
    if let Some(c) = u.concurrent {
        if u.growth.is_some() || u.users.is_some() || u.from.is_some() {
            cx.err(
                &format!("{p}.concurrent"),
                "give either `concurrent` or a growth of registered users, not both",
            );
        }
        return (
            Growth::Constant(0.0),
            Some(cx.positive(&format!("{p}.concurrent"), c.0)),
        );
    }
    let kind = u
        .growth
        .as_deref()
        .unwrap_or(if u.points.is_some() { "points" } else { "constant" });
    let need = |cx: &mut Ctx, v: Option<crate::units::Count>, f: &str| -> f64 {
        match v {
            Some(c) => c.0,
            None => {
                cx.err(&format!("{p}.{f}"), format!("growth `{kind}` needs `{f}`"));
                1.0
            }
        }
    };
    let g = match kind {
        "constant" => Growth::Constant(need(cx, u.users, "users")),
        "linear" => {
            let over = u.over.map(|o| o.0);
            let over = match over {
                Some(o) => cx.positive(&format!("{p}.over"), o),
                None => {
                    cx.err(
                        &format!("{p}.over"),
                        "linear growth needs `over` (the time to go from `from` to `to`)",
                    );
                    1.0
                }
            };
            Growth::Linear {
                from: need(cx, u.from, "from"),
                to: need(cx, u.to, "to"),
                over,
            }
        }
        "exponential" => {
            let from = need(cx, u.from, "from");
            let doubling = match (u.doubling, u.to, u.over) {
                (Some(d), None, _) => cx.positive(&format!("{p}.doubling"), d.0),
                (None, Some(to), Some(over)) if to.0 > from && from > 0.0 => over.0 / (to.0 / from).log2(),
                _ => {
                    cx.err(
                        p,
                        "exponential growth needs `from` and either `doubling`, or `to` (> from) and `over`",
                    );
                    1.0
                }
            };
            Growth::Exponential { from, doubling }
        }
        "logistic" => {
            let midpoint = u.midpoint.map(|m| m.0);
            let spread = u.spread.map(|m| m.0).unwrap_or(7.0 * 86400.0);
            if midpoint.is_none() {
                cx.err(
                    &format!("{p}.midpoint"),
                    "logistic growth needs `midpoint` (when users are half-way)",
                );
            }
            Growth::Logistic {
                from: need(cx, u.from, "from"),
                to: need(cx, u.to, "to"),
                midpoint: midpoint.unwrap_or(0.0),
                spread: cx.positive(&format!("{p}.spread"), spread),
            }
        }
        "points" | "step" => {
            let pts: Vec<(f64, f64)> = u
                .points
                .as_ref()
                .map(|v| v.iter().map(|pt| (pt.at.0, pt.users.0)).collect())
                .unwrap_or_default();
            if pts.is_empty() {
                cx.err(
                    &format!("{p}.points"),
                    format!("growth `{kind}` needs a list of `points` ({{at: 30d, users: 100}})"),
                );
                return (Growth::Constant(1.0), None);
            }
            cx.at_most(&format!("{p}.points"), pts.len() as f64, super::limits::POINTS);
            if pts.windows(2).any(|w| w[1].0 <= w[0].0) {
                cx.err(&format!("{p}.points"), "points must be in increasing order of `at`");
            }
            Growth::Points {
                points: pts,
                step: kind == "step",
            }
        }
        other => {
            cx.err_allowed(
                &format!("{p}.growth"),
                format!("unknown growth `{other}`"),
                ["constant", "step", "linear", "exponential", "logistic", "points"],
            );
            Growth::Constant(1.0)
        }
    };
    (g, None)
}
