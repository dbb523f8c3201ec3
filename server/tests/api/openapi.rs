//! Rules the OpenAPI document keeps, so it keeps saying what the server does (scripts/fuzz-api
//! checks the answers themselves against it):
//! - every success answer with a JSON (or GeoJSON) body names its real type: no free-form
//!   object (`serde_json::Value` documented as `Object`) as the body, nor as a property the
//!   body's types reach, where a free-form object also claims `type: object` for values that
//!   are strings, numbers or null;
//! - no request or answer body, of any status, reaches a schema that allows any value (`{}`, a
//!   schema with only a description, `additionalProperties: true`): JSON kept as
//!   `serde_json::Value` is described by what it may hold;
//! - a request body whose type refuses unknown fields says so (`additionalProperties: false`).

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(terreno_server::routes::openapi::document())
        .expect("the OpenAPI document serializes")
}

/// The component a `$ref` names.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Whether a schema is an object that says nothing about its content.
fn is_free_form_object(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    let says_object = match &schema["type"] {
        Value::String(t) => t == "object",
        Value::Array(ts) => ts.iter().any(|t| t == "object"),
        _ => false,
    };
    let describes = [
        "properties",
        "additionalProperties",
        "$ref",
        "allOf",
        "oneOf",
        "anyOf",
    ]
    .iter()
    .any(|k| obj.contains_key(*k));
    says_object && !describes
}

/// Whether a schema allows any JSON value: it names no type, no reference and no composition
/// (`{}`, or only a description or example).
fn is_any(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    let typed = [
        "type", "$ref", "allOf", "oneOf", "anyOf", "enum", "const", "not",
    ];
    !typed.iter().any(|k| obj.contains_key(*k))
}

/// Every free-form object (or, with `any`, schema allowing any value) reachable from `schema`,
/// named by where it is.
fn free_forms(
    doc: &Value,
    schema: &Value,
    at: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    walk(doc, schema, at, false, seen, out)
}

/// [`free_forms`], also naming schemas that allow any value when `any` is set.
fn walk(
    doc: &Value,
    schema: &Value,
    at: &str,
    any: bool,
    seen: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        if seen.iter().any(|s| s == r) {
            return;
        }
        seen.push(r.to_owned());
        return walk(doc, resolve(doc, schema), r, any, seen, out);
    }
    if is_free_form_object(schema) || (any && is_any(schema)) {
        out.push(at.to_owned());
    }
    if any && schema["additionalProperties"] == Value::Bool(true) {
        out.push(format!("{at} (additionalProperties: true)"));
    }
    if let Some(props) = schema["properties"].as_object() {
        for (name, p) in props {
            walk(doc, p, &format!("{at}.{name}"), any, seen, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if schema[key].is_object() {
            walk(doc, &schema[key], &format!("{at}[]"), any, seen, out);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            walk(doc, s, at, any, seen, out);
        }
    }
}

/// `(method path, status, media type, schema)` of every documented answer.
fn answers(doc: &Value) -> Vec<(String, String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            for (status, resp) in op["responses"].as_object().into_iter().flatten() {
                for (media, content) in resp["content"].as_object().into_iter().flatten() {
                    let schema = content["schema"].clone();
                    out.push((
                        format!("{method} {path}"),
                        status.clone(),
                        media.clone(),
                        schema,
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_json_success_answer_is_documented_with_its_real_type() {
    let doc = document();
    let mut found = Vec::new();
    for (op, status, media, schema) in answers(&doc) {
        if !status.starts_with('2') || !media.contains("json") {
            continue;
        }
        let mut here = Vec::new();
        free_forms(&doc, &schema, "body", &mut Vec::new(), &mut here);
        if schema.as_object().is_none_or(|s| s.is_empty()) {
            here.push("body (any value)".to_owned());
        }
        found.extend(
            here.into_iter()
                .map(|at| format!("{op} {status} {media}: {at}")),
        );
    }
    assert!(
        found.is_empty(),
        "free-form objects in success answers (document the real type):\n{}",
        found.join("\n")
    );
}

/// `(method path, media type, schema)` of every documented request body.
fn requests(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let content = op["requestBody"]["content"].as_object();
            for (media, content) in content.into_iter().flatten() {
                out.push((
                    format!("{method} {path}"),
                    media.clone(),
                    content["schema"].clone(),
                ));
            }
        }
    }
    out
}

#[test]
fn no_request_or_answer_body_allows_any_value() {
    let doc = document();
    let bodies = answers(&doc)
        .into_iter()
        .map(|(op, status, media, schema)| (format!("{op} {status}"), media, schema))
        .chain(
            requests(&doc)
                .into_iter()
                .map(|(op, media, schema)| (format!("{op} request"), media, schema)),
        );
    let mut found = Vec::new();
    let mut checked = 0;
    for (what, media, schema) in bodies {
        // Files (CSV, XLSX, GPX, blobs, spreadsheets uploaded) are bytes, not JSON values.
        if !media.contains("json") {
            continue;
        }
        checked += 1;
        let mut here = Vec::new();
        walk(&doc, &schema, "body", true, &mut Vec::new(), &mut here);
        found.extend(here.into_iter().map(|at| format!("{what} {media}: {at}")));
    }
    assert!(checked > 50, "only {checked} JSON bodies documented");
    assert!(
        found.is_empty(),
        "bodies that allow any value (describe what they hold):\n{}",
        found.join("\n")
    );
}

#[test]
fn request_bodies_that_refuse_unknown_fields_say_so() {
    let doc = document();
    // Request types marked `#[serde(deny_unknown_fields)]` on the server, by schema name.
    let strict = [
        "LoginRequest",
        "EnrollRequest",
        "ReviewRequest",
        "NewPerson",
        "NewPassword",
        "NewTracker",
        "PreviewRequest",
        "VisitFormChoice",
        "PushBatch",
        "WireEvent",
    ];
    let schemas = &doc["components"]["schemas"];
    let loose: Vec<&str> = strict
        .iter()
        .copied()
        .filter(|name| schemas[*name]["additionalProperties"] != Value::Bool(false))
        .collect();
    assert!(
        loose.is_empty(),
        "without additionalProperties: false: {loose:?}"
    );
}

#[test]
fn the_free_form_rule_catches_an_object_documented_as_object() {
    let doc = serde_json::json!({"components": {"schemas": {
        "Visit": {"type": "object", "properties": {"fields": {"type": "object"}}}
    }}});
    let mut found = Vec::new();
    let schema = serde_json::json!({"$ref": "#/components/schemas/Visit"});
    free_forms(&doc, &schema, "body", &mut Vec::new(), &mut found);
    assert_eq!(found, ["#/components/schemas/Visit.fields"]);
}

#[test]
fn the_any_value_rule_catches_an_empty_schema_and_open_maps() {
    let doc = serde_json::json!({"components": {"schemas": {
        "Event": {"type": "object", "properties": {
            "payload": {"description": "anything"},
            "extra": {"type": "object", "properties": {}, "additionalProperties": true},
            "kind": {"type": "string"}
        }}
    }}});
    let mut found = Vec::new();
    let schema = serde_json::json!({"$ref": "#/components/schemas/Event"});
    walk(&doc, &schema, "body", true, &mut Vec::new(), &mut found);
    found.sort();
    assert_eq!(
        found,
        [
            "#/components/schemas/Event.extra (additionalProperties: true)",
            "#/components/schemas/Event.payload",
        ]
    );
}

/// Writes the document to the file `TERRENO_OPENAPI_OUT` names, for validators outside Rust
/// (openapi-spec-validator); does nothing without it.
#[test]
fn the_document_is_written_where_asked() {
    if let Ok(path) = std::env::var("TERRENO_OPENAPI_OUT") {
        let text = serde_json::to_string_pretty(&document()).expect("the document serializes");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {path}: {e}"));
    }
}
