//! drlint: static checks that a GitOps repository's backups can be restored.
pub mod cron;
