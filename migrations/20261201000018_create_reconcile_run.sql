CREATE TABLE reconcile_run (
    id BIGINT NOT NULL AUTO_INCREMENT,
    job VARCHAR(64) NOT NULL,
    runner VARCHAR(128) NOT NULL,
    trigger_source VARCHAR(16) NOT NULL DEFAULT 'schedule',
    started_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    finished_at DATETIME(6) NULL,
    examined INT NOT NULL DEFAULT 0,
    changed INT NOT NULL DEFAULT 0,
    drift_found INT NOT NULL DEFAULT 0,
    errors INT NOT NULL DEFAULT 0,
    outcome VARCHAR(16) NOT NULL DEFAULT 'running',
    error_message TEXT NULL,
    PRIMARY KEY (id),
    KEY ix_reconcile_run_job (job, started_at, id),
    KEY ix_reconcile_run_started (started_at, id),
    CONSTRAINT ck_reconcile_run_outcome CHECK (outcome IN ('running', 'success', 'partial', 'failed', 'interrupted'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
