//! Battery level and charging state, sent with every fix. On Linux desktops it is read from
//! `/sys/class/power_supply` (the first supply of type `Battery`); a machine without one (a
//! desktop, a CI runner) reports unknown rather than a made-up value. Phones: see the README
//! (no official Tauri battery plugin yet; the level stays unknown there until one is wired).

use std::path::Path;

use serde::Serialize;

/// The battery as last read; both fields `None` when the machine has none or it is unreadable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Battery {
    /// Charge, as a fraction 0..=1.
    pub level: Option<f64>,
    /// Whether it is charging (or full on the charger).
    pub charging: Option<bool>,
}

/// Where Linux lists power supplies.
pub const POWER_SUPPLY_DIR: &str = "/sys/class/power_supply";

/// Reads the battery of this machine.
pub fn read() -> Battery {
    if cfg!(target_os = "linux") {
        read_power_supply(Path::new(POWER_SUPPLY_DIR))
    } else {
        Battery::default()
    }
}

/// Reads the first supply of type `Battery` under `dir` (a `/sys/class/power_supply` tree).
pub fn read_power_supply(dir: &Path) -> Battery {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Battery::default();
    };
    let mut supplies: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    supplies.sort();
    let read = |p: &Path, f: &str| std::fs::read_to_string(p.join(f)).ok();
    for supply in supplies {
        if read(&supply, "type").as_deref().map(str::trim) != Some("Battery") {
            continue;
        }
        let level = read(&supply, "capacity")
            .and_then(|c| c.trim().parse::<f64>().ok())
            .filter(|c| (0.0..=100.0).contains(c))
            .map(|c| c / 100.0);
        let charging = read(&supply, "status").map(|s| {
            let s = s.trim();
            s == "Charging" || s == "Full"
        });
        return Battery { level, charging };
    }
    Battery::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(root: &Path, name: &str, files: &[(&str, &str)]) {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (f, v) in files {
            std::fs::write(dir.join(f), v).unwrap();
        }
    }

    #[test]
    fn the_first_battery_supply_gives_level_and_charging() {
        let root = std::env::temp_dir().join(format!("terreno-battery-{}", std::process::id()));
        supply(&root, "AC", &[("type", "Mains\n"), ("online", "1\n")]);
        supply(
            &root,
            "BAT0",
            &[
                ("type", "Battery\n"),
                ("capacity", "73\n"),
                ("status", "Charging\n"),
            ],
        );
        let b = read_power_supply(&root);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            b,
            Battery {
                level: Some(0.73),
                charging: Some(true)
            }
        );
    }

    #[test]
    fn a_machine_without_a_battery_reports_unknown() {
        let root = std::env::temp_dir().join(format!("terreno-nobattery-{}", std::process::id()));
        supply(&root, "AC", &[("type", "Mains\n")]);
        let b = read_power_supply(&root);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(b, Battery::default());
        assert_eq!(
            read_power_supply(Path::new("/nonexistent/power_supply")),
            Battery::default()
        );
    }
}
