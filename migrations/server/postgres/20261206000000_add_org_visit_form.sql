-- The form version an organization's new visits are filled with (issue 7). Every organization
-- has one: created with the shipped visit form (forms/visita_cobranza.xlsx), and an organization
-- that predates this column gets it when the server starts. Null only until then.
--   visit_form_id  a row of `forms` of the same organization; changed by importing a form with
--                  "use for visits", or a new version of the form that is the visit form
alter table orgs add column visit_form_id text references forms(id);
