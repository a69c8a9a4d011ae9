use marginalia_core::config::Config;
use marginalia_core::findings::{apply_edits, TextEdit};
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::{analyse, Context};
fn main() {
    let mut text = "中国科学院（CAS）\u{a0}院长白春礼出席会议。\n\nProf. FENG Qiang, Director of Office of International Affairs, USTB, led the delegation to the China Association for Science and Technology (CAST).\n\nOn the afternoon of October 15th, Dr. Philippe ARNAUD, Director, Office of the French National Centre for Scientific Research in China (CNRS), visited KUST.\n\nThe Russian Academy of Engineering welcomed 25 new Chinese engineers as foreign academics on Monday.\n\n2019年10月15日，昆明理工大学与老挝国立大学签署合作协议。".to_string();
    let config = Config::default();
    let ctx = Context { gazetteer: Gazetteer::embedded(), config: &config, dct: None, today: None };
    for round in 0..4 {
        let a = analyse(&text, &ctx);
        println!("== round {round}");
        for m in &a.institutions { println!("  {:?} {:?} {:?}", m.span.slice(&text), m.link, m.kind); }
        for f in &a.findings { println!("  F {} {}", f.code, f.message); }
        let touches = |a: marginalia_core::Span, b: marginalia_core::Span| a.start <= b.end && b.start <= a.end;
        let mut chosen: Vec<TextEdit> = Vec::new();
        for f in &a.findings {
            for fix in f.fixes.iter().filter(|x| x.safe && !x.edits.is_empty()) {
                let clash = fix.edits.iter().any(|e| chosen.iter().any(|c| touches(e.span, c.span)));
                if !clash { chosen.extend(fix.edits.iter().cloned()); break; }
            }
        }
        text = apply_edits(&text, &chosen).unwrap();
    }
}
