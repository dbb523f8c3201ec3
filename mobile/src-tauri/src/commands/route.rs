//! Today's route and a stop's detail.

use chrono::NaiveDate;
use tauri::State;
use terreno_app::visit::detail::StopDetail;
use terreno_app::visit::route::RouteStop;

use crate::error::CommandResult;
use crate::state::Shell;

/// The route of `date` (default: today in the organization's zone), in visiting order.
#[tauri::command]
pub async fn route_list(
    shell: State<'_, Shell>,
    date: Option<NaiveDate>,
) -> CommandResult<Vec<RouteStop>> {
    shell.run(move |core| core.route(date)).await
}

/// A stop (id or debtor's external id): the debtor and the debtor's visit history.
#[tauri::command]
pub async fn stop_get(shell: State<'_, Shell>, stop: String) -> CommandResult<StopDetail> {
    shell.run(move |core| core.stop_detail(&stop)).await
}
