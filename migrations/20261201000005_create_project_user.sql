CREATE TABLE project_user (
    project_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (project_id, user_id),
    KEY ix_project_user_user (user_id, project_id),
    CONSTRAINT fk_project_user_project FOREIGN KEY (project_id) REFERENCES project (id),
    CONSTRAINT fk_project_user_user FOREIGN KEY (user_id) REFERENCES user (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
