//! Throughput and memory of the probabilistic analysis on the reference model
//! (`docs/reference-model.md`), timed in the same run as the numpy yardstick
//! (`benches/numpy_ref.py`) so that the ratio, not the absolute time, is what is compared.
//!
//! `cargo bench --bench reference` runs 10,000, 100,000 and 1,000,000 draws with 1 and 2
//! threads, each in a child process of its own so that its peak resident memory is its own,
//! three rounds interleaved with numpy, and prints a Markdown table of medians for
//! `benches/README.md`. Timing covers sampling, the model and the summary (as the
//! specification asks), not process start-up or reading the scenario.
//! `--sizes 10000,100000` and `--rounds 1` shorten it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/models/reference/durable-gene-therapy.toml"
);

/// Peak resident memory of this process in MB (Linux), from /proc/self/status.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One measurement in this process; prints `seconds peak_mb mean p50 p2_5 p97_5`.
fn child(draws: usize, threads: usize) {
    let sc = Scenario::load(Path::new(MODEL)).expect("reference model");
    let analysis = Analysis::new(&sc);
    let base = analysis.base_case().expect("base case");
    let opts = RunOptions {
        seed: 1,
        draws,
        threads: Some(threads),
        ..RunOptions::default()
    };
    // Start the thread pool before the clock, as numpy's import happens before its clock.
    let _ = analysis.psa(
        &RunOptions {
            draws: 16,
            ..opts.clone()
        },
        &|_| {},
    );
    let t0 = Instant::now();
    let psa = analysis.psa(&opts, &|_| {}).expect("psa");
    let report = Report::new(&sc, &base, Some(&psa));
    let seconds = t0.elapsed().as_secs_f64();
    let t = &report.threshold_price[0];
    println!(
        "{seconds} {} {} {} {} {}",
        peak_rss_mb(),
        t.mean.unwrap_or(f64::NAN),
        t.p50.unwrap_or(f64::NAN),
        t.p2_5.unwrap_or(f64::NAN),
        t.p97_5.unwrap_or(f64::NAN)
    );
}

struct Run {
    seconds: f64,
    peak_mb: f64,
    summary: [f64; 4],
}

fn engine(draws: usize, threads: usize) -> Run {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(["--child", &draws.to_string(), &threads.to_string()])
        .output()
        .expect("run child");
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    assert_eq!(
        v.len(),
        6,
        "child output: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        seconds: v[0],
        peak_mb: v[1],
        summary: [v[2], v[3], v[4], v[5]],
    }
}

/// numpy_ref.py's own wall time (sampling, model, summary) and peak memory.
fn numpy(draws: usize) -> Option<Run> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/numpy_ref.py");
    if !script.exists() {
        return None;
    }
    let code = format!(
        "import json, resource, runpy, sys, io, contextlib\n\
         sys.argv = ['numpy_ref.py', '--draws', '{draws}', '--seed', '1']\n\
         buf = io.StringIO()\n\
         with contextlib.redirect_stdout(buf):\n    runpy.run_path({:?}, run_name='__main__')\n\
         r = json.loads(buf.getvalue())\n\
         t = r['threshold_price']\n\
         print(r['wall_s'], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, t['mean'], t['median'], t['q025'], t['q975'])\n",
        script.display().to_string()
    );
    let out = Command::new("python3").args(["-c", &code]).output().ok()?;
    let v: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    (v.len() == 6).then(|| Run {
        seconds: v[0],
        peak_mb: v[1],
        summary: [v[2], v[3], v[4], v[5]],
    })
}

fn median(mut x: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    x[x.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(
            args[i + 1].parse().expect("draws"),
            args[i + 2].parse().expect("threads"),
        );
        return;
    }
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let sizes: Vec<usize> = flag("--sizes")
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let rounds: usize = flag("--rounds").and_then(|r| r.parse().ok()).unwrap_or(3);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let isa = tenbin_engine::model::kernel::Isa::detect();
    println!(
        "machine: {cpu}, {} cores; kernel: {isa:?}; {rounds} rounds, medians",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    println!(
        "| draws | numpy draws/s (1 core) | Tenbin draws/s, 1 thread | Tenbin draws/s, 2 threads | x numpy (2 threads) | peak MB numpy / Tenbin (2 threads) | P*(5M) mean, numpy / Tenbin (yen) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for &n in &sizes {
        let (mut np, mut t1, mut t2) = (Vec::new(), Vec::new(), Vec::new());
        let (mut np_mem, mut t_mem) = (Vec::new(), Vec::new());
        let (mut np_mean, mut t_mean) = (f64::NAN, f64::NAN);
        for _ in 0..rounds {
            if let Some(r) = numpy(n) {
                np.push(r.seconds);
                np_mem.push(r.peak_mb);
                np_mean = r.summary[0];
            }
            t1.push(engine(n, 1).seconds);
            let r = engine(n, 2);
            t2.push(r.seconds);
            t_mem.push(r.peak_mb);
            t_mean = r.summary[0];
        }
        let rate = |t: &Vec<f64>| {
            if t.is_empty() {
                f64::NAN
            } else {
                n as f64 / median(t.clone())
            }
        };
        let (rn, r1, r2) = (rate(&np), rate(&t1), rate(&t2));
        let mem = |m: &Vec<f64>| {
            if m.is_empty() {
                f64::NAN
            } else {
                median(m.clone())
            }
        };
        println!(
            "| {n} | {rn:.0} | {r1:.0} | {r2:.0} | {:.2} | {:.0} / {:.0} | {np_mean:.0} / {t_mean:.0} |",
            r2 / rn,
            mem(&np_mem),
            mem(&t_mem)
        );
    }
}
