-- Terreno device store, version 3: questionnaires (XLSForm, see terreno_shared::form).

-- Form versions the device received through the pull feed (`form` changes), as the server
-- stored them: `id` is the version's FormId, `form_id`/`version`/`title` the XLSForm settings,
-- `definition` the validated form's JSON (terreno_shared::form::xlsform::Form). A version never
-- changes once stored; rows stay while a visit may still name them.
create table forms (
    id text primary key,
    form_id text not null,
    version text not null,
    title text not null,
    created_ms integer not null,
    definition text not null
);

-- The version new visits are filled with (the `visit_form` change): at most one row. It may
-- name a version whose `form` change has not arrived yet; the visit flow asks for a sync then.
create table visit_form (
    id integer primary key check (id = 1),
    form text not null
);

-- The form version a visit is filled with, fixed when the visit starts (its accepted check-in,
-- or its first answer on this device); null until then. A newer visit form arriving mid-visit
-- does not change it.
alter table visits add column form text;
