//! TEMPORARY stub; replaced on merge.
use crate::run::RunResult;
pub struct Chart {
    pub file: &'static str,
    pub title: String,
    pub svg: String,
}
pub fn charts(_r: &RunResult) -> Vec<Chart> {
    Vec::new()
}
pub mod html {
    use super::Chart;
    use crate::run::RunResult;
    pub fn render(_r: &RunResult, s: Option<&str>, _c: &[Chart]) -> String {
        format!("<html>{}</html>", s.unwrap_or(""))
    }
}
