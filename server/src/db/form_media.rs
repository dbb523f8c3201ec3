//! The media files of form versions (the `form_media` table; see its migration): written with
//! the version in its transaction, never changed, read by file name for a device's download and
//! as lookup tables for the engines that evaluate the version (preview, completion checks).
//!
//! Every read is scoped by the caller's organization: a version of another organization reads
//! as absent, exactly like an unknown one.

use anyhow::Context;
use terreno_shared::ids::{FormId, OrgId};

use super::forms::Forms;
use super::tx::WriteTx;
use crate::forms::media::NewMedia;
use crate::{on_read, on_tx};

/// Media types of the files an engine reads (CSV, XML, GeoJSON); images and sounds stay out.
const DATA_TYPES: &str = "('text/csv', 'application/xml', 'application/geo+json')";

/// A stored media file's content.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MediaContent {
    /// Served as `Content-Type`.
    pub media_type: String,
    /// Lower-case hex SHA-256 (an `ETag`).
    pub sha256: String,
    /// The bytes.
    pub content: Vec<u8>,
}

impl Forms<'_> {
    /// Media file `name` of form version `id` of `org`; `None` when `org` has no such version
    /// or the version no such file.
    pub async fn media_file(
        &self,
        org: OrgId,
        id: FormId,
        name: &str,
    ) -> anyhow::Result<Option<MediaContent>> {
        let row: Option<MediaContent> = on_read!(self, |pool| {
            sqlx::query_as(
                "select m.media_type, m.sha256, m.content
                 from form_media m join forms f on f.id = m.form_version_id
                 where f.org_id = $1 and f.id = $2 and m.name = $3",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(name)
            .fetch_optional(pool)
            .await
            .context("reading a form's media file")?
        });
        Ok(row)
    }

    /// The data files (CSV, XML, GeoJSON) of form version `id` of `org`, as `(name, bytes)`.
    pub async fn data_files(
        &self,
        org: OrgId,
        id: FormId,
    ) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
        let sql = data_files_sql();
        let rows: Vec<(String, Vec<u8>)> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_all(pool)
                .await
                .context("reading a form's data files")?
        });
        Ok(rows)
    }
}

/// The SQL text of [`Forms::data_files`], also run inside the push transaction (the completion
/// check compiles a version with its data files).
pub(crate) fn data_files_sql() -> String {
    format!(
        "select m.name, m.content from form_media m join forms f on f.id = m.form_version_id
         where f.org_id = $1 and f.id = $2 and m.media_type in {DATA_TYPES} order by m.name"
    )
}

impl WriteTx {
    /// Stores the media files of the form version `id` (just inserted in this transaction).
    pub async fn insert_form_media(
        &mut self,
        id: FormId,
        media: &[NewMedia],
    ) -> anyhow::Result<()> {
        for m in media {
            on_tx!(self, |c| {
                sqlx::query(
                    "insert into form_media (form_version_id, name, media_type, sha256, bytes,
                                             content)
                     values ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id.to_string())
                .bind(&m.file.name)
                .bind(&m.file.media_type)
                .bind(&m.file.sha256)
                .bind(i64::try_from(m.file.bytes).context("media file size")?)
                .bind(&m.content[..])
                .execute(&mut **c)
                .await
                .map(|_| ())
                .with_context(|| format!("storing media file {}", m.file.name))?
            });
        }
        Ok(())
    }
}
