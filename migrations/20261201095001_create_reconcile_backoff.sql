CREATE TABLE reconcile_backoff (
    resource_type VARCHAR(32) NOT NULL,
    resource_id BIGINT NOT NULL,
    failures INT NOT NULL,
    next_attempt_at DATETIME(6) NOT NULL,
    last_error TEXT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (resource_type, resource_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
