//! The figures a drill prints, one line each, so the CI log shows them
//! (`.config/nextest.toml` keeps the output of passing drills).

use std::fmt::Write;
use std::time::Duration;

#[derive(Debug, Default, Clone)]
pub struct Figures {
    pub drill: &'static str,
    /// Creates sent.
    pub requested: usize,
    /// Creates answered 2xx.
    pub accepted: usize,
    /// Accepted creates that ended ACTIVE / AVAILABLE / IN_USE.
    pub converged: usize,
    /// Accepted creates that ended ERROR with a reason.
    pub failed_visibly: usize,
    /// Cloud resources beyond one per inventory id.
    pub duplicated: usize,
    /// Accepted creates with no row, or a row that never settled.
    pub lost: usize,
    pub time_to_converge: Duration,
    /// Drill-specific figures, printed after the common ones.
    pub extra: Vec<(&'static str, String)>,
}

impl Figures {
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.extra.push((name, value.to_string()));
        self
    }

    pub fn line(&self) -> String {
        let mut line = format!(
            "DRILL {}: requested={} accepted={} converged={} failed_visibly={} duplicated={} lost={} time_to_converge={:.1}s",
            self.drill,
            self.requested,
            self.accepted,
            self.converged,
            self.failed_visibly,
            self.duplicated,
            self.lost,
            self.time_to_converge.as_secs_f64()
        );
        for (name, value) in &self.extra {
            let _ = write!(line, " {name}={value}");
        }
        line
    }

    pub fn print(&self) {
        println!("{}", self.line());
    }
}
