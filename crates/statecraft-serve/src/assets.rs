//! The page and its assets, embedded in the binary (no CDN, no network).

pub const INDEX_HTML: &str = include_str!("../assets/index.html");
pub const APP_JS: &str = include_str!("../assets/app.js");
pub const APP_CSS: &str = include_str!("../assets/app.css");

/// The Content-Security-Policy of every page response: nothing but this server.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                       connect-src 'self'; img-src 'self' data:; form-action 'none'; \
                       base-uri 'none'; frame-ancestors 'none'";
