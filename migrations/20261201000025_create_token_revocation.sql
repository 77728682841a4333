CREATE TABLE token_revocation (
    id BIGINT NOT NULL AUTO_INCREMENT,
    jti CHAR(36) NULL,
    user_id BIGINT NOT NULL,
    project_id BIGINT NULL,
    revokes_issued_before DATETIME(6) NULL,
    reason VARCHAR(32) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    UNIQUE KEY uq_token_revocation_jti (jti),
    KEY ix_token_revocation_user (user_id, revokes_issued_before),
    KEY ix_token_revocation_created (created_at, id),
    KEY ix_token_revocation_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
