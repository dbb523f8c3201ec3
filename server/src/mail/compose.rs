//! The email of a completed visit, in Spanish: subject, plain text and HTML (values escaped),
//! and a Message-ID derived from the visit and its completion time, so a resend of the same
//! completion is recognisable as the same message.

use chrono_tz::Tz;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use terreno_shared::geofence::Verdict;
use terreno_shared::model::Outcome;
use terreno_shared::model::submission::PaymentMethod;

use crate::db::outbox::VisitEmail;

/// The Message-ID of a completion: `<visit.completed_ms@domain>`.
pub fn message_id(visit: &str, completed_ms: i64, domain: &str) -> String {
    format!("<{visit}.{completed_ms}@{domain}>")
}

/// The outcome as supervisors read it.
pub fn outcome_es(o: Outcome) -> &'static str {
    match o {
        Outcome::Paid => "Pagó",
        Outcome::PromiseToPay => "Promesa de pago",
        Outcome::Contacted => "Contactado sin compromiso",
        Outcome::ThirdParty => "Mensaje con tercero",
        Outcome::NobodyHome => "No había nadie",
        Outcome::WrongAddress => "Dirección errada",
        Outcome::Refused => "Se negó a atender",
    }
}

fn method_es(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => "efectivo",
        PaymentMethod::Transfer => "transferencia",
        PaymentMethod::Card => "tarjeta",
        PaymentMethod::Cheque => "cheque",
        PaymentMethod::Other => "otro medio",
    }
}

/// A check-in verdict in a few words (refusal reasons keep their own wording).
pub fn verdict_es(v: &Verdict) -> String {
    match v {
        Verdict::Allowed {
            distance_m,
            accuracy_m,
            ..
        } => format!("aceptado a {distance_m:.0} m de la dirección (±{accuracy_m:.0} m)"),
        Verdict::LocationCapture { accuracy_m, .. } => {
            format!("ubicación propuesta para el deudor (±{accuracy_m:.0} m), por aprobar")
        }
        Verdict::Refused { reasons } => {
            let reasons: Vec<String> = reasons.iter().map(ToString::to_string).collect();
            format!("rechazado: {}", reasons.join("; "))
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The lines of the message, as (label, value), shared by the text and HTML parts.
fn lines(e: &VisitEmail, tz: Tz, link: &str) -> Vec<(&'static str, String)> {
    let s = e.submission.get();
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    };
    let mut out = vec![
        ("Deudor", format!("{} (cuenta {})", e.debtor, e.external_id)),
        ("Dirección", e.address.clone()),
        ("Gestor", format!("{} ({})", e.collector.0, e.collector.1)),
        ("Resultado", outcome_es(s.outcome).to_owned()),
        ("Hora", format!("{} ({tz})", local(e.completed_at))),
    ];
    if let Some(p) = &s.promise {
        out.push((
            "Promesa de pago",
            format!("{} para el {}", p.amount(), p.due()),
        ));
    }
    if let Some(p) = &s.payment {
        let receipt = p
            .receipt()
            .map(|r| format!(", recibo {r}"))
            .unwrap_or_default();
        out.push((
            "Pago",
            format!("{} en {}{receipt}", p.amount(), method_es(p.method())),
        ));
    }
    if e.checkins.is_empty() {
        out.push(("Check-in", "ninguno".to_owned()));
    }
    for (at, device, server) in &e.checkins {
        out.push((
            "Check-in",
            format!(
                "{}: servidor: {}; teléfono: {}",
                local(*at),
                verdict_es(server),
                verdict_es(device)
            ),
        ));
    }
    out.push(("Ver la visita", link.to_owned()));
    out
}

/// Builds the message of the completion at `completed_ms` (the outbox row's: its Message-ID
/// stays the same on a resend even if the visit was completed again since) from `from` to the
/// email's recipients; `public_url` roots the link.
pub fn compose(
    e: &VisitEmail,
    completed_ms: i64,
    from: &Mailbox,
    public_url: &str,
) -> anyhow::Result<Message> {
    let s = e.submission.get();
    let link = format!("{}/visits/{}", public_url.trim_end_matches('/'), e.visit_id);
    let lines = lines(e, e.time_zone, &link);
    let text: String = std::iter::once("Visita completada\n\n".to_owned())
        .chain(lines.iter().map(|(k, v)| format!("{k}: {v}\n")))
        .collect();
    let rows: String = lines
        .iter()
        .map(|(k, v)| {
            let v = if v.starts_with("http") {
                format!("<a href=\"{0}\">{0}</a>", escape(v))
            } else {
                escape(v)
            };
            format!(
                "<tr><th align=\"left\">{}</th><td>{v}</td></tr>\n",
                escape(k)
            )
        })
        .collect();
    let html = format!(
        "<!doctype html>\n<html lang=\"es\"><body>\n<h2>Visita completada</h2>\n<table>\n{rows}</table>\n</body></html>\n"
    );
    let domain = from.email.domain();
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(format!(
            "Visita completada: {} ({}) — {}",
            e.debtor,
            e.external_id,
            outcome_es(s.outcome)
        ))
        .message_id(Some(message_id(&e.visit_id, completed_ms, domain)));
    for (name, address) in &e.recipients {
        let to: Mailbox = format!("{name} <{address}>")
            .parse()
            .or_else(|_| address.parse())
            .map_err(|err| anyhow::anyhow!("recipient {address:?}: {err}"))?;
        builder = builder.to(to);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|err| anyhow::anyhow!("building the email: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_id_names_the_visit_and_its_completion() {
        assert_eq!(
            message_id("v1", 1234, "example.org"),
            "<v1.1234@example.org>"
        );
    }

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(
            escape(r#"<b>"Peña" & 'Díaz'</b>"#),
            "&lt;b&gt;&quot;Peña&quot; &amp; &#39;Díaz&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn every_outcome_has_a_spanish_label() {
        for o in Outcome::ALL {
            assert!(!outcome_es(o).is_empty());
        }
        assert_eq!(outcome_es(Outcome::PromiseToPay), "Promesa de pago");
    }

    #[test]
    fn verdicts_read_in_spanish() {
        let v = Verdict::Allowed {
            distance_m: 3.4,
            accuracy_m: 5.0,
            fixes_used: 3,
            dwell_secs: 20.0,
        };
        assert_eq!(verdict_es(&v), "aceptado a 3 m de la dirección (±5 m)");
    }
}
