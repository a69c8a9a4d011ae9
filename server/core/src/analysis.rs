//! The pipeline: text → article → annotations → mentions → findings. The CLI and the
//! language server both call [`analyse`], so they cannot disagree.

use crate::article::schema::{self, SchemaOptions};
use crate::article::{self, Annotations, Article};
use crate::calendar::Date;
use crate::config::Config;
use crate::dates::{self, Anchor, DateMention};
use crate::findings::Finding;
use crate::gazetteer::Gazetteer;
use crate::institutions::{self, InstitutionMention};

/// Everything an analysis needs besides the text.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub gazetteer: &'a Gazetteer,
    pub config: &'a Config,
    /// Document creation time given by the user (`--dct`), used when `published` is absent.
    pub dct: Option<Date>,
    /// Today's date, for "published in the future"; `None` skips that check.
    pub today: Option<Date>,
}

/// The result of analysing one article.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub article: Article,
    pub annotations: Annotations,
    pub anchor: Anchor,
    pub institutions: Vec<InstitutionMention>,
    pub dates: Vec<DateMention>,
    /// Sorted by position, then code; severities after the configuration's overrides.
    pub findings: Vec<Finding>,
}

/// Analyses one article's text. Never panics, whatever the text.
pub fn analyse(text: &str, ctx: &Context) -> Analysis {
    let article = article::parse(text);
    let options = SchemaOptions {
        required: &ctx.config.annotations.required,
        today: ctx.today,
    };
    let (annotations, mut findings) = schema::read(text, &article, &options);
    let anchor = dates::anchor(text, &article, &annotations, ctx.dct);

    let institutions = institutions::recognise(text, &article, &annotations, ctx.gazetteer);
    findings.extend(institutions::check(
        text,
        &article,
        &annotations,
        &institutions,
        ctx.gazetteer,
    ));

    let dates = dates::recognise(text, &article, &anchor);
    findings.extend(dates::check(text, &article, &annotations, &dates));

    findings.retain_mut(|f| match ctx.config.severity_of(f.code, f.severity) {
        Some(s) => {
            f.severity = s;
            true
        }
        None => false,
    });
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
    Analysis {
        article,
        annotations,
        anchor,
        institutions,
        dates,
        findings,
    }
}
