//! `tenbin site build` and `tenbin site serve`: the public site, built from `models/` and
//! `content/` by `tenbin-site`, and a local preview server that rebuilds on change.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use percent_encoding::percent_decode_str;
use tenbin_site::{Built, Options, Search};

use super::Error;

/// Arguments of `tenbin site`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: SiteCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SiteCommand {
    /// Run every scenario (cached) and write the whole site, replacing the old one only when
    /// everything succeeded.
    Build(BuildArgs),
    /// Build, serve the site on 127.0.0.1 and rebuild whenever a scenario, page, template or
    /// asset changes.
    Serve(ServeArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct BuildArgs {
    /// Where to write the site.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// The project's root (holding models/, content/ and site/).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Probabilistic draws per scenario.
    #[arg(long, default_value_t = 10_000)]
    draws: usize,
    /// Seed of the random streams.
    #[arg(long, default_value_t = tenbin_engine::run::RunOptions::default().seed)]
    seed: u64,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Where run results are cached (default: target/tenbin-site-cache under the root).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Skip the search index (the search page then says search is unavailable).
    #[arg(long)]
    no_search: bool,
    /// Leave out the in-browser calculator (otherwise site/tools/build-calculator builds it,
    /// installing its tools the first time).
    #[arg(long)]
    no_calculator: bool,
    /// The Pagefind executable (default: $TENBIN_PAGEFIND, then
    /// site/tools/node_modules/.bin/pagefind, then pagefind on the PATH).
    #[arg(long)]
    pagefind: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    port: u16,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    match &args.command {
        SiteCommand::Build(b) => {
            let opts = options(b)?;
            let started = Instant::now();
            let built = tenbin_site::build(&opts)?;
            report(&built, &opts, started.elapsed());
            Ok(ExitCode::SUCCESS)
        }
        SiteCommand::Serve(s) => serve(s),
    }
}

fn options(b: &BuildArgs) -> Result<Options, Error> {
    let mut opts = Options::new(&b.root);
    opts.out = b.out.clone();
    opts.draws = b.draws;
    opts.seed = b.seed;
    opts.threads = b.threads;
    if let Some(c) = &b.cache {
        opts.cache = c.clone();
    }
    opts.search = if b.no_search {
        Search::Off
    } else {
        Search::Pagefind(find_pagefind(&b.root, b.pagefind.as_deref())?)
    };
    if !b.no_calculator {
        opts.calculator = Some(build_calculator(&b.root)?);
    }
    Ok(opts)
}

/// Builds the calculator's WebAssembly (a second or two when nothing changed) and returns the
/// directory holding it.
fn build_calculator(root: &Path) -> Result<PathBuf, Error> {
    let script = root.join("site/tools/build-calculator");
    let status = std::process::Command::new(&script)
        .status()
        .map_err(|e| format!("could not run {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!(
            "{} failed (see above); build without the calculator with --no-calculator",
            script.display()
        )
        .into());
    }
    Ok(root.join("target/calculator/web"))
}

/// Finds Pagefind, or says how to get it.
fn find_pagefind(root: &Path, given: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("TENBIN_PAGEFIND") {
        return Ok(PathBuf::from(p));
    }
    let local = root.join("site/tools/node_modules/.bin/pagefind");
    if local.is_file() {
        return Ok(local);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("pagefind");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(
        "the search index needs Pagefind, which was not found: run `site/tools/setup` \
         (or pass --pagefind PATH), or build without search with --no-search"
            .into(),
    )
}

fn report(built: &Built, opts: &Options, elapsed: Duration) {
    for s in &built.scenarios {
        let how = if s.cached { "cached" } else { "ran" };
        eprintln!("  {} ({}): {} draws, {how}", s.id, s.file, s.draws);
    }
    eprintln!(
        "built {} pages ({} files) in {} in {:.1} s{}",
        built.pages,
        built.files,
        opts.out.display(),
        elapsed.as_secs_f64(),
        if built.searchable {
            ", with search"
        } else {
            ", without search"
        }
    );
}

/// Builds, serves and rebuilds on change until interrupted. A failed rebuild is printed and the
/// previous site keeps being served.
fn serve(args: &ServeArgs) -> Result<ExitCode, Error> {
    let opts = options(&args.build)?;
    let started = Instant::now();
    let built = tenbin_site::build(&opts)?;
    report(&built, &opts, started.elapsed());

    let server = tiny_http::Server::http(("127.0.0.1", args.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    eprintln!(
        "serving {} at http://127.0.0.1:{}/ (Ctrl-C to stop)",
        opts.out.display(),
        args.port
    );
    let site_dir = Arc::new(RwLock::new(opts.out.clone()));

    // Rebuild on change, on a thread of its own; requests keep being answered meanwhile.
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    for dir in ["models", "content", "site/templates", "site/assets"] {
        let p = opts.root.join(dir);
        if p.exists() {
            notify::Watcher::watch(&mut watcher, &p, notify::RecursiveMode::Recursive)?;
        }
    }
    let i18n = opts.root.join("site/i18n.toml");
    notify::Watcher::watch(&mut watcher, &i18n, notify::RecursiveMode::NonRecursive)?;
    let lock = Arc::clone(&site_dir);
    let rebuild_opts = opts.clone();
    std::thread::spawn(move || {
        let _watcher = watcher;
        while let Ok(event) = rx.recv() {
            // The build itself opens and reads the watched files: only changes count.
            if !event.is_ok_and(|e| is_change(&e.kind)) {
                continue;
            }
            // Editors write several events per save: wait for quiet, then build once.
            while rx.recv_timeout(Duration::from_millis(200)).is_ok() {}
            let started = Instant::now();
            let _guard = lock.write();
            match tenbin_site::build(&rebuild_opts) {
                Ok(b) => report(&b, &rebuild_opts, started.elapsed()),
                Err(e) => eprintln!("error: {e}\n(still serving the previous site)"),
            }
        }
    });

    for request in server.incoming_requests() {
        // Reading under the lock: a rebuild swaps the directory only between requests.
        let response = {
            let dir = site_dir.read().unwrap_or_else(|e| e.into_inner());
            respond(&dir, request.url())
        };
        let _ = request.respond(response);
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether a file-system event changes what the site is built from (reads do not).
fn is_change(kind: &notify::EventKind) -> bool {
    matches!(
        kind,
        notify::EventKind::Create(_) | notify::EventKind::Modify(_) | notify::EventKind::Remove(_)
    ) && !matches!(
        kind,
        notify::EventKind::Modify(notify::event::ModifyKind::Metadata(_))
    )
}

/// The file for a request path, with its type; `index.html` for directories; 404 otherwise.
fn respond(dir: &Path, url: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    // Never serve anything outside the site directory.
    let safe = !decoded.split('/').any(|p| p == "..");
    let mut file = dir.join(decoded.trim_start_matches('/'));
    if file.is_dir() {
        file = file.join("index.html");
    }
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).ok();
    match std::fs::read(&file) {
        Ok(bytes) if safe => {
            let mut r = tiny_http::Response::from_data(bytes);
            if let Some(h) = header("Content-Type", content_type(&file)) {
                r.add_header(h);
            }
            if let Some(h) = header("Cache-Control", "no-store") {
                r.add_header(h);
            }
            r
        }
        _ => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_server_serves_files_and_nothing_outside() {
        let dir = std::env::temp_dir().join(format!("tenbin-serve-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("ja/scenarios")).unwrap();
        std::fs::write(dir.join("ja/scenarios/index.html"), "<p>page</p>").unwrap();
        std::fs::write(dir.join("a b.csv"), "x\n").unwrap();
        // A file beside the site, which no request may reach.
        let secret = std::env::temp_dir().join("tenbin-serve-secret.txt");
        std::fs::write(&secret, "no").unwrap();
        assert_eq!(respond(&dir, "/ja/scenarios/").status_code().0, 200);
        assert_eq!(respond(&dir, "/ja/scenarios/?q=1#x").status_code().0, 200);
        assert_eq!(respond(&dir, "/a%20b.csv").status_code().0, 200);
        assert_eq!(respond(&dir, "/missing/").status_code().0, 404);
        assert_eq!(
            respond(&dir, "/../tenbin-serve-secret.txt").status_code().0,
            404
        );
        assert_eq!(
            respond(&dir, "/%2e%2e/tenbin-serve-secret.txt")
                .status_code()
                .0,
            404
        );
        assert_eq!(
            content_type(Path::new("x/pagefind.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x/wasm.ja.pagefind")),
            "application/octet-stream"
        );
        assert_eq!(
            percent_decode_str("%E4%BE%A1%E6%A0%BC").decode_utf8_lossy(),
            "価格"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_file(&secret).unwrap();
    }

    #[test]
    fn reading_a_file_does_not_trigger_a_rebuild() {
        use notify::event::{AccessKind, CreateKind, DataChange, ModifyKind};
        assert!(!is_change(&notify::EventKind::Access(AccessKind::Any)));
        assert!(is_change(&notify::EventKind::Create(CreateKind::File)));
        assert!(is_change(&notify::EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
    }
}
