//! Prints the parity numbers of the native build, as bit patterns.

fn main() {
    println!(
        "{} {} {}",
        wasm_parity::base_price().to_bits(),
        wasm_parity::psa_mean(2000).to_bits(),
        wasm_parity::psa_p97_5(2000).to_bits()
    );
}
