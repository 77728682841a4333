CREATE INDEX ix_network_interface_created ON network_interface (created_at, id);
