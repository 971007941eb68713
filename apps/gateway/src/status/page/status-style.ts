/** The status page's stylesheet (inlined; the page loads nothing else). */
export const STATUS_STYLE = `
:root { color-scheme: dark; --bg: #0e1217; --panel: #171d25; --line: #29313c; --text: #e6e9ef; --muted: #8b96a5;
  --ready: #3fb950; --half-open: #d29922; --saturated: #a371f7; --cooling: #58a6ff; --open: #f0883e; --disabled: #f85149; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 16px; padding: 16px 24px 8px; }
.top h1 { margin: 0; font-size: 20px; font-weight: 650; }
.muted, #summary { color: var(--muted); }
.pill { border: 1px solid var(--line); border-radius: 999px; padding: 1px 10px; font-size: 12px; color: var(--muted); }
.pill:empty { display: none; }
.live { margin-left: auto; font-size: 12px; color: var(--muted); }
.live::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 6px; border-radius: 50%; background: var(--muted); }
.live[data-live="yes"]::before { background: var(--ready); }
.live[data-live="no"] { color: var(--disabled); }
.live[data-live="no"]::before { background: var(--disabled); }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 0; padding: 0 24px 12px; list-style: none; font-size: 12px; color: var(--muted); }
.legend li::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; background: var(--state); vertical-align: -1px; }
#auth { margin: 0 24px 12px; padding: 12px; border: 1px solid var(--disabled); border-radius: 8px; background: var(--panel); }
#auth input { margin: 0 8px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--text); }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 16px; padding: 0 24px 24px; align-items: start; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
.keys { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 12px; }
.key { padding: 12px 14px; border: 1px solid var(--line); border-left: 5px solid var(--state); border-radius: 8px; background: var(--panel); }
.key:not([data-state="ready"]) { background: color-mix(in srgb, var(--state) 11%, var(--panel)); }
[data-state="ready"] { --state: var(--ready); }
[data-state="half-open"] { --state: var(--half-open); }
[data-state="saturated"] { --state: var(--saturated); }
[data-state="cooling"] { --state: var(--cooling); }
[data-state="open"] { --state: var(--open); }
[data-state="disabled"] { --state: var(--disabled); }
.key header { display: flex; align-items: center; gap: 8px; }
.key h2 { margin: 0; font-size: 15px; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { margin-left: auto; padding: 1px 8px; border-radius: 999px; background: var(--state); color: #0e1217; font-size: 12px; font-weight: 650; }
.masked { margin: 2px 0 8px; font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--muted); }
.key dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0; }
.key dt { color: var(--muted); }
.key dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.note { margin: 8px 0 0; font-weight: 600; color: var(--state); }
.note:empty { display: none; }
.events-panel { padding: 12px 14px; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); }
.events-panel h2 { margin: 0 0 8px; font-size: 15px; }
.clients { margin-top: 12px; } .clients table { width: 100%; border-collapse: collapse; } .clients th, .clients td { text-align: left; padding: 4px 8px; border-top: 1px solid var(--line); }
#events { max-height: 70vh; overflow-y: auto; margin: 0; padding: 0; list-style: none; font-size: 13px; }
#events li { display: grid; grid-template-columns: auto 1fr; gap: 8px; padding: 4px 0 4px 8px; border-left: 3px solid var(--muted); border-bottom: 1px solid var(--line); }
#events li[data-tone="bad"] { border-left-color: var(--disabled); }
#events li[data-tone="warn"] { border-left-color: var(--half-open); }
#events li[data-tone="good"] { border-left-color: var(--ready); }
#events time { color: var(--muted); font-variant-numeric: tabular-nums; }
#events:empty::after { content: "No events yet."; color: var(--muted); }
`;
