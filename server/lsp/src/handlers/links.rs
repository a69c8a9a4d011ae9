//! Document links: institution ids in the front-matter open their record (ROR, Wikidata).

use super::View;
use marginalia_core::article::ids::InstitutionId;
use tower_lsp_server::lsp_types::*;

pub fn links(v: &View) -> Vec<DocumentLink> {
    v.snap
        .analysis
        .annotations
        .institutions
        .iter()
        .filter_map(|e| {
            let id = e.id.as_ref()?;
            let url = match e.parsed_id.as_ref()? {
                InstitutionId::Ror(r) => format!("https://ror.org/{r}"),
                InstitutionId::Wikidata(q) => format!("https://www.wikidata.org/wiki/{q}"),
                InstitutionId::Key(_) => return None,
            };
            Some(DocumentLink {
                range: v.range(id.span),
                target: url.parse().ok(),
                tooltip: v.features.link_tooltip.then(|| format!("Open {url}")),
                data: None,
            })
        })
        .collect()
}
