//! Reviews of completed visits (the `visit_reviews` table; see its migration): a supervisor of
//! the visit's team, or an admin of its organization, approves or rejects it with a comment.
//! Rows are only ever added; the latest one is the visit's review state.
//!
//! Must not decide who may review (the handler does, by role); it only checks that the visit is
//! within the caller's scope and completed, in the transaction that writes the row, so a review
//! never lands on a visit that was reopened meanwhile.

use anyhow::Context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::scope::{SCOPE, VISIT_OWNER, scope_binds};
use super::sessions::Session;
use super::visit_list::Visits;
use super::{Db, now_ms};
use crate::{on_read, on_tx};

/// What a reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// The visit is accepted as reported.
    Approved,
    /// The visit is not accepted; the comment says why.
    Rejected,
}

impl ReviewDecision {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Approved => "approved",
            ReviewDecision::Rejected => "rejected",
        }
    }
}

/// One review as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitReview {
    /// Review id.
    pub id: String,
    /// `approved` or `rejected`.
    pub decision: String,
    /// The reviewer's words (never empty for a rejection).
    pub comment: String,
    /// When it was recorded (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    /// The reviewer's username.
    pub reviewer_username: String,
    /// The reviewer's display name.
    pub reviewer_name: String,
}

/// Why a review was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// No such visit within the caller's scope.
    #[error("no visit {0}")]
    NotFound(String),
    /// The visit is not completed (`status` says what it is).
    #[error("visit {visit} is {status}; only a completed visit can be reviewed")]
    NotCompleted {
        /// The visit.
        visit: String,
        /// Its status.
        status: String,
    },
    /// The database.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

const REVIEW_SELECT: &str = "select r.id, r.decision, r.comment, r.created_ms as at_ms,
        u.username as reviewer_username, u.display_name as reviewer_name
    from visit_reviews r join users u on u.id = r.reviewer_id";

impl Visits<'_> {
    /// Records `who`'s review of `visit_id`, a completed visit within their scope.
    pub async fn insert_review(
        &self,
        who: &Session,
        visit_id: &str,
        decision: ReviewDecision,
        comment: &str,
    ) -> Result<VisitReview, ReviewError> {
        let (org, role, team, user) = scope_binds(who);
        let mut tx = self.begin_write().await?;
        // PostgreSQL: a reopen racing this review waits for it, so the status read here is the
        // one the review is about. SQLite has a single writer anyway.
        let lock = if tx.is_pg() { " for update of v" } else { "" };
        let sql = format!(
            "select v.status from visits v {VISIT_OWNER} where v.id = $1 and {SCOPE}{lock}"
        );
        let status: Option<String> = on_tx!(tx, |c| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(visit_id)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
                .fetch_optional(&mut **c)
                .await
                .context("reading the visit to review")?
        });
        match status.as_deref() {
            None => return Err(ReviewError::NotFound(visit_id.to_owned())),
            Some("done") => {}
            Some(other) => {
                return Err(ReviewError::NotCompleted {
                    visit: visit_id.to_owned(),
                    status: other.to_owned(),
                });
            }
        }
        let id = Uuid::now_v7().to_string();
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into visit_reviews (id, visit_id, reviewer_id, decision, comment,
                                            created_ms)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(visit_id)
            .bind(&user)
            .bind(decision.as_str())
            .bind(comment)
            .bind(now_ms())
            .execute(&mut **c)
            .await
            .context("storing a visit review")?;
        });
        tx.commit().await.context("storing a visit review")?;
        let sql = format!("{REVIEW_SELECT} where r.id = $1");
        Ok(find_review_written(self, sql, &id).await?)
    }

    /// Every review of a visit, newest first (the caller has checked the scope).
    pub async fn reviews(&self, visit_id: &str) -> anyhow::Result<Vec<VisitReview>> {
        let sql =
            format!("{REVIEW_SELECT} where r.visit_id = $1 order by r.created_ms desc, r.id desc");
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(visit_id)
                .fetch_all(pool)
                .await
                .context("listing a visit's reviews")?
        }))
    }
}

/// Reads a just-written review through the writer, so every backend sees it.
async fn find_review_written(db: &Db, sql: String, id: &str) -> anyhow::Result<VisitReview> {
    Ok(crate::on_write!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(pool)
            .await
            .context("reading back a visit review")?
    }))
}
