CREATE TABLE idempotency_key (
    id BIGINT NOT NULL AUTO_INCREMENT,
    user_id BIGINT NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    method VARCHAR(8) NOT NULL,
    path VARCHAR(512) NOT NULL,
    request_hash CHAR(64) NOT NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'in_progress',
    response_status SMALLINT NULL,
    response_body LONGBLOB NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_idempotency_key_user_key (user_id, idempotency_key),
    KEY ix_idempotency_key_expires (expires_at),
    CONSTRAINT ck_idempotency_key_state CHECK (state IN ('in_progress', 'completed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
