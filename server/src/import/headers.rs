//! Which column is which: the fields an import knows, their Spanish and English header
//! synonyms, and the mapping of a file's header row onto them (with `--map` overrides).
//!
//! Headers are compared normalized: lower case, accents dropped, punctuation and spacing
//! collapsed, and filler words (`de`, `del`, `la`, `el`, `no`, `nro`, `numero`...) left out, so
//! `Número de cuenta`, `NUMERO CUENTA` and `cuenta` are the same header, and so are `Días mora`,
//! `Mora (días)` reversed and `days_past_due`. This module must not read cell values.
//!
//! Decisions: `identificación` (and `número de identificación`) is the debtor's national id,
//! as it means in Colombia, not the account code; a sheet that keys accounts by it says so with
//! `--map Identificación=external_id`. `phone` is the one field that may take several columns
//! (`Teléfono` and `Celular`): their numbers are all kept. Any other field found in two columns
//! is refused, naming both, so the user picks one with `--map` or `ignore`.

use std::fmt;
use std::str::FromStr;

use super::FileError;

/// A field of an imported account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The creditor's account code (required).
    ExternalId,
    /// The debtor's name (required).
    DebtorName,
    /// The debtor's identity document number.
    NationalId,
    /// The kind of that document (`CC`, `NIT`...); `CC` when absent.
    DocumentKind,
    /// Street address (required).
    Address,
    /// Neighbourhood (barrio).
    Neighbourhood,
    /// Latitude in degrees (needs longitude).
    Latitude,
    /// Longitude in degrees (needs latitude).
    Longitude,
    /// Phone numbers (several columns allowed).
    Phone,
    /// Outstanding balance (required).
    Balance,
    /// Days past due; 0 when the column is absent or the cell blank.
    DaysPastDue,
    /// The assigned collector's login name; absent means unassigned.
    Collector,
    /// Planned visit date.
    VisitDate,
    /// Contact window in local time (`08:00-12:00`).
    ContactWindow,
    /// Team of the collector.
    Team,
    /// Currency of the balance; the import's default when absent.
    Currency,
}

use Field::*;

impl Field {
    /// Every field, in the order rows are checked and columns reported.
    pub const ALL: [Field; 16] = [
        ExternalId,
        DebtorName,
        NationalId,
        DocumentKind,
        Address,
        Neighbourhood,
        Latitude,
        Longitude,
        Phone,
        Balance,
        DaysPastDue,
        Collector,
        VisitDate,
        ContactWindow,
        Team,
        Currency,
    ];

    /// Fields without which a file is refused.
    pub const REQUIRED: [Field; 4] = [ExternalId, DebtorName, Address, Balance];

    /// The name used in `--map` and in messages (`external_id`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExternalId => "external_id",
            DebtorName => "debtor_name",
            NationalId => "national_id",
            DocumentKind => "document_kind",
            Address => "address",
            Neighbourhood => "neighbourhood",
            Latitude => "latitude",
            Longitude => "longitude",
            Phone => "phone",
            Balance => "balance",
            DaysPastDue => "days_past_due",
            Collector => "collector",
            VisitDate => "visit_date",
            ContactWindow => "contact_window",
            Team => "team",
            Currency => "currency",
        }
    }

    /// Normalized headers that mean this field (its own name included).
    // Long: a table of every header spelling, one field per arm.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            ExternalId => &[
                "external id",
                "id",
                "codigo",
                "cod",
                "codigo cliente",
                "id cliente",
                "cliente id",
                "cuenta",
                "codigo cuenta",
                "id cuenta",
                "obligacion",
                "id obligacion",
                "credito",
                "account",
                "account id",
                "referencia",
            ],
            DebtorName => &[
                "debtor name",
                "name",
                "nombre",
                "nombres",
                "nombre deudor",
                "nombre cliente",
                "nombre completo",
                "nombre titular",
                "cliente",
                "deudor",
                "titular",
                "razon social",
                "full name",
                "customer",
                "customer name",
                "debtor",
            ],
            NationalId => &[
                "national id",
                "cedula",
                "cedula ciudadania",
                "cc",
                "documento",
                "documento identidad",
                "documento deudor",
                "cedula deudor",
                "cedula nit",
                "nit cedula",
                "nit",
                "identificacion",
                "identificacion deudor",
                "identificacion cliente",
                "document",
                "document number",
                "id number",
                "dni",
            ],
            DocumentKind => &[
                "document kind",
                "document type",
                "tipo documento",
                "tipo doc",
                "tipo id",
                "tipo identificacion",
            ],
            Address => &[
                "address",
                "direccion",
                "direccion visita",
                "direccion residencia",
                "direccion cliente",
                "direccion deudor",
                "domicilio",
                "visit address",
            ],
            Neighbourhood => &["neighbourhood", "neighborhood", "barrio", "colonia"],
            Latitude => &["latitude", "latitud", "lat"],
            Longitude => &["longitude", "longitud", "lon", "lng", "long"],
            Phone => &[
                "phone",
                "phones",
                "telefono",
                "telefonos",
                "tel",
                "celular",
                "celulares",
                "cel",
                "movil",
                "telefono celular",
                "telefono fijo",
                "telefono contacto",
                "mobile",
            ],
            Balance => &[
                "balance",
                "saldo",
                "saldo total",
                "saldo deuda",
                "saldo pendiente",
                "deuda",
                "deuda total",
                "monto",
                "valor",
                "valor deuda",
                "valor total",
                "amount",
                "amount due",
                "outstanding",
            ],
            DaysPastDue => &[
                "days past due",
                "dpd",
                "dias mora",
                "mora dias",
                "mora",
                "altura mora",
                "dias vencidos",
                "dias atraso",
                "days overdue",
            ],
            Collector => &[
                "collector",
                "gestor",
                "gestor asignado",
                "cobrador",
                "asesor",
                "agente",
                "usuario gestor",
                "assigned to",
            ],
            VisitDate => &[
                "visit date",
                "fecha visita",
                "fecha",
                "fecha gestion",
                "fecha programada",
                "date",
                "scheduled date",
            ],
            ContactWindow => &[
                "contact window",
                "horario contacto",
                "horario",
                "horario visita",
                "franja horaria",
                "hora contacto",
            ],
            Team => &["team", "equipo", "grupo"],
            Currency => &["currency", "moneda", "divisa"],
        }
    }

    /// The field a header means, if any.
    pub fn from_header(header: &str) -> Option<Field> {
        let key = normalize(header);
        Field::ALL
            .into_iter()
            .find(|f| f.synonyms().contains(&key.as_str()))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `external_id`, `Número de cuenta`...: a field's name or any of its header synonyms.
impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Field::from_header(s).ok_or_else(|| {
            let names: Vec<_> = Field::ALL.iter().map(|f| f.as_str()).collect();
            format!("{s:?} is not a field; fields: {}", names.join(", "))
        })
    }
}

/// Lower case, accents dropped, punctuation to spaces, filler words out.
pub fn normalize(header: &str) -> String {
    const FILLER: [&str; 12] = [
        "de", "del", "la", "el", "los", "las", "y", "no", "nro", "num", "numero", "n",
    ];
    let folded: String = header
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded
        .split_whitespace()
        .filter(|w| !FILLER.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a file's columns map onto fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    headers: Vec<String>,
    fields: Vec<Option<Field>>,
}

impl Mapping {
    /// Maps `headers`: `overrides` first (a column by its exact or normalized header), then
    /// synonyms for the rest; `ignore` columns are left out.
    pub fn new(
        headers: &[String],
        overrides: &[(String, Field)],
        ignore: &[String],
    ) -> Result<Mapping, FileError> {
        let mut fields: Vec<Option<Field>> = vec![None; headers.len()];
        let mut fixed = vec![false; headers.len()];
        for column in ignore {
            fixed[find_column(headers, column)?] = true;
        }
        for (column, field) in overrides {
            let i = find_column(headers, column)?;
            fields[i] = Some(*field);
            fixed[i] = true;
        }
        let overridden: Vec<Field> = overrides.iter().map(|(_, f)| *f).collect();
        for (i, h) in headers.iter().enumerate() {
            if fixed[i] {
                continue;
            }
            fields[i] = Field::from_header(h).filter(|f| !overridden.contains(f));
        }
        let mapping = Mapping {
            headers: headers.to_vec(),
            fields,
        };
        mapping.check()?;
        Ok(mapping)
    }

    fn check(&self) -> Result<(), FileError> {
        for field in Field::ALL.into_iter().filter(|f| *f != Phone) {
            let cols: Vec<usize> = self.columns_of(field).collect();
            if let [a, b, ..] = cols[..] {
                return Err(FileError::DuplicateColumn {
                    field,
                    first: self.headers[a].clone(),
                    second: self.headers[b].clone(),
                });
            }
        }
        let missing: Vec<Field> = Field::REQUIRED
            .into_iter()
            .filter(|f| self.column(*f).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(FileError::MissingColumns {
                headers: self.headers.clone(),
                missing,
            });
        }
        match (self.column(Latitude), self.column(Longitude)) {
            (Some(i), None) | (None, Some(i)) => Err(FileError::UnpairedCoordinate {
                column: self.headers[i].clone(),
            }),
            _ => Ok(()),
        }
    }

    /// The file's headers, as written (trimmed).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The field of each column, in file order (`None`: ignored).
    pub fn fields(&self) -> &[Option<Field>] {
        &self.fields
    }

    /// The (first) column of a field.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns_of(field).next()
    }

    /// Every column of a field (several only for [`Field::Phone`]).
    pub fn columns_of(&self, field: Field) -> impl Iterator<Item = usize> + '_ {
        self.fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| **f == Some(field))
            .map(|(i, _)| i)
    }

    /// Headers no field was found for.
    pub fn unmapped(&self) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .zip(&self.fields)
            .filter(|(h, f)| f.is_none() && !h.is_empty())
            .map(|(h, _)| h.as_str())
    }
}

fn find_column(headers: &[String], column: &str) -> Result<usize, FileError> {
    let wanted = column.trim();
    headers
        .iter()
        .position(|h| h == wanted)
        .or_else(|| {
            let key = normalize(wanted);
            headers.iter().position(|h| normalize(h) == key)
        })
        .ok_or_else(|| FileError::MapColumnNotFound {
            column: column.to_owned(),
            headers: headers.to_vec(),
        })
}

#[cfg(test)]
mod tests;
