//! Completion, semantic tokens, inlay hints, symbols, navigation and links, with exact
//! responses, in UTF-16 and UTF-8.

mod common;
use common::*;
use serde_json::{json, Value};

const URI: &str = "file:///nonexistent/articles/kust.md";
const OTHER: &str = "file:///nonexistent/articles/other.md";

const ARTICLE: &str = "---
title: \"🎉 KUST hosts CNRS\"
published: 2019-10-16
institutions:
  - id: kust
    name: Kunming University of Science and Technology
    country: CN
  - id: ror:02feahw73
---
😀 昆明理工大学 welcomed CNRS on October 15th.
KUST met CNRS yesterday; CAS sent a note.
";

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": pos(l1, c1), "end": pos(l2, c2)})
}

#[track_caller]
fn same(actual: &Value, expected: &Value) {
    assert!(
        actual == expected,
        "\nactual:\n{}\nexpected:\n{}",
        serde_json::to_string(actual).unwrap(),
        serde_json::to_string(expected).unwrap()
    );
}

async fn start_with(encodings: Option<&[&str]>, uri: &str, text: &str) -> TestClient {
    let (mut c, _) = TestClient::start(test_options(), init_params(encodings)).await;
    c.open(uri, text).await;
    c.diagnostics(uri, 1).await;
    c
}

/// The labels in the order a client shows them (by `sortText`).
fn labels(r: &Value) -> Vec<String> {
    let mut items: Vec<&Value> = r["items"].as_array().unwrap().iter().collect();
    items.sort_by_key(|i| i["sortText"].as_str().unwrap_or("").to_string());
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_in_the_front_matter() {
    let text = "---\npub\nlanguage: zh\ncountries:\n  - \ninstitutions:\n  - id: 昆明\n    country: F\n  - id: cnrs\n  - id: CAS\n  - \ndates:\n  - value: \n---\n😀 KUST met CNRS on 2019年10月15日 and October 15th.\n";
    let mut c = start_with(None, URI, text).await;
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": URI}, "position": pos(line, character)});

    // Top-level keys not yet present, inserting `key: `.
    let r = c.call("textDocument/completion", at(1, 3)).await;
    same(&r["isIncomplete"], &json!(false));
    assert_eq!(
        labels(&r),
        [
            "schema",
            "title",
            "published",
            "source",
            "url",
            "dates_",
            "tags",
            "notes"
        ]
        .iter()
        .map(|s| s.replace("dates_", ""))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
    );
    same(
        &r["items"][2],
        &json!({
            "label": "published",
            "kind": 10,
            "documentation": {"kind": "markdown", "value": "Publication date, ISO 8601 (`2019-10-16`). Anchors relative and year-less dates in the text."},
            "sortText": "02",
            "textEdit": {"range": range(1, 0, 1, 3), "newText": "published: "}
        }),
    );

    // Language tags by prefix, replacing the value.
    let r = c.call("textDocument/completion", at(2, 12)).await;
    assert_eq!(labels(&r), ["zh-Hans", "zh-Hant"]);
    same(
        &r["items"][1]["textEdit"],
        &json!({"range": range(2, 10, 2, 12), "newText": "zh-Hant"}),
    );

    // Countries in a block list: those of the mentioned institutions first.
    let r = c.call("textDocument/completion", at(4, 4)).await;
    let l = labels(&r);
    assert_eq!(&l[..2], ["CN", "FR"]);
    assert_eq!(
        l.len(),
        marginalia_core::article::ids::country_codes().count()
    );

    // Institution ids by Chinese name, by key, by acronym (ambiguous: both), fuzzy.
    let r = c.call("textDocument/completion", at(6, 10)).await;
    same(&r["isIncomplete"], &json!(true));
    assert_eq!(labels(&r), ["Kunming University of Science and Technology"]);
    same(
        &r["items"][0]["textEdit"],
        &json!({"range": range(6, 8, 6, 10), "newText": "kust"}),
    );
    same(
        &r["items"][0]["labelDetails"],
        &json!({"description": "kust"}),
    );
    same(&r["items"][0]["detail"], &json!("KUST 昆明理工大学"));
    let r = c.call("textDocument/completion", at(8, 12)).await;
    assert_eq!(
        labels(&r)[0],
        "French National Centre for Scientific Research"
    );
    same(
        &r["items"][0]["textEdit"],
        &json!({"range": range(8, 8, 8, 12), "newText": "ror:02feahw73"}),
    );
    let r = c.call("textDocument/completion", at(9, 11)).await;
    assert_eq!(
        &labels(&r)[..2],
        ["Chinese Academy of Sciences", "Czech Academy of Sciences"]
    );

    // Country of an entry; keys of an entry.
    let r = c.call("textDocument/completion", at(7, 14)).await;
    // FR first: CNRS, a French institution, is mentioned.
    assert_eq!(labels(&r), ["FR", "FI", "FJ", "FK", "FM", "FO"]);
    let r = c.call("textDocument/completion", at(10, 4)).await;
    assert_eq!(labels(&r), ["id", "name", "country", "role", "note"]);

    // Date values from the dates found in the text.
    let r = c.call("textDocument/completion", at(12, 11)).await;
    same(
        &r["items"],
        &json!([
            {"label": "2019-10-15", "kind": 12, "detail": "“2019年10月15日” in the text", "sortText": "0000", "textEdit": {"range": range(12, 11, 12, 11), "newText": "2019-10-15"}}
        ]),
    );

    // Outside the front-matter: nothing.
    same(
        &c.call("textDocument/completion", at(14, 3)).await,
        &Value::Null,
    );
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_tokens_and_inlay_hints() {
    for (enc, kun, kun_len, cnrs, oct) in [
        (None, 3u32, 6u32, 19u32, 27u32),
        (Some(&["utf-8"][..]), 5, 18, 33, 41),
    ] {
        let mut c = start_with(enc, URI, ARTICLE).await;
        let r = c
            .call(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": URI}}),
            )
            .await;
        // [deltaLine, deltaStart, length, type, modifiers]; types institution 0, acronym 1,
        // date 2; modifiers annotated 1, notAnnotated 2, ambiguous 4.
        let gap_cnrs = cnrs - kun;
        let gap_oct = oct - cnrs;
        same(
            &r,
            &json!({"data": [
                9, kun, kun_len, 0, 1,
                0, gap_cnrs, 4, 1, 1,
                0, gap_oct, 12, 2, 2,
                1, 0, 4, 1, 1,
                0, 9, 4, 1, 1,
                0, 5, 9, 2, 2,
                0, 11, 3, 1, 6
            ]}),
        );
        // A range request keeps only the second line.
        let r = c
            .call(
                "textDocument/semanticTokens/range",
                json!({"textDocument": {"uri": URI}, "range": range(10, 0, 11, 0)}),
            )
            .await;
        same(
            &r["data"],
            &json!([10, 0, 4, 1, 1, 0, 9, 4, 1, 1, 0, 5, 9, 2, 2, 0, 11, 3, 1, 6]),
        );

        let r = c
            .call(
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": URI}, "range": range(0, 0, 12, 0)}),
            )
            .await;
        same(
            &r,
            &json!([
                {"position": pos(9, oct + 12), "label": "= 2019-10-15", "tooltip": "Resolved against the publication date 2019-10-16 (front-matter `published`).", "paddingLeft": true},
                {"position": pos(10, 23), "label": "= 2019-10-15", "tooltip": "Resolved against the publication date 2019-10-16 (front-matter `published`).", "paddingLeft": true}
            ]),
        );
        assert_eq!(c.shutdown_exit().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_symbols_group_mentions_by_institution() {
    let mut c = start_with(None, URI, ARTICLE).await;
    let r = c
        .call(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let names: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "front-matter",
            "Kunming University of Science and Technology",
            "French National Centre for Scientific Research",
            "CAS"
        ]
    );
    same(
        &r[0]["children"][2],
        &json!({
            "name": "institutions",
            "detail": "2 entries",
            "kind": 18,
            "range": range(3, 0, 7, 21),
            "selectionRange": range(3, 0, 3, 12),
            "children": [
                {"name": "Kunming University of Science and Technology", "detail": "kust", "kind": 23, "range": range(4, 4, 6, 15), "selectionRange": range(4, 4, 6, 15)},
                {"name": "ror:02feahw73", "detail": "ror:02feahw73", "kind": 23, "range": range(7, 4, 7, 21), "selectionRange": range(7, 4, 7, 21)}
            ]
        }),
    );
    same(
        &r[1],
        &json!({
            "name": "Kunming University of Science and Technology",
            "detail": "2 mentions",
            "kind": 5,
            "range": range(9, 3, 10, 4),
            "selectionRange": range(9, 3, 9, 9),
            "children": [
                {"name": "昆明理工大学", "kind": 8, "range": range(9, 3, 9, 9), "selectionRange": range(9, 3, 9, 9)},
                {"name": "KUST", "kind": 8, "range": range(10, 0, 10, 4), "selectionRange": range(10, 0, 10, 4)}
            ]
        }),
    );
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_references_workspace_symbols_and_links() {
    let mut c = start_with(Some(&["utf-8"]), URI, ARTICLE).await;
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": OTHER, "languageId": "markdown", "version": 1, "text": "---\ntitle: Other\n---\nCNRS and KUST again.\n"}}),
    )
    .await;
    c.diagnostics(OTHER, 1).await;
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": URI}, "position": pos(line, character)});

    // Mention → front-matter entry (its id).
    let r = c.call("textDocument/definition", at(10, 1)).await;
    same(&r, &json!({"uri": URI, "range": range(4, 8, 4, 12)}));
    // Entry → the mentions it annotates.
    let r = c.call("textDocument/definition", at(5, 8)).await;
    same(
        &r,
        &json!([{"uri": URI, "range": range(9, 5, 9, 23)}, {"uri": URI, "range": range(10, 0, 10, 4)}]),
    );
    same(
        &c.call("textDocument/definition", at(10, 10)).await,
        &json!({"uri": URI, "range": range(7, 8, 7, 21)}),
    );
    // An ambiguous mention has no definition.
    same(
        &c.call("textDocument/definition", at(10, 26)).await,
        &Value::Null,
    );

    // References across the workspace, with and without the declaration.
    let r = c
        .call("textDocument/references", json!({"textDocument": {"uri": URI}, "position": pos(9, 34), "context": {"includeDeclaration": false}}))
        .await;
    same(
        &r,
        &json!([
            {"uri": URI, "range": range(9, 33, 9, 37)},
            {"uri": URI, "range": range(10, 9, 10, 13)},
            {"uri": OTHER, "range": range(3, 0, 3, 4)}
        ]),
    );
    let r = c
        .call("textDocument/references", json!({"textDocument": {"uri": URI}, "position": pos(10, 2), "context": {"includeDeclaration": true}}))
        .await;
    same(
        &r,
        &json!([
            {"uri": URI, "range": range(4, 4, 6, 15)},
            {"uri": URI, "range": range(9, 5, 9, 23)},
            {"uri": URI, "range": range(10, 0, 10, 4)},
            {"uri": OTHER, "range": range(3, 9, 3, 13)}
        ]),
    );

    // Workspace symbols: the institutions of each article, by a fuzzy query on any name.
    let r = c.call("workspace/symbol", json!({"query": "昆明"})).await;
    same(
        &r,
        &json!([
            {"name": "Kunming University of Science and Technology", "kind": 5, "location": {"uri": URI, "range": range(9, 5, 9, 23)}, "containerName": "kust.md"},
            {"name": "Kunming University of Science and Technology", "kind": 5, "location": {"uri": OTHER, "range": range(3, 9, 3, 13)}, "containerName": "other.md"}
        ]),
    );

    // Document links: ROR ids.
    let r = c
        .call(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    same(
        &r,
        &json!([{"range": range(7, 8, 7, 21), "target": "https://ror.org/02feahw73", "tooltip": "Open https://ror.org/02feahw73"}]),
    );
    assert_eq!(c.shutdown_exit().await, 0);
}
