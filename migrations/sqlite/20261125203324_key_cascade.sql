-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_keys" table
CREATE TABLE `new_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `limit_5h_nano` integer NULL, `limit_5h_reset_mode` text NOT NULL DEFAULT ('rolling'), `limit_daily_nano` integer NULL, `daily_reset_mode` text NOT NULL DEFAULT ('fixed'), `daily_reset_time` text NOT NULL DEFAULT ('00:00'), `limit_weekly_nano` integer NULL, `limit_monthly_nano` integer NULL, `limit_total_nano` integer NULL, `cost_reset_at` datetime NULL, `limit_concurrent_sessions` integer NOT NULL DEFAULT (0), `name` text NOT NULL, `key_hash` text NOT NULL, `key_prefix` text NOT NULL, `is_enabled` bool NOT NULL DEFAULT (true), `expires_at` datetime NULL, `can_login_web_ui` bool NOT NULL DEFAULT (false), `provider_group` text NOT NULL DEFAULT (''), `last_used_at` datetime NULL, `user_id` integer NOT NULL, CONSTRAINT `keys_users_keys` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "keys" to new temporary table "new_keys"
INSERT INTO `new_keys` (`id`, `created_at`, `updated_at`, `limit_5h_nano`, `limit_5h_reset_mode`, `limit_daily_nano`, `daily_reset_mode`, `daily_reset_time`, `limit_weekly_nano`, `limit_monthly_nano`, `limit_total_nano`, `cost_reset_at`, `limit_concurrent_sessions`, `name`, `key_hash`, `key_prefix`, `is_enabled`, `expires_at`, `can_login_web_ui`, `provider_group`, `last_used_at`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `limit_5h_nano`, `limit_5h_reset_mode`, `limit_daily_nano`, `daily_reset_mode`, `daily_reset_time`, `limit_weekly_nano`, `limit_monthly_nano`, `limit_total_nano`, `cost_reset_at`, `limit_concurrent_sessions`, `name`, `key_hash`, `key_prefix`, `is_enabled`, `expires_at`, `can_login_web_ui`, `provider_group`, `last_used_at`, `user_id` FROM `keys`;
-- Drop "keys" table after copying rows
DROP TABLE `keys`;
-- Rename temporary table "new_keys" to "keys"
ALTER TABLE `new_keys` RENAME TO `keys`;
-- Create index "keys_key_hash_key" to table: "keys"
CREATE UNIQUE INDEX `keys_key_hash_key` ON `keys` (`key_hash`);
-- Create index "key_user_id" to table: "keys"
CREATE INDEX `key_user_id` ON `keys` (`user_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
