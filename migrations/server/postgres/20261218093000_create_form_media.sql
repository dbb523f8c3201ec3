-- The media files of a form version (ODK's form attachments): lookup tables that pulldata(),
-- instance('name') and select_one_from_file read (CSV, XML, GeoJSON) and the images, audio and
-- video its questions show. Stored with the version, never changed (a version never changes),
-- and delivered to devices with it.
--   form_version_id  the forms row they belong to (its org_id scopes every read)
--   name             the file name as the form references it (one plain name, checked by
--                    terreno_shared::form::media::check_name); unique per version
--   media_type       served as Content-Type
--   sha256           lower-case hex of the content; devices keep files by it
--   bytes            the size, at most 10 MiB (terreno_shared::form::media::MAX_MEDIA_BYTES)
--   content          the file
create table form_media (
    form_version_id text not null references forms(id),
    name text not null,
    media_type text not null,
    sha256 text not null,
    bytes bigint not null,
    content bytea not null,
    primary key (form_version_id, name)
);

-- forms.media: the version's media files as devices see them (a JSON list of
-- terreno_shared::api::v1::forms::FormMediaFile: name, media_type, sha256, bytes), written with
-- the version so the pull feed and snapshot send it without reading form_media.
alter table forms add column media text not null default '[]';
