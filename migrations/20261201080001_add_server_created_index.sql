CREATE INDEX ix_server_created ON server (created_at, id);
