//! Loading the gazetteer of a corpus: the embedded default (unless `no_default`), a ROR v2
//! dump (`[gazetteer] ror_dump` or `--ror-dump`: the release's `.json` or `.zip`), then the
//! workspace gazetteer files (`[gazetteer] files`), which override earlier records by key.
//!
//! Files named by the configuration must lie inside the corpus root; a dump given explicitly
//! (`extra_ror`, from the command line) may be anywhere. A parsed dump is cached on disk
//! (see [`cache_dir`]) keyed by the dump's path, size and modification time, so an editor
//! starting on a corpus with the 51k-record subset loads it in tens of milliseconds instead
//! of re-reading 56 MB of JSON.

use marginalia_core::config::Config;
use marginalia_core::gazetteer::{
    data, fuzzy, index, ror, Gazetteer, Institution, InstitutionType, Origin,
};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A gazetteer file or dump that could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GazetteerError {
    pub path: PathBuf,
    /// One-based line of the problem, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for GazetteerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for GazetteerError {}

fn err(path: &Path, line: Option<usize>, message: impl Into<String>) -> GazetteerError {
    GazetteerError {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// `rel` resolved against `root`, refused when it leaves the root.
fn inside(root: &Path, rel: &str) -> Result<PathBuf, GazetteerError> {
    let path = root.join(rel);
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let canon = path
        .canonicalize()
        .map_err(|e| err(&path, None, format!("cannot open the gazetteer file: {e}")))?;
    if !canon.starts_with(&canon_root) {
        return Err(err(
            &path,
            None,
            format!("`{rel}` lies outside the corpus root {}", root.display()),
        ));
    }
    Ok(canon)
}

/// Loads the gazetteer of a corpus rooted at `root` with configuration `config`.
/// `extra_ror` is a ROR dump given on the command line (it replaces `[gazetteer] ror_dump`).
pub fn load(
    root: &Path,
    config: &Config,
    extra_ror: Option<&Path>,
) -> Result<Gazetteer, GazetteerError> {
    let g = &config.gazetteer;
    let dump = match (extra_ror, &g.ror_dump) {
        (Some(p), _) => Some(p.to_path_buf()),
        (None, Some(rel)) => Some(inside(root, rel)?),
        (None, None) => None,
    };
    // The dump is read on a second thread while the embedded records are parsed and copied.
    let (mut gazetteer, ror) = std::thread::scope(|scope| {
        let ror = dump.as_deref().map(|path| {
            let reading = std::thread::Builder::new().spawn_scoped(scope, || load_ror(path));
            (path, reading)
        });
        let gazetteer = if g.no_default {
            Gazetteer::default()
        } else {
            Gazetteer::new(Gazetteer::embedded_records().iter().cloned())
        };
        // Without a second thread (or if it failed), read it here.
        let ror = ror.map(|(path, reading)| {
            reading
                .ok()
                .and_then(|h| h.join().ok())
                .unwrap_or_else(|| load_ror(path))
        });
        (gazetteer, ror)
    });
    if let Some(records) = ror {
        gazetteer.merge_ror(records?);
    }
    for rel in &g.files {
        let path = inside(root, rel)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| err(&path, None, format!("cannot read: {e}")))?;
        let (records, errors) = data::parse(&text, &Origin::Workspace(rel.clone()));
        if let Some(e) = errors.into_iter().next() {
            return Err(err(&path, e.line, e.message));
        }
        for r in records {
            gazetteer.insert(r);
        }
    }
    for r in gazetteer.iter() {
        if let Some(p) = &r.parent {
            if gazetteer.get(p).is_none() {
                let origin = match &r.origin {
                    Origin::Workspace(f) => root.join(f),
                    _ => PathBuf::from("<embedded>"),
                };
                return Err(err(
                    &origin,
                    None,
                    format!("`{}`: parent `{p}` is not a key of the gazetteer", r.key),
                ));
            }
        }
    }
    if gazetteer.has_ror_dump() {
        prepare_cached(&gazetteer);
    }
    Ok(gazetteer)
}

/// Builds the name index of a gazetteer holding a ROR dump, or reads it from the on-disk
/// cache: building the index of ~50k records takes 0.4–1 s, reading it back a fraction of
/// that, which keeps an editor's start short. The cached index is tied to the exact records
/// (a hash of every field the index reads) and to the running program (its path, size and
/// modification time), so a changed gazetteer file or a rebuilt binary builds afresh.
pub fn prepare_index(g: &Gazetteer) {
    if g.has_index() {
        return;
    }
    let Some(dir) = cache_dir() else {
        g.index();
        return;
    };
    prepare_index_in(g, &dir, fingerprint(g));
}

/// [`prepare_index`] with the cache directory and the records' fingerprint at hand.
fn prepare_index_in(g: &Gazetteer, dir: &Path, fingerprint: u64) {
    let file = dir.join(format!("index-{fingerprint:016x}.bin"));
    if let Some(ix) = std::fs::read(&file)
        .ok()
        .and_then(|b| index::Index::from_bytes(&b, g.len()))
    {
        if g.set_index(ix) {
            return;
        }
    }
    let bytes = g.index().to_bytes();
    if write_atomically(dir, &file, &bytes) {
        prune_index_cache(dir, "index-", 4);
    }
}

/// What [`Gazetteer::prepare`] builds, through the on-disk cache: the name index (see
/// [`prepare_index`]) and the near-miss index of long names, cached the same way (same
/// fingerprint of the records and the program, same directory, `fuzzy-<fingerprint>.bin`).
/// A cached near-miss index that does not decode or does not fit the records is ignored
/// and rebuilt; on a warm start neither index is built.
pub fn prepare_cached(g: &Gazetteer) {
    let Some(dir) = cache_dir() else {
        g.prepare();
        return;
    };
    if g.has_index() && g.has_fuzzy() {
        g.prepare();
        return;
    }
    let fp = fingerprint(g);
    if !g.has_index() {
        prepare_index_in(g, &dir, fp);
    }
    let file = dir.join(format!("fuzzy-{fp:016x}.bin"));
    let cached = !g.has_fuzzy()
        && std::fs::read(&file)
            .ok()
            .and_then(|b| fuzzy::Fuzzy::from_bytes(&b, g.len()))
            .is_some_and(|f| g.set_fuzzy(f));
    g.prepare();
    if !cached && write_atomically(&dir, &file, &g.fuzzy().to_bytes()) {
        prune_index_cache(&dir, "fuzzy-", 4);
    }
}

/// Writes `bytes` to `file` in `dir` through a temporary file and a rename, so that a
/// reader never sees half a file; `false` when it could not (a cache that cannot be
/// written only costs time).
fn write_atomically(dir: &Path, file: &Path, bytes: &[u8]) -> bool {
    let _ = std::fs::create_dir_all(dir);
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, file).is_ok() {
        return true;
    }
    let _ = std::fs::remove_file(&tmp);
    false
}

/// Keeps the `keep` most recent cached indexes whose names start with `prefix` (each
/// rebuilt binary writes its own).
fn prune_index_cache(dir: &Path, prefix: &str, keep: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = rd
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(prefix) && n.ends_with(".bin")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, p) in files.into_iter().skip(keep) {
        let _ = std::fs::remove_file(p);
    }
}

/// A hash of everything the name index is built from: every record's fields in order, and
/// the identity of the running program (the index code is part of it).
fn fingerprint(g: &Gazetteer) -> u64 {
    /// Two multiply-rotate lanes over 8-byte words (a byte at a time took 20 ms for the
    /// ROR subset's 9 MB of names), each string closed by its length so that field
    /// boundaries count; the lanes are mixed at the end.
    struct Hash(u64, u64);
    impl Hash {
        fn word(&mut self, w: u64) {
            self.0 = (self.0 ^ w)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(31);
            self.1 = (self.1 ^ w)
                .wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
                .rotate_left(27);
        }
        fn bytes(&mut self, b: &[u8]) {
            let mut words = b.chunks_exact(8);
            for w in &mut words {
                let mut x = [0u8; 8];
                x.copy_from_slice(w);
                self.word(u64::from_le_bytes(x));
            }
            let mut last = [0u8; 8];
            last[..words.remainder().len()].copy_from_slice(words.remainder());
            self.word(u64::from_le_bytes(last));
            self.word(b.len() as u64);
        }
        fn opt(&mut self, s: &Option<String>) {
            self.bytes(s.as_deref().unwrap_or("\u{0}").as_bytes());
        }
        fn finish(&self) -> u64 {
            let mut x = self.0 ^ self.1.rotate_left(32);
            // splitmix64's finaliser.
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^ (x >> 31)
        }
    }
    let mut h = Hash(0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4);
    h.bytes(env!("CARGO_PKG_VERSION").as_bytes());
    let exe = std::env::current_exe().ok();
    if let Some((exe, meta)) = exe
        .as_ref()
        .and_then(|p| Some((p, std::fs::metadata(p).ok()?)))
    {
        h.bytes(exe.to_string_lossy().as_bytes());
        h.bytes(&meta.len().to_le_bytes());
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        h.bytes(&mtime.to_le_bytes());
    }
    h.bytes(&(g.len() as u64).to_le_bytes());
    for r in g.iter() {
        h.bytes(r.key.as_bytes());
        h.bytes(&[KINDS.iter().position(|k| *k == r.kind).unwrap_or(0) as u8]);
        h.bytes(&[u8::from(r.origin == Origin::Ror)]);
        h.opt(&r.country);
        h.opt(&r.city);
        h.bytes(r.name.as_bytes());
        for (k, v) in &r.names {
            h.bytes(k.as_bytes());
            h.bytes(v.as_bytes());
        }
        h.bytes(b"\x01");
        for l in [&r.acronyms, &r.aliases, &r.former_names] {
            for s in l {
                h.bytes(s.as_bytes());
            }
            h.bytes(b"\x01");
        }
        h.opt(&r.parent);
        h.opt(&r.successor);
        h.opt(&r.ror);
        h.opt(&r.wikidata);
    }
    h.finish()
}

/// Reads a ROR dump (`.json` or the release `.zip`), through the on-disk cache.
pub fn load_ror(path: &Path) -> Result<Vec<Institution>, GazetteerError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| err(path, None, format!("cannot open the ROR dump: {e}")))?;
    let cache = cache_dir().map(|d| d.join(cache_name(path, &meta)));
    if let Some(c) = &cache {
        if let Some(records) = std::fs::read(c).ok().and_then(|b| decode(&b)) {
            return Ok(records);
        }
    }
    let bytes = read_dump(path)?;
    let records = ror::parse(&bytes).map_err(|e| err(path, e.line, e.message))?;
    if let Some(c) = &cache {
        // A cache that cannot be written only costs time.
        if let Some(dir) = c.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = c.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, encode(&records)).is_ok() {
            let _ = std::fs::rename(&tmp, c);
        }
    }
    Ok(records)
}

fn read_dump(path: &Path) -> Result<Vec<u8>, GazetteerError> {
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        return std::fs::read(path)
            .map_err(|e| err(path, None, format!("cannot read the ROR dump: {e}")));
    }
    let file =
        std::fs::File::open(path).map_err(|e| err(path, None, format!("cannot open: {e}")))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| err(path, None, format!("not a zip archive: {e}")))?;
    // The release holds the dump in schema v2 (`…_schema_v2.json`) and possibly v1.
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    let pick = names
        .iter()
        .find(|n| n.ends_with(".json") && n.contains("v2"))
        .or_else(|| names.iter().find(|n| n.ends_with(".json")))
        .cloned()
        .ok_or_else(|| err(path, None, "the zip archive holds no .json file"))?;
    let mut entry = archive.by_name(&pick).map_err(|e| {
        err(
            path,
            None,
            format!("cannot read `{pick}` in the archive: {e}"),
        )
    })?;
    let mut bytes = Vec::with_capacity(entry.size().min(1 << 30) as usize);
    entry.read_to_end(&mut bytes).map_err(|e| {
        err(
            path,
            None,
            format!("cannot read `{pick}` in the archive: {e}"),
        )
    })?;
    Ok(bytes)
}

/// Where parsed dumps are cached: `$MARGINALIA_CACHE_DIR`, else `$XDG_CACHE_HOME/marginalia`,
/// else `~/.cache/marginalia`. `MARGINALIA_CACHE_DIR=""` turns the cache off.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("MARGINALIA_CACHE_DIR") {
        return (!d.is_empty()).then(|| PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("marginalia"));
    }
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(|h| PathBuf::from(h).join(".cache/marginalia"))
}

const CACHE_VERSION: u32 = 3;

fn cache_name(path: &Path, meta: &std::fs::Metadata) -> String {
    let canon = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let key = format!(
        "{}|{}|{mtime}|{CACHE_VERSION}|{}",
        canon.display(),
        meta.len(),
        env!("CARGO_PKG_VERSION")
    );
    let h = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("ror-{h:016x}.bin")
}

// The cache format: "MGROR" + version, then records as length-prefixed strings.
const MAGIC: &[u8] = b"MGROR";

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, s: &Option<String>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

fn put_list(out: &mut Vec<u8>, l: &[String]) {
    out.extend_from_slice(&(l.len() as u32).to_le_bytes());
    for s in l {
        put_str(out, s);
    }
}

const KINDS: &[InstitutionType] = &[
    InstitutionType::University,
    InstitutionType::Academy,
    InstitutionType::ResearchOrganisation,
    InstitutionType::Government,
    InstitutionType::Association,
    InstitutionType::Company,
    InstitutionType::InternationalOrganisation,
    InstitutionType::Facility,
    InstitutionType::Other,
];

fn encode(records: &[Institution]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.len() * 128);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CACHE_VERSION.to_le_bytes());
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    for r in records {
        put_str(&mut out, &r.key);
        out.push(
            KINDS
                .iter()
                .position(|k| *k == r.kind)
                .unwrap_or(KINDS.len() - 1) as u8,
        );
        put_opt(&mut out, &r.country);
        put_opt(&mut out, &r.city);
        put_str(&mut out, &r.name);
        out.extend_from_slice(&(r.names.len() as u32).to_le_bytes());
        for (k, v) in &r.names {
            put_str(&mut out, k);
            put_str(&mut out, v);
        }
        put_list(&mut out, &r.acronyms);
        put_list(&mut out, &r.aliases);
        put_list(&mut out, &r.former_names);
        put_opt(&mut out, &r.parent);
        put_opt(&mut out, &r.successor);
        put_opt(&mut out, &r.ror);
        put_opt(&mut out, &r.wikidata);
    }
    out
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u32(&mut self) -> Option<u32> {
        let s = self.b.get(self.at..self.at + 4)?;
        self.at += 4;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }
    fn str(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        String::from_utf8(s.to_vec()).ok()
    }
    fn opt(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            _ => self.str().map(Some),
        }
    }
    fn list(&mut self) -> Option<Vec<String>> {
        let n = self.u32()? as usize;
        let mut v = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            v.push(self.str()?);
        }
        Some(v)
    }
}

/// Reads a cache file; `None` when it is not a complete cache of this version.
fn decode(b: &[u8]) -> Option<Vec<Institution>> {
    let mut r = Reader {
        b: b.strip_prefix(MAGIC)?,
        at: 0,
    };
    if r.u32()? != CACHE_VERSION {
        return None;
    }
    let n = r.u32()? as usize;
    let mut out = Vec::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let key = r.str()?;
        let kind = *KINDS.get(r.u8()? as usize)?;
        let country = r.opt()?;
        let city = r.opt()?;
        let name = r.str()?;
        let mut names = std::collections::BTreeMap::new();
        for _ in 0..r.u32()? {
            let k = r.str()?;
            names.insert(k, r.str()?);
        }
        let acronyms = r.list()?;
        let aliases = r.list()?;
        let former_names = r.list()?;
        let parent = r.opt()?;
        let successor = r.opt()?;
        let ror = r.opt()?;
        let wikidata = r.opt()?;
        out.push(Institution {
            key,
            kind,
            country,
            city,
            name,
            names,
            acronyms,
            aliases,
            former_names,
            parent,
            successor,
            ror,
            wikidata,
            origin: Origin::Ror,
        });
    }
    (r.at == r.b.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = r#"[{"id": "https://ror.org/02egmk993", "status": "active", "types": ["education"],
        "names": [{"value": "University of Science and Technology Beijing", "types": ["ror_display", "label"], "lang": "en"},
                  {"value": "USTB", "types": ["acronym"], "lang": null}],
        "locations": [{"geonames_details": {"country_code": "CN"}}], "external_ids": []}]"#;

    fn config(toml: &str) -> Config {
        Config::parse(toml).unwrap()
    }

    #[test]
    fn workspace_files_override_and_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ours.toml"),
            "[[institution]]\nkey = \"kust\"\ntype = \"university\"\ncountry = \"CN\"\nname = \"Kunming University of Science and Technology (our record)\"\n\n[[institution]]\nkey = \"souphanouvong\"\ntype = \"university\"\ncountry = \"LA\"\nname = \"Souphanouvong University\"\n",
        )
        .unwrap();
        let g = load(
            dir.path(),
            &config("[gazetteer]\nfiles = [\"ours.toml\"]\n"),
            None,
        )
        .unwrap();
        assert_eq!(
            g.get("kust").unwrap().name,
            "Kunming University of Science and Technology (our record)"
        );
        assert_eq!(
            g.get("souphanouvong").unwrap().country.as_deref(),
            Some("LA")
        );
        assert!(g.len() > 600, "the embedded records are kept");

        std::fs::write(
            dir.path().join("bad.toml"),
            "[[institution]]\nkey = \"x\"\nname = \"X\"\ncountry = \"XX\"\n",
        )
        .unwrap();
        let e = load(
            dir.path(),
            &config("[gazetteer]\nfiles = [\"bad.toml\"]\n"),
            None,
        )
        .unwrap_err();
        assert!(e.path.ends_with("bad.toml") && e.line == Some(2), "{e}");
        assert!(e.to_string().contains("XX"), "{e}");

        let e = load(
            dir.path(),
            &config("[gazetteer]\nfiles = [\"../outside.toml\"]\n"),
            None,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("outside") || e.to_string().contains("cannot open"),
            "{e}"
        );
    }

    #[test]
    fn a_json_dump_and_its_zip_load_through_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("MARGINALIA_CACHE_DIR", dir.path().join("cache"));
        let json = dir.path().join("ror.json");
        std::fs::write(&json, DUMP).unwrap();
        let first = load_ror(&json).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].acronyms, ["USTB"]);
        let cached = std::fs::read_dir(dir.path().join("cache")).unwrap().count();
        assert_eq!(cached, 1);
        assert_eq!(
            load_ror(&json).unwrap(),
            first,
            "the cache gives the same records"
        );

        let zip_path = dir.path().join("v1.0-ror-data.zip");
        {
            let f = std::fs::File::create(&zip_path).unwrap();
            let mut w = zip::ZipWriter::new(f);
            w.start_file::<_, ()>(
                "v1.0-ror-data_schema_v2.json",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(&mut w, DUMP.as_bytes()).unwrap();
            w.finish().unwrap();
        }
        let g = load(
            dir.path(),
            &config("[gazetteer]\nror_dump = \"v1.0-ror-data.zip\"\n"),
            None,
        )
        .unwrap();
        assert!(g.has_ror_dump());
        // The index was built and saved; a second start reads it back and finds the same.
        let index_file = std::fs::read_dir(dir.path().join("cache"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("index-"))
            .expect("the index is cached");
        let bytes = std::fs::read(&index_file).unwrap();
        assert!(index::Index::from_bytes(&bytes[..bytes.len() - 1], g.len()).is_none());
        let again = load(
            dir.path(),
            &config("[gazetteer]\nror_dump = \"v1.0-ror-data.zip\"\n"),
            None,
        )
        .unwrap();
        assert!(again.has_index());
        // The near-miss index too: cached under the same fingerprint, refused when cut
        // short, read back (not rebuilt) on the second start.
        let fuzzy_file = index_file.with_file_name(
            index_file
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace("index-", "fuzzy-"),
        );
        let bytes = std::fs::read(&fuzzy_file).expect("the near-miss index is cached");
        assert!(fuzzy::Fuzzy::from_bytes(&bytes, g.len()).is_some());
        assert!(fuzzy::Fuzzy::from_bytes(&bytes[..bytes.len() - 1], g.len()).is_none());
        assert_eq!(again.fuzzy().to_bytes(), bytes);
        assert!(again.has_fuzzy());
        let near = "Universty of Science and Technology Beijing";
        assert_eq!(again.near_name(near), g.near_name(near));
        assert_eq!(
            again
                .near_name(near)
                .and_then(|i| again.at(i))
                .map(|r| r.key.as_str()),
            Some("ustb")
        );
        // A cache file that does not decode is ignored: the index is built afresh (and
        // the file rewritten).
        std::fs::write(&fuzzy_file, b"MGFZ\x01junk").unwrap();
        let third = load(
            dir.path(),
            &config("[gazetteer]\nror_dump = \"v1.0-ror-data.zip\"\n"),
            None,
        )
        .unwrap();
        assert_eq!(third.near_name(near), g.near_name(near));
        assert_eq!(std::fs::read(&fuzzy_file).unwrap(), bytes);
        let found = again.find_by_name("University of Science and Technology, Beijing");
        assert_eq!(found.first().map(|r| r.key.as_str()), Some("ustb"));
        let ustb = g.get("ustb").unwrap();
        assert_eq!(
            ustb.ror.as_deref(),
            Some("02egmk993"),
            "the dump's record merged into the curated one"
        );

        std::fs::write(dir.path().join("broken.json"), "[\n{\"id\": 1}]").unwrap();
        let e = load_ror(&dir.path().join("broken.json")).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }
}
