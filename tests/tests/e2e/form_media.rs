//! A form that reads a media file, end to end: the organization's visit form is imported with
//! its CSV lookup table; the phone pulls the version, downloads the file the version lists and
//! evaluates `pulldata` and `select_one_from_file` with it; the server's completion check reads
//! the same table.

use chrono::NaiveDate;
use terreno_server::db::forms::NewForm;
use terreno_server::forms::{self, media};
use terreno_tests::device::t;
use terreno_tests::{TestDevice, TestServer, samples};

use crate::both;

const FORM: &str = "type,name,label,calculation\n\
    decimal,balance,Saldo,\n\
    select_one_from_file tramos.csv,tramo,Tramo,\n\
    calculate,tasa,,\"pulldata('tramos', 'tasa', 'name', 'alto')\"\n";

const TRAMOS: &str = "name,label,tasa\nbajo,Bajo,0.5\nalto,Alto,2.5\n";

both!(
    the_phone_pulls_a_form_with_its_csv_and_evaluates_pulldata_offline,
    |backend| {
        let fx = samples();
        let Some(mut server) = TestServer::spawn(backend) else {
            return;
        };
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
        let seeded = server.seed(&fx.join("route_basic.csv"), day);
        let read = forms::read(FORM.as_bytes(), Some("tarifas.csv")).expect("the form reads");
        let upload = media::MediaUpload {
            name: "tramos.csv".into(),
            bytes: TRAMOS.as_bytes().to_vec(),
        };
        let (files, warnings) = media::check(&read.form, vec![upload]).expect("the file reads");
        assert!(warnings.is_empty(), "{warnings:?}");
        let mut new = NewForm::from_read(&read, None);
        new.media = &files;
        server
            .rt
            .block_on(server.db.forms().insert(seeded.org, &new, true))
            .expect("storing the form");

        let phone = TestDevice::login(&server.url(), "gestor.ramirez", t("2026-11-24T12:50:00Z"));
        phone.sync_until("the form with its table", |c| {
            c.visit_form("CL-100000")
                .is_ok_and(|f| f.state.calculated.get("tasa").is_some_and(|v| v == "2.5"))
        });
        server.stop();
        let shown = phone
            .core
            .visit_form("CL-100000")
            .expect("the form offline");
        assert_eq!(shown.state.calculated["tasa"], "2.5");
        assert_eq!(shown.state.choices["tramo"], ["bajo", "alto"]);
    }
);
