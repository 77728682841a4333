CREATE TABLE resource_action (
    id BIGINT NOT NULL AUTO_INCREMENT,
    project_id BIGINT NOT NULL,
    resource_type VARCHAR(32) NOT NULL,
    resource_id BIGINT NOT NULL,
    action VARCHAR(32) NOT NULL,
    request_id VARCHAR(64) NULL,
    user_id BIGINT NULL,
    started_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    finished_at DATETIME(6) NULL,
    result VARCHAR(16) NOT NULL DEFAULT 'pending',
    message TEXT NULL,
    PRIMARY KEY (id),
    KEY ix_resource_action_resource (resource_type, resource_id, started_at, id),
    KEY ix_resource_action_pending (result, started_at),
    CONSTRAINT fk_resource_action_project FOREIGN KEY (project_id) REFERENCES project (id),
    CONSTRAINT ck_resource_action_result CHECK (result IN ('pending', 'success', 'error'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
