CREATE TABLE reconcile_request (
    id BIGINT NOT NULL AUTO_INCREMENT,
    job VARCHAR(64) NOT NULL,
    requested_by_user_id BIGINT NULL,
    request_id VARCHAR(64) NULL,
    requested_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    picked_at DATETIME(6) NULL,
    reconcile_run_id BIGINT NULL,
    PRIMARY KEY (id),
    KEY ix_reconcile_request_open (picked_at, job, id),
    CONSTRAINT fk_reconcile_request_run FOREIGN KEY (reconcile_run_id) REFERENCES reconcile_run (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
