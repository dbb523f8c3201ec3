//! Liveness and the OpenAPI document.

use crate::both;

both!(
    healthz_answers_ok_with_a_database_round_trip,
    |app: crate::harness::TestApp| async move {
        let r = app.get("/healthz", None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.text, "ok");
    }
);

both!(
    the_openapi_document_is_served,
    |app: crate::harness::TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["openapi"].as_str().map(|v| &v[..2]), Some("3."));
        assert!(r.body["paths"]["/healthz"].is_object(), "{}", r.text);
    }
);

both!(
    errors_made_outside_the_handlers_have_a_code_and_message_too,
    |app: crate::harness::TestApp| async move {
        let unknown = app.get("/api/v1/nothing-here", None).await;
        assert_eq!(unknown.status, 404);
        assert_eq!(unknown.body["code"], "not_found", "{}", unknown.text);
        let method = app.post("/healthz", None, &serde_json::json!({})).await;
        assert_eq!(method.status, 405);
        assert_eq!(method.body["code"], "method_not_allowed", "{}", method.text);
    }
);
