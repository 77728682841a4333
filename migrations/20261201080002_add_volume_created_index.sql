CREATE INDEX ix_volume_created ON volume (created_at, id);
