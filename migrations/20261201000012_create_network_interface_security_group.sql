CREATE TABLE network_interface_security_group (
    network_interface_id BIGINT NOT NULL,
    security_group_id BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (network_interface_id, security_group_id),
    KEY ix_nisg_security_group (security_group_id, network_interface_id),
    CONSTRAINT fk_nisg_network_interface FOREIGN KEY (network_interface_id) REFERENCES network_interface (id),
    CONSTRAINT fk_nisg_security_group FOREIGN KEY (security_group_id) REFERENCES security_group (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
