//! The completion check: a `visit_submitted` event's answers evaluated with the form version it
//! names, by the same shared runtime the collector's app ran before letting it complete
//! ([`crate::forms::completion`]). A refusal is returned before the submission writes anything,
//! so the visit stays as it was and only the rejected event remains, as evidence:
//!
//! - `form_required`: no form named while the organization has a visit form;
//! - `unknown_form`: a form version the organization does not have (or another version string);
//! - `invalid_form`: a stored version the runtime cannot compile (the app could not fill it);
//! - `invalid_submission`: a required answer missing or a constraint failing, each listed as
//!   `path: message` in the form's default language; or a promise or payment other than the
//!   one the answers describe (read by the shared `submission::Terms`, as the device built it).

use std::sync::Arc;
use terreno_shared::api::ErrorCode;

use chrono_tz::Tz;
use terreno_shared::form::runtime::Engine;
use terreno_shared::form::xlsform::Form;
use terreno_shared::ids::{FormId, VisitId};
use terreno_shared::model::Outcome;
use terreno_shared::model::submission::{RawSubmission, Terms};

use super::{ProjectStore, Projected, Projector, rejected};
use crate::forms::completion::{check, issues_text};
use crate::forms::engines::CompiledForm;

/// What the check needs of the organization.
#[derive(Debug, Clone)]
pub(super) struct OrgForms {
    time_zone: Tz,
    visit_form: Option<String>,
}

impl Projector {
    /// The refusal of a submission its form does not accept, if any.
    pub(super) async fn check_completion<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        visit: VisitId,
        s: &RawSubmission,
    ) -> sqlx::Result<Option<Projected>> {
        let org = self.org_forms(c).await?;
        let Some(named) = &s.form else {
            return Ok(org.visit_form.map(|current| {
                let msg = format!(
                    "visit {visit} was completed without naming its form; this organization's \
                     visits are filled with form version {current}"
                );
                rejected(ErrorCode::FormRequired, msg)
            }));
        };
        let form = match self.compiled(c, named.id).await? {
            Ok(form) => form,
            Err(refusal) => return Ok(Some(refusal)),
        };
        if form.version != named.version {
            let msg = format!(
                "form version {} is version {:?} of its form, not {:?}",
                named.id, form.version, named.version
            );
            return Ok(Some(rejected(ErrorCode::UnknownForm, msg)));
        }
        // `balance` is evaluated as submitted: it is the balance the collector saw when the
        // visit started, and the promise was agreed against it. The account's balance may have
        // moved since (a payment, a new import); that must not turn a valid visit into a
        // refused one.
        let verdict = check(
            &form,
            &s.answers,
            s.completed_at,
            org.time_zone,
            &visit.to_string(),
        );
        if let Err(issues) = verdict {
            let msg = format!(
                "visit {visit}: the answers do not complete form version {}: {}",
                named.id,
                issues_text(&issues)
            );
            return Ok(Some(rejected(ErrorCode::InvalidSubmission, msg)));
        }
        Ok(terms_refusal(visit, s))
    }

    async fn org_forms<C: ProjectStore + Send>(&mut self, c: &mut C) -> sqlx::Result<OrgForms> {
        if let Some(o) = &self.org_forms {
            return Ok(o.clone());
        }
        let (zone, visit_form) = c.org_forms(&self.org.to_string()).await?;
        let time_zone = zone.parse().map_err(|e: chrono_tz::ParseError| {
            sqlx::Error::Decode(format!("stored time zone {zone:?}: {e}").into())
        })?;
        let o = OrgForms {
            time_zone,
            visit_form,
        };
        self.org_forms = Some(o.clone());
        Ok(o)
    }

    /// Version `id` of this organization compiled (from the cache when it is there), or the
    /// refusal when the organization has no such version or it does not compile.
    async fn compiled<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        id: FormId,
    ) -> sqlx::Result<Result<Arc<CompiledForm>, Projected>> {
        if let Some(form) = self.engines.get(id).filter(|f| f.org == self.org) {
            return Ok(Ok(form));
        }
        let Some((version, definition)) =
            c.find_form(&self.org.to_string(), &id.to_string()).await?
        else {
            let msg = format!("this organization has no form version {id}");
            return Ok(Err(rejected(ErrorCode::UnknownForm, msg)));
        };
        let form: Form =
            serde_json::from_str(&definition).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let engine = match Engine::new(&form) {
            Ok(engine) => engine,
            Err(problems) => {
                let first = problems
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let msg = format!("form version {id} cannot be evaluated: {first}");
                return Ok(Err(rejected(ErrorCode::InvalidForm, msg)));
            }
        };
        // The answers were checked on the device with the version's lookup tables: the same
        // tables here, so a constraint reading `pulldata` gives the same verdict.
        let data = c
            .find_form_data(&self.org.to_string(), &id.to_string())
            .await?;
        let compiled = CompiledForm {
            org: self.org,
            version,
            language: form.settings.default_language.clone(),
            engine: engine.with_media(crate::forms::media::tables(data)),
        };
        Ok(Ok(self.engines.insert(id, compiled)))
    }
}

/// The refusal of a promise to pay or payment that is not the one the answers describe: reports
/// count the promise and the payment, the collector saw the answers. Amounts read in the
/// submission's own currency (the account's, which the device read them in).
fn terms_refusal(visit: VisitId, s: &RawSubmission) -> Option<Projected> {
    let currency = match s.outcome {
        Outcome::PromiseToPay => s.promise?.amount().currency(),
        Outcome::Paid => s.payment.as_ref()?.amount().currency(),
        _ => return None,
    };
    let refuse = |why: String| {
        Some(rejected(
            ErrorCode::InvalidSubmission,
            format!("visit {visit}: {why}"),
        ))
    };
    match Terms::from_answers(s.outcome, &s.answers, currency) {
        Err(e) => refuse(e.to_string()),
        Ok(t) if t.promise != s.promise || t.payment != s.payment => refuse(format!(
            "the {} does not match the answers",
            if s.outcome == Outcome::Paid {
                "payment"
            } else {
                "promise to pay"
            }
        )),
        Ok(_) => None,
    }
}
