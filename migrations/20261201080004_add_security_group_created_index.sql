CREATE INDEX ix_security_group_created ON security_group (created_at, id);
