DROP INDEX `tenant_wakeups_due`;--> statement-breakpoint
CREATE INDEX `tenant_wakeups_due` ON `tenant_wakeups` (`next_wake_at_ms`,`tenant_id`);