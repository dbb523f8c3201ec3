//! Rules the OpenAPI document keeps, so it keeps saying what the server does (scripts/fuzz-api
//! checks the answers themselves against it):
//! - every success answer with a JSON (or GeoJSON) body names its real type: no free-form
//!   object (`serde_json::Value` documented as `Object`) as the body, nor as a property the
//!   body's types reach, where a free-form object also claims `type: object` for values that
//!   are strings, numbers or null;
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

/// Every free-form object reachable from `schema`, named by where it is.
fn free_forms(
    doc: &Value,
    schema: &Value,
    at: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        if seen.iter().any(|s| s == r) {
            return;
        }
        seen.push(r.to_owned());
        return free_forms(doc, resolve(doc, schema), r, seen, out);
    }
    if is_free_form_object(schema) {
        out.push(at.to_owned());
    }
    if let Some(props) = schema["properties"].as_object() {
        for (name, p) in props {
            free_forms(doc, p, &format!("{at}.{name}"), seen, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if schema[key].is_object() {
            free_forms(doc, &schema[key], &format!("{at}[]"), seen, out);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            free_forms(doc, s, at, seen, out);
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
