//! The media files of a form upload (ODK's form attachments): each name checked (one plain
//! name, an allowed extension; images, audio and video only when the form shows them), each
//! size bounded before its bytes are held, each data file read through
//! `terreno_shared::form::media` (a bad one refused with its file and line), and a warning for
//! every file the form reads but was not given — the form still imports, its lookups empty, as
//! ODK Collect does.
//!
//! Also turns stored files back into the lookup tables an engine reads ([`tables`]).
//!
//! Must not write to the database or print.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use ring::digest::{SHA256, digest};
use terreno_shared::api::v1::forms::FormMediaFile;
use terreno_shared::form::media::{
    self, MAX_MEDIA_BYTES, MAX_MEDIA_FILES, MediaError, MediaKind, MediaTables,
};
use terreno_shared::form::xlsform::{Form, Warning};

/// One file as uploaded.
#[derive(Debug, Clone)]
pub struct MediaUpload {
    /// The file name (the multipart part's file name, or the path's last component).
    pub name: String,
    /// Its bytes, at most [`MAX_MEDIA_BYTES`].
    pub bytes: Vec<u8>,
}

/// A checked media file, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMedia {
    /// As listed with the version.
    pub file: FormMediaFile,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// Reads `path` as a media file, refusing it past [`MAX_MEDIA_BYTES`] without reading further.
pub fn read_path(path: &Path) -> Result<MediaUpload, MediaError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let refuse = |message: String| MediaError {
        file: path.display().to_string(),
        line: None,
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| refuse(format!("cannot open it: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_MEDIA_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if bytes.len() > MAX_MEDIA_BYTES {
        return Err(refuse(too_large()));
    }
    Ok(MediaUpload { name, bytes })
}

/// The refusal of a file over the limit.
pub fn too_large() -> String {
    format!("a media file is at most {} MiB", MAX_MEDIA_BYTES >> 20)
}

/// Checks the uploads against `form`: the files to store, and a warning for each file the form
/// reads that is not among them. Refuses the first bad file (name, size, content), a name given
/// twice, more than [`MAX_MEDIA_FILES`] files, and an image or sound the form does not show.
pub fn check(
    form: &Form,
    uploads: Vec<MediaUpload>,
) -> Result<(Vec<NewMedia>, Vec<Warning>), MediaError> {
    if uploads.len() > MAX_MEDIA_FILES {
        return Err(MediaError {
            file: uploads[MAX_MEDIA_FILES].name.clone(),
            line: None,
            message: format!("a form version has at most {MAX_MEDIA_FILES} media files"),
        });
    }
    let shown = media::shown_files(form);
    let mut seen = BTreeSet::new();
    let mut files = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let refuse = |message: String| MediaError {
            file: upload.name.clone(),
            line: None,
            message,
        };
        let kind = media::check_name(&upload.name)?;
        if !seen.insert(upload.name.to_lowercase()) {
            return Err(refuse("the file is given twice".into()));
        }
        if upload.bytes.len() > MAX_MEDIA_BYTES {
            return Err(refuse(too_large()));
        }
        if kind.is_data() {
            media::parse_table(&upload.name, &upload.bytes)?;
        } else if !shown.contains(&upload.name) {
            return Err(refuse(
                "the form shows no image, audio or video of this name (its image, audio and \
                 video columns name the files it uses)"
                    .into(),
            ));
        }
        files.push(NewMedia {
            file: FormMediaFile {
                media_type: MediaKind::media_type(&upload.name).to_owned(),
                sha256: terreno_shared::hex::encode(digest(&SHA256, &upload.bytes).as_ref()),
                bytes: upload.bytes.len() as u64,
                name: upload.name,
            },
            content: upload.bytes,
        });
    }
    let names: Vec<&str> = files.iter().map(|f| f.file.name.as_str()).collect();
    let warnings = media::missing_files(form, &names);
    Ok((files, warnings))
}

/// The lookup tables of stored data files `(name, bytes)`. A file that no longer reads (it was
/// checked when stored) is left out: its lookups are empty, as for a missing file.
pub fn tables(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> MediaTables {
    let mut tables = MediaTables::new();
    for (name, bytes) in files {
        if MediaKind::of(&name).is_some_and(MediaKind::is_data)
            && let Ok(table) = media::parse_table(&name, &bytes)
        {
            tables.insert(table);
        }
    }
    tables
}
