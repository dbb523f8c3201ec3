-- Questionnaires imported from XLSForm spreadsheets (server/src/forms reads them; the form
-- model of terreno-shared validates them). A row is one version of one form of an organization
-- and is never changed: a new version is a new row.
--   form_id        the settings sheet's form_id, else the file name without its extension
--   version        the settings sheet's version; '' when it has none (so a second import of an
--                  unversioned form is refused like any repeated version)
--   title          form_title, else form_id
--   definition     the validated form as JSON (terreno_shared::form::xlsform::Form)
--   question_count questions in the tree (groups and repeats not counted), for listings
--   created_by     the user who uploaded it; null when imported from the command line
create table forms (
    id text primary key,
    org_id text not null references orgs(id),
    form_id text not null,
    version text not null,
    title text not null,
    definition text not null,
    question_count bigint not null,
    created_ms bigint not null,
    created_by text references users(id),
    unique (org_id, form_id, version)
);
