//! Routes: the ordered list of accounts a collector is to visit, starting on a date.
//!
//! This module owns the route's shape (each account at most once, positions 1..=n in order,
//! no stop planned before the route starts). It must not decide who may visit what, nor
//! forbid early visits: a planned date orders the work, it does not restrict it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::ValidationError;
use crate::ids::{AccountId, RouteId, StopId, UserId};

/// A stop to be placed on a route; [`Route::new`] gives it its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStop {
    /// Stop id, minted by the caller.
    pub id: StopId,
    /// The account to visit.
    pub account: AccountId,
    /// The day the visit is planned for (local date of the organization).
    pub planned_date: NaiveDate,
}

/// One stop of a route: an account to visit, its planned date and its 1-based position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    id: StopId,
    account: AccountId,
    planned_date: NaiveDate,
    position: u32,
}

impl Stop {
    /// The stop's id.
    pub fn id(&self) -> StopId {
        self.id
    }
    /// The account to visit.
    pub fn account(&self) -> AccountId {
        self.account
    }
    /// The day the visit is planned for.
    pub fn planned_date(&self) -> NaiveDate {
        self.planned_date
    }
    /// Position in the route, from 1 (`stop 3 of 12`).
    pub fn position(&self) -> u32 {
        self.position
    }
}

/// A collector's route. `date` is the day it starts; stops may be planned on later days too
/// (a sheet can give one collector a week of visits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRoute", into = "RawRoute")]
pub struct Route {
    id: RouteId,
    collector: UserId,
    date: NaiveDate,
    stops: Vec<Stop>,
}

/// The unvalidated JSON shape of a [`Route`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    /// Route id.
    pub id: RouteId,
    /// The collector who works it.
    pub collector: UserId,
    /// The day the route starts.
    pub date: NaiveDate,
    /// Stops, in visiting order, with positions 1..=n.
    pub stops: Vec<Stop>,
}

impl Route {
    /// Builds a route with the stops in the given order, numbered from 1. Refuses an account
    /// or stop id that appears twice and a stop planned before `date`.
    pub fn new(
        id: RouteId,
        collector: UserId,
        date: NaiveDate,
        stops: Vec<NewStop>,
    ) -> Result<Self, ValidationError> {
        let stops = stops
            .into_iter()
            .zip(1u32..)
            .map(|(s, position)| Stop {
                id: s.id,
                account: s.account,
                planned_date: s.planned_date,
                position,
            })
            .collect();
        Route::try_from(RawRoute {
            id,
            collector,
            date,
            stops,
        })
    }

    /// The route's id.
    pub fn id(&self) -> RouteId {
        self.id
    }
    /// The collector who works it.
    pub fn collector(&self) -> UserId {
        self.collector
    }
    /// The day the route starts.
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    /// Stops in visiting order.
    pub fn stops(&self) -> &[Stop] {
        &self.stops
    }
    /// The stop for an account, if the account is on this route.
    pub fn stop_for(&self, account: AccountId) -> Option<&Stop> {
        self.stops.iter().find(|s| s.account == account)
    }
    /// Stops planned for one day, in order.
    pub fn stops_on(&self, day: NaiveDate) -> impl Iterator<Item = &Stop> {
        self.stops.iter().filter(move |s| s.planned_date == day)
    }
}

impl TryFrom<RawRoute> for Route {
    type Error = ValidationError;
    fn try_from(r: RawRoute) -> Result<Self, ValidationError> {
        let mut accounts = HashSet::new();
        let mut ids = HashSet::new();
        for (stop, want) in r.stops.iter().zip(1u32..) {
            if stop.position != want {
                return Err(ValidationError::new(
                    "stop position",
                    format!(
                        "stop {} has position {}, expected {want}",
                        stop.id, stop.position
                    ),
                ));
            }
            if !accounts.insert(stop.account) {
                return Err(ValidationError::new(
                    "stops",
                    format!("account {} appears twice on route {}", stop.account, r.id),
                ));
            }
            if !ids.insert(stop.id) {
                return Err(ValidationError::new(
                    "stops",
                    format!("stop {} appears twice on route {}", stop.id, r.id),
                ));
            }
            if stop.planned_date < r.date {
                return Err(ValidationError::new(
                    "planned date",
                    format!(
                        "stop {} is planned for {}, before the route starts on {}",
                        stop.id, stop.planned_date, r.date
                    ),
                ));
            }
        }
        Ok(Route {
            id: r.id,
            collector: r.collector,
            date: r.date,
            stops: r.stops,
        })
    }
}

impl From<Route> for RawRoute {
    fn from(r: Route) -> Self {
        RawRoute {
            id: r.id,
            collector: r.collector,
            date: r.date,
            stops: r.stops,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn stop(n: u128, account: u128, d: u32) -> NewStop {
        NewStop {
            id: StopId::from_uuid(Uuid::from_u128(n)),
            account: AccountId::from_uuid(Uuid::from_u128(account)),
            planned_date: day(d),
        }
    }

    fn route(stops: Vec<NewStop>) -> Result<Route, ValidationError> {
        Route::new(
            RouteId::from_uuid(Uuid::from_u128(900)),
            UserId::from_uuid(Uuid::from_u128(901)),
            day(24),
            stops,
        )
    }

    #[test]
    fn stops_are_numbered_from_one_in_the_given_order() {
        let r = route(vec![stop(1, 10, 24), stop(2, 14, 25), stop(3, 18, 24)]).unwrap();
        let positions: Vec<u32> = r.stops().iter().map(Stop::position).collect();
        assert_eq!(positions, [1, 2, 3]);
        let account = AccountId::from_uuid(Uuid::from_u128(14));
        assert_eq!(r.stop_for(account).map(Stop::position), Some(2));
        assert_eq!(r.stops_on(day(24)).count(), 2);
        assert!(route(Vec::new()).unwrap().stops().is_empty());
    }

    #[test]
    fn invalid_routes_are_refused_with_the_field_named() {
        for (stops, field) in [
            (vec![stop(1, 10, 24), stop(2, 10, 25)], "stops"),
            (vec![stop(1, 10, 24), stop(1, 11, 25)], "stops"),
            (vec![stop(1, 10, 23)], "planned date"),
        ] {
            assert_eq!(route(stops).unwrap_err().field, field);
        }
    }

    #[test]
    fn a_route_round_trips_through_json() {
        let r = route(vec![stop(1, 10, 24), stop(2, 14, 26)]).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["stops"][1]["position"], 2);
        assert_eq!(json["stops"][1]["planned_date"], "2026-11-26");
        assert_eq!(serde_json::from_value::<Route>(json).unwrap(), r);
    }

    #[test]
    fn deserializing_an_inconsistent_route_fails() {
        let good =
            serde_json::to_value(route(vec![stop(1, 10, 24), stop(2, 14, 26)]).unwrap()).unwrap();
        let mut swapped = good.clone();
        swapped["stops"][0]["position"] = 2.into();
        let mut duplicate = good.clone();
        duplicate["stops"][1]["account"] = good["stops"][0]["account"].clone();
        let mut early = good.clone();
        early["stops"][0]["planned_date"] = "2026-11-01".into();
        let mut extra = good;
        extra["stops"][0]["note"] = "x".into();
        for bad in [swapped, duplicate, early, extra] {
            assert!(
                serde_json::from_value::<Route>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
