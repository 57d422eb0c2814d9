//! Rules about Kubernetes workloads.

pub mod cronjob_schedule_invalid;
