ALTER TABLE server ADD CONSTRAINT fk_server_root_volume FOREIGN KEY (root_volume_id) REFERENCES volume (id);
