CREATE INDEX ix_security_group_status ON security_group (status, deleted_at);
