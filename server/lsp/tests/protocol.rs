//! The language server over a real JSON-RPC pipe: every capability on an article with CJK
//! and emoji, in UTF-16 (the default) and UTF-8, compared with exact responses.

mod common;
use common::*;
use serde_json::{json, Value};

const URI: &str = "file:///nonexistent/articles/kust.md";

/// Lines: 0 `---` … 9 `---`, 10 and 11 the body.
const ARTICLE: &str = "---
title: \"🎉 KUST hosts CNRS\"
published: 2019-10-16
publsihed: x
countries: [CN, 🇨🇳, UK]
institutions:
  - id: kust
    name: Kunming University of Science and Technology
    country: CN
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

fn td() -> Value {
    json!({"uri": URI})
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

async fn start(encodings: Option<&[&str]>) -> TestClient {
    let (mut c, _) = TestClient::start(test_options(), init_params(encodings)).await;
    c.open(URI, ARTICLE).await;
    c.diagnostics(URI, 1).await;
    c
}

/// Columns of the body line 10 (`😀 昆明理工大学 welcomed CNRS on October 15th.`) and of the
/// countries line, per encoding: (昆, end of 昆明理工大学, CNRS, end of CNRS, October, end of
/// the date, 🇨🇳, after 🇨🇳, UK, after UK).
struct Cols {
    kun: u32,
    kun_end: u32,
    cnrs: u32,
    cnrs_end: u32,
    oct: u32,
    oct_end: u32,
    flag: u32,
    flag_end: u32,
    uk: u32,
    uk_end: u32,
}

const UTF16: Cols = Cols {
    kun: 3,
    kun_end: 9,
    cnrs: 19,
    cnrs_end: 23,
    oct: 27,
    oct_end: 39,
    flag: 16,
    flag_end: 20,
    uk: 22,
    uk_end: 24,
};
const UTF8: Cols = Cols {
    kun: 5,
    kun_end: 23,
    cnrs: 33,
    cnrs_end: 37,
    oct: 41,
    oct_end: 53,
    flag: 16,
    flag_end: 24,
    uk: 26,
    uk_end: 28,
};

fn expected_diagnostics(c: &Cols, version: i64) -> Value {
    json!([
        {
            "range": range(3, 0, 3, 9),
            "severity": 2,
            "code": "MA0104",
            "codeDescription": {"href": "https://github.com/marginalia-annotations/marginalia/blob/main/docs/findings.md#ma0104"},
            "source": "marginalia",
            "message": "unknown top-level key `publsihed`; did you mean `published`?",
            "data": {"version": version, "fixes": [{"title": "Rename to `published`", "safe": true, "edits": [{"range": range(3, 0, 3, 9), "newText": "published"}]}]}
        },
        {
            "range": range(4, c.flag, 4, c.flag_end),
            "severity": 1,
            "code": "MA0107",
            "codeDescription": {"href": "https://github.com/marginalia-annotations/marginalia/blob/main/docs/findings.md#ma0107"},
            "source": "marginalia",
            "message": "`🇨🇳` is not an ISO 3166-1 alpha-2 country code"
        },
        {
            "range": range(4, c.uk, 4, c.uk_end),
            "severity": 1,
            "code": "MA0107",
            "codeDescription": {"href": "https://github.com/marginalia-annotations/marginalia/blob/main/docs/findings.md#ma0107"},
            "source": "marginalia",
            "message": "`UK` is not an ISO 3166-1 alpha-2 country code",
            "data": {"version": version, "fixes": [{"title": "Change to `GB`", "safe": true, "edits": [{"range": range(4, c.uk, 4, c.uk_end), "newText": "GB"}]}]}
        }
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encoding_is_negotiated_and_capabilities_announced() {
    let (c, init) = TestClient::start(test_options(), init_params(None)).await;
    same(&init["capabilities"]["positionEncoding"], &json!("utf-16"));
    same(&init["serverInfo"]["name"], &json!("marginalia"));
    same(
        &init["capabilities"]["textDocumentSync"],
        &json!({"openClose": true, "change": 2}),
    );
    same(
        &init["capabilities"]["semanticTokensProvider"]["legend"],
        &json!({"tokenTypes": ["institution", "acronym", "date"], "tokenModifiers": ["annotated", "notAnnotated", "ambiguous"]}),
    );
    same(
        &init["capabilities"]["codeActionProvider"]["codeActionKinds"],
        &json!([
            "quickfix",
            "source.fixAll.marginalia",
            "source.marginalia.annotate"
        ]),
    );
    // This client takes pushed diagnostics: pulling is not offered (see `diagnostic_models.rs`).
    same(&init["capabilities"]["diagnosticProvider"], &Value::Null);
    for cap in [
        "hoverProvider",
        "inlayHintProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "definitionProvider",
        "referencesProvider",
    ] {
        same(&init["capabilities"][cap], &json!(true));
    }
    assert_eq!(c.shutdown_exit().await, 0);

    for (offered, chosen) in [
        (json!(["utf-16", "utf-8"]), "utf-8"),
        (json!(["utf-32", "utf-16"]), "utf-16"),
        (json!(["utf-32"]), "utf-32"),
    ] {
        let list: Vec<&str> = offered
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let (c, init) = TestClient::start(test_options(), init_params(Some(&list))).await;
        same(&init["capabilities"]["positionEncoding"], &json!(chosen));
        assert_eq!(c.shutdown_exit().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_are_pushed_and_pulled_in_utf16_and_utf8() {
    for (enc, cols) in [(None, &UTF16), (Some(&["utf-8", "utf-16"][..]), &UTF8)] {
        let (mut c, _) = TestClient::start(test_options(), init_params(enc)).await;
        c.open(URI, ARTICLE).await;
        let pushed = c.diagnostics(URI, 1).await;
        same(
            &pushed,
            &json!({"uri": URI, "version": 1, "diagnostics": expected_diagnostics(cols, 1)}),
        );

        // Pulled: the whole response, exactly (the server writes these reports itself, not
        // through tower-lsp-server's `Value` conversion: see `transport::Outbox::prepare`).
        let response = c
            .request("textDocument/diagnostic", json!({"textDocument": td()}))
            .await;
        let id = response["result"]["resultId"].clone();
        assert!(
            id.as_str()
                .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())),
            "resultId: {id}"
        );
        same(
            &response,
            &json!({"jsonrpc": "2.0", "id": response["id"], "result": {"kind": "full", "resultId": id, "items": expected_diagnostics(cols, 1)}}),
        );
        assert!(response["id"].is_i64());
        // Asking again with the result id: unchanged.
        let again = c
            .call(
                "textDocument/diagnostic",
                json!({"textDocument": td(), "previousResultId": id}),
            )
            .await;
        same(&again, &json!({"kind": "unchanged", "resultId": id}));
        // Another result id (or none) gets the full report again, with the same id.
        let other = c
            .call(
                "textDocument/diagnostic",
                json!({"textDocument": td(), "previousResultId": "0"}),
            )
            .await;
        same(
            &other,
            &json!({"kind": "full", "resultId": id, "items": expected_diagnostics(cols, 1)}),
        );

        let ws = c
            .call("workspace/diagnostic", json!({"previousResultIds": []}))
            .await;
        same(
            &ws,
            &json!({"items": [{"kind": "full", "uri": URI, "version": 1, "resultId": id, "items": expected_diagnostics(cols, 1)}]}),
        );
        let ws = c
            .call(
                "workspace/diagnostic",
                json!({"previousResultIds": [{"uri": URI, "value": id}]}),
            )
            .await;
        same(
            &ws,
            &json!({"items": [{"kind": "unchanged", "uri": URI, "version": 1, "resultId": id}]}),
        );

        // Errors are unchanged: an unknown document, and parameters of the wrong shape.
        let unknown = "file:///nonexistent/articles/unknown.md";
        let error = c
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": unknown}}),
            )
            .await;
        same(
            &error["error"],
            &json!({"code": -32602, "message": format!("unknown document {unknown}: it is not open and not an indexed article")}),
        );
        let error = c
            .request("textDocument/diagnostic", json!({"textDocument": 3}))
            .await;
        same(&error["error"]["code"], &json!(-32602));
        assert!(error.get("result").is_none(), "{error}");
        assert_eq!(c.shutdown_exit().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_explains_mentions_dates_keys_and_ids() {
    for (enc, cols) in [(None, &UTF16), (Some(&["utf-8"][..]), &UTF8)] {
        let mut c = start(enc).await;
        let hover = |line: u32, character: u32| json!({"textDocument": td(), "position": pos(line, character)});

        // An acronym: the record, how it was recognised, how often it is mentioned.
        let h = c.call("textDocument/hover", hover(10, cols.cnrs + 1)).await;
        same(
            &h,
            &json!({
                "contents": {"kind": "markdown", "value": "**French National Centre for Scientific Research** (CNRS)\n\n- Type: research organisation\n- Country: FR\n- Name (fr): Centre national de la recherche scientifique\n- Name (zh-Hans): 法国国家科学研究中心\n- ROR: [02feahw73](https://ror.org/02feahw73)\n- Wikidata: [Q280413](https://www.wikidata.org/wiki/Q280413)\n- Annotate as: `ror:02feahw73`\n\nRecognised by its acronym. Mentioned twice in this article, twice in 1 article across the workspace. Not annotated in the front-matter."},
                "range": range(10, cols.cnrs, 10, cols.cnrs_end)
            }),
        );

        // A Chinese name, annotated.
        let h = c.call("textDocument/hover", hover(10, cols.kun)).await;
        same(&h["range"], &range(10, cols.kun, 10, cols.kun_end));
        let md = h["contents"]["value"].as_str().unwrap();
        assert!(md.starts_with("**Kunming University of Science and Technology** (KUST)\n\n- Type: university\n- Country: CN\n- Name (zh-Hans): 昆明理工大学\n- Name (zh-Hant): 昆明理工大學\n- Annotate as: `kust`"), "{md}");
        assert!(md.ends_with("Recognised by its name. Mentioned twice in this article, twice in 1 article across the workspace. Annotated in the front-matter."), "{md}");

        // An ambiguous acronym lists the candidates.
        let h = c.call("textDocument/hover", hover(11, 26)).await;
        same(
            &h,
            &json!({
                "contents": {"kind": "markdown", "value": "**Ambiguous institution** `CAS`: the article does not say which of these it is.\n\n- Chinese Academy of Sciences (CN) `ror:034t30j35`\n- Czech Academy of Sciences (CZ) `cas-cz`"},
                "range": range(11, 25, 11, 28)
            }),
        );

        // A year-less date: its value, granularity and anchor.
        let h = c.call("textDocument/hover", hover(10, cols.oct + 3)).await;
        same(
            &h,
            &json!({
                "contents": {"kind": "markdown", "value": "**Date** `2019-10-15` (day)\n\nOctober 15 of the anchor's year\n\nResolved against the publication date 2019-10-16 (front-matter `published`)."},
                "range": range(10, cols.oct, 10, cols.oct_end)
            }),
        );

        // A front-matter key: its schema documentation.
        let h = c.call("textDocument/hover", hover(2, 3)).await;
        same(
            &h,
            &json!({
                "contents": {"kind": "markdown", "value": "**`published`**\n\nPublication date, ISO 8601 (`2019-10-16`). Anchors relative and year-less dates in the text."},
                "range": range(2, 0, 2, 9)
            }),
        );
        let h = c.call("textDocument/hover", hover(7, 5)).await;
        same(
            &h["contents"]["value"],
            &json!("**`name`**\n\nThe institution's canonical name."),
        );

        // An id value: the record.
        let h = c.call("textDocument/hover", hover(6, 9)).await;
        same(&h["range"], &range(6, 8, 6, 12));
        assert!(h["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**Kunming University of Science and Technology** (KUST)"));

        // Nothing under plain words.
        same(
            &c.call("textDocument/hover", hover(11, 5)).await,
            &Value::Null,
        );
        assert_eq!(c.shutdown_exit().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_fix_fix_all_and_annotate() {
    let mut c = start(None).await;
    let diags = expected_diagnostics(&UTF16, 1);
    // The quick fix of the UK diagnostic, from its data: a versioned edit.
    let r = c
        .call(
            "textDocument/codeAction",
            json!({"textDocument": td(), "range": range(4, 22, 4, 22), "context": {"diagnostics": [diags[2].clone()], "only": ["quickfix"]}}),
        )
        .await;
    same(
        &r,
        &json!([{
            "title": "Change to `GB`",
            "kind": "quickfix",
            "diagnostics": [diags[2].clone()],
            "edit": {"documentChanges": [{"textDocument": {"uri": URI, "version": 1}, "edits": [{"range": range(4, 22, 4, 24), "newText": "GB"}]}]},
            "isPreferred": true
        }]),
    );

    // A client that dropped `data`: the fix is found in the stored analysis.
    let mut bare = diags[0].clone();
    bare.as_object_mut().unwrap().remove("data");
    let r = c
        .call("textDocument/codeAction", json!({"textDocument": td(), "range": range(3, 0, 3, 0), "context": {"diagnostics": [bare], "only": ["quickfix"]}}))
        .await;
    same(&r[0]["title"], &json!("Rename to `published`"));
    same(
        &r[0]["edit"]["documentChanges"][0]["edits"],
        &json!([{"range": range(3, 0, 3, 9), "newText": "published"}]),
    );

    // source.fixAll: every safe fix at once.
    let r = c
        .call("textDocument/codeAction", json!({"textDocument": td(), "range": range(0, 0, 0, 0), "context": {"diagnostics": [], "only": ["source.fixAll"]}}))
        .await;
    same(
        &r,
        &json!([{
            "title": "Fix all safe marginalia findings (2)",
            "kind": "source.fixAll.marginalia",
            "edit": {"documentChanges": [{"textDocument": {"uri": URI, "version": 1}, "edits": [
                {"range": range(3, 0, 3, 9), "newText": "published"},
                {"range": range(4, 22, 4, 24), "newText": "GB"}
            ]}]}
        }]),
    );

    // Annotate article: adds what the text mentions and the front-matter lacks.
    let r = c
        .call("textDocument/codeAction", json!({"textDocument": td(), "range": range(11, 0, 11, 0), "context": {"diagnostics": [], "only": ["source"]}}))
        .await;
    let titles: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Fix all safe marginalia findings (2)", "Annotate article"]
    );
    let annotate = &r[1];
    same(&annotate["kind"], &json!("source.marginalia.annotate"));
    let edits = annotate["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap();
    let inserted: String = edits
        .iter()
        .map(|e| e["newText"].as_str().unwrap())
        .collect();
    assert!(inserted.contains("ror:02feahw73"), "{inserted}");
    assert!(inserted.contains("2019-10-15"), "{inserted}");
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotate_is_offered_without_findings_and_plain_changes_without_document_changes() {
    let mut init = init_params(None);
    init["capabilities"]["workspace"]["workspaceEdit"]["documentChanges"] = json!(false);
    let (mut c, _) = TestClient::start(test_options(), init).await;
    let text = "---\ntitle: Quiet\n---\nNothing to see.\n";
    c.open(URI, text).await;
    same(&c.diagnostics(URI, 1).await["diagnostics"], &json!([]));
    let r = c
        .call("textDocument/codeAction", json!({"textDocument": td(), "range": range(0, 0, 0, 0), "context": {"diagnostics": []}}))
        .await;
    same(
        &r,
        &json!([{
            "title": "Annotate article",
            "kind": "source.marginalia.annotate",
            "edit": {"changes": {URI: []}},
            "disabled": {"reason": "the front-matter already holds everything recognised in the text"}
        }]),
    );
    assert_eq!(c.shutdown_exit().await, 0);
}
