import { BASELINE_COLOR, CURRENT_COLOR } from './color.js';

/** The page's stylesheet: system fonts only, so the file needs nothing from the network. */
export const STYLE = `
svg .hc{fill:${CURRENT_COLOR};fill-opacity:.75}svg .hb{fill:none;stroke:${BASELINE_COLOR};stroke-width:1.5;stroke-dasharray:3 2}
:root{color-scheme:light;--fg:#1b1b1b;--muted:#5b5b5b;--line:#d0d0d0}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:16px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 6px;border-top:2px solid var(--line);padding-top:12px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:middle}
table.num td{text-align:right;font-variant-numeric:tabular-nums}
thead th{background:#f3f3f3}
.heat-table{font-size:11px}
details{margin:4px 0 10px}details>table{display:block;overflow-x:auto;max-width:100%}
figure.fig{margin:10px 0 14px}figcaption{color:var(--muted);font-size:12.5px;max-width:760px}
svg{display:block;max-width:100%;height:auto}svg text{font:10.5px system-ui,sans-serif;fill:#333}
svg .tick{fill:#555}svg .label{fill:#222}svg .axis{stroke:#888;stroke-width:1}
svg .band{fill:#7f7f7f;fill-opacity:.18}svg .band-sep{stroke:#111;stroke-width:1.5}svg .muted{fill:#777}svg .band-label{font-weight:600;fill:#111}svg .small{font-size:9px}
.thread-groups{font-size:12px}.group-detail h4{margin:8px 0 2px;font-size:13px}
.muted{color:var(--muted)}.warn{color:#8a4b00}
.status{font-size:12px;padding:1px 6px;border-radius:8px;border:1px solid currentColor}
.st-pass{color:#116329}.st-regression{color:#a40e26}.st-error{color:#8a4b00}
.v-regression,.v-limit-exceeded{font-weight:600;color:#a40e26}.v-improvement{color:#116329}
.explanation{border-left:3px solid #0072b2;padding:2px 10px;margin:8px 0;background:#f6f9fc}
.facts{margin:4px 0;padding-left:18px;color:var(--muted)}
pre{white-space:pre-wrap;background:#f6f6f6;padding:6px}
table.events{font-size:12px}table.events td{vertical-align:top}details.stacks{margin:0}details.stacks h5{margin:4px 0 0;font-size:11.5px}
ol.stack{margin:0;padding-left:22px;font:11px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
`;
