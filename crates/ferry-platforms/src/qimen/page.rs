//! One page of a Qimen route whose business parameters are the scheme's rendered parameters
//! sent as flat form fields.
//!
//! Contract: [`page_params`] flattens the rendered parameters with [`business_params`], drops
//! the shape's page and size parameters and appends them with the [`PageRequest`]'s values
//! (page first, then size). [`QimenClient::call_page`] sends them as one [`QimenClient::call`]
//! and returns the inner `response` object.

use serde_json::{Map, Value};

use super::client::{QimenClient, business_params};
use crate::error::CallError;
use crate::source::{PageRequest, SourceShape};

/// The rendered parameters as form pairs without their paging values, then the page pair.
pub fn page_params(request: &PageRequest<'_>, shape: SourceShape) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = business_params(request.params)
        .into_iter()
        .filter(|(key, _)| key != shape.page_param && key != shape.size_param)
        .collect();
    pairs.push((shape.page_param.to_owned(), request.page.to_string()));
    pairs.push((shape.size_param.to_owned(), request.page_size.to_string()));
    pairs
}

impl QimenClient {
    /// Calls `method` with the [`page_params`] of `request` under `shape`; the inner
    /// `response` object back.
    pub async fn call_page(
        &self,
        method: &str,
        request: &PageRequest<'_>,
        shape: SourceShape,
    ) -> Result<Map<String, Value>, CallError> {
        self.call(method, &page_params(request, shape)).await
    }
}
