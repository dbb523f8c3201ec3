//! The `settings` sheet: a header row of keys and one row of values. Keys are read in any case
//! with pyxform's legacy spellings (`id_string`, `title`); keys this module does not use are kept
//! in [`Settings::other`].
//!
//! Must not check `instance_name` references: that needs the survey's names (see `check`).

use super::model::Settings;
use super::report::{At, Report, Sheet};

/// Spreadsheet row of the values (the first non-blank row after the header).
pub(crate) type ValuesRow = u32;

/// Reads the settings sheet, if there is one.
pub(crate) fn read(sheet: Option<&Sheet>, report: &mut Report) -> (Settings, ValuesRow) {
    let mut settings = Settings::default();
    let Some(sheet) = sheet else {
        return (settings, 2);
    };
    let header = sheet.rows.first().map(Vec::as_slice).unwrap_or_default();
    let Some((index, values)) = sheet
        .rows
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
    else {
        return (settings, 2);
    };
    let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
    let mut title_from_name = None;
    for (i, key) in header.iter().enumerate() {
        let key = key
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("_")
            .to_lowercase();
        let value = values.get(i).map_or("", |v| v.trim());
        if key.is_empty() || value.is_empty() {
            continue;
        }
        let value = value.to_owned();
        match key.as_str() {
            "form_id" | "id_string" | "set_form_id" => settings.form_id = Some(value),
            "form_title" | "title" | "set_form_title" => settings.form_title = Some(value),
            "version" => settings.version = Some(value),
            "default_language" => settings.default_language = Some(value),
            "instance_name" => settings.instance_name = Some(value),
            "allow_choice_duplicates" => {
                settings.allow_choice_duplicates = yes_no(&value).unwrap_or_else(|| {
                    report.warn(
                        At::cell("settings", row, "allow_choice_duplicates"),
                        format!(
                            "'{value}' is not one of yes/no/true/false; \
                             the default 'no' is used instead"
                        ),
                    );
                    false
                });
            }
            _ => {
                // Legacy forms put the title under `name` (pyxform's root element name).
                if key == "name" {
                    title_from_name = Some(value.clone());
                }
                settings.other.insert(key, value);
            }
        }
    }
    if settings.form_title.is_none() {
        settings.form_title = title_from_name;
    }
    (settings, row)
}

/// pyxform's yes/no spellings, in any case: `yes`, `true`, `true()`, `no`, `false`, `false()`.
pub(crate) fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "yes" | "true" | "true()" => Some(true),
        "no" | "false" | "false()" => Some(false),
        _ => None,
    }
}
