-- Create "auth_sessions" table
CREATE TABLE `auth_sessions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` text NOT NULL, `kind` text NOT NULL, `key_id` integer NOT NULL DEFAULT (0), `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL);
-- Create index "auth_sessions_token_hash_key" to table: "auth_sessions"
CREATE UNIQUE INDEX `auth_sessions_token_hash_key` ON `auth_sessions` (`token_hash`);
-- Create index "authsession_expires_at" to table: "auth_sessions"
CREATE INDEX `authsession_expires_at` ON `auth_sessions` (`expires_at`);
-- Create "keys" table
CREATE TABLE `keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `limit_5h_nano` integer NULL, `limit_5h_reset_mode` text NOT NULL DEFAULT ('rolling'), `limit_daily_nano` integer NULL, `daily_reset_mode` text NOT NULL DEFAULT ('fixed'), `daily_reset_time` text NOT NULL DEFAULT ('00:00'), `limit_weekly_nano` integer NULL, `limit_monthly_nano` integer NULL, `limit_total_nano` integer NULL, `cost_reset_at` datetime NULL, `limit_concurrent_sessions` integer NOT NULL DEFAULT (0), `name` text NOT NULL, `key_hash` text NOT NULL, `key_prefix` text NOT NULL, `is_enabled` bool NOT NULL DEFAULT (true), `expires_at` datetime NULL, `can_login_web_ui` bool NOT NULL DEFAULT (false), `provider_group` text NOT NULL DEFAULT (''), `last_used_at` datetime NULL, `user_id` integer NOT NULL, CONSTRAINT `keys_users_keys` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- Create index "keys_key_hash_key" to table: "keys"
CREATE UNIQUE INDEX `keys_key_hash_key` ON `keys` (`key_hash`);
-- Create index "key_user_id" to table: "keys"
CREATE INDEX `key_user_id` ON `keys` (`user_id`);
-- Create "model_prices" table
CREATE TABLE `model_prices` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `model_name` text NOT NULL, `price_data` text NOT NULL, `source` text NOT NULL DEFAULT ('litellm'), `litellm_provider` text NOT NULL DEFAULT (''), `updated_at` datetime NOT NULL);
-- Create index "model_prices_model_name_key" to table: "model_prices"
CREATE UNIQUE INDEX `model_prices_model_name_key` ON `model_prices` (`model_name`);
-- Create "providers" table
CREATE TABLE `providers` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `limit_5h_nano` integer NULL, `limit_5h_reset_mode` text NOT NULL DEFAULT ('rolling'), `limit_daily_nano` integer NULL, `daily_reset_mode` text NOT NULL DEFAULT ('fixed'), `daily_reset_time` text NOT NULL DEFAULT ('00:00'), `limit_weekly_nano` integer NULL, `limit_monthly_nano` integer NULL, `limit_total_nano` integer NULL, `cost_reset_at` datetime NULL, `limit_concurrent_sessions` integer NOT NULL DEFAULT (0), `name` text NOT NULL, `description` text NOT NULL DEFAULT (''), `type` text NOT NULL, `url` text NOT NULL, `api_key` text NOT NULL, `is_enabled` bool NOT NULL DEFAULT (true), `weight` integer NOT NULL DEFAULT (1), `priority` integer NOT NULL DEFAULT (0), `cost_multiplier` real NOT NULL DEFAULT (1), `group_tag` text NOT NULL DEFAULT (''), `model_redirects` json NULL, `allowed_models` json NULL, `max_retry_attempts` integer NULL, `circuit_breaker_failure_threshold` integer NOT NULL DEFAULT (5), `circuit_breaker_open_duration_ms` integer NOT NULL DEFAULT (1800000), `circuit_breaker_half_open_success_threshold` integer NOT NULL DEFAULT (2), `first_byte_timeout_ms` integer NOT NULL DEFAULT (0), `streaming_idle_timeout_ms` integer NOT NULL DEFAULT (0), `request_timeout_ms` integer NOT NULL DEFAULT (0), `proxy_url` text NOT NULL DEFAULT (''));
-- Create "request_logs" table
CREATE TABLE `request_logs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `request_id` text NOT NULL, `user_id` integer NOT NULL DEFAULT (0), `key_id` integer NOT NULL DEFAULT (0), `provider_id` integer NOT NULL DEFAULT (0), `model` text NOT NULL DEFAULT (''), `original_model` text NOT NULL DEFAULT (''), `endpoint` text NOT NULL DEFAULT (''), `is_stream` bool NOT NULL DEFAULT (false), `status_code` integer NOT NULL DEFAULT (0), `duration_ms` integer NOT NULL DEFAULT (0), `ttfb_ms` integer NULL, `session_id` text NOT NULL DEFAULT (''), `error_message` text NOT NULL DEFAULT (''), `blocked_by` text NOT NULL DEFAULT (''), `provider_chain` text NOT NULL DEFAULT ('[]'), `user_agent` text NOT NULL DEFAULT (''), `client_ip` text NOT NULL DEFAULT (''), `input_tokens` integer NOT NULL DEFAULT (0), `output_tokens` integer NOT NULL DEFAULT (0), `cache_creation_input_tokens` integer NOT NULL DEFAULT (0), `cache_creation_5m_input_tokens` integer NOT NULL DEFAULT (0), `cache_creation_1h_input_tokens` integer NOT NULL DEFAULT (0), `cache_read_input_tokens` integer NOT NULL DEFAULT (0), `cost_nano` integer NOT NULL DEFAULT (0), `cost_multiplier` real NOT NULL DEFAULT (1), `price_missing` bool NOT NULL DEFAULT (false));
-- Create index "request_logs_request_id_key" to table: "request_logs"
CREATE UNIQUE INDEX `request_logs_request_id_key` ON `request_logs` (`request_id`);
-- Create index "requestlog_created_at" to table: "request_logs"
CREATE INDEX `requestlog_created_at` ON `request_logs` (`created_at`);
-- Create index "requestlog_user_id_created_at" to table: "request_logs"
CREATE INDEX `requestlog_user_id_created_at` ON `request_logs` (`user_id`, `created_at`);
-- Create index "requestlog_key_id_created_at" to table: "request_logs"
CREATE INDEX `requestlog_key_id_created_at` ON `request_logs` (`key_id`, `created_at`);
-- Create index "requestlog_provider_id_created_at" to table: "request_logs"
CREATE INDEX `requestlog_provider_id_created_at` ON `request_logs` (`provider_id`, `created_at`);
-- Create index "requestlog_session_id" to table: "request_logs"
CREATE INDEX `requestlog_session_id` ON `request_logs` (`session_id`);
-- Create index "requestlog_model_created_at" to table: "request_logs"
CREATE INDEX `requestlog_model_created_at` ON `request_logs` (`model`, `created_at`);
-- Create "system_settings" table
CREATE TABLE `system_settings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `site_title` text NOT NULL DEFAULT ('cchub'), `timezone` text NOT NULL DEFAULT (''), `log_retention_days` integer NOT NULL DEFAULT (0), `price_sync_interval_hours` integer NOT NULL DEFAULT (0), `price_sync_url` text NOT NULL DEFAULT (''), `session_ttl_seconds` integer NOT NULL DEFAULT (0), `updated_at` datetime NOT NULL);
-- Create "usage_hourlies" table
CREATE TABLE `usage_hourlies` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `hour_start` datetime NOT NULL, `user_id` integer NOT NULL DEFAULT (0), `key_id` integer NOT NULL DEFAULT (0), `provider_id` integer NOT NULL DEFAULT (0), `model` text NOT NULL DEFAULT (''), `request_count` integer NOT NULL DEFAULT (0), `success_count` integer NOT NULL DEFAULT (0), `error_count` integer NOT NULL DEFAULT (0), `input_tokens` integer NOT NULL DEFAULT (0), `output_tokens` integer NOT NULL DEFAULT (0), `cache_creation_input_tokens` integer NOT NULL DEFAULT (0), `cache_read_input_tokens` integer NOT NULL DEFAULT (0), `cost_nano` integer NOT NULL DEFAULT (0), `duration_ms_sum` integer NOT NULL DEFAULT (0), `ttfb_ms_sum` integer NOT NULL DEFAULT (0), `ttfb_count` integer NOT NULL DEFAULT (0));
-- Create index "usagehourly_hour_start_user_id_key_id_provider_id_model" to table: "usage_hourlies"
CREATE UNIQUE INDEX `usagehourly_hour_start_user_id_key_id_provider_id_model` ON `usage_hourlies` (`hour_start`, `user_id`, `key_id`, `provider_id`, `model`);
-- Create "usage_ledgers" table
CREATE TABLE `usage_ledgers` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `request_id` text NOT NULL, `user_id` integer NOT NULL DEFAULT (0), `key_id` integer NOT NULL DEFAULT (0), `provider_id` integer NOT NULL DEFAULT (0), `model` text NOT NULL DEFAULT (''), `endpoint` text NOT NULL DEFAULT (''), `status_code` integer NOT NULL DEFAULT (0), `is_success` bool NOT NULL DEFAULT (false), `session_id` text NOT NULL DEFAULT (''), `input_tokens` integer NOT NULL DEFAULT (0), `output_tokens` integer NOT NULL DEFAULT (0), `cache_creation_input_tokens` integer NOT NULL DEFAULT (0), `cache_creation_5m_input_tokens` integer NOT NULL DEFAULT (0), `cache_creation_1h_input_tokens` integer NOT NULL DEFAULT (0), `cache_read_input_tokens` integer NOT NULL DEFAULT (0), `cost_nano` integer NOT NULL DEFAULT (0), `cost_multiplier` real NOT NULL DEFAULT (1), `price_missing` bool NOT NULL DEFAULT (false));
-- Create index "usage_ledgers_request_id_key" to table: "usage_ledgers"
CREATE UNIQUE INDEX `usage_ledgers_request_id_key` ON `usage_ledgers` (`request_id`);
-- Create index "usageledger_user_id_created_at" to table: "usage_ledgers"
CREATE INDEX `usageledger_user_id_created_at` ON `usage_ledgers` (`user_id`, `created_at`);
-- Create index "usageledger_key_id_created_at" to table: "usage_ledgers"
CREATE INDEX `usageledger_key_id_created_at` ON `usage_ledgers` (`key_id`, `created_at`);
-- Create index "usageledger_provider_id_created_at" to table: "usage_ledgers"
CREATE INDEX `usageledger_provider_id_created_at` ON `usage_ledgers` (`provider_id`, `created_at`);
-- Create index "usageledger_created_at" to table: "usage_ledgers"
CREATE INDEX `usageledger_created_at` ON `usage_ledgers` (`created_at`);
-- Create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `limit_5h_nano` integer NULL, `limit_5h_reset_mode` text NOT NULL DEFAULT ('rolling'), `limit_daily_nano` integer NULL, `daily_reset_mode` text NOT NULL DEFAULT ('fixed'), `daily_reset_time` text NOT NULL DEFAULT ('00:00'), `limit_weekly_nano` integer NULL, `limit_monthly_nano` integer NULL, `limit_total_nano` integer NULL, `cost_reset_at` datetime NULL, `limit_concurrent_sessions` integer NOT NULL DEFAULT (0), `name` text NOT NULL, `description` text NOT NULL DEFAULT (''), `role` text NOT NULL DEFAULT ('user'), `is_enabled` bool NOT NULL DEFAULT (true), `expires_at` datetime NULL, `provider_group` text NOT NULL DEFAULT ('default'), `rpm_limit` integer NULL, `allowed_models` json NULL);
