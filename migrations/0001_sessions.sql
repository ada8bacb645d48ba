CREATE TABLE `session_archives` (
	`tenant_id` text NOT NULL,
	`session_key` text NOT NULL,
	`session_id` text NOT NULL,
	`reason` text NOT NULL,
	`message_count` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`archived_at_ms` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `session_id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `session_archives_key` ON `session_archives` (`tenant_id`,`session_key`);--> statement-breakpoint
CREATE TABLE `session_messages` (
	`tenant_id` text NOT NULL,
	`session_id` text NOT NULL,
	`seq` integer NOT NULL,
	`role` text NOT NULL,
	`content` text NOT NULL,
	`context` text,
	`run_id` text,
	`model` text,
	`stop_reason` text,
	`error_message` text,
	`input_tokens` integer,
	`output_tokens` integer,
	`created_at_ms` integer NOT NULL,
	`compacted_at_ms` integer,
	PRIMARY KEY(`tenant_id`, `session_id`, `seq`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`agent_id` text NOT NULL,
	`session_id` text NOT NULL,
	`label` text,
	`title` text,
	`last_preview` text,
	`model` text,
	`message_count` integer DEFAULT 0 NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `key`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_updated` ON `sessions` (`tenant_id`,`updated_at_ms`);