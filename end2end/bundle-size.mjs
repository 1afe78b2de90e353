// The wasm a browser downloads, gzipped at level 9: the main module, and for each screen its
// first load, that is the main module and the split modules the server preloads for that screen
// (from cargo-leptos's split manifest). Usage: node bundle-size.mjs [site/pkg directory]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const pkg = process.argv[2] ?? join(process.env.LEPTOS_SITE_ROOT ?? '../target/site', 'pkg');
const gzipped = (file) => gzipSync(readFileSync(join(pkg, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1000).toFixed(1).padStart(7)} KB`;

const main = readdirSync(pkg).find((f) => f.endsWith('.wasm') && !f.startsWith('chunk_') && !f.startsWith('split_'));
if (!main) {
  console.error(`no wasm module in ${pkg}: run \`make build\` first`);
  process.exit(1);
}
const mainBytes = gzipped(main);
// A release build names each file by its content: `__wasm_split_manifest.<hash>.json`.
const manifestName = readdirSync(pkg).find((f) => /^__wasm_split_manifest(\.[\w-]+)?\.json$/.test(f));
const manifestFile = manifestName && join(pkg, manifestName);
if (!manifestFile) {
  console.log(`${main}: ${kb(mainBytes)} gzipped (not split: every screen is in this one module)`);
  process.exit(0);
}

const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
const sizes = new Map();
const sizeOf = (module) => {
  if (!sizes.has(module)) sizes.set(module, gzipped(`${module}.wasm`));
  return sizes.get(module);
};
const screens = Object.entries(manifest)
  // A lazy function's name: `__chart_screen_view_<hash>` for one screen's route, `chart_area_<hash>`
  // for an area of screens. Its module list includes its own module.
  .map(([name, modules]) => {
    const screen = name.replace(/^__/, '').replace(/_(screen_view|area)_\d+$/, '').replaceAll('_', ' ');
    const own = modules.reduce((sum, m) => sum + sizeOf(m), 0);
    return { screen, modules: modules.length, own, first: mainBytes + own };
  })
  .sort((a, b) => b.first - a.first);

const all = readdirSync(pkg).filter((f) => f.endsWith('.wasm'));
const total = all.reduce((sum, f) => sum + gzipped(f), 0);
console.log(`main module ${main}: ${kb(mainBytes)} gzipped`);
console.log(`all ${all.length} modules together: ${kb(total)} gzipped`);
console.log('\nfirst load of each screen (main module + the screen\'s split modules):');
console.log(`${'screen'.padEnd(22)} ${'first load'.padStart(10)} ${'screen part'.padStart(11)} modules`);
for (const s of screens) {
  console.log(`${s.screen.padEnd(22)} ${kb(s.first)} ${kb(s.own)} ${String(s.modules).padStart(7)}`);
}
