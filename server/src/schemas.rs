//! Stand-ins that describe, for the OpenAPI document, the JSON of wire types that live in
//! `terreno-shared`. Shared is the pure domain crate and has no utoipa; these structs are never
//! built, only derived (hence `dead_code`), and each names the shared type it documents
//! (`#[schema(as = ...)]`). scripts/fuzz-api checks the server's answers against them, so a
//! change to a shared type that is not mirrored here fails there.
#![allow(dead_code)]

use std::collections::BTreeMap;

use utoipa::ToSchema;

/// An amount of money (`Money`).
#[derive(ToSchema)]
#[schema(as = Money)]
#[serde(deny_unknown_fields)]
pub struct MoneyDoc {
    /// Amount in the currency's minor units (cents).
    minor_units: i64,
    /// ISO 4217 code.
    currency: String,
}

/// A promise to pay (`PromiseToPay`).
#[derive(ToSchema)]
#[schema(as = PromiseToPay)]
#[serde(deny_unknown_fields)]
pub struct PromiseDoc {
    /// What was promised (positive).
    amount: MoneyDoc,
    /// When it is due.
    #[schema(format = Date)]
    due: String,
}

/// How a payment was made.
#[derive(ToSchema)]
#[schema(as = PaymentMethod)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodDoc {
    /// Cash handed to the collector.
    Cash,
    /// Bank transfer or deposit.
    Transfer,
    /// Card.
    Card,
    /// Cheque.
    Cheque,
    /// Anything else.
    Other,
}

/// A payment received during a visit (`Payment`).
#[derive(ToSchema)]
#[schema(as = Payment)]
#[serde(deny_unknown_fields)]
pub struct PaymentDoc {
    /// What was paid (positive).
    amount: MoneyDoc,
    /// How.
    method: PaymentMethodDoc,
    /// Receipt number, when one was given.
    receipt: Option<String>,
}

/// The questionnaire version a submission was filled with (`FormRef`).
#[derive(ToSchema)]
#[schema(as = FormRef)]
#[serde(deny_unknown_fields)]
pub struct FormRefDoc {
    /// The form's id.
    id: String,
    /// Its version.
    version: String,
}

/// A visit as the collector submitted it (`Submission`).
#[derive(ToSchema)]
#[schema(as = Submission)]
#[serde(deny_unknown_fields)]
pub struct SubmissionDoc {
    /// The account visited.
    account: String,
    /// `paid`, `promise_to_pay`, `refused`, ...
    outcome: String,
    /// When it was completed.
    #[schema(format = DateTime)]
    completed_at: String,
    /// The form version filled, when one was.
    form: Option<FormRefDoc>,
    /// Answers by question name; each value has its question's type.
    answers: BTreeMap<String, serde_json::Value>,
    /// The promise made, for `promise_to_pay`.
    promise: Option<PromiseDoc>,
    /// The payment received, for `paid`.
    payment: Option<PaymentDoc>,
    /// Reopen generation it completes.
    epoch: u32,
}

/// A WGS84 point in degrees (`GeoPoint`).
#[derive(ToSchema)]
#[schema(as = GeoPoint)]
pub struct GeoPointDoc {
    /// Latitude.
    lat: f64,
    /// Longitude.
    lon: f64,
}

/// One reason of a refused check-in (`Reason`): `reason` names it (`no_fixes`, `stale_fix`,
/// `mock_provider`, `poor_accuracy`, `teleport`, `outside_radius`, `insufficient_dwell`);
/// the numbers that decided it are further members.
#[derive(ToSchema)]
#[schema(as = CheckInReason)]
pub struct ReasonDoc {
    /// The reason's code.
    reason: String,
}

/// What a check-in's verdict says (`Verdict`), tagged by `verdict`: `allowed` (with
/// `distance_m`, `accuracy_m`, `fixes_used`, `dwell_secs`), `refused` (with `reasons`) or
/// `location_capture` (with `proposed`, `accuracy_m`, `fixes_used`, `dwell_secs`).
#[derive(ToSchema)]
#[schema(as = Verdict)]
pub struct VerdictDoc {
    /// `allowed`, `refused` or `location_capture`.
    verdict: String,
    /// Distance from the newest conclusively-inside fix to the debtor, metres (allowed).
    distance_m: Option<f64>,
    /// Accuracy radius, metres (allowed, location_capture).
    accuracy_m: Option<f64>,
    /// Fixes used (allowed, location_capture).
    fixes_used: Option<u64>,
    /// Dwell, seconds (allowed, location_capture).
    dwell_secs: Option<f64>,
    /// Why it was refused (refused).
    reasons: Option<Vec<ReasonDoc>>,
    /// The proposed debtor location (location_capture).
    proposed: Option<GeoPointDoc>,
}

/// One GPS fix as the device recorded it (`Fix`).
#[derive(ToSchema)]
#[schema(as = Fix)]
pub struct FixDoc {
    /// When, UTC.
    #[schema(format = DateTime)]
    t: String,
    /// Latitude, degrees.
    lat: f64,
    /// Longitude, degrees.
    lon: f64,
    /// Horizontal accuracy (68 % radius), metres.
    accuracy_m: f64,
    /// Ground speed, m/s.
    speed_ms: Option<f64>,
    /// Course, degrees from north (absent when unknown).
    heading_deg: Option<f64>,
    /// Altitude above the ellipsoid, metres (absent when unknown).
    altitude_m: Option<f64>,
    /// Battery charge fraction.
    battery: Option<f64>,
    /// Whether the device was charging (absent when unknown).
    charging: Option<bool>,
    /// `gps`, `network`, `fused` or `unknown`.
    provider: String,
    /// The OS reported a mock-location provider.
    mock: bool,
}

/// A debtor account (`AccountView`).
#[derive(ToSchema)]
#[schema(as = AccountView)]
#[serde(deny_unknown_fields)]
pub struct AccountViewDoc {
    /// Account id.
    id: String,
    /// Portfolio id.
    portfolio: String,
    /// Portfolio name.
    portfolio_name: String,
    /// The creditor's code.
    external_id: String,
    /// The debtor as a person (contact rules count per person).
    person: Option<String>,
    /// National id document number, when known.
    national_id: Option<String>,
    /// Debtor's name.
    name: String,
    /// Address text.
    address: String,
    /// Neighbourhood.
    neighbourhood: Option<String>,
    /// Latitude, when known.
    lat: Option<f64>,
    /// Longitude, when known.
    lon: Option<f64>,
    /// Phones.
    phones: Vec<String>,
    /// Balance in minor units.
    balance_minor: i64,
    /// ISO 4217 currency.
    currency: String,
    /// Days past due.
    days_past_due: u32,
    /// Delinquency bucket label (`0-30` ... `>360`).
    bucket: String,
    /// Contact window in local time (`08:00-12:00`).
    contact_window: Option<String>,
    /// Assigned collector.
    collector: Option<String>,
    /// Record version: the newest wins.
    version: i64,
}

/// One question's problem, in the form's language (`FormIssue`).
#[derive(ToSchema)]
#[schema(as = FormIssue)]
pub struct FormIssueDoc {
    /// The question's path.
    path: String,
    /// The message.
    message: String,
}

/// The form engine's evaluation of the current answers, keyed by answer path (`FormState`).
#[derive(ToSchema)]
#[schema(as = FormState)]
pub struct FormStateDoc {
    /// The answers as the engine reads them (text; files by attachment id).
    answers: BTreeMap<String, String>,
    /// Relevance of every question, group and repeat instance.
    relevant: BTreeMap<String, bool>,
    /// Relevant required questions without an answer.
    missing_required: Vec<FormIssueDoc>,
    /// Answers their constraint refuses.
    failed_constraints: Vec<FormIssueDoc>,
    /// Values the form computed.
    calculated: BTreeMap<String, String>,
    /// The choices left after each select's filter.
    choices: BTreeMap<String, Vec<String>>,
    /// Instances of each repeat.
    repeat_counts: BTreeMap<String, u64>,
    /// Expressions of the form that failed to evaluate (for the form's author).
    errors: Vec<FormIssueDoc>,
    /// Whether the answers could be submitted as they stand.
    complete: bool,
}

/// The check-in geofence of an organization (`GeofencePolicy`).
#[derive(ToSchema)]
#[schema(as = GeofencePolicy)]
#[serde(deny_unknown_fields)]
pub struct GeofencePolicyDoc {
    /// Fence radius around the debtor's location, metres.
    radius_m: f64,
    /// Largest accuracy radius (metres) of a fix used as evidence.
    max_accuracy_m: f64,
    /// Conclusively-inside fixes needed for a dwell.
    min_dwell_fixes: u32,
    /// Seconds between the first and last of those fixes.
    min_dwell_secs: f64,
    /// Fastest plausible speed between clean fixes (m/s).
    max_speed_ms: f64,
    /// Oldest the newest fix may be at check-in, seconds.
    max_fix_age_secs: f64,
    /// How far back before the check-in fixes are evidence, seconds.
    window_secs: f64,
}

/// Open hours per weekday, local time (`HH:MM-HH:MM`); null closes the day.
#[derive(ToSchema)]
#[schema(as = ContactHours)]
#[serde(deny_unknown_fields)]
pub struct ContactHoursDoc {
    /// Monday.
    mon: Option<String>,
    /// Tuesday.
    tue: Option<String>,
    /// Wednesday.
    wed: Option<String>,
    /// Thursday.
    thu: Option<String>,
    /// Friday.
    fri: Option<String>,
    /// Saturday.
    sat: Option<String>,
    /// Sunday.
    sun: Option<String>,
}

/// When and how often a person may be contacted (`ContactPolicy`).
#[derive(ToSchema)]
#[schema(as = ContactPolicy)]
#[serde(deny_unknown_fields)]
pub struct ContactPolicyDoc {
    /// Open hours per weekday.
    hours: ContactHoursDoc,
    /// Whether holidays are closed.
    closed_on_holidays: bool,
    /// Most contacts per person per local day; null: no limit.
    max_per_day: Option<u32>,
    /// Most contacts per person per week; null: no limit.
    max_per_week: Option<u32>,
    /// Days that must pass between two contacts of a person.
    min_days_between: u32,
}

/// A map tile server (`MapTiles`).
#[derive(ToSchema)]
#[schema(as = OrgMapTiles)]
#[serde(deny_unknown_fields)]
pub struct OrgMapTilesDoc {
    /// URL template with `{z}`, `{x}` and `{y}`.
    url: String,
    /// The credit the tile server requires, shown on the map (plain text).
    attribution: String,
}

/// The rules a device enforces without the server (`OrgSettings`).
#[derive(ToSchema)]
#[schema(as = OrgSettings)]
#[serde(deny_unknown_fields)]
pub struct OrgSettingsDoc {
    /// IANA time zone (`America/Bogota`).
    time_zone: String,
    /// The check-in geofence.
    geofence_policy: GeofencePolicyDoc,
    /// Contact hours and frequency.
    contact_policy: ContactPolicyDoc,
    /// Holidays, as local dates, sorted, for at least this year and the next.
    #[schema(value_type = Vec<String>)]
    holidays: Vec<String>,
    /// The tile server the stop map draws; null when the server configures none.
    map_tiles: Option<OrgMapTilesDoc>,
}

/// One event as it travels in a batch (`WireEvent`); the device and seq are the batch's.
#[derive(ToSchema)]
#[schema(as = WireEvent)]
#[serde(deny_unknown_fields)]
pub struct WireEventDoc {
    /// The author's hybrid logical time.
    hlc: i64,
    /// `fix`, `check_in`, `visit_submitted`, `field_set`, `status_set`, `attachment_added`,
    /// `attachment_removed`, ...
    kind: String,
    /// Payload schema version.
    v: u16,
    /// Target entity.
    entity: Option<uuid::Uuid>,
    /// Target field.
    field: Option<String>,
    /// Stamp of the value the user saw.
    base_hlc: Option<i64>,
    /// Hash of the device's previous event (64 hex digits).
    prev_hash: String,
    /// The kind's content (a `Fix`, a check-in record, a submission, `{value}`...).
    payload: serde_json::Value,
}

/// The body of a push (`PushBatch`): contiguous events of one device from `first_seq`,
/// signed over the head.
#[derive(ToSchema)]
#[schema(as = PushBatch)]
#[serde(deny_unknown_fields)]
pub struct PushBatchDoc {
    /// The authoring device.
    device_id: uuid::Uuid,
    /// Sequence of the first event; the others follow without gaps.
    first_seq: u64,
    /// The events.
    events: Vec<WireEventDoc>,
    /// Ed25519 signature of the head (128 hex digits).
    signature: String,
}

/// An event refused on its own (`RejectedEvent`).
#[derive(ToSchema)]
#[schema(as = RejectedEvent)]
pub struct RejectedEventDoc {
    /// Its sequence number.
    seq: u64,
    /// Stable code (`not_allowed`, `invalid_payload`, ...).
    code: String,
    /// Why, for people.
    message: String,
}

/// The answer to a push (`PushResponse`), sent once the batch's transaction committed.
#[derive(ToSchema)]
#[schema(as = PushResponse)]
pub struct PushResponseDoc {
    /// The contiguous head of the device's log on the server: resume pushing after it.
    head: u64,
    /// The highest sequence stored (beyond a gap when greater than `head`).
    max_seen: u64,
    /// The server's clock, for the device's HLC receive rule.
    server_hlc: i64,
    /// Sequences whose stamp was too far in the future and merged with the server's stamp.
    clamped: Vec<u64>,
    /// Events refused on their own.
    rejected: Vec<RejectedEventDoc>,
}

/// Where a device's log stands on the server (`DeviceStatus`).
#[derive(ToSchema)]
#[schema(as = DeviceStatus)]
pub struct DeviceStatusDoc {
    /// Contiguous head.
    head: u64,
    /// Hash of the event at `head` (absent before the first event).
    head_hash: Option<String>,
    /// Highest sequence stored.
    max_seen: u64,
    /// The server's clock.
    server_hlc: i64,
}

/// A GeoJSON point, `[lon, lat]`.
#[derive(ToSchema)]
#[schema(as = GeoJsonPoint)]
pub struct GeoJsonPointDoc {
    /// `Point`.
    r#type: String,
    /// Longitude, latitude.
    coordinates: Vec<f64>,
}

/// One visit of the export: a point at the debtor's location (null when unknown) and the CSV's
/// columns as properties (null where empty).
#[derive(ToSchema)]
#[schema(as = VisitFeature)]
pub struct VisitFeatureDoc {
    /// `Feature`.
    r#type: String,
    /// The visit id.
    id: String,
    /// The debtor's location.
    geometry: Option<GeoJsonPointDoc>,
    /// The CSV's columns by name.
    properties: BTreeMap<String, Option<String>>,
}

/// The visits export (`application/geo+json`).
#[derive(ToSchema)]
#[schema(as = VisitFeatureCollection)]
pub struct VisitFeatureCollectionDoc {
    /// `FeatureCollection`.
    r#type: String,
    /// One per visit, oldest first.
    features: Vec<VisitFeatureDoc>,
}

/// A GeoJSON line, `[[lon, lat], ...]` in time order.
#[derive(ToSchema)]
#[schema(as = GeoJsonLineString)]
pub struct GeoJsonLineStringDoc {
    /// `LineString`.
    r#type: String,
    /// Longitude, latitude pairs.
    coordinates: Vec<Vec<f64>>,
}

/// Whose track it is and when each point was fixed.
#[derive(ToSchema)]
#[schema(as = TrackProperties)]
pub struct TrackPropertiesDoc {
    /// The collector's login.
    collector: String,
    /// Their display name.
    display_name: String,
    /// The local day.
    #[schema(format = Date)]
    date: String,
    /// The time of each point (RFC 3339, UTC), in the line's order.
    times: Vec<String>,
}

/// One collector's track of the day.
#[derive(ToSchema)]
#[schema(as = TrackFeature)]
pub struct TrackFeatureDoc {
    /// `Feature`.
    r#type: String,
    /// The track.
    geometry: GeoJsonLineStringDoc,
    /// Whose and when.
    properties: TrackPropertiesDoc,
}

/// The tracks export (`application/geo+json`).
#[derive(ToSchema)]
#[schema(as = TrackFeatureCollection)]
pub struct TrackFeatureCollectionDoc {
    /// `FeatureCollection`.
    r#type: String,
    /// One per collector with fixes.
    features: Vec<TrackFeatureDoc>,
}

/// A stop of a collector's route (`StopView`, `entity_type` `stop`).
#[derive(ToSchema)]
#[schema(as = StopView)]
#[serde(deny_unknown_fields)]
pub struct StopViewDoc {
    /// Stop id.
    id: uuid::Uuid,
    /// Route.
    route: uuid::Uuid,
    /// Collector.
    collector: uuid::Uuid,
    /// The route's date.
    #[schema(format = Date)]
    route_date: String,
    /// The account to visit.
    account: uuid::Uuid,
    /// Planned visit date.
    #[schema(format = Date)]
    planned_date: String,
    /// Order in the route (from 1).
    position: u32,
}

/// A payment from the creditor's payment file (`PaymentView`, `entity_type` `payment`).
#[derive(ToSchema)]
#[schema(as = PaymentView)]
#[serde(deny_unknown_fields)]
pub struct PaymentViewDoc {
    /// Payment id.
    id: uuid::Uuid,
    /// The account paid towards.
    account: uuid::Uuid,
    /// Amount in minor units (positive).
    amount_minor: i64,
    /// ISO 4217 currency.
    currency: String,
    /// The local date it was paid.
    #[schema(format = Date)]
    date: String,
    /// The voucher or receipt number.
    reference: String,
    /// How it was paid, as the file says.
    channel: Option<String>,
}

/// A visit as folded on the server (`VisitView`, `entity_type` `visit`).
#[derive(ToSchema)]
#[schema(as = VisitView)]
#[serde(deny_unknown_fields)]
pub struct VisitViewDoc {
    /// Visit id.
    id: uuid::Uuid,
    /// The account visited.
    account: uuid::Uuid,
    /// The collector.
    collector: uuid::Uuid,
    /// The route stop, when the visit was planned.
    stop: Option<uuid::Uuid>,
    /// planned, in_progress, done, not_done, cancelled.
    status: String,
    /// Reopen generation of that status.
    status_epoch: u32,
    /// Stamp of the write that set the status.
    status_hlc: i64,
    /// Author of that write (absent while nobody set a status).
    status_device: Option<uuid::Uuid>,
    /// The author's sequence number of that write.
    status_seq: Option<u64>,
    /// The submitted outcome, once submitted.
    outcome: Option<String>,
    /// When the collector completed it.
    #[schema(format = DateTime)]
    completed_at: Option<String>,
    /// A check-in the device allowed was refused by the server's re-verification.
    flagged: bool,
}

/// The current value of one field or answer (`FieldView`, `entity_type` `field`).
#[derive(ToSchema)]
#[schema(as = FieldView)]
#[serde(deny_unknown_fields)]
pub struct FieldViewDoc {
    /// The entity (a visit).
    entity: uuid::Uuid,
    /// The field or question name.
    field: String,
    /// The value, of the question's type (null once cleared).
    value: serde_json::Value,
    /// Stamp of the winning write.
    hlc: i64,
    /// Its author.
    device: uuid::Uuid,
    /// Its author's sequence number.
    seq: u64,
}

/// A check-in attempt with both verdicts (`CheckInView`, `entity_type` `checkin`).
#[derive(ToSchema)]
#[schema(as = CheckInView)]
#[serde(deny_unknown_fields)]
pub struct CheckInViewDoc {
    /// The visit.
    visit: uuid::Uuid,
    /// The account.
    account: uuid::Uuid,
    /// When the collector asked to check in.
    #[schema(format = DateTime)]
    at: String,
    /// What the device decided.
    device_verdict: VerdictDoc,
    /// What the server decided from the same evidence.
    server_verdict: VerdictDoc,
    /// The device allowed what the server refuses.
    flagged: bool,
}

/// One attachment of a visit (`AttachmentView`, `entity_type` `attachment`).
#[derive(ToSchema)]
#[schema(as = AttachmentView)]
#[serde(deny_unknown_fields)]
pub struct AttachmentViewDoc {
    /// The visit.
    visit: uuid::Uuid,
    /// The attachment.
    attachment: uuid::Uuid,
    /// The blob's content address, once an add arrived.
    sha256: Option<String>,
    /// MIME type.
    media_type: Option<String>,
    /// Blob size.
    bytes: Option<u64>,
    /// What it is for (`photo`, `signature`, `file`).
    role: Option<String>,
    /// Removed (remove wins over any add).
    removed: bool,
}

/// One stored version of a questionnaire (`FormVersion`, `entity_type` `form`).
#[derive(ToSchema)]
#[schema(as = FormVersion)]
#[serde(deny_unknown_fields)]
pub struct FormVersionDoc {
    /// The version's id.
    id: uuid::Uuid,
    /// The XLSForm `form_id`.
    form_id: String,
    /// The settings sheet's `version`; empty when it has none.
    version: String,
    /// `form_title`, else the form id.
    title: String,
    /// When it was imported, Unix milliseconds.
    created_ms: i64,
    /// The validated form: the questionnaire engine's tree of groups, repeats and questions
    /// (terreno-shared `form::Form`), read by the collector's app.
    definition: serde_json::Value,
    /// Its media files (lookup tables, images): the app downloads each it lacks from
    /// `GET /api/v1/forms/versions/{id}/media/{name}`.
    media: Vec<FormMediaFileDoc>,
}

/// One media file of a form version (`FormMediaFile`).
#[derive(ToSchema)]
#[schema(as = FormMediaFile)]
#[serde(deny_unknown_fields)]
pub struct FormMediaFileDoc {
    /// The file name the form references (`fruits.csv`).
    name: String,
    /// Its media type (`text/csv`).
    media_type: String,
    /// Lower-case hex SHA-256 of the content.
    sha256: String,
    /// Size in bytes.
    bytes: u64,
}

/// Which form version new visits are filled with (`VisitForm`, `entity_type` `visit_form`).
#[derive(ToSchema)]
#[schema(as = VisitForm)]
#[serde(deny_unknown_fields)]
pub struct VisitFormDoc {
    /// The version's id.
    id: uuid::Uuid,
}

/// The record an upsert carries, by `entity_type`.
#[derive(ToSchema)]
#[schema(as = ChangeBody)]
#[serde(untagged)]
pub enum ChangeBodyDoc {
    /// `account`.
    Account(AccountViewDoc),
    /// `stop`.
    Stop(StopViewDoc),
    /// `visit`.
    Visit(VisitViewDoc),
    /// `field`.
    Field(FieldViewDoc),
    /// `checkin`.
    CheckIn(CheckInViewDoc),
    /// `attachment`.
    Attachment(AttachmentViewDoc),
    /// `form`.
    Form(FormVersionDoc),
    /// `visit_form`.
    VisitForm(VisitFormDoc),
    /// `payment`.
    Payment(PaymentViewDoc),
}
