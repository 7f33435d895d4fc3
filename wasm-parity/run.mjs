// Prints the parity numbers of the WebAssembly build, as bit patterns (see src/lib.rs).
import { readFileSync } from 'fs';
const bytes = readFileSync(process.argv[2]);
const { instance } = await WebAssembly.instantiate(bytes, {});
const bits = (x) => { const v = new DataView(new ArrayBuffer(8)); v.setFloat64(0, x); return v.getBigUint64(0).toString(); };
const e = instance.exports;
console.log(bits(e.base_price()), bits(e.psa_mean(2000)), bits(e.psa_p97_5(2000)));
