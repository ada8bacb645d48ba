CREATE TABLE `cron_jobs` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`agent_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`enabled` integer NOT NULL,
	`delete_after_run` integer DEFAULT false NOT NULL,
	`schedule` text NOT NULL,
	`session_target` text NOT NULL,
	`wake_mode` text NOT NULL,
	`payload` text NOT NULL,
	`delivery` text,
	`next_run_at_ms` integer,
	`running_at_ms` integer,
	`last_run_at_ms` integer,
	`last_status` text,
	`last_error` text,
	`last_duration_ms` integer,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cron_jobs_next_run` ON `cron_jobs` (`tenant_id`,`next_run_at_ms`);--> statement-breakpoint
CREATE TABLE `cron_runs` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`job_id` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`summary` text,
	`session_key` text,
	`run_at_ms` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cron_runs_job` ON `cron_runs` (`tenant_id`,`job_id`,`run_at_ms`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`agent_id` text NOT NULL,
	`title` text NOT NULL,
	`details` text,
	`status` text NOT NULL,
	`priority` text NOT NULL,
	`evidence` text DEFAULT '[]' NOT NULL,
	`no_progress_attempts` integer DEFAULT 0 NOT NULL,
	`blocked_reason` text,
	`created_by` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tasks_agent_status` ON `tasks` (`tenant_id`,`agent_id`,`status`);--> statement-breakpoint
CREATE TABLE `tenant_wakeups` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`next_wake_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tenant_wakeups_due` ON `tenant_wakeups` (`next_wake_at_ms`);