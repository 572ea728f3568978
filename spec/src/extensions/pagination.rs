//! `x-streamkit-pagination` (operation level): where a list's items and its next page are,
//! in the body (`cursor`, `cursor-string`) or in response headers (`page`, `link-cursor`),
//! and the check of what each style needs.

use serde::Deserialize;

/// `x-streamkit-pagination`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Where the next page is named: in the body (`cursor`, `cursor-string`) or in
    /// headers (`page`, `link-cursor`).
    pub style: PageStyle,
    /// Request parameter names.
    pub request: PageRequest,
    /// Where items and the next page are in the response.
    pub response: PageResponse,
}

/// Pagination styles.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PageStyle {
    /// `pagination: {cursor}`: the next cursor is an object field of the body.
    Cursor,
    /// `pagination: "<cursor>"`: the next cursor is a bare string in the body.
    CursorString,
    /// Page numbers (`page` + a page size): the next page comes from a `Link` header
    /// (`rel="next"`, else `rel="last"`), else a total-count header, else from whether the
    /// page came back full.
    Page,
    /// An opaque cursor handed out as a query parameter of the `rel="next"` URL of a `Link`
    /// header (a continuation token); no such link ends the list.
    LinkCursor,
}

impl PageStyle {
    /// The name used in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            PageStyle::Cursor => "cursor",
            PageStyle::CursorString => "cursor-string",
            PageStyle::Page => "page",
            PageStyle::LinkCursor => "link-cursor",
        }
    }

    /// Whether the next page is named in response headers rather than in the body.
    pub fn in_headers(self) -> bool {
        matches!(self, PageStyle::Page | PageStyle::LinkCursor)
    }
}

/// Request side of pagination.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PageRequest {
    /// Forward cursor parameter (cursor styles and `link-cursor`).
    pub cursor: Option<String>,
    /// Backward cursor parameter (body cursor styles only).
    pub backward: Option<String>,
    /// Page size parameter (required by `page`).
    pub page_size: Option<String>,
    /// Page number parameter (`page` only).
    pub page: Option<String>,
    /// The number of the first page, `0` or `1` (`page` only, required: APIs disagree).
    pub first_page: Option<u64>,
}

/// Response side of pagination.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PageResponse {
    /// Dotted path of the items; `''` (the empty path, as in a JSON pointer) when the whole
    /// body is the list.
    pub items: String,
    /// Dotted path of the cursor in the body (body cursor styles only).
    pub cursor: Option<String>,
    /// A cursor value that means "no more pages", besides an absent or empty one (MEDKit's
    /// `user_ids` answers `next: "0"` on its last page). Body cursor styles only.
    #[serde(default)]
    pub end: Option<String>,
    /// The RFC 8288 `Link` response header naming the next page (`page`: optional;
    /// `link-cursor`: required).
    pub link: Option<String>,
    /// The response header holding the total number of items (`page` only, optional).
    pub total: Option<String>,
}

impl Pagination {
    /// The query parameter carrying the position: the forward cursor, or the page number for
    /// `page` (present once [`Pagination::check`] passed).
    pub fn position_param(&self) -> &str {
        self.request.cursor.as_deref().or(self.request.page.as_deref()).unwrap_or_default()
    }

    /// The query parameters the declaration names, with their role (`cursor`, `page`, ...).
    pub fn parameters(&self) -> Vec<(&'static str, &str)> {
        let r = &self.request;
        [("cursor", &r.cursor), ("backward", &r.backward), ("page-size", &r.page_size), ("page", &r.page)]
            .into_iter()
            .filter_map(|(role, n)| n.as_deref().map(|n| (role, n)))
            .collect()
    }

    /// What serde cannot say: which keys each style needs and which it does not take.
    /// Every message names the key (`request.page`, `response.link`, ...).
    ///
    /// ```
    /// use streamkit_spec::extensions::Pagination;
    /// let p: Pagination = serde_json::from_value(serde_json::json!({
    ///     "style": "page", "request": {"page": "page", "page-size": "limit"}, "response": {"items": ""}
    /// })).unwrap();
    /// assert!(p.check().unwrap_err().contains("request.first-page"));
    /// ```
    pub fn check(&self) -> Result<(), String> {
        let (r, s) = (&self.request, &self.response);
        let style = self.style.as_str();
        let need = |present: bool, key: &str, why: &str| {
            if present { Ok(()) } else { Err(format!("style `{style}` needs `{key}` ({why})")) }
        };
        let refuse = |present: bool, key: &str| {
            if present { Err(format!("style `{style}` does not take `{key}` (see specs/README.md)")) } else { Ok(()) }
        };
        let nonempty = |v: &Option<String>, key: &str| match v {
            Some(v) if v.trim().is_empty() => Err(format!("`{key}` is empty")),
            _ => Ok(()),
        };
        for (v, key) in [
            (&r.cursor, "request.cursor"),
            (&r.backward, "request.backward"),
            (&r.page_size, "request.page-size"),
            (&r.page, "request.page"),
            (&s.cursor, "response.cursor"),
            (&s.link, "response.link"),
            (&s.total, "response.total"),
        ] {
            nonempty(v, key)?;
        }
        if !s.items.is_empty() && s.items.split('.').any(str::is_empty) {
            return Err(format!(
                "`response.items: {}` must be a dotted path of field names, or '' for the whole body",
                s.items
            ));
        }
        match self.style {
            PageStyle::Cursor | PageStyle::CursorString => {
                need(r.cursor.is_some(), "request.cursor", "the query parameter taking the cursor")?;
                need(s.cursor.is_some(), "response.cursor", "the dotted path of the next cursor in the body")?;
                if s.items.is_empty() {
                    return Err(format!(
                        "style `{style}` reads the cursor from the body, so the items cannot be the whole body (`response.items: ''`)"
                    ));
                }
                refuse(r.page.is_some(), "request.page")?;
                refuse(r.first_page.is_some(), "request.first-page")?;
                refuse(s.link.is_some(), "response.link")?;
                refuse(s.total.is_some(), "response.total")
            }
            PageStyle::Page => {
                need(r.page.is_some(), "request.page", "the query parameter taking the page number")?;
                need(
                    r.page_size.is_some(),
                    "request.page-size",
                    "the query parameter taking the page size, to tell a full page from the last",
                )?;
                need(r.first_page.is_some(), "request.first-page", "the number of the first page, 0 or 1")?;
                if r.first_page.is_some_and(|f| f > 1) {
                    return Err(format!(
                        "`request.first-page` is {}; pages are numbered from 0 or 1",
                        r.first_page.unwrap_or_default()
                    ));
                }
                refuse(r.cursor.is_some(), "request.cursor")?;
                refuse(r.backward.is_some(), "request.backward")?;
                refuse(s.cursor.is_some(), "response.cursor")?;
                refuse(s.end.is_some(), "response.end")
            }
            PageStyle::LinkCursor => {
                need(
                    r.cursor.is_some(),
                    "request.cursor",
                    "the query parameter taking the token, read from the next link",
                )?;
                need(
                    s.link.is_some(),
                    "response.link",
                    "the response header whose `rel=\"next\"` URL holds the token",
                )?;
                refuse(r.backward.is_some(), "request.backward")?;
                refuse(r.page.is_some(), "request.page")?;
                refuse(r.first_page.is_some(), "request.first-page")?;
                refuse(s.cursor.is_some(), "response.cursor")?;
                refuse(s.end.is_some(), "response.end")?;
                refuse(s.total.is_some(), "response.total")
            }
        }
    }
}
