//! Tests of [`super`]: organizations, teams, roles, login names and users.

use super::*;
use uuid::Uuid;

fn org_id() -> OrgId {
    OrgId::from_uuid(Uuid::from_u128(1))
}
fn team_id() -> TeamId {
    TeamId::from_uuid(Uuid::from_u128(2))
}
fn user_id() -> UserId {
    UserId::from_uuid(Uuid::from_u128(3))
}

#[test]
fn an_organization_keeps_its_iana_zone_and_serializes_it_by_name() {
    let org = Organization::parse(org_id(), "  Cobranzas  Andinas ", "America/Bogota").unwrap();
    assert_eq!(org.name(), "Cobranzas Andinas");
    assert_eq!(org.time_zone(), chrono_tz::America::Bogota);
    let json = serde_json::to_string(&org).unwrap();
    assert!(json.contains("\"time_zone\":\"America/Bogota\""), "{json}");
    assert_eq!(serde_json::from_str::<Organization>(&json).unwrap(), org);
}

#[test]
fn invalid_organizations_are_refused_with_the_field_named() {
    let long = "x".repeat(201);
    for (name, zone, field) in [
        ("", "America/Bogota", "organization name"),
        (long.as_str(), "America/Bogota", "organization name"),
        ("Cobranzas", "COT", "time zone"),
        ("Cobranzas", "America/Bogotá", "time zone"),
        ("Cobranzas", "", "time zone"),
    ] {
        let err = Organization::parse(org_id(), name, zone).unwrap_err();
        assert_eq!(err.field, field, "{name:?} {zone:?}");
    }
}

#[test]
fn deserializing_an_organization_with_a_bad_zone_or_extra_field_fails() {
    let id = org_id();
    for json in [
        format!(r#"{{"id":"{id}","name":"A","time_zone":"Mars/Olympus"}}"#),
        format!(r#"{{"id":"{id}","name":"A","time_zone":"UTC","plan":"pro"}}"#),
        format!(r#"{{"id":"{id}","name":" ","time_zone":"UTC"}}"#),
    ] {
        assert!(
            serde_json::from_str::<Organization>(&json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn a_team_round_trips_and_refuses_a_blank_name() {
    let team = Team::new(team_id(), org_id(), "Zona Norte").unwrap();
    let json = serde_json::to_string(&team).unwrap();
    assert_eq!(serde_json::from_str::<Team>(&json).unwrap(), team);
    assert_eq!(
        Team::new(team_id(), org_id(), "\t").unwrap_err().field,
        "team name"
    );
}

#[test]
fn roles_parse_case_insensitively_and_list_the_valid_ones_on_error() {
    assert_eq!(" Collector ".parse::<Role>().unwrap(), Role::Collector);
    for role in Role::ALL {
        assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
    }
    let err = "gestor".parse::<Role>().unwrap_err();
    assert_eq!(err.field, "role");
    assert!(err.reason.contains("admin, supervisor, collector"), "{err}");
}

#[test]
fn usernames_are_normalized_to_lower_case() {
    for (raw, want) in [
        ("gestor.ramirez", "gestor.ramirez"),
        ("  Gestor.Ramirez ", "gestor.ramirez"),
        ("a", "a"),
        ("7up_team-2", "7up_team-2"),
    ] {
        assert_eq!(Username::parse(raw).unwrap().as_str(), want, "{raw:?}");
    }
}

#[test]
fn invalid_usernames_are_refused_with_the_field_named() {
    let long = "a".repeat(65);
    for raw in [
        "",
        "  ",
        ".ramirez",
        "_x",
        "-x",
        "gestor ramirez",
        "gestor@x",
        "núñez",
        &long,
    ] {
        let err = Username::parse(raw).unwrap_err();
        assert_eq!(err.field, "username", "{raw:?}");
    }
    assert!(serde_json::from_str::<Username>("\"Bad Name\"").is_err());
}

fn raw_user(role: Role, team: Option<TeamId>) -> RawUser {
    RawUser {
        id: user_id(),
        org: org_id(),
        username: Username::parse("gestor.ramirez").unwrap(),
        display_name: "Andrés Ramírez".into(),
        role,
        team,
        active: true,
        invited: false,
    }
}

#[test]
fn team_membership_follows_the_role() {
    for (role, team, ok) in [
        (Role::Collector, Some(team_id()), true),
        (Role::Supervisor, Some(team_id()), true),
        (Role::Admin, None, true),
        (Role::Collector, None, false),
        (Role::Supervisor, None, false),
        (Role::Admin, Some(team_id()), false),
    ] {
        match User::try_from(raw_user(role, team)) {
            Ok(user) => assert!(ok, "{role} {team:?} accepted: {user:?}"),
            Err(err) => {
                assert!(!ok, "{role} {team:?} refused: {err}");
                assert_eq!(err.field, "team");
            }
        }
    }
}

#[test]
fn an_invited_user_is_active_without_a_password_and_round_trips() {
    let user = User::invite(
        user_id(),
        org_id(),
        Username::parse("gestor.ramirez").unwrap(),
        "Andrés  Ramírez",
        Role::Collector,
        Some(team_id()),
    )
    .unwrap();
    assert!(user.is_active() && user.is_invited());
    assert_eq!(user.display_name(), "Andrés Ramírez");
    let json = serde_json::to_string(&user).unwrap();
    assert_eq!(serde_json::from_str::<User>(&json).unwrap(), user);

    let admin = user.clone().with_role(Role::Admin, None).unwrap();
    assert_eq!((admin.role(), admin.team()), (Role::Admin, None));
    assert!(user.with_role(Role::Admin, Some(team_id())).is_err());
}

#[test]
fn deserializing_an_invalid_user_fails() {
    let good = serde_json::to_value(User::try_from(raw_user(Role::Admin, None)).unwrap()).unwrap();
    let mut no_team_collector = good.clone();
    no_team_collector["role"] = "collector".into();
    let mut bad_name = good.clone();
    bad_name["username"] = "-x".into();
    let mut extra = good.clone();
    extra["password"] = "secret".into();
    for json in [no_team_collector, bad_name, extra] {
        assert!(
            serde_json::from_value::<User>(json.clone()).is_err(),
            "{json}"
        );
    }
}
