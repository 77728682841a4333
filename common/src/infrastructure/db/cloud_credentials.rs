//! The `cloud_credential` table: a project's tenant credentials, the secret
//! part encrypted by the application before it gets here.

use sqlx::MySqlConnection;

use crate::error::AppResult;

pub struct NewCredential<'a> {
    pub project_id: i64,
    pub provider: &'a str,
    pub identity_url: Option<&'a str>,
    pub region: Option<&'a str>,
    pub tenant_id: &'a str,
    pub username: &'a str,
    pub secret_ciphertext: &'a [u8],
    pub secret_nonce: &'a [u8],
    pub key_id: &'a str,
}

pub async fn insert(conn: &mut MySqlConnection, new: &NewCredential<'_>) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO cloud_credential (project_id, provider, identity_url, region, tenant_id, username, secret_ciphertext, secret_nonce, key_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new.project_id)
    .bind(new.provider)
    .bind(new.identity_url)
    .bind(new.region)
    .bind(new.tenant_id)
    .bind(new.username)
    .bind(new.secret_ciphertext)
    .bind(new.secret_nonce)
    .bind(new.key_id)
    .execute(conn)
    .await?;
    Ok(result.last_insert_id() as i64)
}

pub async fn delete_of_project(conn: &mut MySqlConnection, project_id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE cloud_credential SET deleted_at = UTC_TIMESTAMP(6), version = version + 1 WHERE project_id = ? AND deleted_at IS NULL",
    )
    .bind(project_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The live credential of a project, secret still encrypted.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCredential {
    pub region: Option<String>,
    pub tenant_id: String,
    pub username: String,
    pub secret_ciphertext: Vec<u8>,
    pub secret_nonce: Vec<u8>,
    pub key_id: String,
}

pub async fn find_of_project<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::MySql>,
    project_id: i64,
) -> AppResult<Option<StoredCredential>> {
    Ok(sqlx::query_as(
        "SELECT region, tenant_id, username, secret_ciphertext, secret_nonce, key_id FROM cloud_credential
         WHERE project_id = ? AND deleted_at IS NULL",
    )
    .bind(project_id)
    .fetch_optional(db)
    .await?)
}
