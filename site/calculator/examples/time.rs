//! Times the calculator natively (the engine without rayon, as in the browser):
//! `cargo run --release -p tenbin-calculator --example time -- models/x.toml [draws]`.

use std::time::Instant;

use tenbin_calculator::{Bundle, Calculator, Request};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args
        .get(1)
        .map_or("models/reference/durable-gene-therapy.toml", String::as_str);
    let draws = args.get(2).and_then(|d| d.parse().ok()).unwrap_or(5000);
    let calc = Calculator::new(&Bundle::read(std::path::Path::new(file), file).unwrap()).unwrap();
    for seed in 1..=3 {
        let req = Request {
            draws,
            seed,
            hold: Default::default(),
            wtp: None,
            instalment_years: None,
        };
        let t = Instant::now();
        calc.run(&req).unwrap();
        println!(
            "{file}: {draws} draws in {:.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
