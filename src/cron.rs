//! One cron engine, three dialects. (Temporary stub until the engine lands.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect { Cnpg, Velero, CronJob }
pub struct CronError { pub message: String, pub start: usize, pub end: usize }
pub struct Schedule { pub dialect: Dialect, pub fields: usize, pub tz: Option<String>, spec: String }
pub fn parse(spec: &str, dialect: Dialect) -> Result<Schedule, CronError> {
    Ok(Schedule { dialect, fields: spec.split_whitespace().count(), tz: None, spec: spec.to_string() })
}
impl Schedule { pub fn describe(&self) -> String { format!("per `{}`", self.spec) } }
pub fn five_to_six(spec: &str) -> Option<String> {
    let f: Vec<&str> = spec.split_whitespace().collect();
    (f.len() == 5).then(|| format!("0 {}", f.join(" ")))
}
