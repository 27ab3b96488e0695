// Reads the TAP report of node's test runner (--test-reporter=tap) for scripts/test-all.mjs.

/** Parses node's TAP output: totals and the names of failed tests (suites that merely contain failures are skipped). */
export function parseTap(text) {
  const lines = text.split('\n');
  const totals = {};
  for (const m of text.matchAll(/^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/gm))
    totals[m[1]] = Number(m[2]);
  const failures = [];
  const names = [];
  const leaves = { pass: 0, fail: 0 }; // fallback counts when the summary is missing (run cut short)
  for (let i = 0; i < lines.length; i++) {
    const sub = /^( *)# Subtest: (.*)$/.exec(lines[i]);
    if (sub) {
      const depth = Math.floor(sub[1].length / 4);
      names.length = depth;
      names[depth] = sub[2];
      continue;
    }
    const m = /^( *)(not ok|ok) \d+ - (.*?)(?: # (?:SKIP|TODO)\b.*)?$/.exec(lines[i]);
    if (!m) continue;
    const depth = Math.floor(m[1].length / 4);
    names.length = depth + 1;
    names[depth] = m[3].replace(/\\#/g, '#');
    // YAML block: "---" ... "..." indented two more spaces.
    const yaml = [];
    if (lines[i + 1]?.trim() === '---') {
      for (let j = i + 2; j < lines.length && lines[j].trim() !== '...'; j++) yaml.push(lines[j]);
    }
    const block = yaml.join('\n');
    const title = names.filter(Boolean).join(' > ');
    if (/^\s*type: 'suite'$/m.test(block)) {
      // A suite fails because of its tests (listed on their own) or of its hooks (e.g. before() could not start the UI).
      if (m[2] === 'not ok' && !/^\s*failureType: 'subtestsFailed'$/m.test(block)) {
        failures.push({ title: `${title} (suite/hook)`, error: yamlError(yaml) });
      }
      continue;
    }
    if (/ # (?:SKIP|TODO)\b/.test(lines[i])) continue;
    if (m[2] === 'ok') {
      leaves.pass++;
      continue;
    }
    leaves.fail++;
    failures.push({ title, error: yamlError(yaml) });
  }
  return { totals, failures, leaves };
}

/** The `error:` field of a TAP YAML block (quoted scalar or |- block). */
function yamlError(yaml) {
  const start = yaml.findIndex((l) => /^\s*error: /.test(l));
  if (start < 0) return '';
  const value = yaml[start].replace(/^\s*error: /, '');
  if (value !== '|-') return value.replace(/^'(.*)'$/, '$1').replace(/''/g, "'");
  const indent = (yaml[start + 1] ?? '').match(/^ */)[0].length;
  const body = [];
  for (let k = start + 1; k < yaml.length && yaml[k].match(/^ */)[0].length >= indent && yaml[k].trim(); k++)
    body.push(yaml[k].trim());
  return body.join('\n');
}
