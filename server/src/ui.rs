//! The supervisor dashboard's built files (`server/ui/dist`, made by `scripts/build-ui`),
//! embedded in the binary by `build.rs`, and how each is served: its content type and whether
//! browsers may keep it forever. Serving them is `routes::ui`; this module does no I/O.

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// One embedded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// Path under `dist`, without a leading slash (`index.html`, `assets/index-3f2a.js`).
    pub path: &'static str,
    /// A strong validator of the content (quoted, as the `ETag` header carries it).
    pub etag: &'static str,
    /// The content.
    pub bytes: &'static [u8],
}

/// Whether the dashboard was built before this binary was (else there is nothing to serve).
pub fn is_built() -> bool {
    index().is_some()
}

/// The file at `path` (no leading slash), if the build holds it.
pub fn find(path: &str) -> Option<Asset> {
    ASSETS
        .binary_search_by(|(p, _, _)| (*p).cmp(path))
        .ok()
        .map(|i| {
            let (path, etag, bytes) = ASSETS[i];
            Asset { path, etag, bytes }
        })
}

/// The page every dashboard route loads.
pub fn index() -> Option<Asset> {
    find("index.html")
}

impl Asset {
    /// The `Content-Type` of the file, from its extension (only the kinds a Vite build makes).
    pub fn content_type(&self) -> &'static str {
        content_type(self.path)
    }

    /// Vite names everything under `assets/` by a hash of its content, so a name never changes
    /// meaning and browsers may keep it for good; anything else (the page itself) must be
    /// revalidated, or a new release would run against stale scripts.
    pub fn is_immutable(&self) -> bool {
        self.path.starts_with("assets/")
    }
}

/// The content type for a file name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("assets/index-3f2a.js", "text/javascript; charset=utf-8"),
            ("assets/index-3f2a.CSS", "text/css; charset=utf-8"),
            ("assets/marker-icon.png", "image/png"),
            ("favicon.svg", "image/svg+xml"),
            ("LICENSE", "application/octet-stream"),
        ];
        for (path, expected) in cases {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    #[test]
    fn only_hashed_assets_are_immutable() {
        let asset = |path| Asset {
            path,
            etag: "\"0\"",
            bytes: b"",
        };
        assert!(asset("assets/index-3f2a.js").is_immutable());
        assert!(!asset("index.html").is_immutable());
        assert!(!asset("favicon.svg").is_immutable());
    }

    #[test]
    fn the_embedded_list_is_sorted_for_lookup() {
        assert!(ASSETS.windows(2).all(|w| w[0].0 < w[1].0));
        for (path, _, _) in ASSETS {
            assert_eq!(find(path).map(|a| a.path), Some(*path));
        }
        assert_eq!(find("no/such/file.js"), None);
    }
}
