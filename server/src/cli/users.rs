//! `terreno-server user add|passwd|list|disable`: the organization's accounts.
//!
//! A password is read as one line from standard input, never from an argument (arguments show
//! up in `ps` and shell history). Output for people is an aligned table; `--json` is for scripts.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use terreno_shared::model::{Role, Username};

use super::{Cli, DEFAULT_DB, UserCommand};
use crate::db::Db;
use crate::db::orgs::Org;
use crate::db::users::NewUser;

/// Runs the command.
pub async fn run(cli: &Cli, cmd: &UserCommand) -> anyhow::Result<()> {
    let (db, org) = cli.open(DEFAULT_DB).await?;
    let result = match cmd {
        UserCommand::Add {
            name,
            role,
            team,
            display_name,
        } => {
            add(
                &db,
                &org,
                name,
                *role,
                team.as_deref(),
                display_name.as_deref(),
            )
            .await
        }
        UserCommand::Passwd { name } => passwd(&db, &org, name).await,
        UserCommand::List { json } => list(&db, &org, *json).await,
        UserCommand::Disable { name } => match db.users().disable(org.id, name).await {
            Ok(()) => print(&format!(
                "disabled {name}: they cannot log in, and their phones wipe their data on next contact\n"
            )),
            Err(e) => Err(e),
        },
        UserCommand::Email { name, address } => {
            match db.users().set_email(org.id, name, address.as_deref()).await {
                Ok(()) => print(&match address {
                    Some(a) => format!("{name} gets visit emails at {}\n", a.trim()),
                    None => format!("{name} gets no visit emails\n"),
                }),
                Err(e) => Err(e),
            }
        }
    };
    db.close().await;
    result
}

async fn add(
    db: &Db,
    org: &Org,
    name: &str,
    role: Role,
    team: Option<&str>,
    display_name: Option<&str>,
) -> anyhow::Result<()> {
    let user = db
        .users()
        .insert(
            org.id,
            &NewUser {
                username: name,
                role,
                team,
                display_name,
            },
        )
        .await?;
    print(&format!(
        "added {} {} to {}; set a password with: terreno-server user passwd {}\n",
        user.role, user.username, org.name, user.username
    ))
}

async fn passwd(db: &Db, org: &Org, name: &str) -> anyhow::Result<()> {
    let username = Username::parse(name)?;
    let exists = db
        .users()
        .find_login(&username)
        .await?
        .is_some_and(|u| u.info.org == org.id);
    if !exists {
        bail!(
            "there is no user named {:?} in {}",
            username.as_str(),
            org.name
        );
    }
    let password = tokio::task::spawn_blocking(read_password_line)
        .await
        .context("reading the password")??;
    crate::auth::check_new_password(&password)?;
    let hash = crate::auth::hash_password(password).await?;
    db.users()
        .set_password_hash(org.id, username.as_str(), &hash)
        .await?;
    print(&format!("set the password of {username}\n"))
}

/// One line of standard input without its line ending (a prompt goes to stderr on a terminal).
fn read_password_line() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("new password (one line; it is shown as you type): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

async fn list(db: &Db, org: &Org, json: bool) -> anyhow::Result<()> {
    let users = db.users().list(org.id).await?;
    if json {
        return print(&format!("{}\n", serde_json::to_string_pretty(&users)?));
    }
    let rows = users.iter().map(|u| {
        vec![
            u.username.clone(),
            u.display_name.clone(),
            u.role.to_string(),
            u.team.clone().unwrap_or_else(|| "-".into()),
            if u.active { "active" } else { "disabled" }.into(),
            if u.invited { "no (invited)" } else { "yes" }.into(),
        ]
    });
    print(&table(
        &["USERNAME", "NAME", "ROLE", "TEAM", "STATUS", "PASSWORD"],
        rows,
    ))
}

/// Writes to stdout. A closed pipe (`| head`) ends the output quietly instead of panicking.
pub(super) fn print(text: &str) -> anyhow::Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing to standard output")
        }
        _ => Ok(()),
    }
}

/// An aligned text table: a header line, then one line per row.
pub(super) fn table(headers: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_to_their_widest_cell() {
        let t = table(
            &["A", "LONGER"],
            [
                vec!["xyz".to_owned(), "1".to_owned()],
                vec!["ñ".to_owned(), "22".to_owned()],
            ],
        );
        assert_eq!(t, "A    LONGER\nxyz  1\nñ    22\n");
    }
}
