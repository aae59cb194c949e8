//! How users and requests arrive over time: growth of registered users and the traffic shape.

use crate::dist::Dist;

/// Registered users over time.
#[derive(Debug, Clone)]
pub enum Growth {
    Constant(f64),
    Linear {
        from: f64,
        to: f64,
        over: f64,
    },
    Exponential {
        from: f64,
        doubling: f64,
    },
    Logistic {
        from: f64,
        to: f64,
        midpoint: f64,
        spread: f64,
    },
    Points {
        points: Vec<(f64, f64)>,
        step: bool,
    },
}

impl Growth {
    /// Users at time `t` seconds from the start.
    pub fn users_at(&self, t: f64) -> f64 {
        match self {
            Growth::Constant(u) => *u,
            Growth::Linear { from, to, over } => {
                let f = if *over > 0.0 { (t / over).clamp(0.0, 1.0) } else { 1.0 };
                from + (to - from) * f
            }
            Growth::Exponential { from, doubling } => from * (t / doubling).exp2(),
            Growth::Logistic {
                from,
                to,
                midpoint,
                spread,
            } => {
                // Logistic between `from` (t → −∞) and `to` (t → ∞), half-way at `midpoint`.
                from + (to - from) / (1.0 + (-(t - midpoint) / spread).exp())
            }
            Growth::Points { points, step } => {
                let i = points.partition_point(|(pt, _)| *pt <= t);
                if i == 0 {
                    return points[0].1;
                }
                if i == points.len() {
                    return points[i - 1].1;
                }
                let (t0, u0) = points[i - 1];
                let (t1, u1) = points[i];
                if *step {
                    u0
                } else {
                    u0 + (u1 - u0) * (t - t0) / (t1 - t0)
                }
            }
        }
    }
}

/// How requests arrive.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per scenario
pub enum Traffic {
    /// Users start sessions (Poisson, shaped by hour of day and day of week); a session sends
    /// `requests_per_session` requests, each `think` after the previous response.
    Sessions {
        users: Growth,
        sessions_per_user_per_week: f64,
        requests_per_session: f64,
        think: Dist,
        /// Relative intensity by hour of day, mean 1.
        daily: [f64; 24],
        /// Relative intensity by day of week (day 0 = first day of the horizon), mean 1.
        weekly: [f64; 7],
        /// Set when the file gave peak concurrent sessions instead of users.
        concurrent_target: Option<f64>,
    },
    /// Independent requests at a constant Poisson rate (per second).
    Open { rate: f64 },
}

impl Traffic {
    /// Shape factor at time `t`: daily × weekly (1 for open traffic).
    pub fn shape_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions { daily, weekly, .. } => {
                let hour = ((t / 3600.0).floor() as i64).rem_euclid(24) as usize;
                let day = ((t / 86400.0).floor() as i64).rem_euclid(7) as usize;
                daily[hour] * weekly[day]
            }
            Traffic::Open { .. } => 1.0,
        }
    }

    /// Session starts per second at time `t` (or request arrivals per second for open traffic).
    pub fn arrival_rate_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions {
                users,
                sessions_per_user_per_week,
                ..
            } => users.users_at(t) * sessions_per_user_per_week / (7.0 * 86400.0) * self.shape_at(t),
            Traffic::Open { rate } => *rate,
        }
    }

    /// Requests per second at time `t` (sessions × requests per session).
    pub fn request_rate_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions {
                requests_per_session, ..
            } => self.arrival_rate_at(t) * requests_per_session,
            Traffic::Open { rate } => *rate,
        }
    }

    pub fn users_at(&self, t: f64) -> f64 {
        match self {
            Traffic::Sessions { users, .. } => users.users_at(t),
            Traffic::Open { .. } => 0.0,
        }
    }

    /// Start (seconds into the day) of the busiest hour.
    pub fn peak_hour(&self) -> usize {
        match self {
            Traffic::Sessions { daily, .. } => {
                let mut best = 0;
                for h in 0..24 {
                    if daily[h] > daily[best] {
                        best = h;
                    }
                }
                best
            }
            Traffic::Open { .. } => 0,
        }
    }

    pub fn peak_factor(&self) -> f64 {
        match self {
            Traffic::Sessions { daily, .. } => daily.iter().cloned().fold(0.0, f64::max),
            Traffic::Open { .. } => 1.0,
        }
    }
}
