INSERT INTO domain (openstack_id, name) VALUES ('default', 'Default');
