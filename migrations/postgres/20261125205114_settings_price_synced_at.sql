-- Modify "system_settings" table
ALTER TABLE "system_settings" ADD COLUMN "price_synced_at" timestamptz NULL;
