//! The title an article's body suggests, for a new front-matter (the skeleton fix and
//! `annotate`): the headline, past the site's navigation, slogans and attributions that
//! pages copied from the web start with.

use std::borrow::Cow;

/// Lines looked at: a headline comes before the story.
const LINES: usize = 40;

/// The headline of `body`: the first line of 6 to 200 characters that is no breadcrumb
/// (`首頁 > 院內要聞`, "News & Events"), no attribution (`——中國科學院辦院方針`), not
/// repeated further down (a slogan or footer the page shows twice) and no sentence (it does
/// not end with a full stop); failing that, the first such line that is a sentence. Leading
/// `#`, trailing dashes ("… deepens –") and inline pinyin (`學(xué)`) are left out.
pub fn guess(body: &str) -> Option<Cow<'_, str>> {
    headline(body).map(crate::gazetteer::text::without_pinyin)
}

fn headline(body: &str) -> Option<&str> {
    let mut sentence = None;
    let mut lines = lines(body);
    for _ in 0..LINES {
        let Some(line) = lines.next() else { break };
        let l = clean(line);
        // 6 to 200 characters (a paragraph's bytes are not counted through).
        if !(6..=800).contains(&l.len()) || !(6..=200).contains(&l.chars().count()) {
            continue;
        }
        if is_navigation(l) || l.starts_with(['—', '-', '–']) {
            continue;
        }
        let is_sentence = l.ends_with(['.', '。', '!', '！', '?', '？', ';', '；']);
        if is_sentence && sentence.is_some() {
            continue;
        }
        // The same line again further down: page furniture (a slogan, a footer), not the
        // headline. Looked for last, and only for a line that would be chosen.
        if lines
            .clone()
            .any(|other| other.len() >= l.len() && clean(other) == l)
        {
            continue;
        }
        if is_sentence {
            sentence = Some(l);
            continue;
        }
        return Some(l);
    }
    sentence
}

/// The lines of `text` (ending at `\n`; a `\r` before it is trimmed with the spaces), found
/// with a vectorised search: the body of an article without a headline is read once or twice.
fn lines(text: &str) -> impl Iterator<Item = &str> + Clone {
    let mut from = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    ends.map_while(move |end| {
        let line = text.get(from..end)?;
        from = end + 1;
        Some(line)
    })
}

/// A line without its surrounding spaces, Markdown heading marks and trailing dashes.
fn clean(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '#')
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '–' | '—' | '-' | ':' | '|'))
}

/// A breadcrumb or a section name of the site.
fn is_navigation(l: &str) -> bool {
    l.contains('>')
        || l.contains('»')
        || ["news & events", "news", "home"]
            .iter()
            .any(|n| l.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::guess;

    fn title(body: &str) -> Option<String> {
        guess(body).map(|t| t.into_owned())
    }

    #[test]
    fn the_headline_comes_after_navigation_slogans_and_attributions() {
        let page = "加快打造原始創新策源地,努力搶占科技制高點。\n\n——習近平總書記的重要指示\n\n\
                    加快打造原始創新策源地,努力搶占科技制高點。\n\n首頁 > 院內要聞\n\n\
                    中國科學院—法國國家科學研究中心雙邊戰略對話會議在京舉行\n\n2024-06-27 國際合作局\n";
        assert_eq!(
            title(page).as_deref(),
            Some("中國科學院—法國國家科學研究中心雙邊戰略對話會議在京舉行")
        );
        // The seeds' inline pinyin stays in the body, not in the title.
        assert_eq!(
            title("首頁 > 院內要聞\n中國科學(xué)院代表團訪問法國\n").as_deref(),
            Some("中國科學院代表團訪問法國")
        );
        assert_eq!(
            title(
                "News & Events\n\n\nCNRS Representative in China Visited KUST\n\nOn the afternoon…"
            ),
            Some("CNRS Representative in China Visited KUST".to_string())
        );
        assert_eq!(
            title("# China-Russia scientific cooperation deepens –\n\nThe Chinese and Russian…"),
            Some("China-Russia scientific cooperation deepens".to_string())
        );
    }

    #[test]
    fn a_body_of_sentences_gives_its_first_sentence() {
        assert_eq!(
            title("Short\nCNRS and KUST signed an agreement.\nThey met again in May.\n"),
            Some("CNRS and KUST signed an agreement.".to_string())
        );
        assert_eq!(title("ok\n\n> quoted\n"), None);
        assert_eq!(title(""), None);
    }
}
