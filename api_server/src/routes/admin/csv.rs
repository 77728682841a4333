//! Inventory pages as CSV (RFC 4180) for spreadsheets: a header row, CRLF
//! line ends, fields quoted when they hold a comma, quote or line break, and
//! text that a spreadsheet would run as a formula prefixed with `'`.

use actix_web::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use common::domain::page::Page;
use common::infrastructure::db::admin_inventory::{InventoryKind, InventoryRow};

const HEADER: [&str; 11] = [
    "id",
    "project_id",
    "name",
    "status",
    "openstack_id",
    "pending_action",
    "pending_since",
    "created_at",
    "updated_at",
    "deleted_at",
    "version",
];

/// True when the client prefers CSV (`Accept: text/csv`).
pub fn wanted(req: &HttpRequest) -> bool {
    req.headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/csv"))
}

/// 200 with the page as a CSV attachment; the next cursor in `X-Next-Cursor`.
pub fn response(kind: InventoryKind, page: &Page<InventoryRow>) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}.csv\"", kind.as_str()),
        ));
    if let Some(next) = &page.next_cursor {
        res.insert_header(("x-next-cursor", next.as_str()));
    }
    res.body(render(&page.items))
}

fn render(rows: &[InventoryRow]) -> String {
    let mut out = String::new();
    push_record(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for r in rows {
        push_record(
            &mut out,
            [
                r.id.to_string(),
                opt(r.project_id.map(|p| p.to_string())),
                opt(r.name.clone()),
                r.status.clone(),
                opt(r.openstack_id.clone()),
                opt(r.pending_action.clone()),
                opt(r.pending_since.map(time)),
                time(r.created_at),
                time(r.updated_at),
                opt(r.deleted_at.map(time)),
                r.version.to_string(),
            ],
        );
    }
    out
}

fn push_record(out: &mut String, fields: impl IntoIterator<Item = String>) {
    let quoted: Vec<String> = fields.into_iter().map(|f| field(&f)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

fn field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn opt(v: Option<String>) -> String {
    v.unwrap_or_default()
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formula_like_text_is_defused() {
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("@cmd,x"), "\"'@cmd,x\"");
    }
}
