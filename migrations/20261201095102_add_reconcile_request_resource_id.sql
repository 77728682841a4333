ALTER TABLE reconcile_request ADD COLUMN resource_id BIGINT NULL AFTER resource_type;
