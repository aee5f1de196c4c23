-- Modify "keys" table
ALTER TABLE "keys" DROP CONSTRAINT "keys_users_keys", ADD CONSTRAINT "keys_users_keys" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
