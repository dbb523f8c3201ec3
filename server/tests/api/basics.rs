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
