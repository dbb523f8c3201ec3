-- Who uploaded each blob. A blob is downloadable only through an attachment added by a device of
-- its uploader, so knowing a photo's hash (say from a debtor that has since left one's scope)
-- and attaching it to a visit of one's own gives nothing.
alter table blobs add column uploader_id text references users(id);
