//! Tests of the collection loop: table-driven cases per concern, and property tests.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::*;
use crate::contact::HolidayCalendar;
use crate::ids::VisitId;
use crate::model::money::{Currency, Money};
use crate::model::submission::PromiseToPay;

mod facts;
mod followup;
mod history;
mod priority;
mod proptests;
mod schedule;
mod state;

/// A date that exists.
fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
}

/// Whole Colombian pesos.
fn cop(pesos: i64) -> Money {
    Money::from_minor(pesos * 100, Currency::COP)
}

fn visit(n: u128) -> VisitId {
    VisitId::from_uuid(Uuid::from_u128(n))
}

/// `hour`:00 in Bogotá on `date`.
fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    Tz::America__Bogota
        .from_local_datetime(&date.and_hms_opt(hour, 0, 0).expect("valid hour"))
        .single()
        .expect("Bogotá has no daylight saving")
        .with_timezone(&Utc)
}

fn rules() -> CollectionRules {
    CollectionRules::new(Tz::America__Bogota)
}

fn holidays() -> &'static HolidayCalendar {
    static CALENDAR: OnceLock<HolidayCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| HolidayCalendar::colombia(2025..=2030).expect("years in range"))
}

/// A promise recorded by visit `n` at noon on `made`.
fn promise(n: u128, made: NaiveDate, pesos: i64, due: NaiveDate) -> Promise {
    let terms = PromiseToPay::new(cop(pesos), due).expect("positive promise");
    Promise::new(visit(n), at(made, 12), terms)
}

fn pay(pesos: i64, date: NaiveDate, reference: Option<&str>) -> ReceivedPayment {
    ReceivedPayment::new(cop(pesos), date, reference, Some("bank")).expect("positive payment")
}

/// An agreement recorded by visit `n` at noon on `made`, with these (due, pesos) instalments.
fn agreement(n: u128, made: NaiveDate, parts: &[(NaiveDate, i64)]) -> Agreement {
    let installments = (1..)
        .zip(parts)
        .map(|(i, &(due, pesos))| Installment {
            n: i,
            due,
            amount: cop(pesos),
        })
        .collect();
    Agreement::new(visit(n), at(made, 12), installments).expect("valid agreement")
}
