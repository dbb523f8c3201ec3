//! Reading one debtor account or one visit within the caller's scope: an admin sees the
//! organization, a supervisor the team's collectors, a collector their own. Anything outside the
//! scope is answered exactly like something absent (`None`), so ids do not leak.

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;
use terreno_shared::api::v1::views::AccountView;

use super::account_view::AccountViewRow;
use super::portfolio::Portfolio;
use super::scope::{SCOPE, VISIT_OWNER, scope_binds};
use super::sessions::Session;
use super::visit_list::Visits;
use super::visit_reviews::VisitReview;
use crate::db::visit_answers::AnswerForm;
use crate::forms::labels::LabelledAnswer;
use crate::on_read;

/// A visit with everything folded into it, as supervisors and collectors read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitDetail {
    /// Visit id.
    pub id: String,
    /// The account visited.
    pub account: String,
    /// The collector.
    pub collector: String,
    /// planned, in_progress, done, not_done, cancelled.
    pub status: String,
    /// Reopen generation.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub epoch: i64,
    /// The outcome, once submitted.
    pub outcome: Option<String>,
    /// When it was completed (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub completed_ms: Option<i64>,
    /// The submitted visit (answers, promise, payment); null until it is submitted.
    #[schema(value_type = Option<terreno_shared::model::Submission>)]
    pub submission: Option<Value>,
    /// A check-in the device allowed but the server refused.
    pub flagged: bool,
    /// Current field values and answers by name; each value has its question's type.
    #[schema(value_type = std::collections::BTreeMap<String, terreno_shared::openapi::AnswerValue>)]
    pub fields: serde_json::Map<String, Value>,
    /// Check-in attempts with both verdicts and the fixes they were judged on, oldest first.
    pub checkins: Vec<VisitCheckin>,
    /// The form version the answers are labelled with; null when none could be found.
    pub form: Option<AnswerForm>,
    /// Current answers (else the submitted ones) labelled, in the form's order.
    pub answers: Vec<LabelledAnswer>,
    /// The latest review: the visit's review state (null: not reviewed).
    pub review: Option<VisitReview>,
}

/// One check-in attempt of a visit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitCheckin {
    /// The device that made it.
    pub device_id: String,
    /// Its sequence number on that device.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// When (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    /// What the device decided.
    #[schema(value_type = terreno_shared::geofence::Verdict)]
    #[cfg_attr(feature = "ts", ts(as = "terreno_shared::geofence::Verdict"))]
    pub device_verdict: Value,
    /// What the server decided from the same evidence.
    #[schema(value_type = terreno_shared::geofence::Verdict)]
    #[cfg_attr(feature = "ts", ts(as = "terreno_shared::geofence::Verdict"))]
    pub server_verdict: Value,
    /// The device allowed what the server refuses.
    pub flagged: bool,
    /// The fixes it was judged on (empty when the event is not stored).
    #[schema(value_type = Vec<terreno_shared::model::Fix>)]
    #[cfg_attr(feature = "ts", ts(as = "Vec<terreno_shared::model::RawFix>"))]
    pub evidence: Value,
}

#[derive(sqlx::FromRow)]
struct VisitRow {
    id: String,
    account_id: String,
    collector_id: String,
    status: String,
    status_epoch: i64,
    outcome: Option<String>,
    completed_ms: Option<i64>,
    submission: Option<String>,
    flagged: bool,
}

#[derive(sqlx::FromRow)]
struct CheckinRow {
    device_id: String,
    seq: i64,
    at_ms: i64,
    device_verdict: String,
    server_verdict: String,
    flagged: bool,
    /// The check-in event as the device signed it (its `evidence` is the fixes judged).
    payload: Option<String>,
}

impl Portfolio<'_> {
    /// An account the caller may see.
    pub async fn find_account(
        &self,
        who: &Session,
        account_id: &str,
    ) -> anyhow::Result<Option<AccountView>> {
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select a.id, a.portfolio_id, p.name as portfolio_name, a.external_id, a.person_id,
                    pe.doc_number, a.debtor_name, a.address, a.neighbourhood, a.lat, a.lon,
                    a.phones, a.balance_minor, a.currency, cast(a.days_past_due as bigint) as days_past_due,
                    a.contact_window, a.collector_id, a.version
             from accounts a
             join portfolios p on p.id = a.portfolio_id
             join users c on c.id = a.collector_id
             left join persons pe on pe.id = a.person_id
             where a.id = $1 and p.org_id = $2 and {SCOPE}"
        );
        let row: Option<AccountViewRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(account_id)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
                .fetch_optional(pool)
                .await?
        });
        row.map(AccountViewRow::into_view).transpose()
    }
}

impl Visits<'_> {
    /// A visit the caller may see, with its fields and check-ins.
    pub async fn find(&self, who: &Session, visit_id: &str) -> anyhow::Result<Option<VisitDetail>> {
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select v.id, v.account_id, v.collector_id, v.status,
                    cast(v.status_epoch as bigint) as status_epoch, v.outcome, v.completed_ms,
                    v.submission, v.flagged
             from visits v {VISIT_OWNER}
             where v.id = $1 and {SCOPE}"
        );
        let (row, fields, checkins): (Option<VisitRow>, Vec<(String, String)>, Vec<CheckinRow>) =
            on_read!(self, |pool| {
                let row = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(visit_id)
                    .bind(&org)
                    .bind(role)
                    .bind(&team)
                    .bind(&user)
                    .fetch_optional(&mut *pool)
                    .await?;
                if row.is_none() {
                    return Ok(None);
                }
                let fields = sqlx::query_as(
                    "select field, value from field_values where entity = $1 order by field",
                )
                .bind(visit_id)
                .fetch_all(&mut *pool)
                .await?;
                let checkins = sqlx::query_as(
                    "select c.device_id, c.seq, c.at_ms, c.device_verdict, c.server_verdict,
                            c.flagged, e.payload
                     from checkins c
                     left join events e on e.device_id = c.device_id and e.seq = c.seq
                     where c.visit_id = $1 order by c.at_ms, c.device_id, c.seq",
                )
                .bind(visit_id)
                .fetch_all(pool)
                .await?;
                (row, fields, checkins)
            });
        let Some(mut visit) = row.map(|r| visit_detail(r, fields, checkins)).transpose()? else {
            return Ok(None);
        };
        self.complete_detail(who, &mut visit).await?;
        Ok(Some(visit))
    }

    /// Adds the labelled answers and the latest review to a visit read in scope.
    async fn complete_detail(&self, who: &Session, visit: &mut VisitDetail) -> anyhow::Result<()> {
        let submission = visit.submission.as_ref();
        let named = submission
            .and_then(|s| s.pointer("/form/id"))
            .and_then(Value::as_str);
        // Current values first: an answer edited after completion shows as it is now.
        let mut answers: std::collections::BTreeMap<String, Value> = visit
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(Value::Object(sent)) = submission.and_then(|s| s.get("answers")) {
            for (k, v) in sent {
                answers.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let labelled = self
            .label_answers(who.org_id, &visit.id, named, &answers)
            .await?;
        visit.form = labelled.form;
        visit.answers = labelled.answers;
        visit.review = self.reviews(&visit.id).await?.into_iter().next();
        Ok(())
    }
}

fn visit_detail(
    r: VisitRow,
    fields: Vec<(String, String)>,
    checkins: Vec<CheckinRow>,
) -> anyhow::Result<VisitDetail> {
    let json = |s: &str| serde_json::from_str::<Value>(s).context("stored JSON");
    Ok(VisitDetail {
        id: r.id,
        account: r.account_id,
        collector: r.collector_id,
        status: r.status,
        epoch: r.status_epoch,
        outcome: r.outcome,
        completed_ms: r.completed_ms,
        submission: r.submission.as_deref().map(json).transpose()?,
        flagged: r.flagged,
        fields: fields
            .into_iter()
            .map(|(k, v)| Ok((k, json(&v)?)))
            .collect::<anyhow::Result<_>>()?,
        checkins: checkins
            .into_iter()
            .map(|c| {
                let evidence = match c.payload.as_deref().map(json).transpose()? {
                    Some(Value::Object(mut event)) => event.remove("evidence"),
                    _ => None,
                };
                Ok(VisitCheckin {
                    device_id: c.device_id,
                    seq: c.seq,
                    at_ms: c.at_ms,
                    device_verdict: json(&c.device_verdict)?,
                    server_verdict: json(&c.server_verdict)?,
                    flagged: c.flagged,
                    evidence: evidence.unwrap_or_else(|| Value::Array(Vec::new())),
                })
            })
            .collect::<anyhow::Result<_>>()?,
        form: None,
        answers: Vec::new(),
        review: None,
    })
}
