// The readable half of a dossier: one HTML file with its style inline and no
// external asset (it must open the same on an offline machine in ten years).
// Every piece of recorded text goes through esc(): events carry user input.
import type { RecordedEvent } from '@wenming/eventstore';
import { chineseTerm } from '../domain/summaries.js';
import type { Step, UnitState } from '../domain/unit-state.js';
import type { StreamDigest } from './verify.js';

export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const pts = (h: number | undefined) => (h === undefined ? '' : (h / 100).toString());
const tag = (s: string) => esc(s.replace(/^[A-Z_]+?_(?=[A-Z]+$)/, ''));

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="none">None recorded.</p>';
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function steps(list: Step[]): string {
  return `<ol class="steps">${list
    .map(
      (s) =>
        `<li><time>${esc(s.recordedAt)}</time> <b>${esc(s.type)}</b> ${esc(s.summary)}${s.actor ? ` <span class="actor">— ${esc(s.actor)}</span>` : ''}</li>`,
    )
    .join('')}</ol>`;
}

export function renderReport(input: {
  unitId: string;
  asOf: string | undefined;
  state: UnitState;
  entries: { event: RecordedEvent; summary: string }[];
  streams: StreamDigest[];
  eventsSha256: string;
}): string {
  const { state: s } = input;
  const plans = Object.values(s.plans).map((p) => [
    esc(p.planId),
    esc(p.campaignId),
    esc(p.status),
    esc(p.version),
    Object.values(p.tasks)
      .map(
        (t) =>
          `${esc(t.title ?? t.taskId)}${t.deadlineDate ? ` (by ${esc(t.deadlineDate)})` : ''}: ${esc(t.completion ? tag(t.completion) : 'no report')}`,
      )
      .join('<br>'),
  ]);
  const rects = Object.values(s.rectifications)
    .map(
      (
        r,
      ) => `<section class="rect"><h3>${esc(r.rectificationId)} — ${esc(r.status)}${r.publicConcern ? ' <span class="pc">群众关心 public concern</span>' : ''}</h3>
<p>${esc(r.requirements)}${r.deadlineDate ? ` · deadline ${esc(r.deadlineDate)}` : ''}${r.regressions > 0 ? ` · regressed ${esc(r.regressions)}×` : ''}</p>${steps(r.steps)}</section>`,
    )
    .join('');
  const scores = Object.values(s.inspections).flatMap((i) =>
    Object.entries(i.scores).map(([criterion, sc]) => [
      esc(i.inspectionId),
      esc(i.status),
      esc(criterion),
      esc(pts(sc.points)),
      esc(pts(sc.maxPoints)),
      esc(sc.deductionReason),
    ]),
  );
  const findings = Object.values(s.findings).map((f) => [
    esc(f.findingId),
    esc(f.severity),
    esc(f.description),
    f.publicConcern ? '群众关心' : '',
    f.withdrawn ? 'withdrawn' : '',
  ]);
  const titles = Object.values(s.titles).map((t) => [
    esc(t.awardId),
    esc(t.title),
    esc(t.status),
    esc(pts(t.score)),
    esc([t.validFrom, t.validTo].filter(Boolean).join(' – ')),
  ]);
  const complaints = Object.values(s.complaints)
    .map(
      (c) =>
        `<section><h3>${esc(c.complaintId)} — ${esc(c.status)}${c.publicConcern ? ' <span class="pc">群众关心</span>' : ''}</h3><p>${esc(c.summary)}</p>${steps(c.steps)}</section>`,
    )
    .join('');
  const cases = Object.values(s.accountabilityCases).map((c) => [esc(c.caseId), esc(c.status), esc(c.measures.join(', ')), esc(c.summary)]);
  const rules = Object.values(s.rules).map((r) => [esc(r.ruleId), esc(r.title), r.repealed ? 'repealed' : 'in force']);
  const reviews = Object.values(s.reviews).map((r) => [
    esc(r.reviewId),
    esc(r.title),
    esc(r.status),
    r.checks.map((c) => `${tag(c.check)}: ${tag(c.result)}${c.notes ? ` — ${esc(c.notes)}` : ''}`).join('<br>'),
    esc(r.recurrences.join(', ')),
  ]);
  const other = Object.entries(s.other).map(([type, b]) => [esc(type), esc(b.count), esc(b.last.summary)]);
  const timeline = input.entries.map(({ event: e, summary }) => [
    esc(e.position),
    `<time>${esc(e.recordedAt)}</time>`,
    `<time>${esc(e.occurredAt)}</time>`,
    `${esc(e.type)}${chineseTerm(e.type) ? ` <span class="zh">${esc(chineseTerm(e.type))}</span>` : ''}`,
    esc(summary),
    esc(e.metadata.actor ? `${e.metadata.actor.id} (${e.metadata.actor.role})` : ''),
    `${esc(e.streamId)} r${esc(e.revision)}`,
  ]);
  const streams = input.streams.map((st) => [
    esc(st.streamId),
    esc(st.eventCount),
    `r${esc(st.lastRevision)}`,
    `<code>${esc(st.lastHash)}</code>`,
  ]);
  const u = s.unit;

  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>创建活动档案 — ${esc(u.name ?? input.unitId)}</title>
<style>
body{font:14px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}time{font-family:monospace;font-size:12px}code{font-size:11px;word-break:break-all}
.pc{background:#fde2e1;padding:0 .3em}.zh{color:#666}.actor{color:#666}.none{color:#888}.steps{margin:.25em 0 1em}
.rect{border-left:3px solid #c33;padding-left:.75em;margin-bottom:1em}
</style></head><body>
<h1>创建活动档案 Unit dossier: ${esc(u.name ?? input.unitId)}</h1>
<p>Unit <b>${esc(input.unitId)}</b>${u.parentUnitId ? ` under ${esc(u.parentUnitId)}` : ''}${u.firstResponsiblePerson ? ` · 第一责任人 ${esc(u.firstResponsiblePerson)}` : ''}${u.dissolved ? ' · dissolved' : ''}<br>
As of <b>${esc(input.asOf ?? 'export time (everything recorded)')}</b> (recorded time) · ${esc(s.eventCount)} events · last position ${esc(s.asOfPosition)}<br>
events.json sha256 <code>${esc(input.eventsSha256)}</code> — see VERIFY.txt to re-check offline.</p>
<h2>Plans and tasks 创建实施方案</h2>${table(['plan', 'campaign', 'status', 'version', 'tasks'], plans)}
<h2>Rectifications 整改, with every step</h2>${rects || '<p class="none">None recorded.</p>'}
<h2>Findings 发现问题</h2>${table(['finding', 'severity', 'description', 'public concern', ''], findings)}
<h2>Scores 考核评分</h2>${table(['inspection', 'status', 'criterion', 'points', 'max', 'deduction'], scores)}
<h2>Titles 称号</h2>${table(['award', 'title', 'status', 'score', 'valid'], titles)}
<h2>Complaints 投诉</h2>${complaints || '<p class="none">None recorded.</p>'}
<h2>Accountability 效能问责</h2>${table(['case', 'status', 'measures', 'summary'], cases)}
<h2>Rules 建章立制</h2>${table(['rule', 'title', 'state'], rules)}
<h2>Look-back reviews 回头看</h2>${table(['review', 'title', 'status', 'checks', 'recurrences'], reviews)}
<h2>Other events</h2>${table(['type', 'count', 'last'], other)}
<h2>Timeline</h2>${table(['pos', 'recorded', 'occurred', 'type', 'summary', 'actor', 'stream'], timeline)}
<h2>Hash chains</h2>${table(['stream', 'events', 'last revision', 'last hash'], streams)}
</body></html>
`;
}
