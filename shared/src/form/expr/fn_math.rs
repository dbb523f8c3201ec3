//! Numeric functions (`int`, `round`, `pow`, trigonometry, ...), aggregates over repeat
//! answers (`sum`, `count`, `max`, `join`, `checklist`, ...) and geometry (`distance`, `area`).
//!
//! NaN propagates as in ODK: an unanswered number in a sum makes the sum NaN.

use super::error::EvalError;
use super::fn_text;
use super::functions::Func;
use super::value::Value;

/// Earth radius used by JavaRosa's geometry functions, in metres.
const EARTH_RADIUS_M: f64 = 6_378_100.0;

/// The numeric functions of plain values (anything not handled elsewhere is NaN).
pub(super) fn apply(func: Func, values: &[Value]) -> Value {
    let x = values.first().map_or(f64::NAN, Value::to_number);
    let y = values.get(1).map_or(f64::NAN, Value::to_number);
    Value::Number(match func {
        Func::Int => x.trunc(),
        Func::Round if values.len() > 1 => round_decimal(x, y),
        Func::Round => round_half_up(x),
        Func::Pow => x.powf(y),
        Func::Log => x.ln(),
        Func::Log10 => x.log10(),
        Func::Abs => x.abs(),
        Func::Sqrt => x.sqrt(),
        Func::Exp => x.exp(),
        Func::Exp10 => 10f64.powf(x),
        Func::Pi => std::f64::consts::PI,
        Func::Sin => x.sin(),
        Func::Cos => x.cos(),
        Func::Tan => x.tan(),
        Func::Asin => x.asin(),
        Func::Acos => x.acos(),
        Func::Atan => x.atan(),
        Func::Atan2 => x.atan2(y),
        Func::Floor => x.floor(),
        Func::Ceiling => x.ceil(),
        _ => f64::NAN,
    })
}

/// XPath's one-argument `round()`: the nearest integer, halves towards positive infinity.
fn round_half_up(x: f64) -> f64 {
    let floor = x.floor();
    // `x - floor` is exact for doubles, so halves are detected exactly.
    if x - floor >= 0.5 { floor + 1.0 } else { floor }
}

/// `round(x, digits)`: half away from zero on the decimal text of `x` (as JavaRosa's
/// BigDecimal), so `round(2.675, 2)` is 2.68 although the double 2.675 is slightly below.
fn round_decimal(x: f64, digits: f64) -> f64 {
    if !x.is_finite() || digits.is_nan() {
        return f64::NAN;
    }
    let scale = digits.trunc().clamp(-400.0, 400.0) as i64;
    // Display gives the shortest decimal text that reads back as `x`, with no exponent.
    let text = format!("{}", x.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let mut all: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b - b'0')
        .collect();
    let point = int_part.len() as i64;
    let keep = point + scale;
    if keep < 0 {
        return 0.0;
    }
    let keep = keep as usize;
    if keep >= all.len() {
        return x;
    }
    let round_up = all[keep] >= 5;
    all.truncate(keep);
    if round_up {
        let mut i = all.len();
        loop {
            if i == 0 {
                all.insert(0, 1);
                break;
            }
            i -= 1;
            if all[i] == 9 {
                all[i] = 0;
            } else {
                all[i] += 1;
                break;
            }
        }
    }
    let mantissa: String = all.iter().map(|d| char::from(b'0' + d)).collect();
    let mantissa = if mantissa.is_empty() {
        "0".to_owned()
    } else {
        mantissa
    };
    // The kept digits are an integer scaled by 10^-scale; a carry only prepends a digit.
    let magnitude: f64 = format!("{mantissa}e{}", -scale).parse().unwrap_or(f64::NAN);
    magnitude.copysign(x)
}

/// Functions over answer sets; each list is one argument's answers (one value for a plain
/// argument, every repeat instance's answer for a reference).
pub(super) fn aggregate(func: Func, lists: &[Vec<Value>]) -> Result<Value, EvalError> {
    let all = || lists.iter().flatten();
    let first = |i: usize| lists.get(i).and_then(|l| l.first()).cloned();
    let scalar = |i: usize| first(i).map_or(f64::NAN, |v| v.to_number());
    Ok(match func {
        Func::Count => Value::Number(all().count() as f64),
        Func::CountNonEmpty => Value::Number(all().filter(|v| !v.is_empty()).count() as f64),
        Func::Sum => Value::Number(all().map(Value::to_number).sum()),
        Func::Max => Value::Number(extreme(all().map(Value::to_number), f64::max)),
        Func::Min => Value::Number(extreme(all().map(Value::to_number), f64::min)),
        Func::Join => {
            let separator = first(0).map(|v| v.to_string()).unwrap_or_default();
            let parts = lists.iter().skip(1).flatten().map(Value::to_string);
            fn_text::join(parts, &separator)?
        }
        Func::Checklist => {
            let yes = lists
                .iter()
                .skip(2)
                .flatten()
                .filter(|v| v.to_bool())
                .count();
            Value::Bool(within(yes as f64, scalar(0), scalar(1)))
        }
        Func::WeightedChecklist => {
            let score = lists
                .get(2..)
                .unwrap_or_default()
                .chunks(2)
                .filter(|pair| pair[0].first().is_some_and(Value::to_bool))
                .map(|pair| {
                    pair.get(1)
                        .and_then(|w| w.first())
                        .map_or(f64::NAN, Value::to_number)
                })
                .sum();
            Value::Bool(within(score, scalar(0), scalar(1)))
        }
        Func::Distance => Value::Number(distance(&points(all()))),
        Func::Area => Value::Number(area(&points(all()))),
        _ => Value::Number(f64::NAN),
    })
}

/// Max or min of numbers; NaN if there are none or any is NaN (as JavaRosa).
fn extreme(mut numbers: impl Iterator<Item = f64>, pick: fn(f64, f64) -> f64) -> f64 {
    let Some(first) = numbers.next() else {
        return f64::NAN;
    };
    numbers.fold(first, |acc, n| {
        if acc.is_nan() || n.is_nan() {
            f64::NAN
        } else {
            pick(acc, n)
        }
    })
}

/// `checklist` bounds: -1 means no bound.
fn within(n: f64, min: f64, max: f64) -> bool {
    (min == -1.0 || n >= min) && (max == -1.0 || n <= max)
}

/// Geopoints from geopoint, geotrace and geoshape answers (`lat lon [alt acc]`, `;`-separated).
/// Invalid text yields `None`: geometry of bad input is NaN, not an error.
fn points<'a>(values: impl Iterator<Item = &'a Value>) -> Option<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    for value in values {
        for point in value
            .to_string()
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let mut parts = point.split_whitespace().map(str::parse::<f64>);
            match (parts.next(), parts.next()) {
                (Some(Ok(lat)), Some(Ok(lon)))
                    if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
                {
                    out.push((lat.to_radians(), lon.to_radians()));
                }
                _ => return None,
            }
        }
    }
    Some(out)
}

/// Length of the path through the points, in metres (haversine); NaN for fewer than two.
fn distance(points: &Option<Vec<(f64, f64)>>) -> f64 {
    match points {
        Some(p) if p.len() >= 2 => p.windows(2).map(|w| haversine(w[0], w[1])).sum(),
        _ => f64::NAN,
    }
}

fn haversine((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let a = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Area of the polygon on a sphere, in square metres (Chamberlain and Duquette); the ring closes
/// itself. Zero for fewer than three points, NaN for invalid points.
fn area(points: &Option<Vec<(f64, f64)>>) -> f64 {
    let Some(p) = points else {
        return f64::NAN;
    };
    if p.len() < 3 {
        return 0.0;
    }
    let sum: f64 = (0..p.len())
        .map(|i| {
            let (lat1, lon1) = p[i];
            let (lat2, lon2) = p[(i + 1) % p.len()];
            (lon2 - lon1) * (2.0 + lat1.sin() + lat2.sin())
        })
        .sum();
    (sum * EARTH_RADIUS_M * EARTH_RADIUS_M / 2.0).abs()
}
