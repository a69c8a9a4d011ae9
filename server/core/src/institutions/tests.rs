//! Examples: an article in, mentions or findings out.

use super::*;
use crate::article::schema::{read, SchemaOptions};
use crate::findings::apply_edits;
use crate::gazetteer::{data, Origin};

fn embedded() -> &'static Gazetteer {
    Gazetteer::embedded()
}

/// A gazetteer of the embedded records plus extra TOML records.
fn with(extra: &str) -> Gazetteer {
    let mut g = Gazetteer::new(Gazetteer::embedded_records().iter().cloned());
    let (records, errors) = data::parse(extra, &Origin::Workspace("test.toml".into()));
    assert!(errors.is_empty(), "{errors:?}");
    for r in records {
        g.insert(r);
    }
    g
}

fn mentions(text: &str, g: &Gazetteer) -> Vec<(String, Link, MatchKind)> {
    let a = crate::article::parse(text);
    let (ann, _) = read(text, &a, &SchemaOptions::default());
    recognise(text, &a, &ann, g)
        .into_iter()
        .map(|m| (m.span.slice(text).to_string(), m.link, m.kind))
        .collect()
}

fn known(k: &str) -> Link {
    Link::Known(k.to_string())
}

fn findings(text: &str, g: &Gazetteer) -> Vec<Finding> {
    let a = crate::article::parse(text);
    let (ann, _) = read(text, &a, &SchemaOptions::default());
    let m = recognise(text, &a, &ann, g);
    check(text, &a, &ann, &m, g)
}

#[test]
fn english_names_match_whatever_the_case_spacing_and_line_breaks() {
    let text = "Delegates of KUNMING UNIVERSITY OF SCIENCE AND TECHNOLOGY met the\nUniversity of Science\u{a0}and Technology\r\nBeijing and kunming university of science and technology.";
    let m = mentions(text, embedded());
    assert_eq!(
        m[0],
        (
            "KUNMING UNIVERSITY OF SCIENCE AND TECHNOLOGY".into(),
            known("kust"),
            MatchKind::Name
        )
    );
    assert_eq!(
        m[1],
        (
            "University of Science\u{a0}and Technology\r\nBeijing".into(),
            known("ustb"),
            MatchKind::Name
        )
    );
    assert_eq!(m[2].1, known("kust"));
    assert_eq!(m.len(), 3, "{m:?}");
}

#[test]
fn acronyms_are_case_sensitive_whole_words_and_take_possessives() {
    let text = "KUST’s researchers and KUST's partners; not Kust, kust or KUSTOM.";
    let m = mentions(text, embedded());
    let spans: Vec<&str> = m.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(spans, ["KUST", "KUST"], "{m:?}");
    assert!(m
        .iter()
        .all(|x| x.1 == known("kust") && x.2 == MatchKind::Acronym));
}

#[test]
fn the_longest_name_wins() {
    let text = "Ma Junru, honorary president of the China Center of the Russian Academy of Engineering, spoke.";
    let m = mentions(text, embedded());
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, "China Center of the Russian Academy of Engineering");
    assert_ne!(m[0].1, known("rae-ru"));
}

#[test]
fn ordinary_words_do_not_become_institutions() {
    let text = "The most important meeting was held on Monday. Its CAS number is 50-00-0, and MOST people agreed.";
    assert_eq!(mentions(text, embedded()), []);
}

#[test]
fn chinese_folds_traditional_skips_pinyin_and_keeps_exact_spans() {
    let text =
        "近日,中國科學(xué)院(CAS)與法國國家科學(xué)研究中心在北京舉行會議,中国科学院院长出席。";
    let m = mentions(text, embedded());
    assert_eq!(
        m[0],
        ("中國科學(xué)院".into(), known("cas"), MatchKind::Name)
    );
    assert_eq!(m[1], ("CAS".into(), known("cas"), MatchKind::Acronym));
    assert_eq!(
        m[2],
        (
            "法國國家科學(xué)研究中心".into(),
            known("cnrs"),
            MatchKind::Name
        )
    );
    assert_eq!(m[3], ("中国科学院".into(), known("cas"), MatchKind::Name));
    // Spans slice the original text exactly, pinyin included.
    let a = crate::article::parse(text);
    for mention in recognise(text, &a, &Annotations::default(), embedded()) {
        assert!(
            text.is_char_boundary(mention.span.start) && text.is_char_boundary(mention.span.end)
        );
    }
}

#[test]
fn a_defined_acronym_binds_for_the_document() {
    let g = with(
        "[[institution]]\nkey = \"cast-space\"\ntype = \"research-organisation\"\ncountry = \"CN\"\nname = \"China Academy of Space Technology\"\nacronyms = [\"CAST\"]\n",
    );
    // Without a definition CAST fits two records and a country alone does not decide.
    let m = mentions("Researchers from China visited CAST last week.", &g);
    assert!(
        matches!(&m[..], [(_, Link::Ambiguous(keys), _)] if keys.len() == 2),
        "{m:?}"
    );
    // The definition decides, for every later CAST.
    let text =
        "Prof. Feng visited the China Association for Science and Technology (CAST). Later CAST hosted a seminar.";
    let m = mentions(text, &g);
    assert_eq!(m[0].1, known("cast"));
    assert_eq!(
        m[2],
        ("CAST".into(), known("cast"), MatchKind::DefinedAcronym)
    );
}

#[test]
fn an_acronym_defined_by_initials_binds_even_when_the_gazetteer_lacks_it() {
    let text = "The Kunming University of Science and Technology (KUT) hosted it. KUT then signed.";
    let m = mentions(text, embedded());
    assert_eq!(
        m.last().unwrap(),
        &("KUT".to_string(), known("kust"), MatchKind::DefinedAcronym),
        "{m:?}"
    );
}

#[test]
fn sub_units_belong_to_their_parent() {
    let text = "At the meeting, the Division of International Cooperation of KUST spoke. Prof. Feng, Director of Office of International Affairs, USTB, and the School of Materials Science of USTB attended.";
    let m = mentions(text, embedded());
    assert_eq!(
        m[0],
        (
            "Division of International Cooperation of KUST".into(),
            known("kust-international-cooperation"),
            MatchKind::Name
        )
    );
    assert_eq!(
        m[1],
        (
            "Office of International Affairs, USTB".into(),
            known("ustb-international-affairs"),
            MatchKind::Name
        )
    );
    assert_eq!(
        m[2],
        (
            "School of Materials Science of USTB".into(),
            known("ustb"),
            MatchKind::Name
        )
    );
    // A unit's short form alone counts only next to its parent.
    assert_eq!(
        mentions("The Division of International Cooperation met.", embedded()),
        []
    );
}

#[test]
fn unknown_candidates_in_english_and_chinese() {
    let text =
        "KUST and the Vientiane Polytechnic College of Laos signed, and 今年琅勃拉邦师范学院与昆明理工大学合作。";
    let m = mentions(text, embedded());
    assert!(
        m.contains(&(
            "Vientiane Polytechnic College".into(),
            Link::Unknown,
            MatchKind::Candidate
        )),
        "{m:?}"
    );
    assert!(
        m.contains(&(
            "琅勃拉邦师范学院".into(),
            Link::Unknown,
            MatchKind::Candidate
        )),
        "{m:?}"
    );
    assert!(
        m.contains(&("昆明理工大学".into(), known("kust"), MatchKind::Name)),
        "{m:?}"
    );
    // Venues and lone head words are not candidates.
    assert_eq!(
        mentions(
            "We met at the Academic Exchange Center of Lianhua Campus. The Academy awards it.",
            embedded()
        ),
        []
    );
}

#[test]
fn a_kind_of_body_is_not_an_institution_name() {
    // "establish a joint laboratory", "a state key laboratory": no proper name before the suffix.
    let text = "雙方同意建立聯合實驗室，並申報国家重点实验室。琅勃拉邦联合研究中心也参加了。";
    let m = mentions(text, embedded());
    assert!(
        m.iter()
            .all(|(t, _, _)| t != "聯合實驗室" && t != "国家重点实验室"),
        "{m:?}"
    );
    assert!(
        m.contains(&(
            "琅勃拉邦联合研究中心".into(),
            Link::Unknown,
            MatchKind::Candidate
        )),
        "{m:?}"
    );
}

#[test]
fn offsets_hold_with_crlf_bom_and_emoji() {
    let text = "\u{feff}---\r\ntitle: 🎉 visit\r\n---\r\n🎉🎉 The CNRS 👋 and\r\nKunming University of Science and Technology signed.\r\n";
    let a = crate::article::parse(text);
    let m = recognise(text, &a, &Annotations::default(), embedded());
    let spans: Vec<&str> = m.iter().map(|x| x.span.slice(text)).collect();
    assert_eq!(
        spans,
        ["CNRS", "Kunming University of Science and Technology"]
    );
}

#[test]
fn a_mentioned_institution_missing_from_the_annotations_gets_add_fixes() {
    let text = "---\ntitle: Visit\ninstitutions:\n  - id: ror:02egmk993\n    name: University of Science and Technology Beijing\n    country: CN\ncountries: [CN]\n---\nUSTB visited the French National Centre for Scientific Research and KUST.\n";
    let f = findings(text, embedded());
    let missing: Vec<&Finding> = f.iter().filter(|f| f.code == "MA0201").collect();
    assert_eq!(missing.len(), 2, "{f:#?}");
    assert_eq!(
        missing[0].fixes[0].title,
        "Add French National Centre for Scientific Research to annotations"
    );
    let out = apply_edits(text, &missing[0].fixes[0].edits).unwrap();
    assert!(out.contains("  - id: ror:02feahw73\n    name: French National Centre for Scientific Research\n    country: FR\ncountries: [CN, FR]\n"), "{out}");
    assert_eq!(missing[0].fixes[1].title, "Add all 2 missing institutions");
    let out = apply_edits(text, &missing[0].fixes[1].edits).unwrap();
    assert!(
        out.contains("name: Kunming University of Science and Technology"),
        "{out}"
    );
    assert!(
        out.ends_with(
            "---\nUSTB visited the French National Centre for Scientific Research and KUST.\n"
        ),
        "the body is untouched"
    );
}

#[test]
fn an_annotated_institution_never_mentioned_can_be_removed() {
    let text = "---\ninstitutions:\n  - id: kust\n    name: Kunming University of Science and Technology\n  - id: cnrs\n    name: French National Centre for Scientific Research\n---\nThe Division of International Cooperation of KUST met.\n";
    let f = findings(text, embedded());
    let unused: Vec<&Finding> = f.iter().filter(|f| f.code == "MA0202").collect();
    assert_eq!(unused.len(), 1, "{f:#?}");
    let out = apply_edits(text, &unused[0].fixes[0].edits).unwrap();
    assert!(!out.contains("cnrs") && out.contains("id: kust"), "{out}");
    assert!(
        f.iter().all(|f| f.code != "MA0201"),
        "a unit is covered by its annotated parent: {f:#?}"
    );
}

#[test]
fn unknown_ids_and_disagreeing_names_are_errors_with_did_you_mean() {
    let text = "---\ninstitutions:\n  - id: kusst\n    name: Kunming University of Science and Technology\n  - id: ror:02egmk993\n    name: Peking University\n    country: FR\n  - id: ror:0zzzzz192\n    name: Somewhere Else\n---\nKUST, USTB and Peking University.\n";
    let f = findings(text, embedded());
    let unknown: Vec<&Finding> = f.iter().filter(|f| f.code == "MA0203").collect();
    assert_eq!(
        unknown.len(),
        1,
        "a valid ROR id is not an error without a dump: {f:#?}"
    );
    assert_eq!(unknown[0].fixes[0].title, "Change to `kust`");
    let mismatch: Vec<&Finding> = f.iter().filter(|f| f.code == "MA0204").collect();
    assert_eq!(mismatch.len(), 2, "{f:#?}");
    assert!(mismatch[0]
        .fixes
        .iter()
        .any(|x| x.title == "Change the name to `University of Science and Technology Beijing`"));
    assert!(
        mismatch[0]
            .fixes
            .iter()
            .any(|x| x.title.starts_with("Change the id to `ror:02v51f717`")),
        "{:#?}",
        mismatch[0].fixes
    );
    assert_eq!(mismatch[1].fixes[0].title, "Change the country to `CN`");
}

#[test]
fn an_ambiguous_acronym_offers_one_fix_per_candidate() {
    let g = with(
        "[[institution]]\nkey = \"cast-space\"\ntype = \"research-organisation\"\ncountry = \"CN\"\nname = \"China Academy of Space Technology\"\nacronyms = [\"CAST\"]\n",
    );
    let text = "---\ninstitutions: []\n---\nIn China, CAST signed an agreement.\n";
    let f = findings(text, &g);
    let amb: Vec<&Finding> = f.iter().filter(|f| f.code == "MA0205").collect();
    assert_eq!(amb.len(), 1, "{f:#?}");
    assert_eq!(amb[0].fixes.len(), 2);
    let out = apply_edits(text, &amb[0].fixes[1].edits).unwrap();
    assert!(out.contains("institutions: [{id: "), "{out}");
    // Once one of them is annotated, the evidence decides.
    let text = "---\ninstitutions:\n  - id: cast-space\n    name: China Academy of Space Technology\n---\nIn China, CAST signed an agreement.\n";
    let a = crate::article::parse(text);
    let (ann, _) = read(text, &a, &SchemaOptions::default());
    let m = recognise(text, &a, &ann, &g);
    assert_eq!(m[0].link, known("cast-space"));
}

#[test]
fn an_unknown_candidate_is_information_with_an_annotation_fix() {
    let text =
        "---\ninstitutions: []\n---\nKUST signed with the Souphanouvong University of Laos.\n";
    let g = Gazetteer::new(
        Gazetteer::embedded_records()
            .iter()
            .filter(|r| r.key != "souphanouvong")
            .cloned(),
    );
    let f = findings(text, &g);
    let c: Vec<&Finding> = f.iter().filter(|f| f.code == "MA0206").collect();
    assert_eq!(c.len(), 1, "{f:#?}");
    assert_eq!(c[0].severity, crate::findings::Severity::Info);
    assert_eq!(c[0].span.slice(text), "Souphanouvong University");
    let out = apply_edits(text, &c[0].fixes[0].edits).unwrap();
    assert!(
        out.contains("{id: souphanouvong-university, name: Souphanouvong University}"),
        "{out}"
    );
}

#[test]
fn an_unknown_candidate_with_inline_pinyin_is_named_without_it() {
    let text = "---\ninstitutions: []\n---\n代表團參觀了材料學(xué)院和實驗室。\n";
    let f = findings(text, embedded());
    let c: Vec<&Finding> = f.iter().filter(|f| f.code == "MA0206").collect();
    assert_eq!(c.len(), 1, "{f:#?}");
    // The span is the text as written; the name and the fix are as a person would write them.
    assert_eq!(c[0].span.slice(text), "材料學(xué)院");
    assert!(
        c[0].message.starts_with("`材料學院` looks like"),
        "{}",
        c[0].message
    );
    let out = apply_edits(text, &c[0].fixes[0].edits).unwrap();
    assert!(out.contains(", name: 材料學院}"), "{out}");
    // Annotated either way (by the fix, or earlier with the pinyin kept), it is listed.
    for name in ["材料學院", "材料學(xué)院"] {
        let text = format!(
            "---\ninstitutions:\n  - id: org-1\n    name: {name}\n---\n代表團參觀了材料學(xué)院和實驗室。\n"
        );
        let f = findings(&text, embedded());
        assert!(!f.iter().any(|f| f.code == "MA0206"), "{name}: {f:#?}");
    }
}

#[test]
fn known_links_name_existing_records() {
    for seedlike in [
        "KUST partners with Mohan-Boten Economic Cooperation Zone",
        "中國科學(xué)院國際合作局、前沿科學(xué)與基礎(chǔ)研究局負責人參加會議",
    ] {
        let a = crate::article::parse(seedlike);
        for m in recognise(seedlike, &a, &Annotations::default(), embedded()) {
            if let Link::Known(k) = &m.link {
                assert!(embedded().get(k).is_some(), "{k}");
            }
        }
    }
}
