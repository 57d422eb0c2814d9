//! One cron engine, three dialects (filled in by the cron work).
