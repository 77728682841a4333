CREATE INDEX ix_floating_ip_created ON floating_ip (created_at, id);
