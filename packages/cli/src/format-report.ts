import type { AuditReport } from './audit.js';

/** An audit report as people read it in a terminal or a CI log. */
export function formatReport(report: AuditReport): string {
  const consent = typeof report.consent === 'string' ? report.consent : report.consent.join(',') || 'required only';
  const refused = Object.entries(report.refused)
    .map(([member, purposes]) => `; refused for ${member}: ${purposes.join(',')}`)
    .join('');
  const first = `optin audit ${report.url}\n  consent: ${consent}${refused}; ${report.mode}${report.gpc ? ', GPC sent' : ''}; Member: ${report.member ?? 'none (platform page)'}; ${report.requests} requests, ${report.cookies.length} cookies, ${report.storage.length} stored items`;
  const { waitMs, interactions } = report.watch;
  const watched = `  watched ${String(waitMs)} ms after load${interactions.length ? `, then ${String(waitMs)} ms more after: ${interactions.join(', ')}` : ''}`;
  const member = (m: string | null) => m ?? 'none';
  const changed =
    report.visited.length > 1
      ? `\n  Member changed as the page went on: ${report.visited.map((v) => `${member(v.member)} (${v.url})`).join(' → ')}; judged as the last`
      : '';
  const head = `${first}\n${watched}${changed}`;
  if (!report.findings.length) return `${head}\n  ✓ nothing ran or was set without consent or without a declaration\n`;
  const lines = report.findings.map((f) => `  ✗ ${f.kind} ${f.subject}\n      ${f.message}`);
  return `${head}\n${lines.join('\n')}\n  ${report.findings.length} finding(s)\n`;
}
