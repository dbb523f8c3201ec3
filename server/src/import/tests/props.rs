//! Property: any table written in any supported encoding, delimiter, line end and number
//! locale reads back to the same accounts.

use chrono::NaiveDate;
use proptest::prelude::*;
use terreno_shared::contact::LocalWindow;
use terreno_shared::model::{
    Currency, DaysPastDue, ExternalId, GeoPoint, Money, NationalId, Phone, Username,
};

use super::read;
use crate::db::portfolio::AccountRow;

#[derive(Debug, Clone)]
struct Gen {
    id: u32,
    name: String,
    address: String,
    document: Option<u32>,
    micro_lat: Option<(i32, i32)>,
    minor: u64,
    days: u32,
    collector: Option<&'static str>,
    date: Option<(u32, u32)>,
    window: Option<&'static str>,
}

const NAMES: [&str; 6] = [
    "María Núñez García",
    "José Peña, \"el Mono\"",
    "Ángela Díaz; Cárdenas",
    "Óscar\tLópez",
    "Iván Muñoz",
    "Ana Ruiz",
];

const ADDRESSES: [&str; 4] = [
    "Calle 26 # 65-58",
    "Avenida Carrera 21 # 7-94, Torre 2\nInterior 5",
    "Transversal 8; Apto 301",
    "Diagonal 150 \"B\" # 8-65",
];

fn gen_row() -> impl Strategy<Value = Gen> {
    (
        (1u32..1_000_000, 0..NAMES.len(), 0..ADDRESSES.len()),
        proptest::option::of(1000u32..2_000_000_000),
        proptest::option::of((-90_000_000i32..=90_000_000, -180_000_000i32..=180_000_000)),
        (0u64..100_000_000_000_000, 0u32..=36_500),
        proptest::option::of(prop::sample::select(vec![
            "gestor.ramirez",
            "gestor.ospina",
        ])),
        proptest::option::of((1u32..=12, 1u32..=28)),
        proptest::option::of(prop::sample::select(vec!["08:00-12:00", "14:00-18:00"])),
    )
        .prop_map(
            |((id, n, a), document, micro_lat, (minor, days), collector, date, window)| Gen {
                id,
                name: NAMES[n].to_owned(),
                address: ADDRESSES[a].to_owned(),
                document,
                micro_lat,
                minor,
                days,
                collector,
                date,
                window,
            },
        )
}

#[derive(Debug, Clone, Copy)]
struct Style {
    encoding: u8,
    delimiter: u8,
    comma_decimal: bool,
    grouped: bool,
    crlf: bool,
    spanish_headers: bool,
}

fn gen_style() -> impl Strategy<Value = Style> {
    (
        0u8..3,
        prop::sample::select(vec![b',', b';', b'\t']),
        any::<[bool; 4]>(),
    )
        .prop_map(
            |(encoding, delimiter, [comma_decimal, grouped, crlf, spanish_headers])| Style {
                encoding,
                delimiter,
                comma_decimal,
                grouped,
                crlf,
                spanish_headers,
            },
        )
}

/// `1234567.89` in the style's locale, with two decimals so no value is ambiguous.
fn money_text(minor: u64, s: Style) -> String {
    let (whole, cents) = ((minor / 100).to_string(), minor % 100);
    let (group, point) = if s.comma_decimal {
        ('.', ',')
    } else {
        (',', '.')
    };
    let whole = if s.grouped {
        let digits: Vec<char> = whole.chars().collect();
        let mut out = String::new();
        for (i, d) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(*d);
        }
        out
    } else {
        whole
    };
    format!("{whole}{point}{cents:02}")
}

fn degrees(micro: i32) -> String {
    let sign = if micro < 0 { "-" } else { "" };
    let m = micro.unsigned_abs();
    format!("{sign}{}.{:06}", m / 1_000_000, m % 1_000_000)
}

// Long: the generated file written out in each encoding and layout the property varies.
fn write_file(rows: &[Gen], s: Style) -> Vec<u8> {
    let headers: [&str; 10] = if s.spanish_headers {
        [
            "Código",
            "Nombre deudor",
            "Cédula",
            "Dirección",
            "Latitud",
            "Longitud",
            "Saldo",
            "Días mora",
            "Gestor",
            "Fecha visita",
        ]
    } else {
        [
            "external_id",
            "debtor_name",
            "document",
            "address",
            "latitude",
            "longitude",
            "balance",
            "days_past_due",
            "collector",
            "visit_date",
        ]
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(s.delimiter)
        .terminator(if s.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    let mut all = headers.map(str::to_owned).to_vec();
    all.push("Horario contacto".into());
    w.write_record(&all).unwrap();
    for r in rows {
        let coord = |f: fn(&(i32, i32)) -> i32| {
            r.micro_lat.as_ref().map(|p| {
                let t = degrees(f(p));
                if s.comma_decimal {
                    t.replace('.', ",")
                } else {
                    t
                }
            })
        };
        let date = r.date.map(|(m, d)| {
            if s.spanish_headers {
                format!("{d:02}/{m:02}/2026")
            } else {
                format!("2026-{m:02}-{d:02}")
            }
        });
        w.write_record([
            format!("CL-{}", r.id),
            r.name.clone(),
            r.document.map(|d| d.to_string()).unwrap_or_default(),
            r.address.clone(),
            coord(|p| p.0).unwrap_or_default(),
            coord(|p| p.1).unwrap_or_default(),
            money_text(r.minor, s),
            r.days.to_string(),
            r.collector.unwrap_or("").to_owned(),
            date.unwrap_or_default(),
            r.window.unwrap_or("").to_owned(),
        ])
        .unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    match s.encoding {
        0 => text.into_bytes(),
        1 => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
        _ => encoding_rs::WINDOWS_1252.encode(&text).0.into_owned(),
    }
}

fn expected(r: &Gen) -> AccountRow {
    AccountRow {
        external_id: ExternalId::parse(&format!("CL-{}", r.id)).unwrap(),
        national_id: r
            .document
            .map(|d| NationalId::parse(Default::default(), &d.to_string()).unwrap()),
        debtor_name: r.name.split_whitespace().collect::<Vec<_>>().join(" "),
        address: r.address.clone(),
        neighbourhood: None,
        location: r.micro_lat.map(|(la, lo)| {
            GeoPoint::parse(degrees(la).parse().unwrap(), degrees(lo).parse().unwrap()).unwrap()
        }),
        phones: Vec::<Phone>::new(),
        balance: Money::from_minor(r.minor as i64, Currency::COP),
        days_past_due: DaysPastDue::parse(i64::from(r.days)).unwrap(),
        contact_window: r.window.map(|w| LocalWindow::parse(w).unwrap()),
        collector: r.collector.map(|c| Username::parse(c).unwrap()),
        visit_date: r
            .date
            .map(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d).unwrap()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_table_in_any_encoding_delimiter_and_locale_reads_back_the_same(
        rows in prop::collection::vec(gen_row(), 1..12),
        style in gen_style(),
    ) {
        let bytes = write_file(&rows, style);

        let (got, errors) = read(bytes).unwrap();

        prop_assert!(errors.is_empty(), "{:?}", errors);
        let got: Vec<AccountRow> = got.into_iter().map(|r| r.account).collect();
        let want: Vec<AccountRow> = rows.iter().map(expected).collect();
        prop_assert_eq!(got, want);
    }
}
