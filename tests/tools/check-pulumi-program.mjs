// Type-checks TypeScript files generated from Pulumi YAML programs against the @pulumi/gcp declarations, with the
// TypeScript compiler API. Usage: node check-pulumi-program.mjs <tools dir with node_modules> <file.ts>...
// Prints one JSON array of diagnostics: {file, line (1-based), column, code, message}. Exit 0 even when there are
// diagnostics (the caller judges them); exit 2 when the compiler or the SDK cannot be loaded.
import { createRequire } from "node:module";
import path from "node:path";

const [toolsDir, ...files] = process.argv.slice(2);
if (!toolsDir || files.length === 0) {
  console.error("usage: node check-pulumi-program.mjs <tools dir> <file.ts>...");
  process.exit(2);
}

const require = createRequire(path.join(path.resolve(toolsDir), "package.json"));
let ts;
try {
  ts = require("typescript");
  require.resolve("@pulumi/gcp/package.json");
} catch (e) {
  console.error(`typescript or @pulumi/gcp is not installed under ${toolsDir} (run tests/setup.sh): ${e.message}`);
  process.exit(2);
}

const options = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  baseUrl: path.resolve(toolsDir),
  paths: { "@pulumi/*": ["node_modules/@pulumi/*"] },
  types: [],
};
const program = ts.createProgram(files.map((f) => path.resolve(f)), options);
const wanted = new Set(files.map((f) => path.resolve(f)));
const out = [];
for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (!d.file) {
    out.push({ file: "", line: 0, column: 0, code: d.code, message });
    continue;
  }
  if (!wanted.has(path.resolve(d.file.fileName))) continue;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
  out.push({ file: path.resolve(d.file.fileName), line: line + 1, column: character + 1, code: d.code, message });
}
process.stdout.write(JSON.stringify(out));
