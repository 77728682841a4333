ALTER TABLE reconcile_request ADD COLUMN resource_type VARCHAR(32) NULL AFTER job;
