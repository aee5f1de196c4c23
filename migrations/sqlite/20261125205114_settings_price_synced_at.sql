-- Add column "price_synced_at" to table: "system_settings"
ALTER TABLE `system_settings` ADD COLUMN `price_synced_at` datetime NULL;
