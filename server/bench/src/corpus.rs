//! A generated corpus in the seeds' style: English university/agency news (navigation
//! header, machine-translated sentences, NBSPs, institution names and acronyms, dates in many
//! forms, repeated footers) and Chinese articles (Traditional with inline pinyin after
//! converted characters, and Simplified), with or without a front-matter. Deterministic: the
//! same seed gives the same bytes.

/// xorshift64*: small, fast, reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    English,
    Chinese,
}

const EN_INSTITUTIONS: &[&str] = &[
    "Kunming University of Science and Technology (KUST)",
    "KUST",
    "the French National Centre for Scientific Research (CNRS)",
    "CNRS",
    "the China Association for Science and Technology (CAST)",
    "University of Science and Technology Beijing",
    "USTB",
    "the Chinese Academy of Sciences",
    "the Russian Academy of Engineering",
    "Clausthal University of Technology",
    "the National University of Laos",
    "Campus France",
    "the Embassy of France in China",
    "the Division of International Cooperation",
    "Tsinghua University",
    "the Institute of Botany",
];

const EN_DATES: &[&str] = &[
    "On the afternoon of October 15th",
    "In February 2019",
    "On September 3rd",
    "Last Monday",
    "On 16 October 2019",
    "Yesterday",
    "In the second half of 2020",
    "Since 1973",
    "On the morning of June 5",
    "Earlier this year",
];

const EN_VERBS: &[&str] = &[
    "visited",
    "signed a cooperation agreement with",
    "held talks with",
    "welcomed a delegation from",
    "exchanged views with",
    "briefed",
    "launched a joint laboratory with",
];

const EN_FILLER: &[&str] = &[
    "The two sides exchanged views on how to promote the cooperation in the field of new energy as well.",
    "Energy, materials science, infrastructure and pharmaceutical development are key areas with great potential, they said. added.",
    "A meeting was held at the Academic Exchange Center of Lianhua Campus.",
    "Then the Division of Research Administration first gave an introduction to the scientific researches.",
    "Both parties pledged to keep strengthening mutual scientific and technological cooperation.",
    "The delegation also toured the State Key Laboratory and the new library.",
    "Experts said the fruits of this effort will benefit both the two countries and the world.",
];

/// Longer narrative sentences without names or dates, as most of a seed article's sentences
/// are (the `Seeds` density).
const EN_NARRATIVE: &[&str] = &[
    "Participants then discussed in depth the training of young researchers, the sharing of large instruments and the joint application for research projects, and reached a broad consensus on the next steps of the work.",
    "He expressed the hope that both sides would take this visit as an opportunity to deepen the exchanges between teachers and students and to push the practical cooperation to a new level.",
    "The guests listened carefully to the introduction and spoke highly of the achievements made in talent cultivation, scientific research and social service.",
    "According to the agreement, the two parties will jointly build a platform for technology transfer, carry out personnel exchanges and organise academic conferences on a regular basis.",
    "Mr. Li said that the cooperation has a solid foundation and broad prospects, and that the team is willing to make full use of its advantages in mineral processing and environmental engineering.",
    "Responsible comrades of the relevant departments and representatives of teachers attended the signing ceremony, which was presided over by the director of the office.",
    "After the meeting, the visitors went to the laboratories of the school of materials and the engineering training centre, where they watched demonstrations of the equipment.",
    "It is reported that the project focuses on green mining, the comprehensive utilisation of resources and the protection of the ecological environment in the border area.",
];

const EN_FOOTERS: &[&str] = &[
    "Copyright © 2019 Kunming University of Science and Technology. All rights reserved.",
    "Contact us | Sitemap | Address: No. 727 South Jingming Road, Chenggong District, Kunming",
    "Share to: WeChat Weibo",
];

const ZH_INSTITUTIONS: &[&str] = &[
    "中國科學(xué)院",
    "中国科学院",
    "昆明理工大学",
    "法國國家科學(xué)研究中心",
    "中国科学技术协会",
    "北京科技大学",
    "俄羅斯工程院",
    "老挝国立大学",
    "清华大学",
];

const ZH_DATES: &[&str] = &[
    "2019年10月15日",
    "10月15日下午",
    "2019年2月",
    "昨天",
    "上週一",
    "今年上半年",
    "1973年以來(lái)",
    "九月三日",
];

const ZH_VERBS: &[&str] = &[
    "訪問了",
    "与",
    "同",
    "簽署合作協(xié)議，",
    "举行会谈，",
    "交流合作",
];

const ZH_FILLER: &[&str] = &[
    "加快打造原始創(chuàng)新策源地，加快突破關(guān)鍵核心技術(shù)，努力搶占科技制高點(diǎn)。",
    "雙方就進(jìn)一步深化科技合作交換了意見(jiàn)。",
    "面向世界科技前沿、面向經(jīng)濟(jì)主戰(zhàn)場、面向國家重大需求。",
    "双方表示将继续加强在新能源、新材料等领域的务实合作。",
    "代表团参观了重点实验室。",
];

const ZH_NARRATIVE: &[&str] = &[
    "會上，雙方圍繞人才培養(yǎng)、聯(lián)合實(shí)驗(yàn)室建設(shè)和學(xué)術(shù)交流等議題進(jìn)行了深入討論，並就下一步工作達(dá)成廣泛共識。",
    "与会人员表示，将以此次交流为契机，进一步拓展合作领域，推动双方务实合作不断取得新成效。",
    "代表團一行還參觀了材料學(xué)院和工程訓(xùn)練中心，詳細(xì)了解了相關(guān)科研平台的建設(shè)情況。",
    "据介绍，该项目重点围绕绿色矿山、资源综合利用和边境地区生态环境保护开展联合研究。",
    "相关部门负责人及师生代表参加了签约仪式，仪式由办公室主任主持。",
];

const ZH_FOOTERS: &[&str] = &[
    "版權(quán)所有 © 中國科學(xué)院 京ICP備05002857號",
    "联系我们 | 网站地图",
];

fn front_matter(rng: &mut Rng, lang: Lang) -> String {
    let (title, language) = match lang {
        Lang::English => ("CNRS Representative in China Visited KUST", "en"),
        Lang::Chinese => (
            "中國科學(xué)院與法國國家科學(xué)研究中心深化合作",
            "zh-Hant",
        ),
    };
    let day = 1 + rng.below(28);
    format!(
        "---\nschema: 1\ntitle: {title}\npublished: 2019-10-{day:02}\nlanguage: {language}\ninstitutions:\n  - id: ror:02feahw73\n    name: French National Centre for Scientific Research\n    country: FR\ncountries: [FR, CN]\n---\n"
    )
}

/// How many institutions and dates a generated article names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Density {
    /// Two sentences in three name a date and two institutions (about three times the seeds'
    /// mentions per KB): the worst case, and the corpus of every figure before 2026-11-30.
    Dense,
    /// About the seed articles' mentions per KB: one sentence in four names a date and two
    /// institutions, the others are narrative.
    Seeds,
}

fn paragraph(rng: &mut Rng, lang: Lang, density: Density, out: &mut String) {
    let (filler, narrative) = match lang {
        Lang::English => (EN_FILLER, EN_NARRATIVE),
        Lang::Chinese => (ZH_FILLER, ZH_NARRATIVE),
    };
    let n = 2 + rng.below(4);
    for i in 0..n {
        // At the seeds' density, whether the sentence names anything is drawn first.
        let named = (density == Density::Seeds).then(|| rng.below(4) == 0);
        if lang == Lang::English && i > 0 {
            out.push(if rng.below(4) == 0 { '\u{a0}' } else { ' ' });
        }
        match named {
            None if rng.below(3) == 0 => out.push_str(rng.pick(filler)),
            None | Some(true) => named_sentence(rng, lang, out),
            Some(false) => {
                let pool = if rng.below(4) == 0 { filler } else { narrative };
                out.push_str(rng.pick(pool));
            }
        }
    }
    out.push_str("\n\n");
}

/// A sentence naming a date and two institutions.
fn named_sentence(rng: &mut Rng, lang: Lang, out: &mut String) {
    let (dates, institutions, verbs) = match lang {
        Lang::English => (EN_DATES, EN_INSTITUTIONS, EN_VERBS),
        Lang::Chinese => (ZH_DATES, ZH_INSTITUTIONS, ZH_VERBS),
    };
    let (d, a, v, b) = (
        rng.pick(dates),
        rng.pick(institutions),
        rng.pick(verbs),
        rng.pick(institutions),
    );
    out.push_str(&match lang {
        Lang::English => format!("{d}, a delegation of {a} {v} {b}."),
        Lang::Chinese => format!("{d}，{a}{v}{b}代表團。"),
    });
}

/// One article of about `bytes` bytes (at least one paragraph), at the dense density.
pub fn article(seed: u64, lang: Lang, bytes: usize, with_front_matter: bool) -> String {
    article_with(seed, lang, bytes, with_front_matter, Density::Dense)
}

/// One article of about `bytes` bytes (at least one paragraph).
pub fn article_with(
    seed: u64,
    lang: Lang,
    bytes: usize,
    with_front_matter: bool,
    density: Density,
) -> String {
    let mut rng = Rng::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ bytes as u64);
    let mut s = String::with_capacity(bytes + 1024);
    if with_front_matter {
        s.push_str(&front_matter(&mut rng, lang));
    }
    match lang {
        Lang::English => {
            s.push_str("News & Events\n\n\nCNRS Representative in China Visited KUST\n\n")
        }
        Lang::Chinese => s.push_str("首頁(yè) > 新聞動(dòng)態(tài)\n\n"),
    }
    let footers = match lang {
        Lang::English => EN_FOOTERS,
        Lang::Chinese => ZH_FOOTERS,
    };
    let body_target = bytes.saturating_sub(200);
    loop {
        paragraph(&mut rng, lang, density, &mut s);
        if s.len() >= body_target {
            break;
        }
    }
    // Repeated footers, as scraped pages have.
    for _ in 0..2 {
        for f in footers {
            s.push_str(f);
            s.push('\n');
        }
    }
    s
}

/// Sizes of the articles of a corpus: 2 KB to 20 KB, mostly small, as news pages are.
pub fn corpus_size(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0..=5 => 2_000 + rng.below(4_000),
        6..=8 => 6_000 + rng.below(8_000),
        _ => 14_000 + rng.below(6_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marginalia_core::calendar::Date;
    use marginalia_core::config::Config;
    use marginalia_core::gazetteer::Gazetteer;
    use marginalia_core::{analyse, Context};
    use std::path::Path;

    /// Institution and date mentions per KB over texts, as `marginalia check` finds them.
    fn mentions_per_kb<'t>(texts: impl IntoIterator<Item = &'t str>) -> f64 {
        let config = Config::default();
        let ctx = Context {
            gazetteer: Gazetteer::embedded(),
            config: &config,
            dct: None,
            today: Date::new(2026, 1, 1),
        };
        let (mut mentions, mut bytes) = (0, 0);
        for t in texts {
            let a = analyse(t, &ctx);
            mentions += a.institutions.len() + a.dates.len();
            bytes += t.len();
        }
        mentions as f64 * 1024.0 / bytes as f64
    }

    fn generated(density: Density) -> Vec<String> {
        (0..120)
            .map(|i| {
                let lang = if i % 3 == 0 {
                    Lang::Chinese
                } else {
                    Lang::English
                };
                article_with(i, lang, 2_000 + 97 * i as usize, i % 2 == 0, density)
            })
            .collect()
    }

    #[test]
    fn the_seed_density_corpus_names_as_much_as_the_seed_articles() {
        let seeds = generated(Density::Seeds);
        let dense = generated(Density::Dense);
        let (s, d) = (
            mentions_per_kb(seeds.iter().map(String::as_str)),
            mentions_per_kb(dense.iter().map(String::as_str)),
        );
        assert!(
            (5.5..9.5).contains(&s),
            "seed density: {s:.1} mentions per KB"
        );
        assert!(
            d > 2.0 * s,
            "dense: {d:.1} mentions per KB, seed density {s:.1}"
        );
        // Against the seed articles themselves, when the shared data is beside the checkout.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
        let real: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect();
        if !real.is_empty() {
            let r = mentions_per_kb(real.iter().map(String::as_str));
            assert!(
                (s - r).abs() < 0.25 * r,
                "seed density {s:.1}, seed articles {r:.1}"
            );
        }
    }

    #[test]
    fn a_seed_article_is_the_same_bytes_for_the_same_seed() {
        let a = article_with(7, Lang::English, 9_000, true, Density::Seeds);
        assert_eq!(
            a,
            article_with(7, Lang::English, 9_000, true, Density::Seeds)
        );
        assert!(a.len() >= 8_800 && a.contains('\u{a0}'), "{}", a.len());
        assert_ne!(
            a,
            article_with(7, Lang::English, 9_000, true, Density::Dense)
        );
    }
}
