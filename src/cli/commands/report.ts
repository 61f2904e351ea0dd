/**
 * `frcnn report`: render the HTML page of an evaluation report from its JSON document
 * (written by `frcnn eval … --report DIR`, or by the pipeline's evaluate stage).
 */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';

interface ReportFlags {
  out?: string;
  title?: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('render an evaluation report (report.json from `frcnn eval --report`) as a self-contained HTML page')
    .argument('<report.json>', 'the report document')
    .option('--out <file>', 'where to write the HTML ("-" for stdout); default: next to the JSON, .html')
    .option('--title <text>', 'replace the report title')
    .action(async (file: string, flags: ReportFlags) => {
      const { readJsonFile } = await import('../../evaluator/coco-data.ts');
      const { parseReport, renderReportHtml } = await import('../../evaluator/report.ts');
      const report = parseReport(readJsonFile(file), file);
      if (flags.title) report.title = flags.title;
      const html = renderReportHtml(report);
      if (flags.out === '-') {
        process.stdout.write(html);
        return;
      }
      const out = flags.out ?? file.replace(/\.json$/i, '') + '.html';
      await writeFile(out, html);
      process.stderr.write(`report: ${out}\n`);
    });
}
