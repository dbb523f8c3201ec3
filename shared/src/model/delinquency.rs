//! How late a debt is: days past due and the delinquency bucket (franja de mora) derived from
//! them. The bucket is always computed from the days, never stored on its own, so the two can
//! not disagree. This module must not compute days from dates: the creditor's sheet says how
//! many days, as of its cut-off date.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;

/// Days past due (días de mora): 0 to 36 500 (a hundred years; more is a data error).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "u32")]
pub struct DaysPastDue(u32);

impl DaysPastDue {
    /// The largest accepted value.
    pub const MAX: u32 = 36_500;

    /// Validates a day count. Takes `i64` so a sheet's `-4` is refused with its value rather
    /// than wrapped or clamped.
    pub fn parse(days: i64) -> Result<Self, ValidationError> {
        match u32::try_from(days) {
            Ok(d) if d <= Self::MAX => Ok(Self(d)),
            _ => Err(ValidationError::new(
                "days past due",
                format!("{days} is outside 0..={}", Self::MAX),
            )),
        }
    }

    /// The number of days.
    pub fn days(&self) -> u32 {
        self.0
    }

    /// The bucket these days fall in.
    pub fn bucket(&self) -> DelinquencyBucket {
        DelinquencyBucket::from_days(*self)
    }
}

impl TryFrom<i64> for DaysPastDue {
    type Error = ValidationError;
    fn try_from(days: i64) -> Result<Self, ValidationError> {
        Self::parse(days)
    }
}

impl From<DaysPastDue> for u32 {
    fn from(d: DaysPastDue) -> u32 {
        d.0
    }
}

impl fmt::Display for DaysPastDue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A delinquency bucket, in increasing lateness (the derived order follows it). The wire ids
/// (`d0_30` ... `d361_plus`) are stable; [`DelinquencyBucket::label`] is for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DelinquencyBucket {
    /// 0 to 30 days.
    #[serde(rename = "d0_30")]
    D0To30,
    /// 31 to 60 days.
    #[serde(rename = "d31_60")]
    D31To60,
    /// 61 to 90 days.
    #[serde(rename = "d61_90")]
    D61To90,
    /// 91 to 180 days.
    #[serde(rename = "d91_180")]
    D91To180,
    /// 181 to 360 days.
    #[serde(rename = "d181_360")]
    D181To360,
    /// More than 360 days.
    #[serde(rename = "d361_plus")]
    Over360,
}

impl DelinquencyBucket {
    /// All buckets, least late first.
    pub const ALL: [DelinquencyBucket; 6] = [
        DelinquencyBucket::D0To30,
        DelinquencyBucket::D31To60,
        DelinquencyBucket::D61To90,
        DelinquencyBucket::D91To180,
        DelinquencyBucket::D181To360,
        DelinquencyBucket::Over360,
    ];

    /// The bucket for a day count.
    pub fn from_days(days: DaysPastDue) -> Self {
        match days.days() {
            0..=30 => Self::D0To30,
            31..=60 => Self::D31To60,
            61..=90 => Self::D61To90,
            91..=180 => Self::D91To180,
            181..=360 => Self::D181To360,
            _ => Self::Over360,
        }
    }

    /// The first day count in the bucket.
    pub fn min_days(self) -> u32 {
        match self {
            Self::D0To30 => 0,
            Self::D31To60 => 31,
            Self::D61To90 => 61,
            Self::D91To180 => 91,
            Self::D181To360 => 181,
            Self::Over360 => 361,
        }
    }

    /// The stable wire id (`d0_30`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::D0To30 => "d0_30",
            Self::D31To60 => "d31_60",
            Self::D61To90 => "d61_90",
            Self::D91To180 => "d91_180",
            Self::D181To360 => "d181_360",
            Self::Over360 => "d361_plus",
        }
    }

    /// The range as people write it (`0-30`, `>360`).
    pub fn label(self) -> &'static str {
        match self {
            Self::D0To30 => "0-30",
            Self::D31To60 => "31-60",
            Self::D61To90 => "61-90",
            Self::D91To180 => "91-180",
            Self::D181To360 => "181-360",
            Self::Over360 => ">360",
        }
    }
}

impl fmt::Display for DelinquencyBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bucket(days: i64) -> DelinquencyBucket {
        DaysPastDue::parse(days).unwrap().bucket()
    }

    #[test]
    fn bucket_boundaries_fall_on_the_documented_days() {
        for (days, label) in [
            (0, "0-30"),
            (30, "0-30"),
            (31, "31-60"),
            (60, "31-60"),
            (61, "61-90"),
            (90, "61-90"),
            (91, "91-180"),
            (180, "91-180"),
            (181, "181-360"),
            (360, "181-360"),
            (361, ">360"),
            (36_500, ">360"),
        ] {
            assert_eq!(bucket(days).label(), label, "{days}");
        }
    }

    #[test]
    fn each_bucket_starts_at_its_min_days() {
        for b in DelinquencyBucket::ALL {
            assert_eq!(bucket(i64::from(b.min_days())), b);
            assert_eq!(
                serde_json::to_string(&b).unwrap(),
                format!("\"{}\"", b.as_str())
            );
        }
    }

    #[test]
    fn out_of_range_days_are_refused_with_the_field_named() {
        for days in [-4, -1, 36_501, i64::from(u32::MAX) + 1] {
            assert_eq!(DaysPastDue::parse(days).unwrap_err().field, "days past due");
        }
        assert!(serde_json::from_str::<DaysPastDue>("-4").is_err());
        assert!(serde_json::from_str::<DaysPastDue>("1.5").is_err());
        assert_eq!(
            serde_json::from_str::<DaysPastDue>("200").unwrap().days(),
            200
        );
    }

    proptest! {
        #[test]
        fn buckets_never_decrease_as_days_grow(a in 0i64..=36_500, b in 0i64..=36_500) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(bucket(lo) <= bucket(hi));
            prop_assert!(i64::from(bucket(lo).min_days()) <= lo);
        }
    }
}
