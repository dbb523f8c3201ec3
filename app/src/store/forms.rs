//! Questionnaires on the device: the form versions pulled from the server, the one new visits
//! are filled with, and the version each visit is pinned to when it starts. A version lists its
//! media files; their bytes are blobs (`crate::blobs`), downloaded by the sync driver.

use rusqlite::{Connection, OptionalExtension, params};
use terreno_shared::api::v1::forms::{FormMediaFile, FormVersion};

use crate::error::{Context, Error, Result};

/// Stores a pulled form version. Versions never change once the server stored them, so a
/// version already here is left as it is.
pub(crate) fn insert(conn: &Connection, f: &FormVersion) -> Result<()> {
    let definition = serde_json::to_string(&f.definition)
        .map_err(|e| Error::Invalid(format!("storing form {}: {e}", f.id)))?;
    let media = serde_json::to_string(&f.media)
        .map_err(|e| Error::Invalid(format!("storing form {}: {e}", f.id)))?;
    conn.execute(
        "insert into forms (id, form_id, version, title, created_ms, definition, media) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7) on conflict (id) do nothing",
        params![
            f.id.to_string(),
            f.form_id,
            f.version,
            f.title,
            f.created_ms,
            definition,
            media
        ],
    )
    .context("storing a pulled form")?;
    Ok(())
}

/// Deletes a form version the server withdrew, unless a visit on this device is filled with it
/// (its answers are checked against that version until it is completed).
pub(crate) fn delete_unused(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "delete from forms where id = ?1 and not exists (select 1 from visits where form = ?1)",
        [id],
    )
    .context("removing a withdrawn form")?;
    Ok(())
}

/// The form version `id`, if the device has it.
pub(crate) fn find(conn: &Connection, id: &str) -> Result<Option<FormVersion>> {
    type Row = (String, String, String, String, i64, String, String);
    let row: Option<Row> = conn
        .prepare_cached(
            "select id, form_id, version, title, created_ms, definition, media \
             from forms where id = ?1",
        )
        .context("reading a form")?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()
        .context("reading a form")?;
    let Some((id, form_id, version, title, created_ms, definition, media)) = row else {
        return Ok(None);
    };
    let corrupt = |e: &dyn std::fmt::Display| Error::corrupt(format!("reading form {id}"), e);
    Ok(Some(FormVersion {
        id: id.parse().map_err(|e| corrupt(&e))?,
        form_id,
        version,
        title,
        created_ms,
        definition: serde_json::from_str(&definition).map_err(|e| corrupt(&e))?,
        media: serde_json::from_str(&media).map_err(|e| corrupt(&e))?,
    }))
}

/// The media files of every form version on the device, as `(version id, file)`.
pub(crate) fn list_media(conn: &Connection) -> Result<Vec<(String, FormMediaFile)>> {
    let mut stmt = conn
        .prepare_cached("select id, media from forms where media <> '[]' order by id")
        .context("listing form media")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .context("listing form media")?;
    let mut out = Vec::new();
    for row in rows {
        let (id, media) = row.context("listing form media")?;
        let files: Vec<FormMediaFile> = serde_json::from_str(&media)
            .map_err(|e| Error::corrupt(format!("reading the media list of form {id}"), e))?;
        out.extend(files.into_iter().map(|f| (id.clone(), f)));
    }
    Ok(out)
}

/// Names the version new visits are filled with (`None`: the organization has none).
pub(crate) fn set_visit_form(conn: &Connection, id: Option<&str>) -> Result<()> {
    let result = match id {
        Some(id) => conn.execute(
            "insert into visit_form (id, form) values (1, ?1) \
             on conflict (id) do update set form = excluded.form",
            [id],
        ),
        None => conn.execute("delete from visit_form", []),
    };
    result.context("storing the visit form")?;
    Ok(())
}

/// The version new visits are filled with, if the server named one.
pub(crate) fn find_visit_form(conn: &Connection) -> Result<Option<String>> {
    conn.query_row("select form from visit_form where id = 1", [], |r| r.get(0))
        .optional()
        .context("reading the visit form")
}

/// Pins `visit` to form version `form` unless it already has one; whether this pinned it.
pub(crate) fn pin(conn: &Connection, visit: &str, form: &str) -> Result<bool> {
    let n = conn
        .execute(
            "update visits set form = ?2 where id = ?1 and form is null",
            params![visit, form],
        )
        .context("fixing a visit's form")?;
    Ok(n > 0)
}
