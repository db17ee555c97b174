import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultMappings, resolveOptions } from '../../integrations/sales/mappings/defaults';
import { diffRows, diffSets, renderDiffText } from '../../integrations/sales/mappings/diff';
import { MappingImportError, exportJson, importJsonBytes, newDefaultSet } from '../../integrations/sales/mappings/exchange-json';
import { readImportFile } from '../../integrations/sales/mappings/exchange-limits';
import type { MappingSet } from '../../../preload/contract/sales/mapping-model';
import { PROFILE_FLAGS_HELP, ProfileFlagError, presentMapping, profileOptionsFromFlags } from '../../integrations/sales/mappings/present';
import { hasErrors, validateMappings } from '../../integrations/sales/mappings/validate';
import type { CliCommand, CliIo } from '../io';
import { UsageError, parseFlags } from '../io';

const HELP = `Usage: d365ic mappings <command> [options]

Commands:
  defaults [--json] [--company-id GUID] [profile options]
      The default table and field mappings of "Use Default Synchronization Setup". --json prints an array of
      {"name","bcTable","dataverseEntity","direction","tableFilter","tableFilterText","integrationTableFilter",
       "integrationTableFilterText","synchOnlyCoupled","dependencyFilter","fields":[…],…}. The Dataverse filter's
      "company = current or empty" clause is printed only when --company-id gives the bcbi_company id.
  export [--from FILE|defaults] [--format json|xlsx] [--out FILE] [--name NAME] [--language en|nb-NO|nl-NL|fi-FI] [profile options]
      Writes a mapping set (the defaults for the profile unless --from FILE) as versioned JSON or as an XLSX
      workbook to annotate. JSON goes to stdout without --out; XLSX needs --out.
  import FILE [--format json|xlsx] [--out FILE.json] [--json]
      Reads a set. For an annotated workbook, prints the proposed changes and comments (the change set);
      --out writes the set as the workbook now describes it.
  diff LEFT RIGHT [--format json|xlsx] [--json]
      Side-by-side per-field differences; --json prints the change list (apply it to LEFT to get RIGHT).
  validate [FILE] [--format json|xlsx] [--json] [profile options]
      Checks a set (the profile's defaults without FILE) against the offline metadata catalogue.
      Exit code 1 when there is at least one error.

The format is taken from --format, else from the file extension (.xlsx ⇒ xlsx, otherwise json).

${PROFILE_FLAGS_HELP}`;

function profileOptions(flags: Record<string, string | true>) {
  try {
    return profileOptionsFromFlags(flags);
  } catch (x) {
    if (x instanceof ProfileFlagError) throw new UsageError(`${x.message}\n\n${HELP}`);
    throw x;
  }
}

function formatOf(flags: Record<string, string | true>, file: string | undefined): 'json' | 'xlsx' {
  const f = flags.format;
  if (f !== undefined) {
    if (f === 'json' || f === 'xlsx') return f;
    throw new UsageError(`--format takes json or xlsx, not "${String(f)}".`);
  }
  return file && file.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'json';
}

async function readSet(file: string, format: 'json' | 'xlsx') {
  const full = path.resolve(file);
  let data: Buffer;
  try {
    data = await readImportFile(full);
  } catch (x) {
    if (x instanceof MappingImportError) throw x;
    throw new Error(`Cannot read ${full}: ${(x as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (x as Error).message}.`, { cause: x });
  }
  if (format === 'json') return { set: importJsonBytes(data), changeSet: null };
  const { importXlsx } = await import('../../integrations/sales/mappings/exchange-xlsx');
  const r = await importXlsx(data, { source: path.basename(full) });
  return { set: r.set, changeSet: r.baseline ? r.changeSet : null };
}

function summarize(findings: ReturnType<typeof validateMappings>) {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), info: count('info') };
}

async function run(sub: string, rest: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlags(rest, ['json', 'help']);
  switch (sub) {
    case 'defaults': {
      if (positionals.length) throw new UsageError(`"mappings defaults" takes no file.\n\n${HELP}`);
      const o = resolveOptions(profileOptions(flags));
      const companyId = typeof flags['company-id'] === 'string' ? flags['company-id'] : undefined;
      const mappings = defaultMappings(o);
      if (flags.json) {
        io.stdout(JSON.stringify(mappings.map((m) => presentMapping(m, companyId ? { companyId } : {})), null, 2) + '\n');
        return 0;
      }
      for (const m of mappings.map((x) => presentMapping(x, companyId ? { companyId } : {}))) {
        io.stdout(`${m.name}  ${m.bcTable} (${m.bcTableId}) ⇄ ${m.dataverseEntity}  ${m.direction}${m.synchOnlyCoupled ? '' : '  (all records)'}\n`);
        if (m.tableFilterText) io.stdout(`    BC filter:        ${m.tableFilterText}\n`);
        if (m.integrationTableFilterText) io.stdout(`    Dataverse filter: ${m.integrationTableFilterText}\n`);
        if (m.dependencyFilter) io.stdout(`    Depends on:       ${m.dependencyFilter}\n`);
        for (const f of m.fields) {
          const arrow = f.direction === 'Bidirectional' ? '↔' : f.direction === 'ToIntegrationTable' ? '→' : '←';
          io.stdout(`      ${f.bcField ?? `'${f.constant}'`} ${arrow} ${f.dataverseField ?? `'${f.constant}'`}\n`);
        }
      }
      return 0;
    }
    case 'export': {
      const format = formatOf(flags, typeof flags.out === 'string' ? flags.out : undefined);
      const from = typeof flags.from === 'string' ? flags.from : positionals[0] ?? 'defaults';
      const set: MappingSet =
        from === 'defaults'
          ? newDefaultSet(typeof flags.name === 'string' ? flags.name : 'Default synchronization setup', profileOptions(flags))
          : (await readSet(from, formatOf({}, from))).set;
      if (format === 'json') {
        const text = exportJson(set);
        if (typeof flags.out === 'string') await writeFile(path.resolve(flags.out), text, 'utf8');
        else io.stdout(text);
      } else {
        if (typeof flags.out !== 'string') throw new UsageError('An XLSX export needs --out FILE.xlsx (a workbook cannot go to the terminal).');
        const { exportXlsx } = await import('../../integrations/sales/mappings/exchange-xlsx');
        const languages = ['en', 'nb-NO', 'nl-NL', 'fi-FI'] as const;
        const language = flags.language === undefined ? 'en' : languages.find((l) => l === flags.language);
        if (!language) throw new UsageError(`--language takes ${languages.join(', ')} (the reviewer's language for the workbook), not "${String(flags.language)}".`);
        await writeFile(path.resolve(flags.out), await exportXlsx(set, { language, findings: validateMappings(set.mappings) }));
      }
      if (typeof flags.out === 'string') io.stderr(`Wrote ${set.mappings.length} table mappings to ${path.resolve(flags.out)}.\n`);
      return 0;
    }
    case 'import': {
      const file = positionals[0];
      if (!file) throw new UsageError(`"mappings import" needs the file to read.\n\n${HELP}`);
      const { set, changeSet } = await readSet(file, formatOf(flags, file));
      if (typeof flags.out === 'string') await writeFile(path.resolve(flags.out), exportJson(set), 'utf8');
      if (flags.json) io.stdout(JSON.stringify(changeSet ? { set, changeSet } : { set, changeSet: null }, null, 2) + '\n');
      else if (changeSet) {
        io.stdout(`${changeSet.changes.length} proposed change(s), ${changeSet.comments.length} review note(s):\n`);
        io.stdout(renderDiffText(diffRows(changeSet.changes), 'exported', 'workbook'));
        const s = summarize(validateMappings(set.mappings));
        io.stdout(`With these changes: ${s.errors} validation error(s), ${s.warnings} warning(s) — run "d365ic mappings validate ${file}" for details.\n`);
      } else if (typeof flags.out !== 'string') io.stdout(exportJson(set));
      else io.stderr(`Imported ${set.mappings.length} table mappings.\n`);
      return 0;
    }
    case 'diff': {
      const [left, right] = positionals;
      if (!left || !right) throw new UsageError(`"mappings diff" needs two files.\n\n${HELP}`);
      const a = (await readSet(left, flags.format ? formatOf(flags, left) : formatOf({}, left))).set;
      const b = (await readSet(right, flags.format ? formatOf(flags, right) : formatOf({}, right))).set;
      const changes = diffSets(a, b);
      if (flags.json) io.stdout(JSON.stringify({ changes, rows: diffRows(changes) }, null, 2) + '\n');
      else io.stdout(renderDiffText(diffRows(changes), path.basename(left), path.basename(right)));
      return 0;
    }
    case 'validate': {
      const file = positionals[0];
      const set = file ? (await readSet(file, formatOf(flags, file))).set : newDefaultSet('defaults', profileOptions(flags));
      const t0 = performance.now();
      const findings = validateMappings(set.mappings);
      const ms = performance.now() - t0;
      const summary = summarize(findings);
      if (flags.json) io.stdout(JSON.stringify({ ...summary, validateMs: Math.round(ms * 100) / 100, findings }, null, 2) + '\n');
      else {
        for (const f of findings) io.stdout(`${f.severity.toUpperCase().padEnd(7)} ${f.mapping}${f.field ? ` / ${f.field}` : ''} [${f.code}] ${f.message}\n        Fix: ${f.fix}\n`);
        io.stdout(`${summary.errors} error(s), ${summary.warnings} warning(s), ${summary.info} note(s) in ${set.mappings.length} table mappings.\n`);
      }
      return hasErrors(findings) ? 1 : 0;
    }
    default:
      throw new UsageError(`Unknown mappings command "${sub}".\n\n${HELP}`);
  }
}

export const mappingsCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help' || rest.includes('--help')) {
    io.stdout(HELP);
    return sub ? 0 : 2;
  }
  try {
    return await run(sub, rest, io);
  } catch (x) {
    if (x instanceof MappingImportError) {
      io.stderr(`d365ic mappings ${sub}: ${x.message}\n`);
      return 1;
    }
    throw x;
  }
};
