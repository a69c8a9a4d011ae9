//! The language server measured through the real protocol: the release binary spawned with
//! pipes, JSON-RPC with Content-Length framing, timing from the client's side.

use crate::corpus::{self, Lang};
use crate::{marginalia_bin, median, ms, percentile, ror_path};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

struct Session {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Value>,
    started: Instant,
    next_id: i64,
}

impl Session {
    fn start(root: &Path, cache: &Path) -> Session {
        let started = Instant::now();
        let mut child = Command::new(marginalia_bin())
            .arg("lsp")
            .current_dir(root)
            .env("MARGINALIA_CACHE_DIR", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn marginalia lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Session {
            child,
            stdin,
            incoming,
            started,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> (Value, Duration) {
        let id = self.next_id;
        self.next_id += 1;
        let t = Instant::now();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let v = self.wait(|m| m["id"] == json!(id) && m.get("method").is_none());
        (v, t.elapsed())
    }

    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .incoming
                .recv_timeout(left)
                .expect("the server answered in time");
            if m.get("method").is_some() && m.get("id").is_some() {
                let result = if m["method"] == "workspace/configuration" {
                    Value::Array(vec![
                        Value::Null;
                        m["params"]["items"].as_array().map_or(0, Vec::len)
                    ])
                } else {
                    Value::Null
                };
                let id = m["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
                continue;
            }
            if pred(&m) {
                return m;
            }
        }
    }

    fn initialize(&mut self, root: &Path) -> Duration {
        self.initialize_with(root, json!({"general": {"positionEncodings": ["utf-16"]}}))
    }

    fn initialize_with(&mut self, root: &Path, capabilities: Value) -> Duration {
        let uri = format!("file://{}", root.display());
        self.request(
            "initialize",
            json!({"processId": null, "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "bench"}],
                   "capabilities": capabilities}),
        );
        let d = self.started.elapsed();
        self.notify("initialized", json!({}));
        d
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
        );
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        })
    }

    /// CPU time (user + system) the server process has used so far: a figure a busy
    /// machine disturbs less than wall-clock latencies.
    fn cpu_time(&self) -> Duration {
        let ticks = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .ok()
            .and_then(|s| {
                // Fields after the command name (which may hold spaces) in parentheses.
                let rest = s.get(s.rfind(')')? + 2..)?.to_string();
                let f: Vec<&str> = rest.split_whitespace().collect();
                Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
            })
            .unwrap_or(0);
        // Linux reports clock ticks of 1/100 s (USER_HZ).
        Duration::from_millis(ticks * 10)
    }

    /// Time the server's threads have spent on a CPU and waiting for one, in nanoseconds
    /// (`/proc/<pid>/task/*/schedstat`, summed): what a slow edit was doing.
    fn sched_ns(&self) -> (u64, u64) {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id()));
        let mut sum = (0, 0);
        for task in tasks.into_iter().flatten().flatten() {
            let Ok(s) = std::fs::read_to_string(task.path().join("schedstat")) else {
                continue;
            };
            let mut f = s.split_whitespace().map(|x| x.parse::<u64>().unwrap_or(0));
            sum.0 += f.next().unwrap_or(0);
            sum.1 += f.next().unwrap_or(0);
        }
        sum
    }

    /// Peak resident memory (VmHWM) of the server process, in MB.
    fn peak_rss_mb(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    fn finish(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

/// A workspace folder: marginalia.toml with no debounce (so latencies are the server's own
/// work, not the editor-friendly 50 ms wait) and, optionally, the ROR subset copied in.
fn workspace(ror: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("[editor]\ndebounce_ms = 0\n");
    if ror {
        if let Some(p) = ror_path() {
            std::fs::copy(&p, dir.path().join("ror.json")).unwrap();
            toml.push_str("\n[gazetteer]\nror_dump = \"ror.json\"\n");
        }
    }
    std::fs::write(dir.path().join("marginalia.toml"), toml).unwrap();
    std::fs::create_dir_all(dir.path().join("articles")).unwrap();
    dir
}

fn uri_of(root: &Path, name: &str) -> String {
    format!("file://{}/articles/{name}", root.display())
}

/// Body lines of `text` holding an institution acronym, as (line, character) for hovers.
fn mention_position(text: &str, word: &str) -> (u32, u32) {
    for (i, l) in text.lines().enumerate() {
        if let Some(c) = l.find(word) {
            return (i as u32, l[..c].encode_utf16().count() as u32 + 1);
        }
    }
    (0, 0)
}

fn startup(ror: bool, cache: &Path) -> (Duration, Duration, f64) {
    let text = corpus::article(1, Lang::English, 10 << 10, true);
    let mut inits = Vec::new();
    let mut firsts = Vec::new();
    let mut rss = 0.0;
    // One workspace for the five starts, so the ROR dump's on-disk cache (keyed by the dump's
    // path and metadata) is warm after the first.
    let ws = workspace(ror);
    let uri = uri_of(ws.path(), "start.md");
    std::fs::write(ws.path().join("articles/start.md"), &text).unwrap();
    for _ in 0..5 {
        let mut s = Session::start(ws.path(), cache);
        inits.push(s.initialize(ws.path()));
        s.open(&uri, &text);
        s.diagnostics(&uri, 1);
        firsts.push(s.started.elapsed());
        rss = s.peak_rss_mb();
        s.finish();
    }
    (median(inits), median(firsts), rss)
}

/// What [`edits`] measured.
struct Edits {
    p50: Duration,
    p99: Duration,
    bytes: usize,
    /// Diagnostics of the last version.
    diagnostics: usize,
    /// Server CPU time per edit (user + system, all threads).
    cpu: Duration,
}

fn edits(s: &mut Session, root: &Path, lang: Lang, size: usize, count: usize) -> Edits {
    let text = corpus::article(3, lang, size, true);
    let name = match lang {
        Lang::English => format!("edit-{size}.md"),
        Lang::Chinese => format!("edit-zh-{size}.md"),
    };
    let uri = uri_of(root, &name);
    s.open(&uri, &text);
    s.diagnostics(&uri, 1);
    let lines = text.lines().count() as u64;
    let mut rng = corpus::Rng::new(size as u64);
    let mut lat = Vec::new();
    // With `MARGINALIA_BENCH_EDITS`: each edit's server time on a CPU and waiting for one.
    let each_edit = std::env::var_os("MARGINALIA_BENCH_EDITS").is_some();
    let mut sched = Vec::new();
    let mut diagnostics = 0;
    let cpu_before = s.cpu_time();
    for i in 0..count {
        let version = i as i64 + 2;
        // Type one character at the start of a body line (after the front-matter).
        let line = 12 + rng.next() % (lines - 14).max(1);
        let change = json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "a"});
        let before = if each_edit { s.sched_ns() } else { (0, 0) };
        let t = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        let d = s.diagnostics(&uri, version);
        lat.push(t.elapsed());
        if each_edit {
            let after = s.sched_ns();
            sched.push((
                after.0.saturating_sub(before.0),
                after.1.saturating_sub(before.1),
            ));
        }
        diagnostics = d["params"]["diagnostics"].as_array().map_or(0, Vec::len);
        if i + 1 == count {
            // To look at what the server sends: MARGINALIA_BENCH_DUMP=<folder>.
            if let Some(dir) = std::env::var_os("MARGINALIA_BENCH_DUMP") {
                let dir = Path::new(&dir);
                let _ = std::fs::write(dir.join(format!("{name}.json")), d.to_string());
                let _ = std::fs::write(dir.join(&name), &text);
            }
        }
    }
    // Each edit on the error stream, in order, as latency/on-CPU/waiting-for-a-CPU ms:
    // whether a high p99 is one slow edit or many, and the server's doing or not
    // (`MARGINALIA_BENCH_EDITS=1 marginalia-bench lsp`).
    if each_edit {
        let ms = |ns: u64| ns as f64 / 1e6;
        let each: Vec<String> = lat
            .iter()
            .zip(&sched)
            .map(|(d, &(run, wait))| {
                format!(
                    "{:.1}/{:.1}/{:.1}",
                    d.as_secs_f64() * 1e3,
                    ms(run),
                    ms(wait)
                )
            })
            .collect();
        eprintln!("edits, {name}, ms: {}", each.join(" "));
    }
    Edits {
        p50: percentile(&lat, 0.5),
        p99: percentile(&lat, 0.99),
        bytes: text.len(),
        diagnostics,
        cpu: s.cpu_time().saturating_sub(cpu_before) / count.max(1) as u32,
    }
}

/// `count` hovers and code actions on a 10 KB article: their latencies, in that order.
fn requests(s: &mut Session, root: &Path, count: usize) -> (Vec<Duration>, Vec<Duration>) {
    let text = corpus::article(5, Lang::English, 10 << 10, true);
    let uri = uri_of(root, "requests.md");
    s.open(&uri, &text);
    let diags = s.diagnostics(&uri, 1);
    let (line, character) = mention_position(&text, "KUST");
    let mut hover = Vec::new();
    let mut action = Vec::new();
    let range = diags["params"]["diagnostics"]
        .get(0)
        .map(|d| d["range"].clone())
        .unwrap_or_else(|| json!({"start": {"line": line, "character": 0}, "end": {"line": line, "character": 1}}));
    let first = diags["params"]["diagnostics"]
        .as_array()
        .map(|a| a.iter().take(1).cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    for _ in 0..count {
        let (_, d) = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        hover.push(d);
        let (_, d) = s.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": first}}),
        );
        action.push(d);
    }
    (hover, action)
}

/// What [`pulls`] measured.
struct Pulls {
    bytes: usize,
    diagnostics: usize,
    /// The size of the last `textDocument/diagnostic` result, as JSON.
    json: usize,
    p50: Duration,
    rss: f64,
}

/// A client that pulls diagnostics (VS Code's capabilities): the 2 MB article opened, then
/// `count` edits, each followed by a full `textDocument/diagnostic` (no `previousResultId`,
/// as after the client forgot them) once the server has analysed it. A session of its own,
/// so that its peak RSS is the pulls'.
fn pulls(ror: bool, cache: &Path, count: usize) -> Pulls {
    let ws = workspace(ror);
    let mut s = Session::start(ws.path(), cache);
    s.initialize_with(
        ws.path(),
        json!({"general": {"positionEncodings": ["utf-16"]},
               "textDocument": {"diagnostic": {"dynamicRegistration": false}},
               "workspace": {"diagnostics": {"refreshSupport": true}}}),
    );
    let text = corpus::article(3, Lang::English, 2 << 20, true);
    let uri = uri_of(ws.path(), "pull.md");
    s.open(&uri, &text);
    let lines = text.lines().count() as u64;
    let mut rng = corpus::Rng::new(7);
    let mut lat = Vec::new();
    let (mut diagnostics, mut json) = (0, 0);
    for i in 0..=count {
        if i > 0 {
            let version = i as i64 + 1;
            let line = 12 + rng.next() % (lines - 14).max(1);
            let change = json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "a"});
            s.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
            );
        }
        // The server answers for the latest version (analysed for the request if need be).
        let (r, d) = s.request(
            "textDocument/diagnostic",
            json!({"identifier": "marginalia", "textDocument": {"uri": uri}}),
        );
        lat.push(d);
        diagnostics = r["result"]["items"].as_array().map_or(0, Vec::len);
        json = r["result"].to_string().len();
    }
    let rss = s.peak_rss_mb();
    s.finish();
    Pulls {
        bytes: text.len(),
        diagnostics,
        json,
        p50: percentile(&lat, 0.5),
        rss,
    }
}

/// A short editing session, for the profile-guided build (`tools/pgo/build.sh` runs it against
/// the instrumented binary): start, typing into English and Chinese articles of 10 KB to 2 MB,
/// hovers and code actions, pulled diagnostics; the embedded gazetteer. Prints what it timed,
/// from too few samples to quote. Unlike the benchmarks, a missing binary is an error.
pub fn train() -> Result<(), String> {
    let bin = marginalia_bin();
    if !bin.exists() {
        return Err(format!("{} does not exist: build it first", bin.display()));
    }
    let cache = tempfile::tempdir().map_err(|e| format!("a temporary folder: {e}"))?;
    let (init, first, _) = startup(false, cache.path());
    println!(
        "start → initialize {} ms, → first diagnostics {} ms",
        ms(init),
        ms(first)
    );
    let ws = workspace(false);
    let mut s = Session::start(ws.path(), cache.path());
    s.initialize(ws.path());
    for (lang, size, count) in [
        (Lang::English, 10 << 10, 60),
        (Lang::Chinese, 10 << 10, 60),
        (Lang::English, 200 << 10, 15),
        (Lang::Chinese, 200 << 10, 15),
        (Lang::English, 2 << 20, 3),
    ] {
        let e = edits(&mut s, ws.path(), lang, size, count);
        println!(
            "{lang:?} {} KB: {count} edits, p50 {} ms, {} diagnostics",
            e.bytes >> 10,
            ms(e.p50),
            e.diagnostics
        );
    }
    let (hover, action) = requests(&mut s, ws.path(), 30);
    println!(
        "hover p50 {} ms, codeAction p50 {} ms",
        ms(percentile(&hover, 0.5)),
        ms(percentile(&action, 0.5))
    );
    s.finish();
    let p = pulls(false, cache.path(), 3);
    println!("pulled diagnostics p50 {} ms", ms(p.p50));
    Ok(())
}

/// Whether the server binary is absent (then says the benchmark is skipped).
fn binary_missing() -> bool {
    let missing = !marginalia_bin().exists();
    if missing {
        println!(
            "(LSP benchmark skipped: {} is not built)\n",
            marginalia_bin().display()
        );
    }
    missing
}

/// Only the pulling client's session, `runs` times (for medians of its peak RSS on a busy
/// machine): `MARGINALIA_BENCH_LSP_PULL=<runs> marginalia-bench lsp`.
fn run_pull(runs: usize) {
    if binary_missing() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    print_pulls_header();
    for _ in 0..runs.max(1) {
        print_pulls(&pulls(false, cache.path(), 10));
    }
}

fn print_pulls_header() {
    println!("#### Pulled diagnostics (`textDocument/diagnostic`), embedded gazetteer\n");
    println!("A session of its own: the 2 MB article opened, 10 edits, a full pull after each.\n");
    println!("| article | diagnostics | result JSON KB | pull p50 ms | peak RSS MB |");
    println!("|---|---|---|---|---|");
}

fn print_pulls(p: &Pulls) {
    println!(
        "| {} KB | {} | {} | {} | {:.1} |",
        p.bytes >> 10,
        p.diagnostics,
        p.json >> 10,
        ms(p.p50),
        p.rss
    );
}

pub fn run() {
    if let Some(runs) = std::env::var("MARGINALIA_BENCH_LSP_PULL")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return run_pull(runs);
    }
    if binary_missing() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    println!("### Language server, through the protocol (release binary, stdio)\n");
    println!("Latencies from the client's side; `[editor] debounce_ms = 0` so they show the server's work (editors add the 50 ms default debounce on top).\n");
    println!("| gazetteer | start → `initialize` response ms | start → first diagnostics (10 KB) ms | peak RSS MB |");
    println!("|---|---|---|---|");
    let (init, first, rss) = startup(false, cache.path());
    println!("| embedded | {} | {} | {rss:.1} |", ms(init), ms(first));
    if ror_path().is_some() {
        // Cold: the first start parses the JSON dump and writes the cache; the median of the
        // five starts shows the warm cache.
        let ws = workspace(true);
        let text = corpus::article(1, Lang::English, 10 << 10, true);
        let uri = uri_of(ws.path(), "cold.md");
        let mut s = Session::start(ws.path(), cache.path());
        s.initialize(ws.path());
        s.open(&uri, &text);
        s.diagnostics(&uri, 1);
        let cold = s.started.elapsed();
        s.finish();
        let (init, first, rss) = startup(true, cache.path());
        println!(
            "| + ROR subset (warm cache) | {} | {} | {rss:.1} |",
            ms(init),
            ms(first)
        );
        println!(
            "| + ROR subset (cold: parse the 56 MB dump) | | {} | |",
            ms(cold)
        );
    }
    println!();

    for (label, ror) in [("embedded", false), ("+ ROR subset", true)] {
        if ror && ror_path().is_none() {
            continue;
        }
        let ws = workspace(ror);
        let mut s = Session::start(ws.path(), cache.path());
        s.initialize(ws.path());
        println!("#### Edit → fresh diagnostics, {label} gazetteer\n");
        println!("| article | edits | diagnostics | p50 ms | p99 ms | server CPU ms per edit |");
        println!("|---|---|---|---|---|---|");
        for (size, count) in [(10 << 10, 300), (200 << 10, 100), (2 << 20, 40)] {
            let e = edits(&mut s, ws.path(), Lang::English, size, count);
            println!(
                "| {} KB | {count} | {} | {} | {} | {} |",
                e.bytes >> 10,
                e.diagnostics,
                ms(e.p50),
                ms(e.p99),
                ms(e.cpu)
            );
        }
        let (hover, action) = requests(&mut s, ws.path(), 100);
        println!();
        println!("| request (10 KB article) | p50 ms | p99 ms |");
        println!("|---|---|---|");
        println!(
            "| hover | {} | {} |",
            ms(percentile(&hover, 0.5)),
            ms(percentile(&hover, 0.99))
        );
        println!(
            "| codeAction | {} | {} |",
            ms(percentile(&action, 0.5)),
            ms(percentile(&action, 0.99))
        );
        println!(
            "\nPeak RSS of this session (10 KB, 200 KB and 2 MB articles open): {:.1} MB\n",
            s.peak_rss_mb()
        );
        s.finish();
    }
    print_pulls_header();
    print_pulls(&pulls(false, cache.path(), 10));
    println!();
}
