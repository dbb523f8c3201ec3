-- Terreno device store, version 6: the media files of form versions.

-- `forms.media` lists a version's media files as pulled (a JSON list of
-- terreno_shared::api::v1::forms::FormMediaFile: name, media_type, sha256, bytes). The files
-- themselves are downloaded after the pull and kept encrypted in the blob folder by sha256
-- (app/src/blobs.rs), like attachments; a version whose files are not all there yet evaluates
-- with empty lookups for the missing ones, as ODK Collect does.
alter table forms add column media text not null default '[]';
