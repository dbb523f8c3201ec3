//! The shell's tests: its commands through Tauri's IPC on the mock runtime (`commands`), and the
//! real Linux build driven through WebDriver under Xvfb (`webdriver`).

mod commands;
mod webdriver;
