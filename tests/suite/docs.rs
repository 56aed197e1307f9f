//! Documentation stays true: the parameter table in docs/MODEL.md is the registry's, and
//! every CSV column the tool writes is documented in docs/OUTPUTS.md.

use coopetition::output::columns::{EVENTS_HEADER, outcomes_header, timeseries_header};
use coopetition::scenario::{Scenario, params};

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The table between the markers is generated from the registry: this test checks it,
/// and with `COOPETITION_UPDATE_DOCS=1` writes it.
#[test]
fn model_md_parameter_table_matches_the_registry() {
    let doc = read("docs/MODEL.md");
    let begin = doc.find("<!-- params:begin -->\n").expect("params:begin marker") + "<!-- params:begin -->\n".len();
    let end = doc.find("<!-- params:end -->").expect("params:end marker");
    let table = params::markdown_table(&Scenario::default());
    if doc[begin..end] != table && std::env::var("COOPETITION_UPDATE_DOCS").as_deref() == Ok("1") {
        let path = format!("{}/docs/MODEL.md", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(&path, format!("{}{table}{}", &doc[..begin], &doc[end..])).expect("write docs/MODEL.md");
        return;
    }
    assert!(
        doc[begin..end] == table,
        "docs/MODEL.md parameter table is stale: regenerate it with `COOPETITION_UPDATE_DOCS=1 cargo test --profile ci --workspace docs::`"
    );
}

#[test]
fn outputs_md_documents_every_column() {
    let doc = read("docs/OUTPUTS.md");
    let s = Scenario::default();
    let mut columns: Vec<String> = Vec::new();
    for header in [outcomes_header(), timeseries_header(&s), EVENTS_HEADER.to_string()] {
        columns.extend(header.split(',').map(str::to_string));
    }
    for c in columns {
        // Per-company share columns are documented by pattern.
        let documented = doc.contains(&format!("`{c}`"))
            || (c.starts_with("share_") && doc.contains("share_<segment>_<company>"))
            || (c.starts_with("hhi_") && doc.contains("hhi_<segment>"))
            || (c.starts_with("stage_") && doc.contains("stage_"))
            || [
                "retention",
                "revenue",
                "headcount",
                "pay",
                "cash",
                "operating_flow",
                "valuation",
                "capability",
            ]
            .iter()
            .any(|p| c.starts_with(&format!("{p}_")) && doc.contains(&format!("`{p}_<company>`")))
            || ["cloud_share", "utilization", "price"]
                .iter()
                .any(|p| c.starts_with(&format!("{p}_")) && doc.contains(&format!("`{p}_<cloud>`")));
        assert!(documented, "column `{c}` is not documented in docs/OUTPUTS.md");
    }
}
