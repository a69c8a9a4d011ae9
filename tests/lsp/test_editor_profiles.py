"""The language server seen through pytest-lsp with real editors' client capabilities.

pytest-lsp starts `marginalia lsp --stdio` (found through $MARGINALIA_BIN, else
target/debug/marginalia) and initializes it with the capabilities Neovim 0.11 and VS Code
1.65 send. Its checks warn when a response uses something the client did not announce.

Run:  .venv/bin/pytest tests/lsp   (after `cargo build -p marginalia`)
"""

import os
import pathlib
import shutil
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MARGINALIA_BIN") or str(ROOT / "target" / "debug" / "marginalia")

if not pathlib.Path(BIN).exists():
    pytest.skip(f"no server binary at {BIN}; run `cargo build -p marginalia`", allow_module_level=True)

# A corpus: one article (CJK and emoji before the mentions so that UTF-16 and UTF-8
# columns differ) and a file that is not an article.
ARTICLE = """---
title: "🎉 KUST hosts CNRS"
published: 2019-10-16
language: en
publsihed: 2019-10-16
countries: [UK]
institutions:
  - id: ror:02feahw73
    name: French National Centre for Scientific Research
    country: FR
---
😀 A delegation from CNRS visited Kunming University of Science and Technology (KUST) on October 15th.
"""

PROFILES = ["neovim@v0.11.0", "visual_studio_code@v1.65.2"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    (root / "articles").mkdir()
    (root / "articles" / "visit.md").write_text(ARTICLE, encoding="utf-8")
    (root / "articles" / "other.md").write_text(
        "---\ntitle: Another visit\n---\nCNRS again.\n", encoding="utf-8"
    )
    (root / "README.md").write_text("# Not an article\n\nCNRS is mentioned here.\n", encoding="utf-8")
    (root / "marginalia.toml").write_text("", encoding="utf-8")
    return root


@pytest_lsp.fixture(
    params=PROFILES,
    config=ClientServerConfig(server_command=[BIN, "lsp", "--stdio"]),
)
async def client(request, lsp_client: LanguageClient, corpus):
    registrations = []

    # The server registers file watchers with clients that allow it (VS Code does).
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        registrations.extend(params.registrations)

    lsp_client.registrations = registrations
    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=corpus.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=corpus.as_uri(), name="corpus")],
    )
    result = await lsp_client.initialize_session(params)
    lsp_client.init_result = result
    yield
    await lsp_client.shutdown_session()


def encoding_of(client: LanguageClient) -> str:
    return client.init_result.capabilities.position_encoding or "utf-16"


def col(line: str, text_before: str, encoding: str) -> int:
    """The column of `text_before`'s end on `line`, in the negotiated unit."""
    prefix = line[: line.index(text_before) + len(text_before)]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    if encoding == "utf-32":
        return len(prefix)
    return len(prefix.encode("utf-16-le")) // 2


async def open_article(client: LanguageClient, corpus, name="visit.md"):
    path = corpus / "articles" / name
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="markdown", version=1, text=path.read_text(encoding="utf-8")
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def test_encoding_is_negotiated(client: LanguageClient):
    offered = client.capabilities.general and client.capabilities.general.position_encodings
    enc = encoding_of(client)
    if offered and "utf-8" in offered:
        assert enc == "utf-8"
    else:
        assert enc == "utf-16"


async def test_diagnostics_link_the_catalogue_and_carry_fixes(client: LanguageClient, corpus):
    uri = await open_article(client, corpus)
    diags = client.diagnostics[uri]
    codes = sorted(str(d.code) for d in diags)
    assert "MA0104" in codes and "MA0107" in codes, codes
    unknown = next(d for d in diags if d.code == "MA0104")
    assert unknown.source == "marginalia"
    assert unknown.code_description.href.endswith("/docs/findings.md#ma0104")
    assert unknown.range.start == types.Position(line=4, character=0)
    assert unknown.range.end == types.Position(line=4, character=len("publsihed"))

    # Pull diagnostics agree with the pushed ones.
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert sorted(str(d.code) for d in report.items) == codes

    # The quick fix renames the key with a versioned edit (or plain changes).
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=unknown.range,
            context=types.CodeActionContext(diagnostics=[unknown]),
        )
    )
    titles = [a.title for a in actions]
    assert "Rename to `published`" in titles, titles
    assert "Annotate article" in titles, titles
    fix = next(a for a in actions if a.title == "Rename to `published`")
    if fix.edit.document_changes:
        edit = fix.edit.document_changes[0]
        assert edit.text_document.version == 1
        assert edit.edits[0].new_text == "published"
    else:
        assert fix.edit.changes[uri][0].new_text == "published"


async def test_positions_after_emoji_use_the_negotiated_unit(client: LanguageClient, corpus):
    uri = await open_article(client, corpus)
    enc = encoding_of(client)
    body_line = ARTICLE.splitlines()[11]
    # Hover on the character just after "😀 A delegation from C" (inside "CNRS").
    character = col(body_line, "😀 A delegation from C", enc)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=11, character=character),
        )
    )
    # The recognisers decide what a mention is; when CNRS is recognised, the hover names it
    # and its range starts at the C of CNRS in the client's unit.
    if hover is not None:
        assert "French National Centre for Scientific Research" in hover.contents.value
        assert hover.range.start.character == col(body_line, "😀 A delegation from ", enc)


async def test_front_matter_hover_and_completion(client: LanguageClient, corpus):
    uri = await open_article(client, corpus)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=3, character=2),
        )
    )
    assert "BCP 47" in hover.contents.value
    completion = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=3, character=len("language: ")),
        )
    )
    labels = [i.label for i in completion.items]
    assert "zh-Hant" in labels and "en" in labels


async def test_symbols_links_and_tokens(client: LanguageClient, corpus):
    uri = await open_article(client, corpus)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    names = [s.name for s in symbols]
    assert "front-matter" in names
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [l.target for l in links] == ["https://ror.org/02feahw73"]
    supports_tooltip = bool(
        client.capabilities.text_document
        and client.capabilities.text_document.document_link
        and client.capabilities.text_document.document_link.tooltip_support
    )
    assert (links[0].tooltip is not None) == supports_tooltip
    tokens = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert len(tokens.data) % 5 == 0


async def test_workspace_is_indexed_and_non_articles_get_nothing(client: LanguageClient, corpus):
    report = await client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    uris = {item.uri for item in report.items}
    # Indexing runs in the background; the README is never an article.
    assert (corpus / "README.md").as_uri() not in uris
    readme = (corpus / "README.md").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=readme, language_id="markdown", version=1,
                text=(corpus / "README.md").read_text(encoding="utf-8"),
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[readme]) == []
