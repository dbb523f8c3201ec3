//! Test forms built in code through `parse_form` rows (the app reads no spreadsheets): the
//! debt-collection visit form of the contract with the server (`forms/visita_cobranza.xlsx`:
//! same names, relevance, constraints and Spanish messages), a form of every answerable type
//! with a group and a repeat, and the pulled changes that bring them.

use serde_json::json;
use terreno_shared::api::v1::forms::{FormVersion, VISIT_FORM_ID};
use terreno_shared::api::v1::sync::Change;
use terreno_shared::form::xlsform::{Form, Sheet, parse_form};
use terreno_shared::ids::FormId;

use crate::store::{Store, mirror};

fn sheet(name: &str, rows: &[&[&str]]) -> Sheet {
    Sheet::new(
        name,
        rows.iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect(),
    )
}

const DEBTOR_OR_THIRD: &str = "${contact_result} = 'debtor' or ${contact_result} = 'third_party'";
const AMOUNT: &str = ". > 0 and . <= ${balance}";

/// The visit form, at settings version `version`.
// Long: the test visit form written out row by row, as an author would.
pub(crate) fn visit_form(version: &str) -> Form {
    let promise_msg =
        "El monto prometido debe ser mayor que cero y no superar el saldo de ${balance}";
    let survey: &[&[&str]] = &[
        &[
            "type",
            "name",
            "label::Español (es)",
            "required",
            "relevant",
            "constraint",
            "constraint_message::Español (es)",
            "appearance",
        ],
        &["hidden", "balance", "", "", "", "", "", ""],
        &[
            "select_one contact_result",
            "contact_result",
            "Resultado del contacto",
            "yes",
            "",
            "",
            "",
            "",
        ],
        &[
            "text",
            "person_contacted",
            "Persona contactada",
            "yes",
            DEBTOR_OR_THIRD,
            "",
            "",
            "",
        ],
        &[
            "select_one relationship",
            "relationship",
            "Parentesco",
            "yes",
            "${contact_result} = 'third_party'",
            "",
            "",
            "",
        ],
        &[
            "decimal",
            "promise_amount",
            "Monto prometido",
            "",
            "${contact_result} = 'debtor'",
            AMOUNT,
            promise_msg,
            "",
        ],
        &[
            "date",
            "promise_date",
            "Fecha de pago",
            "yes",
            "${promise_amount} != ''",
            ". >= today() and . <= today() + 30",
            "La fecha de pago debe estar entre hoy y 30 días",
            "",
        ],
        &[
            "decimal",
            "payment_amount",
            "Monto pagado",
            "",
            DEBTOR_OR_THIRD,
            AMOUNT,
            "El pago debe ser mayor que cero y no superar el saldo de ${balance}",
            "",
        ],
        &[
            "select_one payment_method",
            "payment_method",
            "Medio de pago",
            "yes",
            "${payment_amount} != ''",
            "",
            "",
            "",
        ],
        &[
            "text",
            "payment_receipt",
            "Recibo",
            "${payment_method} != 'cash'",
            "${payment_amount} != ''",
            "",
            "",
            "",
        ],
        &[
            "select_one non_payment_reason",
            "non_payment_reason",
            "Motivo de no pago",
            "yes",
            "${contact_result} = 'debtor' and ${promise_amount} = '' and ${payment_amount} = ''",
            "",
            "",
            "",
        ],
        &[
            "date",
            "next_visit",
            "Próxima visita",
            "",
            "",
            ". >= today()",
            "La próxima visita no puede ser en el pasado",
            "",
        ],
        &[
            "image",
            "photo",
            "Foto de la fachada",
            "${contact_result} = 'nobody_home' or ${contact_result} = 'wrong_address'",
            "",
            "",
            "",
            "",
        ],
        &[
            "image",
            "signature",
            "Firma",
            "",
            "${promise_amount} != '' or ${payment_amount} != ''",
            "",
            "",
            "signature",
        ],
        &["text", "comment", "Comentario", "", "", "", "", "multiline"],
    ];
    let lists: &[(&str, &[&str])] = &[
        (
            "contact_result",
            &[
                "debtor",
                "third_party",
                "nobody_home",
                "wrong_address",
                "refused",
            ],
        ),
        (
            "relationship",
            &[
                "spouse",
                "parent",
                "child",
                "sibling",
                "employee",
                "neighbour",
                "other",
            ],
        ),
        (
            "payment_method",
            &["cash", "transfer", "card", "cheque", "other"],
        ),
        (
            "non_payment_reason",
            &[
                "unemployed",
                "illness",
                "disputes_debt",
                "forgot",
                "no_funds",
                "other",
            ],
        ),
    ];
    let mut choices = vec![vec![
        "list_name".to_owned(),
        "name".to_owned(),
        "label::Español (es)".to_owned(),
    ]];
    for (list, names) in lists {
        for n in *names {
            choices.push(vec![
                (*list).to_owned(),
                (*n).to_owned(),
                format!("{n} (es)"),
            ]);
        }
    }
    let settings: &[&[&str]] = &[
        &["form_id", "form_title", "version", "default_language"],
        &[
            "visita_cobranza",
            "Visita de cobranza",
            version,
            "Español (es)",
        ],
    ];
    let sheets = [
        sheet("survey", survey),
        Sheet::new("choices", choices),
        sheet("settings", settings),
    ];
    parse_form(&sheets)
        .unwrap_or_else(|p| panic!("the visit form is refused: {p:#?}"))
        .0
}

/// A form with one answerable question of each kind, a group and a repeat.
pub(crate) fn every_type_form() -> Form {
    let survey: &[&[&str]] = &[
        &[
            "type",
            "name",
            "label",
            "calculation",
            "read_only",
            "parameters",
            "appearance",
        ],
        &["integer", "age", "Age", "", "", "", ""],
        &["decimal", "amount", "Amount", "", "", "", ""],
        &["date", "day", "Day", "", "", "", ""],
        &["time", "at", "At", "", "", "", ""],
        &["dateTime", "when", "When", "", "", "", ""],
        &["select_one colour", "colour", "Colour", "", "", "", ""],
        &[
            "select_multiple colour",
            "colours",
            "Colours",
            "",
            "",
            "",
            "",
        ],
        &["geopoint", "where", "Where", "", "", "", ""],
        &["barcode", "code", "Code", "", "", "", ""],
        &[
            "range",
            "score",
            "Score",
            "",
            "",
            "start=0 end=5 step=1",
            "",
        ],
        &["note", "intro", "Read this", "", "", "", ""],
        &["calculate", "double", "", "${age} * 2", "", "", ""],
        &["text", "fixed", "Fixed", "", "yes", "", ""],
        &["image", "sign", "Sign", "", "", "", "signature"],
        &["file", "doc", "Document", "", "", "", ""],
        &["begin group", "home", "Home", "", "", "", ""],
        &["text", "street", "Street", "", "", "", ""],
        &["end group", "", "", "", "", "", ""],
        &["begin repeat", "kids", "Kids", "", "", "", ""],
        &["text", "name", "Name", "", "", "", ""],
        &["end repeat", "", "", "", "", "", ""],
    ];
    let choices: &[&[&str]] = &[
        &["list_name", "name", "label"],
        &["colour", "red", "Red"],
        &["colour", "green", "Green"],
    ];
    parse_form(&[sheet("survey", survey), sheet("choices", choices)])
        .unwrap_or_else(|p| panic!("the test form is refused: {p:#?}"))
        .0
}

/// Form version `n` (its id derives from `n`) of the visit form.
pub(crate) fn version(n: u128, definition: Form) -> FormVersion {
    FormVersion {
        id: FormId::from_uuid(uuid::Uuid::from_u128(0xf0f0_0000 + n)),
        form_id: "visita_cobranza".into(),
        version: definition.settings.version.clone().unwrap_or_default(),
        title: "Visita de cobranza".into(),
        created_ms: 1_700_000_000_000,
        definition,
        media: Vec::new(),
    }
}

/// The pulled changes of a form version and of naming it the visit form.
pub(crate) fn changes(f: &FormVersion) -> [Change; 2] {
    [
        crate::store::test_support::change(
            "form",
            f.id.to_string(),
            "upsert",
            serde_json::to_value(f).expect("a form version encodes"),
        ),
        crate::store::test_support::change(
            "visit_form",
            VISIT_FORM_ID,
            "upsert",
            json!({"id": f.id}),
        ),
    ]
}

/// Applies `f` as the visit form, as a pull page would.
pub(crate) fn pull(store: &mut Store, f: &FormVersion) {
    mirror::apply_page(
        &mut store.conn,
        &changes(f),
        mirror::PageCursor::Feed("forms"),
        0,
    )
    .expect("applying the visit form");
}
