/** One execution's steps as an SVG timeline: a bar per Task from entering to leaving it. */
import type { StepSpan } from './execution';

const ROW = 22;
const LEFT = 190;
const WIDTH = 900;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function timelineSvg(title: string, steps: readonly StepSpan[], boundMs?: number): string {
  const end = Math.max(...steps.map((s) => s.endMs), boundMs ?? 0, 1);
  const scale = (WIDTH - LEFT - 20) / end;
  const height = 60 + steps.length * ROW;
  const rows = [...steps].sort((a, b) => a.startMs - b.startMs);
  const tick = end > 2000 ? 500 : end > 600 ? 100 : 50;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let t = 0; t <= end; t += tick) {
    const x = LEFT + t * scale;
    parts.push(`<line x1="${x.toFixed(1)}" y1="28" x2="${x.toFixed(1)}" y2="${height - 10}" stroke="#ddd"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="40" text-anchor="middle" fill="#666">${t} ms</text>`);
  }
  if (boundMs !== undefined) {
    const x = LEFT + boundMs * scale;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="28" x2="${x.toFixed(1)}" y2="${height - 10}" stroke="#c00" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${(x + 4).toFixed(1)}" y="${height - 14}" fill="#c00">critical-path bound ${boundMs} ms</text>`,
    );
  }
  rows.forEach((s, i) => {
    const y = 50 + i * ROW;
    const x = LEFT + s.startMs * scale;
    const w = Math.max(2, (s.endMs - s.startMs) * scale);
    parts.push(`<text x="10" y="${y + 14}">${escape(s.name)}</text>`);
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${s.lane ? '#6a9fd8' : '#2f6db5'}"/>`,
    );
    parts.push(
      `<text x="${(x + w + 4).toFixed(1)}" y="${y + 14}" fill="#333">${s.endMs - s.startMs} ms</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
