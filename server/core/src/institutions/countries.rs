//! Country names and adjectives (English and Chinese), used as evidence when an acronym or
//! name fits institutions of several countries, and to trim "of Laos" off unknown candidates.

use super::HashBits;
use crate::gazetteer::index::Fx;
use crate::gazetteer::text::{tokenize_str, Token, BREAK};
use std::collections::HashMap;
use std::sync::OnceLock;

const COUNTRIES: &[(&str, &[&str])] = &[
    (
        "CN",
        &[
            "China",
            "Chinese",
            "PRC",
            "中国",
            "中华人民共和国",
            "中方",
            "Sino",
        ],
    ),
    ("FR", &["France", "French", "法国", "法方"]),
    (
        "RU",
        &[
            "Russia",
            "Russian",
            "Russian Federation",
            "俄罗斯",
            "俄方",
            "Soviet",
        ],
    ),
    ("LA", &["Laos", "Lao", "Laotian", "老挝"]),
    ("VN", &["Vietnam", "Viet Nam", "Vietnamese", "越南"]),
    ("KH", &["Cambodia", "Cambodian", "柬埔寨"]),
    ("TH", &["Thailand", "Thai", "泰国"]),
    ("MM", &["Myanmar", "Burma", "缅甸"]),
    ("MY", &["Malaysia", "Malaysian", "马来西亚"]),
    ("SG", &["Singapore", "新加坡"]),
    ("ID", &["Indonesia", "Indonesian", "印度尼西亚", "印尼"]),
    ("PH", &["Philippines", "Philippine", "Filipino", "菲律宾"]),
    ("DE", &["Germany", "German", "德国"]),
    (
        "GB",
        &[
            "United Kingdom",
            "UK",
            "Britain",
            "British",
            "England",
            "English",
            "Scotland",
            "Wales",
            "英国",
        ],
    ),
    (
        "US",
        &["United States", "USA", "America", "American", "美国"],
    ),
    ("JP", &["Japan", "Japanese", "日本"]),
    ("KR", &["Korea", "South Korea", "Korean", "韩国"]),
    ("KP", &["North Korea", "朝鲜"]),
    ("IN", &["India", "Indian", "印度"]),
    ("PK", &["Pakistan", "Pakistani", "巴基斯坦"]),
    ("BD", &["Bangladesh", "孟加拉国"]),
    ("LK", &["Sri Lanka", "斯里兰卡"]),
    ("NP", &["Nepal", "尼泊尔"]),
    ("MN", &["Mongolia", "Mongolian", "蒙古"]),
    ("KZ", &["Kazakhstan", "哈萨克斯坦"]),
    ("UZ", &["Uzbekistan", "乌兹别克斯坦"]),
    ("KG", &["Kyrgyzstan", "吉尔吉斯斯坦"]),
    ("TJ", &["Tajikistan", "塔吉克斯坦"]),
    ("IR", &["Iran", "Iranian", "伊朗"]),
    ("TR", &["Turkey", "Türkiye", "Turkish", "土耳其"]),
    ("SA", &["Saudi Arabia", "Saudi", "沙特"]),
    ("AE", &["United Arab Emirates", "UAE", "Emirati", "阿联酋"]),
    ("IL", &["Israel", "Israeli", "以色列"]),
    ("EG", &["Egypt", "Egyptian", "埃及"]),
    ("ZA", &["South Africa", "South African", "南非"]),
    ("NG", &["Nigeria", "Nigerian", "尼日利亚"]),
    ("KE", &["Kenya", "Kenyan", "肯尼亚"]),
    ("ET", &["Ethiopia", "Ethiopian", "埃塞俄比亚"]),
    ("BR", &["Brazil", "Brazilian", "巴西"]),
    ("AR", &["Argentina", "Argentine", "阿根廷"]),
    ("MX", &["Mexico", "Mexican", "墨西哥"]),
    ("CL", &["Chile", "Chilean", "智利"]),
    ("CA", &["Canada", "Canadian", "加拿大"]),
    ("AU", &["Australia", "Australian", "澳大利亚"]),
    ("NZ", &["New Zealand", "新西兰"]),
    ("IT", &["Italy", "Italian", "意大利"]),
    ("ES", &["Spain", "Spanish", "西班牙"]),
    ("PT", &["Portugal", "Portuguese", "葡萄牙"]),
    ("NL", &["Netherlands", "Dutch", "荷兰"]),
    ("BE", &["Belgium", "Belgian", "比利时"]),
    ("CH", &["Switzerland", "Swiss", "瑞士"]),
    ("AT", &["Austria", "Austrian", "奥地利"]),
    ("SE", &["Sweden", "Swedish", "瑞典"]),
    ("NO", &["Norway", "Norwegian", "挪威"]),
    ("DK", &["Denmark", "Danish", "丹麦"]),
    ("FI", &["Finland", "Finnish", "芬兰"]),
    ("PL", &["Poland", "Polish", "波兰"]),
    ("CZ", &["Czech Republic", "Czechia", "Czech", "捷克"]),
    ("HU", &["Hungary", "Hungarian", "匈牙利"]),
    ("GR", &["Greece", "Greek", "希腊"]),
    ("UA", &["Ukraine", "Ukrainian", "乌克兰"]),
    ("BY", &["Belarus", "Belarusian", "白俄罗斯"]),
    ("RS", &["Serbia", "Serbian", "塞尔维亚"]),
    ("IE", &["Ireland", "Irish", "爱尔兰"]),
    ("TW", &["Taiwan", "台湾"]),
    ("HK", &["Hong Kong", "香港"]),
    ("MO", &["Macao", "Macau", "澳门"]),
    ("LB", &["Lebanon", "Lebanese", "黎巴嫩"]),
];

pub struct Countries {
    /// First token hash → (remaining hashes, code).
    first: HashMap<u32, Vec<(Vec<u32>, &'static str)>, Fx>,
    /// The first tokens' hashes: almost every token starts no country name.
    starts: HashBits,
    /// The same filter on the hashes' next 12 bits (both together let about one token in 250
    /// through instead of one in 16).
    starts_high: HashBits,
}

pub fn countries() -> &'static Countries {
    static C: OnceLock<Countries> = OnceLock::new();
    C.get_or_init(|| {
        let mut first: HashMap<u32, Vec<(Vec<u32>, &'static str)>, Fx> = HashMap::default();
        for (code, names) in COUNTRIES {
            for n in *names {
                let h: Vec<u32> = tokenize_str(n).iter().map(|t| t.hash).collect();
                if let Some((f, rest)) = h.split_first() {
                    first.entry(*f).or_default().push((rest.to_vec(), code));
                }
            }
        }
        for v in first.values_mut() {
            v.sort_by_key(|x| std::cmp::Reverse(x.0.len()));
        }
        let starts = HashBits::new(first.keys().copied());
        let starts_high = HashBits::new(first.keys().map(|h| h.rotate_right(12)));
        Countries {
            first,
            starts,
            starts_high,
        }
    })
}

impl Countries {
    /// Whether a country name may start with a token of this hash (no false negatives).
    #[inline]
    pub(crate) fn may_start(&self, hash: u32) -> bool {
        self.starts.may_contain(hash) && self.starts_high.may_contain(hash.rotate_right(12))
    }

    /// The country named at token `i`, with the number of tokens its name takes.
    /// Short Latin names are matched only capitalised ("China", not "china").
    pub fn at(&self, text: &str, tokens: &[Token], i: usize) -> Option<(&'static str, usize)> {
        let t = tokens.get(i)?;
        if !self.may_start(t.hash) {
            return None;
        }
        let list = self.first.get(&t.hash)?;
        let is_cap = |t: &Token| {
            t.text(text)
                .chars()
                .next()
                .is_some_and(|c| !c.is_lowercase())
        };
        if !is_cap(t) {
            return None;
        }
        'next: for (rest, code) in list {
            for (k, h) in rest.iter().enumerate() {
                match tokens.get(i + 1 + k) {
                    Some(n) if n.hash == *h && !n.has(BREAK) => {}
                    _ => continue 'next,
                }
            }
            return Some((code, rest.len() + 1));
        }
        None
    }

    /// Every country named in the tokens, given the tokens that may start one (sorted: those
    /// for which [`Countries::may_start`] holds, or any superset).
    pub fn mentioned_at(
        &self,
        text: &str,
        tokens: &[Token],
        starts: &[usize],
    ) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        // Starts before `next` are inside the last name found.
        let mut next = 0;
        for &i in starts {
            if i < next {
                continue;
            }
            if let Some((code, n)) = self.at(text, tokens, i) {
                if !out.contains(&code) {
                    out.push(code);
                }
                next = i + n;
            }
        }
        out
    }

    /// Every country named in the tokens.
    pub fn mentioned(&self, text: &str, tokens: &[Token]) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        let mut i = 0;
        while let Some(t) = tokens.get(i) {
            if !self.may_start(t.hash) {
                i += 1;
                continue;
            }
            match self.at(text, tokens, i) {
                Some((code, n)) => {
                    if !out.contains(&code) {
                        out.push(code);
                    }
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::text::tokenize_str;

    #[test]
    fn mentioned_at_the_possible_starts_is_mentioned() {
        let text = "China and the Russian Federation; 中华人民共和国与老挝, South Korea, \
                    New Zealand and new zealand, Sri Lanka. UK UAE";
        let toks = tokenize_str(text);
        let starts: Vec<usize> = (0..toks.len())
            .filter(|&k| countries().may_start(toks[k].hash))
            .collect();
        let all: Vec<usize> = (0..toks.len()).collect();
        let found = countries().mentioned(text, &toks);
        assert_eq!(countries().mentioned_at(text, &toks, &starts), found);
        assert_eq!(countries().mentioned_at(text, &toks, &all), found);
        assert_eq!(found, ["CN", "RU", "LA", "KR", "NZ", "LK", "GB", "AE"]);
    }
}
