//! docs/erd.md is the schema as the migrations build it. Regenerate with
//! `UPDATE_ERD=1 cargo nextest run -p common --test erd_matches_migrations`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write;

use test_support::TestDb;

const ERD_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/erd.md");

async fn render(db: &TestDb) -> String {
    let columns: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_KEY, EXTRA FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '_sqlx_migrations' ORDER BY TABLE_NAME, ORDINAL_POSITION",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let foreign: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT k.REFERENCED_TABLE_NAME, k.TABLE_NAME, k.COLUMN_NAME, c.IS_NULLABLE \
         FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.COLUMNS c \
           ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         ORDER BY k.REFERENCED_TABLE_NAME, k.TABLE_NAME, k.COLUMN_NAME",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();

    let mut out = String::from(
        "# Entity-relationship diagram\n\n\
         Generated from the migrations by `common/tests/erd_matches_migrations.rs`, which fails when this file\n\
         and the schema disagree. `live_*` and `open_key` columns are generated: NULL once a row is deleted\n\
         (or a finding resolved), so their unique indexes hold among live rows only.\n\n```mermaid\nerDiagram\n",
    );
    for (parent, child, column, nullable) in &foreign {
        let left = if nullable == "YES" { "|o" } else { "||" };
        writeln!(out, "    {parent} {left}--o{{ {child} : \"{column}\"").unwrap();
    }
    let mut current = "";
    for (table, column, data_type, key, extra) in &columns {
        if table != current {
            if !current.is_empty() {
                out.push_str("    }\n");
            }
            writeln!(out, "    {table} {{").unwrap();
            current = table;
        }
        let is_fk = foreign.iter().any(|(_, t, c, _)| t == table && c == column);
        let marks = match (key.as_str(), is_fk) {
            ("PRI", true) => " PK,FK",
            ("PRI", false) => " PK",
            ("UNI", _) => " UK",
            (_, true) => " FK",
            _ => "",
        };
        let generated = if extra.contains("GENERATED") {
            " \"generated\""
        } else {
            ""
        };
        writeln!(out, "        {data_type} {column}{marks}{generated}").unwrap();
    }
    out.push_str("    }\n```\n");
    out
}

#[tokio::test]
async fn the_erd_in_docs_matches_the_migrated_schema() {
    let db = TestDb::new().await;
    let expected = render(&db).await;
    if std::env::var("UPDATE_ERD").is_ok() {
        std::fs::write(ERD_PATH, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(ERD_PATH).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/erd.md is out of date; regenerate it with UPDATE_ERD=1 cargo nextest run -p common --test erd_matches_migrations"
    );
}
